"""``python -m peercorpus`` runs the command-line interface."""

from .cli import main

main()

"""Batch reports: a YAML config lists analyses; ``peercorpus report`` runs them and writes a folder.

``spec.py`` reads and checks the config, ``params.py`` holds each analysis' parameters,
``analyses.py`` runs one analysis into a ``Section``, ``methods.py`` writes the methods text,
``run.py`` publishes the folder; the page and the Markdown are in ``render/report_*.py``.
"""

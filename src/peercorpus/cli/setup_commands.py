"""``peercorpus setup``: install optional NLTK data (WordNet for lemmas, stopwords, punkt)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import UsageError
from ..nltk_data import download as fetch
from ..nltk_data import install_wordnet_from_debian
from .common import handle_errors, note

app = typer.Typer(add_completion=False)  # the root app decides (no shell-completion options)

PACKAGES = ("wordnet", "stopwords", "punkt_tab")


@app.command()
@handle_errors
def setup(
    package: Annotated[str, typer.Argument(help="wordnet, stopwords or punkt_tab.")],
    download: Annotated[bool, typer.Option("--download", help="Fetch with nltk.download (needs a network).")] = False,
    target: Annotated[Path | None, typer.Option("--target", help="nltk_data folder \\[default: the venv's, else ~/nltk_data].")] = None,
) -> None:
    """Install optional NLTK data. None is needed for the default settings.

    WordNet (for tokenize.lemmatize) installs offline from Debian's packages
    (apt-get install wordnet-base wordnet-sense-index); others need --download.

    Example: [bold]peercorpus setup wordnet[/bold]
    """

    if package not in PACKAGES:
        raise UsageError(f"package must be one of {', '.join(PACKAGES)}; got '{package}'")
    if package == "wordnet" and not download:
        folder = install_wordnet_from_debian(target)
    elif not download:
        raise UsageError(f"{package} is fetched from the internet: run peercorpus setup {package} --download (only WordNet installs offline)")
    else:
        folder = fetch(package, target)
    note(f"installed {package} in {folder}")

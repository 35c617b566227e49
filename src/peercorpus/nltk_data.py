"""Optional NLTK data: where it goes, and installing it offline (Debian's WordNet) or online.

peercorpus needs no NLTK data for its defaults. Lemmatisation needs WordNet::

    install_wordnet_from_debian()     # copies /usr/share/wordnet into an nltk_data folder
    download("stopwords")             # online only: nltk.download
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from .errors import MissingDataError

DEBIAN_WORDNET = Path("/usr/share/wordnet")
WORDNET_FILES = (
    "data.adj", "data.adv", "data.noun", "data.verb",
    "index.adj", "index.adv", "index.noun", "index.verb", "index.sense",
    "adj.exc", "adv.exc", "noun.exc", "verb.exc",
)
# The lexicographer files of WordNet 3.0: the table in the lexnames(5WN) man page. NLTK reads
# it from corpora/wordnet/lexnames; Debian's packages do not ship it.
LEXNAMES = (
    "adj.all adj.pert adv.all noun.Tops noun.act noun.animal noun.artifact noun.attribute "
    "noun.body noun.cognition noun.communication noun.event noun.feeling noun.food noun.group "
    "noun.location noun.motive noun.object noun.person noun.phenomenon noun.plant "
    "noun.possession noun.process noun.quantity noun.relation noun.shape noun.state "
    "noun.substance noun.time verb.body verb.change verb.cognition verb.communication "
    "verb.competition verb.consumption verb.contact verb.creation verb.emotion verb.motion "
    "verb.perception verb.possession verb.social verb.stative verb.weather adj.ppl"
).split()
_SYNTACTIC_CATEGORY = {"adj": 3, "adv": 4, "noun": 1, "verb": 2}


def default_data_dir() -> Path:
    """``<virtual environment>/nltk_data`` inside a venv (NLTK looks there), else ``~/nltk_data``."""
    if sys.prefix != sys.base_prefix:
        return Path(sys.prefix) / "nltk_data"
    return Path.home() / "nltk_data"


def lexnames_text() -> str:
    """The ``lexnames`` file: number, name and syntactic category, tab-separated."""
    return "".join(
        f"{number:02d}\t{name}\t{_SYNTACTIC_CATEGORY[name.split('.')[0]]}\n"
        for number, name in enumerate(LEXNAMES)
    )


def install_wordnet_from_debian(target: Path | None = None, source: Path = DEBIAN_WORDNET) -> Path:
    """Copy Debian's WordNet (packages wordnet-base, wordnet-sense-index) where NLTK finds it."""
    missing = [name for name in WORDNET_FILES if not (source / name).is_file()]
    if missing:
        raise MissingDataError(
            f"WordNet files not found in {source} (missing {', '.join(missing[:3])}); install them with "
            "'apt-get install wordnet-base wordnet-sense-index', or run 'peercorpus setup wordnet --download' online"
        )
    folder = (target or default_data_dir()) / "corpora" / "wordnet"
    folder.mkdir(parents=True, exist_ok=True)
    for name in WORDNET_FILES:
        shutil.copyfile(source / name, folder / name)
    (folder / "lexnames").write_text(lexnames_text(), encoding="utf-8")
    return folder


def download(package: str, target: Path | None = None) -> Path:
    """``nltk.download(package)`` into ``target``; a clear error when offline."""
    import nltk

    folder = target or default_data_dir()
    if not nltk.download(package, download_dir=str(folder), quiet=True, raise_on_error=False):
        raise MissingDataError(
            f"could not download NLTK '{package}' (offline?); for WordNet use Debian's packages: "
            "apt-get install wordnet-base wordnet-sense-index && peercorpus setup wordnet"
        )
    return folder

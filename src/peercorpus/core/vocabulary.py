"""Word forms as matched and filtered: case-folding with straight apostrophes, stop-word lists.

    normalize_form("Don’t")                   # "don't"
    "the" in load_stopwords("english")        # True
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from ..errors import ConfigError, MissingDataError

_TYPOGRAPHIC = str.maketrans({"’": "'", "‘": "'", "‐": "-", "‑": "-"})


def normalize_form(word: str) -> str:
    """The form used for case-insensitive matching: case-folded, straight apostrophes.

    >>> normalize_form("Don’t")
    "don't"
    """
    return word.casefold().translate(_TYPOGRAPHIC)


def load_stopwords(name: str | None, extra: tuple[str, ...] = ()) -> frozenset[str]:
    """Stop words by name: ``none``, ``english`` (bundled), ``nltk`` (NLTK data) or a file path.

    >>> "the" in load_stopwords("english")
    True
    """
    words: list[str] = []
    if name in (None, "none", ""):
        pass
    elif name == "english":
        text = resources.files("peercorpus").joinpath("data/stopwords-english.txt").read_text("utf-8")
        words = word_lines(text)
    elif name == "nltk":
        words = list(_nltk_stopwords())
    else:
        path = Path(name)
        if not path.is_file():
            raise ConfigError(
                f"stopwords: '{name}' is not none, english, nltk or an existing file of words"
            )
        words = word_lines(path.read_text(encoding="utf-8-sig"))
    return frozenset(normalize_form(w) for w in [*words, *extra])


def word_lines(text: str) -> list[str]:
    """Non-empty, non-comment lines, stripped, in file order (first occurrence kept)."""
    lines = (line.strip() for line in text.splitlines() if not line.startswith("#"))
    return list(dict.fromkeys(line for line in lines if line))


def _nltk_stopwords() -> set[str]:
    try:
        from nltk.corpus import stopwords

        return set(stopwords.words("english"))
    except LookupError:
        raise MissingDataError(
            "stopwords: nltk needs NLTK's stopwords corpus; run 'peercorpus setup stopwords' "
            "(online) or use stopwords: english (the same list, bundled)"
        ) from None


"""Split one document's text into paragraphs, sentences (NLTK Punkt) and word tokens with offsets.

Works with no NLTK data installed: Punkt runs with its built-in parameters plus a bundled
list of English abbreviations, or with NLTK's trained ``punkt_tab`` model when present::

    doc = tokenize_text("Peer-led groups don't replace the NHS. They help.\\n\\nA new one.")
    doc.words            # ['Peer-led', 'groups', "don't", 'replace', 'the', 'NHS', '.', ...]
    doc.sentence_spans   # [(0, 38), (39, 50), (52, 62)]
"""

from __future__ import annotations

import re
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

# Words keep internal hyphens and apostrophes (peer-led, don't, mother's); dotted
# abbreviations stay whole (e.g., U.K.); numbers keep their decimal point or thousands
# separator (3.5, 1,200) and the letters glued to them (28th, 1980s, 3G, 5m, 3.5bn, 3-year-old),
# as quanteda and AntConc count them, while a score or range stays three tokens (7-6, 2020-21);
# anything else that is not space is a one-character punctuation token (£ in £5m).
DEFAULT_TOKEN_PATTERN = (
    r"(?:[^\W\d_]\.){2,}"
    r"|(?>\d+(?:[.,:]\d+)*)(?:[^\W_]*[^\W\d_][^\W_]*)?(?:['’\-‐][^\W\d_]*[^\W\d_][^\W_]*)*%?"
    r"|[^\W_]+(?:['’\-‐][^\W_]+)*"
    r"|[^\w\s]"
    r"|_+"
)

# DEFAULT_TOKEN_PATTERN with its letter-led alternatives taken together: a word starting with a
# letter tries the dotted abbreviation (two or more letter-dot pairs) and then the plain word
# after one look at its first letter, instead of two alternatives that each look again. The
# same matches (tests/ingest/test_fast_paths.py), in 0.81-0.85x the time on BBC (issue 18: the word
# split was a sixth of the tokenising).
_FACTORED_TOKEN_PATTERN = (
    r"[^\W\d_](?:\.[^\W\d_]\.(?:[^\W\d_]\.)*|[^\W_]*(?:['’\-‐][^\W_]+)*)"
    r"|(?>\d+(?:[.,:]\d+)*)(?:[^\W_]*[^\W\d_][^\W_]*)?(?:['’\-‐][^\W\d_]*[^\W\d_][^\W_]*)*%?"
    r"|[^\w\s]"
    r"|_+"
)

# Abbreviations that end in a full stop but rarely end a sentence; Punkt's own training
# would learn them, and its built-in parameters know none.
ENGLISH_ABBREVIATIONS = (
    "al approx apr aug ca cf co corp dec dept dr e.g eg esp est etc feb fig figs i.e ie inc "
    "jan jr jul jun ltd mar mr mrs ms mt no nos nov oct p pp prof pt rd ref refs rev sep "
    "sept st vol vols vs"
).split()

_BLANK_LINE = re.compile(r"\n[ \t\f\v]*\n\s*")


@dataclass
class TokenizedText:
    """One document's tokens, before corpus-wide integer coding.

    ``starts``/``ends`` are character offsets in the text; ``sentence`` and ``paragraph``
    give each token's sentence and paragraph number within the document.
    """

    words: list[str]
    starts: np.ndarray
    ends: np.ndarray
    sentence: np.ndarray
    paragraph: np.ndarray
    sentence_spans: list[tuple[int, int]]
    paragraph_spans: list[tuple[int, int]]


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of paragraphs: blank-line separated blocks, or lines if none.

    Texts exported from web pages often put each paragraph on one line with no blank
    lines between them; texts with blank lines use them as paragraph breaks and may wrap
    lines inside a paragraph (PDF extraction).

    >>> paragraph_spans("One\\ntwo\\n\\nThree")
    [(0, 7), (9, 14)]
    >>> paragraph_spans("One\\nTwo")
    [(0, 3), (4, 7)]
    """
    separator = _BLANK_LINE if _BLANK_LINE.search(text) else re.compile(r"\n+")
    spans = []
    position = 0
    for match in separator.finditer(text):
        spans.append((position, match.start()))
        position = match.end()
    spans.append((position, len(text)))
    return [_strip_span(text, start, end) for start, end in spans if text[start:end].strip()]


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


@contextmanager
def _tokenizers_without_all_of_nltk():
    """Import ``nltk.tokenize`` without running ``nltk/__init__.py``.

    NLTK's package imports nearly all of NLTK, scikit-learn and scipy (1.2 s of a 1.4 s
    import here); tokenising needs none of it. Inside this block ``nltk`` is a bare package
    module, so ``import nltk.tokenize`` loads only the tokenizers and what they import.
    Afterwards every ``nltk`` module is forgotten again (the tokenizer objects made inside
    keep theirs), so a later ``import nltk`` gets the whole, ordinary package.
    """
    if "nltk" in sys.modules:  # already imported (fully, or we are inside this block)
        yield
        return
    import importlib.util

    spec = importlib.util.find_spec("nltk")
    if spec is None or not spec.submodule_search_locations:
        yield  # not an ordinary package: import it the ordinary way
        return
    sys.modules["nltk"] = importlib.util.module_from_spec(spec)
    try:
        yield
    finally:
        for name in [n for n in sys.modules if n == "nltk" or n.startswith("nltk.")]:
            del sys.modules[name]


@lru_cache(maxsize=1)
def sentence_splitter():
    """NLTK's Punkt: the trained English model when installed, else built-in parameters."""
    with _tokenizers_without_all_of_nltk():
        from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

        try:
            from nltk.tokenize import PunktTokenizer

            return PunktTokenizer("english")
        except (LookupError, ImportError, OSError, ValueError):
            parameters = PunktParameters()
            parameters.abbrev_types = set(ENGLISH_ABBREVIATIONS)
            return PunktSentenceTokenizer(parameters)


@lru_cache(maxsize=1)
def fast_sentence_splitter():
    """``sentence_splitter()``'s spans, faster (``ingest/punkt.FastPunkt``): what ingest uses."""
    splitter = sentence_splitter()
    with _tokenizers_without_all_of_nltk():
        from .punkt import FastPunkt

        return FastPunkt(splitter)


@lru_cache(maxsize=1)
def _default_splitter() -> re.Pattern:
    # The pattern as one group: ``split`` gives gap, word, gap, word, ..., gap (the pattern
    # never matches an empty string), words and offsets without a Python object per match.
    return re.compile(f"({_FACTORED_TOKEN_PATTERN})")


def _default_words(text: str) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Words of the default pattern with their start and end offsets."""
    pieces = _default_splitter().split(text)
    edges = np.cumsum(np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces)))
    return pieces[1::2], edges[0:-1:2].astype(np.int32), edges[1::2].astype(np.int32)


@lru_cache(maxsize=4)
def word_tokenizer(name: str):
    """The NLTK word tokenizer called ``name`` (see ``config.TOKENIZERS``)."""
    with _tokenizers_without_all_of_nltk():
        return _word_tokenizer(name)


def _word_tokenizer(name: str):
    from nltk.tokenize import RegexpTokenizer, TreebankWordTokenizer, WhitespaceTokenizer

    if name == "default":
        return RegexpTokenizer(DEFAULT_TOKEN_PATTERN)
    if name == "treebank":
        return TreebankWordTokenizer()
    if name == "nltk-word":
        from nltk.tokenize import NLTKWordTokenizer

        return NLTKWordTokenizer()
    if name == "whitespace":
        return WhitespaceTokenizer()
    raise ValueError(f"unknown tokenizer {name!r}")


def _word_spans(text: str, tokenizer_name: str, sentence_spans: list[tuple[int, int]]):
    """Word spans of an NLTK tokenizer other than the default (which ``_default_words`` cuts)."""
    tokenizer = word_tokenizer(tokenizer_name)
    if tokenizer_name == "whitespace":
        return list(tokenizer.span_tokenize(text))
    spans: list[tuple[int, int]] = []
    for start, end in sentence_spans:
        try:
            spans.extend((start + a, start + b) for a, b in tokenizer.span_tokenize(text[start:end]))
        except ValueError:
            # Treebank's span alignment fails on a few quote forms; fall back for that sentence.
            spans.extend(
                (start + a, start + b)
                for a, b in word_tokenizer("default").span_tokenize(text[start:end])
            )
    return spans


def tokenize_text(text: str, tokenizer: str = "default") -> TokenizedText:
    """Tokenise ``text``: paragraphs, then Punkt sentences inside each, then word tokens."""
    paragraphs = paragraph_spans(text)
    splitter = fast_sentence_splitter()
    sentences: list[tuple[int, int]] = []
    for start, end in paragraphs:
        sentences.extend((start + a, start + b) for a, b in splitter.span_tokenize(text[start:end]))
    if tokenizer == "default":
        words, starts, ends = _default_words(text)
    else:
        spans = _word_spans(text, tokenizer, sentences)
        starts = np.fromiter((s for s, _ in spans), dtype=np.int32, count=len(spans))
        ends = np.fromiter((e for _, e in spans), dtype=np.int32, count=len(spans))
        words = [text[s:e] for s, e in spans]
    sentence_starts = np.array([s for s, _ in sentences] or [0], dtype=np.int32)
    paragraph_starts = np.array([s for s, _ in paragraphs] or [0], dtype=np.int32)
    sentence = np.maximum(np.searchsorted(sentence_starts, starts, side="right") - 1, 0)
    paragraph = np.maximum(np.searchsorted(paragraph_starts, starts, side="right") - 1, 0)
    return TokenizedText(
        words=words,
        starts=starts,
        ends=ends,
        sentence=sentence.astype(np.int32),
        paragraph=paragraph.astype(np.int32),
        sentence_spans=sentences,
        paragraph_spans=paragraphs,
    )

"""Tell running prose from what is not: code listings, console output, tables, formulae,
reference entries and line fragments.

Non-prose stays in the analysed text and counts in word lists, keyness and topics (it is the
author's text, and a word list of a software manual should show its commands); what these
checks decide is which sentences may *speak for* the corpus: topic extracts, kwic's
``sentence`` field and readability scores use prose only::

    is_prose_block("The peer workers met weekly to share what had worked.")        # True
    is_prose_block("Error t value Pr(>|t|)\\n(Intercept) 0.7967 0.1 7.9 <2e-16")    # False
    is_prose_sentence("Peer support from other Peer Workers should also")          # False
"""

from __future__ import annotations

import re

from ..ingest.sections import is_reference_line

#: Characters that are frequent in code, console output and formulae, rare in prose.
_CODE_CHARACTERS = frozenset("{}[]();=<>|\\/_#$@*^~`+")
_MATH_CHARACTERS = frozenset("∑∏∫√±×÷≤≥≠≈∞∂∇αβγδεθλμπσφχψω")
_WITHOUT_CODE_CHARACTERS = dict.fromkeys(map(ord, _CODE_CHARACTERS | _MATH_CHARACTERS))  # for str.translate
_CODE_LINE = re.compile(
    r"^\s*(?:[$>#%] |>>> |\.\.\. |def |class |import |from \S+ import |return\b|if\s*\(|for\s*\(|while\s*\("
    r"|#include|public |private |function\b|var |let |const |[A-Za-z_][\w.]*\s*(?:=|<-|::=)\s|[}{]\s*$)"
)
_NUMBER = re.compile(r"^[-+−(]?[\d.,]+%?[)*]*$")
_SENTENCE_END = re.compile(r"[.!?…][\"”’')\]]*$")
_SENTENCE_START = re.compile(r"^[\"“‘'(\[]?[A-Z0-9À-ÖØ-Þ]")

MIN_PROSE_WORDS = 3
MAX_CODE_CHARACTER_SHARE = 0.08
MAX_NUMBER_SHARE = 0.4


def is_prose_block(text: str) -> bool:
    """Whether a paragraph reads as prose: not mostly code or console lines, not a table of
    numbers, not a formula, not a reference entry."""
    stripped = text.strip()
    if not stripped:
        return False
    lines = [line for line in stripped.split("\n") if line.strip()]
    if sum(1 for line in lines if _CODE_LINE.match(line)) * 2 > len(lines):
        return False
    if len(lines) > 1 and sum(1 for line in lines if line.count(" | ") >= 1) * 2 > len(lines):
        return False  # table rows (Word tables are read as cells joined by " | ")
    return _reads_as_prose(stripped)


def is_prose_sentence(text: str) -> bool:
    """Whether a sentence can stand for its text: a complete sentence (a capital or digit at
    the start, a full stop, question or exclamation mark at the end) of prose, with at least
    ``MIN_PROSE_WORDS`` words."""
    stripped = " ".join(text.split())
    if not _SENTENCE_START.match(stripped) or not _SENTENCE_END.search(stripped):
        return False
    if len(re.findall(r"[^\W\d_]{2,}", stripped)) < MIN_PROSE_WORDS:
        return False
    return not _CODE_LINE.match(stripped) and _reads_as_prose(stripped)


def _reads_as_prose(text: str) -> bool:
    """Few code or math characters, few numbers, mostly letters, not a reference entry. Counted
    with string methods at C speed (``stats`` asks it of every sentence of the corpus)."""
    words = text.split()
    characters = "".join(words)  # the characters that are not white space
    if not characters:
        return False
    if len(characters) - len(characters.translate(_WITHOUT_CODE_CHARACTERS)) > MAX_CODE_CHARACTER_SHARE * len(characters):
        return False
    numbers = sum(map(bool, map(_NUMBER.match, words)))
    if numbers > MAX_NUMBER_SHARE * len(words):
        return False
    letters = sum(map(str.isalpha, characters))
    if letters < 0.6 * len(characters):
        return False
    return not (len(text) < 600 and is_reference_line(text) and _looks_like_citation(text))


def _looks_like_citation(text: str) -> bool:
    """A reference entry rather than a sentence that mentions a year and an author."""
    return bool(re.search(r"\[(?:Google Scholar|PubMed|DOI|CrossRef)\]|\bdoi\b|10\.\d{4,}/|\b\d+\s*\(\d+\)\s*[:,]\s*\d+|;\s*\d+\s*[:(]", text))

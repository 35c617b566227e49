"""Words broken across a line end by a hyphen: joined back, unless the document writes them
with a hyphen.

Typesetting breaks words at line ends ("manip-" / "ulation"); web and Word text rarely does,
but text copied out of PDFs keeps the breaks. A broken word whose second part starts in lower
case is joined when the document writes the joined word elsewhere; otherwise it keeps its
hyphen when the document writes it with one elsewhere (``non-commercial``) or its first part
is a prefix English writes with a hyphen (``self-report``, ``well-being``); anything else is
joined (``manip-``/``ulation``)::

    join_line_end_hyphens("peer sup-\\nport is support")     # ('peer support is support', 1, 0)
    join_line_end_hyphens("self-\\nhelp and self-help")     # ('self-help and self-help', 0, 1)
"""

from __future__ import annotations

import re
from collections import Counter

#: Prefixes whose compounds English writes with a hyphen.
HYPHENATED_PREFIXES = frozenset("self ex all cross well half quasi non peer user service".split())
_WORD = re.compile(r"[^\W\d_]+(?:[-‐][^\W\d_]+)*")
_LINE_END_HYPHEN = re.compile(r"([^\W\d_]+)[-‐\u00ad]\n[ \t]*([a-z][^\W\d_]*)")


def word_counts(text: str) -> Counter:
    """Case-folded words (hyphenated ones whole) of ``text``, for ``resolve``."""
    return Counter(_WORD.findall(text.casefold()))


def resolve(head: str, tail: str, vocabulary: Counter) -> tuple[str, bool]:
    """The word ``head``-``tail`` broken at a line end, and whether it was joined.

    >>> resolve("manip", "ulation", Counter())
    ('manipulation', True)
    >>> resolve("non", "commercial", Counter({"non-commercial": 2}))
    ('non-commercial', False)
    >>> resolve("self", "report", Counter())
    ('self-report', False)
    """
    joined, hyphenated = (head + tail).casefold(), f"{head}-{tail}".casefold()
    if tail[:1].isupper():
        return f"{head}-{tail}", False
    if vocabulary[joined]:
        return head + tail, True
    if vocabulary[hyphenated] or head.casefold() in HYPHENATED_PREFIXES:
        return f"{head}-{tail}", False
    return head + tail, True


def join_line_end_hyphens(text: str) -> tuple[str, int, int]:
    """``text`` with words broken at line ends joined (or kept whole with their hyphen), and
    how many were joined and kept."""
    if "-\n" not in text and "‐\n" not in text and "\u00ad\n" not in text:
        return text, 0, 0  # no hyphen ends a line (most text): nothing to count or replace
    vocabulary: list[Counter] = []  # the document's words, counted when a break is found
    counts = [0, 0]

    def replace(match: re.Match) -> str:
        if not vocabulary:
            vocabulary.append(word_counts(text))
        word, joined = resolve(match.group(1), match.group(2), vocabulary[0])
        counts[0 if joined else 1] += 1
        return word

    return _LINE_END_HYPHEN.sub(replace, text), counts[0], counts[1]

"""Checks that flag documents which were read badly, for the ``info`` quality report.

Each check returns one-line warnings a researcher can act on::

    text_warnings("Peer support\\nwork is\\nhard to\\n...", n_words=4)
    # ['near-empty: only 4 word tokens']
"""

from __future__ import annotations

from .cleaning import count_hyphen_breaks

NEAR_EMPTY_WORDS = 20
MIN_LINES_FOR_LAYOUT_CHECK = 20


def text_warnings(text: str, n_words: int, *, hyphens_joined: bool = False, layout_rebuilt: bool = False) -> list[str]:
    """Warnings about one document's text after cleaning; ``layout_rebuilt``: the PDF reader
    rebuilt its paragraphs (its remaining line breaks are code or tables, not wrapping)."""
    warnings = []
    if n_words == 0:
        warnings.append("empty: no word tokens after reading and cleaning")
    elif n_words < NEAR_EMPTY_WORDS:
        warnings.append(f"near-empty: only {n_words} word tokens")
    fragments = None if layout_rebuilt else _wrapped_fragment_share(text)
    if fragments is not None:
        warnings.append(
            f"hard-wrapped like PDF layout text: {fragments:.0%} of lines break mid-sentence; "
            "columns may be interleaved (check KWIC lines before trusting phrases)"
        )
    if not hyphens_joined:
        breaks = count_hyphen_breaks(text)
        if breaks >= 3:
            warnings.append(
                f"{breaks} words hyphenated across line breaks (cleaning.join_hyphenated: true joins them)"
            )
    return warnings


def _wrapped_fragment_share(text: str) -> float | None:
    """Share of lines that break mid-sentence and continue in lower case on the next line.

    Prose exported from the web has one paragraph a line; PDF extraction wraps lines at
    the column width, and two-column layouts then interleave. Returns ``None`` when the
    share is unremarkable.
    """
    lines = text.split("\n")
    non_empty = sum(1 for line in lines if line.strip())
    if non_empty < MIN_LINES_FOR_LAYOUT_CHECK:
        return None
    wrapped = 0
    for line, following in zip(lines, lines[1:]):
        line, following = line.strip(), following.strip()
        if line and following and line[-1] not in ".!?:;\"”’)" and following[0].islower():
            wrapped += 1
    share = wrapped / non_empty
    return share if share >= 0.25 else None

"""Opt-in cleaning of a document's text (drop lines, cut from a heading, join hyphenation).

Nothing is removed unless the config asks; every removal is counted for ``info``::

    text, report = clean_text("Intro\\nReferences\\n1. Smith", CleaningSettings(cut_from=("^References$",)))
    text      # 'Intro\\n'
    report    # {'lines_dropped': 0, 'chars_cut': 19, 'cut_at': 'References', 'hyphens_joined': 0}
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..config import CleaningSettings
from ..patterns import Budget, compile_pattern

# A word broken across a line end by a hyphen: "sup-\nport" → "support". Only lower-case
# continuations, so "peer-\nLed" style compounds and list dashes are left alone.
_HYPHEN_BREAK = re.compile(r"(?<=[^\W\d_])[-‐]\n[ \t]*(?=[a-z])")


@lru_cache(maxsize=32)
def _compiled(patterns: tuple[str, ...]):
    """The patterns as one alternation, compiled by the ``regex`` module (run with a budget)."""

    return compile_pattern("|".join(f"(?:{p})" for p in patterns)) if patterns else None


def clean_text(text: str, settings: CleaningSettings) -> tuple[str, dict[str, object]]:
    """Apply ``settings`` to ``text``; return the cleaned text and what was removed."""
    report: dict[str, object] = {"lines_dropped": 0, "chars_cut": 0, "cut_at": None, "hyphens_joined": 0}
    if not settings.active:
        return text, report

    cut = _compiled(settings.cut_from)
    drop = _compiled(settings.drop_lines)
    budget = Budget("cleaning.cut_from / drop_lines")
    kept: list[str] = []
    lines = text.split("\n")
    for index, line in enumerate(lines):
        stripped = line.strip()
        if cut is not None and stripped and budget.search(cut, stripped):
            rest = "\n".join(lines[index:])
            report["chars_cut"] = len(rest)
            report["cut_at"] = stripped[:60]
            break
        if drop is not None and stripped and budget.search(drop, stripped):
            report["lines_dropped"] = int(report["lines_dropped"]) + 1
            continue
        kept.append(line)
    text = "\n".join(kept)
    if settings.join_hyphenated:
        text, joined = _HYPHEN_BREAK.subn("", text)
        report["hyphens_joined"] = joined
    return text, report


def count_hyphen_breaks(text: str) -> int:
    """How many words are hyphenated across a line break (for the quality report)."""
    return len(_HYPHEN_BREAK.findall(text))

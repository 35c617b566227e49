"""Markdown as the text a reader sees: markup left out, paragraphs kept.

Headings lose their ``#``, emphasis and code their markers, links and images keep their text
(a URL is not words); reference definitions, HTML comments, rules and fences go::

    strip_markdown("# Day one\\nThe **lighthouse**, [seen](https://example.com) at dusk.")
    # 'Day one\\n\\nThe lighthouse, seen at dusk.'
"""

from __future__ import annotations

import re

_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*\S+.*$")
_RULE = re.compile(r"^\s{0,3}(?:([-*_=])\s*(?:\1\s*){2,}|=+)$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)+\|?\s*$")
_HEADING = re.compile(r"^\s{0,3}#{1,6}(?:\s+|$)(.*?)(?:\s+#+)?\s*$")
_PREFIX = re.compile(r"^(\s*>\s?)*\s*(?:[-*+]|\d{1,9}[.)])\s+(?:\[[ xX]\]\s+)?|^(\s*>\s?)+")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\[[^\]]*\])")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_CODE = re.compile(r"(`+)(.+?)\1")
_EMPHASIS = re.compile(r"(?<![\\\w])(\*{1,3}|_{1,3}|~~)(?=\S)(.+?)(?<=[^\s\\])\1(?!\w)")
_STARS = re.compile(r"(?<!\\)(\*{1,3})(?=\S)(.+?)(?<=[^\s\\])\1")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|~>])")


def strip_markdown(text: str) -> str:
    """``text`` without Markdown syntax; one line in per line out, but for a blank line
    after each heading, so blocks stay paragraphs.

    >>> strip_markdown("| a | b |\\n|---|---|\\n| 1 | 2 |")
    'a | b\\n\\n1 | 2'
    """
    lines: list[str] = []
    in_fence = False
    for line in _COMMENT.sub("", text).split("\n"):
        if _FENCE.match(line):
            in_fence = not in_fence
            lines.append("")
        elif in_fence:
            lines.append(line)
        elif _REFERENCE.match(line) or _RULE.match(line) or _TABLE_RULE.match(line):
            lines.append("")
        elif heading := _HEADING.match(line):
            lines += (_inline(heading.group(1)), "")
        else:
            lines.append(_inline(_table_row(_PREFIX.sub("", line))))
    return "\n".join(lines)


def _table_row(line: str) -> str:
    """``| a | b |`` → ``a | b`` (cells joined as in .docx tables)."""
    stripped = line.strip()
    if stripped.startswith("|") and stripped.endswith("|") and len(stripped) > 1:
        return " | ".join(cell.strip() for cell in stripped[1:-1].split("|"))
    return line


def _inline(line: str) -> str:
    line = _IMAGE.sub(r"\1", line)
    line = _LINK.sub(r"\1", line)
    line = _AUTOLINK.sub(r"\1", line)
    line = _CODE.sub(lambda m: m.group(2).strip(), line)
    for _ in range(3):  # "**bold _nested_**": the outer markers first, then the inner
        line = _STARS.sub(r"\2", _EMPHASIS.sub(r"\2", line))  # stars also inside words: "**peer**-led"
    return _ESCAPE.sub(r"\1", line)

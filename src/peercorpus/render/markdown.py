"""Text that Markdown shows exactly as written: the one escaping function of every Markdown
writer (tables, concordances, ``report.md`` titles, headings and notes).

    markdown_text("<b>peer|led</b> & *ism")     # '&lt;b&gt;peer\\|led&lt;/b&gt; &amp; \\*ism'
"""

from __future__ import annotations

import html
import re

# Backslash first, so the backslashes added for the others are not escaped again.
_MARKUP = "\\`*[]#|"
# "_" between two letters or digits never starts emphasis (CommonMark), so per_million stays as is.
_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")


def markdown_text(text: str) -> str:
    """``text`` on one line with ``&``, ``<`` and ``>`` as HTML entities (so no corpus text
    becomes HTML) and Markdown's markup characters, ``|`` included, backslash-escaped (``_``
    only where it could start or end emphasis)."""
    text = html.escape(str(text), quote=False)
    for character in _MARKUP:
        text = text.replace(character, "\\" + character)
    text = _UNDERSCORE.sub(r"\\_", text)
    return text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")

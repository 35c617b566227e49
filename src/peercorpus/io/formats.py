"""One reader per document format: plain text, Markdown and Word (HTML: ``html.py``, PDF: ``pdf.py``).

Each takes the file's path and returns ``(text, encoding, metadata, warnings)`` (or a
``Read``, which adds what the reader left out); a file it cannot read raises ``UnreadableFile``::

    text, encoding, metadata, warnings = read_markdown(Path("notes.md"))
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, NamedTuple

from ..errors import UnreadableFile
from .base import metadata_value
from .text import decode, read_bytes

Result = tuple[str, str, dict[str, Any], list[str]]


class Read(NamedTuple):
    """A reader's result; ``removed`` is what it left out of the text, for ``info``'s
    ``cleaned`` column (``"page boilerplate: menu, footer (120 chars)"``)."""

    text: str
    encoding: str
    metadata: dict[str, Any]
    warnings: list[str]
    removed: str = ""

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)---[ \t]*(?:\n|\Z)", re.DOTALL)


def read_plain(path: Path) -> Result:
    text, encoding, warnings = decode(read_bytes(path))
    return text, encoding, {}, warnings


def read_markdown(path: Path) -> Result:
    """Markdown without its markup (``strip_markdown``); a YAML front matter mapping becomes
    metadata (lists joined with ``"; "``, booleans ``"true"``/``"false"`` as in a CSV)."""
    import yaml

    from .markdown import strip_markdown

    text, encoding, warnings = decode(read_bytes(path))
    metadata: dict[str, Any] = {}
    match = _FRONT_MATTER.match(text)
    if match:
        try:
            loaded = yaml.safe_load(match.group(1))
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            line = f" (line {mark.line + 2})" if mark else ""
            warnings.append(f"front matter is not valid YAML{line}; kept as text")
        else:
            if isinstance(loaded, dict):
                metadata = {str(k): metadata_value(v) for k, v in loaded.items() if v is not None}
                text = text[match.end() :]
            elif loaded is not None:
                warnings.append(f"front matter is a YAML {_yaml_kind(loaded)}, not a mapping of fields; kept as text")
    return strip_markdown(text), encoding, metadata, warnings


def _yaml_kind(value: Any) -> str:
    return "list" if isinstance(value, list) else "single value"


def read_docx(path: Path) -> Result:
    """Body paragraphs and table rows (cells joined by `` | ``) of a Word document, in document
    order and separated by blank lines; headers and footers are left out."""
    import zipfile

    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    try:
        document = Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise UnreadableFile(f"corrupt Word file ({type(error).__name__})") from None
    blocks = []
    for item in document.iter_inner_content():  # body paragraphs and tables in document order
        if isinstance(item, Table):
            blocks += (" | ".join(cell.text.strip() for cell in row.cells) for row in item.rows)
        else:
            blocks.append(item.text.strip())
    metadata = {}
    properties = document.core_properties
    if properties.title:
        metadata["title"] = properties.title
    if properties.author:
        metadata["author"] = properties.author
    return "\n\n".join(b for b in blocks if b), "docx", metadata, []

"""One reader per document format: plain text, Markdown and Word (HTML: ``html.py``, PDF: ``pdf.py``).

Each takes the file's path and returns ``(text, encoding, metadata, warnings)`` (or a
``Read``, which adds what the reader left out); a file it cannot read raises ``UnreadableFile``::

    text, encoding, metadata, warnings = read_markdown(Path("notes.md"))
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, NamedTuple

from ..errors import ConfigError, UnreadableFile
from ..yamlio import parse_yaml
from .base import metadata_value
from .markdown import strip_markdown
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

    text, encoding, warnings = decode(read_bytes(path))
    metadata: dict[str, Any] = {}
    match = _FRONT_MATTER.match(text)
    if match:
        try:
            loaded, _ = parse_yaml(match.group(1), "front matter")
        except ConfigError as error:
            warnings.append(f"{_front_matter_problem(str(error))}; kept as text")
        else:
            if isinstance(loaded, dict):
                metadata = {str(k): metadata_value(v) for k, v in loaded.items() if v is not None}
                text = text[match.end() :]
            elif loaded is not None:
                warnings.append(f"front matter is a YAML {_yaml_kind(loaded)}, not a mapping of fields; kept as text")
    return strip_markdown(text), encoding, metadata, warnings


def _front_matter_problem(message: str) -> str:
    """``front matter line 3: key 'x' given twice`` with the file's line numbers (the front
    matter starts on the file's second line).

    >>> _front_matter_problem("front matter line 2: invalid YAML: x")
    'front matter is not valid YAML (line 3): x'
    """
    match = re.match(r"front matter(?: line (\d+))?: (.*)", message)
    if not match:
        return message
    line = f" (line {int(match.group(1)) + 1})" if match.group(1) else ""
    problem = match.group(2)
    if problem.startswith("invalid YAML: "):
        return f"front matter is not valid YAML{line}: {problem[len('invalid YAML: '):]}"
    return f"front matter{line}: {problem}"


def _yaml_kind(value: Any) -> str:
    return "list" if isinstance(value, list) else "single value"


# A Word file is a zip; python-docx unpacks every part into memory. A part that unpacks to more
# than this, at more than ZIP_RATIO times its packed size, or parts above ZIP_TOTAL in all, are
# refused before anything is unpacked (a "zip bomb": 1 MB of file, gigabytes of XML).
ZIP_PART = 100 << 20
ZIP_RATIO = 20
ZIP_TOTAL = 500 << 20


def check_zip_expansion(path: Path) -> None:
    """``UnreadableFile`` when the zip at ``path`` would unpack past the limits above, judged
    from the sizes its directory declares (zipfile never unpacks more than a part declares)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise UnreadableFile(f"corrupt Word file ({type(error).__name__})") from None
    total = sum(part.file_size for part in parts)
    for part in parts:
        if part.file_size > ZIP_PART and part.file_size > ZIP_RATIO * max(part.compress_size, 1):
            raise UnreadableFile(
                f"{part.filename} expands to {part.file_size >> 20:,} MB from {max(part.compress_size >> 10, 1):,} KB (a zip bomb?); not read"
            )
    if total > ZIP_TOTAL:
        raise UnreadableFile(f"expands to {total >> 20:,} MB when unpacked (more than {ZIP_TOTAL >> 20} MB); not read")


def read_docx(path: Path) -> Result:
    """Body paragraphs and table rows (cells joined by `` | ``) of a Word document, in document
    order and separated by blank lines; headers and footers are left out."""
    import zipfile

    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    check_zip_expansion(path)
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

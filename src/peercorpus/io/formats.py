"""One reader per document format: plain text, Markdown, HTML, PDF and Word.

Each takes the file's path and returns ``(text, encoding, metadata, warnings)``;
a file it cannot read raises ``UnreadableFile``::

    text, encoding, metadata, warnings = read_markdown(Path("notes.md"))
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from ..errors import UnreadableFile
from .text import decode, read_bytes

Result = tuple[str, str, dict[str, Any], list[str]]

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)---[ \t]*(?:\n|\Z)", re.DOTALL)


def read_plain(path: Path) -> Result:
    text, encoding, warnings = decode(read_bytes(path))
    return text, encoding, {}, warnings


def read_markdown(path: Path) -> Result:
    """Markdown as written; a YAML front matter block becomes metadata."""
    import yaml

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
                metadata = {str(k): _plain(v) for k, v in loaded.items() if v is not None}
                text = text[match.end() :]
    return text, encoding, metadata, warnings


def _plain(value: Any) -> Any:
    return value if isinstance(value, (str, int, float, bool)) else str(value)


_DROP_TAGS = ("script", "style", "nav", "header", "footer", "aside", "form", "noscript", "svg", "template", "iframe", "button")
_BLOCK_TAGS = ("p", "div", "section", "article", "main", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr", "td", "th", "dd", "dt", "figcaption", "br")


def read_html(path: Path) -> Result:
    """The main text of a web page: <main>/<article> if present, without scripts or navigation."""
    from bs4 import BeautifulSoup

    raw, encoding, warnings = decode(read_bytes(path))
    soup = BeautifulSoup(raw, "lxml")
    metadata: dict[str, Any] = {}
    if soup.title and soup.title.get_text(strip=True):
        metadata["title"] = soup.title.get_text(" ", strip=True)
    for tag in soup(_DROP_TAGS):
        tag.decompose()
    body = soup.find("main") or soup.find("article") or soup.body or soup
    for tag in body.find_all(_BLOCK_TAGS):
        tag.insert_before("\n\n")
        tag.insert_after("\n\n")
    blocks = [" ".join(block.split()) for block in body.get_text().split("\n\n")]
    text = "\n\n".join(block for block in blocks if block)
    return text, encoding, metadata, warnings


def read_pdf(path: Path) -> Result:
    """Text of every page (pypdf), pages separated by blank lines."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            try:
                reader.decrypt("")
            except Exception:
                raise UnreadableFile("PDF is encrypted") from None
        pages = [page.extract_text() or "" for page in reader.pages]
    except UnreadableFile:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as error:
        raise UnreadableFile(f"corrupt PDF ({type(error).__name__}: {str(error)[:80]})") from None
    empty = sum(1 for page in pages if not page.strip())
    if not pages or empty == len(pages):
        raise UnreadableFile("PDF has no extractable text (scanned images?)")
    warnings = [f"{empty} of {len(pages)} PDF pages have no extractable text (scanned?)"] if empty else []
    metadata: dict[str, Any] = {}
    info = reader.metadata
    if info is not None and info.title:
        metadata["title"] = str(info.title)
    text = "\n\n".join(page.strip("\n") for page in pages if page.strip())
    return text, "pdf", metadata, warnings


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

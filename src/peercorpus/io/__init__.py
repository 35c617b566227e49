"""Readers at the edge of the pipeline: files in, ``RawDocument`` out (see ``base.py``).

    documents = read_file(Path("corpora/peer-support/blog.txt"), Path("corpora"), ReadOptions())
"""

from __future__ import annotations

from pathlib import Path

from ..errors import UnreadableFile
from .base import RawDocument, ReadOptions, relative_name
from .formats import Read, read_docx, read_markdown, read_plain
from .html import read_html
from .pdf import read_pdf
from .tabular import read_rows

_READERS = {
    ".txt": read_plain,
    ".md": read_markdown,
    ".markdown": read_markdown,
    ".html": read_html,
    ".htm": read_html,
    ".pdf": read_pdf,
    ".docx": read_docx,
}


def read_file(path: Path, root: Path, options: ReadOptions, *, layout: bool = True) -> list[RawDocument]:
    """The documents in one file (one, or one per row for .csv/.tsv/.jsonl); ``layout=False``
    keeps a PDF's text as extracted (no paragraphs rebuilt, no headers or footers removed). A
    document with more text than ``options.max_document_mb`` is skipped (``UnreadableFile``;
    a row: a warning)."""

    relative = relative_name(path, root)
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv", ".jsonl"):
        return read_rows(path, relative, options)
    limit = options.max_document_mb << 20
    if suffix in (".txt", ".md", ".markdown") and _size(path) > 4 * limit:  # not even read: 4 bytes a character at most
        raise UnreadableFile(too_long(_size(path), options))
    read = read_pdf(path, layout=layout) if suffix == ".pdf" else Read(*_READERS[suffix](path))
    if len(read.text) > limit:
        raise UnreadableFile(too_long(len(read.text), options))
    return [RawDocument(relative, path, read.text, read.encoding, read.metadata, read.warnings, read.removed)]


def too_long(size: int, options: ReadOptions) -> str:
    return (
        f"{size / (1 << 20):,.0f} MB of text, more than read.max_document_mb ({options.max_document_mb}); "
        "raise it to read this file (tokenising takes about 40× the text in memory)"
    )


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


__all__ = ["RawDocument", "ReadOptions", "read_file"]

"""Readers at the edge of the pipeline: files in, ``RawDocument`` out (see ``base.py``).

    documents = read_file(Path("corpora/peer-support/blog.txt"), Path("corpora"), ReadOptions())
"""

from __future__ import annotations

from pathlib import Path

from .base import RawDocument, ReadOptions
from .formats import Read, read_docx, read_markdown, read_pdf, read_plain
from .html import read_html
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


def read_file(path: Path, root: Path, options: ReadOptions) -> list[RawDocument]:
    """The documents in one file (one, or one per row for .csv/.tsv/.jsonl)."""
    relative = path.relative_to(root).as_posix() if path != root else path.name
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv", ".jsonl"):
        return read_rows(path, relative, options)
    read = Read(*_READERS[suffix](path))
    return [RawDocument(relative, path, read.text, read.encoding, read.metadata, read.warnings, read.removed)]


__all__ = ["RawDocument", "ReadOptions", "read_file"]

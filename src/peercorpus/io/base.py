"""What every reader returns: ``RawDocument`` and the options readers share.

A reader turns one file into zero or more documents (tabular files give one per row)::

    docs = read_file(Path("corpora/peer-support/blog.txt"), root=Path("corpora"),
                     options=ReadOptions())
    docs[0].doc_id   # "peer-support/blog.txt"
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAX_DOCUMENT_MB = 20


def relative_name(path: Path, root: Path) -> str:
    """``path`` under ``root`` as a POSIX path (its name when it is ``root``): a document id's
    file part. ``path.relative_to(root).as_posix()``, without pathlib's parsing when the strings
    show it (a tenth of a millisecond a file, twice a file at ingest).

    >>> relative_name(Path("corpora/peer/a.txt"), Path("corpora")), relative_name(Path("a.txt"), Path("a.txt"))
    ('peer/a.txt', 'a.txt')
    """
    if os.sep == "/":  # a POSIX path is its string (pathlib's equality compares parsed parts)
        whole, folder = str(path), str(root)
        if whole == folder:
            return path.name
        if folder not in ("/", ".") and whole.startswith(folder) and whole[len(folder) : len(folder) + 1] == "/":
            return whole[len(folder) + 1 :]
    if path == root:
        return path.name
    return path.relative_to(root).as_posix()


@dataclass(frozen=True)
class ReadOptions:
    """Reader settings (the ``read:`` section of a config).

    text_column: column holding the text in .csv/.tsv/.jsonl files.
    id_column: column whose value names each row's document (default: the row number).
    follow_links: also read files and folders that links lead to outside the corpus folder.
    max_document_mb: a document with more text than this (in MB) is skipped with a warning:
        tokenising takes about 40 times a document's size in memory, so this bounds a cold
        ingest's memory whatever one file holds.
    """

    text_column: str = "text"
    id_column: str | None = None
    follow_links: bool = False
    max_document_mb: int = MAX_DOCUMENT_MB


@dataclass
class RawDocument:
    """One document as read from disk, before cleaning and tokenising.

    ``text`` is NFC-normalised; ``metadata`` holds fields found in the file itself
    (Markdown front matter, tabular columns); ``warnings`` are one-line notes on what
    looks wrong (encoding fallback, pages without text, ...), shown by ``info``; ``removed``
    says what the reader itself left out (HTML page boilerplate), for ``info``'s ``cleaned``.
    """

    doc_id: str
    path: Path
    text: str
    encoding: str
    metadata: dict[str, object] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    removed: str = ""


def metadata_value(value: Any) -> Any:
    """A metadata value as every reader gives it: text or a number. Whole-number text becomes
    a number (CSV cells are text), booleans ``true``/``false`` (as a CSV cell shows them),
    lists ``a; b``, mappings JSON text.

    >>> [metadata_value(v) for v in (" 2021 ", ["sea", "light"], False, 3.5, {"a": 1})]
    [2021, 'sea; light', 'false', 3.5, '{"a": 1}']
    """
    if isinstance(value, str):
        value = value.strip()
        return int(value) if value.lstrip("-").isdigit() and len(value) < 19 else value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (set, frozenset)):  # YAML's !!set: sorted, so the join is the same every run
        value = sorted(value, key=str)
    if isinstance(value, (list, tuple)):
        return "; ".join(str(metadata_value(item)) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, default=str, ensure_ascii=False)
    return value if isinstance(value, (int, float)) else str(value)

"""Metadata sidecars: ``metadata.csv``/``.tsv``/``.yaml`` with a ``file`` column add fields to documents.

    read_sidecar(Path("corpora/peer-support/metadata.csv"))
    # {'just-mad-enough-mia-article.txt': {'title': '...', 'genre': 'news', ...}, ...}

Empty cells are missing values; whole numbers become ``int`` so ``year>=2020`` compares numbers.
Like a malformed row, a second row for the same file is an error: which of two descriptions
is right is for the researcher to say, and a silent choice would mislabel a document.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from ..errors import InputError, UnreadableFile
from ..yamlio import parse_yaml
from .base import metadata_value
from .text import decode, read_bytes


def read_sidecar(path: Path) -> dict[str, dict[str, Any]]:
    try:
        text, _, _ = decode(read_bytes(path))
    except UnreadableFile as problem:
        raise InputError(f"{path}: {problem.reason}") from None
    if path.suffix.lower() in (".yaml", ".yml"):
        return _yaml_sidecar(text, path)
    return _delimited_sidecar(text, path)


def _delimited_sidecar(text: str, path: Path) -> dict[str, dict[str, Any]]:
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
    except (StopIteration, csv.Error):
        raise InputError(f"{path}: no header row") from None
    if "file" not in header:
        raise InputError(f"{path}: no 'file' column; columns are: {', '.join(header)}")
    fields: dict[str, dict[str, Any]] = {}
    lines: dict[str, int] = {}  # where each file's row is, to name both lines of a duplicate
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                raise InputError(
                    f"{path} line {reader.line_num}: {len(cells)} cells but the header has {len(header)} columns"
                )
            row = dict(zip(header, cells))
            name = row.pop("file").strip()
            if name in lines:
                raise InputError(f"{path} line {reader.line_num}: {name} already has a row (line {lines[name]}); keep one")
            lines[name] = reader.line_num
            fields[name] = {k: metadata_value(v) for k, v in row.items() if v.strip()}
    except csv.Error as error:
        raise InputError(f"{path} line {reader.line_num}: {error}") from None
    return fields


def _yaml_sidecar(text: str, path: Path) -> dict[str, dict[str, Any]]:
    loaded, _ = parse_yaml(text, str(path))
    if isinstance(loaded, dict):
        items = [{"file": name, **(value or {})} for name, value in loaded.items()]
    elif isinstance(loaded, list):
        items = loaded
    else:
        raise InputError(f"{path}: expected a list of entries with 'file', or a mapping file → fields")
    fields: dict[str, dict[str, Any]] = {}
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict) or "file" not in item:
            raise InputError(f"{path}: entry {number} has no 'file'")
        if str(item["file"]) in fields:
            raise InputError(f"{path}: entry {number}: {item['file']} already has an entry; keep one")
        fields[str(item["file"])] = {str(k): metadata_value(v) for k, v in item.items() if k != "file" and v not in (None, "")}
    return fields

"""Tabular corpora: each row of a .csv, .tsv or .jsonl file is one document.

    docs = read_rows(Path("posts.csv"), "posts.csv", ReadOptions(text_column="body"))
    docs[0].doc_id      # 'posts.csv#1'  (or 'posts.csv#<id>' with id_column)
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from ..errors import UnreadableFile
from .base import RawDocument, ReadOptions
from .text import decode, read_bytes


def read_rows(path: Path, relative: str, options: ReadOptions) -> list[RawDocument]:
    text, encoding, warnings = decode(read_bytes(path))
    rows = _jsonl_rows(text) if path.suffix.lower() == ".jsonl" else _delimited_rows(text, path)
    documents = []
    empty = 0
    for number, row in rows:
        if options.text_column not in row:
            columns = ", ".join(row) or "(none)"
            raise UnreadableFile(
                f"no '{options.text_column}' column; columns are: {columns} (set read.text_column in the config)"
            )
        body = row.pop(options.text_column)
        if body is None or not str(body).strip():
            empty += 1
            continue
        name = row.get(options.id_column) if options.id_column else None
        metadata = {k: _value(v) for k, v in row.items() if v not in (None, "")}
        documents.append(
            RawDocument(f"{relative}#{name if name not in (None, '') else number}", path, str(body), encoding, metadata, list(warnings))
        )
    if empty and documents:
        documents[0].warnings.append(f"{empty} rows with an empty '{options.text_column}' skipped")
    if not documents:
        raise UnreadableFile(f"no rows with text in column '{options.text_column}'")
    return documents


def _value(value: Any) -> Any:
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return value if isinstance(value, (str, int, float, bool)) else json.dumps(value)


def _delimited_rows(text: str, path: Path):
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise UnreadableFile("no header row") from None
    except csv.Error as error:
        raise UnreadableFile(f"malformed {path.suffix} ({error})") from None
    try:
        for number, cells in enumerate(reader, start=1):
            if not any(cells):
                continue
            if len(cells) != len(header):
                raise UnreadableFile(
                    f"line {reader.line_num}: {len(cells)} cells but the header has {len(header)} columns"
                )
            yield number, dict(zip(header, cells))
    except csv.Error as error:
        raise UnreadableFile(f"line {reader.line_num}: {error}") from None


def _jsonl_rows(text: str):
    for line_number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise UnreadableFile(f"line {line_number} is not valid JSON ({error.msg})") from None
        if not isinstance(row, dict):
            raise UnreadableFile(f"line {line_number} is not a JSON object")
        yield line_number, row

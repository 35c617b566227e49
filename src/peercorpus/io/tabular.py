"""Tabular corpora: each row of a .csv, .tsv or .jsonl file is one document.

    docs = read_rows(Path("posts.csv"), "posts.csv", ReadOptions(text_column="body"))
    docs[0].doc_id      # 'posts.csv#1'  (or 'posts.csv#<id>' with id_column)
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from ..errors import UnreadableFile
from .base import RawDocument, ReadOptions, metadata_value
from .text import decode, read_bytes


def read_rows(path: Path, relative: str, options: ReadOptions) -> list[RawDocument]:
    """One document per row with text; a row that cannot be one (a .jsonl line that is not a
    JSON object with the text field, a .csv/.tsv row whose cells do not match the header) is
    skipped with a warning, and only a file without any usable row is unreadable."""
    text, encoding, warnings = decode(read_bytes(path))
    column = options.text_column
    jsonl = path.suffix.lower() == ".jsonl"
    rows = _jsonl_rows(text) if jsonl else _delimited_rows(text, path)
    problem = f"not a JSON object with a '{column}' field" if jsonl else "cells do not match the header"
    documents = []
    empty: list[int] = []
    too_long: list[int] = []
    bad_lines: list[int] = []
    fields_seen: list[str] | None = None  # of the first row without the text column, for the error
    for number, row, line in rows:
        if row is None or column not in row:
            if row is not None and fields_seen is None:
                fields_seen = list(row)
            bad_lines.append(line)
            continue
        body = row.pop(column)
        if body is None or not str(body).strip():
            empty.append(line)
            continue
        if len(str(body)) > options.max_document_mb << 20:
            too_long.append(line)
            continue
        name = row.get(options.id_column) if options.id_column else None
        try:
            metadata = {k: metadata_value(v) for k, v in row.items() if v not in (None, "")}
        except (RecursionError, ValueError):  # a value nested too deep to write as text
            bad_lines.append(line)
            continue
        documents.append(
            RawDocument(f"{relative}#{name if name not in (None, '') else number}", path, str(body), encoding, metadata, list(warnings))
        )
    if not documents:
        if empty and not bad_lines and fields_seen is None:
            raise UnreadableFile(f"no rows with text in column '{column}' ({_line_list(empty)} empty)")
        raise UnreadableFile(_no_rows(column, fields_seen, bad_lines, problem))
    if bad_lines:
        documents[0].warnings.append(f"skipped {_line_list(bad_lines)} ({problem})")
    if empty:
        documents[0].warnings.append(f"skipped {_line_list(empty)} (empty '{column}')")
    if too_long:
        documents[0].warnings.append(f"skipped {_line_list(too_long)} (more text than read.max_document_mb, {options.max_document_mb})")
    return documents


def _no_rows(column: str, fields_seen: list[str] | None, bad_lines: list[int], problem: str) -> str:
    """Why a file gave no document: the text column missing everywhere, or no usable line."""
    if fields_seen is not None:
        columns = ", ".join(fields_seen) or "(none)"
        return f"no '{column}' column; columns are: {columns} (set read.text_column in the config)"
    if bad_lines:
        return f"no usable rows: {_line_list(bad_lines)} {problem}"
    return f"no rows with text in column '{column}'"


def _line_list(numbers: list[int], shown: int = 5) -> str:
    """``line 2`` / ``lines 2, 5`` / ``lines 2, 5, 7, 9, 11 and 40 more``.

    >>> _line_list([2, 5])
    'lines 2, 5'
    """
    listed = ", ".join(str(n) for n in numbers[:shown])
    more = f" and {len(numbers) - shown} more" if len(numbers) > shown else ""
    return f"{'line' if len(numbers) == 1 else 'lines'} {listed}{more}"


def _delimited_rows(text: str, path: Path):
    """(row number, cells by column or ``None`` when their number is not the header's, line)
    per non-blank row; the line is where the row ends (a quoted cell may span lines)."""
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    # A cell may be as long as the file (an article in one cell): csv's default limit of
    # 131,072 characters would lose the whole file for one long article.
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
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
            yield number, dict(zip(header, cells)) if len(cells) == len(header) else None, reader.line_num
    except csv.Error as error:
        raise UnreadableFile(f"line {reader.line_num}: {error}") from None


def _jsonl_rows(text: str):
    """(line number, object, line number) per non-blank line; ``None`` for a line that is not
    a JSON object, or one Python cannot hold as text: an integer of thousands of digits,
    nesting deeper than the interpreter's stack, a lone surrogate (``"\\ud800"``)."""
    for line_number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except (ValueError, RecursionError):  # JSONDecodeError is a ValueError, as is a huge int
            row = None
        if row is not None and ("\\ud" in line or "\\uD" in line) and not _encodable(row):
            row = None
        yield line_number, row if isinstance(row, dict) else None, line_number


def _encodable(value) -> bool:
    """Whether ``value`` can be written as UTF-8 (no lone surrogate anywhere in it)."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except (UnicodeEncodeError, RecursionError, ValueError):
        return False
    return True

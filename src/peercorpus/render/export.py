"""Write any tidy table (a ``pandas.DataFrame``) or JSON payload to stdout or a file, atomically.

Every command's result goes through here, so every table exports the same way::

    write_table(frame, fmt="csv", output=Path("freq.csv"))
    write_json({"k": 5, "topics": [...]}, output=None)      # to stdout
"""

from __future__ import annotations

import html
import json
import math
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from ..durable import Publication, default_mode, special_target, sync
from ..errors import UsageError
from .cells import cell_text, format_column, json_safe
from .markdown import markdown_text
from .table import print_table

TABLE_FORMATS = ("table", "csv", "tsv", "json", "md", "html")
#: Rows of a table of every document (``write_table_parts``, ``info``) printed on the terminal: the
#: rest are counted and said, not drawn (rich lays a table out whole: 890,000 documents took 7.7
#: GB and six minutes); a file (``--format csv -o FILE``) holds them all.
TERMINAL_ROWS = 5000
#: Where the rows a terminal table leaves out are.
TERMINAL_REST = "--format csv -o FILE writes every row"
_SUFFIX_FORMATS = {".csv": "csv", ".tsv": "tsv", ".json": "json", ".md": "md", ".html": "html", ".htm": "html"}


def resolve_format(fmt: str | None, output: Path | None, allowed: tuple[str, ...] = TABLE_FORMATS) -> str:
    """The format to write: ``--format`` if given, else from ``--output``'s suffix, else table.

        resolve_format(None, Path("freq.tsv"))      # "tsv"
        resolve_format("csv", Path("freq.txt"))     # "csv": with --format any name will do
        resolve_format(None, Path("freq.yaml"))     # UsageError listing the known suffixes
    """
    if fmt is not None and fmt not in allowed:
        raise UsageError(f"--format must be one of {', '.join(allowed)}; got '{fmt}'")
    if output is None:
        return fmt or "table"
    if fmt is not None and fmt != "table":
        return fmt
    suffix = output.suffix.lower()
    known = [s for s, f in _SUFFIX_FORMATS.items() if f in allowed]
    if suffix not in known:
        raise UsageError(
            f"--output {output}: cannot tell the format from '{suffix or '(no suffix)'}'; "
            f"use a suffix {', '.join(known)} or give --format"
        )
    return _SUFFIX_FORMATS[suffix]


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, flush it to disk and rename it into place.

    The file gets the umask's mode (``mkstemp`` alone would leave it private, 0600), also
    when it replaces an existing file. A character device or FIFO (``-o /dev/null``, a named
    pipe) is written into, never replaced; a folder or another special file is refused.
    """
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if special_target(path):
        with open(path, "wb") as handle:  # in place: what '> /dev/null' or '> fifo' would do
            handle.write(payload)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(descriptor, default_mode())
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(payload)
            handle.flush()
            sync(handle.fileno())  # a power cut leaves the old file or the new one, whole
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class atomic_stream:
    """``atomic_write`` for text written piece by piece: ``with atomic_stream(path) as write:
    write("...")``; the file appears whole, under its name, when the block ends without an
    error (a ``Publication``; a device or FIFO is written in place; ``None`` writes to stdout)."""

    def __init__(self, path: Path | None):
        self.path = None if path is None else Path(path)

    def __enter__(self):
        self.publication = None
        if self.path is None:
            self.handle = None
        elif special_target(self.path):
            self.handle = open(self.path, "wb")
        else:
            self.publication = Publication(self.path)
            self.handle = self.publication.handle
        return self._write

    def _write(self, text: str) -> None:
        if self.handle is None:
            sys.stdout.write(text)
        else:
            self.handle.write(text.encode("utf-8"))

    def __exit__(self, kind, value, traceback):
        if self.publication is not None:
            self.publication.finish(done=kind is None)
        elif self.handle is None:
            sys.stdout.flush()
        else:
            self.handle.close()


def dumps_json(payload: Any) -> str:
    return json.dumps(json_safe(payload), ensure_ascii=False, indent=2) + "\n"


_HEAD_ONLY = object()


def json_member(name: str, value: Any = _HEAD_ONLY) -> str:
    """One member of a top-level JSON object as ``dumps_json`` indents it, to write an object a
    member at a time (``{\n``, members joined by ``,\n``, then ``\n}\n``); without ``value``,
    only its head, for a value written after it (a ``JsonListWriter`` at depth 1).

    >>> json_member("k", [1]), json_member("k")
    ('  "k": [\n    1\n  ]', '  "k": ')
    """
    head = "  " + json.dumps(str(name), ensure_ascii=False) + ": "
    if value is _HEAD_ONLY:
        return head
    return head + json.dumps(json_safe(value), ensure_ascii=False, indent=2).replace("\n", "\n  ")


def frame_records(frame) -> list[dict[str, Any]]:
    return [json_safe(record) for record in frame.to_dict(orient="records")]


class CsvOptions:
    """How CSV and TSV cells are written; ``safe`` is the root's ``--safe-csv``.

    ``safe``: a text cell starting with ``=``, ``+``, ``-``, ``@``, tab or CR gets a leading
    ``'`` so that a spreadsheet shows it instead of running it as a formula (OWASP's advice
    on CSV injection). Off by default: R, pandas and Python read cells exactly as written."""

    safe = False


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csvcell_text(value: Any) -> str:
    """One CSV/TSV cell as pandas writes it (``repr`` of a float, nothing for NaN, inf or None),
    booleans as ``true``/``false`` (R's and JSON's spelling), formula-like text neutralised
    under ``CsvOptions.safe``."""
    value = json_safe(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value)
    if CsvOptions.safe and text.startswith(_FORMULA_START):
        return "'" + text
    return text


def csv_lines(columns: list[str], rows, sep: str) -> str:
    """RFC 4180 lines ("\\n" line ends): a field is quoted when it holds the separator, a quote,
    a line feed or a carriage return (Python's csv module, and pandas, leave a lone CR
    unquoted, which spreadsheets and R then read as a line break)."""
    import csv
    import io

    if CsvOptions.safe:
        text_cells = [[csvcell_text(c) for c in row] for row in rows]
    else:  # the common cells (text, whole numbers) without a call each: kwic writes 50,000 lines
        text_cells = [[c if type(c) is str else str(c) if type(c) is int else csvcell_text(c) for c in row] for row in rows]
    header = [c if isinstance(c, str) else csvcell_text(c) for c in columns]
    buffer = io.StringIO()
    # The csv module (C) quotes the separator, quotes and line feeds; a CR is rare, and then
    # the rows are quoted here instead.
    writer = csv.writer(buffer, delimiter=sep, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(text_cells)
    text = buffer.getvalue()
    if "\r" not in text:
        return text

    def quote(cell: str) -> str:
        if sep in cell or '"' in cell or "\n" in cell or "\r" in cell:
            return '"' + cell.replace('"', '""') + '"'
        return cell

    def line(cells: list[str]) -> str:
        if len(cells) == 1 and cells[0] == "":
            return '""\n'  # as the csv module writes a row of one empty field
        return sep.join(map(quote, cells)) + "\n"

    return "".join([line(header), *map(line, text_cells)])


def frame_to_text(frame, fmt: str, *, title: str | None = None) -> str:
    """The table as CSV, TSV, JSON (a list of rows), Markdown or an HTML fragment."""
    if fmt in ("csv", "tsv"):
        # inf as an empty cell, as NaN is, and as JSON's null and Markdown's blank
        return csv_lines([str(c) for c in frame.columns], frame.itertuples(index=False), "," if fmt == "csv" else "\t")
    if fmt == "json":
        return dumps_json(frame_records(frame))
    if fmt == "md":
        return markdown_table(frame, title=title)
    if fmt == "html":
        return html_table(frame, title=title)
    raise UsageError(f"cannot write a table as {fmt}")


def plain_records(records: list[dict[str, Any]]) -> bool:
    """True when every cell is a ``str``, ``int``, ``bool``, ``None`` or finite ``float``: cells
    pandas writes exactly as ``records_to_text`` does (in object columns, and int columns
    without gaps)."""
    for record in records:
        for value in record.values():
            if value is None or type(value) in (str, int, bool):
                continue
            if type(value) is float and math.isfinite(value):
                continue
            return False
    return True


def records_to_text(records: list[dict[str, Any]], columns: list[str], fmt: str, *, title: str | None = None) -> str:
    """Rows of plain cells (see ``plain_records``) as CSV, TSV, JSON or Markdown, exactly as
    ``frame_to_text`` writes the same rows as a DataFrame (without importing pandas)."""
    if fmt == "json":
        return dumps_json([{c: record[c] for c in columns} for record in records])
    if fmt == "md":
        return _markdown_rows(columns, ([record[c] for c in columns] for record in records), title)
    return csv_lines(columns, ([record[c] for c in columns] for record in records), "," if fmt == "csv" else "\t")


class TableWriter:
    """Rows of plain cells written as csv, tsv or md a batch at a time through ``write``: byte
    for byte what ``records_to_text`` writes for all of them at once (one header)::

        with atomic_stream(path) as write:
            table = TableWriter(write, "csv", ["doc", "tokens"])
            for rows in batches: table.add(rows)
            table.close()
    """

    def __init__(self, write, fmt: str, columns: list[str], *, title: str | None = None):
        self.write, self.fmt, self.columns, self.title, self.count = write, fmt, columns, title, 0
        self.header = records_to_text([], columns, fmt, title=title)  # what an empty table is

    def add(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            text = records_to_text(rows, self.columns, self.fmt, title=self.title)
            self.write(text if self.count == 0 else text[len(self.header) :])
            self.count += len(rows)

    def close(self) -> None:
        if self.count == 0:
            self.write(self.header)


class JsonListWriter:
    """A JSON list written an item at a time through ``write``, as ``dumps_json`` indents it
    ``depth`` levels deep (0: the whole document; 1: a value of a top-level object)."""

    def __init__(self, write, depth: int = 0):
        self.write, self.count = write, 0
        self.indent = "\n" + "  " * (depth + 1)
        self.end = "\n" + "  " * depth + "]"

    def add(self, items: list[Any]) -> None:
        for item in items:
            text = json.dumps(json_safe(item), ensure_ascii=False, indent=2).replace("\n", self.indent)
            self.write(("[" if self.count == 0 else ",") + self.indent + text)
            self.count += 1

    def close(self) -> None:
        self.write(self.end if self.count else "[]")


def display_rows(frame) -> list[list[str]]:
    """The frame's cells as text for reading (Markdown, HTML): number columns in one format
    each (``format_column``), other cells as ``cells.cell_text`` writes them."""
    columns = []
    for name in frame.columns:
        values = frame[name].tolist()
        columns.append(format_column(values) if frame[name].dtype.kind in "iuf" else [cell_text(v) for v in values])
    return [list(row) for row in zip(*columns)] if columns else []


def markdown_table(frame, *, title: str | None = None) -> str:
    """A GitHub-flavoured Markdown table, every cell and the title escaped (``markdown_text``);
    each number column in one format (``format_column``)."""
    return _markdown_rows([str(c) for c in frame.columns], display_rows(frame), title)


def _markdown_rows(columns: list[str], rows, title: str | None) -> str:
    lines = [f"## {markdown_text(title)}\n"] if title else []
    lines.append("| " + " | ".join(markdown_text(c) for c in columns) + " |")
    lines.append("| " + " | ".join("---" for _ in columns) + " |")
    for row in rows:
        lines.append("| " + " | ".join(markdown_text(v if isinstance(v, str) else cell_text(v)) for v in row) + " |")
    return "\n".join(lines) + "\n"


def html_table(frame, *, title: str | None = None) -> str:
    """An HTML ``<table>`` with every cell escaped; number columns' cells have ``class="num"``
    (right-aligned, tabular figures in the report's style sheet)."""
    numeric = [frame[c].dtype.kind in "iuf" for c in frame.columns]
    attribute = [' class="num"' if n else "" for n in numeric]
    head = "".join(f"<th{a}>{html.escape(str(c))}</th>" for c, a in zip(frame.columns, attribute))
    rows = "".join(
        "<tr>" + "".join(f"<td{a}>{html.escape(v)}</td>" for v, a in zip(row, attribute)) + "</tr>\n"
        for row in display_rows(frame)
    )
    caption = f"<caption>{html.escape(title)}</caption>" if title else ""
    return f"<table>{caption}<thead><tr>{head}</tr></thead>\n<tbody>\n{rows}</tbody></table>\n"


def write_text(text: str, output: Path | None) -> None:
    """To ``output`` atomically, or to stdout."""
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        atomic_write(Path(output), text)


def write_table(frame, *, fmt: str, output: Path | None = None, title: str | None = None, console=None, optional: list[str] | None = None) -> None:
    """Write ``frame`` in ``fmt``; ``table`` prints a table that fits the terminal to stdout
    (``optional`` columns may be left out there, and are named when they are)."""
    if fmt == "table":
        print_table(frame, title=title, console=console, optional=optional)
        return
    write_text(frame_to_text(frame, fmt, title=title), output)


def write_table_parts(parts, columns: list[str], *, fmt: str, output: Path | None = None, title: str | None = None, console=None) -> int:
    """Write the table that ``parts`` (DataFrames with ``columns``, in order) make together, as
    ``write_table`` writes their concatenation: csv, tsv and json a part at a time, the bytes of
    the whole table, without holding it (a table of every document of a large corpus); the
    terminal, md and html, which format whole columns, join the parts first (the terminal its
    first ``TERMINAL_ROWS`` rows, the others counted). Returns the rows.

        write_table_parts(text_stats_parts(corpus), STATS_COLUMNS, fmt="csv", output=Path("stats.csv"))
    """
    import pandas as pd

    if fmt == "table":
        shown, total = [], 0
        for part in parts:
            if total < TERMINAL_ROWS:
                shown.append(part.head(TERMINAL_ROWS - total))
            total += len(part)
        frame = pd.concat(shown, ignore_index=True) if shown else pd.DataFrame([], columns=columns)
        print_table(frame, title=title, console=console, total=total, rest=TERMINAL_REST)
        return total
    if fmt not in ("csv", "tsv", "json"):
        frames = list(parts)
        frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame([], columns=columns)
        write_table(frame, fmt=fmt, output=output, title=title, console=console)
        return len(frame)
    with atomic_stream(output) as write:
        table = JsonListWriter(write) if fmt == "json" else TableWriter(write, fmt, columns, title=title)
        for part in parts:
            table.add(frame_records(part))
        table.close()
        if fmt == "json":
            write("\n")
    return table.count


def write_tables(tables: dict[str, Any], fmt: str, output: Path | None = None, *, titles: dict[str, str]) -> None:
    """Several tables as one text: a JSON object of record lists (``{"themes": [...], ...}``), or
    Markdown/HTML with a title above each table (``titles``)."""
    if fmt == "json":
        write_json({name: frame_records(frame) for name, frame in tables.items()}, output)
    else:
        write_text("\n".join(frame_to_text(frame, fmt, title=titles[name]) for name, frame in tables.items()), output)


def write_table_files(tables: dict[str, Any], folder: Path, fmt: str, *, prefix: str = "") -> list[str]:
    """One file per table in ``folder`` (``<prefix><name>.<fmt>``), each written atomically;
    the names written."""
    texts = {f"{prefix}{name}.{fmt}": frame_to_text(frame, fmt) for name, frame in tables.items()}
    for name, text in texts.items():
        atomic_write(folder / name, text)
    return list(texts)


def write_json(payload: Any, output: Path | None = None) -> None:
    write_text(dumps_json(payload), output)


def topic_weights_long(frame, id_columns: list[str]):
    """A wide table of ``topic_0 … topic_{k-1}`` columns in long (tidy) form: the
    ``id_columns``, then ``topic`` (the number) and ``weight``, one row per id and topic
    (ids in the table's order, topics ascending).

        topic_weights_long(model.documents, ["doc"])    # doc, topic, weight
    """
    import pandas as pd

    topics = [c for c in frame.columns if str(c).startswith("topic_") and str(c)[6:].isdigit()]
    long = frame[id_columns + topics].melt(id_vars=id_columns, value_vars=topics, var_name="topic", value_name="weight")
    long["topic"] = long["topic"].str[6:].astype(int)
    order = pd.Series(range(len(frame)), index=frame.index)
    long["_row"] = list(order) * len(topics)
    return long.sort_values(["_row", "topic"], kind="stable").drop(columns="_row").reset_index(drop=True)

"""Terminal tables that fit the terminal: numbers right-aligned, never wrapped, one format per
column; long text cut with "…"; a record view (one block per row) when even that cannot fit.

    print_table(frame, title="Documents")

The width is ``COLUMNS`` when set (also in a pipe), else the terminal's (stdout's, or
stderr's when stdout is piped, as in ``peercorpus info … | less``), else 200. Every cell is
shown literally: control characters (ESC sequences) are escaped as ``\\x1b``, rich markup
(``[red]``) and emoji codes (``:smile:``) are not interpreted.
"""

from __future__ import annotations

import os
import re
import sys
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .cells import cell_text, format_column, json_safe  # noqa: F401  (format_column: part of this module's API)

#: Widest a piped table gets when neither COLUMNS nor a terminal says.
PIPE_WIDTH = 200
#: Narrowest a text column is cut to before the table turns into records.
MIN_TEXT = 10
#: ... and the first column, which names the row (doc, term), before that.
MIN_NAME = 24

# C0, DEL, C1 controls and the bidirectional overrides that reorder what a terminal shows.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` safe to print: tab and newline become spaces, other control characters (ESC
    sequences, bidi overrides) their escaped spelling.

    >>> printable("a\\x1b[31mred\\tb")
    'a\\\\x1b[31mred b'
    """
    return _UNSAFE.sub(_escape_control, text)


def _escape_control(found: re.Match) -> str:
    char = found.group()
    if char in "\t\n\r":
        return " "
    code = ord(char)
    return f"\\x{code:02x}" if code < 256 else f"\\u{code:04x}"


def terminal_width(stream=None) -> int:
    """``COLUMNS`` if set, else the terminal's width (stdout's, then stderr's), else 200."""
    value = os.environ.get("COLUMNS", "")
    if value.strip().isdigit() and int(value) > 0:
        return int(value)
    for candidate in (stream or sys.stdout, sys.stderr):
        try:
            if candidate.isatty():
                return os.get_terminal_size(candidate.fileno()).columns
        except (AttributeError, OSError, ValueError):
            continue
    return PIPE_WIDTH


def stdout_console() -> Console:
    """The console results go to, as wide as ``terminal_width``; no emoji codes or number
    highlighting. Markup works in strings printed (escape corpus text: ``printable`` and
    ``rich.markup.escape``); tables print ``Text``, never read as markup."""
    return Console(soft_wrap=False, width=terminal_width(), emoji=False, highlight=False)


def print_table(frame, *, title: str | None = None, console: Console | None = None, max_rows: int | None = None, rest: str | None = None, optional: list[str] | None = None,
                total: int | None = None) -> None:
    """Print a DataFrame as a table that fits the console (all rows unless ``max_rows``;
    ``rest`` says where the rows left out are, default "use --output to export all").
    ``optional`` columns are left out (widest first, said below the table) before the
    table turns into records. ``total``: the rows of the whole table when ``frame`` is its
    first rows (the others said, as those past ``max_rows``)."""
    numeric = [frame[column].dtype.kind in "iuf" for column in frame.columns]
    shown = frame if max_rows is None else frame.head(max_rows)
    total = len(frame) if total is None else total
    max_rows = len(shown) if total > len(shown) else max_rows
    _print(list(frame.columns), numeric, list(shown.itertuples(index=False)), total, title=title, console=console, max_rows=max_rows, rest=rest, optional=optional)


def print_records(records: list[dict[str, Any]], columns: list[str], numeric: list[str], *, title: str | None = None, console: Console | None = None, optional: list[str] | None = None, footer: str | None = None,
                  total: int | None = None, rest: str | None = None) -> None:
    """``print_table`` for row dicts (no pandas): ``numeric`` columns are right-aligned;
    ``total`` and ``rest`` as there."""
    rows = [[record[c] for c in columns] for record in records]
    total = len(rows) if total is None else total
    max_rows = len(rows) if total > len(rows) else None
    _print(columns, [c in numeric for c in columns], rows, total, title=title, console=console, max_rows=max_rows, rest=rest, optional=optional, footer=footer)


def _print(columns, numeric, rows, total, *, title, console, max_rows, rest, optional=None, footer=None) -> None:
    from rich import box
    from rich.cells import cell_len

    console = console or stdout_console()
    headers = [printable(str(c)) for c in columns]
    cells_by_column = []
    for i, is_number in enumerate(numeric):
        values = [row[i] for row in rows]
        cells_by_column.append(format_column(values) if is_number else [printable(cell_text(v)) for v in values])
    natural = [max([cell_len(h), *map(cell_len, cells)]) for h, cells in zip(headers, cells_by_column)]
    # A number is never cut or wrapped (its header may wrap at "_" or a space); a text column
    # may be cut to MIN_TEXT (the first, naming column, to MIN_NAME).
    shortest_header = [max(map(cell_len, _header_pieces(h))) for h in headers]
    least = [
        max(shortest_header[i], max(map(cell_len, cells), default=0)) if is_number else min(n, max(MIN_NAME if i == 0 else MIN_TEXT, shortest_header[i]))
        for i, (n, cells, is_number) in enumerate(zip(natural, cells_by_column, numeric))
    ]
    keep = list(range(len(columns)))
    droppable = sorted((i for i, c in enumerate(columns) if c in (optional or ())), key=lambda i: (natural[i], i))
    dropped = []

    def room() -> int:
        return console.width - 2 * (len(keep) - 1)  # a space between columns, a space of padding

    while droppable and sum(least[i] for i in keep) > room():
        column = droppable.pop()
        keep.remove(column)
        dropped.append(column)
    headers, numeric = [headers[i] for i in keep], [numeric[i] for i in keep]
    cells_by_column, natural, least = [cells_by_column[i] for i in keep], [natural[i] for i in keep], [least[i] for i in keep]
    overflow = sum(least) - room()
    if overflow > 0 and not numeric[0] and least[0] > MIN_TEXT + 2:
        least[0] -= min(overflow, least[0] - (MIN_TEXT + 2))  # the naming column gives way before records
    if sum(least) > room():
        _print_record_view(headers, cells_by_column, len(rows), title=title, console=console)
    else:
        widths = _share(natural, least, room())
        if title:  # its own line, as wide as the terminal (a table's title wraps at the table's width)
            console.print(Text(printable(title)))
        table = Table(show_lines=False, header_style="bold", box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1, 0, 0))
        for header, is_number, width in zip(headers, numeric, widths):
            table.add_column(Text(_wrap_header(header, width)), justify="right" if is_number else "left", vertical="bottom", no_wrap=True, overflow="ellipsis", width=width)
        for r in range(len(rows)):
            table.add_row(*(Text(_cut(cells[r], width)) for cells, width in zip(cells_by_column, widths)))
        console.print(table)
    if max_rows is not None and total > max_rows:
        console.print(Text(f"… {total - max_rows:,} more rows ({rest or 'use --output to export all'})"))
    if dropped:
        console.print(Text(f"(not shown at this width: {', '.join(printable(str(columns[i])) for i in sorted(dropped))}; {footer or 'widen the terminal, or --format csv for every column'})"))


def _cut(text: str, width: int) -> str:
    """``text`` in at most ``width`` cells: cut at the end with "…", or at the start for a
    path (``…workers-blog.txt``), whose end tells documents apart.

    >>> _cut("peer-support/just-mad-enough.txt", 20), _cut("Mad in America", 8)
    ('…just-mad-enough.txt', 'Mad in …')
    """
    from rich.cells import cell_len, set_cell_size

    if cell_len(text) <= width:
        return text
    if "/" in text:
        return "…" + set_cell_size(text[::-1], width - 1)[::-1]
    return set_cell_size(text, width - 1) + "…"


def _header_pieces(header: str) -> list[str]:
    """Where a header may wrap: after "_" or at a space (``target_per_million`` → target_, per_, million)."""
    return [piece for piece in re.split(r"(?<=_)|(?<= )", header) if piece] or [header]


def _wrap_header(header: str, width: int) -> str:
    """``header`` on as many lines of ``width`` as it needs, broken only between pieces."""
    lines: list[str] = []
    for piece in _header_pieces(header):
        if lines and len(lines[-1]) + len(piece.rstrip()) <= width:
            lines[-1] += piece
        else:
            lines.append(piece)
    return "\n".join(line.rstrip() for line in lines)


def _share(natural: list[int], least: list[int], room: int) -> list[int]:
    """Column widths: natural when they fit, else every column at least ``least`` and the
    room left shared among the cut columns in proportion to what they lack."""
    if sum(natural) <= room:
        return list(natural)
    widths = list(least)
    spare = room - sum(widths)
    wants = [n - w for n, w in zip(natural, widths)]
    total_want = sum(wants)
    for i, want in enumerate(wants):
        if want and total_want:
            widths[i] += spare * want // total_want
    return widths


def _print_record_view(headers, cells_by_column, n_rows, *, title, console) -> None:
    """One block per row, ``column: value`` a line, for tables too wide for the terminal."""
    from rich.cells import cell_len, set_cell_size

    label = max(map(cell_len, headers)) if headers else 0
    value_width = max(10, console.width - label - 2)
    lines = [printable(title), ""] if title else []
    for r in range(n_rows):
        lines.append(f"── {r + 1} " + "─" * max(0, min(console.width, 40) - 4 - len(str(r + 1))))
        for header, cells in zip(headers, cells_by_column):
            value = cells[r]
            if cell_len(value) > value_width:
                value = set_cell_size(value, value_width - 1) + "…"
            lines.append(f"{header.rjust(label)}: {value}")
    console.file.write("\n".join(lines) + "\n")
    console.file.flush()

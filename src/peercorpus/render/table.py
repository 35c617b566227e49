"""Terminal tables with rich: numbers right-aligned, no colour codes when piped.

    print_table(frame, title="Documents")
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from .export import _cell


def stdout_console() -> Console:
    """The console results go to; wide enough not to wrap tables when piped."""
    import sys

    return Console(soft_wrap=False, width=None if sys.stdout.isatty() else 200)


def print_table(frame, *, title: str | None = None, console: Console | None = None, max_rows: int | None = None, rest: str | None = None) -> None:
    """Print a DataFrame as a rich table (all rows unless ``max_rows``; ``rest`` says where the
    rows left out are, default "use --output to export all")."""
    numeric = [frame[column].dtype.kind in "iuf" for column in frame.columns]
    shown = frame if max_rows is None else frame.head(max_rows)
    _print(list(frame.columns), numeric, shown.itertuples(index=False), len(frame), title=title, console=console, max_rows=max_rows, rest=rest)


def print_records(records: list[dict[str, Any]], columns: list[str], numeric: list[str], *, title: str | None = None, console: Console | None = None) -> None:
    """``print_table`` for row dicts (no pandas): ``numeric`` columns are right-aligned."""
    rows = ([record[c] for c in columns] for record in records)
    _print(columns, [c in numeric for c in columns], rows, len(records), title=title, console=console, max_rows=None, rest=None)


def _print(columns, numeric, rows, total, *, title, console, max_rows, rest) -> None:
    console = console or stdout_console()
    table = Table(title=title, show_lines=False, header_style="bold")
    for column, is_number in zip(columns, numeric):
        table.add_column(str(column), justify="right" if is_number else "left", overflow="fold")
    for row in rows:
        table.add_row(*(_escape(v) for v in row))
    console.print(table)
    if max_rows is not None and total > max_rows:
        console.print(f"… {total - max_rows} more rows ({rest or 'use --output to export all'})")


def _escape(value: Any) -> str:
    from rich.markup import escape

    return escape(_cell(value))

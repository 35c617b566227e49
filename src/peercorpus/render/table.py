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


def print_table(frame, *, title: str | None = None, console: Console | None = None, max_rows: int | None = None) -> None:
    """Print a DataFrame as a rich table (all rows unless ``max_rows``)."""
    console = console or stdout_console()
    table = Table(title=title, show_lines=False, header_style="bold")
    for column in frame.columns:
        numeric = frame[column].dtype.kind in "iuf"
        table.add_column(str(column), justify="right" if numeric else "left", overflow="fold")
    shown = frame if max_rows is None else frame.head(max_rows)
    for row in shown.itertuples(index=False):
        table.add_row(*(_escape(v) for v in row))
    console.print(table)
    if max_rows is not None and len(frame) > max_rows:
        console.print(f"… {len(frame) - max_rows} more rows (use --output to export all)")


def _escape(value: Any) -> str:
    from rich.markup import escape

    return escape(_cell(value))

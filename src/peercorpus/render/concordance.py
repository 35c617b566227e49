"""Concordance lines for people: a printed-concordance table on the terminal, highlighted HTML.

    print_concordance(lines, show=["genre"])     # left context right-aligned, match in bold
    concordance_markdown(lines, show=["genre"])  # a Markdown table, match in bold
    concordance_table(lines, show=["genre"])     # the columns every export format gets

``lines`` is the DataFrame of ``analysis.kwic.concordance_lines`` or, for the printers and
``concordance_text``, the row dicts of ``concordance_rows`` (no pandas needed).
"""

from __future__ import annotations

import html
from types import SimpleNamespace

EXPORT_COLUMNS = ["doc", "start", "end", "left", "match", "right", "char_start", "char_end", "sentence", "query"]


def _line_rows(lines):
    """Rows with attribute access (``row.left``), from a DataFrame or a list of dicts."""
    if isinstance(lines, list):
        return [SimpleNamespace(**row) for row in lines]
    return lines.itertuples(index=False)


def concordance_text(rows: list[dict], fmt: str, show: list[str] | None = None) -> str | None:
    """``rows`` as csv, tsv or md, byte for byte what ``frame_to_text(concordance_table(...))``
    writes, without pandas; ``None`` where only pandas' rules would say (metadata columns,
    whose types pandas infers, and other formats)."""
    if show or fmt not in ("csv", "tsv", "md"):
        return None
    from .export import records_to_text

    return records_to_text(rows, EXPORT_COLUMNS, fmt)


def concordance_table(lines, show: list[str] | None = None):
    """The lines without the ``meta`` dict, plus one column per ``show`` field."""
    table = lines[EXPORT_COLUMNS].copy()
    for field_name in show or []:
        table[field_name] = [meta.get(field_name) for meta in lines["meta"]]
    return table


def print_concordance(lines, show: list[str] | None = None, *, width: int = 60) -> None:
    """Left context right-aligned and cut from the left, the match highlighted."""
    from rich.table import Table
    from rich.text import Text

    from .table import stdout_console

    console = stdout_console()
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    table.add_column("doc", no_wrap=True, overflow="ellipsis", max_width=40)
    for field_name in show or []:
        table.add_column(field_name)
    table.add_column("left", justify="right", no_wrap=True, max_width=width)
    table.add_column("match", no_wrap=True, style="bold red")
    table.add_column("right", no_wrap=True, max_width=width)
    for row in _line_rows(lines):
        left = row.left if len(row.left) <= width else "…" + row.left[-(width - 1):]
        right = row.right if len(row.right) <= width else row.right[: width - 1] + "…"
        extra = ["" if row.meta.get(f) is None else str(row.meta.get(f)) for f in show or []]
        table.add_row(Text(f"{row.doc}:{row.start}"), *extra, Text(left), Text(row.match), Text(right))
    console.print(table)


def concordance_html(lines, show: list[str] | None = None) -> str:
    """An HTML table with the match in ``<mark>``; every piece of corpus text escaped."""
    head = "".join(f"<th>{html.escape(c)}</th>" for c in ["doc", *(show or []), "left", "match", "right"])
    body = []
    for row in _line_rows(lines):
        extra = "".join(f"<td>{html.escape(str(row.meta.get(f, '') or ''))}</td>" for f in show or [])
        body.append(
            f"<tr><td>{html.escape(row.doc)}:{row.start}</td>{extra}"
            f'<td class="left" style="text-align:right">{html.escape(row.left)}</td>'
            f"<td><mark>{html.escape(row.match)}</mark></td><td>{html.escape(row.right)}</td></tr>"
        )
    return f'<table class="kwic"><thead><tr>{head}</tr></thead>\n<tbody>\n' + "\n".join(body) + "\n</tbody></table>\n"


def concordance_markdown(lines, show: list[str] | None = None) -> str:
    """A Markdown table with the match in bold; every piece of corpus text escaped (``markdown_text``)."""
    from .markdown import markdown_text

    columns = ["doc", *(show or []), "left", "match", "right"]
    rows = ["| " + " | ".join(markdown_text(c) for c in columns) + " |", "| " + " | ".join("---:" if c == "left" else "---" for c in columns) + " |"]
    for row in _line_rows(lines):
        extra = [markdown_text(str(row.meta.get(f, "") or "")) for f in show or []]
        cells = [f"{markdown_text(row.doc)}:{row.start}", *extra, markdown_text(row.left), f"**{markdown_text(row.match)}**", markdown_text(row.right)]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows) + "\n"

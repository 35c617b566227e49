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

from .export import JsonListWriter, TableWriter, records_to_text
from .markdown import markdown_text
from .table import stdout_console

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

    return records_to_text(rows, EXPORT_COLUMNS, fmt)


def concordance_table(lines, show: list[str] | None = None):
    """The lines without the ``meta`` dict, plus one column per ``show`` field."""
    table = lines[EXPORT_COLUMNS].copy()
    for field_name in show or []:
        table[field_name] = [meta.get(field_name) for meta in lines["meta"]]
    return table


def print_concordance(lines, show: list[str] | None = None, *, width: int = 60, console=None) -> None:
    """Left context right-aligned and cut from the left, the match highlighted: a printed
    concordance, one line per hit.

    Columns are as wide as their longest cell (``doc`` at most 40, each context at most
    ``width``, less on a narrow terminal); colour only on a terminal. Written line by line:
    rich's Table lays out every row first, which took 40 s for the 52,000 lines of "the" in BBC.
    """
    from rich.cells import cell_len


    console = console or stdout_console()
    show = show or []
    rows = _line_rows(lines)
    docs = [_printable(f"{row.doc}:{row.start}") for row in rows]
    extras = [[_printable("" if row.meta.get(f) is None else str(row.meta.get(f))) for f in show] for row in rows]
    lefts = [_printable(row.left) for row in rows]
    matches = [_printable(row.match) for row in rows]
    rights = [_printable(row.right) for row in rows]

    def widest(cells, header: str) -> int:
        return max([cell_len(header), *map(cell_len, cells)])

    doc_width = min(40, widest(docs, "doc"))
    extra_widths = [widest([extra[i] for extra in extras], f) for i, f in enumerate(show)]
    match_width = widest(matches, "match")
    fixed = doc_width + sum(extra_widths) + match_width + 2 * (3 + len(show))
    side = max(10, min(width, (console.width - fixed) // 2))
    left_width, right_width = min(side, widest(lefts, "left")), min(side, widest(rights, "right"))
    colour = console.is_terminal and console.color_system is not None
    bold, red, plain = ("\x1b[1m", "\x1b[1;31m", "\x1b[0m") if colour else ("", "", "")

    def line(doc: str, extra: list[str], left: str, match: str, right: str, style: str, match_style: str) -> str:
        cells = [_fit(doc, doc_width), *(_fit(e, w) for e, w in zip(extra, extra_widths)), _fit(left, left_width, from_left=True)]
        cells += [f"{match_style}{_fit(match, match_width)}{plain if match_style else ''}", _fit(right, right_width)]
        text = "  ".join(cells).rstrip()
        return f"{style}{text}{plain}" if style else text

    out = [line("doc", show, "left", "match", "right", bold, "")]
    out += [line(*cells, "", red) for cells in zip(docs, extras, lefts, matches, rights)]
    console.file.write("\n".join(out) + "\n")
    console.file.flush()


def _fit(text: str, width: int, *, from_left: bool = False) -> str:
    """``text`` in exactly ``width`` terminal cells: padded (on the left when ``from_left``,
    so left contexts line up at the match), or cut with "…" on that side.

    >>> _fit("the peer worker", 8, from_left=True), _fit("peer", 6)
    ('… worker', 'peer  ')
    """
    from rich.cells import cell_len, set_cell_size

    size = cell_len(text)
    if size <= width:
        return " " * (width - size) + text if from_left else text + " " * (width - size)
    if from_left:
        return "…" + set_cell_size(text[::-1], width - 1)[::-1]
    return set_cell_size(text, width - 1) + "…"


#: Control characters (C0, DEL, C1) that a terminal would act on; corpus text may hold them.
_CONTROL = dict.fromkeys([*range(32), *range(127, 160)])


def _printable(text: str) -> str:
    return text.translate(_CONTROL)


def concordance_html(lines, show: list[str] | None = None) -> str:
    """An HTML table with the match in ``<mark>``; every piece of corpus text escaped."""
    return _html_start(show) + "\n".join(_html_rows(lines, show)) + _HTML_END


def _html_start(show: list[str] | None) -> str:
    head = "".join(f'<th class="{k}">{html.escape(c)}</th>' for c, k in [("doc", "doc"), *((f, "meta") for f in show or []), ("left", "left"), ("match", "match"), ("right", "right")])
    columns = '<col class="doc">' + '<col class="meta">' * len(show or []) + '<col class="left"><col class="match"><col class="right">'
    # Like a printed KWIC: the whole width, left context right-aligned against the centred
    # match, long contexts wrapping (nothing scrolled out of sight, on screen or on paper).
    return f'<table class="kwic"><colgroup>{columns}</colgroup><thead><tr>{head}</tr></thead>\n<tbody>\n'


_HTML_END = "\n</tbody></table>\n"


def _html_rows(lines, show: list[str] | None) -> list[str]:
    body = []
    for row in _line_rows(lines):
        extra = "".join(f'<td class="meta">{html.escape(str(row.meta.get(f, "") or ""))}</td>' for f in show or [])
        body.append(
            f'<tr><td class="doc">{html.escape(row.doc)}:{row.start}</td>{extra}'
            f'<td class="left" style="text-align:right">{html.escape(row.left)}</td>'
            f'<td class="match" style="text-align:center"><mark>{html.escape(row.match)}</mark></td><td class="right">{html.escape(row.right)}</td></tr>'
        )
    return body


def concordance_markdown(lines, show: list[str] | None = None) -> str:
    """A Markdown table with the match in bold; every piece of corpus text escaped (``markdown_text``)."""

    columns = ["doc", *(show or []), "left", "match", "right"]
    rows = ["| " + " | ".join(markdown_text(c) for c in columns) + " |", "| " + " | ".join("---:" if c == "left" else "---" for c in columns) + " |"]
    for row in _line_rows(lines):
        extra = [markdown_text(str(row.meta.get(f, "") or "")) for f in show or []]
        cells = [f"{markdown_text(row.doc)}:{row.start}", *extra, markdown_text(row.left), f"**{markdown_text(row.match)}**", markdown_text(row.right)]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows) + "\n"


class ConcordanceWriter:
    """Concordance lines as csv, tsv, md (these three without ``--show`` fields: their types
    are pandas' to infer), json or html, written a batch at a time through ``write``: byte for
    byte what ``concordance_text``, ``concordance_html`` or ``write_json`` write for all the
    lines at once, without holding them.

        with atomic_stream(path) as write:
            lines = ConcordanceWriter(write, "html", show=["genre"])
            for rows in batches: lines.add(rows)
            lines.close()
    """

    FORMATS = ("csv", "tsv", "md", "json", "html")

    @classmethod
    def streams(cls, fmt: str, show: list[str] | None = None) -> bool:
        """Whether lines of ``fmt`` (with metadata columns ``show``) can be written as they come."""
        return fmt in ("json", "html") or (fmt in cls.FORMATS and not show)

    def __init__(self, write, fmt: str, show: list[str] | None = None):
        self.write, self.fmt, self.show, self.count = write, fmt, show, 0
        if fmt == "html":
            self.write(_html_start(show))
        elif fmt == "json":
            self.lines = JsonListWriter(write)
        else:
            self.lines = TableWriter(write, fmt, EXPORT_COLUMNS)

    def add(self, rows: list[dict]) -> None:
        if not rows:
            return
        if self.fmt == "html":
            self.write(("\n" if self.count else "") + "\n".join(_html_rows(rows, self.show)))
        else:
            self.lines.add(rows)
        self.count += len(rows)

    def close(self) -> None:
        if self.fmt == "html":
            self.write(_HTML_END)
        else:
            self.lines.close()
            if self.fmt == "json":
                self.write("\n")

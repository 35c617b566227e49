"""A report as one self-contained HTML page: inline styles, plots embedded, no scripts, no fetches.

    page = report_html(report, folder)     # folder holds the plots the sections name

Every piece of corpus text, metadata, config value and error message is escaped; the page has
a table of contents, the methods section, then one section per analysis in config order.
Tables show their first ``SHOWN_ROWS`` rows, with the name of the CSV that holds them all.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path

from ..report.references import references
from ..report.sections import SHOWN_ROWS
from ..version import __version__
from .export import html_table

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
  margin:0;color:#1d2329;background:#fff;line-height:1.5}
main{max-width:90rem;margin:0 auto;padding:1.5rem 2rem 4rem}
h1{font-size:1.8rem;margin:.5rem 0}h2{border-bottom:2px solid #d8dee4;padding-bottom:.3rem;margin-top:2.5rem}
h3{margin-top:1.5rem;font-size:1.05rem}
a.anchor{color:#8a949e;text-decoration:none;font-weight:400;margin-left:.3rem}
nav{background:#f4f6f8;border:1px solid #d8dee4;border-radius:6px;padding:.5rem 1.5rem;margin:1rem 0}
nav ol{margin:.3rem 0;padding-left:1.2rem}
.summary{color:#4a5560}.note{color:#4a5560;font-size:.92rem;margin:.3rem 0}
.failed{border-left:4px solid #c62828;background:#fdecea;padding:.6rem 1rem;margin:1rem 0}
.status-failed{color:#c62828;font-weight:600}
.table-wrap{margin:.5rem 0 1rem}
table{border-collapse:collapse;font-size:.85rem;max-width:100%}
caption{text-align:left;font-weight:600;padding:.3rem 0}
th,td{border:1px solid #d8dee4;padding:.25rem .5rem;vertical-align:top;text-align:left;overflow-wrap:break-word}
th{overflow-wrap:normal}
th{background:#f4f6f8}
thead{display:table-header-group}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap;overflow-wrap:normal}
tbody tr:nth-child(even){background:#fafbfc}
table.kwic{width:100%;table-layout:fixed}
table.kwic col.doc{width:14%}table.kwic col.meta{width:8%}table.kwic col.match{width:12%}
table.kwic td.left,table.kwic th.left{text-align:right}
table.kwic td.match,table.kwic th.match{text-align:center}
mark{background:#ffe08a;font-weight:600;padding:0 .1rem}
figure{margin:1rem 0}figure img{max-width:100%;height:auto;border:1px solid #eef1f4}
figcaption{font-size:.85rem;color:#4a5560}
.methods p,.references li{max-width:60rem}
.references ol{padding-left:1.2rem}.references li{margin:.25rem 0}
footer{margin-top:3rem;font-size:.8rem;color:#6a737d}
@media print{
  @page{size:A4;margin:14mm 12mm}
  body{font-size:9.5pt;line-height:1.35}
  main{max-width:none;padding:0}
  nav{break-after:page}
  h2,h3{break-after:avoid}
  table{font-size:7.5pt;width:100%}
  th,td{padding:.1rem .25rem}
  tr,figure,img{break-inside:avoid}
  tbody tr:nth-child(even){background:none}
  mark{background:none;font-weight:700;text-decoration:underline}
  a{color:inherit;text-decoration:none}a.anchor{display:none}
  figure img{max-height:24cm;border:0}
}
"""


def report_html(report, folder: Path) -> str:
    """The whole page as text (UTF-8); plots are read from ``folder`` and embedded as data URLs."""
    spec = report.spec
    sections = report.sections
    toc = ['<li><a href="#methods">Methods</a></li>', '<li><a href="#references">References</a></li>', '<li><a href="#quality">Ingestion quality</a></li>']
    for section in sections:
        flag = ' <span class="status-failed">(failed)</span>' if section.error else ""
        toc.append(f'<li><a href="#{section.anchor}">{html.escape(section.analysis.title)}</a>{flag}</li>')
    failed = report.failed
    summary = f"{len(report.corpus):,} documents · {len(sections)} analyses"
    if failed:
        summary += f" · {len(failed)} failed: " + ", ".join(html.escape(s.analysis.id) for s in failed)
    body = [
        f"<h1>{html.escape(spec.title)}</h1>",
        f'<p class="summary">{summary}</p>',
        '<nav aria-label="Contents"><strong>Contents</strong><ol>' + "".join(toc) + "</ol></nav>",
        '<section id="methods" class="methods"><h2>Methods</h2>'
        + "".join(f"<p>{html.escape(paragraph)}</p>" for paragraph in report.methods)
        + "</section>",
        _references(report.methods),
        '<section id="quality"><h2>Ingestion quality</h2>' + _quality(report.quality) + "</section>",
    ]
    body += [_section(section, folder) for section in sections]
    footer = (
        f"<footer>Written by peercorpus {html.escape(__version__)} from "
        f"{html.escape(spec.config.source.name if spec.config.source else 'a config')}; "
        "every table is also in tables/ as CSV and JSON; manifest.json records settings, seeds and versions.</footer>"
    )
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(spec.title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n"
        + "\n".join(body) + "\n" + footer + "\n</main>\n</body>\n</html>\n"
    )


def _references(methods: list[str]) -> str:
    """Full citations of every method the methods text names (``report.references``)."""

    items = "".join(f"<li>{html.escape(citation)}</li>" for citation in references(methods))
    return f'<section id="references" class="references"><h2>References</h2><ol>{items}</ol></section>'


def _anchor(anchor: str) -> str:
    return f'<a class="anchor" href="#{html.escape(anchor)}" aria-label="link to this">#</a>'


def _quality(quality) -> str:
    if len(quality) == 0:
        return '<p class="note">Every document was read cleanly: no encoding fallbacks, empty texts, layout problems or cleaning.</p>'
    return (
        '<p class="note">Documents that were cleaned, or that look wrong (see <code>peercorpus info</code>); '
        "check them before trusting the analyses below.</p>" + _table(quality, "quality")
    )


def _section(section, folder: Path) -> str:
    analysis = section.analysis
    parts = [f'<section id="{html.escape(section.anchor)}"><h2>{html.escape(analysis.title)}</h2>']
    if section.error:
        parts.append(f'<div class="failed"><strong>This analysis failed:</strong> {html.escape(section.error)}</div>')
    for note in section.notes:
        parts.append(f'<p class="note">{html.escape(note)}</p>')
    for table in section.tables:
        stem = table.stem(analysis.id)
        anchor = f"table-{stem}"
        parts.append(f'<h3 id="{html.escape(anchor)}">{html.escape(table.title)}{_anchor(anchor)}</h3>')
        if table.html is not None:
            parts.append(f'<div class="table-wrap">{table.html}</div>' + _cut_note(table.frame, stem))
        else:
            parts.append(_table(table.frame, stem))
    for plot in section.plots:
        data = base64.b64encode((folder / plot.path).read_bytes()).decode("ascii")
        anchor = f"plot-{Path(plot.path).stem}"
        parts.append(
            f'<figure id="{html.escape(anchor)}"><img src="data:image/png;base64,{data}" alt="{html.escape(plot.title)}">'
            f"<figcaption>{html.escape(plot.title)} ({html.escape(str(plot.path))}){_anchor(anchor)}</figcaption></figure>"
        )
    parts.append("</section>")
    return "\n".join(parts)


def _table(frame, stem: str) -> str:
    return f'<div class="table-wrap">{html_table(frame.head(SHOWN_ROWS))}</div>' + _cut_note(frame, stem)


def _cut_note(frame, stem: str) -> str:
    if len(frame) == 0:
        return '<p class="note">No rows.</p>'
    if len(frame) > SHOWN_ROWS:
        return f'<p class="note">First {SHOWN_ROWS} of {len(frame):,} rows; all in tables/{html.escape(stem)}.csv.</p>'
    return ""

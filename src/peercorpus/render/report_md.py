"""A report as Markdown (``report.md``): the same sections as the HTML page, plots linked.

    text = report_markdown(report)

Plots are linked by their path inside the report folder (``plots/kwic.png``), so the file reads
well on GitHub or GitLab next to its folder; tables show their first ``SHOWN_ROWS`` rows.
"""

from __future__ import annotations

from ..report.references import references
from ..report.sections import SHOWN_ROWS
from .export import markdown_table
from .markdown import markdown_text


def report_markdown(report) -> str:
    """The whole report as one Markdown document."""
    spec = report.spec
    lines = [f"# {markdown_text(spec.title)}", ""]
    summary = f"{len(report.corpus):,} documents · {len(report.sections)} analyses"
    if report.failed:
        summary += f" · {len(report.failed)} failed: " + ", ".join(markdown_text(s.analysis.id) for s in report.failed)
    lines += [summary, "", "## Contents", "", "- [Methods](#methods)", "- [References](#references)", "- [Ingestion quality](#ingestion-quality)"]
    lines += [f"- [{markdown_text(section.analysis.title)}](#{section.anchor})" + (" (failed)" if section.error else "") for section in report.sections]
    lines += ["", "## Methods", ""]
    for paragraph in report.methods:
        lines += [markdown_text(paragraph), ""]

    lines += ["## References", ""]
    lines += [f"{number}. {markdown_text(citation)}" for number, citation in enumerate(references(report.methods), start=1)]
    lines += ["", "## Ingestion quality", ""]
    if len(report.quality):
        lines += [_table(report.quality, "quality")]
    else:
        lines += ["Every document was read cleanly.", ""]
    for section in report.sections:
        lines += _section(section)
    lines += ["---", "", "Every table is also in `tables/` as CSV and JSON; `manifest.json` records settings, seeds and versions.", ""]
    return "\n".join(lines)


def _section(section) -> list[str]:
    analysis = section.analysis
    lines = [f'<a id="{section.anchor}"></a>', "", f"## {markdown_text(analysis.title)}", ""]
    if section.error:
        lines += [f"> **This analysis failed:** {markdown_text(section.error)}", ""]
    for note in section.notes:
        lines += [f"_{markdown_text(note)}_", ""]
    for table in section.tables:
        lines += [f"### {markdown_text(table.title)}", ""]
        stem = table.stem(analysis.id)
        if table.markdown is not None:
            lines += [table.markdown + _cut_note(table.frame, stem)]
        else:
            lines += [_table(table.frame, stem)]
    for plot in section.plots:
        lines += [f"![{markdown_text(plot.title)}]({plot.path.as_posix()})", ""]
    return lines


def _table(frame, stem: str) -> str:
    if len(frame) == 0:
        return "No rows.\n"
    return markdown_table(frame.head(SHOWN_ROWS)) + _cut_note(frame, stem)


def _cut_note(frame, stem: str) -> str:
    if len(frame) > SHOWN_ROWS:
        return f"\nFirst {SHOWN_ROWS} of {len(frame):,} rows; all in `tables/{stem}.csv`.\n"
    return ""

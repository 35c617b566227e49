"""What one analysis of a report produced: its tables, plots, notes and the sentence for the methods.

    section = Section(analysis)
    section.tables.append(ReportTable("documents", "Documents", frame))
    section.plots.append(ReportPlot("keyness", "Keywords", Path("plots/keyness.png")))

Renderers (``render/report_html.py``, ``render/report_md.py``) and the writer (``report/run.py``)
read sections; analyses never print.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .spec import AnalysisSpec

#: Rows of a table shown in report.html and report.md; the CSV and JSON files hold them all.
SHOWN_ROWS = 100


@dataclass
class ReportTable:
    """A tidy table; ``name`` ("" for the analysis' main table) completes its file name."""

    name: str
    title: str
    frame: Any  # pandas.DataFrame
    html: str | None = None  # a richer HTML rendering (concordance lines with <mark>)
    markdown: str | None = None

    def stem(self, analysis_id: str) -> str:
        """``"keyness-2"`` or ``"topics-extracts"``: the file name of this table without suffix."""
        return f"{analysis_id}-{self.name}" if self.name else analysis_id


@dataclass
class ReportPlot:
    """A PNG written into the report folder (``path`` is relative to that folder)."""

    title: str
    path: Path


@dataclass
class Section:
    """One analysis' results, or why it failed."""

    analysis: AnalysisSpec
    tables: list[ReportTable] = field(default_factory=list)
    plots: list[ReportPlot] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    method: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    seconds: float = 0.0

    @property
    def status(self) -> str:
        return "failed" if self.error else "ok"

    @property
    def anchor(self) -> str:
        """The HTML id of the section: ``analysis-kwic-2``."""
        return f"analysis-{self.analysis.id}"

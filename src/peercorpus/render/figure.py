"""Save matplotlib figures reproducibly (PNG or SVG), without a display, sized for a journal.

Figures are drawn at print size: ``COLUMN`` (3.5 in, one journal column) or ``PAGE`` (7.2 in,
the full text width) wide, every text at least 8 pt, saved as 300 dpi PNG or SVG, in Paul
Tol's colour-blind safe "bright" palette (``PALETTE``).

    figure, axes = new_figure(width=PAGE, height=4)
    axes.barh(...)
    save_figure(figure, Path("keyness.png"))     # or .svg; atomic, byte-identical on re-runs
"""

from __future__ import annotations

import io
from pathlib import Path

from ..errors import UsageError
from .export import atomic_write

PLOT_FORMATS = ("png", "svg")
#: Print widths in inches: one column of a two-column journal page, and the whole text width.
COLUMN, PAGE = 3.5, 7.2
#: PNG resolution (journals ask for 300 dpi or more).
DPI = 300
#: Smallest text anywhere in a figure, in points at print size.
MIN_FONT = 8
#: Paul Tol's "bright" qualitative palette: distinct for the common colour-vision deficiencies.
PALETTE = ("#4477aa", "#ee6677", "#228833", "#ccbb44", "#66ccee", "#aa3377", "#bbbbbb")

_STYLE = {
    "font.size": MIN_FONT + 1,
    "axes.titlesize": MIN_FONT + 1,
    "axes.labelsize": MIN_FONT + 1,
    "xtick.labelsize": MIN_FONT,
    "ytick.labelsize": MIN_FONT,
    "legend.fontsize": MIN_FONT,
    "figure.titlesize": MIN_FONT + 2,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.fonttype": "path",
}


def new_figure(*, width: float = PAGE, height: float = 4.5):
    """A figure on the Agg backend (no display needed) at print size (inches), in the journal
    style above, with a fixed SVG hash salt."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    matplotlib.rcParams["svg.hashsalt"] = "peercorpus"
    matplotlib.rcParams.update(_STYLE)
    matplotlib.rcParams["axes.prop_cycle"] = matplotlib.cycler(color=list(PALETTE))
    figure, axes = plt.subplots(figsize=(width, height), dpi=100)
    return figure, axes


def document_labels(doc_ids: list[str]) -> tuple[list[str], str]:
    """Wrapped labels (``wrap_label``) for documents, without the folder they all share, and
    that folder ("" when none) for the axis title.

    >>> document_labels(["peer-support/a.txt", "peer-support/b.txt"])
    (['a', 'b'], 'peer-support/')
    """
    folders = [doc_id.split("/")[:-1] for doc_id in doc_ids]
    common: list[str] = []
    if doc_ids:
        for parts in zip(*folders):
            if len(set(parts)) != 1:
                break
            common.append(parts[0])
    prefix = "".join(f"{part}/" for part in common)
    return [wrap_label(doc_id[len(prefix):]) for doc_id in doc_ids], prefix


def wrap_label(text: str, width: int = 28, lines: int = 2) -> str:
    """A document label on at most ``lines`` lines of ``width`` characters, broken after
    "-", "_", "." or a space, the end cut with "…" when it is longer still; file suffixes
    (.txt, .pdf, ...) left out.

    >>> wrap_label("more-milk-than-psychology-health-expectations.txt")
    'more-milk-than-psychology-\\nhealth-expectations'
    """
    import re

    text = re.sub(r"\.(txt|md|pdf|html?|docx|odt|rtf|json|jsonl|csv)$", "", text, flags=re.IGNORECASE)
    pieces = [p for p in re.split(r"(?<=[-_. ])", text) if p]
    out: list[str] = []
    for piece in pieces:
        while len(piece) > width:  # a piece longer than a line is cut into lines
            out.append(piece[:width])
            piece = piece[width:]
        if out and len(out[-1]) + len(piece) <= width:
            out[-1] += piece
        else:
            out.append(piece)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: width - 1].rstrip() + "…"
    return "\n".join(line.rstrip() for line in out)


def save_figure(figure, path: Path, *, dpi: int | None = None) -> None:
    """Write ``figure`` to ``path`` (format from its suffix) without timestamps, then close it;
    at ``dpi`` when given, else at ``DPI``."""
    import matplotlib.pyplot as plt

    fmt = Path(path).suffix.lower().lstrip(".")
    if fmt not in PLOT_FORMATS:
        plt.close(figure)
        raise UsageError(f"plots are written as .png or .svg; got '{path}'")
    buffer = io.BytesIO()
    metadata = {"Software": None} if fmt == "png" else {"Date": None, "Creator": None}
    figure.savefig(buffer, format=fmt, bbox_inches="tight", metadata=metadata, dpi=dpi or DPI)
    plt.close(figure)
    atomic_write(Path(path), buffer.getvalue())

"""Save matplotlib figures reproducibly (PNG or SVG), without a display.

    figure, axes = new_figure(width=8, height=4)
    axes.barh(...)
    save_figure(figure, Path("keyness.png"))     # or .svg; atomic, byte-identical on re-runs
"""

from __future__ import annotations

import io
from pathlib import Path

from ..errors import UsageError
from .export import atomic_write

PLOT_FORMATS = ("png", "svg")


def new_figure(*, width: float = 8.0, height: float = 4.5):
    """A figure on the Agg backend (no display needed), with a fixed SVG hash salt."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    matplotlib.rcParams["svg.hashsalt"] = "peercorpus"
    figure, axes = plt.subplots(figsize=(width, height), dpi=100)
    return figure, axes


def save_figure(figure, path: Path) -> None:
    """Write ``figure`` to ``path`` (format from its suffix) without timestamps, then close it."""
    import matplotlib.pyplot as plt

    fmt = Path(path).suffix.lower().lstrip(".")
    if fmt not in PLOT_FORMATS:
        plt.close(figure)
        raise UsageError(f"plots are written as .png or .svg; got '{path}'")
    buffer = io.BytesIO()
    metadata = {"Software": None} if fmt == "png" else {"Date": None, "Creator": None}
    figure.savefig(buffer, format=fmt, bbox_inches="tight", metadata=metadata)
    plt.close(figure)
    atomic_write(Path(path), buffer.getvalue())

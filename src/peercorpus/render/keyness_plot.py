"""A keyness bar plot: the strongest positive and negative keywords by log ratio.

    plot_keyness(table, Path("keyness.png"), n=15)
"""

from __future__ import annotations

from pathlib import Path

from .figure import new_figure, save_figure


def plot_keyness(table, path: Path, *, n: int = 15) -> None:
    """Bars of log ratio (effect size) for the top ``n`` positive and negative keywords by G²."""
    positive = table[table["keyness"] == "positive"].head(n)
    negative = table[table["keyness"] == "negative"].head(n)
    rows = list(positive.itertuples()) + list(negative.itertuples())[::-1]
    figure, ax = new_figure(width=7, height=1.5 + 0.25 * max(len(rows), 1))
    labels = [row.term for row in rows]
    values = [row.log_ratio for row in rows]
    colours = ["#4477aa" if row.keyness == "positive" else "#ee6677" for row in rows]
    ax.barh(range(len(rows))[::-1], values, color=colours)
    ax.set_yticks(range(len(rows))[::-1], labels, fontsize=8)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("log ratio (log2 of relative frequency, target / reference)")
    ax.set_title("Keywords: positive (blue) and negative (red), ranked by G²", fontsize=10)
    save_figure(figure, path)

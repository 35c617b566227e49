"""A keyness bar plot: the strongest positive and negative keywords, bars of log ratio.

    plot_keyness(table, Path("keyness.png"), n=15)

Stop words are left out of the plot unless ``stopwords=None`` (the command passes ``None``
when the user chose stop words, so the table already says what they asked for): with the
default settings the strongest keywords by G² are mostly function words.
"""

from __future__ import annotations

from pathlib import Path

from ..core.vocabulary import load_stopwords, normalize_form
from .figure import PAGE, PALETTE, new_figure, save_figure


def plot_keyness(table, path: Path, *, n: int = 15, stopwords: str | None = "english") -> None:
    """Bars of log ratio (effect size) for the top ``n`` positive and ``n`` negative keywords
    by G², each side ordered by the plotted log ratio (longest bar outermost); words in
    ``stopwords`` (a ``load_stopwords`` name) left out."""

    if stopwords:
        stop = load_stopwords(stopwords)
        table = table[[normalize_form(str(term)) not in stop for term in table["term"]]]
    positive = table[table["keyness"] == "positive"].head(n).sort_values("log_ratio", ascending=False, kind="stable")
    negative = table[table["keyness"] == "negative"].head(n).sort_values("log_ratio", ascending=False, kind="stable")
    rows = list(positive.itertuples()) + list(negative.itertuples())
    figure, ax = new_figure(width=PAGE * 0.6, height=1.0 + 0.17 * max(len(rows), 1))
    labels = [str(row.term) for row in rows]
    values = [row.log_ratio for row in rows]
    colours = [PALETTE[0] if row.keyness == "positive" else PALETTE[1] for row in rows]
    positions = list(range(len(rows)))[::-1]
    ax.barh(positions, values, color=colours, height=0.7)
    ax.set_yticks(positions, labels)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("log ratio (log₂ of relative frequency, target / reference)")
    left_out = "; stop words left out" if stopwords else ""
    ax.set_title(f"Keywords: top {n} by G² each side, ordered by log ratio\npositive (blue) and negative (red){left_out}", loc="left")
    save_figure(figure, path)

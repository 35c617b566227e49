"""Plots of a topic model: top-term bar charts per topic and a document × topic heatmap.

    plot_topic_terms(model, Path("out/topic_terms.png"))
    plot_document_heatmap(model, Path("out/document_topics.png"))
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from .figure import new_figure, save_figure

#: The heatmap shows at most this many documents (evenly spaced after sorting by topic).
MAX_HEATMAP_ROWS = 80


def plot_topic_terms(model, path: Path, *, n_terms: int = 10) -> None:
    """One horizontal bar chart per topic, its top terms by weight, in a grid."""
    columns = min(model.k, 4)
    rows = math.ceil(model.k / columns)
    figure, axes = new_figure(width=3.2 * columns, height=2.8 * rows)
    figure.clf()
    for topic in range(model.k):
        ax = figure.add_subplot(rows, columns, topic + 1)
        row = model.topics.iloc[topic]
        terms = row["terms"].split(", ")[:n_terms]
        weights = list(row["weights"])[:n_terms]
        ax.barh(range(len(terms))[::-1], weights, color="#4477aa")
        ax.set_yticks(range(len(terms))[::-1], terms, fontsize=8)
        ax.set_title(_short(f"{topic}: {row['label']}", 40), fontsize=9)
        ax.tick_params(axis="x", labelsize=7)
    figure.tight_layout()
    save_figure(figure, path)


def plot_document_heatmap(model, path: Path) -> None:
    """Documents (rows, grouped by dominant topic) × topics, shaded by topic share."""
    weights = model.doc_weights
    order = np.lexsort((-weights.max(axis=1), weights.argmax(axis=1)))
    if len(order) > MAX_HEATMAP_ROWS:
        order = order[np.linspace(0, len(order) - 1, MAX_HEATMAP_ROWS).round().astype(int)]
    height = min(2 + 0.22 * len(order), 20)
    figure, ax = new_figure(width=2.5 + 0.6 * model.k, height=height)
    image = ax.imshow(weights[order], aspect="auto", cmap="Blues", vmin=0, vmax=1, interpolation="nearest")
    ax.set_xticks(range(model.k), [str(t) for t in range(model.k)], fontsize=8)
    ax.set_xlabel("topic")
    ax.set_yticks(range(len(order)), [_short(model.doc_ids[i], 45) for i in order], fontsize=6)
    shown = f" ({len(order)} of {len(weights)} documents)" if len(order) < len(weights) else ""
    ax.set_title(f"Topic shares per document{shown}", fontsize=9)
    figure.colorbar(image, ax=ax, fraction=0.04)
    save_figure(figure, path)


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"

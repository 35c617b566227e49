"""Plots of a topic model: top-term bar charts per topic and a document × topic heatmap.

    plot_topic_terms(model, Path("out/topic_terms.png"))
    plot_document_heatmap(model, Path("out/document_topics.png"))
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from .figure import PAGE, PALETTE, document_labels, new_figure, save_figure

#: The heatmap shows at most this many documents (evenly spaced after sorting by topic).
MAX_HEATMAP_ROWS = 80


def plot_topic_terms(model, path: Path, *, n_terms: int = 10) -> None:
    """One horizontal bar chart per topic, its top terms by weight, in a grid."""
    columns = min(model.k, 3)
    rows = math.ceil(model.k / columns)
    figure, axes = new_figure(width=PAGE, height=0.6 + 0.17 * n_terms * rows + 0.5 * rows)
    figure.clf()
    for topic in range(model.k):
        ax = figure.add_subplot(rows, columns, topic + 1)
        row = model.topics.iloc[topic]
        terms = row["terms"].split(", ")[:n_terms]
        weights = list(row["weights"])[:n_terms]
        ax.barh(range(len(terms))[::-1], weights, color=PALETTE[0])
        ax.set_yticks(range(len(terms))[::-1], terms)
        ax.set_title(_short(f"{topic}: {row['label']}", 30), loc="left")
        ax.tick_params(axis="x", labelsize=8)
    figure.tight_layout()
    save_figure(figure, path)


def plot_document_heatmap(model, path: Path) -> None:
    """Documents (rows, grouped by dominant topic) × topics, shaded by topic share."""
    weights = model.doc_weights
    order = np.lexsort((-weights.max(axis=1), weights.argmax(axis=1)))
    if len(order) > MAX_HEATMAP_ROWS:
        order = order[np.linspace(0, len(order) - 1, MAX_HEATMAP_ROWS).round().astype(int)]
    labels, folder = document_labels([model.doc_ids[i] for i in order])
    row_height = 0.3 if any("\n" in label for label in labels) else 0.17
    height = min(1.6 + row_height * len(order), 9.0)  # at most a journal page's height
    figure, ax = new_figure(width=PAGE, height=height)
    image = ax.imshow(weights[order], aspect="auto", cmap="Blues", vmin=0, vmax=1, interpolation="nearest")
    # Topics named by their label (or top terms), not a bare number.
    names = [_short(f"{t}: {model.topics.iloc[t]['label']}", 28) for t in range(model.k)]
    ax.set_xticks(range(model.k), names, rotation=40, ha="right", rotation_mode="anchor")
    ax.set_xlabel("topic")
    # Row labels smaller than 8 pt would not be readable in print: fewer labels instead.
    step = max(1, math.ceil(len(order) * (0.3 if row_height == 0.3 else 0.15) / max(height - 1.6, 0.5) - 1e-9)) if height >= 9.0 else 1
    ax.set_yticks(range(0, len(order), step), labels[::step])
    shown = f" ({len(order)} of {len(weights)} documents)" if len(order) < len(weights) else ""
    every = f"; every {step}{ {2: 'nd', 3: 'rd'}.get(step, 'th')} row labelled" if step > 1 else ""
    ax.set_title(f"Topic shares per document{shown}{every}", loc="left")
    if folder:
        ax.set_ylabel(f"documents in {folder}")
    figure.colorbar(image, ax=ax, fraction=0.04, label="topic share")
    save_figure(figure, path)


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"

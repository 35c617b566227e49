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


#: Resolution of the plots of topic shares over time and by group.
SHARES_DPI = 300


def _topic_names(model) -> list[str]:
    return [_short(f"{t}: {model.topics.iloc[t]['label']}", 40) for t in range(model.k)]


def _topic_colours(k: int):
    import matplotlib

    palette = matplotlib.colormaps["tab20" if k > 10 else "tab10"]
    return [palette(t % palette.N) for t in range(k)]


def plot_topics_over(model, table, path: Path) -> None:
    """Topic shares per period (``topics_over``'s table) as stacked areas, 300 dpi; a single
    period is drawn as one stacked bar."""
    shares = table[[f"topic_{t}" for t in range(model.k)]].to_numpy(dtype=float)
    periods = [str(p) for p in table["period"]]
    figure, ax = new_figure(width=max(6.0, min(0.5 * len(periods) + 4, 14)), height=4.5)
    positions = np.arange(len(periods))
    colours = _topic_colours(model.k)
    if len(periods) > 1:
        ax.stackplot(positions, shares.T, labels=_topic_names(model), colors=colours, alpha=0.9)
        ax.set_xlim(0, len(periods) - 1)
    else:
        bottom = 0.0
        for t in range(model.k):
            ax.bar(positions, shares[:, t], bottom=bottom, color=colours[t], label=_topic_names(model)[t])
            bottom += shares[0, t]
    step = max(1, len(periods) // 20)
    ax.set_xticks(positions[::step], [_short(p, 16) for p in periods[::step]], rotation=45, ha="right", fontsize=7)
    ax.set_ylim(0, 1)
    ax.set_ylabel("mean topic share of the documents")
    field = table.attrs.get("field", "period")
    ax.set_xlabel(field)
    ax.set_title(f"Topic shares by {field}", fontsize=10)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    _save_at_300_dpi(figure, path)


def plot_group_topics(model, table, field: str, path: Path) -> None:
    """Mean topic shares per group (``group_weights``' table) as stacked horizontal bars, 300 dpi."""
    shares = table[[f"topic_{t}" for t in range(model.k)]].to_numpy(dtype=float)
    groups = [f"{_short(str(g), 30)} ({n})" for g, n in zip(table[field], table["documents"])]
    figure, ax = new_figure(width=8.0, height=min(1.5 + 0.35 * len(groups), 20))
    positions = np.arange(len(groups))[::-1]
    left = np.zeros(len(groups))
    for t, (name, colour) in enumerate(zip(_topic_names(model), _topic_colours(model.k))):
        ax.barh(positions, shares[:, t], left=left, color=colour, label=name)
        left += shares[:, t]
    ax.set_yticks(positions, groups, fontsize=7)
    ax.set_xlim(0, 1)
    ax.set_xlabel("mean topic share of the documents")
    ax.set_title(f"Topic shares by {field}", fontsize=10)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    _save_at_300_dpi(figure, path)


def _save_at_300_dpi(figure, path: Path) -> None:
    # SHARES_DPI given to save_figure: the rc setting savefig.dpi, which this set before, was
    # overridden by save_figure's own dpi (figure.DPI), so SHARES_DPI did not decide
    save_figure(figure, path, dpi=SHARES_DPI)

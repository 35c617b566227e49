"""A topic model as a folder of files: every table as CSV (and the long forms of the weight
tables), the JSON payload, and the plots, each written atomically (``topics --output``)::

    written = write_topic_folder(model, Path("results/topics"), svg=True)
    written[:3]          # ['topics.csv', 'document_topics.csv', 'topic_extracts.csv']
"""

from __future__ import annotations

from pathlib import Path

from ..analysis.topics.report import topics_payload
from .export import atomic_write, dumps_json, frame_to_text, topic_weights_long
from .topic_plots import plot_document_heatmap, plot_group_topics, plot_topic_terms, plot_topics_over


def write_topic_folder(model, folder: Path, *, groups=None, over=None, by: str | None = None, svg: bool = False) -> list[str]:
    """Write ``model`` (with its per-group means ``groups`` by field ``by``, and its shares
    ``over`` periods, when given) into ``folder``; the names of the files written."""
    tables = {
        "topics.csv": model.topics.drop(columns=["weights"]),
        "document_topics.csv": model.documents,
        "topic_extracts.csv": model.extracts,
        "topic_documents.csv": model.representative_docs,
    }
    if model.unit != "document":
        tables["segment_topics.csv"] = model.segments
    if model.k_scores is not None:
        tables["k_scores.csv"] = model.k_scores
    if groups is not None:
        tables["group_topics.csv"] = groups
    if over is not None:
        tables["topics_over.csv"] = over
    tables.update(_long_tables(model, groups))
    for name, table in tables.items():
        atomic_write(folder / name, frame_to_text(table, "csv"))
    atomic_write(folder / "topics.json", dumps_json(topics_payload(model, groups=groups, over=over)))
    written = [*tables, "topics.json"]
    for suffix in ("png", "svg") if svg else ("png",):
        plot_topic_terms(model, folder / f"topic_terms.{suffix}")
        plot_document_heatmap(model, folder / f"document_topics.{suffix}")
        written += [f"topic_terms.{suffix}", f"document_topics.{suffix}"]
        if groups is not None:
            plot_group_topics(model, groups, by, folder / f"group_topics.{suffix}")
            written.append(f"group_topics.{suffix}")
        if over is not None:
            plot_topics_over(model, over, folder / f"topics_over.{suffix}")
            written.append(f"topics_over.{suffix}")
    return written


def _long_tables(model, groups) -> dict:
    """Long (tidy) forms of the wide weight tables: one row per document (or group) and topic."""
    tables = {"document_topics_long.csv": topic_weights_long(model.documents, ["doc"])}
    if groups is not None:
        tables["group_topics_long.csv"] = topic_weights_long(groups, [groups.columns[0], "documents"])
    return tables

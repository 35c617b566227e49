"""A fitted topic model as data: the JSON payload users' scripts read, and its CSV tables.

    payload = topics_payload(model)
    payload["topics"][0]["terms"], payload["documents"][0]["weights"]

The shape is a contract (issue #5): ``k``, ``method``, ``seed``, ``topics`` (``topic``,
``label``, ``terms``, ``weights``, ``coherence``, ``prevalence``, ...), ``documents`` (``doc``,
``topic``, ``weights``), and ``batch_fit`` (only with ``batch``: ``fitted_in_batches``, ``chunks``,
``epochs``, ``sample_units``, ...); keys are added, never renamed. Numbers are rounded to six decimals so
that the same corpus, settings and seed give byte-identical files.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any


def topics_payload(model, *, groups=None, over=None) -> dict[str, Any]:
    """Everything about ``model`` as plain JSON values."""
    settings = asdict(model.settings)
    topics = []
    for row in model.topics.itertuples(index=False):
        topic = int(row.topic)
        topics.append(
            {
                "topic": topic,
                "label": row.label,
                "terms": row.terms.split(", "),
                "weights": list(row.weights),
                "coherence": row.coherence,
                "prevalence": row.prevalence,
                "stability": row.stability,
                "documents": _rows(model.representative_docs, topic, ["doc", "weight"]),
                "extracts": _rows(model.extracts, topic, ["doc", "sentence", "weight"]),
            }
        )
    weight_columns = [f"topic_{t}" for t in range(model.k)]
    documents = [
        {
            "doc": row["doc"],
            "topic": None if row["topic"] is None or row["topic"] != row["topic"] else int(row["topic"]),
            "weights": [row[c] for c in weight_columns],
        }
        for row in model.documents.astype(object).where(model.documents.notna(), None).to_dict("records")
    ]
    payload: dict[str, Any] = {
        "k": model.k,
        "method": model.settings.method,
        "seed": model.settings.seed,
        "unit": model.unit,
        "units": len(model.units),
        "vocabulary": len(model.vocab),
        "settings": settings,
        "topics": topics,
        "documents": documents,
        "k_scores": [] if model.k_scores is None else model.k_scores.to_dict("records"),  # [] unless k was chosen
    }
    if getattr(model, "batch_fit", None):
        # Only for a model fitted with ``batch``: how (chunks, epochs, the sample), so that a
        # script can tell a mini-batch model from an exact one.
        payload["batch_fit"] = dict(model.batch_fit)
    if groups is not None:
        payload["groups"] = groups.to_dict("records")
    if over is not None:
        payload["over"] = {
            "field": over.attrs.get("field"), "kind": over.attrs.get("kind"),
            "skipped": over.attrs.get("skipped", 0), "periods": over.to_dict("records"),
        }
    return payload


def _rows(frame, topic: int, columns: list[str]) -> list[dict[str, Any]]:
    if len(frame) == 0:
        return []
    return frame[frame["topic"] == topic][columns].to_dict("records")

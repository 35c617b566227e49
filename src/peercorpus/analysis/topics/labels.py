"""Researchers' own topic labels: a label sheet to fill in, read back and matched to topics.

    sheet = label_sheet(model)                      # topic, label (empty), terms, extract
    labels, notes = match_labels(model, read_labels(Path("labels.csv")))

Labels follow topics by their terms, not their numbers: a row of the sheet goes to the topic
whose top terms overlap its ``terms`` most (one-to-one, Hungarian algorithm), so a label
stays with its topic on re-runs with the same settings even if topic numbers change. A
sheet without a ``terms`` column is matched by ``topic`` number.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ...errors import InputError
from .quality import align_topics

#: A sheet row whose terms share less than this Jaccard similarity with every topic is unused.
MIN_LABEL_OVERLAP = 0.3


def label_sheet(model):
    """A DataFrame to save as CSV: one row per topic with its terms and best extract."""
    import pandas as pd

    first_extract = model.extracts.drop_duplicates("topic").set_index("topic")["sentence"] if len(model.extracts) else {}
    rows = [
        {
            "topic": int(row.topic),
            "label": "",
            "terms": row.terms,
            "extract": first_extract.get(int(row.topic), "") if len(first_extract) else "",
        }
        for row in model.topics.itertuples()
    ]
    return pd.DataFrame(rows, columns=["topic", "label", "terms", "extract"])


def read_labels(path: Path):
    """The label sheet at ``path`` (CSV with ``label`` and ``topic`` and/or ``terms``)."""
    import pandas as pd

    try:
        sheet = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"`labels` {path}: file not found") from None
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as error:
        raise InputError(f"`labels` {path}: not a readable CSV ({str(error).splitlines()[0]})") from None
    if "label" not in sheet.columns or not ({"topic", "terms"} & set(sheet.columns)):
        raise InputError(f"`labels` {path}: needs a 'label' column and a 'topic' or 'terms' column; found {', '.join(sheet.columns)}")
    return sheet[sheet["label"].str.strip() != ""].reset_index(drop=True)


def match_labels(model, sheet) -> tuple[list[str], list[str]]:
    """Labels for every topic of ``model`` (its own label where the sheet has none) and notes."""
    labels = list(model.topics["label"])
    notes: list[str] = []
    if len(sheet) == 0:
        return labels, ["the label sheet has no labels filled in"]
    if "terms" in sheet.columns and (sheet["terms"].str.strip() != "").all():
        sheet_terms = [_term_set(text) for text in sheet["terms"]]
        topic_terms = [_term_set(text) for text in model.topics["terms"]]
        similarity = np.array([[_jaccard(a, b) for b in topic_terms] for a in sheet_terms])
        match = align_topics(similarity)
        for row, topic in enumerate(match):
            if topic >= 0 and similarity[row, topic] >= MIN_LABEL_OVERLAP:
                labels[topic] = sheet["label"][row].strip()
            else:
                notes.append(f"label '{sheet['label'][row]}' matches no topic of this model (its terms changed); not used")
        return labels, notes
    for row in sheet.itertuples():
        try:
            topic = int(row.topic)
        except ValueError:
            raise InputError(f"label sheet: topic '{row.topic}' is not a number") from None
        if not 0 <= topic < model.k:
            notes.append(f"label '{row.label}' is for topic {topic}, but the model has topics 0-{model.k - 1}; not used")
            continue
        labels[topic] = row.label.strip()
    return labels, notes


def with_labels(model, labels: list[str]):
    """``model`` with its ``topics`` table carrying ``labels``."""
    model.topics = model.topics.assign(label=labels)
    return model


def _term_set(text: str) -> set[str]:
    return {term.strip() for term in str(text).split(",") if term.strip()}


def _jaccard(first: set[str], second: set[str]) -> float:
    return len(first & second) / len(first | second) if first | second else 0.0

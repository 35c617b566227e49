"""A lexical dispersion plot: one row per document, a tick per hit (NLTK's ``dispersion_plot``,
quanteda's ``textplot_xray``), positions relative to the document's length.

    plot_dispersion(corpus, hits, terms, Path("dispersion.png"))          # every hit held
    plot_dispersion_counts(corpus, counts, terms, Path("dispersion.png"))  # dispersion_table's counts
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..analysis.kwic import find_hits
from .figure import PAGE, PALETTE, document_labels, new_figure, save_figure

#: Documents beyond this many (those with the most hits are kept) are left out of the plot.
MAX_ROWS = 60
COLOURS = PALETTE  # Paul Tol's bright palette: colour-blind safe


def plot_dispersion(corpus, hits, terms: list[str], path: Path, *, docs=None) -> str | None:
    """Draw the plot to ``path``; return a note when documents had to be left out.
    ``hits`` are ``dispersion``'s: positions of ``corpus.within()[0]``."""
    corpus, docs = corpus.within(docs)
    shown = np.arange(len(corpus)) if docs is None else np.asarray(docs)
    per_document = np.bincount(corpus.tokens.doc_of_position(hits.starts), minlength=len(corpus))[shown]
    shown, note = _most_hit(shown, per_document)
    _draw(corpus, hits, terms, path, shown)
    return note


def plot_dispersion_counts(corpus, counts: np.ndarray, terms: list[str], path: Path, *, docs=None, **match_options) -> str | None:
    """``plot_dispersion`` from ``dispersion_table``'s ``counts`` (terms × documents of ``docs``):
    the hits are found again in the documents the plot shows only (at most ``MAX_ROWS``)."""
    corpus, docs = corpus.within(docs)
    shown = np.arange(len(corpus)) if docs is None else np.asarray(docs)
    shown, note = _most_hit(shown, counts.sum(axis=0))
    hits = find_hits(corpus, terms, docs=shown, **match_options)
    _draw(corpus, hits, terms, path, shown)
    return note


def _most_hit(shown: np.ndarray, per_document: np.ndarray) -> tuple[np.ndarray, str | None]:
    """The documents a plot has room for (those with most hits, in corpus order), and a note
    when some were left out."""
    if len(shown) <= MAX_ROWS:
        return shown, None
    keep = np.sort(shown[np.argsort(-per_document, kind="stable")[:MAX_ROWS]])
    return keep, f"the plot shows the {MAX_ROWS} documents with most hits of {len(shown)}"


def _draw(corpus, hits, terms: list[str], path: Path, shown: np.ndarray) -> None:
    tokens = corpus.tokens
    hit_docs = tokens.doc_of_position(hits.starts)
    row_of_doc = {int(d): row for row, d in enumerate(shown)}
    labels, folder = document_labels([corpus.doc_id(d) for d in shown.tolist()])
    two_lines = any("\n" in label for label in labels)
    figure, ax = new_figure(width=PAGE, height=1.0 + (0.34 if two_lines else 0.2) * len(shown))
    for number, term in enumerate(terms):
        mine = hits.query == number
        rows, xs = [], []
        for start, doc in zip(hits.starts[mine].tolist(), hit_docs[mine].tolist()):
            if doc in row_of_doc:
                first, length = int(tokens.doc_starts[doc]), int(tokens.doc_lengths[doc])
                rows.append(row_of_doc[doc])
                xs.append((start - first) / max(length, 1))
        ax.scatter(xs, rows, marker="|", s=100, linewidths=1.2, color=COLOURS[number % len(COLOURS)], label=term)
    ax.set_yticks(range(len(shown)), labels)
    ax.set_ylim(len(shown) - 0.5, -0.5)
    ax.set_xlim(0, 1)
    ax.set_xlabel("position in document (share of its tokens)")
    ax.set_title("Lexical dispersion", loc="left")
    if folder:
        ax.set_ylabel(f"documents in {folder}")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    save_figure(figure, path)


def _short(text: str, width: int = 45) -> str:
    return text if len(text) <= width else "…" + text[-(width - 1):]

"""How evenly a term is spread over the documents: range, Juilland's D and Gries' DP.

    table, counts = dispersion_table(corpus, ["recovery", "boundaries"])
    table[["term", "hits", "range", "juilland_d", "gries_dp"]]

Documents are the parts. With ``f_i`` hits in part ``i`` of ``s_i`` words (``S`` in all; words
are tokens with a letter or digit, as ``freq`` and ``info`` count them),
``F`` hits in all and ``n`` parts:

- range: how many parts have at least one hit (and that share of the parts);
- Juilland's D (Juilland & Chang-Rodríguez 1964), on per-token rates ``r_i = f_i / s_i`` so
  that parts of unequal size compare: ``D = 1 - (sd(r) / mean(r)) / sqrt(n - 1)``
  (1 = perfectly even, 0 = all in one part);
- Gries' DP (Gries 2008): ``DP = ½ Σ |f_i / F - s_i / S|`` (0 = spread as the parts' sizes
  predict, towards 1 = concentrated), and DP normalised by its maximum ``1 - min(s_i / S)``
  (Lijffijt & Gries 2012).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.corpus import Corpus
from ..errors import UsageError
from ..validate import check_choice
from .frequency import document_words
from .kwic import find_hits, hits_by_chunk
from .params import MATCHES, Params


def dispersion_measures(counts: np.ndarray, sizes: np.ndarray) -> dict[str, float]:
    """Range, Juilland's D and Gries' DP of hit ``counts`` over parts of ``sizes`` tokens.

    >>> dispersion_measures(np.array([2, 2]), np.array([100, 100]))["juilland_d"]
    1.0
    >>> dispersion_measures(np.array([4, 0]), np.array([100, 100]))["gries_dp"]
    0.5
    """
    counts = np.asarray(counts, dtype=np.float64)
    sizes = np.asarray(sizes, dtype=np.float64)
    n = len(counts)
    total = counts.sum()
    out = {"range": int((counts > 0).sum()), "range_share": round(float((counts > 0).mean()), 4) if n else 0.0}  # as freq rounds it
    if total == 0 or n < 2 or sizes.sum() == 0:
        return {**out, "juilland_d": None, "gries_dp": None, "gries_dp_norm": None}
    rates = np.divide(counts, sizes, out=np.zeros_like(counts), where=sizes > 0)
    mean = rates.mean()
    d = 1 - (rates.std() / mean) / np.sqrt(n - 1) if mean > 0 else 0.0
    expected = sizes / sizes.sum()
    dp = 0.5 * np.abs(counts / total - expected).sum()
    dp_norm = dp / (1 - expected.min()) if expected.min() < 1 else 0.0
    return {**out, "juilland_d": round(float(max(d, 0.0)), 6), "gries_dp": round(float(dp), 6), "gries_dp_norm": round(float(dp_norm), 6)}


def dispersion(corpus: Corpus, terms: list[str], *, docs=None, **match_options):
    """One row per term: hits, per million words, range, Juilland's D, Gries' DP; and every
    hit (``find_hits``). ``dispersion_table`` gives the same table holding only counts."""
    corpus, docs = corpus.within(docs)  # a where view: its documents, in the arrays it shares
    selected = np.arange(len(corpus)) if docs is None else np.asarray(docs)
    hits = find_hits(corpus, terms, docs=selected, **match_options)
    hit_docs = corpus.tokens.doc_of_position(hits.starts)
    counts = np.stack([np.bincount(hit_docs[hits.query == number], minlength=len(corpus))[selected] for number in range(len(terms))])
    return _table(corpus, terms, counts, selected), hits


def dispersion_table(corpus: Corpus, terms: list[str], *, docs=None, **match_options):
    """``dispersion``'s table, and the hits of each term in each document (``counts``: terms ×
    the corpus' documents, or ``docs``'s), found a chunk of documents at a time: memory holds
    one chunk's hits, not every hit ("the" in 2 GB of text: ~20 million)."""
    corpus, docs = corpus.within(docs)
    selected = np.arange(len(corpus)) if docs is None else np.asarray(docs)
    column = np.full(len(corpus), -1, dtype=np.int64)
    column[selected] = np.arange(len(selected))
    counts = np.zeros((len(terms), len(selected)), dtype=np.int64)
    for hits in hits_by_chunk(corpus, terms, docs=docs, **match_options):
        np.add.at(counts, (hits.query, column[corpus.tokens.doc_of_position(hits.starts)]), 1)
    return _table(corpus, terms, counts, selected), counts


def _table(corpus: Corpus, terms: list[str], counts: np.ndarray, selected: np.ndarray):
    """The rows of ``dispersion``: ``counts`` are hits per term (row) and document of ``selected``."""
    import pandas as pd

    sizes = document_words(corpus)[selected]
    rows = []
    for number, term in enumerate(terms):
        total = int(counts[number].sum())
        rows.append(
            {
                "term": term,
                "hits": total,
                "per_million": round(total / sizes.sum() * 1e6, 2) if sizes.sum() else 0.0,
                "documents": len(selected),
                **dispersion_measures(counts[number], sizes),
            }
        )
    return pd.DataFrame(rows)



@dataclass(frozen=True)
class DispersionParams(Params):
    """``dispersion``: where terms occur, with range, Juilland's D, Gries' DP and a plot."""

    terms: tuple[str, ...]
    match: str = "form"
    case_sensitive: bool = False
    regex: bool = False
    plot: bool = True
    where: tuple[str, ...] = ()

    def check(self) -> None:
        if not self.terms or any(not t.strip() for t in self.terms):
            raise UsageError("terms must be a list of words, phrases or patterns, none empty", param="terms")
        check_choice("match", self.match, MATCHES)

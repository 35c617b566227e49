"""Document-term matrices (scipy sparse) built from integer-coded features, never from strings.

    features = corpus.tokens.features(settings, default_stopwords="english")
    units = make_units(corpus.tokens, "document")
    dtm = document_term_matrix(features, units.unit_of_token(len(features.ids)), len(units))
    dtm = dtm.prune(min_df=2, max_df=0.95)
    dtm.matrix.shape, dtm.vocab[:5]

N-grams join consecutive *kept* tokens of the same unit and sentence (stop words removed
first, as scikit-learn's ``CountVectorizer`` does), written with spaces: ``"lived experience"``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import UsageError
from ..validate import check_fraction_or_count, check_int
from .tokens import Features


@dataclass
class DocumentTermMatrix:
    """Counts ``matrix[unit, term]`` (CSR, int64) with ``vocab[term]``."""

    matrix: object  # scipy.sparse.csr_matrix
    vocab: list[str]

    @property
    def shape(self) -> tuple[int, int]:
        return self.matrix.shape

    def document_frequency(self) -> np.ndarray:
        """Number of units each term occurs in."""
        return np.bincount(self.matrix.indices, minlength=self.shape[1])

    def prune(self, *, min_df: float | int = 1, max_df: float | int = 1.0, max_features: int | None = None) -> DocumentTermMatrix:
        """Keep terms in at least ``min_df`` and at most ``max_df`` units (counts or proportions),
        then the ``max_features`` most frequent (ties broken alphabetically, as scikit-learn does).
        """
        columns = kept_terms(
            self.document_frequency(), lambda: np.asarray(self.matrix.sum(axis=0)).ravel(), self.shape[0],
            min_df=min_df, max_df=max_df, max_features=max_features,
        )
        return DocumentTermMatrix(self.matrix[:, columns].tocsr(), [self.vocab[i] for i in columns])


def kept_terms(document_frequency: np.ndarray, totals, n_units: int, *, min_df: float | int = 1, max_df: float | int = 1.0, max_features: int | None = None) -> np.ndarray:
    """The columns ``DocumentTermMatrix.prune`` keeps, from each term's ``document_frequency``
    and (called only with ``max_features``) ``totals()``, its count over the units: so that
    terms counted a chunk at a time (``topics --batch``) are pruned exactly as a matrix is.
    Columns are in vocabulary (alphabetical) order, which breaks ties of ``max_features``."""
    low = _as_count(check_fraction_or_count("min_df", min_df), n_units)
    high = _as_count(check_fraction_or_count("max_df", max_df), n_units)
    df = np.asarray(document_frequency)
    keep = (df >= low) & (df <= high)
    if max_features is not None:
        check_int("max_features", max_features, minimum=1)
        counts = np.asarray(totals() if callable(totals) else totals)
        candidates = np.flatnonzero(keep)
        # Highest count first; equal counts in vocabulary (alphabetical) order.
        order = candidates[np.lexsort((candidates, -counts[candidates]))]
        keep = np.zeros_like(keep)
        keep[order[:max_features]] = True
    return np.flatnonzero(keep)


def _as_count(value: float | int, n_units: int) -> float:
    return value * n_units if isinstance(value, float) else value


def document_term_matrix(
    features: Features,
    unit_of_token: np.ndarray,
    n_units: int,
    *,
    ngram: tuple[int, int] = (1, 1),
    sentence: np.ndarray | None = None,
) -> DocumentTermMatrix:
    """Count features per unit; ``unit_of_token`` is -1 for tokens outside every unit.

    ``ngram=(1, 2)`` adds bigrams of consecutive kept tokens that share a unit (and a
    sentence, when ``sentence`` numbers are given).
    """
    from scipy import sparse

    low, high = ngram
    check_int("ngram minimum", low, minimum=1, maximum=5)
    check_int("ngram maximum", high, minimum=low, maximum=5)
    kept = np.flatnonzero((features.ids >= 0) & (unit_of_token >= 0))
    ids = features.ids[kept].astype(np.int64)
    units = unit_of_token[kept]
    groups = units if sentence is None else units * (int(sentence.max(initial=0)) + 1) + sentence[kept]

    rows, columns, vocab = [], [], []
    for n in range(low, high + 1):
        term_ids, term_units, term_vocab = _ngrams(ids, units, groups, features.vocab, n)
        rows.append(term_units)
        columns.append(term_ids + len(vocab))
        vocab.extend(term_vocab)
    row = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    column = np.concatenate(columns) if columns else np.zeros(0, dtype=np.int64)
    matrix = sparse.csr_matrix(
        (np.ones(len(row), dtype=np.int64), (row, column)), shape=(n_units, len(vocab))
    )
    matrix.sum_duplicates()
    order = np.argsort(np.array(vocab, dtype=object), kind="stable") if vocab else np.zeros(0, dtype=np.int64)
    return DocumentTermMatrix(matrix[:, order].tocsr(), [vocab[i] for i in order])


def _ngrams(ids: np.ndarray, units: np.ndarray, groups: np.ndarray, vocab: list[str], n: int):
    """Ids (dense, 0-based), units and spellings of every n-gram in the kept-token stream."""
    if n == 1:
        # What np.unique(ids, return_inverse=True) gives, by counting instead of sorting.
        present = np.bincount(ids, minlength=len(vocab)) > 0
        term_of_id = np.cumsum(present) - 1
        return term_of_id[ids], units, [vocab[i] for i in np.flatnonzero(present)]
    if len(ids) < n:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), []
    starts = np.arange(len(ids) - n + 1)
    same = np.ones(len(starts), dtype=bool)
    for offset in range(1, n):
        same &= groups[starts + offset] == groups[starts]
    starts = starts[same]
    windows = np.stack([ids[starts + offset] for offset in range(n)], axis=1)
    used, term_ids = np.unique(windows, axis=0, return_inverse=True)
    spellings = [" ".join(vocab[i] for i in row) for row in used.tolist()]
    return term_ids.ravel(), units[starts], spellings


def require_terms(dtm: DocumentTermMatrix, hint: str) -> None:
    """A ``UsageError`` with a hint when no term survived the filters."""
    if dtm.shape[1] == 0:
        raise UsageError(f"no terms remain after filtering; {hint}")

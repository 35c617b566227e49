"""TF-IDF weights of a unit × term count matrix, with numpy and scipy only.

The formula is scikit-learn's ``TfidfTransformer(sublinear_tf=True)`` (smooth idf, rows
scaled to unit length), written out so that a topic model need not import scikit-learn
(~1 s here); ``tests/analysis/topics/test_topic_math.py`` compares the two::

    >>> from scipy import sparse
    >>> counts = sparse.csr_matrix(np.array([[3, 0, 1], [0, 2, 1]]))
    >>> tfidf = Tfidf.fit(counts)
    >>> np.round(tfidf.idf, 4)
    array([1.4055, 1.4055, 1.    ])
    >>> np.round(tfidf.transform(counts).toarray(), 4)
    array([[0.9471, 0.    , 0.3211],
           [0.    , 0.9219, 0.3874]])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Tfidf:
    """Inverse document frequencies learnt from counts: ``idf = ln((1 + n) / (1 + df)) + 1``
    for ``n`` units, ``df`` of them containing the term."""

    idf: np.ndarray

    @classmethod
    def fit(cls, counts) -> Tfidf:
        """The idf of every column of ``counts`` (scipy sparse CSR, units × terms)."""
        n_units = counts.shape[0]
        document_frequency = np.bincount(counts.indices, minlength=counts.shape[1]).astype(np.float64)
        idf = np.full_like(document_frequency, n_units + 1.0)
        idf /= document_frequency + 1.0
        np.log(idf, out=idf)
        return cls(idf + 1.0)

    def transform(self, counts):
        """Weights ``(1 + ln tf) × idf`` per cell of ``counts``, each row then divided by its
        Euclidean length (rows without terms stay zero); CSR float64 of the same shape."""
        weights = counts.astype(np.float64, copy=True).tocsr()
        np.log(weights.data, out=weights.data)
        weights.data += 1.0
        weights.data *= self.idf[weights.indices]
        row_of_cell = np.repeat(np.arange(weights.shape[0]), np.diff(weights.indptr))
        lengths = np.sqrt(np.bincount(row_of_cell, weights=weights.data**2, minlength=weights.shape[0]))
        weights.data /= np.where(lengths > 0, lengths, 1.0)[row_of_cell]
        return weights

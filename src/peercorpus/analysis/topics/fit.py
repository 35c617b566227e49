"""Fitting one topic model to a unit × term matrix: NMF on TF-IDF (default), MiniBatchNMF, or LDA.

    weights, topic_term = fit_model(matrix, k=5, method="nmf", seed=0)
    weights.shape == (n_units, 5); topic_term.shape == (5, n_terms)

The default NMF is computed with numpy (``nmf.py``): scikit-learn's coordinate-descent
algorithm and stopping rule, tested against it, without the ~1 s cost of importing
scikit-learn. It starts from NNDSVD (Boutsidis & Gallopoulos 2008), which is deterministic
for a given seed (the seed drives the randomised SVD), so the same data, settings and seed
give the same topics. ``--method lda`` and ``--batch`` (MiniBatchNMF) use scikit-learn.
``resampled_fits`` perturbs the data (a fraction of the units) and the start (a seeded
random fill of NNDSVD's zeros) to see which topics survive.
"""

from __future__ import annotations

import warnings

import numpy as np

from .nmf import nmf

METHODS = ("nmf", "lda")


def fit_model(matrix, *, k: int, method: str, seed: int, batch: bool = False, init: str = "nndsvd"):
    """Fit ``k`` topics; return unit weights (n_units × k) and topic-term weights (k × n_terms).

    ``matrix`` is TF-IDF for NMF and raw counts for LDA; ``init`` is NMF's start
    (``"nndsvd"`` or ``"nndsvdar"``, see ``nmf.initial_factors``).

    >>> from scipy import sparse
    >>> matrix = sparse.csr_matrix(np.array([[1.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 0.9, 0.0]]))
    >>> weights, topic_term = fit_model(matrix, k=2, method="nmf", seed=0)
    >>> weights.shape, topic_term.shape
    ((3, 2), (2, 3))
    """
    if method == "nmf" and not batch:
        return nmf(matrix, k=k, seed=seed, init=init, max_iter=500)
    with warnings.catch_warnings():
        # Slow convergence is reported by the stability scores, not as a console warning.
        warnings.simplefilter("ignore")
        if method == "lda":
            from sklearn.decomposition import LatentDirichletAllocation

            model = LatentDirichletAllocation(
                n_components=k, learning_method="batch", max_iter=30, random_state=seed
            )
        else:
            from sklearn.decomposition import MiniBatchNMF

            model = MiniBatchNMF(
                n_components=k, init="nndsvda" if init == "nndsvd" else init, batch_size=1024,
                max_iter=200, random_state=seed,
            )
        weights = model.fit_transform(matrix)
    return np.asarray(weights, dtype=np.float64), np.asarray(model.components_, dtype=np.float64)


def resampled_fits(matrix, *, k: int, method: str, seed: int, samples: int, fraction: float = 0.8, batch: bool = False):
    """Topic-term matrices of ``samples`` models, each fitted to a random ``fraction`` of the
    units (drawn with ``seed``), NMF starting from NNDSVD with seeded random fill."""
    for _, _, topic_term in resampled_models(
        matrix, k=k, method=method, seed=seed, samples=samples, fraction=fraction, batch=batch
    ):
        yield topic_term


def resampled_models(matrix, *, k: int, method: str, seed: int, samples: int, fraction: float = 0.8, batch: bool = False):
    """As ``resampled_fits``, yielding ``(rows, weights, topic_term)``: the units drawn (sorted
    indices into ``matrix``), their topic weights and the topic-term matrix."""
    rng = np.random.default_rng(seed)
    n_units = matrix.shape[0]
    size = max(k, int(round(fraction * n_units)))
    for sample in range(samples):
        rows = np.sort(rng.choice(n_units, size=min(size, n_units), replace=False))
        weights, topic_term = fit_model(
            matrix[rows], k=k, method=method, seed=seed + 1 + sample, batch=batch, init="nndsvdar"
        )
        yield rows, weights, topic_term

"""How far to trust a topic: NPMI coherence, and stability of its top terms across resampled fits.

Both are small pure functions over matrices, used by ``topics`` for every topic and by the
choice of k (``choose_k``)::

    npmi = topic_coherence(counts, top_terms)          # one value per topic, in [-1, 1]
    agreement = ranking_agreement(reference, other)    # per reference topic, Jaccard in [0, 1]

References: Bouma (2009) for NPMI; Röder, Both & Hinneburg (2015) for coherence over
top-10 terms; Greene, O'Callaghan & Cunningham (2014), "How many topics? Stability analysis
for topic models", for term-ranking agreement between models fitted to resampled data.
"""

from __future__ import annotations

import numpy as np

_EPSILON = 1e-12


def top_terms(topic_term: np.ndarray, n: int) -> np.ndarray:
    """Column indices of the ``n`` heaviest terms of every topic (ties: lower index first)."""
    n = min(n, topic_term.shape[1])
    order = np.argsort(-topic_term, axis=1, kind="stable")
    return order[:, :n]


def topic_coherence(counts, terms: np.ndarray) -> np.ndarray:
    """Mean NPMI of all pairs among each topic's ``terms``, from co-occurrence in the units.

    ``counts`` is the unit × term matrix (sparse); a pair never seen together scores -1,
    a pair always seen together +1 (Bouma 2009). Returns one value per row of ``terms``.
    """
    presence = (counts > 0).astype(np.float64).tocsc()
    n_units = max(presence.shape[0], 1)
    return np.asarray([_mean_npmi((block.T @ block).toarray() / n_units) for block in (presence[:, row] for row in terms)])


def coherence_from_cooccurrence(together: np.ndarray, columns: np.ndarray, terms: np.ndarray, n_units: int) -> np.ndarray:
    """``topic_coherence`` from counts already summed (``topics --batch``, a chunk at a time):
    ``together[i, j]`` is the number of units where terms ``columns[i]`` and ``columns[j]``
    both occur (``columns`` sorted, holding every term of ``terms``); the same numbers as
    ``topic_coherence`` over the whole matrix (the counts are whole numbers, summed exactly)."""
    n_units = max(n_units, 1)
    scores = []
    for row in terms:
        at = np.searchsorted(columns, row)
        scores.append(_mean_npmi(together[np.ix_(at, at)] / n_units))
    return np.asarray(scores)


def _mean_npmi(together: np.ndarray) -> float:
    """Mean NPMI of the pairs of a block of co-occurrence shares (diagonal: each term's share)."""
    alone = np.diag(together)
    upper = np.triu_indices(together.shape[0], k=1)
    joint = together[upper]
    expected = alone[upper[0]] * alone[upper[1]]
    with np.errstate(divide="ignore", invalid="ignore"):
        pmi = np.log((joint + _EPSILON) / np.maximum(expected, _EPSILON))
        npmi = pmi / -np.log(joint + _EPSILON)
    npmi = np.where(joint > 0, npmi, -1.0)
    return float(np.clip(npmi, -1, 1).mean()) if len(joint) else 0.0


def jaccard_matrix(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Jaccard similarity of every pair of term sets (rows of two top-term arrays)."""
    out = np.zeros((len(first), len(second)))
    sets = [set(row.tolist()) for row in second]
    for i, row in enumerate(first):
        mine = set(row.tolist())
        for j, other in enumerate(sets):
            out[i, j] = len(mine & other) / len(mine | other)
    return out


def align_topics(similarity: np.ndarray) -> np.ndarray:
    """For each reference topic (row), the matching topic (column): the one-to-one assignment
    maximising total similarity (Hungarian algorithm)."""
    from scipy.optimize import linear_sum_assignment

    rows, columns = linear_sum_assignment(-similarity)
    match = np.full(similarity.shape[0], -1, dtype=np.int64)
    match[rows] = columns
    return match


def ranking_agreement(reference: np.ndarray, other: np.ndarray) -> np.ndarray:
    """Per reference topic, the Jaccard similarity of its top terms with its aligned topic."""
    similarity = jaccard_matrix(reference, other)
    match = align_topics(similarity)
    return np.array([similarity[i, j] if j >= 0 else 0.0 for i, j in enumerate(match)])


def partition_agreement(first, second) -> float:
    """Normalised mutual information of two labellings of the same items (arithmetic-mean
    normalisation, as scikit-learn's ``normalized_mutual_info_score``): 1 when they group the
    items identically whatever the label names, 0 when independent. Two single-group
    labellings agree perfectly (1.0)."""
    first = np.unique(np.asarray(first), return_inverse=True)[1]
    second = np.unique(np.asarray(second), return_inverse=True)[1]
    n = len(first)
    if n == 0:
        return 1.0
    table = np.zeros((first.max() + 1, second.max() + 1))
    np.add.at(table, (first, second), 1.0)
    p = table / n
    p_first, p_second = p.sum(axis=1), p.sum(axis=0)
    entropy_first = -np.sum(p_first[p_first > 0] * np.log(p_first[p_first > 0]))
    entropy_second = -np.sum(p_second[p_second > 0] * np.log(p_second[p_second > 0]))
    if entropy_first == 0 and entropy_second == 0:
        return 1.0
    nonzero = p > 0
    mutual = np.sum(p[nonzero] * np.log(p[nonzero] / np.outer(p_first, p_second)[nonzero]))
    return float(max(0.0, mutual / ((entropy_first + entropy_second) / 2)))


def adjusted_rand(first, second) -> float:
    """Adjusted Rand index of two labellings of the same items (Hubert & Arabie 1985, as
    scikit-learn's ``adjusted_rand_score``): the share of pairs of items both labellings put
    together or apart, corrected for chance; 1 for the same grouping, about 0 for unrelated
    ones. Two labellings that each put every item in one group agree perfectly (1.0)."""
    first = np.unique(np.asarray(first), return_inverse=True)[1]
    second = np.unique(np.asarray(second), return_inverse=True)[1]
    n = len(first)
    if n < 2:
        return 1.0
    table = np.zeros((first.max() + 1, second.max() + 1))
    np.add.at(table, (first, second), 1.0)

    def pairs(counts):
        return float(np.sum(counts * (counts - 1) / 2))

    together = pairs(table)
    in_first, in_second = pairs(table.sum(axis=1)), pairs(table.sum(axis=0))
    expected = in_first * in_second / (n * (n - 1) / 2)
    maximum = (in_first + in_second) / 2
    if maximum == expected:
        return 1.0
    return float((together - expected) / (maximum - expected))

"""Our TF-IDF and NMF against scikit-learn's, which a default topic model no longer imports."""

import warnings

import numpy as np
import pytest
from scipy import sparse

from conftest import heavy_imports_of_warm_command
from peercorpus.analysis.topics.nmf import _sweep, initial_factors, nmf, randomized_svd
from peercorpus.analysis.topics.quality import ranking_agreement, top_terms
from peercorpus.analysis.topics.tfidf import Tfidf


def _random_counts(seed: int, shape=(60, 45)):
    rng = np.random.default_rng(seed)
    counts = rng.poisson(1.5, shape) * (rng.random(shape) < 0.3)
    counts[4] = 0  # a unit without terms
    return sparse.csr_matrix(counts)


def _planted(seed: int, k: int = 4, n: int = 120, m: int = 80):
    """Non-negative data made of ``k`` topics with mostly disjoint terms, plus noise."""
    rng = np.random.default_rng(seed)
    H = rng.random((k, m)) * (np.arange(m)[None, :] % k == np.arange(k)[:, None])
    W = rng.random((n, k)) ** 3
    return sparse.csr_matrix(W @ H + 0.05 * rng.random((n, m)) * (rng.random((n, m)) < 0.2))


def _sklearn_nmf(matrix, k: int, seed: int, init: str):
    from sklearn.decomposition import NMF

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = NMF(n_components=k, init=init, max_iter=500, random_state=seed)
        return model.fit_transform(matrix), model.components_


def _error(matrix, W, H) -> float:
    return float(np.linalg.norm(matrix.toarray() - W @ H))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_tfidf_is_scikit_learns_sublinear_smooth_l2(seed):
    from sklearn.feature_extraction.text import TfidfTransformer

    counts = _random_counts(seed)
    theirs = TfidfTransformer(sublinear_tf=True).fit(counts)
    ours = Tfidf.fit(counts)
    assert np.allclose(ours.idf, theirs.idf_)
    assert np.allclose(ours.transform(counts).toarray(), theirs.transform(counts).toarray())
    other = _random_counts(seed + 10)
    assert np.allclose(ours.transform(other).toarray(), theirs.transform(other).toarray())


@pytest.mark.parametrize("shape", [(60, 200), (200, 60)])
def test_randomized_svd_and_nndsvd_start_are_scikit_learns(shape):
    from sklearn.decomposition._nmf import _initialize_nmf
    from sklearn.utils.extmath import randomized_svd as sklearn_randomized_svd

    matrix = sparse.random(*shape, density=0.2, random_state=3, format="csr")
    for mine, theirs in zip(randomized_svd(matrix, 5, seed=7), sklearn_randomized_svd(matrix, 5, random_state=7)):
        assert np.allclose(mine, theirs)
    for init in ("nndsvd", "nndsvdar"):
        for mine, theirs in zip(initial_factors(matrix, k=5, seed=7, init=init), _initialize_nmf(matrix, 5, init=init, random_state=7)):
            assert np.allclose(mine, theirs)


@pytest.mark.parametrize("data", ["random", "planted"])
@pytest.mark.parametrize("init", ["nndsvd", "nndsvdar"])
def test_nmf_matches_scikit_learn_error_and_topics(data, init):
    k = 4
    for seed in (0, 5):
        matrix = Tfidf.fit(_random_counts(seed)).transform(_random_counts(seed)) if data == "random" else _planted(seed, k)
        W, H = nmf(matrix, k=k, seed=seed, init=init, max_iter=500)
        their_W, their_H = _sklearn_nmf(matrix, k, seed, init)
        assert (W >= 0).all() and (H >= 0).all()
        assert _error(matrix, W, H) == pytest.approx(_error(matrix, their_W, their_H), rel=0.01)
        assert (ranking_agreement(top_terms(their_H, 10), top_terms(H, 10)) == 1.0).all()


def test_nmf_recovers_planted_topics_and_is_deterministic():
    matrix = _planted(11)
    W, H = nmf(matrix, k=4, seed=3)
    again = nmf(matrix, k=4, seed=3)
    assert np.array_equal(W, again[0]) and np.array_equal(H, again[1])
    # Each topic's heaviest terms are the terms of one planted topic (term index mod 4).
    assert sorted({int(set(row % 4).pop()) for row in top_terms(H, 10) if len(set(row % 4)) == 1}) == [0, 1, 2, 3]


def test_nmf_runs_blas_on_one_thread_each_time_and_gives_the_threads_back(monkeypatch):
    import scipy.linalg  # noqa: F401  (scipy's own BLAS loaded before, as nmf loads it)
    from threadpoolctl import threadpool_info

    from peercorpus.analysis.topics import nmf as nmf_module

    def blas_threads():
        return {lib["filepath"]: lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"}

    before = blas_threads()
    seen = []
    fit = nmf_module._fit
    monkeypatch.setattr(nmf_module, "_fit", lambda *args, **kwargs: (seen.append(blas_threads()), fit(*args, **kwargs))[1])
    for _ in range(2):  # the second fit reuses the libraries the first looked up
        nmf(_random_counts(0), k=3, seed=0)
    assert len(seen) == 2 and all(threads and set(threads.values()) == {1} for threads in seen), seen
    assert blas_threads() == before


def _plain_sweep(factor, gram, projection):
    """``nmf._sweep`` as the formula reads, one row after another (what it was before it was
    written with fewer numpy calls)."""
    violation = 0.0
    for t in range(factor.shape[0]):
        gradient = gram[t] @ factor - projection[t]
        projected = np.where(factor[t] == 0, np.minimum(gradient, 0.0), gradient)
        violation += float(np.abs(projected).sum())
        if gram[t, t] != 0:
            factor[t] = np.maximum(factor[t] - gradient / gram[t, t], 0.0)
    return violation


def test_a_sweep_gives_the_plain_loops_values_bit_for_bit():
    """Sizes around numpy's pairwise-summation blocks (8, 128), zeros in the factor, a zero on
    the diagonal (that row is left as it is), scales far apart."""
    rng = np.random.default_rng(1)
    for trial in range(300):
        k = int(rng.integers(1, 14))
        m = int(rng.choice([1, 7, 8, 9, 100, 127, 128, 129, 257, 1000]))
        factor = rng.random((k, m)) * rng.choice([1e-3, 1.0, 1e3])
        factor[rng.random((k, m)) < 0.4] = 0
        root = rng.random((k, k))
        gram = root @ root.T
        if trial % 7 == 0:
            gram[0, 0] = 0
        projection = (rng.random((m, k)) * 5).T  # a transposed product, as nmf passes it
        expected, got = factor.copy(), factor.copy()
        assert _sweep(got, gram, projection) == _plain_sweep(expected, gram, projection)
        assert got.tobytes() == expected.tobytes()


def test_nndsvd_needs_k_at_most_the_smaller_side():
    with pytest.raises(ValueError, match="k ≤ min"):
        initial_factors(np.ones((3, 2)), k=3, seed=0)


@pytest.mark.slow
def test_warm_default_topics_run_imports_neither_scikit_learn_nor_nltk(planted_corpus, tmp_path):
    # A cold run tokenises with NLTK's tokenizers; a warm default run needs none of these.
    folder, _ = planted_corpus
    args = ("topics", str(folder), "--k", "3", "--unit", "document", "-f", "json")
    modules = ("sklearn", "nltk", "matplotlib")
    assert heavy_imports_of_warm_command(folder, tmp_path / "cache", *args, modules=modules) == (False, False, False)

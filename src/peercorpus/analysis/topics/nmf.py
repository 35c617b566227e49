"""Non-negative matrix factorisation X ≈ W H (Frobenius loss), with numpy and scipy only.

The same algorithm as scikit-learn's ``NMF(init="nndsvd", solver="cd")`` without
regularisation, written out so that a default topic model need not import scikit-learn
(~1 s here); ``tests/analysis/topics/test_topic_math.py`` checks it against scikit-learn:

- start: NNDSVD (Boutsidis & Gallopoulos 2008) from scikit-learn's randomised SVD (Halko,
  Martinsson & Tropp 2011: Gaussian projection from ``numpy.random.RandomState(seed)``, LU
  power iterations, QR, small SVD), or ``"nndsvdar"``: NNDSVD with its zeros filled with small
  seeded random values (used to perturb the start of resampled fits);
- updates: cyclic coordinate descent (Cichocki & Phan 2009, HALS): for fixed H every row of W
  is an independent least-squares problem, so W is updated one topic (column) at a time for
  all rows at once, then H the same way;
- stop: when the projected-gradient violation of a sweep falls to ``tol`` times the first
  sweep's, or after ``max_iter`` sweeps.

    >>> from scipy import sparse
    >>> X = sparse.csr_matrix(np.array([[2.0, 2.0, 0.0, 0.0], [0.0, 0.0, 3.0, 3.0], [1.0, 1.0, 0.0, 0.0]]))
    >>> W, H = nmf(X, k=2, seed=0)
    >>> np.round(W @ H, 3)
    array([[2., 2., 0., 0.],
           [0., 0., 3., 3.],
           [1., 1., 0., 0.]])
"""

from __future__ import annotations

import numpy as np

INITS = ("nndsvd", "nndsvdar")


def nmf(matrix, *, k: int, seed: int, init: str = "nndsvd", tol: float = 1e-4, max_iter: int = 200):
    """Factorise ``matrix`` (n × m, non-negative, scipy sparse or dense) into W (n × k) and
    H (k × m), both non-negative, minimising ‖X − WH‖²; deterministic for a ``seed``.

    >>> W, H = nmf(np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]), k=2, seed=0)
    >>> W.shape, H.shape
    ((3, 2), (2, 2))
    """
    # Every dense product here has k (+ 10) columns: BLAS threads gain nothing on such thin
    # matrices and, when other processes hold the cores, wait for them (2-6x slower here).
    with one_blas_thread():
        return _fit(matrix, k=k, seed=seed, init=init, tol=tol, max_iter=max_iter)


_BLAS = None  # threadpoolctl's ThreadpoolController: the BLAS libraries loaded, looked up once


def one_blas_thread():
    """A context in which numpy's and scipy's BLAS run on one thread: threadpoolctl's
    ``threadpool_limits(limits=1, user_api="blas")``, with the process' libraries looked up
    once instead of on every call (~3.5 ms each: k auto fits NMF about a hundred times)."""
    global _BLAS
    if _BLAS is None:
        import scipy.linalg  # noqa: F401  (loads scipy's own BLAS, so that the limit covers it)
        from threadpoolctl import ThreadpoolController

        _BLAS = ThreadpoolController()
    return _BLAS.limit(limits=1, user_api="blas")


def _fit(matrix, *, k: int, seed: int, init: str, tol: float, max_iter: int):
    """``nmf`` without the thread limit: NNDSVD start, then sweeps of W and H until the stop rule."""
    W, H = initial_factors(matrix, k=k, seed=seed, init=init)
    columns = matrix.T.tocsr() if hasattr(matrix, "tocsr") else np.ascontiguousarray(matrix.T)
    # Rows of ``rows_of_W`` are W's columns: the solver updates one topic at a time.
    rows_of_W = np.ascontiguousarray(W.T)
    first_violation = None
    for _ in range(max_iter):
        violation = _sweep(rows_of_W, H @ H.T, np.asarray(matrix @ H.T).T)
        violation += _sweep(H, rows_of_W @ rows_of_W.T, np.asarray(columns @ rows_of_W.T).T)
        if first_violation is None:
            first_violation = violation
        if first_violation == 0 or violation / first_violation <= tol:
            break
    return rows_of_W.T.copy(), H


def _sweep(factor: np.ndarray, gram: np.ndarray, projection: np.ndarray) -> float:
    """One pass of coordinate descent over the rows of ``factor`` (k × m, updated in place):
    minimise ‖Y − Aᵀ factor‖² for the fixed other factor A (for H: Y = X, A = Wᵀ; for Wᵀ:
    Y = Xᵀ, A = H), given ``gram`` = A Aᵀ (k × k) and ``projection`` = A Y (k × m). Returns
    the summed absolute projected gradient before the update (scikit-learn's "violation")."""
    # The arithmetic of the plain loop, value for value (tests/analysis/topics/test_topic_math.py):
    #     for t: gradient = gram[t] @ factor - projection[t]
    #            violation += |where(factor[t] == 0, min(gradient, 0), gradient)|.sum()
    #            factor[t] = max(factor[t] - gradient / gram[t, t], 0)
    # with fewer numpy calls, whose fixed cost is most of the time on a topic model's small
    # matrices: row t changes only at its own step, so its zeros before the update are the
    # zeros at the start, and every row's violation is summed after the loop (each row summed
    # on its own, pairwise as before, and added in order).
    gradients = np.empty_like(factor)
    at_zero = factor == 0
    for t, step in enumerate(gram.diagonal().tolist()):
        gradient = np.subtract(gram[t] @ factor, projection[t], out=gradients[t])
        if step != 0:
            row = factor[t]
            row -= gradient / step
            np.maximum(row, 0.0, out=row)
    projected = np.minimum(gradients, 0.0, where=at_zero, out=gradients.copy())
    violation = 0.0
    for row_sum in np.abs(projected, out=projected).sum(axis=1).tolist():
        violation += row_sum
    return violation


def initial_factors(matrix, *, k: int, seed: int, init: str = "nndsvd", eps: float = 1e-6):
    """NNDSVD start (W, H) from the ``k`` leading singular triplets: each triplet's dominant
    sign-consistent part; ``"nndsvdar"`` fills the zeros with |N(0, 1)| × mean(X) / 100
    drawn from ``RandomState(seed)``, as scikit-learn's ``_initialize_nmf`` does.

    >>> W, H = initial_factors(np.array([[1.0, 0.0], [0.0, 2.0]]), k=1, seed=0)
    >>> np.round(H, 3)
    array([[0.   , 1.414]])
    """
    if init not in INITS:
        raise ValueError(f"init must be one of {', '.join(INITS)}; got {init!r}")
    if k > min(matrix.shape):
        raise ValueError(f"NNDSVD needs k ≤ min(n_samples, n_features) = {min(matrix.shape)}; got {k}")
    U, S, V = randomized_svd(matrix, k, seed=seed)
    W = np.zeros_like(U)
    H = np.zeros_like(V)
    # The leading singular vectors of a non-negative matrix are non-negative (up to sign).
    W[:, 0] = np.sqrt(S[0]) * np.abs(U[:, 0])
    H[0, :] = np.sqrt(S[0]) * np.abs(V[0, :])
    for j in range(1, k):
        x, y = U[:, j], V[j, :]
        x_p, y_p = np.maximum(x, 0), np.maximum(y, 0)
        x_n, y_n = np.abs(np.minimum(x, 0)), np.abs(np.minimum(y, 0))
        x_p_norm, y_p_norm = np.sqrt(x_p @ x_p), np.sqrt(y_p @ y_p)
        x_n_norm, y_n_norm = np.sqrt(x_n @ x_n), np.sqrt(y_n @ y_n)
        m_p, m_n = x_p_norm * y_p_norm, x_n_norm * y_n_norm
        if m_p > m_n:
            u, v, sigma = x_p / x_p_norm, y_p / y_p_norm, m_p
        else:
            u, v, sigma = x_n / x_n_norm, y_n / y_n_norm, m_n
        scale = np.sqrt(S[j] * sigma)
        W[:, j] = scale * u
        H[j, :] = scale * v
    W[W < eps] = 0
    H[H < eps] = 0
    if init == "nndsvdar":
        rng = np.random.RandomState(seed)
        mean = matrix.mean()
        W[W == 0] = abs(mean * rng.standard_normal(size=int((W == 0).sum())) / 100)
        H[H == 0] = abs(mean * rng.standard_normal(size=int((H == 0).sum())) / 100)
    return W, H


def randomized_svd(matrix, k: int, *, seed: int, oversamples: int = 10):
    """The ``k`` leading singular triplets (U n × k, S k, V k × m) of ``matrix``, by
    scikit-learn's ``randomized_svd`` (Halko et al. 2011) with its defaults: 7 LU-normalised
    power iterations (4 when k ≥ 10% of the smaller side), the wider side projected, signs
    chosen so that the largest entry of each left singular vector is positive.

    >>> U, S, V = randomized_svd(np.diag([3.0, 2.0, 1.0]), 2, seed=0)
    >>> np.round(S, 6)
    array([3., 2.])
    """
    from scipy import linalg

    n_iter = 7 if k < 0.1 * min(matrix.shape) else 4
    transpose = matrix.shape[0] < matrix.shape[1]
    M = matrix.T if transpose else matrix
    Q = np.random.RandomState(seed).normal(size=(M.shape[1], k + oversamples))
    for _ in range(n_iter):
        Q, _ = linalg.lu(M @ Q, permute_l=True, check_finite=False)
        Q, _ = linalg.lu(M.T @ Q, permute_l=True, check_finite=False)
    Q, _ = linalg.qr(M @ Q, mode="economic", check_finite=False)
    U_small, S, Vt = linalg.svd(np.asarray(Q.T @ M), full_matrices=False, lapack_driver="gesdd")
    U = Q @ U_small
    # Left singular vectors of the original matrix: U here, or Vt's rows when transposed.
    left = Vt if transpose else U.T
    signs = np.sign(left[np.arange(len(left)), np.argmax(np.abs(left), axis=1)])
    U *= signs
    Vt *= signs[:, None]
    if transpose:
        return Vt[:k].T, S[:k], U[:, :k].T
    return U[:, :k], S[:k], Vt[:k]

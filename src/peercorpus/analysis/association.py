"""Association and keyness measures: small vectorised formulas over contingency tables.

Shared by ``collocations``, ``collocates`` and ``keyness``; every argument may be a numpy
array (one value per word or word pair).

Keyness compares a word's frequency ``a`` in a target of ``c`` tokens with ``b`` in a
reference of ``d`` tokens (Rayson & Garside 2000)::

    log_likelihood(a, b, c, d)      # G²; p-value with chi2_p_value(g2)
    chi_square(a, b, c, d)          # Pearson's χ² of the 2×2 table, no continuity correction
    log_ratio(a, b, c, d)           # Hardie (2014): log2 of the ratio of relative frequencies
    percent_diff(a, b, c, d)        # Gabrielatos & Marchi (2012): %DIFF

Collocation measures take NLTK's marginals of a bigram (``n_ii`` the pair, ``n_ix`` the first
word, ``n_xi`` the second, ``n_xx`` all words), as ``nltk.metrics.BigramAssocMeasures`` does.
"""

from __future__ import annotations

import math

import numpy as np

#: NLTK's guard against log(0) and division by zero in its association measures.
_SMALL = 1e-20


def _xlogx_over(observed, expected):
    """``o * ln(o / e)`` with 0 · ln 0 = 0."""
    observed = np.asarray(observed, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = observed * np.log(observed / expected)
    return np.where(observed > 0, terms, 0.0)


def log_likelihood(a, b, c, d):
    """Log-likelihood G² of frequency ``a`` in ``c`` tokens against ``b`` in ``d`` tokens.

    Rayson & Garside (2000): ``E1 = c(a+b)/(c+d)``, ``E2 = d(a+b)/(c+d)``,
    ``G² = 2 (a ln(a/E1) + b ln(b/E2))``.

    >>> round(float(log_likelihood(50, 10, 10_000, 20_000)), 4)
    63.9032
    """
    a, b, c, d = (np.asarray(x, dtype=np.float64) for x in (a, b, c, d))
    e1 = c * (a + b) / (c + d)
    e2 = d * (a + b) / (c + d)
    return 2 * (_xlogx_over(a, e1) + _xlogx_over(b, e2))


def chi_square(a, b, c, d):
    """Pearson's χ² of the 2×2 table [[a, b], [c-a, d-b]] (no Yates correction)."""
    a, b, c, d = (np.asarray(x, dtype=np.float64) for x in (a, b, c, d))
    n = c + d
    other_a, other_b = c - a, d - b
    numerator = n * (a * other_b - b * other_a) ** 2
    denominator = (a + b) * (other_a + other_b) * c * d
    return np.divide(numerator, denominator, out=np.zeros_like(numerator), where=denominator > 0)


def log_ratio(a, b, c, d):
    """Hardie (2014): ``log2((a/c) / (b/d))``, a zero frequency counted as 0.5.

    >>> float(log_ratio(40, 10, 1000, 1000))
    2.0
    """
    a, b, c, d = (np.asarray(x, dtype=np.float64) for x in (a, b, c, d))
    return np.log2((np.where(a > 0, a, 0.5) / c) / (np.where(b > 0, b, 0.5) / d))


def percent_diff(a, b, c, d):
    """Gabrielatos & Marchi (2012): ``(NF_target - NF_reference) * 100 / NF_reference``
    on frequencies per million; infinite when the reference never has the word.

    >>> float(percent_diff(30, 10, 1000, 1000))
    200.0
    """
    a, b, c, d = (np.asarray(x, dtype=np.float64) for x in (a, b, c, d))
    target, reference = a / c * 1e6, b / d * 1e6
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(reference > 0, (target - reference) * 100 / np.where(reference > 0, reference, 1), np.inf)


def chi2_p_value(statistic):
    """Upper-tail p-value of a χ² statistic with one degree of freedom: ``erfc(√(x/2))``."""
    values = np.atleast_1d(np.asarray(statistic, dtype=np.float64))
    return np.array([math.erfc(math.sqrt(max(x, 0.0) / 2)) for x in values])


# --- bigram association (NLTK's BigramAssocMeasures, vectorised) ---------------------------


def _bigram_table(n_ii, n_ix, n_xi, n_xx):
    """Observed cells (n_ii, n_oi, n_io, n_oo) and expected cells of NLTK's 2×2 table."""
    n_ii, n_ix, n_xi, n_xx = (np.asarray(x, dtype=np.float64) for x in (n_ii, n_ix, n_xi, n_xx))
    n_oi = n_xi - n_ii
    n_io = n_ix - n_ii
    n_oo = n_xx - n_ii - n_oi - n_io
    observed = (n_ii, n_oi, n_io, n_oo)
    expected = (
        (n_ii + n_io) * (n_ii + n_oi) / n_xx,
        (n_oi + n_oo) * (n_ii + n_oi) / n_xx,
        (n_ii + n_io) * (n_io + n_oo) / n_xx,
        (n_oi + n_oo) * (n_io + n_oo) / n_xx,
    )
    return observed, expected


def bigram_likelihood_ratio(n_ii, n_ix, n_xi, n_xx):
    """Dunning's (1993) log-likelihood ratio, as NLTK computes it."""
    observed, expected = _bigram_table(n_ii, n_ix, n_xi, n_xx)
    return 2 * sum(o * np.log(o / (e + _SMALL) + _SMALL) for o, e in zip(observed, expected))


def bigram_pmi(n_ii, n_ix, n_xi, n_xx):
    """Pointwise mutual information, log2 (Church & Hanks 1990)."""
    n_ii, n_ix, n_xi, n_xx = (np.asarray(x, dtype=np.float64) for x in (n_ii, n_ix, n_xi, n_xx))
    return np.log2(n_ii * n_xx) - np.log2(n_ix * n_xi)


def bigram_student_t(n_ii, n_ix, n_xi, n_xx):
    """Student's t as NLTK computes it: ``(n_ii - n_ix n_xi / n_xx) / √(n_ii)``."""
    n_ii, n_ix, n_xi, n_xx = (np.asarray(x, dtype=np.float64) for x in (n_ii, n_ix, n_xi, n_xx))
    return (n_ii - n_ix * n_xi / n_xx) / (np.sqrt(n_ii) + _SMALL)


def bigram_chi_square(n_ii, n_ix, n_xi, n_xx):
    """Pearson's χ² of the bigram table (NLTK: ``n_xx * phi_sq``)."""
    n_ii, n_ix, n_xi, n_xx = (np.asarray(x, dtype=np.float64) for x in (n_ii, n_ix, n_xi, n_xx))
    n_oi = n_xi - n_ii
    n_io = n_ix - n_ii
    n_oo = n_xx - n_ii - n_oi - n_io
    phi_sq = (n_ii * n_oo - n_io * n_oi) ** 2 / ((n_ii + n_io) * (n_ii + n_oi) * (n_io + n_oo) * (n_oi + n_oo))
    return n_xx * phi_sq


def log_dice(n_ii, n_ix, n_xi):
    """Rychlý (2008): ``14 + log2(2 n_ii / (n_ix + n_xi))``; at most 14."""
    n_ii, n_ix, n_xi = (np.asarray(x, dtype=np.float64) for x in (n_ii, n_ix, n_xi))
    return 14 + np.log2(2 * n_ii / (n_ix + n_xi))


BIGRAM_MEASURES = {
    "likelihood": bigram_likelihood_ratio,
    "pmi": bigram_pmi,
    "t": bigram_student_t,
    "chi2": bigram_chi_square,
}

"""Choosing the number of topics from the data (``--k auto``), with every score shown.

For each k in the range the model is fitted to all units and to ``samples`` random 80%
subsets of them (NMF started from NNDSVD with a seeded random fill), and three signals are
measured:

- **consensus**: how well each resampled model reproduces the full model's grouping of the
  units: the adjusted Rand index (Hubert & Arabie 1985) between the dominant topic each gives
  the units they share, averaged over the resamples (the consensus-across-runs idea of
  Brunet et al. 2004, measured on partitions of the units; chance-corrected, so it does not
  drift up with k as mutual information does).
- **stability** (Greene, O'Callaghan & Cunningham 2014): each resampled model's topics are
  aligned to the full model's (Hungarian algorithm) and the Jaccard similarity of their top-20
  terms averaged.
- **coherence**: mean NPMI of each topic's top-10 terms over the units (Bouma 2009).

The rule: among the k where consensus has a local peak (at least as high as its neighbours in
the range) that is within ``PEAK_TOLERANCE`` (15%) of the best consensus of the range, choose
the **largest**, leaving out a k whose full model has a topic that is no unit's main topic
(``topics_used`` < k: it groups the units as a smaller k does, so its consensus is that
k's). Greene et al. show that stability is high at k=2 almost always (two broad halves are
easy to find again) and that the real structure shows as a *peak* at a larger k, not as the
maximum; taking the largest near-best peak means the smallest k is chosen only when no
larger k is nearly as reproducible. Stability and coherence are reported beside it.
k is compared on TF-IDF with idf power 1 (``topics.selection_matrix``) whatever the model's
``idf_power``: the consensus of the sharper weighting was less reliable on the corpora below.

It was designed against four labelled corpora of real text (``benchmarks/make_eval_corpora.py``,
``benchmarks/k_selection_bench.py``): BBC news (5 sections), Python's library reference (22
chapters that overlap), Reuters acquisitions vs crude oil (2), Linux man pages (5 sections,
system calls and library functions overlapping). The rule of the previous release (the most
coherent k with stability ≥ 0.8, else the best stability × coherence) chose k=5 on BBC but
k=3 on the man pages, k=5 on Reuters and k=5 on the library reference. This rule chose a k
whose NMI with the labels is within 0.05 of the best k of the range on three of the four (BBC:
k=9, a near-best peak by 0.003 over k=8, where k=5 was best), and it is not robust: adding or
removing 1% of the documents moved the choice by more than 1 in 5 of 12 trials (README,
Performance), as neighbouring k's consensus differs by less than its noise with 5 resamples.
``k_scores`` lists every k so a user can disagree and pass ``--k`` instead.
"""

from __future__ import annotations

import numpy as np

from .fit import fit_model, resampled_models
from .quality import adjusted_rand, ranking_agreement, top_terms, topic_coherence

STABILITY_TERMS = 20
COHERENCE_TERMS = 10

#: A consensus peak counts when it is at least this share of the range's best consensus.
PEAK_TOLERANCE = 0.85

#: The previous rule's threshold, used by ``pick_k`` for a table without consensus.
MIN_STABILITY = 0.8


def consensus_peaks(consensus) -> np.ndarray:
    """Per k (in order), whether its consensus is at least that of both neighbours (an end of
    the range has one neighbour)."""
    values = np.asarray(consensus, dtype=float)
    left = np.concatenate(([-np.inf], values[:-1]))
    right = np.concatenate((values[1:], [-np.inf]))
    return (values >= left) & (values >= right)


def pick_k(table, min_stability: float = MIN_STABILITY, *, tolerance: float = PEAK_TOLERANCE) -> tuple[int, str]:
    """The k the criterion above chooses from a table of k and consensus (sorted by k), and why.

    A table without a ``consensus`` column (the previous release's) is judged by the previous
    rule: the most coherent k with stability ≥ ``min_stability``, else the best
    stability × (1 + coherence) / 2.

    >>> import pandas as pd
    >>> pick_k(pd.DataFrame({"k": [2, 3, 4, 5, 6, 7], "consensus": [.98, .97, .94, .95, .91, .80]}))
    (5, 'the largest k whose consensus is a local peak within 15% of the best (0.95; best 0.98 at k=2)')
    """
    if "consensus" not in table.columns:
        return _pick_by_stability(table, min_stability)
    table = table.sort_values("k").reset_index(drop=True)
    consensus = table["consensus"].to_numpy(dtype=float)
    best = float(consensus.max())
    candidates = consensus_peaks(consensus) & (consensus >= tolerance * best - 1e-12)
    if "topics_used" in table.columns:
        # A model in which some topic is no unit's main topic groups the units as a smaller k
        # does; its consensus says nothing about k topics.
        full = (table["topics_used"] == table["k"]).to_numpy()
        if (candidates & full).any():
            candidates &= full
    candidates = table[candidates]
    chosen = candidates.iloc[-1]
    best_k = int(table["k"].iloc[int(np.argmax(consensus))])
    return int(chosen["k"]), (
        f"the largest k whose consensus is a local peak within {round((1 - tolerance) * 100):d}% of the best "
        f"({chosen['consensus']:.2f}; best {best:.2f} at k={best_k})"
    )


def _pick_by_stability(table, min_stability: float) -> tuple[int, str]:
    stable = table[table["stability"] >= min_stability]
    if len(stable):
        best = stable.sort_values(["coherence", "k"], ascending=[False, True]).iloc[0]
        return int(best["k"]), f"the most coherent k with stability ≥ {min_stability:g}"
    combined = table["stability"] * (1 + table["coherence"]) / 2
    best = table.assign(combined=combined).sort_values(["combined", "k"], ascending=[False, True]).iloc[0]
    return int(best["k"]), (
        f"no k reached stability {min_stability:g}; chose the best stability × coherence "
        "(the topics may not be well defined: compare with `runs`)"
    )


def dominant(weights: np.ndarray) -> np.ndarray:
    """Each unit's heaviest topic (-1 for a unit without terms)."""
    return np.where(weights.max(axis=1) > 0, weights.argmax(axis=1), -1)


def choose_k(matrix, counts, settings, k_range: tuple[int, int], *, progress=None, references: dict | None = None):
    """The chosen k, a DataFrame of every k's scores, per k the agreement of every resampled
    fit's topics with the full model's (samples × k, the full model's topic order), and why
    that k was chosen. ``references``, when given, receives per k the full model's top-20
    terms (k × 20 column indices)."""
    import pandas as pd

    low, high = k_range
    rows, agreements = [], {}
    total = (high - low + 1) * (settings.samples + 1)
    done = 0
    for k in range(low, high + 1):
        weights, topic_term = fit_model(matrix, k=k, method=settings.method, seed=settings.seed, batch=settings.batch)
        full_topics = dominant(weights)
        reference = top_terms(topic_term, STABILITY_TERMS)
        if references is not None:
            references[k] = reference
        coherence = float(topic_coherence(counts, top_terms(topic_term, COHERENCE_TERMS)).mean())
        done += 1
        per_sample, consensus = [], []
        for sample_rows, sample_weights, sample_topic_term in resampled_models(
            matrix, k=k, method=settings.method, seed=settings.seed, samples=settings.samples, batch=settings.batch
        ):
            per_sample.append(ranking_agreement(reference, top_terms(sample_topic_term, STABILITY_TERMS)))
            consensus.append(adjusted_rand(full_topics[sample_rows], dominant(sample_weights)))
            done += 1
            if progress:
                progress(done, total, f"choosing k (k={k})")
        agreements[k] = np.vstack(per_sample)
        stability = float(agreements[k].mean())
        rows.append(
            {
                "k": k,
                "consensus": round(float(np.mean(consensus)), 6),
                "topics_used": int(len(np.unique(full_topics[full_topics >= 0]))),
                "stability": round(stability, 6),
                "coherence": round(coherence, 6),
            }
        )
    table = pd.DataFrame(rows)
    table["peak"] = consensus_peaks(table["consensus"])
    best, reason = pick_k(table)
    table["chosen"] = table["k"] == best
    return best, table, agreements, reason

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

The rule: the **largest k whose consensus is a local peak** (at least as high as its
neighbours in the range) **and whose disagreement** (1 − consensus) **is at most
``DISAGREEMENT_RATIO`` (4) times the smallest of the range** (taken as at least
``DISAGREEMENT_FLOOR``, 0.02), leaving out a k whose full model has a topic that is no unit's
main topic (``topics_used`` < k: it groups the units as a smaller k does). Greene et al. show
that agreement is high at k=2 almost always (two broad halves are easy to find again) and that
the real structure shows as a *peak* at a larger k, not as the maximum. A tolerance relative to
the best *disagreement* is scale-free: on a corpus of crisp groups (BBC: resampled models
disagree with the full one on 1.5% of pairs at best) it keeps only the k that are nearly as
crisp, and on one of overlapping groups (Python's library reference: 28% at best, about the
same at every k from 5 to 12) it keeps them all, so the largest peak wins. The previous rule
(a peak within 15% of the best consensus, an absolute tolerance) let BBC's second peak at k=9
(disagreement 5.5 times the best) through. k is compared on the matrix the model is fitted to
(TF-IDF with ``idf_power``); stability and coherence are reported beside it, and
``consensus_sd`` (the spread of the resamples' agreement) says how noisy each consensus is.

It was designed against four labelled corpora of real text (``benchmarks/make_eval_corpora.py``,
``benchmarks/k_selection_bench.py --perturb``): BBC news (5 sections), Python's library
reference (22 chapters that overlap), Reuters acquisitions vs crude oil (2), Linux man pages
(5 sections, system calls and library functions overlapping). Every k's fits (full and 10
resamples, on both idf powers) were kept for the four corpora and for five perturbed copies of
each (three with 1% of the documents removed, two with 1% of another corpus added), and rules
were compared on them: the target was a k whose NMI with the labels is within 0.05 of the best
fixed k's, and a choice that moves by at most 1 under every perturbation. This rule, with 8
resamples, meets both on all four corpora: BBC 5 (NMI 0.878, the best), library reference 11
(0.584; best 0.585 at 12), Reuters 2 (0.895, the best), man pages 6 (0.516, the best), and
the 20 perturbed choices move by at most 1. What did not: the previous rule (BBC 9, 0.754);
the largest k within a disagreement ratio without the peak condition (man pages 7, 0.422);
ratios of 2-2.5 (perturbed man pages fall to k=3) or 5 (BBC 7); 5 resamples (BBC 7;
perturbed man pages and library reference move by 2 or more) or 7 (the last two still do); idf power 1 for the comparison (the man
pages missed at every ratio tried); the consensus among resamples instead of with the full
model, Kim & Park's dispersion and the proportion of ambiguous pairs (Şenbabaoğlu et al. 2014)
of the consensus matrix, Greene et al.'s term stability (its maximum, or this rule on it), and
the "largest drop" rule after Brunet et al. (each missed on one corpus or more). The ratio was chosen in the middle of the range that worked (3-4), from
these same corpora: a fifth corpus is the honest test. ``k_scores`` lists every k so a user
can disagree and pass ``--k`` instead.
"""

from __future__ import annotations

import numpy as np

from ...core.distinct import distinct
from .fit import fit_model, resampled_models
from .quality import adjusted_rand, ranking_agreement, top_terms, topic_coherence

STABILITY_TERMS = 20
COHERENCE_TERMS = 10

#: A k is nearly as reproducible as the best when its resampled models disagree with the full
#: model (1 − consensus) at most this many times as much as at the most reproducible k ...
DISAGREEMENT_RATIO = 4.0
#: ... where the best disagreement counts as at least this much (so that a k whose models never
#: disagree does not make every other k look unreproducible).
DISAGREEMENT_FLOOR = 0.02

#: The previous rules' settings: ``pick_k(..., rule="peak")`` (a consensus peak within 15% of
#: the best) and the rule before it for a table without consensus (stability ≥ 0.8).
PEAK_TOLERANCE = 0.85
MIN_STABILITY = 0.8


def consensus_peaks(consensus) -> np.ndarray:
    """Per k (in order), whether its consensus is at least that of both neighbours (an end of
    the range has one neighbour)."""
    values = np.asarray(consensus, dtype=float)
    left = np.concatenate(([-np.inf], values[:-1]))
    right = np.concatenate((values[1:], [-np.inf]))
    return (values >= left) & (values >= right)


def near_best(consensus, *, ratio: float = DISAGREEMENT_RATIO, floor: float = DISAGREEMENT_FLOOR) -> np.ndarray:
    """Per k, whether its disagreement (1 − consensus) is at most ``ratio`` times the smallest
    of the range (taken as at least ``floor``).

    >>> near_best([0.98, 0.96, 0.975, 0.92, 0.89]).tolist()
    [True, True, True, True, False]
    """
    disagreement = 1 - np.asarray(consensus, dtype=float)
    limit = ratio * max(float(disagreement.min()), floor)
    return disagreement <= limit + 1e-12


def pick_k(
    table, min_stability: float = MIN_STABILITY, *, ratio: float = DISAGREEMENT_RATIO,
    floor: float = DISAGREEMENT_FLOOR, rule: str = "near-best-peak",
) -> tuple[int, str]:
    """The k the criterion above chooses from a table of k and consensus (sorted by k), and why.

    ``rule="peak"`` is the previous release's (the largest consensus peak within 15% of the
    best). A table without a ``consensus`` column (the release before) is judged by its rule:
    the most coherent k with stability ≥ ``min_stability``, else the best
    stability × (1 + coherence) / 2.

    >>> import pandas as pd
    >>> pick_k(pd.DataFrame({"k": [2, 3, 4, 5, 6, 7, 8], "consensus": [.98, .97, .96, .975, .90, .91, .89]}))[0]
    5
    """
    if "consensus" not in table.columns:
        return _pick_by_stability(table, min_stability)
    table = table.sort_values("k").reset_index(drop=True)
    consensus = table["consensus"].to_numpy(dtype=float)
    best = float(consensus.max())
    best_k = int(table["k"].iloc[int(np.argmax(consensus))])
    if rule == "peak":
        candidates = consensus_peaks(consensus) & (consensus >= PEAK_TOLERANCE * best - 1e-12)
    else:
        candidates = consensus_peaks(consensus) & near_best(consensus, ratio=ratio, floor=floor)
    if "topics_used" in table.columns:
        # A model in which some topic is no unit's main topic groups the units as a smaller k
        # does; its consensus says nothing about k topics.
        full = (table["topics_used"] == table["k"]).to_numpy()
        if (candidates & full).any():
            candidates &= full
    chosen = table[candidates].iloc[-1]
    if rule == "peak":
        return int(chosen["k"]), (
            f"the largest k whose consensus is a local peak within {round((1 - PEAK_TOLERANCE) * 100):d}% of the best "
            f"({chosen['consensus']:.2f}; best {best:.2f} at k={best_k})"
        )
    return int(chosen["k"]), (
        f"the largest k whose consensus is a local peak and whose resampled models disagree with the full model "
        f"at most {ratio:g}× as much as at the most reproducible k (consensus {chosen['consensus']:.2f}; "
        f"best {best:.2f} at k={best_k})"
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


def choose_k(
    matrix, counts, settings, k_range: tuple[int, int], *, progress=None, references: dict | None = None,
    fits: dict | None = None,
):
    """The chosen k, a DataFrame of every k's scores, per k the agreement of every resampled
    fit's topics with the full model's (samples × k, the full model's topic order), and why
    that k was chosen. ``references``, when given, receives per k the full model's top-20
    terms (k × 20 column indices); ``fits``, per k the full model's (weights, topic_term)."""
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
        if fits is not None:
            fits[k] = (weights, topic_term)
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
                "topics_used": len(distinct(full_topics[full_topics >= 0])),
                "stability": round(stability, 6),
                "coherence": round(coherence, 6),
                "consensus_sd": round(float(np.std(consensus)), 6),
            }
        )
    table = pd.DataFrame(rows)
    table["peak"] = consensus_peaks(table["consensus"])
    near = near_best(table["consensus"])
    best, reason = pick_k(table)
    table["chosen"] = table["k"] == best
    # Columns of earlier releases first, in their order; new ones after them.
    table = table[["k", "consensus", "topics_used", "stability", "coherence", "peak", "chosen"]].assign(
        consensus_sd=table["consensus_sd"], near_best=near
    )
    return best, table, agreements, reason

"""Choosing the number of topics from the data (``--k auto``), with every score shown.

For each k in the range, two signals are measured:

- **stability** (Greene, O'Callaghan & Cunningham 2014): the model is refitted to
  ``samples`` random 80% subsets of the units; each refit's topics are aligned to the full
  model's (Hungarian algorithm) and the Jaccard similarity of their top-20 terms averaged.
  A k that matches real structure gives the same topics whatever the sample.
- **coherence**: mean NPMI of each topic's top-10 terms over the units (Bouma 2009).

Neither alone is enough. Stability is highest for small k almost always (two broad halves
are easy to find again), and coherence tends to rise with k (narrow topics of words that
always co-occur). The criterion combines them in the order a researcher would:

1. keep the k whose topics are reproducible: stability ≥ ``min_stability`` (0.8: on
   average 8 of a topic's top-10 terms come back when 20% of the data is left out);
2. among those, choose the most coherent k (ties: the smaller k).
3. If no k is that stable, choose the k with the best ``stability × (1 + coherence) / 2``
   and say so: the corpus may have no clear topic structure at that unit.

On BBC news (five labelled sections) stability is 0.88, 0.86, 0.89, 0.82 for k=2..5 and
falls to 0.67–0.78 for k=6..10, while coherence rises from 0.09 (k=2) to 0.30 (k=5): the rule
chooses k=5. ``k_scores`` lists every k so a user can disagree and pass ``--k`` instead.
"""

from __future__ import annotations

import numpy as np

from .topic_fit import fit_model, resampled_fits
from .topic_quality import ranking_agreement, top_terms, topic_coherence

STABILITY_TERMS = 20
COHERENCE_TERMS = 10


MIN_STABILITY = 0.8


def pick_k(table, min_stability: float = MIN_STABILITY) -> tuple[int, str]:
    """The k the criterion above chooses from a table of k, stability and coherence, and why.

    >>> import pandas as pd
    >>> pick_k(pd.DataFrame({"k": [2, 5, 8], "stability": [.88, .82, .67], "coherence": [.09, .30, .32]}))
    (5, 'the most coherent k with stability ≥ 0.8')
    """
    stable = table[table["stability"] >= min_stability]
    if len(stable):
        best = stable.sort_values(["coherence", "k"], ascending=[False, True]).iloc[0]
        return int(best["k"]), f"the most coherent k with stability ≥ {min_stability:g}"
    combined = table["stability"] * (1 + table["coherence"]) / 2
    best = table.assign(combined=combined).sort_values(["combined", "k"], ascending=[False, True]).iloc[0]
    return int(best["k"]), (
        f"no k reached stability {min_stability:g}; chose the best stability × coherence "
        "(the topics may not be well defined: compare with --runs)"
    )


def choose_k(matrix, counts, settings, k_range: tuple[int, int], *, progress=None):
    """The chosen k, a DataFrame of every k's scores, per k the agreement of every resampled
    fit's topics with the full model's (samples × k, the full model's topic order), and why
    that k was chosen."""
    import pandas as pd

    low, high = k_range
    rows, agreements = [], {}
    total = (high - low + 1) * (settings.samples + 1)
    done = 0
    for k in range(low, high + 1):
        _, topic_term = fit_model(matrix, k=k, method=settings.method, seed=settings.seed, batch=settings.batch)
        reference = top_terms(topic_term, STABILITY_TERMS)
        coherence = float(topic_coherence(counts, top_terms(topic_term, COHERENCE_TERMS)).mean())
        done += 1
        per_sample = []
        for sample_topic_term in resampled_fits(
            matrix, k=k, method=settings.method, seed=settings.seed, samples=settings.samples, batch=settings.batch
        ):
            per_sample.append(ranking_agreement(reference, top_terms(sample_topic_term, STABILITY_TERMS)))
            done += 1
            if progress:
                progress(done, total, f"choosing k (k={k})")
        agreements[k] = np.vstack(per_sample)
        stability = float(agreements[k].mean())
        rows.append(
            {
                "k": k,
                "stability": round(stability, 6),
                "coherence": round(coherence, 6),
            }
        )
    table = pd.DataFrame(rows)
    best, reason = pick_k(table)
    table["chosen"] = table["k"] == best
    return best, table, agreements, reason

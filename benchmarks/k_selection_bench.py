"""How well `--k auto` chooses k on labelled corpora of real text, and how robust the choice is.

Run: .venv/bin/python benchmarks/k_selection_bench.py [--corpora /work/evalcorpora] [--names bbc,reuters]
     [--perturb] [--k-range 2-12] [--idf-power 1.5] [--samples 8]

The corpora are made by ``benchmarks/make_eval_corpora.py`` (one folder per label); a missing
one is reported and skipped. For every corpus: the NMI between each document's dominant topic
and its label for every fixed k of the range (seed 0, as ``--k N`` fits it, with the default
``--idf-power``), the k that
``--k auto`` chooses and its NMI, and whether that is within 0.05 of the best fixed k's
(target), beside what the previous rule (``pick_k(rule="peak")``: the largest consensus peak
within 15% of the best) chooses from the same scores. ``--perturb`` also chooses k again after
removing 1% of the documents (three random draws) and after adding 1% of documents from another
corpus (two draws); the choice should move by ≤ 1. Every k's scores are printed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

NAMES = ("bbc", "pydoc", "reuters", "manpages")
#: For the "add 1%" perturbation, documents come from this other corpus.
DONOR = {"bbc": "manpages", "manpages": "pydoc", "pydoc": "reuters", "reuters": "bbc"}


def labels_of(corpus) -> list[str]:
    return [Path(d.path).parent.name for d in corpus.documents]


SAMPLES = None  # None: TopicSettings' default (--samples of topics)


def choose(corpus, k_range, idf_power):
    """What ``topics(corpus, k="auto")`` chooses, its k_scores, and the matrix models are fitted to."""
    from peercorpus.analysis.topics.model import TopicSettings, prepare, selection_matrix
    from peercorpus.analysis.topics.selection import choose_k
    from peercorpus.config import TokenizeSettings

    samples = {} if SAMPLES is None else {"samples": SAMPLES}
    settings = TopicSettings(k="auto", k_range=k_range, unit="document", idf_power=idf_power, **samples).checked()
    _, _, counts, tfidf, _, _ = prepare(corpus, settings, TokenizeSettings())
    k, table, _, reason = choose_k(selection_matrix(settings, counts, tfidf), counts.matrix, settings, k_range)
    return k, table, tfidf


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", type=Path, default=Path("/work/evalcorpora"))
    parser.add_argument("--names", default=",".join(NAMES))
    parser.add_argument("--k-range", default="2-12")
    parser.add_argument("--perturb", action="store_true")
    parser.add_argument("--idf-power", type=float, default=1.5)
    parser.add_argument("--samples", type=int, default=None, help="resamples per k (--samples of topics; default: its default, 8)")
    parser.add_argument("--cache-dir", type=Path, default=Path(tempfile.gettempdir()) / "pc-eval-cache")
    args = parser.parse_args()
    from sklearn.metrics import normalized_mutual_info_score as nmi

    from peercorpus import load_corpus
    from peercorpus.analysis.topics.fit import fit_model
    from peercorpus.analysis.topics.selection import pick_k

    global SAMPLES
    SAMPLES = args.samples
    low, high = (int(x) for x in args.k_range.split("-"))
    missing = []
    summary = []
    for name in args.names.split(","):
        folder = args.corpora / name
        if not folder.is_dir():
            missing.append(name)
            print(f"MISSING: {folder} (make it with benchmarks/make_eval_corpora.py); skipped", file=sys.stderr)
            continue
        corpus = load_corpus(folder, cache_dir=args.cache_dir)
        labels = labels_of(corpus)
        started = time.perf_counter()
        k, table, tfidf = choose(corpus, (low, high), args.idf_power)
        seconds = time.perf_counter() - started
        fixed = {kk: nmi(labels, fit_model(tfidf, k=kk, method="nmf", seed=0)[0].argmax(axis=1)) for kk in range(low, high + 1)}
        best_k = max(fixed, key=fixed.get)
        ok = fixed[best_k] - fixed[k] <= 0.05
        print(f"\n{name}: {len(corpus)} documents, {len(set(labels))} labels; --k auto {seconds:.1f} s")
        table = table.assign(nmi=[round(fixed[kk], 3) for kk in table["k"]])
        print(table.to_string(index=False))
        print(f"{name}: chose k={k} NMI {fixed[k]:.3f}; best fixed k={best_k} NMI {fixed[best_k]:.3f}: "
              f"{'within 0.05' if ok else 'MISSED (more than 0.05 below)'}")
        previous = pick_k(table, rule="peak")[0]
        print(f"{name}: the previous rule (largest consensus peak within 15%) chooses k={previous} NMI {fixed[previous]:.3f}")
        moves = []
        if args.perturb:
            rng = np.random.default_rng(0)
            n = len(corpus)
            for _ in range(3):
                keep = np.sort(rng.choice(n, size=n - max(1, round(0.01 * n)), replace=False))
                moves.append(("remove 1%", choose(corpus.subset(keep.tolist()), (low, high), args.idf_power)[0]))
            donor_folder = args.corpora / DONOR[name]
            if donor_folder.is_dir():
                donor = load_corpus(donor_folder, cache_dir=args.cache_dir)
                for _ in range(2):
                    pick = sorted(rng.choice(len(donor), size=max(1, round(0.01 * n)), replace=False).tolist())
                    paths = [d.path for d in corpus.documents] + [donor.documents[i].path for i in pick]
                    moves.append((f"add 1% of {DONOR[name]}", choose(load_corpus(paths, cache_dir=args.cache_dir), (low, high), args.idf_power)[0]))
            else:
                print(f"MISSING: {donor_folder} (the donor of the 'add 1%' perturbation); skipped", file=sys.stderr)
            for what, moved in moves:
                print(f"{name}: {what}: k={moved} (moved {abs(moved - k)}{'' if abs(moved - k) <= 1 else ' > 1: MISSED'})")
        summary.append((name, k, fixed[k], best_k, fixed[best_k], ok, [m for _, m in moves]))
    print("\ncorpus    chosen  NMI    best k  NMI    within 0.05  perturbed choices")
    for name, k, got, best_k, best, ok, moves in summary:
        print(f"{name:9s} {k:6d}  {got:.3f}  {best_k:6d}  {best:.3f}  {'yes' if ok else 'NO':11s}  {moves or ''}")
    within = sum(ok for *_, ok, _ in summary)
    print(f"within 0.05 of the best fixed k: {within} of {len(summary)} corpora")
    if args.perturb:
        runs = [(k, m) for _, k, *_, moves in summary for m in moves]
        print(f"perturbed choices that moved by more than 1: {sum(abs(k - m) > 1 for k, m in runs)} of {len(runs)}")
    if missing:
        print(f"missing corpora: {', '.join(missing)}")


if __name__ == "__main__":
    main()

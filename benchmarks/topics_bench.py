"""`peercorpus topics` on BBC news: topic quality (NMI against the five sections) and speed
as ratios against the plain scikit-learn scripts a user would write, in one run.

Run: .venv/bin/python benchmarks/topics_bench.py [--corpus /work/evalcorpora/bbc] [--no-auto]

- baselines, side by side: the fair one, ``TfidfVectorizer(sublinear_tf=True,
  stop_words="english", min_df=2, max_df=0.95)`` + ``NMF(5, init="nndsvd")`` (timed: the
  ratios are against it), and the same script with raw term frequencies (no sublinear_tf).
- quality: NMI between each document's dominant topic and its folder, for --k 5 (target
  ≥ 0.87) and for the default --k auto (range 2-12, 8 resamples per k; target ≥ 0.85).
- speed: whole processes. ``peercorpus topics --k 5`` warm (cache built) and cold (empty
  cache), the default ``--k auto`` warm, and ``--k auto --samples 5`` warm (the previous
  release's number of resamples: what the 3 extra resamples per k cost).
The corpus defaults to the copy made by make_eval_corpora.py (no README.txt) when it exists,
else ../shared/corpora/bbc, whose README.txt has no section and is left out of the NMI.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from _timing import BBC, PEERCORPUS, bench_arguments, run_json

EVAL_BBC = Path("/work/evalcorpora/bbc")

BASELINE = """
import sys, json, pathlib
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.decomposition import NMF
files = sorted(p for p in pathlib.Path(sys.argv[1]).rglob("*.txt"))
texts = [p.read_bytes().decode("utf-8", "replace") for p in files]
X = TfidfVectorizer(sublinear_tf=sys.argv[2] == "sublinear", stop_words="english", min_df=2, max_df=0.95).fit_transform(texts)
W = NMF(5, init="nndsvd", random_state=0, max_iter=500).fit_transform(X)
json.dump({"documents": [{"doc": str(p.relative_to(sys.argv[1])), "topic": int(w.argmax())} for p, w in zip(files, W)]}, sys.stdout)
"""


def nmi_of(payload: dict) -> float:
    from sklearn.metrics import normalized_mutual_info_score

    rows = [d for d in payload["documents"] if "/" in d["doc"] and d["topic"] is not None]
    return normalized_mutual_info_score([d["doc"].split("/")[0] for d in rows], [d["topic"] for d in rows])


def main() -> None:
    default = EVAL_BBC if EVAL_BBC.is_dir() else BBC
    args = bench_arguments(
        __doc__,
        (("--no-auto",), dict(action="store_true", help="skip the --k auto run (slow)")),
        corpus_default=default,
    )
    corpus = str(args.corpus)
    cache = Path(tempfile.mkdtemp(prefix="pc-topics-bench-"))
    topics = [PEERCORPUS, "-q", "topics", corpus, "--cache-dir", str(cache), "-f", "json"]
    try:
        baseline, raw, cold, warm = [], [], [], []
        for _ in range(args.repeat):
            shutil.rmtree(cache, ignore_errors=True)
            seconds, _, baseline_payload = run_json([sys.executable, "-c", BASELINE, corpus, "sublinear"])
            baseline.append(seconds)
            seconds, _, raw_payload = run_json([sys.executable, "-c", BASELINE, corpus, "raw"])
            raw.append(seconds)
            cold.append(run_json([*topics, "--k", "5"])[0])
            seconds, peak, payload = run_json([*topics, "--k", "5"])
            warm.append(seconds)
        b, c, w = min(baseline), min(cold), min(warm)
        print(f"corpus: {corpus} (best of {args.repeat})")
        print(f"baseline, sublinear tf (TfidfVectorizer + NMF k=5): {b:6.2f} s   NMI {nmi_of(baseline_payload):.3f}")
        print(f"baseline, raw tf:                                   {min(raw):6.2f} s   NMI {nmi_of(raw_payload):.3f}")
        print(f"peercorpus topics --k 5, cold:                      {c:6.2f} s   ratio {c / b:4.2f}x (target <= 2)")
        print(f"peercorpus topics --k 5, warm:                      {w:6.2f} s   ratio {w / b:4.2f}x (target <= 0.7)   NMI {nmi_of(payload):.3f} (target >= 0.87); peak RSS {peak:.0f} MiB")
        if not args.no_auto:
            seconds, _, auto = run_json(topics)
            print(f"peercorpus topics (default: --k auto, 2-12), warm:  {seconds:6.2f} s   ratio {seconds / b:4.2f}x   chose k={auto['k']}, NMI {nmi_of(auto):.3f} (target >= 0.85)")
            for row in auto["k_scores"]:
                scores = "  ".join(f"{key} {row[key]:.3f}" for key in ("consensus", "consensus_sd", "stability", "coherence") if key in row)
                flags = "".join(f"  {key}" for key in ("peak", "near_best") if row.get(key))
                print(f"  k={row['k']:2d} {scores}{flags}{'  <- chosen' if row['chosen'] else ''}")
            seconds, _, fewer = run_json([*topics, "--samples", "5"])
            print(f"peercorpus topics --k auto --samples 5, warm:         {seconds:6.2f} s   ratio {seconds / b:4.2f}x   chose k={fewer['k']}, NMI {nmi_of(fewer):.3f}")
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    subprocess.run([PEERCORPUS, "--version"], check=True)


if __name__ == "__main__":
    main()

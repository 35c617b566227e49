"""`peercorpus topics` on BBC news: topic quality (NMI against the five sections) and speed
as ratios against the plain scikit-learn script a user would write, in one run.

Run: .venv/bin/python benchmarks/topics_bench.py [--corpus ../shared/corpora/bbc] [--no-auto]

- quality: NMI between each document's dominant topic and its folder, for --k 5 (target
  ≥ 0.80; the baseline script is printed too) and for --k auto --k-range 2-10 (target ≥ 0.70).
- speed: whole processes. Baseline = read the files, TfidfVectorizer(stop_words="english")
  + NMF(5). `peercorpus topics --k 5` warm (cache built) target ≤ 0.7×, cold (empty cache)
  target ≤ 2×. The --k auto time is reported too.
The BBC root holds a README.txt that peercorpus reads as a document; it has no section, so
it is left out of the NMI.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from _timing import PEERCORPUS, bench_arguments, timed

BASELINE = """
import sys, json, pathlib
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.decomposition import NMF
files = sorted(p for p in pathlib.Path(sys.argv[1]).rglob("*.txt"))
texts = [p.read_bytes().decode("utf-8", "replace") for p in files]
X = TfidfVectorizer(stop_words="english", min_df=2, max_df=0.95).fit_transform(texts)
W = NMF(5, init="nndsvd", random_state=0, max_iter=500).fit_transform(X)
json.dump({"documents": [{"doc": str(p.relative_to(sys.argv[1])), "topic": int(w.argmax())} for p, w in zip(files, W)]}, sys.stdout)
"""


def nmi_of(payload: dict) -> float:
    from sklearn.metrics import normalized_mutual_info_score

    rows = [d for d in payload["documents"] if "/" in d["doc"] and d["topic"] is not None]
    return normalized_mutual_info_score([d["doc"].split("/")[0] for d in rows], [d["topic"] for d in rows])


def run_json(command: list[str]) -> tuple[float, float, dict]:
    with tempfile.TemporaryFile() as out:
        seconds, peak = timed(command, stdout=out)
        out.seek(0)
        return seconds, peak, json.load(out)


def main() -> None:
    args = bench_arguments(__doc__, (("--no-auto",), dict(action="store_true", help="skip the --k auto run (slow)")))
    corpus = str(args.corpus)
    cache = Path(tempfile.mkdtemp(prefix="pc-topics-bench-"))
    topics = [PEERCORPUS, "-q", "topics", corpus, "--cache-dir", str(cache), "-f", "json"]
    try:
        baseline, cold, warm = [], [], []
        for _ in range(args.repeat):
            shutil.rmtree(cache, ignore_errors=True)
            seconds, _, baseline_payload = run_json([sys.executable, "-c", BASELINE, corpus])
            baseline.append(seconds)
            cold.append(run_json([*topics, "--k", "5"])[0])
            seconds, peak, payload = run_json([*topics, "--k", "5"])
            warm.append(seconds)
        b, c, w = min(baseline), min(cold), min(warm)
        print(f"corpus: {corpus} (best of {args.repeat})")
        print(f"baseline script (TfidfVectorizer + NMF k=5): {b:6.2f} s   NMI {nmi_of(baseline_payload):.3f}")
        print(f"peercorpus topics --k 5, cold:               {c:6.2f} s   ratio {c / b:4.2f}x (target <= 2)")
        print(f"peercorpus topics --k 5, warm:               {w:6.2f} s   ratio {w / b:4.2f}x (target <= 0.7)")
        print(f"  NMI with the sections: {nmi_of(payload):.3f} (target >= 0.80); peak RSS {peak:.0f} MiB")
        if not args.no_auto:
            seconds, _, auto = run_json([*topics, "--k", "auto", "--k-range", "2-10"])
            print(f"peercorpus topics --k auto --k-range 2-10:   {seconds:6.2f} s   ratio {seconds / b:4.2f}x; chose k={auto['k']}, NMI {nmi_of(auto):.3f} (target >= 0.70)")
            for row in auto["k_scores"]:
                print(f"  k={row['k']:2d} stability {row['stability']:.3f} coherence {row['coherence']:.3f}{'  <- chosen' if row['chosen'] else ''}")
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    subprocess.run([PEERCORPUS, "--version"], check=True)


if __name__ == "__main__":
    main()

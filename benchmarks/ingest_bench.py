"""Cold ingest and warm info on the BBC corpus, as ratios against a scikit-learn baseline.

Run: .venv/bin/python benchmarks/ingest_bench.py [--corpus ../shared/corpora/bbc]

Times whole processes side by side in one run (the machine is noisy, so only ratios mean
anything): the baseline imports scikit-learn, reads the same files and runs
CountVectorizer().fit_transform; cold `peercorpus ingest` (empty cache) should be within 2x
of it while also building sentence, paragraph and offset data; warm `peercorpus info`
should be at least 5x faster than cold. Reports peak memory (max RSS) of each process.

Last runs here: baseline 1.77 s, cold ingest 2.96-3.29 s = 1.68-1.86x, warm info 0.41-0.43 s
(cold/warm 6.8-8.0x); peak RSS baseline 170 MiB, cold ingest 200 MiB, warm info 75 MiB
(before this round: 2.48x, 6-7x).
Streaming cold ingest into the snapshot (branch mem): cold ingest peak RSS 138 MiB (was 197);
on a quiet machine cold 3.50 s vs 3.84 s before, baseline 1.96-2.22 s (the machine was shared,
ratios 1.7-1.8x both).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from _timing import PEERCORPUS, bench_arguments, timed

BASELINE = """
import sys, pathlib
from sklearn.feature_extraction.text import CountVectorizer
texts = [p.read_bytes().decode("utf-8", "replace") for p in sorted(pathlib.Path(sys.argv[1]).rglob("*.txt"))]
CountVectorizer().fit_transform(texts)
"""


def main() -> None:
    args = bench_arguments(__doc__)
    peercorpus = PEERCORPUS
    rows = []
    for _ in range(args.repeat):
        cache = Path(tempfile.mkdtemp(prefix="pc-bench-"))
        try:
            baseline, baseline_mem = timed([sys.executable, "-c", BASELINE, str(args.corpus)])
            cold, cold_mem = timed([peercorpus, "-q", "ingest", str(args.corpus), "--cache-dir", str(cache)])
            warm, warm_mem = timed([peercorpus, "-q", "info", str(args.corpus), "--cache-dir", str(cache), "-f", "csv"])
        finally:
            shutil.rmtree(cache, ignore_errors=True)
        rows.append((baseline, cold, warm, baseline_mem, cold_mem, warm_mem))
    best = [min(column) for column in zip(*rows)]
    baseline, cold, warm = best[0], best[1], best[2]
    print(f"corpus: {args.corpus} (best of {args.repeat})")
    print(f"baseline (sklearn CountVectorizer script): {baseline:6.2f} s")
    print(f"cold peercorpus ingest:                    {cold:6.2f} s   ratio {cold / baseline:4.2f}x baseline (target <= 2)")
    print(f"warm peercorpus info:                      {warm:6.2f} s   cold/warm {cold / warm:4.1f}x (target >= 5)")
    peaks = [max(column) for column in zip(*rows)][3:]
    print(f"peak RSS (MiB, largest over the runs): baseline {peaks[0]:.0f}, cold ingest {peaks[1]:.0f}, warm info {peaks[2]:.0f}")


if __name__ == "__main__":
    main()

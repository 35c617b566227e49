"""Warm `peercorpus kwic` on a 100 MB corpus against grep, as ratios in one run.

Run: .venv/bin/python benchmarks/kwic_bench.py [--corpus ../shared/corpora/bbc] [--copies 20]

Builds a corpus of `--copies` copies of BBC news in a temporary folder (20 × 5 MB), ingests
it once, then times whole processes, Python start-up included:
  grep -o -i -E '.{0,40}\\bWORD\\b.{0,40}' -r FOLDER        (the baseline)
  peercorpus kwic FOLDER WORD -f csv                        (warm cache; target ≤ 0.1×)
for a word and a phrase, and reports hit counts and each kwic process' peak RSS.

Last runs here (2 cores, shared): "government" grep 9.5-9.7 s, kwic 0.84-0.92 s = 0.089-0.095x
(20,480 hits); "prime minister" grep 3.3 s, kwic 0.70 s = 0.22x (5,480 hits); kwic peak RSS 344 / 322 MiB,
mostly page cache of the memory-mapped snapshot (before this round: 0.17x and 0.38x, 600 MiB).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from _timing import PEERCORPUS, bench_arguments, timed

QUERIES = ("government", "prime minister")


def count_lines(command: list[str]) -> int:
    result = subprocess.run(command, check=False, capture_output=True)
    return result.stdout.count(b"\n")


def main() -> None:
    args = bench_arguments(__doc__, (("--copies",), dict(type=int, default=20)))
    work = Path(tempfile.mkdtemp(prefix="pc-kwic-bench-"))
    try:
        folder, cache = work / "corpus", work / "cache"
        for copy in range(args.copies):
            shutil.copytree(args.corpus, folder / f"copy{copy:02d}")
        size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6
        ingest, ingest_peak = timed([PEERCORPUS, "-q", "ingest", str(folder), "--cache-dir", str(cache)])
        print(f"corpus: {args.copies} copies of {args.corpus} = {size:.0f} MB; cold ingest {ingest:.1f} s (peak RSS {ingest_peak:.0f} MiB)")
        for query in QUERIES:
            words = r"\s+".join(query.split())
            grep = ["grep", "-r", "-o", "-i", "-E", rf".{{0,40}}\b{words}\b.{{0,40}}", str(folder)]
            kwic = [PEERCORPUS, "-q", "kwic", str(folder), query, "--cache-dir", str(cache), "-f", "csv"]
            grep_times, kwic_times, peaks = [], [], []
            for _ in range(args.repeat):
                grep_times.append(timed(grep)[0] if shutil.which("grep") else float("nan"))
                seconds, peak = timed(kwic)
                kwic_times.append(seconds)
                peaks.append(peak)
            g, k = min(grep_times), min(kwic_times)
            hits = count_lines(kwic) - 1
            print(f"'{query}': grep {g:6.2f} s ({count_lines(grep)} lines)   kwic {k:5.2f} s ({hits} hits)   "
                  f"ratio {k / g:5.3f}x (target <= 0.1); kwic peak RSS {max(peaks):.0f} MiB")
        print("(grep -o works line by line, so it cannot find a phrase broken across lines; kwic can)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

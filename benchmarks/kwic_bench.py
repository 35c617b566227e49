"""Warm `peercorpus kwic` on a 100 MB corpus against grep, as ratios in one run.

Run: .venv/bin/python benchmarks/kwic_bench.py [--corpus ../shared/corpora/bbc] [--copies 20]

Builds a corpus of `--copies` copies of BBC news in a temporary folder (20 × 5 MB), ingests
it once, then times whole processes, Python start-up included, each writing its lines to a file:
  grep -o -i -E '.{0,40}\\bWORD\\b.{0,40}' -r FOLDER > FILE      (the baseline, in your locale)
  peercorpus kwic FOLDER WORD -f csv > FILE                      (warm cache; target ≤ 0.1×)
for a word and a phrase, and reports hit counts and each kwic process' peak RSS. Also shown,
not the target: grep with LC_ALL=C, whose byte-wise -i is many times faster than in a UTF-8
locale (but wrong for non-ASCII text).

Why output goes to a file, not /dev/null: GNU grep notices that its output is /dev/null and
then stops reading each file at its first match, as `grep -l` does, so it no longer produces
the lines. (Before 2026-11-25 this benchmark timed that shortcut: "prime minister" took 3.4 s
to /dev/null and 15-17 s to a file.)

Last runs here (2 cores, quiet, C.UTF-8, --repeat 3, two runs): "government" grep 50.7-50.9 s,
kwic 0.73-0.75 s = 0.014-0.015x (LC_ALL=C grep 2.0 s); "prime minister" grep 14.6-14.9 s, kwic
0.51-0.56 s = 0.034-0.039x (LC_ALL=C grep 0.9 s); kwic peak RSS 317 / 266 MiB; cold ingest
48-50 s, peak RSS 301-318 MiB.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from _timing import PEERCORPUS, bench_arguments, timed

QUERIES = ("government", "prime minister")


def best_of(command: list[str], repeat: int, output: Path, env: dict | None = None) -> tuple[float, float, int]:
    """Best wall seconds, largest peak RSS (MiB) and output lines of ``repeat`` runs."""
    times, peaks = [], []
    for _ in range(repeat):
        with output.open("wb") as sink:
            seconds, peak = timed(command, env, stdout=sink)
        times.append(seconds)
        peaks.append(peak)
    with output.open("rb") as lines:
        return min(times), max(peaks), sum(1 for _ in lines)


def main() -> None:
    args = bench_arguments(__doc__, (("--copies",), dict(type=int, default=20)))
    work = Path(tempfile.mkdtemp(prefix="pc-kwic-bench-"))
    try:
        folder, cache, output = work / "corpus", work / "cache", work / "lines.out"
        for copy in range(args.copies):
            shutil.copytree(args.corpus, folder / f"copy{copy:02d}")
        size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6
        ingest, ingest_peak = timed([PEERCORPUS, "-q", "ingest", str(folder), "--cache-dir", str(cache)])
        os.sync()  # the fresh cache's writeback would otherwise run during the first timings
        locale = os.environ.get("LC_ALL") or os.environ.get("LANG") or "(unset)"
        print(f"corpus: {args.copies} copies of {args.corpus} = {size:.0f} MB; cold ingest {ingest:.1f} s (peak RSS {ingest_peak:.0f} MiB)")
        print(f"locale: {locale}; best of {args.repeat}; every process writes its lines to a file")
        for query in QUERIES:
            words = r"\s+".join(query.split())
            grep = ["grep", "-r", "-o", "-i", "-E", rf".{{0,40}}\b{words}\b.{{0,40}}", str(folder)]
            kwic = [PEERCORPUS, "-q", "kwic", str(folder), query, "--cache-dir", str(cache), "-f", "csv"]
            k, peak, rows = best_of(kwic, args.repeat, output)
            g, _, lines = best_of(grep, args.repeat, output)
            c_locale, _, _ = best_of(grep, args.repeat, output, env={**os.environ, "LC_ALL": "C"})
            print(f"'{query}': grep {g:6.2f} s ({lines} lines)   kwic {k:5.2f} s ({rows - 1} hits)   "
                  f"ratio {k / g:5.3f}x (target <= 0.1); kwic peak RSS {peak:.0f} MiB")
            print(f"{'':{len(query) + 4}}grep with LC_ALL=C {c_locale:5.2f} s: kwic / that = {k / c_locale:4.2f}x (for reference)")
        print("(grep -o works line by line, so it cannot find a phrase broken across lines; kwic can)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

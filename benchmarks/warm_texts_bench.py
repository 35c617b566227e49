"""Peak memory of a warm load plus reading documents' texts (what kwic, code and stats do), this
tree against a baseline commit, on the same cache.

Run: .venv/bin/python benchmarks/warm_texts_bench.py [--corpus ../shared/corpora/bbc]
     [--cache DIR] [--texts 2000] [--baseline-rev 9eb6f76]

The corpus is ingested into ``--cache`` by this tree once (a temporary folder by default; give
a folder to keep a large corpus' cache between runs), then each tree runs the same probe in a
fresh process, alternating, ``--repeat`` times: a warm ``load_corpus``, then the texts of
``--texts`` documents spread evenly over the corpus; it prints the peak RSS after the load and
after the texts, and the seconds. The baseline's ``src/`` is taken with ``git archive`` (as
``ingest_bench.py`` does); it must read this tree's cache format.

Stop 28, BBC x400 (2,044 MB, 890,400 documents, every text read from its shard), one run each
on a quiet machine against 9eb6f76: load 448 → 400 MiB, load plus 2,000 texts 850 → 531 MiB,
20.1 → 13.6 s (each partition's shard names held packed; ``store.ShardLocator`` instead of the
whole shard index as a dict).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from _timing import bench_arguments
from ingest_bench import baseline_tree

PROBE = """
import resource, sys, time
from peercorpus import load_corpus
started = time.perf_counter()
corpus = load_corpus(sys.argv[1], cache_dir=sys.argv[2])
loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
step = max(1, len(corpus) // int(sys.argv[3]))
chars = sum(len(corpus.text(i)) for i in range(0, len(corpus), step))
print(loaded, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, time.perf_counter() - started, chars, corpus.load_report.from_snapshot)
"""


def probe(src: Path, corpus: Path, cache: Path, texts: int) -> tuple[float, float, float, int, bool]:
    out = subprocess.run([sys.executable, "-c", PROBE, str(corpus), str(cache), str(texts)], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(src)}, check=True).stdout.split()
    return float(out[0]), float(out[1]), float(out[2]), int(out[3]), out[4] == "True"


def main() -> None:
    args = bench_arguments(
        __doc__,
        (("--cache",), {"type": Path, "default": None, "help": "the cache folder (kept); default: a temporary one"}),
        (("--texts",), {"type": int, "default": 2000, "help": "documents whose texts are read"}),
        (("--baseline-rev",), {"default": "9eb6f76", "help": "the commit to compare with"}),
    )
    here = Path(__file__).resolve().parents[1] / "src"
    cache = args.cache or Path(tempfile.mkdtemp(prefix="pc-warm-texts-"))
    baseline = baseline_tree(args.baseline_rev)
    try:
        probe(here, args.corpus, cache, 1)  # ingested once by this tree (warm when kept)
        rows = []
        for _ in range(args.repeat):
            for name, src in (("this tree", here), (f"baseline {args.baseline_rev}", baseline)):
                if src is not None:
                    rows.append((name, *probe(src, args.corpus, cache, args.texts)))
        print(f"{'tree':<22} {'load MiB':>9} {'+texts MiB':>11} {'seconds':>8}  chars read")
        for name, loaded, peak, seconds, chars, warm in rows:
            print(f"{name:<22} {loaded:9.0f} {peak:11.0f} {seconds:8.1f}  {chars}" + ("" if warm else "  (not warm: another cache format?)"))
        ours = [r for r in rows if r[0] == "this tree"]
        theirs = [r for r in rows if r[0] != "this tree"]
        if theirs:
            print(f"peak after the texts, this tree / baseline: {min(r[2] for r in ours) / min(r[2] for r in theirs):.2f}x")
    finally:
        if args.cache is None:
            shutil.rmtree(cache, ignore_errors=True)
        if baseline is not None:
            shutil.rmtree(baseline.parent, ignore_errors=True)


if __name__ == "__main__":
    main()

"""A warm load's memory a document (issue 18), in this tree and in a baseline tree.

Run: .venv/bin/python benchmarks/warm_load_memory.py --corpus /work/scale/bbc-x50
     --cache-dir /work/scale/cache-x50 [--baseline-rev fb4a6f7] [--repeat 1]

The corpus must be cached already (a warm load; nothing is written). In a child process per
tree (the baseline's ``src/`` by ``git archive``), ``load_corpus`` with its stages wrapped:
``discover``, the snapshot's file list read (``read_files``), the comparison (``_unchanged``),
the opening (``_open_snapshot``). For each stage: the Python memory held after it and the
peak within it (tracemalloc, imports done first, so they do not count), and the peak
resident memory within it (VmHWM, reset between stages through /proc/self/clear_refs; RSS
counts the snapshot's mapped pages too; measured in a second run, without tracemalloc). Bytes
a document are held / documents. Memory, not time: the machine is shared.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import bench_arguments  # noqa: E402
from ingest_bench import baseline_tree  # noqa: E402

CHILD = r"""
import gc, json, os, sys, tracemalloc
from pathlib import Path
os.environ["PEERCORPUS_CACHE_DIR"] = ""
from peercorpus.ingest import load as L
from peercorpus.config import load_config
import peercorpus.core.corpus, numpy  # imported before measuring

def status():
    found = {}
    for line in open("/proc/self/status"):
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0]) / 1024
    return found

stages = []
tracing = sys.argv[3] == "trace"
def mark(name):
    held, peak = tracemalloc.get_traced_memory() if tracing else (0, 0)
    stages.append({"stage": name, "held": held / 2**20, "peak": peak / 2**20, "rss_peak": status()["VmHWM"]})
    if tracing:
        tracemalloc.reset_peak()
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")  # VmHWM starts again from VmRSS
    except OSError:
        pass

def wrap(name, function, before=None):
    def wrapped(*args, **kwargs):
        if before:
            mark(before)
        result = function(*args, **kwargs)
        mark(name)
        return result
    return wrapped

L.discover = wrap("discover", L.discover)
L._unchanged = wrap("_unchanged", L._unchanged, before="read_files")
L._open_snapshot = wrap("_open_snapshot", L._open_snapshot)
config = load_config(None)
if tracing:
    tracemalloc.start()
mark("start")
corpus = L.load_corpus([Path(sys.argv[1])], config, cache_dir=Path(sys.argv[2]))
gc.collect()
mark("after load")
if not corpus.load_report.from_snapshot:
    sys.exit("not a warm load: cache the corpus first")
print(json.dumps({"documents": len(corpus), "stages": stages}))
"""


def measure(src: Path, corpus: Path, cache: Path) -> dict:
    """Python memory from a run with tracemalloc, resident memory from one without (tracing
    every allocation takes room of its own)."""
    env = {**os.environ, "PYTHONPATH": str(src), "PEERCORPUS_CACHE_DIR": ""}
    runs = [json.loads(subprocess.run([sys.executable, "-c", CHILD, str(corpus), str(cache), how], env=env,
                                      capture_output=True, text=True, check=True).stdout) for how in ("trace", "rss")]
    for traced, resident in zip(runs[0]["stages"], runs[1]["stages"]):
        traced["rss_peak"] = resident["rss_peak"]
    return runs[0]


def main() -> None:
    args = bench_arguments(__doc__, (("--cache-dir",), {"type": Path, "required": True}),
                           (("--baseline-rev",), {"default": "fb4a6f7", "help": "git revision of the baseline tree"}))
    here = Path(__file__).resolve().parent.parent / "src"
    trees = [(f"baseline {args.baseline_rev}", baseline_tree(args.baseline_rev)), ("this tree", here)]
    results = {}
    for _ in range(args.repeat):
        for name, src in trees:
            if src is None:
                continue
            found = measure(src, args.corpus, args.cache_dir)
            kept = results.get(name)
            if kept is None:
                results[name] = found
            else:  # the least of each number over the repeats
                for old, new in zip(kept["stages"], found["stages"]):
                    for key in ("held", "peak", "rss_peak"):
                        old[key] = min(old[key], new[key])
    documents = next(iter(results.values()))["documents"]
    print(f"{args.corpus}: {documents:,} documents")
    print("| stage | tree | held MiB | bytes a document | peak within MiB (Python) | peak within MiB (RSS) |")
    print("|---|---|---:|---:|---:|---:|")
    for index, stage in enumerate(next(iter(results.values()))["stages"]):
        for name, found in results.items():
            row = found["stages"][index]
            print(f"| {stage['stage']} | {name} | {row['held']:.1f} | {row['held'] * 2**20 / documents:.0f} | {row['peak']:.1f} | {row['rss_peak']:.0f} |")


if __name__ == "__main__":
    main()

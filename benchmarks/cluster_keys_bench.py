"""A cold cluster ingest of a corpus whose every file holds a line repeated across it (BBC copies,
the copy line), this tree against a baseline commit: wall seconds and the tasks' compute seconds.

Run: .venv/bin/pip install -e '.[dask]' && .venv/bin/python benchmarks/cluster_keys_bench.py
     [--corpus ../shared/corpora/bbc] [--copies 2] [--repeat 2] [--baseline-rev 9eb6f76]

Each tree runs in a fresh process (``PYTHONPATH``: the baseline's ``src/`` from ``git archive``)
that starts a ``distributed.LocalCluster`` of 2 single-threaded worker processes (which inherit
that tree), ingests the corpus cold through it and reads the scheduler's compute time per task
prefix: ``peercorpus-tokenize`` (files tokenised), ``peercorpus-keys`` (read for their short lines
only, stop 28), ``peercorpus-reread`` (tokenised with the repeated lines left out),
``peercorpus-partition``. The trees alternate; the snapshots' sizes must agree.

Stop 28, BBC x2 (10 MB), quiet machine, against 9eb6f76 (every file tokenised twice on a
cluster): wall 15.7 / 13.6 s → 10.6 / 9.6 s (0.68x, 0.71x); compute 28.4 / 24.1 → 17.8 / 16.5 s.
Without the dask extra it says so and exits 0 (``make bench`` runs every script).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from _timing import bench_arguments
from ingest_bench import baseline_tree
from scale_bench import make_copies

PROBE = """
import json, shutil, sys, tempfile, time
from pathlib import Path
from distributed import Client, LocalCluster
from peercorpus.ingest.load import load_corpus

with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, Client(cluster) as client:
    cache = Path(tempfile.mkdtemp(prefix="pc-cluster-keys-"))
    try:
        started = time.perf_counter()
        load_corpus(sys.argv[1], cache_dir=cache, scheduler=cluster.scheduler_address)
        wall = time.perf_counter() - started
        compute = client.run_on_scheduler(lambda dask_scheduler: {name: float(p.all_durations.get("compute", 0.0))
                                                                  for name, p in dask_scheduler.task_prefixes.items()})
        [manifest] = cache.rglob("manifest.json")
        size = sum(p.stat().st_size for p in manifest.parent.rglob("*") if p.is_file())
    finally:
        shutil.rmtree(cache, ignore_errors=True)
print(json.dumps({"wall": wall, "compute": compute, "snapshot_bytes": size}))
"""


def run(src: Path, corpus: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", PROBE, str(corpus)], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(src)}, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    args = bench_arguments(
        __doc__,
        (("--copies",), {"type": int, "default": 2, "help": "copies of the corpus (each file gets a copy line)"}),
        (("--baseline-rev",), {"default": "9eb6f76", "help": "the commit to compare with"}),
    )
    try:
        import distributed  # noqa: F401
    except ImportError:
        print("cluster_keys_bench: the dask extra is not installed (pip install -e '.[dask]'); nothing measured")
        return
    if args.repeat == 3 and "--repeat" not in sys.argv:
        args.repeat = 2
    work = Path(tempfile.mkdtemp(prefix="pc-cluster-keys-corpus-"))
    baseline = baseline_tree(args.baseline_rev)
    here = Path(__file__).resolve().parents[1] / "src"
    try:
        corpus = work / "corpus"
        make_copies(args.corpus, args.copies, corpus)
        rows = []
        for _ in range(args.repeat):
            for name, src in (("this tree", here), (f"baseline {args.baseline_rev}", baseline)):
                if src is not None:
                    rows.append((name, run(src, corpus)))
        print(f"{'tree':<22} {'wall s':>7} {'compute s':>10}  per task prefix")
        for name, row in rows:
            per = ", ".join(f"{k.removeprefix('peercorpus-')} {v:.1f}" for k, v in sorted(row["compute"].items()))
            print(f"{name:<22} {row['wall']:7.1f} {sum(row['compute'].values()):10.1f}  {per}")
        if len({row["snapshot_bytes"] for _, row in rows}) > 1:
            sys.exit("the snapshots differ in size")
        ours = min(row["wall"] for name, row in rows if name == "this tree")
        theirs = [row["wall"] for name, row in rows if name != "this tree"]
        if theirs:
            print(f"cold cluster ingest, this tree / baseline (best of each): {ours / min(theirs):.2f}x")
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if baseline is not None:
            shutil.rmtree(baseline.parent, ignore_errors=True)


if __name__ == "__main__":
    main()

"""A local Dask cluster against local processes on the same corpus: cold ingest and warm freq.

Run: .venv/bin/pip install -e '.[dask]' && .venv/bin/python benchmarks/cluster_bench.py [--corpus ../shared/corpora/bbc] [--copies 1] [--workers 2]

Starts a real `dask scheduler` and `--workers` single-threaded `dask worker` processes on
127.0.0.1 (what `dask-jobqueue` starts on HPC nodes, here on one machine), then times, side by
side in one run (only ratios mean anything on a shared machine):
- cold `peercorpus ingest` on local processes (`workers` = the machine's cores) and with
  `--scheduler` (the cache folder is the shared storage), checking the two snapshots are
  byte-identical;
- warm `peercorpus freq --ngram 2` locally and on the cluster, with chunks of
  `--chunk-tokens` tokens (the tables must be identical).
On one machine the cluster can only cost (task and transfer overhead on the same cores); the
point is the size of that overhead, and that it buys machines beyond this one.

Without the dask extra it says so and exits 0 (`make bench` runs every script).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _timing import PEERCORPUS, bench_arguments, timed


def copies_of(corpus: Path, copies: int, into: Path) -> Path:
    """``corpus`` copied ``copies`` times, a copy-number line added to each file (all new)."""
    if copies <= 1:
        return corpus
    target = into / "corpus"
    for number in range(copies):
        for path in corpus.rglob("*"):
            if path.is_file():
                out = target / f"copy{number}" / path.relative_to(corpus)
                out.parent.mkdir(parents=True, exist_ok=True)
                data = path.read_bytes()
                out.write_bytes(data + f"\ncopy {number}\n".encode() if path.suffix == ".txt" else data)
    return target


def snapshot(cache: Path) -> dict[str, bytes]:
    [folder] = [p.parent for p in cache.rglob("manifest.json")]
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def start_cluster(folder: Path, workers: int) -> tuple[str, list[subprocess.Popen]]:
    dask = str(Path(sys.executable).with_name("dask"))
    scheduler_file = folder / "scheduler.json"
    log = open(folder / "dask.log", "wb")
    processes = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard", "--scheduler-file", str(scheduler_file)], stdout=log, stderr=log)]
    while not scheduler_file.exists() or not scheduler_file.read_text().strip():
        time.sleep(0.2)
    time.sleep(0.5)
    address = json.loads(scheduler_file.read_text())["address"]
    for number in range(workers):
        processes.append(subprocess.Popen(
            [dask, "worker", address, "--nthreads", "1", "--no-nanny", "--no-dashboard", "--memory-limit", "0", "--name", f"w{number}"],
            stdout=log, stderr=log,
        ))
    from distributed import Client

    with Client(address, timeout=120, set_as_default=False) as client:
        client.wait_for_workers(workers, timeout=120)
    return address, processes


def main() -> None:
    args = bench_arguments(
        __doc__,
        (("--copies",), {"type": int, "default": 1, "help": "copies of the corpus (each file made new)"}),
        (("--workers",), {"type": int, "default": 2, "help": "dask workers (one thread each)"}),
        (("--chunk-tokens",), {"type": int, "default": 200_000, "help": "tokens per chunk for the warm freq"}),
    )
    try:
        import distributed  # noqa: F401
    except ImportError:
        print("cluster_bench: the dask extra is not installed (pip install -e '.[dask]'); skipped")
        return
    work = Path(tempfile.mkdtemp(prefix="pc-cluster-bench-"))
    processes: list[subprocess.Popen] = []
    try:
        corpus = copies_of(args.corpus, args.copies, work)
        size = sum(p.stat().st_size for p in corpus.rglob("*") if p.is_file()) / 1e6
        address, processes = start_cluster(work, args.workers)
        env = {**os.environ, "PEERCORPUS_CHUNK_TOKENS": str(args.chunk_tokens)}
        rows = []
        for attempt in range(args.repeat):
            local_cache, cluster_cache = work / f"local{attempt}", work / f"cluster{attempt}"
            local, local_mem = timed([PEERCORPUS, "-q", "ingest", str(corpus), "--cache-dir", str(local_cache)])
            remote, remote_mem = timed([PEERCORPUS, "-q", "--scheduler", address, "ingest", str(corpus), "--cache-dir", str(cluster_cache)])
            assert snapshot(local_cache) == snapshot(cluster_cache), "the cluster's snapshot differs from the local one"
            outputs = {}
            times = []
            for name, extra in (("local", []), ("cluster", ["--scheduler", address])):
                out = work / f"freq-{name}.csv"
                with open(out, "wb") as handle:
                    seconds, _ = timed([PEERCORPUS, "-q", *extra, "freq", str(corpus), "--ngram", "2", "-f", "csv", "--cache-dir", str(local_cache)], env, stdout=handle)
                outputs[name] = out.read_bytes()
                times.append(seconds)
            assert outputs["local"] == outputs["cluster"], "freq on the cluster differs from the local one"
            rows.append((local, remote, times[0], times[1], local_mem, remote_mem))
            shutil.rmtree(local_cache)
            shutil.rmtree(cluster_cache)
        best = [min(column) for column in zip(*rows)]
        print(f"corpus: {corpus} ({size:,.1f} MB, {args.copies} cop{'y' if args.copies == 1 else 'ies'}); {args.workers} dask workers on 127.0.0.1, {os.cpu_count()} cores")
        print(f"cold ingest   local {best[0]:6.2f} s ({size / best[0]:.2f} MB/s, peak {best[4]:.0f} MiB)   cluster {best[1]:6.2f} s ({size / best[1]:.2f} MB/s, client peak {best[5]:.0f} MiB)   cluster/local {best[1] / best[0]:.2f}x   snapshots identical")
        print(f"warm freq -n2 local {best[2]:6.2f} s   cluster {best[3]:6.2f} s   cluster/local {best[3] / best[2]:.2f}x   ({args.chunk_tokens:,}-token chunks; tables identical)")
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

"""A local Dask cluster against local processes on the same corpus: cold ingest and warm freq.

Run: .venv/bin/pip install -e '.[dask]' && .venv/bin/python benchmarks/cluster_bench.py [--corpus ../shared/corpora/bbc] [--copies 1] [--workers 2] [--partition-tokens 131072] [--rebuild 5]

Starts a real `dask scheduler` and `--workers` single-threaded `dask worker` processes on
127.0.0.1 (what `dask-jobqueue` starts on HPC nodes, here on one machine), then times, side by
side in one run (only ratios mean anything on a shared machine):
- cold `peercorpus ingest` on local processes (`workers` = the machine's cores) and with
  `--scheduler` (the cache folder is the shared storage; the workers tokenise and, since
  issue 18's worker-side assembly, write the snapshot's partitions), both with partitions of
  `--partition-tokens` tokens (`$PEERCORPUS_PARTITION_TOKENS`, so that BBC has several),
  checking the two snapshots are byte-identical file for file, partitions included
  (`snapshot_diff.compare`); the client's own CPU seconds are shown beside the wall time;
- warm `peercorpus freq --ngram 2` locally and on the cluster, with chunks of
  `--chunk-tokens` tokens (the tables must be identical).
On one machine the cluster can only cost (task and transfer overhead on the same cores); the
point is the size of that overhead, and that it buys machines beyond this one.

Without the dask extra it says so and exits 0 (`make bench` runs every script).

Last run here (BBC, 5.0 MB; 2 workers on a 2-core machine shared with other jobs, load 4-6,
best of 2): cold ingest local 17.28 s, cluster 18.91 s (1.09x), snapshots identical; warm
freq --ngram 2 local 7.82 s, cluster 8.04 s (1.03x), tables identical.
Worker-side partition assembly (issue 18), this script with --repeat 1 run three times, each
time alternating this tree and the one before it (b7d8e6a: the client assembled every
partition; PYTHONPATH chooses the tree, the workers' too), BBC in 8 partitions
(--partition-tokens 131072), 2 workers, load 4-11 on 2 cores shared with other jobs:
cold ingest cluster/local 0.85x, 1.36x, 0.65x (median 0.85x; before: 1.08x, 1.36x, 0.99x,
median 1.08x); the client's CPU 1.2-1.5 s (before 3.0-3.4 s), its peak 90 MiB (before 102).
BBC x2 (10 MB, 15 partitions): 0.97x, 1.18x, 0.78x (before 1.87x, 1.14x, 1.14x); client CPU
1.3-1.6 s (before 3.8-5.1 s), peak 96 MiB (before 113). Wall-clock ratios are noisy at that
load; the client's CPU is what limits a larger cluster (the rest is spread over the workers).
Snapshots identical file for file in every run. BBC x10 (50 MB, 22,250 files, 10 partitions of
the default 2^20 tokens; cluster ingest only, one run each, load 5-7): wall 53.0 s (before
77.6 s), the client's CPU 3.4 s (before 16.5 s), its peak 149 MiB (before 260); the two trees'
snapshots identical.

`--rebuild N` then changes N files spread over the corpus (a paragraph appended) and times the
rebuilds instead of freq: local, and on the cluster (the client's CPU and peak), the two
snapshots checked identical. BBC, 8 partitions, 5 files changed, `--repeat 1 --rebuild 5` run
twice per tree, alternating a5e9a91 (the client assembled a rebuild's changed partitions) and
this tree (the workers do), load ~4 on 2 shared cores: the client's CPU 2.70, 2.54 s before,
1.34, 1.23 s after (0.49x); its peak 95, 96 MiB before, 90, 90 MiB after; the local
rebuild beside it 2.3-2.6 CPU-s, 80 MiB; snapshots identical in every run.

To compare with an earlier tree: `git archive b7d8e6a src | tar -x -C /tmp/base`, then run
this script with `PYTHONPATH=/tmp/base/src` and with `PYTHONPATH=src` (the client and the
workers it starts import peercorpus from there), alternating.
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

from _timing import PEERCORPUS, bench_arguments, timed, timed_cpu
from snapshot_diff import compare


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


def rebuilds(corpus: Path, count: int, attempt: int, local_cache: Path, cluster_cache: Path, address: str, env: dict) -> tuple:
    """``count`` files spread over ``corpus`` changed (a line appended), then the local and the
    cluster rebuild timed (wall, CPU, peak RSS of each; of the client on the cluster), their
    snapshots checked byte-identical: (local s, cluster s, local CPU-s, cluster client CPU-s,
    local MiB, cluster client MiB)."""
    files = sorted(p for p in corpus.rglob("*.txt"))
    for number, path in enumerate(files[:: max(1, len(files) // count)][:count]):
        with open(path, "a", encoding="utf-8") as handle:
            # longer than a short line: one repeated across the corpus would rebuild every partition
            handle.write(f"\nAn edited paragraph, number {number} of attempt {attempt}, about the benchmark's rebuild, long enough "
                         "not to count as a short line that repeats across the corpus.\n")
    local, local_mem, local_cpu = timed_cpu([PEERCORPUS, "-q", "ingest", str(corpus), "--cache-dir", str(local_cache)], env)
    remote, remote_mem, remote_cpu = timed_cpu([PEERCORPUS, "-q", "--scheduler", address, "ingest", str(corpus), "--cache-dir", str(cluster_cache)], env)
    differences = compare(local_cache, cluster_cache)
    assert not differences, "the cluster's rebuild differs from the local one: " + "; ".join(differences[:5])
    return local, remote, local_cpu, remote_cpu, local_mem, remote_mem


def main() -> None:
    args = bench_arguments(
        __doc__,
        (("--copies",), {"type": int, "default": 1, "help": "copies of the corpus (each file made new)"}),
        (("--workers",), {"type": int, "default": 2, "help": "dask workers (one thread each)"}),
        (("--chunk-tokens",), {"type": int, "default": 200_000, "help": "tokens per chunk for the warm freq"}),
        (("--partition-tokens",), {"type": int, "default": 1 << 17, "help": "tokens per snapshot partition (BBC: ~8 partitions)"}),
        (("--rebuild",), {"type": int, "default": 0, "help": "then change this many files (spread over the corpus) and time the rebuilds instead of freq"}),
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
        if args.rebuild and corpus == args.corpus:  # its files are changed: a copy
            shutil.copytree(args.corpus, work / "corpus")
            corpus = work / "corpus"
        size = sum(p.stat().st_size for p in corpus.rglob("*") if p.is_file()) / 1e6
        address, processes = start_cluster(work, args.workers)
        env = {**os.environ, "PEERCORPUS_CHUNK_TOKENS": str(args.chunk_tokens)}
        ingest_env = {**os.environ, "PEERCORPUS_PARTITION_TOKENS": str(args.partition_tokens)}
        rows = []
        for attempt in range(args.repeat):
            local_cache, cluster_cache = work / f"local{attempt}", work / f"cluster{attempt}"
            local, local_mem, local_cpu = timed_cpu([PEERCORPUS, "-q", "ingest", str(corpus), "--cache-dir", str(local_cache)], ingest_env)
            remote, remote_mem, remote_cpu = timed_cpu([PEERCORPUS, "-q", "--scheduler", address, "ingest", str(corpus), "--cache-dir", str(cluster_cache)], ingest_env)
            differences = compare(local_cache, cluster_cache)
            assert not differences, "the cluster's snapshot differs from the local one: " + "; ".join(differences[:5])
            [manifest] = list(cluster_cache.rglob("manifest.json"))
            partitions = len(json.loads(manifest.read_text())["partitions"])
            if args.rebuild:
                rows.append((local, remote, *rebuilds(corpus, args.rebuild, attempt, local_cache, cluster_cache, address, ingest_env),
                             local_mem, remote_mem, local_cpu, remote_cpu))
                shutil.rmtree(local_cache)
                shutil.rmtree(cluster_cache)
                continue
            outputs = {}
            times = []
            for name, extra in (("local", []), ("cluster", ["--scheduler", address])):
                out = work / f"freq-{name}.csv"
                with open(out, "wb") as handle:
                    seconds, _ = timed([PEERCORPUS, "-q", *extra, "freq", str(corpus), "--ngram", "2", "-f", "csv", "--cache-dir", str(local_cache)], env, stdout=handle)
                outputs[name] = out.read_bytes()
                times.append(seconds)
            assert outputs["local"] == outputs["cluster"], "freq on the cluster differs from the local one"
            rows.append((local, remote, times[0], times[1], local_mem, remote_mem, local_cpu, remote_cpu))
            shutil.rmtree(local_cache)
            shutil.rmtree(cluster_cache)
        if args.rebuild:
            best = [min(column) for column in zip(*rows)]
            print(f"corpus: {corpus} ({size:,.1f} MB); {args.workers} dask workers on 127.0.0.1, {os.cpu_count()} cores; "
                  f"{partitions} partitions; best of {args.repeat}")
            print(f"cold ingest      local {best[0]:6.2f} s   cluster {best[1]:6.2f} s (client {best[11]:.2f} CPU-s, peak {best[9]:.0f} MiB)")
            print(f"rebuild, {args.rebuild} files changed: local {best[2]:6.2f} s ({best[4]:.2f} CPU-s, peak {best[6]:.0f} MiB)   "
                  f"cluster {best[3]:6.2f} s (client {best[5]:.2f} CPU-s, peak {best[7]:.0f} MiB)   snapshots identical file for file")
            return
        best = [min(column) for column in zip(*rows)]
        print(f"corpus: {corpus} ({size:,.1f} MB, {args.copies} cop{'y' if args.copies == 1 else 'ies'}); {args.workers} dask workers on 127.0.0.1, {os.cpu_count()} cores")
        print(f"cold ingest   local {best[0]:6.2f} s ({size / best[0]:.2f} MB/s, peak {best[4]:.0f} MiB, {best[6]:.1f} CPU-s with its pool)   "
              f"cluster {best[1]:6.2f} s ({size / best[1]:.2f} MB/s, client peak {best[5]:.0f} MiB, client {best[7]:.1f} CPU-s)   "
              f"cluster/local {best[1] / best[0]:.2f}x   {partitions} partitions, snapshots identical file for file")
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

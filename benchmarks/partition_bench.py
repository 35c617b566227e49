"""Partitioned snapshots (issue 18, format 5): warm commands against a baseline install, and what
a changed file costs to rebuild against a full rebuild and a cold ingest — CPU seconds, ratios
measured in the same run.

    python benchmarks/partition_bench.py --baseline /work/main/.venv/bin/peercorpus [--repeat 3]
        [--corpus BBC] [--partition-documents 200] [--only warm|rebuild] [--copies 10] [--sides default,baseline]

warm: kwic, freq and collocations, each after a warm-up that builds the cache, for the baseline,
this install (default partitions) and this install with partitions of --partition-documents
documents; median CPU seconds of --repeat runs, and the ratio to the baseline.
rebuild: a copy of the corpus ingested cold, then one file edited (a line appended) and loaded
again (``load_corpus`` in a fresh Python, as every command starts): CPU of that rebuild with partitions of --partition-documents documents (only the
edited file's partition re-assembled), with one partition (every document re-assembled: what a
changed file cost before), and with the baseline install; each against the cold ingest.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import BBC, PEERCORPUS, bench_arguments  # noqa: E402


def cpu(command: list[str], env: dict) -> float:
    """CPU seconds (user + system) of a child process and the processes it waited for."""
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"failed: {' '.join(command)}: {child.stderr.read().decode()[-500:]}")
    return usage.ru_utime + usage.ru_stime


def environment(cache: Path, **settings: str) -> dict:
    # both installs' bytecode compiled once, in a folder of the benchmark's own (a tree whose
    # __pycache__ is stale or unwritable would pay for compiling every module on every run)
    env = {**os.environ, "PEERCORPUS_CACHE_DIR": str(cache), "PEERCORPUS_FSYNC": "0", **settings}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(cache.parent / "pycache")
    return env


def warm(args, scratch: Path) -> None:
    corpus = str(args.corpus)
    commands = {
        "kwic": ["kwic", corpus, "government", "market", "--format", "csv"],
        "freq": ["freq", corpus, "--format", "csv"],
        "collocations": ["collocations", corpus, "--format", "csv"],
    }
    sides = {
        "baseline": (args.baseline, {}),
        "default partitions": (PEERCORPUS, {}),
        f"partitions of {args.partition_documents} docs": (PEERCORPUS, {"PEERCORPUS_PARTITION_DOCUMENTS": str(args.partition_documents)}),
    }
    results: dict[str, dict[str, float]] = {}
    for side, (binary, settings) in sides.items():
        env = environment(scratch / side.replace(" ", "-"), **settings)
        cpu([binary, "info", corpus], env)  # cold: builds the cache
        results[side] = {}
        for name, command in commands.items():
            results[side][name] = statistics.median(cpu([binary, *command], env) for _ in range(args.repeat))
    print(f"warm commands on {corpus}: median CPU seconds of {args.repeat} runs (ratio to the baseline)")
    for name in commands:
        base = results["baseline"][name]
        cells = [f"{side} {results[side][name]:.2f} s ({results[side][name] / base:.2f}x)" for side in sides if side != "baseline"]
        print(f"  {name:13} baseline {base:.2f} s; " + "; ".join(cells))


LOAD = "import sys; from peercorpus import load_corpus; load_corpus(sys.argv[1])"


def rebuild(args, scratch: Path) -> None:
    copy = scratch / "corpus"
    shutil.copytree(args.corpus, copy)
    texts = sorted(p for p in copy.rglob("*.txt") if p.name != "README.txt")
    edited = texts[len(texts) // 2]
    original = edited.read_bytes()
    sides = {
        "default partitions": (PEERCORPUS, {}),
        **({f"partitions of {args.partition_tokens} tokens": (PEERCORPUS, {"PEERCORPUS_PARTITION_TOKENS": str(args.partition_tokens)})} if args.partition_tokens else
           {f"partitions of {args.partition_documents} docs": (PEERCORPUS, {"PEERCORPUS_PARTITION_DOCUMENTS": str(args.partition_documents)})}),
        "one partition (full rebuild)": (PEERCORPUS, {"PEERCORPUS_PARTITION_DOCUMENTS": "100000000", "PEERCORPUS_PARTITION_TOKENS": "100000000000"}),
        "baseline": (str(Path(args.baseline).parent / "python"), {}),
    }
    print(f"a changed file ({edited.relative_to(copy)}, a line appended) on {args.corpus}: CPU seconds, median of {args.repeat}")
    for side, (binary, settings) in sides.items():
        if args.sides and not any(side.startswith(s) for s in args.sides.split(",")):
            continue
        cold, changed, unchanged = [], [], []
        for attempt in range(args.repeat):
            edited.write_bytes(original)
            env = environment(scratch / f"cache-{side.replace(' ', '-')}-{attempt}", **settings)
            python = binary if binary.endswith("python") else str(Path(binary).parent / "python")
            load = [python, "-c", LOAD, str(copy)]
            cold.append(cpu(load, env))
            unchanged.append(cpu(load, env))
            with open(edited, "ab") as handle:
                handle.write(f"\nAn edited line, number {attempt}.\n".encode())
            changed.append(cpu(load, env))
            snapshot = max(Path(env["PEERCORPUS_CACHE_DIR"]).glob("v*/snapshots/*/current"))
            snapshot = snapshot.parent / snapshot.read_text().strip()
            parts = len(list(snapshot.glob("part-*")))
            size = sum(p.stat().st_size for p in snapshot.rglob("*") if p.is_file())
            shutil.rmtree(env["PEERCORPUS_CACHE_DIR"], ignore_errors=True)
        c, r, w = statistics.median(cold), statistics.median(changed), statistics.median(unchanged)
        shape = f"; {parts} partitions, snapshot {size / 1e6:.1f} MB" if binary == PEERCORPUS else ""
        print(f"  {side:30} cold ingest {c:.2f} s; warm (unchanged) {w:.2f} s; changed file {r:.2f} s ({r / c:.2f}x the cold ingest){shape}")
    edited.write_bytes(original)


def main() -> None:
    args = bench_arguments(
        __doc__,
        (("--baseline",), {"required": True}),
        (("--partition-documents",), {"type": int, "default": 200}),
        (("--partition-tokens",), {"type": int, "default": 0, "help": "rebuild: partitions of this many tokens instead of --partition-documents"}),
        (("--only",), {"choices": ["warm", "rebuild"]}),
        (("--sides",), {"default": "", "help": "rebuild: only these sides (comma-separated name prefixes: default, partitions, one, baseline)"}),
        (("--copies",), {"type": int, "default": 1, "help": "the corpus copied this many times (benchmarks/scale_bench.make_copies: each file made unique)"}),
        corpus_default=BBC,
    )
    with tempfile.TemporaryDirectory() as scratch:
        if args.copies > 1:
            from scale_bench import make_copies

            target = Path(scratch) / f"copies-x{args.copies}"
            make_copies(args.corpus, args.copies, target)
            args.corpus = target
        if args.only in (None, "warm"):
            warm(args, Path(scratch))
        if args.only in (None, "rebuild"):
            rebuild(args, Path(scratch))


if __name__ == "__main__":
    main()

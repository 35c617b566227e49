"""What every benchmark shares: timing a whole child process, and where the BBC corpus is."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# PEERCORPUS_BENCH_CORPUS moves it (a test points it at a missing folder).
BBC = Path(os.environ.get("PEERCORPUS_BENCH_CORPUS") or ROOT.parent / "shared" / "corpora" / "bbc")
PEERCORPUS = str(Path(sys.executable).parent / "peercorpus")


def timed(command: list[str], env: dict | None = None, *, stdout=subprocess.DEVNULL) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of this one child process (the largest of it and the
    worker processes it waited for; page-cache pages it mapped count too)."""
    return timed_cpu(command, env, stdout=stdout)[:2]


def timed_cpu(command: list[str], env: dict | None = None, *, stdout=subprocess.DEVNULL) -> tuple[float, float, float]:
    """``timed``'s wall seconds and peak RSS (MiB), and the CPU seconds (user + system) of the child
    and the worker processes it waited for (a local ingest's pool; a cluster's workers are not its
    children)."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=stdout, env=env)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise subprocess.CalledProcessError(child.returncode, command)
    return elapsed, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def run_json(command: list[str]) -> tuple[float, float, dict]:
    """``timed`` for a command that prints JSON: wall seconds, peak RSS (MiB) and the JSON."""
    with tempfile.TemporaryFile() as out:
        seconds, peak = timed(command, stdout=out)
        out.seek(0)
        return seconds, peak, json.load(out)


def bench_arguments(doc: str, *extra: tuple[tuple[str, ...], dict], corpus_default: Path = BBC) -> argparse.Namespace:
    """``--corpus`` (default: BBC) and ``--repeat`` plus ``extra`` options; exits when the
    corpus is missing.

        args = bench_arguments(__doc__, (("--copies",), {"type": int, "default": 20}))
    """
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=corpus_default)
    parser.add_argument("--repeat", type=int, default=3)
    for flags, options in extra:
        parser.add_argument(*flags, **options)
    args = parser.parse_args()
    if not args.corpus.is_dir():
        sys.exit(f"corpus not found: {args.corpus}")
    return args

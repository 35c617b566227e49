"""How long the test suite takes, now against a baseline commit, measured in one run on one machine.

    .venv/bin/python benchmarks/suite_time.py                    # baseline: 61194c4 (before issue 14)
    .venv/bin/python benchmarks/suite_time.py --baseline HEAD~3  # any commit

The baseline is checked out in a temporary git worktree and its tests run as its ``make test``
ran them (``pytest``), with its own ``src`` first on ``PYTHONPATH`` (the same virtual
environment otherwise); then this tree's whole suite as ``make test`` runs it (``pytest -n
auto``: pytest-xdist, every core) and its fast lane (``make test-fast``: ``-m "not slow"``). Wall time
and the CPU time of the test processes and their children are printed, with the ratio against
the baseline. Not part of ``make bench`` (it runs the suite three times).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_suite(tree: Path, *extra: str) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds (the suite and every process it started) and pytest's summary line."""
    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *extra],
        cwd=tree, env=env, capture_output=True, text=True, check=False,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    summary = "exit 0" if done.returncode == 0 else f"exit {done.returncode}: " + (done.stdout.strip().splitlines() or ["no output"])[-1]
    return wall, cpu, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="61194c4", help="the commit to compare with (default: 61194c4, main before issue 14)")
    parser.add_argument("--ignore", action="append", default=[], metavar="PATH", help="leave these tests of this tree out (e.g. tests/cluster, which the baseline did not have)")
    args = parser.parse_args()
    ignored = [f"--ignore={path}" for path in args.ignore]
    with tempfile.TemporaryDirectory(prefix="suite-baseline-") as folder:
        baseline = Path(folder) / "tree"
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(baseline), args.baseline], cwd=ROOT, check=True)
        try:
            rows = [
                (f"baseline {args.baseline}: pytest", *run_suite(baseline)),
                ("this tree: make test" + (" (ignoring " + ", ".join(args.ignore) + ")" if args.ignore else ""), *run_suite(ROOT, "-n", "auto", *ignored)),
                ("this tree: make test-fast", *run_suite(ROOT, "-n", "auto", "-m", "not slow", *ignored)),
            ]
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(baseline)], cwd=ROOT, check=False)
    base_wall, base_cpu = rows[0][1], rows[0][2]
    print(f"{'suite':<50} {'wall s':>8} {'cpu s':>8} {'wall ratio':>11}  summary")
    for name, wall, cpu, summary in rows:
        print(f"{name:<50} {wall:8.1f} {cpu:8.1f} {wall / base_wall:10.2f}x  {summary}")
    print(f"(cpu ratio of the whole suite: {rows[1][2] / base_cpu:.2f}x)")


if __name__ == "__main__":
    main()

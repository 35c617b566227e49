"""make bench without its corpus fails at once, saying where to put it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_without_the_corpus_fails_loudly(tmp_path):
    missing = tmp_path / "no-bbc"
    env = {**os.environ, "PEERCORPUS_BENCH_CORPUS": str(missing)}
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run_all.py")], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 1
    assert f"the benchmark corpus is missing: {missing}" in done.stderr and "Put the BBC news corpus there" in done.stderr
    assert "===" not in done.stdout  # no benchmark started

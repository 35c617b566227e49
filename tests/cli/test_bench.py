"""make bench without its corpus fails at once, saying where to put it."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_bench_without_the_corpus_fails_loudly(tmp_path):
    missing = tmp_path / "no-bbc"
    env = {**os.environ, "PEERCORPUS_BENCH_CORPUS": str(missing)}
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run_all.py")], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 1
    assert f"the benchmark corpus is missing: {missing}" in done.stderr and "Put the BBC news corpus there" in done.stderr
    assert "===" not in done.stdout  # no benchmark started


def test_ingest_bench_cold_disk_without_rights_to_drop_the_page_cache_says_so_in_one_line(monkeypatch):
    """``ingest_bench.py --cold-disk`` where ``/proc/sys/vm/drop_caches`` cannot be written (not
    root, or not Linux): one line naming why, before any ingest runs."""
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    ingest_bench = importlib.import_module("ingest_bench")
    real_write = Path.write_text

    def refused(self, *args, **kwargs):
        if str(self) == "/proc/sys/vm/drop_caches":
            raise PermissionError(13, "Permission denied", str(self))
        return real_write(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", refused)
    monkeypatch.setattr(ingest_bench.os, "sync", lambda: None)
    with pytest.raises(SystemExit) as stopped:
        ingest_bench.drop_page_cache()
    assert str(stopped.value) == "--cold-disk: cannot drop the page cache (Permission denied; it needs root on Linux)"

"""What every benchmark shares: timing a whole child process, and where the BBC corpus is."""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BBC = ROOT.parent / "shared" / "corpora" / "bbc"
PEERCORPUS = str(Path(sys.executable).parent / "peercorpus")


def timed(command: list[str], env: dict | None = None, *, stdout=subprocess.DEVNULL) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one child process (peak: the largest child so far)."""
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=stdout, env=env)
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return elapsed, peak

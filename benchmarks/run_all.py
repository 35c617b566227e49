"""Run every benchmark script in this folder (`make bench`); each prints its own ratios.

Fails (exit 1) before running anything when the BBC corpus is missing, saying where to put
it, and fails when any benchmark fails.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _timing import BBC  # noqa: E402

if not BBC.is_dir():
    sys.exit(
        f"make bench: the benchmark corpus is missing: {BBC}\n"
        "Put the BBC news corpus there (one folder of .txt files, about 5 MB), or run one "
        "benchmark on another corpus: .venv/bin/python benchmarks/kwic_bench.py --corpus FOLDER"
    )

failed = []
for script in sorted(Path(__file__).parent.glob("*_bench.py")):
    print(f"\n=== {script.name}", flush=True)
    if subprocess.run([sys.executable, str(script)], check=False).returncode:
        failed.append(script.name)
if failed:
    sys.exit(f"make bench: {len(failed)} benchmark(s) failed: {', '.join(failed)}")

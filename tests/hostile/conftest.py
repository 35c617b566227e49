"""Helpers for the hostile-input suite: every test makes its own small bad input."""

from __future__ import annotations

import subprocess
import sys

import pytest


def one_line_error(result, *, code: int = 2) -> str:
    """The stderr of a CLI run that must fail with one line and no traceback."""
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
    assert len(lines) == 1 and lines[-1].startswith("error:"), result.stderr
    return lines[-1]


def run_bounded(args: list[str], *, seconds: float = 60, memory_mb: int = 1024, cwd=None, env=None):
    """``python -m peercorpus ARGS`` in a child with an address-space limit and a timeout: a
    hang or a memory blow-up fails the test instead of the machine."""

    def limit():
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory_mb << 20, memory_mb << 20))

    try:
        return subprocess.run(
            [sys.executable, "-m", "peercorpus", *args], capture_output=True, text=True,
            timeout=seconds, preexec_fn=limit, cwd=cwd, env=env,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"peercorpus {' '.join(args)} ran longer than {seconds} s")

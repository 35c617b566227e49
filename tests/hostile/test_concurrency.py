"""Several processes on one cache while files change, and kill -9 at random points: every
command that finishes gives a right answer, and nothing is left running."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import pytest


def _write(corpus, count, start=0):
    for i in range(start, start + count):
        (corpus / f"d{i:03d}.txt").write_text(f"Text {i} about peer support. The lighthouse stood there.\n" * 3)


def _env(cache):
    return {**os.environ, "PEERCORPUS_CACHE_DIR": str(cache)}


def _hits(csv_text: str) -> int:
    return len(csv_text.splitlines()) - 1


def _kwic(corpus, env):
    return subprocess.Popen(
        [sys.executable, "-m", "peercorpus", "kwic", str(corpus), "lighthouse", "-f", "csv"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )


@pytest.mark.slow
def test_concurrent_commands_while_files_change_all_answer_right(run, tmp_path, monkeypatch):
    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    corpus.mkdir()
    _write(corpus, 50)
    env = _env(cache)
    files = 50
    for round_ in range(3):
        processes = [_kwic(corpus, env) for _ in range(4)]
        time.sleep(random.uniform(0, 0.5))
        _write(corpus, 1, start=files)  # one more file while they run
        files += 1
        for process in processes:
            out, err = process.communicate(timeout=120)
            assert process.returncode == 0, err
            assert "Traceback" not in err and "unreadable" not in err, err
            assert _hits(out) in (3 * (files - 1), 3 * files), (round_, out)
    # the last command after them, in this process (the CLI runner): what it reads is the cache
    # they left
    monkeypatch.setenv("PEERCORPUS_CACHE_DIR", str(cache))
    final = run("kwic", str(corpus), "lighthouse", "-f", "csv")
    assert final.exit_code == 0 and _hits(final.stdout) == 3 * files, (final.stdout, final.stderr)


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as handle:
            return [int(p) for p in handle.read().split()]
    except OSError:
        return []


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


@pytest.mark.slow
@pytest.mark.skipif(not os.path.exists("/proc/self/task"), reason="needs Linux /proc")
def test_kill_9_during_a_cold_ingest_leaves_no_workers_and_a_usable_cache(run, tmp_path, monkeypatch):
    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    corpus.mkdir()
    _write(corpus, 400)
    env = _env(cache)
    monkeypatch.setenv("PEERCORPUS_CACHE_DIR", str(cache))  # for the commands run in this process
    rng = random.Random(7)
    for attempt in range(3):
        process = subprocess.Popen(
            [sys.executable, "-m", "peercorpus", "-q", "ingest", str(corpus)], env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        workers: set[int] = set()
        deadline = time.monotonic() + rng.uniform(0.5, 3.0)
        while time.monotonic() < deadline and process.poll() is None:
            workers.update(_children(process.pid))
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        limit = time.monotonic() + 15
        while time.monotonic() < limit and any(_alive(pid) for pid in workers):
            time.sleep(0.1)
        assert not [pid for pid in workers if _alive(pid)], f"workers outlived their parent (attempt {attempt})"
        # a killed ingest only costs time: the next command reads the corpus right (in this
        # process, the CLI runner: what it reads is the cache the killed one left)
        check = run("kwic", str(corpus), "lighthouse", "-f", "csv")
        assert check.exit_code == 0 and _hits(check.stdout) == 1200, (check.stdout[-300:], check.stderr)
        (corpus / f"d{attempt:03d}.txt").write_text(f"Text {attempt} changed. The lighthouse stood there.\n" * 3)

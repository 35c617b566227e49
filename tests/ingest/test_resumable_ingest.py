"""An interrupted ingest (SIGTERM from a batch system or ``kill``, Ctrl-C) keeps the shards it
finished, ends its worker processes instead of leaving them blocked on a pipe, and a rerun
tokenises only the rest, giving the same corpus as an ingest that was never interrupted."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cluster.conftest import write_corpus
from conftest import Runner

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")]


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended; only its parent's wait is missing


def _pack_written(cache: Path) -> bool:
    """Whether an open shard pack has bytes on disk (its .tmp- file is made as the first shard
    is written, so seeing the file alone could interrupt the ingest before any shard is whole)."""
    for pack in cache.glob("*/shards/*/.tmp-*"):
        try:
            if pack.stat().st_size > 0:
                return True
        except OSError:
            pass
    return False


def _shards_kept(cache: Path) -> int:
    return sum(len(json.loads(index.read_text())) for index in cache.rglob("*.idx"))


def _snapshot(cache: Path) -> dict[str, bytes]:
    [folder] = [p.parent for p in cache.rglob("manifest.json")]
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    # 300 files, so that the ingest is interrupted with most of them to do (37-56 shards of 303
    # were kept with 900 words a file, 75-94 with 400); the words a file only cost time.
    return write_corpus(tmp_path_factory.mktemp("resume") / "corpus", 300, 400)


@pytest.fixture(scope="module")
def uninterrupted(corpus, tmp_path_factory) -> dict[str, bytes]:
    # the same command in this process (the CLI runner): what is compared is its snapshot, and a
    # child would import and start up only to write it
    cache = tmp_path_factory.mktemp("whole")
    result = Runner()("-q", "ingest", str(corpus), "--cache-dir", str(cache))
    assert result.exit_code == 0, result.stderr
    return _snapshot(cache)


@pytest.mark.parametrize(("signal_number", "exit_code", "said"), [(signal.SIGTERM, 143, "terminated"), (signal.SIGINT, 130, "interrupted")])
def test_interrupted_ingest_keeps_its_shards_ends_its_workers_and_resumes(corpus, uninterrupted, tmp_path, signal_number, exit_code, said):
    cache = tmp_path / "cache"
    ingest = subprocess.Popen(
        [sys.executable, "-m", "peercorpus", "ingest", str(corpus), "--cache-dir", str(cache)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    deadline = time.monotonic() + 300
    while ingest.poll() is None and not _pack_written(cache) and time.monotonic() < deadline:
        time.sleep(0.005)
    time.sleep(0.05)  # a pack holds bytes: its first shard is written and recorded by now
    workers = _children(ingest.pid)
    ingest.send_signal(signal_number)
    _, err = ingest.communicate(timeout=120)
    if ingest.returncode == 0:
        pytest.skip("the ingest finished before it could be interrupted")
    assert ingest.returncode == exit_code, err
    assert said in err and "Traceback" not in err
    assert workers  # the ingest tokenised in worker processes...
    deadline = time.monotonic() + 30
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in workers)  # ...which ended with it
    kept = _shards_kept(cache)
    assert kept > 0 and not list(cache.glob("*/snapshots/*/*/manifest.json"))

    # the rerun in this process (the CLI runner): it is the cache that was interrupted
    rerun = Runner()("-v", "ingest", str(corpus), "--cache-dir", str(cache))
    assert rerun.exit_code == 0, rerun.stderr
    assert f"(305 new or changed, {303 - kept} tokenised)" in rerun.stderr
    assert _snapshot(cache) == uninterrupted

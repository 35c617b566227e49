"""A real Dask cluster on 127.0.0.1 for the cluster tests (``dask scheduler`` and ``dask worker``
processes, as on an HPC cluster), and a generated corpus large enough to keep workers busy."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

WORDS = (
    "peer support worker recovery mental health service lived experience research hospital team "
    "community role training trust hope group meeting family friend doctor nurse policy practice "
    "study interview theme value change people time year week day way life work help care"
).split()


def need_dask():
    """The cluster tests run wherever the ``dask`` extra is installed; CI installs it, so there a
    missing Dask is a failure, not a skip."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("CI must install the dask extra (.ci/run: pip install -e '.[dev,dask]')")
        pytest.skip("the dask extra is not installed (pip install -e '.[dask]')")


def write_corpus(folder: Path, n_files: int, words_per_file: int, seed: int = 7) -> Path:
    """Plain-text files of made-up sentences; every fifth has a newsletter line and a line that
    repeats across files (both left out as boilerplate, the second found by counting), two are cp1252 (a notice each), two are fake PDFs
    (skipped), and a CSV holds three documents."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(n_files):
        sentences = []
        left = words_per_file
        while left > 0:
            length = min(left, rng.randint(6, 18))
            words = [rng.choice(WORDS) for _ in range(length)]
            sentences.append(" ".join(words).capitalize() + ".")
            left -= length
        if number % 4 == 1:  # part1 says more about nurses and wards: keywords for keyness
            sentences = [s if i % 3 else s + " The nurse walked the ward." for i, s in enumerate(sentences)]
        paragraphs = [" ".join(sentences[i : i + 5]) for i in range(0, len(sentences), 5)]
        if number % 5 == 0:  # boilerplate the section rules know, and a line repeated across files
            paragraphs.insert(1, "Reading group notes for Thursday evening")
            paragraphs.append("Subscribe to our weekly newsletter today")  # cuts from here to the end
        sub = folder / f"part{number % 4}"
        sub.mkdir(exist_ok=True)
        (sub / f"doc{number:04d}.txt").write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    # two of each, far apart, so that the order of warnings and skipped files is tested too
    for number, where in enumerate((folder, folder / "part3")):  # (contents differ: one shard each)
        (where / "legacy.txt").write_bytes(b"Caf\xe9 na\xefve \x93quoted\x94 text about peer support %d.\n" % number)  # cp1252
        (where / "broken.pdf").write_bytes(b"%%PDF-1.4 not really a pdf %d" % number)
    (folder / "table.csv").write_text("id,text,genre\na,Peer support helps.,blog\nb,Recovery takes time.,news\nc,Hope matters.,blog\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def cluster_corpus(tmp_path_factory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("cluster") / "corpus", 240, 900)


class Cluster:
    """``dask scheduler`` plus ``dask worker`` processes started here (and only those stopped)."""

    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.scheduler_file = folder / "scheduler.json"
        self.processes: list[subprocess.Popen] = []
        self.workers: dict[str, subprocess.Popen] = {}
        dask = Path(sys.executable).with_name("dask")
        self.dask = str(dask) if dask.exists() else shutil.which("dask") or "dask"
        log = open(folder / "scheduler.log", "wb")
        self.processes.append(subprocess.Popen(
            [self.dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard", "--scheduler-file", str(self.scheduler_file)],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        ))
        deadline = time.monotonic() + 120
        while not self._address():
            if time.monotonic() > deadline or self.processes[0].poll() is not None:
                raise RuntimeError("the Dask scheduler did not start: " + (folder / "scheduler.log").read_text()[-2000:])
            time.sleep(0.2)
        self.address = self._address()

    def _address(self) -> str | None:
        try:
            return json.loads(self.scheduler_file.read_text())["address"]
        except (OSError, ValueError, KeyError):
            return None

    def add_worker(self, name: str, *, wrapper: list[str] | None = None) -> subprocess.Popen:
        """A worker process without a nanny (killing it kills the worker), one thread."""
        log = open(self.folder / f"{name}.log", "wb")
        command = [self.dask, "worker", self.address, "--name", name, "--nthreads", "1", "--no-nanny", "--no-dashboard", "--memory-limit", "0"]
        process = subprocess.Popen((wrapper or []) + command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.processes.append(process)
        self.workers[name] = process
        return process

    def wait_for_workers(self, count: int, timeout: float = 120) -> None:
        from distributed import Client

        with Client(self.address, timeout=timeout, set_as_default=False) as client:
            client.wait_for_workers(count, timeout=timeout)

    def stop(self, grace: float = 5) -> None:
        """SIGTERM to every process started here, then SIGKILL to those still running after
        ``grace`` seconds in all: a worker whose scheduler went first can spend its whole
        reconnect timeout closing, and nothing a test checks needs it to close cleanly."""
        for process in reversed(self.processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for process in self.processes:
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A scheduler and two workers, shared by a module's tests."""
    need_dask()
    running = Cluster(tmp_path_factory.mktemp("dask"))
    try:
        running.add_worker("one")
        running.add_worker("two")
        running.wait_for_workers(2)
        yield running
    finally:
        running.stop()

"""Shared fixtures: tiny committed corpora, an isolated cache, and a CLI runner."""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

DATA = Path(__file__).parent / "data"
SAMPLE = Path(__file__).parent.parent / "corpora"

# Caches and outputs of the suite are thrown away: they are not flushed to the disk
# (peercorpus/durable.py; tests/test_durable.py checks that a user's are).
os.environ["PEERCORPUS_FSYNC"] = "0"

# Python's bytecode cache on, even where the environment turns it off (PYTHONDONTWRITEBYTECODE,
# as in many containers, this project's CI among them). The suite starts a few hundred Python
# processes (xdist workers, commands run as users run them, ingest workers); without the cache
# each compiles peercorpus from source and pytest rewrites every test module's asserts again in
# each worker: a third of the suite's CPU here. The .pyc files go where Python puts them
# (__pycache__ beside the sources, ignored by git). Set before xdist starts its workers, so that
# they and every child process inherit it; this process writes them from here on.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.dont_write_bytecode = False

# Where the suite's temporary folders go when nobody said (--basetemp): a folder of its own
# in memory (/dev/shm), if there is one with room, deleted when the run ends. The suite makes
# and deletes tens of thousands of small files (caches, outputs); on a disk mounted with
# `discard` (this project's CI machine: ext4), each deletion of a file with data costs ~2 ms,
# which was a third of the suite's time. Without /dev/shm, pytest's default is used.
RAM_FOLDER = Path("/dev/shm")
RAM_NEEDED = 4 * 2**30
_RAM_BASETEMP = pytest.StashKey[Path]()


def _ram_basetemp() -> Path | None:
    """A new folder in memory for this run's temporary folders, or None when there is none
    with RAM_NEEDED bytes free."""
    import tempfile

    try:
        usage = shutil.disk_usage(RAM_FOLDER)
        if usage.free < RAM_NEEDED or not os.access(RAM_FOLDER, os.W_OK):
            return None
        return Path(tempfile.mkdtemp(prefix="peercorpus-tests-", dir=RAM_FOLDER))
    except OSError:
        return None


@pytest.fixture(autouse=True)
def screen_resolution_plots(request, monkeypatch):
    """Plots drawn in the test process are saved at 72 dpi instead of 300: the same figure,
    text and layout (sizes are in inches and points), at a fifteenth of the pixels to
    rasterise and compress (a third of the report tests' time). Tests of the printed
    resolution are marked ``print_dpi``; commands run in child processes are not affected."""
    if request.node.get_closest_marker("print_dpi") is None:
        from peercorpus.render import figure

        monkeypatch.setattr(figure, "DPI", 72)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    # Only the process that runs the session chooses; xdist's workers get a folder inside it.
    if config.option.basetemp is None and not hasattr(config, "workerinput"):
        folder = _ram_basetemp()
        if folder is not None:
            config.option.basetemp = str(folder / "pytest")
            config.stash[_RAM_BASETEMP] = folder
            # Python's own temporary files and folders go there too (tempfile: snapshots of
            # --no-cache, spill files), for this process, the xdist workers and every child
            import tempfile

            (folder / "tmp").mkdir()
            os.environ["TMPDIR"] = str(folder / "tmp")
            tempfile.tempdir = None
    # xdist's load scheduling hands each worker a quarter of its share at the start: with the long
    # tests first (see pytest_collection_modifyitems) one worker could hold most of them while the
    # other ran out. Two tests each at the start (--maxschedchunk given on the command line wins);
    # after that, pytest_xdist_make_scheduler keeps each worker's queue short.
    if getattr(config.option, "maxschedchunk", "absent") is None:
        config.option.maxschedchunk = 2


QUEUED = 3  # tests an xdist worker holds: the one it runs and the next two

# Tests whose costly module or session fixtures would otherwise be made once in each worker
# (~1-2 s each): every test of a group goes to the worker that got the group's first.
ONE_WORKER = {
    "tests/report/": "full_report",  # report/conftest.py: the whole report, once per process
    "tests/core/test_released_pages.py": "partitioned",  # 60 documents, 300,000 tokens ingested
    "tests/qda/test_streamed_project.py": "generated",
    "tests/ingest/test_partitions.py": "two_document_partitions",
    "tests/ingest/test_resumable_ingest.py": "uninterrupted",
}


def _group(nodeid: str) -> str | None:
    return next((group for prefix, group in ONE_WORKER.items() if nodeid.startswith(prefix)), None)


@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """xdist's load scheduling with short queues: a worker is refilled to ``QUEUED`` tests as each
    one ends. xdist's own refills a worker until it holds an eighth of the tests still unsent, so
    that near the end one worker could still hold ten tests of a module (~10 s) that the other,
    done, could have shared; here the last tests go to whichever worker is free. The tests of a
    group of ``ONE_WORKER`` all go to one worker, in order with the rest."""
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScheduling

    class ShortQueues(LoadScheduling):
        def __init__(self, config, log=None):
            super().__init__(config, log)
            self.owners: dict = {}  # group of ONE_WORKER -> the worker that runs it

        def remove_node(self, node):
            # a worker that crashed: its groups go to whichever worker is free, with its tests
            for group in [group for group, owner in self.owners.items() if owner is node]:
                del self.owners[group]
            return super().remove_node(node)

        def check_schedule(self, node, duration: float = 0) -> None:
            if node.shutting_down:
                return
            if self.pending:
                held = len(self.node2pending[node])
                if held < QUEUED:
                    self._send_tests(node, QUEUED - held)
            if not self.pending:  # every test is sent: each worker ends after its own
                for other in self.nodes:
                    if not other.shutting_down:
                        other.shutdown()

        def _send_tests(self, node, num: int) -> None:
            chosen = []
            for index in self.pending:
                if len(chosen) == num:
                    break
                group = _group(self.collection[index])
                if group is not None and self.owners.setdefault(group, node) is not node:
                    continue  # another worker's
                chosen.append(index)
            if chosen:
                taken = set(chosen)
                self.pending[:] = [index for index in self.pending if index not in taken]
                self.node2pending[node].extend(chosen)
                node.send_runtest_some(chosen)

    return ShortQueues(config, log)


def pytest_collection_modifyitems(config, items):
    """The modules that hold a test marked ``slow`` run first, then those that one xdist worker
    runs alone (``ONE_WORKER``), each module's tests together and in their order: xdist hands out
    tests to whichever worker is free (see pytest_xdist_make_scheduler), so the long tests are
    shared out early and short ones fill up to the end, instead of one worker finishing a long
    test, or a group only it may run, while the other waits."""
    slow_modules = {item.module for item in items if item.get_closest_marker("slow") is not None}
    items.sort(key=lambda item: (item.module not in slow_modules, _group(item.nodeid) is None))


def pytest_collection_finish(session):
    """Garbage collection of a test process sized for one: the modules the test modules imported
    are frozen (gc.freeze: no collection walks them again), and full collections run a tenth as
    often. A full collection walks every object the process holds, ~0.1-0.3 s in a worker that
    has imported NLTK, scikit-learn and matplotlib; Python's default started one every few tests
    (6.5 s of the suite's CPU; 3.5 s after). Cycles that died are still collected, later."""
    import gc

    gc.collect()
    gc.freeze()
    first, second, third = gc.get_threshold()
    gc.set_threshold(first, second, third * 10)


def pytest_unconfigure(config):
    folder = config.stash.get(_RAM_BASETEMP, None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
    if hasattr(config, "workerinput"):
        # An xdist worker is about to exit, and the run ends when the last one has. By now it holds
        # every module the suite imported (NLTK alone ~1,900), and the interpreter's last garbage
        # collections walk them all: ~1 s of each worker's exit, which the whole run waited for.
        # Frozen, they are left to the process' end like every other object at exit.
        import gc

        gc.freeze()


def raw_count(text: str, phrase: str) -> int:
    """Independent count of ``phrase`` in ``text``: whole words, case-insensitive, any
    whitespace between the phrase's words."""
    words = [re.escape(w) for w in phrase.split()]
    # Not inside a word: no letter, digit or hyphen beside it (hyphenated compounds such as
    # "recovery‐oriented" are one token), nor an apostrophe joining a word.
    pattern = re.compile(r"(?<![\w\-‐‑])(?<!\w['’])" + r"\s+".join(words) + r"(?![\w\-‐‑])(?!['’]\w)", re.IGNORECASE)
    return len(pattern.findall(text))


_WARMED: set[tuple[str, str]] = set()  # (corpus, cache) pairs already ingested in this run


def heavy_imports_of_warm_command(corpus: Path, cache: Path, *args: str, modules: tuple[str, ...] = ("nltk", "sklearn")) -> tuple[bool, ...]:
    """Whether ``peercorpus ARGS...`` on a warm cache imports each of ``modules``, run in a
    fresh process: ``ingest`` (in this process) fills ``cache`` first (once per corpus and cache in a test run:
    the probes of one corpus share a warm cache, ``warm_sample_cache``), then the command runs
    with ``--cache-dir``."""
    return heavy_imports_of_warm_commands(corpus, cache, [args], modules=modules)[0]


def heavy_imports_of_warm_commands(corpus: Path, cache: Path, commands: list[tuple[str, ...]], *,
                                   modules: tuple[str, ...] = ("nltk", "sklearn")) -> list[tuple[bool, ...]]:
    """``heavy_imports_of_warm_command`` for several commands run one after another in ONE fresh
    process: after each, whether each of ``modules`` is imported so far. A module that the first
    command imports shows for every later one too, so the first True names the culprit; all
    False means that none of them imported it (one process instead of one each)."""
    import subprocess
    import sys

    if (str(corpus), str(cache)) not in _WARMED:
        # The ingest that warms the cache runs in this process (the same command, through the CLI
        # runner): a child would import NLTK and tokenise cold only to fill the cache. Were the
        # cache not warm for the probe's command, the probe would tokenise and import NLTK itself.
        result = Runner()("-q", "ingest", str(corpus), "--cache-dir", str(cache))
        assert result.exit_code == 0, result.output
        _WARMED.add((str(corpus), str(cache)))
    argvs = [["peercorpus", "-q", *args, "--cache-dir", str(cache)] for args in commands]
    probe = (
        "import sys\nimport peercorpus.cli as c\n"
        f"for argv in {argvs!r}:\n"
        "    sys.argv = argv\n    try:\n        c.main()\n    except SystemExit:\n        pass\n"
        f"    print('MODULES', *(name in sys.modules for name in {tuple(modules)!r}), file=sys.stderr)\n"
    )
    err = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True).stderr
    lines = [line for line in err.splitlines() if line.startswith("MODULES")]
    assert len(lines) == len(commands), err
    return [tuple(word == "True" for word in line.split()[1:]) for line in lines]


@pytest.fixture(scope="session")
def warm_sample_cache(tmp_path_factory, sample_cache_seed) -> Path:
    """One cache folder for the import probes of the sample corpus, warm from the start (a copy
    of ``sample_cache_seed``): each probe is a fresh process reading it, never writing."""
    cache = tmp_path_factory.mktemp("warm-sample-cache")
    shutil.copytree(sample_cache_seed, cache, dirs_exist_ok=True)
    _WARMED.add((str(SAMPLE), str(cache)))
    return cache


@pytest.fixture(scope="session")
def sample_cache_seed(tmp_path_factory) -> Path:
    """A cache holding the sample corpus read with the default settings, built once per run."""
    from peercorpus import load_corpus

    seed = tmp_path_factory.mktemp("sample-cache-seed")
    load_corpus(SAMPLE, cache_dir=seed)
    return seed


@pytest.fixture(autouse=True)
def isolated_cache(request, tmp_path_factory, monkeypatch):
    """Every test gets its own cache folder, so tests never share or pollute a cache. A test
    that reads the sample corpus (or the shared planted corpus) finds it there already (a copy of
    ``sample_cache_seed``, ``planted_seed``), as a user's second command would, instead of reading
    and tokenising it again; a test marked ``cold_cache`` starts empty."""
    cache = tmp_path_factory.mktemp("cache")
    # pytest-xdist's workers are given COLUMNS=80 and LINES=24; a test sets the width it wants
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.delenv("LINES", raising=False)
    if request.node.get_closest_marker("cold_cache") is None:
        if "sample_corpus" in request.fixturenames:
            shutil.copytree(request.getfixturevalue("sample_cache_seed"), cache, dirs_exist_ok=True)
        if "planted_corpus" in request.fixturenames:
            shutil.copytree(request.getfixturevalue("planted_seed")[2], cache, dirs_exist_ok=True)
    monkeypatch.setenv("PEERCORPUS_CACHE_DIR", str(cache))
    return cache


@pytest.fixture
def mini_corpus(tmp_path) -> Path:
    """A writable copy of tests/data/mini: four short texts and a metadata.csv."""
    target = tmp_path / "mini"
    shutil.copytree(DATA / "mini", target)
    return target


@pytest.fixture
def sample_corpus() -> Path:
    """The project's sample corpus (corpora/), read-only."""
    return SAMPLE


PLANTED_TOPICS = {
    "garden": "soil seeds compost roses weeding spade greenhouse tomatoes hedge lawn watering bulbs",
    "kitchen": "oven recipe flour butter simmer saucepan garlic onions pastry knead bake roast",
    "sailing": "boat harbour sails mast anchor tide wind keel rudder crew deck mooring",
}
FILLER = "the and of to a in that it was for on are with as this be at by from"


def write_planted_corpus(folder: Path, *, per_topic: int = 12, seed: int = 0) -> dict[str, str]:
    """Write ``per_topic`` documents for each planted topic (90% topic words, a few words of
    the other topics, filler); return {file name: planted topic}."""
    import random

    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    labels = {}
    names = sorted(PLANTED_TOPICS)
    for topic in names:
        own = PLANTED_TOPICS[topic].split()
        others = [w for t in names if t != topic for w in PLANTED_TOPICS[t].split()]
        for number in range(per_topic):
            sentences = []
            for _ in range(8):
                words = rng.choices(own, k=9) + rng.choices(others, k=1) + rng.choices(FILLER.split(), k=4)
                rng.shuffle(words)
                sentences.append(" ".join(words).capitalize() + ".")
            name = f"{topic}-{number:02d}.txt"
            (folder / name).write_text(" ".join(sentences) + "\n", encoding="utf-8")
            labels[name] = topic
    return labels


@pytest.fixture
def no_topic_plots(monkeypatch):
    """A topic folder (``topics -o``) without its plots, for the tests of its tables and JSON:
    write_topic_folder writes every table and topics.json before its first plot
    (render/topic_folder.py), so they cannot depend on the plots; the plots' own tests draw them."""
    from peercorpus.render import topic_folder

    monkeypatch.setattr(topic_folder, "plot_topic_terms", lambda model, path: None)
    monkeypatch.setattr(topic_folder, "plot_document_heatmap", lambda model, path: None)


@pytest.fixture(scope="session")
def planted_seed(tmp_path_factory) -> tuple[Path, dict[str, str], Path]:
    """The planted corpus shared by the tests that only read it, and a cache holding it read with
    the default settings, built once per test process: (folder, labels, cache)."""
    from peercorpus import load_corpus

    root = tmp_path_factory.mktemp("planted-shared")
    labels = write_planted_corpus(root / "planted")
    load_corpus(root / "planted", cache_dir=root / "cache")
    return root / "planted", labels, root / "cache"


@pytest.fixture
def planted_corpus(planted_seed) -> tuple[Path, dict[str, str]]:
    """36 documents about gardening, cooking or sailing, and each document's topic: one folder
    for every test that only reads it (its cache already warm, isolated_cache; a test that writes
    into the folder takes ``writable_planted_corpus``)."""
    folder, labels, _ = planted_seed
    return folder, dict(labels)


@pytest.fixture
def writable_planted_corpus(tmp_path) -> tuple[Path, dict[str, str]]:
    """``planted_corpus`` in a folder of this test's own, which it may write into (metadata)."""
    folder = tmp_path / "planted"
    return folder, write_planted_corpus(folder)


class Runner:
    """Runs the ``peercorpus`` CLI in-process: ``run("info", str(path))`` → click Result."""

    def __init__(self):
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None):
        from peercorpus.cli import app

        return self.runner.invoke(app, list(args), input=input, catch_exceptions=False)


@pytest.fixture
def run() -> Runner:
    return Runner()

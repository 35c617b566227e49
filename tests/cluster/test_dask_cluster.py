"""peercorpus on a real Dask cluster (``dask scheduler`` + ``dask worker`` processes on
127.0.0.1): cold ingest gives the same snapshot and tables as a local one, counting analyses
mapped over the workers give the same tables, a worker killed mid-ingest, an interrupted ingest
resumed, and one-line errors for what goes wrong on a shared cluster."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import heavy_imports_of_warm_command

from .conftest import WORDS, Cluster, need_dask

pytestmark = pytest.mark.slow

TABLES = (
    ("info", "-f", "csv"),
    ("freq", "-f", "csv"),
    ("freq", "--ngram", "2", "-f", "csv"),
    ("kwic", "peer support", "-f", "csv"),
    ("collocations", "-f", "csv"),
    ("stats", "-f", "csv"),
)


def peercorpus(*args: str, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "peercorpus", *args], capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=600)
    if check and result.returncode != 0:
        raise AssertionError(f"peercorpus {' '.join(args)} → {result.returncode}\n{result.stderr}")
    return result


def snapshot_files(cache: Path) -> dict[str, bytes]:
    [folder] = [p for p in (cache / "v5" / "snapshots").glob("*/*") if p.is_dir() and not p.name.startswith(".")] if (cache / "v5").exists() else [None]
    if folder is None:  # another cache format: find the one snapshot wherever it is
        [folder] = [p.parent for p in cache.rglob("manifest.json")]
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def tables(corpus: Path, cache: Path) -> dict[tuple, str]:
    return {args: peercorpus(args[0], str(corpus), *args[1:], "--cache-dir", str(cache)).stdout for args in TABLES}


def shards_kept(cache: Path) -> int:
    import json

    return sum(len(json.loads(index.read_text())) for index in cache.rglob("*.idx"))


@pytest.fixture(scope="module")
def local_run(cluster_corpus, tmp_path_factory):
    cache = tmp_path_factory.mktemp("local-cache")
    result = peercorpus("-v", "ingest", str(cluster_corpus), "--cache-dir", str(cache))
    return cache, result, snapshot_files(cache), tables(cluster_corpus, cache)


def test_cluster_ingest_gives_the_local_snapshot_and_tables(cluster, cluster_corpus, local_run, tmp_path):
    local_cache, local_result, local_snapshot, local_tables = local_run
    cache = tmp_path / "shared-cache"
    result = peercorpus("-v", "--scheduler", str(cluster.scheduler_file), "ingest", str(cluster_corpus), "--cache-dir", str(cache))
    assert result.stdout == local_result.stdout  # same summary: files tokenised, skipped, with warnings
    def said(run):  # warnings and the files tokenised; not the cache's size and place, nor where
        return [line for line in run.stderr.splitlines() if not line.startswith(("cache:", "tokenised on"))]

    assert f"tokenised on the Dask cluster at {cluster.address}: 2 workers, 2 threads" in result.stderr

    assert said(result) == said(local_result)
    assert "(245 new or changed, 243 tokenised)" in result.stderr
    assert "broken.pdf" in result.stderr and "cp1252" in result.stderr
    assert snapshot_files(cache) == local_snapshot  # every array, the vocabulary, texts, manifest
    assert tables(cluster_corpus, cache) == local_tables
    assert "peercorpus-reread" in task_prefixes(cluster)  # files with a repeated line read again on the workers

    # warm: nothing to do, the cluster is not even asked
    again = peercorpus("-v", "ingest", str(cluster_corpus), "--scheduler", cluster.address, "--cache-dir", str(cache))
    assert "unchanged, from cache" in again.stdout
    # one file changed (in a copy, whose shards are all in the cache already): one file tokenised
    copy = tmp_path / "copy"
    shutil.copytree(cluster_corpus, copy)
    sorted(copy.rglob("doc0003.txt"))[0].write_text("A changed document about peer support.\n", encoding="utf-8")
    after = peercorpus("-v", "ingest", str(copy), "--scheduler", cluster.address, "--cache-dir", str(cache))
    assert "(245 new or changed, 1 tokenised)" in after.stderr


COUNTING = (
    ("freq",),
    ("freq", "--where", "collection=part1"),  # a where view: counted on the workers over the whole snapshot
    ("freq", "--ngram", "2", "--by", "collection"),
    ("keyness", "--target", "collection=part1"),
    ("collocations",),
    ("collocations", "--size", "3"),
    ("collocations", "--where", "collection!=part1"),
    ("collocates", "peer"),
    ("dispersion", "peer support"),
    ("stats",),
)


def test_counting_analyses_on_the_cluster_give_the_local_tables(cluster, cluster_corpus, local_run):
    cache = local_run[0]
    small_chunks = {"PEERCORPUS_CHUNK_TOKENS": "20000"}  # about 40 chunks: 40 tasks per pass
    for args in COUNTING:
        command = [args[0], str(cluster_corpus), *args[1:], "-f", "csv", "--cache-dir", str(cache)]
        local = peercorpus(*command, env=small_chunks).stdout
        on_cluster = peercorpus(*command, "--scheduler", cluster.address, env=small_chunks)
        assert on_cluster.stdout == local, args
        assert local.count("\n") > 1
    assert "peercorpus-partial" in task_prefixes(cluster)  # the chunks were counted by the workers


def task_prefixes(cluster) -> list[str]:
    """The prefixes of every task the cluster's scheduler has run so far (its tests' tasks too)."""
    from distributed import Client

    with Client(cluster.address, set_as_default=False) as client:
        return client.run_on_scheduler(lambda dask_scheduler: sorted(dask_scheduler.task_prefixes))


def kill_mid_task(victim: subprocess.Popen, ingest: subprocess.Popen, caught: Callable[[], bool], never: str, *, every: float) -> tuple[str, str]:
    """SIGKILL the worker ``victim`` as soon as ``caught()`` (asked every ``every`` s while
    ``ingest`` runs, for at most 300 s), then wait for ``ingest``: it must have been killed, by
    that signal, and the ingest must still succeed. ``never``: what failed when the moment never
    came (the test then proved nothing). Returns the ingest's stdout and stderr."""
    killed = False
    deadline = time.monotonic() + 300
    while ingest.poll() is None and time.monotonic() < deadline:
        if caught():
            victim.send_signal(signal.SIGKILL)
            killed = True
            break
        time.sleep(every)
    out, err = ingest.communicate(timeout=600)
    assert killed, f"{never}; the test proved nothing"
    assert ingest.returncode == 0, err
    assert victim.wait(timeout=30) == -signal.SIGKILL
    return out, err


def _holds_a_pack(pid: int, cache: Path) -> bool:
    """Whether process ``pid`` has a shard pack of ``cache`` open for writing (it is in a task)."""
    try:
        links = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
    except OSError:
        return False
    return any(link.startswith(str(cache)) and "/.tmp-" in link for link in links)


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to see a worker's open files")
def test_a_worker_killed_mid_ingest_is_retried_and_the_corpus_is_complete(cluster, cluster_corpus, local_run, tmp_path):
    _, _, local_snapshot, local_tables = local_run
    victim = cluster.add_worker("victim")
    cluster.wait_for_workers(3)
    cache = tmp_path / "shared-cache"
    ingest = subprocess.Popen(
        [sys.executable, "-m", "peercorpus", "-v", "--scheduler", cluster.address, "ingest", str(cluster_corpus), "--cache-dir", str(cache)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    # in the middle of a task, its pack half-written
    kill_mid_task(victim, ingest, lambda: _holds_a_pack(victim.pid, cache), "the victim worker never ran a task", every=0.005)
    assert snapshot_files(cache) == local_snapshot
    assert tables(cluster_corpus, cache) == local_tables


def test_an_interrupted_cluster_ingest_resumes_from_the_finished_shards(cluster, cluster_corpus, local_run, tmp_path):
    _, _, local_snapshot, _ = local_run
    cache = tmp_path / "shared-cache"
    ingest = subprocess.Popen(
        [sys.executable, "-m", "peercorpus", "--scheduler", cluster.address, "ingest", str(cluster_corpus), "--cache-dir", str(cache)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    deadline = time.monotonic() + 300
    while ingest.poll() is None and not list(cache.rglob("*.idx")) and time.monotonic() < deadline:
        time.sleep(0.01)
    ingest.send_signal(signal.SIGTERM)
    _, err = ingest.communicate(timeout=120)
    if ingest.returncode == 0:
        pytest.skip("the ingest finished before it could be interrupted")
    assert ingest.returncode == 143 and "terminated" in err and "Traceback" not in err
    kept = shards_kept(cache)
    assert 0 < kept < 243
    rerun = peercorpus("-v", "--scheduler", cluster.address, "ingest", str(cluster_corpus), "--cache-dir", str(cache))
    tokenised = int(rerun.stderr.split(" tokenised)")[0].rsplit(", ", 1)[1])
    assert tokenised <= 243 - kept
    assert snapshot_files(cache) == local_snapshot


# --- errors a user of a shared cluster meets, each one line and exit 2 ------------------------


def _one_line_error(result: subprocess.CompletedProcess, *fragments: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_unreachable_scheduler_is_one_line_within_the_timeout(mini_corpus, tmp_path):
    need_dask()
    start = time.monotonic()
    result = peercorpus("freq", str(mini_corpus), "--scheduler", "tcp://127.0.0.1:9", "--cache-dir", str(tmp_path / "c"),
                        env={"PEERCORPUS_SCHEDULER_TIMEOUT": "2"}, check=False)
    _one_line_error(result, "cannot reach the Dask scheduler at tcp://127.0.0.1:9 within 2 s")
    assert time.monotonic() - start < 120  # bounded (generous: a busy machine), not a hang


def test_scheduler_from_the_environment_and_config_and_local_overrides(mini_corpus, tmp_path):
    need_dask()
    cache = str(tmp_path / "c")
    env = {"PEERCORPUS_SCHEDULER_TIMEOUT": "1", "PEERCORPUS_SCHEDULER": "tcp://127.0.0.1:9"}
    _one_line_error(peercorpus("freq", str(mini_corpus), "--cache-dir", cache, env=env, check=False), "tcp://127.0.0.1:9")
    config = tmp_path / "c.yaml"
    config.write_text("compute:\n  scheduler: tcp://127.0.0.1:7\n")
    _one_line_error(peercorpus("freq", str(mini_corpus), "-c", str(config), "--cache-dir", cache, env=env, check=False), "tcp://127.0.0.1:7")
    assert peercorpus("freq", str(mini_corpus), "--scheduler", "local", "--cache-dir", cache, env=env).stdout


def test_scheduler_file_missing_or_not_one(mini_corpus, tmp_path):
    result = peercorpus("freq", str(mini_corpus), "--scheduler", str(tmp_path / "scheduler.json"), check=False)
    _one_line_error(result, "no such scheduler file")
    (tmp_path / "scheduler.json").write_text("[1, 2]")
    _one_line_error(peercorpus("freq", str(mini_corpus), "--scheduler", str(tmp_path / "scheduler.json"), check=False), "not a Dask scheduler file")


def test_scheduler_and_no_cache_is_a_usage_error(mini_corpus):
    _one_line_error(peercorpus("freq", str(mini_corpus), "--no-cache", "--scheduler", "tcp://127.0.0.1:9", check=False), "drop --no-cache")


def test_without_dask_installed_the_error_says_how_to_install_it(mini_corpus, tmp_path):
    probe = (
        "import sys\nsys.modules['distributed'] = None\nsys.modules['dask'] = None\n"
        f"sys.argv = ['peercorpus', 'freq', {str(mini_corpus)!r}, '--scheduler', 'tcp://127.0.0.1:9', '--cache-dir', {str(tmp_path)!r}]\n"
        "import peercorpus.cli as c\nc.main()\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    _one_line_error(result, "pip install 'peercorpus[dask]'")


def test_default_path_never_imports_dask(mini_corpus, tmp_path, monkeypatch):
    monkeypatch.delenv("PEERCORPUS_SCHEDULER", raising=False)
    assert heavy_imports_of_warm_command(mini_corpus, tmp_path / "c", "freq", str(mini_corpus), modules=("dask", "distributed")) == (False, False)
    probe = (  # a cold ingest too
        f"import sys\nsys.argv = ['peercorpus', '-q', 'ingest', {str(mini_corpus)!r}, '--cache-dir', {str(tmp_path / 'cold')!r}]\n"
        "import peercorpus.cli as c\ntry:\n    c.main()\nexcept SystemExit:\n    pass\n"
        "print('MODULES', 'dask' in sys.modules, 'distributed' in sys.modules, file=sys.stderr)"
    )
    err = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stderr
    assert "MODULES False False" in err


def _can_unshare() -> bool:
    try:
        return subprocess.run(["unshare", "-m", "true"], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.mark.skipif(not _can_unshare(), reason="needs unshare -m (root) to give a worker its own view of the cache folder")
def test_cache_folder_not_shared_or_not_writable_from_the_workers(mini_corpus, tmp_path):
    need_dask()
    cache = tmp_path / "cache"
    cache.mkdir()
    cluster = Cluster(tmp_path / "dask")
    try:
        # no worker yet: said so, after the wait
        result = peercorpus("freq", str(mini_corpus), "--scheduler", cluster.address, "--cache-dir", str(cache),
                            env={"PEERCORPUS_SCHEDULER_TIMEOUT": "3"}, check=False)
        _one_line_error(result, "has no workers")
    finally:
        cluster.stop()
    # a worker whose cache folder is its own (a node-local /tmp): what it writes is not seen here;
    # then a worker that cannot write there (read-only storage). Each on a cluster of its own.
    mount = 'mount -t tmpfs $0 none "$1" && shift && exec "$@"'
    for options, fragments in (("-o rw", ("does not see it there", "shared by this machine and every worker")),
                               ("-o ro", ("not writable from Dask worker", "read-only"))):
        cluster = Cluster(tmp_path / f"dask{options[-2:]}")
        try:
            cluster.add_worker("odd", wrapper=["unshare", "-m", "sh", "-c", mount, options, str(cache)])
            cluster.wait_for_workers(1)
            result = peercorpus("freq", str(mini_corpus), "--scheduler", cluster.address, "--cache-dir", str(cache), check=False)
            _one_line_error(result, *fragments)
        finally:
            cluster.stop()
    assert not list(cache.rglob("*.pack"))  # checked before any work


def test_a_subset_or_a_single_chunk_is_counted_here_without_contacting_the_scheduler(mini_corpus, tmp_path):
    from peercorpus.analysis.dask_engine import DaskEngine
    from peercorpus.analysis.partials import TermCounts
    from peercorpus.config import TokenizeSettings
    from peercorpus.core.chunks import document_chunks
    from peercorpus.ingest.load import load_corpus

    corpus = load_corpus(mini_corpus, cache_dir=tmp_path)
    engine = DaskEngine("tcp://127.0.0.1:9")  # nothing listens there: contacting it would fail
    mapping = corpus.tokens.feature_map(TokenizeSettings())
    whole = engine.map_merge(TermCounts(mapping), corpus, document_chunks(corpus))  # one chunk
    subset = corpus.subset([1, 0])  # out of corpus order: a copy with its own tokens, not a view of the snapshot
    engine.map_merge(TermCounts(subset.tokens.feature_map(TokenizeSettings())), subset, document_chunks(subset, 1))
    assert whole.counts.sum() > 0 and engine._client is None and engine.chunks_run == 0


# --- the partitions of the snapshot, assembled by the workers (issue 18) ------------------------

SMALL_PARTITIONS = {"PEERCORPUS_PARTITION_DOCUMENTS": "20"}  # the 245 documents in 13 partitions


def snapshot_tree(cache: Path) -> dict[str, bytes]:
    """Every file of the cache's one snapshot, partition folders included, by its path there."""
    [folder] = [p.parent for p in cache.rglob("manifest.json")]
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def assembling_time(cluster) -> float:
    """Seconds the workers have spent in partition-assembling tasks (every test's so far; the key
    "peercorpus-partition-...": Dask's key_split takes "assemble", eight letters from a to f first, for a hex word)."""
    from distributed import Client

    def seconds(dask_scheduler) -> float:
        prefix = dask_scheduler.task_prefixes.get("peercorpus-partition")
        return 0.0 if prefix is None else float(prefix.all_durations.get("compute", 0.0))

    with Client(cluster.address, set_as_default=False) as client:
        return client.run_on_scheduler(seconds)


@pytest.fixture(scope="module")
def local_partitioned(cluster_corpus, tmp_path_factory):
    cache = tmp_path_factory.mktemp("local-partitioned")
    result = peercorpus("-v", "ingest", str(cluster_corpus), "--cache-dir", str(cache), env=SMALL_PARTITIONS)
    return cache, result, snapshot_tree(cache)


def test_the_workers_assemble_the_partitions_and_the_snapshot_is_the_local_one(cluster, cluster_corpus, local_partitioned, tmp_path):
    local_cache, local_result, local_tree = local_partitioned
    manifest = json.loads(local_tree["manifest.json"])
    assert len(manifest["partitions"]) > 5 and manifest["repeated_lines"]  # several partitions; files read again
    cache = tmp_path / "shared-cache"
    before = assembling_time(cluster)
    result = peercorpus("-v", "--scheduler", cluster.address, "ingest", str(cluster_corpus), "--cache-dir", str(cache), env=SMALL_PARTITIONS)
    assert result.stdout == local_result.stdout
    assert f"; {len(manifest['partitions'])} partitions assembled by its workers" in result.stderr
    assert assembling_time(cluster) > before  # the workers ran the partitions' tasks
    assert snapshot_tree(cache) == local_tree  # every partition's files, the top folder, the manifest
    diff = subprocess.run([sys.executable, str(Path(__file__).parents[2] / "benchmarks" / "snapshot_diff.py"), str(local_cache), str(cache)],
                          capture_output=True, text=True)
    assert diff.returncode == 0, diff.stdout
    assert not list(cache.rglob(".work"))  # the workers' scratch is gone


def test_once_a_line_is_likely_to_repeat_the_workers_read_keys_first_and_tokenise_each_file_once(cluster, tmp_path):
    """No file holds rows, so a line is soon likely to repeat (the footer of every page, in every
    document read so far; ``RepeatWatch.is_likely``): the tasks sent after that read their files' short-line keys only, and those files are tokenised
    once, with the line left out, as a local ingest does (issue 18); the snapshot is the local one."""
    from peercorpus.ingest.load import load_corpus

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for page in range(120):  # pages of a site: a title, two headings, text and the site's footer
        words = WORDS[page % len(WORDS)], WORDS[(page * 7 + 3) % len(WORDS)]
        (corpus / f"page{page:03d}.txt").write_text(
            f"Notes on {words[0]} number {page}\n\nAbout the {words[1]} {page}\n\n"
            + " ".join(f"The {words[0]} helps {WORDS[(page + i) % len(WORDS)]} people every week." for i in range(12))
            + f"\n\nMore on {words[1]} {page}\n\nShare this page with a friend\n", encoding="utf-8")
    local = tmp_path / "local"
    peercorpus("ingest", str(corpus), "--cache-dir", str(local))
    cache = tmp_path / "shared-cache"
    calls = []
    loaded = load_corpus(corpus, cache_dir=cache, scheduler=cluster.address, progress=lambda *call: calls.append(call))
    assert loaded.repeated_lines
    assert "peercorpus-keys" in task_prefixes(cluster)
    rereads = [call[:2] for call in calls if call[2:] == ("tokenised without the repeated lines",)]
    assert rereads and rereads[-1][0] == rereads[-1][1]  # shown as they are tokenised, to the last
    assert snapshot_tree(cache) == snapshot_tree(local)
    # the files read for their keys only were tokenised once: no shard of theirs with nothing left out
    plain = {key for index in cache.rglob("*.idx") for key in json.loads(index.read_text()) if "+" not in key}
    keyed = {key.partition("+")[0] for index in cache.rglob("*.idx") for key in json.loads(index.read_text()) if "+" in key}
    assert keyed - plain  # (before, every file holding the line had both)


def test_a_changed_file_rebuilds_its_partition_only_on_the_cluster_too(cluster, cluster_corpus, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(cluster_corpus, corpus)
    cache = tmp_path / "shared-cache"
    first = peercorpus("--scheduler", cluster.address, "ingest", str(corpus), "--cache-dir", str(cache), env=SMALL_PARTITIONS)
    parts = len(json.loads(snapshot_tree(cache)["manifest.json"])["partitions"])
    sorted(corpus.rglob("doc0101.txt"))[0].write_text("A changed document about peer support.\n", encoding="utf-8")
    after = peercorpus("-v", "--scheduler", cluster.address, "ingest", str(corpus), "--cache-dir", str(cache), env=SMALL_PARTITIONS)
    assert first.returncode == 0 and f"{parts - 1} of {parts} cache partitions kept" in after.stdout
    assert " new or changed, 1 tokenised)" in after.stderr


def _writes_a_partition(pid: int, cache: Path) -> bool:
    """Whether process ``pid`` has a file of a partition being assembled open (in a task)."""
    try:
        links = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
    except OSError:
        return False
    return any(link.startswith(str(cache)) and "/.work/part-" in link for link in links)


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to see a worker's open files")
def test_a_worker_killed_while_it_assembles_a_partition_leaves_the_snapshot_whole(cluster, cluster_corpus, local_partitioned, tmp_path):
    _, _, local_tree = local_partitioned
    victim = cluster.add_worker("assembler-victim")
    cluster.wait_for_workers(3)
    cache = tmp_path / "shared-cache"
    ingest = subprocess.Popen(
        [sys.executable, "-m", "peercorpus", "--scheduler", cluster.address, "ingest", str(cluster_corpus), "--cache-dir", str(cache)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **SMALL_PARTITIONS},
    )
    # in the middle of a partition, its folder half-written
    kill_mid_task(victim, ingest, lambda: _writes_a_partition(victim.pid, cache), "the victim worker never assembled a partition", every=0.002)
    assert snapshot_tree(cache) == local_tree


@pytest.mark.parametrize("settings", ["cleaning:\n  auto: false\n", "cleaning:\n  sections: [body, boilerplate]\n"])
def test_partitions_assembled_by_the_workers_without_repeated_lines(cluster, cluster_corpus, tmp_path, settings):
    config = tmp_path / "config.yaml"
    config.write_text(settings)
    local, remote = tmp_path / "local", tmp_path / "remote"
    peercorpus("ingest", str(cluster_corpus), "-c", str(config), "--cache-dir", str(local), env=SMALL_PARTITIONS)
    result = peercorpus("-v", "--scheduler", cluster.address, "ingest", str(cluster_corpus), "-c", str(config), "--cache-dir", str(remote), env=SMALL_PARTITIONS)
    assert "partitions assembled by its workers" in result.stderr
    tree = snapshot_tree(local)
    assert not json.loads(tree["manifest.json"])["repeated_lines"] and "part-00000/line_keys.npy" not in tree
    assert snapshot_tree(remote) == tree


def test_the_client_assembles_no_partition_and_shows_the_workers_progress(cluster, cluster_corpus, local_partitioned, tmp_path, monkeypatch):
    from peercorpus.ingest.load import load_corpus

    _nothing_assembled_here(monkeypatch)
    calls = []
    cache = tmp_path / "shared-cache"
    corpus = load_corpus(cluster_corpus, cache_dir=cache, scheduler=cluster.address, progress=lambda *call: calls.append(call))
    parts = len(json.loads(local_partitioned[2]["manifest.json"])["partitions"])
    assert corpus.load_report.partitions_on_cluster == parts
    assembling = [call for call in calls if call[2:] == ("assembling partitions",)]
    assert [call[:2] for call in assembling] == [(done, parts) for done in range(1, parts + 1)]
    assert snapshot_tree(cache) == local_partitioned[2]


def _terminate_while_assembling(cluster, corpus: Path, cache: Path) -> None:
    """A cluster ingest of ``corpus`` into ``cache`` sent SIGTERM once a worker assembles a
    partition: it must exit 143 with one line, no traceback (skipped when it finished first)."""
    ingest = subprocess.Popen(
        [sys.executable, "-m", "peercorpus", "--scheduler", cluster.address, "ingest", str(corpus), "--cache-dir", str(cache)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **SMALL_PARTITIONS},
    )
    deadline = time.monotonic() + 300
    while ingest.poll() is None and not list(cache.glob("v*/snapshots/*/.building-*/.work/part-*")) and time.monotonic() < deadline:
        time.sleep(0.005)
    ingest.send_signal(signal.SIGTERM)
    _, err = ingest.communicate(timeout=120)
    if ingest.returncode == 0:
        pytest.skip("the ingest finished before it could be interrupted")
    assert ingest.returncode == 143 and "terminated" in err and "Traceback" not in err


def test_an_ingest_terminated_while_the_workers_assemble_resumes_with_the_same_snapshot(cluster, cluster_corpus, local_partitioned, tmp_path):
    cache = tmp_path / "shared-cache"
    _terminate_while_assembling(cluster, cluster_corpus, cache)
    rerun = peercorpus("-v", "--scheduler", cluster.address, "ingest", str(cluster_corpus), "--cache-dir", str(cache), env=SMALL_PARTITIONS)
    assert ", 0 tokenised)" in rerun.stderr  # every shard was kept: only the partitions assembled again
    assert snapshot_tree(cache) == local_partitioned[2]


def test_a_corpus_without_documents_says_so_on_the_cluster_as_here(cluster, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "empty.txt").write_text("")
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    local = peercorpus("ingest", str(corpus), "--cache-dir", str(tmp_path / "local"), check=False)
    remote = peercorpus("--scheduler", cluster.address, "ingest", str(corpus), "--cache-dir", str(tmp_path / "remote"), check=False)
    assert local.returncode == remote.returncode == 2
    assert remote.stderr.replace(str(tmp_path / "remote"), "CACHE") == local.stderr.replace(str(tmp_path / "local"), "CACHE")


# --- an incremental rebuild: its changed partitions assembled by the workers too (issue 18) ------


def current_tree(cache: Path) -> dict[str, bytes]:
    """``snapshot_tree`` of the cache's current snapshot (a rebuild leaves the one it replaced, retired)."""
    [pointer] = list(cache.glob("v*/snapshots/*/current"))
    folder = pointer.parent / pointer.read_text().strip()
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


LONG = "long enough not to be a short line, which would be counted as one repeated across the corpus and rebuild it all."


def edit_for_a_rebuild(corpus: Path, *, many: bool = False) -> None:
    """Files changed (a paragraph appended: the repeated lines stay), one added and one removed (the
    last partitions are kept); a copy of a later
    file put first, so that a kept partition's document becomes a "duplicate of" it (that
    partition assembled again, from its files' facts). ``many``: a file changed in most partitions."""
    files = sorted(corpus.rglob("doc*.txt"))
    for number, path in enumerate(files[: 3 * len(files) // 4 : 8] if many else [files[101]]):
        path.write_text(path.read_text(encoding="utf-8") + f"\nOne more paragraph about peer support, number {number}: {LONG}\n", encoding="utf-8")
    (corpus / "part2" / "added.txt").write_text("A new document about hope and recovery.\n", encoding="utf-8")
    files[150].unlink()
    # (the fake PDFs removed too: a local rebuild plans before it tries to read them again, and
    # cannot keep a partition whose files' run they sit in; a cluster knows them skipped first)
    for path in corpus.rglob("broken.pdf"):
        path.unlink()
    (corpus / "a-copy.txt").write_bytes(files[201].read_bytes())


def prepared_rebuild(cluster, cluster_corpus: Path, folder: Path, *, many: bool, caches: int) -> tuple:
    """A copy of the cluster corpus ingested in small partitions locally and into ``caches`` caches
    on the cluster, then edited (``edit_for_a_rebuild``) and rebuilt locally: the corpus, the local
    cache, the local rebuild's ``-v`` output and its snapshot, the cluster caches (not rebuilt)."""
    corpus = folder / "corpus"
    shutil.copytree(cluster_corpus, corpus)
    local = folder / "local-cache"
    peercorpus("ingest", str(corpus), "--cache-dir", str(local), env=SMALL_PARTITIONS)
    remote = [folder / f"shared-cache-{number}" for number in range(caches)]
    for cache in remote:
        peercorpus("--scheduler", cluster.address, "ingest", str(corpus), "--cache-dir", str(cache), env=SMALL_PARTITIONS)
    assert all(current_tree(cache) == current_tree(local) for cache in remote)
    edit_for_a_rebuild(corpus, many=many)
    result = peercorpus("-v", "ingest", str(corpus), "--cache-dir", str(local), env=SMALL_PARTITIONS)
    assert "cache partitions kept" in result.stdout
    return corpus, local, result, current_tree(local), remote


@pytest.fixture(scope="module")
def a_few_edits(cluster, cluster_corpus, tmp_path_factory):
    return prepared_rebuild(cluster, cluster_corpus, tmp_path_factory.mktemp("rebuild"), many=False, caches=2)


@pytest.fixture(scope="module")
def many_edits(cluster, cluster_corpus, tmp_path_factory):
    return prepared_rebuild(cluster, cluster_corpus, tmp_path_factory.mktemp("rebuild-many"), many=True, caches=2)


def _nothing_assembled_here(monkeypatch) -> None:
    from peercorpus.ingest import assemble

    def here(*args, **kwargs):
        raise AssertionError("a partition was assembled by the client")

    monkeypatch.setattr(assemble, "finish_partition", here)  # what the local build finishes each partition with
    monkeypatch.setattr(assemble.PartitionedAssembler, "add", here)
    for name, value in SMALL_PARTITIONS.items():
        monkeypatch.setenv(name, value)


def test_an_incremental_rebuild_assembles_its_changed_partitions_on_the_workers(cluster, a_few_edits, monkeypatch):
    """The client assembles no partition of a rebuild either (it failed so when the client
    assembled the changed partitions): kept ones are linked, the rest are tasks, and the
    snapshot is the local rebuild's, byte for byte."""
    from peercorpus.ingest.load import load_corpus

    corpus, local_cache, local_result, local_tree, (cache, _) = a_few_edits
    _nothing_assembled_here(monkeypatch)
    calls = []
    seconds = assembling_time(cluster)
    report = load_corpus(corpus, cache_dir=cache, scheduler=cluster.address, progress=lambda *call: calls.append(call)).load_report
    parts = len(json.loads(local_tree["manifest.json"])["partitions"])
    assert report.partitions_reused > 0 and report.partitions_rebuilt >= 3  # the changed one, the first, the duplicate's
    assert report.partitions_on_cluster == report.partitions_rebuilt and report.partitions_reused + report.partitions_rebuilt == parts
    assert assembling_time(cluster) > seconds
    assembling = [call for call in calls if call[2:] == ("assembling partitions",)]
    assert [call[:2] for call in assembling] == [(done, report.partitions_rebuilt) for done in range(1, report.partitions_rebuilt + 1)]
    assert current_tree(cache) == local_tree
    assert not list(cache.rglob(".work"))  # the workers' scratch is gone
    diff = subprocess.run([sys.executable, str(Path(__file__).parents[2] / "benchmarks" / "snapshot_diff.py"), str(local_cache), str(cache)],
                          capture_output=True, text=True)
    assert diff.returncode == 0, diff.stdout


def test_a_kept_partition_that_cannot_be_linked_is_assembled_by_the_workers(cluster, a_few_edits, monkeypatch):
    """The previous snapshot retired and deleted while a rebuild links its partitions: what cannot
    be linked is planned again and assembled on the workers (from the same first file, so the
    same bytes as the local rebuild, which kept it)."""
    from peercorpus.ingest import snapshot
    from peercorpus.ingest.load import load_corpus

    corpus, _, _, local_tree, (_, cache) = a_few_edits
    real_link = snapshot.os.link
    failed: list[str] = []

    def failing_link(source, target):  # the first partition linked: its files gone after its first one
        folder = Path(source).parent.name
        if not failed and any(Path(target).parent.iterdir()):
            failed.append(folder)
        if folder in failed:
            raise FileNotFoundError(2, "No such file or directory", str(source))
        return real_link(source, target)

    monkeypatch.setattr(snapshot.os, "link", failing_link)
    monkeypatch.setattr(snapshot.shutil, "copyfile", failing_link)
    _nothing_assembled_here(monkeypatch)
    report = load_corpus(corpus, cache_dir=cache, scheduler=cluster.address).load_report
    assert failed and report.partitions_on_cluster == report.partitions_rebuilt and report.partitions_reused > 0
    assert report.partitions_reused + report.partitions_rebuilt == len(json.loads(local_tree["manifest.json"])["partitions"])
    assert current_tree(cache) == local_tree


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to see a worker's open files")
def test_a_worker_killed_while_it_assembles_a_partition_of_a_rebuild_leaves_the_snapshot_whole(cluster, many_edits):
    corpus, _, _, local_tree, (cache, _) = many_edits
    victim = cluster.add_worker("rebuild-victim")
    cluster.wait_for_workers(3)
    ingest = subprocess.Popen(
        [sys.executable, "-m", "peercorpus", "-v", "--scheduler", cluster.address, "ingest", str(corpus), "--cache-dir", str(cache)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **SMALL_PARTITIONS},
    )
    # in the middle of a partition, its folder half-written
    out, err = kill_mid_task(victim, ingest, lambda: _writes_a_partition(victim.pid, cache), "the victim worker never assembled a partition", every=0.002)
    assert "cache partitions kept" in out and "partitions assembled by its workers" in err
    assert current_tree(cache) == local_tree


def test_a_rebuild_terminated_while_the_workers_assemble_resumes_with_the_same_snapshot(cluster, many_edits):
    corpus, _, _, local_tree, (_, cache) = many_edits
    _terminate_while_assembling(cluster, corpus, cache)
    rerun = peercorpus("-v", "--scheduler", cluster.address, "ingest", str(corpus), "--cache-dir", str(cache), env=SMALL_PARTITIONS)
    assert ", 0 tokenised)" in rerun.stderr and "cache partitions kept" in rerun.stdout
    assert current_tree(cache) == local_tree

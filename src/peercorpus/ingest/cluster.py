"""Cold ingest on a ``dask.distributed`` cluster: files are hashed, read, cleaned and tokenised
as Dask tasks, each writing its shards into the cache folder that this machine and every worker
share; then the workers assemble the snapshot's partitions too, each task writing one
``part-NNNNN/`` folder into the snapshot being built there, and this machine writes only the top
folder (vocabulary-sized): the snapshot is byte-identical to a local run's.

Dask is imported only here, and this module only when a scheduler is given::

    with ClusterSession("tcp://10.0.0.5:8786", store) as cluster:      # connected, cache checked
        hashes = cluster.tokenize(files, stats, previous, config, report, skipped, facts=facts)
        cluster.facts(files, stats, hashes, facts, config, report, skipped)   # the cached shards' facts
        ...                                    # load._assemble_on_cluster plans the partitions
        for built in cluster.assemble(folder, partitions, total, config): ...

What is corpus-wide is decided here first, from each file's small ``FileFacts`` (tokens, text
hashes, short-line keys): the lines repeated across the corpus (files holding one read again on
the workers, ``reread_facts``, into the shared cache; once one is likely to repeat, the files not
yet sent are read for their keys only and tokenised then, once), where partitions are cut and
which documents duplicate earlier ones. An incremental rebuild (a previous snapshot some of
whose partitions are kept) links the kept partitions here and has the workers assemble the
others the same way.

Why shards in the shared cache rather than results sent back: the cache already is the
contract between tokenising and assembling (content-addressed, checksummed, written
atomically), a task that dies leaves nothing half-written, and a rerun after an interruption
(the client's or the cluster's) finds every shard finished and tokenises only the rest. A
partition is written into a folder of the task's own and renamed into place, so a task run
again after its worker died writes the same bytes and replaces nothing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from ..config import Config
from ..core.corpus import SkippedFile
from ..errors import InputError, PeerCorpusError, UnreadableFile, UsageError
from ..version import __version__
from .assemble import BuiltPartition, FileFacts, assemble_partition
from .repeated import REREAD_PROGRESS, RepeatWatch
from .sections import finds_repeated_lines as _finds_repeated_lines
from .shard import FileLineKeys, file_content_hash, shard_key
from .snapshot import partition_checksums
from .store import CACHE_FORMAT, Store, encode_shard
from .workers import KEYS_ONLY, _shard_or_reason, is_notice

SCHEDULER_ENV = "PEERCORPUS_SCHEDULER"
TIMEOUT_ENV = "PEERCORPUS_SCHEDULER_TIMEOUT"
CONNECT_TIMEOUT = 20.0  # seconds to reach the scheduler and to see a first worker
TASK_BYTES = 16 << 20  # file bytes per task: large enough to amortise a task, small enough to balance
TASK_FILES = 200
#: Where a snapshot being built on the cluster keeps its scratch (files read again, partitions
#: being written), removed before the snapshot is closed.
WORK_FOLDER = ".work"
TASK_RETRIES = 2  # a task that raises (a file system hiccup) runs again; a dead worker is Dask's own retry
INSTALL_HINT = "pip install 'peercorpus[dask]'"
_LOCAL = {"", "local", "none", "off"}
_ADDRESS = re.compile(r"^[a-z][a-z0-9+.-]*://|^[^/\\:]+:\d+$", re.IGNORECASE)


def resolve_scheduler(option: str | None, config: Config | None = None) -> str | None:
    """The scheduler to use: ``option`` (``--scheduler``), else ``compute.scheduler``, else
    ``$PEERCORPUS_SCHEDULER``; ``local`` (or ``none``) in any of them means local processes.

    >>> resolve_scheduler("local") is None
    True
    """
    for value in (option, config.compute.get("scheduler") if config is not None else None, os.environ.get(SCHEDULER_ENV)):
        if value is not None:
            value = str(value).strip()
            return None if value.lower() in _LOCAL else value
    return None


def connect_timeout() -> float:
    raw = os.environ.get(TIMEOUT_ENV)
    try:
        return max(1.0, float(raw)) if raw else CONNECT_TIMEOUT
    except ValueError:
        raise UsageError(f"${TIMEOUT_ENV} must be a number of seconds; got '{raw}'") from None


def scheduler_address(scheduler: str) -> str:
    """``tcp://host:port`` (or ``host:port``, any Dask protocol) as given; otherwise the path of
    a scheduler file (``dask scheduler --scheduler-file``, dask-jobqueue, dask-mpi), read here
    rather than by Dask, which waits for a missing file without a time limit."""
    if _ADDRESS.match(scheduler):
        return scheduler
    path = Path(scheduler).expanduser()
    if not path.exists():
        raise InputError(f"`scheduler` {scheduler}: no such scheduler file, and not an address like tcp://host:8786")
    try:
        address = json.loads(path.read_text(encoding="utf-8")).get("address")
    except (OSError, ValueError, AttributeError) as error:
        raise InputError(f"`scheduler` {scheduler}: not a Dask scheduler file ({type(error).__name__})") from None
    if not isinstance(address, str) or not address:
        raise InputError(f"`scheduler` {scheduler}: not a Dask scheduler file (no 'address')")
    return address


def import_distributed():
    try:
        import distributed
    except ImportError:
        raise UsageError(f"`scheduler` needs Dask, which is not installed: {INSTALL_HINT}") from None
    return distributed


def connect(scheduler: str, *, timeout: float | None = None):
    """A ``distributed.Client`` on the scheduler, with at least one worker; ``InputError``
    (one line) when it cannot be reached within ``timeout`` seconds or has no worker."""
    distributed = import_distributed()
    timeout = connect_timeout() if timeout is None else timeout
    address = scheduler_address(scheduler)
    shown = address if address == scheduler else f"{address} (from {scheduler})"
    try:
        client = distributed.Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        reason = "" if "timed out" in reason.lower() else f" ({reason})"
        raise InputError(
            f"cannot reach the Dask scheduler at {shown} within {timeout:g} s{reason}; is it running? "
            f"(${TIMEOUT_ENV} sets the wait; `scheduler` local runs on this machine)"
        ) from None
    try:
        client.wait_for_workers(1, timeout=timeout)
    except (TimeoutError, OSError):
        client.close()
        raise InputError(f"the Dask scheduler at {shown} has no workers (waited {timeout:g} s); start some with 'dask worker {address}'") from None
    return client


# --- on the workers ------------------------------------------------------------------------------

_worker_stores: dict[tuple[str, str], Any] = {}
_worker_lock = threading.Lock()  # a worker may run several tasks at once, in threads


def _probe(cache_root: str, token: str) -> dict[str, Any]:
    """On every worker: write a small file into the cache folder; say what went wrong and
    which peercorpus writes there (a worker with another version would write other shards)."""

    folder = Path(cache_root)
    answer: dict[str, Any] = {"version": __version__, "format": CACHE_FORMAT, "host": os.uname().nodename if hasattr(os, "uname") else ""}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".probe-{token}-{uuid.uuid4().hex[:8]}"
        probe.write_bytes(token.encode())
        answer["probe"] = probe.name
    except OSError as error:
        answer["error"] = (error.strerror or str(error)).lower()
    return answer


def _store_for(cache_root: str, settings_key: str, ingest: str):
    """One ``Store`` per worker process and ingest: its shard index is read once, not per task
    (shards written by this ingest's own tasks need not be known: their files differ)."""

    key = (cache_root, ingest)
    with _worker_lock:
        if key not in _worker_stores:
            _worker_stores.clear()  # an earlier ingest's index is stale
            store = _worker_stores[key] = Store(Path(cache_root).parent)
            store.has_shard(settings_key, "")  # the index, read now, under the lock
        return _worker_stores[key]


def tokenize_task(items: list[tuple[str, str, str | None]], cache_root: str, config: Config, ingest: str,
                  facts: bool = False, keys_only: bool = False) -> list[tuple]:
    """A Dask task: for each ``(path, root, digest or None)``, hash the file when its digest is
    not known, and tokenise it into the shared cache unless its shard is there already.
    Returns one ``(digest or None, problem or None, tokenised, notices, facts)`` per item;
    ``facts``: the shard's ``FileFacts`` (read from the cache when it was there), which the
    client plans the partitions with (else ``None``). ``keys_only`` (once a line is likely to
    repeat): a file not in the cache is read for its short-line keys only, its facts a
    ``FileLineKeys``; it is tokenised once the repeated lines are known (``reread_task``)."""

    settings_key = config.stream_key()
    store = _store_for(cache_root, settings_key, ingest)
    keys = _finds_repeated_lines(config)
    results = []
    # the pack through a Store of its own: publishing a pack forgets its store's index
    with Store(Path(cache_root).parent).shard_pack(settings_key) as pack:
        for path, root, digest in items:
            if digest is None:
                try:
                    digest = file_content_hash(path)
                except UnreadableFile as problem:
                    results.append((None, str(problem), False, [], None))
                    continue
            key = store.cached_key(settings_key, digest)
            if key is not None:  # as a local build reads the cache (one with lines left out first)
                shard = store.load_shard(settings_key, key) if facts else None
                if shard is not None or not facts:
                    results.append((digest, None, False, [], FileFacts.of(shard, key, keys=keys) if facts else None))
                    continue
            shard = _shard_or_reason((Path(path), Path(root), digest, *([KEYS_ONLY] if keys_only else [])), config)
            if isinstance(shard, str):
                results.append((digest, shard, False, [], None))
                continue
            if isinstance(shard, FileLineKeys):  # as a local ingest reads it: counted as tokenised now
                results.append((digest, None, True, [f"{path}: {w}" for w in shard.warnings if is_notice(w)], shard))
                continue
            pack.add(digest, encode_shard(shard))
            notices = [f"{path}: {w}" for doc in shard.documents for w in doc["warnings"] if is_notice(w)]
            results.append((digest, None, True, notices, FileFacts.of(shard, digest, keys=keys) if facts else None))
    return results


def reread_task(items: list[tuple[str, str, str, list[int]]], cache_root: str, config: Config) -> list[FileFacts | None]:
    """A Dask task: each ``(path, root, digest, repeated keys)`` read again with the lines repeated
    across the corpus that it holds left out (``repeated.without_repeated_lines``), its shard
    written into the shared cache under ``shard.shard_key`` (as a local build caches it: the
    snapshot reads its texts there; a pack published whole, so a retried task writes it again)
    rather than sent back; returns each file's ``FileFacts`` (``where``: that key), ``None`` for a
    file gone unreadable (its first reading stands)."""
    results: list[FileFacts | None] = []
    keys = _finds_repeated_lines(config)
    with Store(Path(cache_root).parent).shard_pack(config.stream_key()) as pack:
        for path, root, digest, repeated in items:
            # as a local worker reads it again (a reader failing now: the first reading stands)
            shard = _shard_or_reason((Path(path), Path(root), None, frozenset(repeated)), config)
            if isinstance(shard, str):
                results.append(None)
                continue
            key = shard_key(digest, shard.left_out)
            pack.add(key, encode_shard(shard))
            results.append(FileFacts.of(shard, key, keys=keys))
    return results


def assemble_task(name: str, folder: str, items: list[tuple[str, str, Any]], sidecar_metadata: dict, duplicates: dict[int, str],
                  line_keys: dict | None, cache_root: str, config: Config, ingest: str) -> BuiltPartition:
    """A Dask task: partition ``name`` of the snapshot being built in ``folder`` (on the shared
    cache), assembled from its files' shards (``items``: path, root, and the digest of its shard
    in the cache, ``shard.shard_key``) by ``assemble.assemble_partition``, the
    function a local build uses. Written into a folder of its own, then renamed into place: a
    task run again (its worker died) writes the same bytes and replaces nothing published."""

    settings_key = config.stream_key()
    store = _store_for(cache_root, settings_key, ingest)
    snapshot = Path(folder)
    work = snapshot / WORK_FOLDER
    temporary = work / f"{name}-{uuid.uuid4().hex[:12]}"
    work.mkdir(exist_ok=True)  # not the snapshot's folder: gone, the build was given up (an error, Ctrl-C)
    temporary.mkdir()

    def shards() -> Iterator[tuple[Path, Path, Any]]:
        for path, root, key in items:
            shard = store.load_shard(settings_key, key)
            if shard is None:
                raise InputError(f"the cached shard of {path} is gone or damaged (the cache changed during the ingest); run the command again")
            yield Path(path), Path(root), shard

    record, vocab, explicit = assemble_partition(temporary, shards(), sidecar_metadata, duplicates=duplicates, line_keys=line_keys)
    recorded = partition_checksums(temporary, name)
    try:
        temporary.rename(snapshot / name)
    except OSError:
        if not (snapshot / name / "files.txt.z").exists():
            raise
        shutil.rmtree(temporary, ignore_errors=True)  # an earlier run of this task finished it: the same bytes
    return BuiltPartition(name, record, vocab, explicit, recorded, sorted(store.packs_used))


# --- on this machine ------------------------------------------------------------------------------


def check_shared_cache(client, store_root: Path) -> None:
    """Before any work: every worker can write the cache folder, this machine sees what they
    wrote there (the same storage, not each node's own /tmp), and they run this peercorpus."""

    token = uuid.uuid4().hex[:12]
    answers = client.run(_probe, str(store_root), token)
    try:
        for worker, answer in sorted(answers.items()):
            if "error" in answer:
                raise InputError(
                    f"the cache folder {store_root} is not writable from Dask worker {worker} ({answer['error']}); "
                    "`cache_dir` must be a folder on storage every worker can write"
                )
            if (answer.get("version"), answer.get("format")) != (__version__, CACHE_FORMAT):
                raise InputError(
                    f"Dask worker {worker} runs peercorpus {answer.get('version')} (cache format {answer.get('format')}), "
                    f"this machine {__version__} (cache format {CACHE_FORMAT}); install the same version on both"
                )
            if not (store_root / answer["probe"]).is_file():
                raise InputError(
                    f"Dask worker {worker} ({answer.get('host')}) wrote into {store_root} but this machine does not see it there; "
                    "`cache_dir` must be on storage shared by this machine and every worker"
                )
    finally:
        for answer in answers.values():
            if "probe" in answer:
                try:
                    (store_root / answer["probe"]).unlink()
                except OSError:
                    pass


def _batches(items: list[tuple], workers: int, *, limit: int = TASK_BYTES) -> list[list]:
    """Items (whose last field is a size in bytes) grouped into tasks of at most ``limit``
    bytes of files (and ``TASK_FILES`` files), in corpus order, with at least a few tasks per
    worker so that they balance."""
    total = sum(item[-1] for item in items)
    limit = max(1, min(limit, total // max(1, 4 * workers) or 1))
    batches: list[list] = []
    current: list = []
    current_bytes = 0
    for item in items:
        if current and (current_bytes + item[-1] > limit or len(current) >= TASK_FILES):
            batches.append(current)
            current, current_bytes = [], 0
        current.append(item)
        current_bytes += item[-1]
    if current:
        batches.append(current)
    return batches


class ClusterSession:
    """A cold ingest's connection to the cluster: connected and checked (``check_shared_cache``)
    when entered, closed when left; a lost scheduler is one line (``InputError``).

        with ClusterSession(scheduler, store) as cluster:
            hashes = cluster.tokenize(files, stats, previous, config, report, skipped, progress)
            ...
            facts = cluster.reread_facts(todo, config)   # files with repeated lines, read again
    """

    def __init__(self, scheduler: str, store):
        self.scheduler, self.store = scheduler, store
        self.client = None
        self.description = f"the Dask cluster at {scheduler}"

    def __enter__(self) -> ClusterSession:
        self.client = connect(self.scheduler)
        try:
            self.store.root.mkdir(parents=True, exist_ok=True)
            check_shared_cache(self.client, self.store.root)
            threads = self.client.nthreads()
            try:
                dashboard = self.client.dashboard_link  # where a user watches the tasks
            except (KeyError, AttributeError, ValueError):
                dashboard = None
            self.description = (
                f"the Dask cluster at {self.client.scheduler.address}: {len(threads)} workers, "
                f"{sum(threads.values())} threads" + (f"; dashboard {dashboard}" if dashboard else "")
            )
        except BaseException:
            self.client.close()
            raise
        return self

    def __exit__(self, kind, value, traceback):
        self.client.close()
        if kind is not None and issubclass(kind, (OSError, TimeoutError)) and not issubclass(kind, PeerCorpusError):
            reason = str(value).splitlines()[0] if str(value) else kind.__name__
            raise InputError(f"lost the Dask scheduler at {self.scheduler} ({reason})") from None
        return False

    def _threads(self) -> int:
        return max(1, sum(self.client.nthreads().values()))

    def tokenize(self, files: list[tuple[Path, Path]], file_stats: Iterable, previous: dict[str, Any], config: Config,
                 report, skipped: list, progress: Callable[[int, int], None] | None = None,
                 facts: list | None = None, most_documents: int | None = None) -> list[str | None]:
        """What ``load._content_hashes`` returns (every file's content hash, ``None`` for those
        that cannot be read, which go to ``skipped``), with every shard the corpus needs written
        into the shared cache by the cluster's workers. ``facts``: a list filled with the
        ``FileFacts`` of the files tokenised now (``None`` for the others, whose shards were in the
        cache: ``facts`` reads them), for ``load._assemble_on_cluster``.

        ``most_documents`` (at most that many documents are coming; lines repeated across the
        corpus are looked for): as locally (``repeated.without_repeated_lines``), once a line is
        likely to repeat the tasks not yet sent read their files' short-line keys only (their
        facts a ``FileLineKeys``), so that a file holding a repeated line is tokenised once, after
        (``reread_facts``), not twice (issue 18: a corpus whose every file has one)."""
        store = self.store
        settings_key = config.stream_key()
        hashes: list[str | None] = [None] * len(files)
        todo = []
        for index, ((path, root), stat) in enumerate(zip(files, file_stats)):
            entry = previous.get(str(path))
            digest = entry[1] if entry and entry[0] == tuple(stat) else None
            hashes[index] = digest
            if digest is None or not store.cached_key(settings_key, digest):
                todo.append((index, str(path), str(root), digest, max(int(stat[0]), 1)))
        if facts is not None:
            facts[:] = [None] * len(files)
        self._tokenize(todo, hashes, config, report, skipped, facts, progress, most_documents=most_documents)
        return hashes

    def facts(self, files: list[tuple[Path, Path]], file_stats: Iterable, hashes: list[str | None], facts: list, config: Config,
              report, skipped: list, progress: Callable | None = None) -> None:
        """``facts`` filled for every file with a hash (the shards ``tokenize`` did not make are
        read on the workers, from the cache): what ``load._assemble_on_cluster`` plans with."""
        todo = [(index, str(path), str(root), hashes[index], max(int(stat[0]), 1))
                for index, ((path, root), stat) in enumerate(zip(files, file_stats)) if hashes[index] and facts[index] is None]
        self._tokenize(todo, hashes, config, report, skipped, facts, progress, what="reading shards")

    def _tokenize(self, todo: list[tuple], hashes: list, config: Config, report, skipped: list, facts: list | None,
                  progress: Callable | None, what: str | None = None, most_documents: int | None = None) -> None:
        from distributed import as_completed

        if not todo:
            return
        client, store = self.client, self.store
        # Where a line may become likely to repeat, smaller tasks, two a thread in flight at a time,
        # so that those sent after it read keys only; else every task is sent at once.
        watching = facts is not None and most_documents is not None and _finds_repeated_lines(config)
        watch = RepeatWatch(most_documents) if watching else None
        batches = _batches(todo, self._threads() * (4 if watching else 1))
        ingest = uuid.uuid4().hex
        unsent = iter(enumerate(batches))
        futures: dict = {}
        running = as_completed(loop=client.loop)
        keys_only = False

        def send_next() -> None:
            for number, batch in unsent:
                kind = "keys" if keys_only else "tokenize"
                future = client.submit(
                    tokenize_task, [item[1:4] for item in batch], str(store.root), config, ingest, facts is not None, keys_only,
                    key=f"peercorpus-{kind}-{ingest}-{number}", retries=TASK_RETRIES, pure=False,
                )
                futures[future] = batch
                running.add(future)
                return

        done = 0
        unreadable, unusable, notices = {}, {}, {}  # by file index: said in corpus order, as locally
        try:
            for _ in range(2 * self._threads() if watching else len(batches)):
                send_next()
            for future in running:
                batch = futures.pop(future)
                for (index, path, _root, known, _size), (digest, problem, tokenised, said, found) in zip(batch, future.result()):
                    if known is None and digest is not None:
                        report.files_read += 1
                    if problem is not None:
                        (unusable if digest is not None else unreadable)[index] = SkippedFile(path, problem)
                        digest = None
                    hashes[index] = digest
                    report.files_tokenized += int(tokenised)
                    notices[index] = said
                    if facts is not None:
                        facts[index] = found
                    if watching and found is not None:
                        watch.add(found.line_keys, found.n_documents)
                keys_only = keys_only or (watching and watch.is_likely())
                send_next()
                done += len(batch)
                if progress:
                    progress(done, len(todo), *([what] if what else []))
        except BaseException:
            client.cancel(list(futures))  # Ctrl-C, SIGTERM, an error: the cluster stops too
            raise
        # a local ingest skips unreadable files while hashing, then those that fail to tokenise
        skipped.extend(unreadable[i] for i in sorted(unreadable))
        skipped.extend(unusable[i] for i in sorted(unusable))
        report.notices.extend(line for i in sorted(notices) for line in notices[i])
        store.forget_index(config.stream_key())  # read again: the workers' packs are in it now

    def _in_order(self, function: Callable, arguments: Iterable[tuple], prefix: str, *,
                  progress: Callable | None = None, total: int = 0, what: str | None = None) -> Iterator:
        """``function(*a)`` for each ``a`` of ``arguments`` as tasks, results in order: a window of
        2 × the cluster's threads in flight, so finished results wait here in small numbers.
        Cancelled when the caller stops (an error, Ctrl-C)."""
        run = uuid.uuid4().hex
        window = 2 * self._threads()
        pending: deque = deque()
        numbered = iter(enumerate(arguments))

        def submit_next() -> None:
            for number, args in numbered:
                pending.append(self.client.submit(function, *args, key=f"{prefix}-{run}-{number}", retries=TASK_RETRIES, pure=False))
                return

        for _ in range(window):
            submit_next()
        done = 0
        try:
            while pending:
                result = pending.popleft().result()
                submit_next()
                done += 1
                if progress:
                    progress(done, total, what)
                yield result
        finally:
            for future in pending:
                future.cancel()

    def reread_facts(self, items: list[tuple[Path, Path, str, frozenset[int]]], config: Config,
                     progress: Callable | None = None) -> Iterator:
        """``items`` (path, root, content digest, repeated line keys present) read again with those
        lines left out, in tasks of a few MB of files, their shards written by the workers into the
        shared cache (``reread_task``) rather than sent here: each file's ``FileFacts`` in order
        (``None`` for a file that cannot be read any more); ``progress(files done, files,
        REREAD_PROGRESS)``."""
        sizes = []
        for path, _root, _digest, _keys in items:
            try:
                sizes.append(max(1, path.stat().st_size))
            except OSError:
                sizes.append(1)
        batches = _batches([(str(p), str(r), d, sorted(k), size) for (p, r, d, k), size in zip(items, sizes)], self._threads(), limit=TASK_BYTES // 4)
        arguments = ([[item[:4] for item in batch], str(self.store.root), config] for batch in batches)
        done = 0
        for results in self._in_order(reread_task, arguments, "peercorpus-reread"):
            done += len(results)
            if progress:
                progress(done, len(items), REREAD_PROGRESS)
            yield from results

    def assemble(self, folder: Path, partitions: Iterable[tuple], total: int, config: Config,
                 progress: Callable | None = None) -> Iterator[BuiltPartition]:
        """The partitions of the snapshot being built in ``folder``, each assembled by a task
        (``assemble_task``: ``partitions`` gives its name, files, sidecar metadata, duplicates and
        line keys), in order; ``progress(done, total, "assembling partitions")``."""
        ingest = uuid.uuid4().hex  # the workers read the shard index again: the tokenising tasks' packs are in it
        arguments = ((name, str(folder), *rest, str(self.store.root), config, ingest) for name, *rest in partitions)
        yield from self._in_order(assemble_task, arguments, "peercorpus-partition", progress=progress, total=total, what="assembling partitions")

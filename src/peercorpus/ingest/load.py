"""``load_corpus``: discover files, reuse the cache where contents are unchanged, tokenise the rest.

This is the one way into a corpus for the CLI and for notebooks::

    from peercorpus import load_corpus
    corpus = load_corpus("corpora/", config="configs/default.yaml")
    corpus.load_report.notices   # what a user should know (files decoded as cp1252, ...)

A warm load (nothing changed since the last one) stats the files and memory-maps the
snapshot: no document is read and nothing is tokenised.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
import zlib
from array import array
from bisect import bisect_right
from collections import deque
from collections.abc import Callable, Iterable, Iterator, MutableMapping, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

from ..config import Config, load_config
from ..core.corpus import Corpus, Document, LazyDocuments, SkippedFile
from ..core.derived import GapCodedPositions, PartitionedArray, PartitionedPositions, RunNumbers, TokenEnds
from ..core.packed import PackedNames, SharedRows
from ..core.tokens import Tokens
from ..errors import InputError, Terminated, UnreadableFile, UsageError
from ..io.base import relative_name
from ..io.metadata import read_sidecar
from . import deflate
from .assemble import FileFacts, PartitionedAssembler, PartitionPlanner, ReusedPartition, shown_name
from .cluster import WORK_FOLDER, ClusterSession, resolve_scheduler
from .discover import discover
from .repeated import (
    REREAD_PROGRESS,
    VANISHED,
    LazyItems,
    ReadingMode,
    repeated_in,
    to_read_again,
    without_repeated_lines,
)
from .sections import finds_repeated_lines
from .shard import FileLineKeys, file_content_hash, process_file, shard_key
from .shard_codec import narrowest
from .snapshot import OWN_TEXTS, STAT_FIELDS, SnapshotWriter, join_names, map_array, split_names
from .store import (
    CacheUnreadable,
    FileTable,
    ShardPack,
    SnapshotOutdated,
    Store,
    default_cache_dir,
    encode_shard,
)
from .tokenize import fast_sentence_splitter, word_tokenizer
from .workers import KEYS_ONLY, EncodedShard, HashOnRead, is_notice, process_encoded, process_encoded_batch

Progress = Callable[[int, int], None]

TOKEN_ARRAYS = (
    "ids",
    "doc_starts",
    "char_starts",
    "sentence_spans",
    "sentence_doc",
    "paragraph_spans",
    "paragraph_doc",
    "sentence_first",
    "paragraph_first",
    "char_end_fix_positions",
    "char_end_fix_ends",
    "norm_of_type",
    "index_offsets",
    "index_gap_offsets",
    "index_gaps",
    "text_block_source",
    "text_block_start",
    "text_block_length",
    "text_block",
    "text_start",
    "text_end",
)
PARALLEL_FROM_FILES = 40
#: What the pipe bringing the worker processes' results may hold (``_widen_result_pipe``).
RESULT_PIPE_BYTES = 1 << 20
#: The size of the files whose tokenising is in flight (``_tokenize_files``), beyond the oldest batch.
IN_FLIGHT_BYTES = 16 << 20
_PREAD = hasattr(os, "pread")  # not on Windows


@dataclass
class LoadReport:
    """What ``load_corpus`` did: ``files_read`` were read to check their content (new or
    changed since the last snapshot), ``files_tokenized`` tokenised (not in the shard cache)."""

    files: int = 0
    files_read: int = 0
    files_tokenized: int = 0
    from_snapshot: bool = False
    notices: list[str] = field(default_factory=list)
    snapshot: str | None = None  # the cache folder the corpus was opened from
    cluster: str | None = None  # where files were tokenised when not here: "the Dask cluster at ..."
    # a rebuild (issue 18): partitions of the previous snapshot kept as they were, and assembled
    partitions_reused: int = 0
    partitions_rebuilt: int = 0
    partitions_on_cluster: int = 0  # of those assembled, by the cluster's workers


def load_corpus(
    paths: str | Path | Iterable[str | Path],
    config: Config | str | Path | None = None,
    *,
    cache_dir: str | Path | None = None,
    use_cache: bool = True,
    progress: Progress | None = None,
    workers: int | None = None,
    check_inputs: Callable[[list[str]], None] | None = None,
    verify_cache: bool = False,
    scheduler: str | None = None,
) -> Corpus:
    """Read a corpus (folders, files, or both) into a ``Corpus``, through the cache.

    Parameters
    ----------
    paths : a folder (read recursively), a file, or a list of them.
    config : a ``Config``, the path of a YAML config, or ``None`` for the defaults.
    cache_dir : where the cache lives; default ``$PEERCORPUS_CACHE_DIR`` or ``~/.cache/peercorpus``.
    use_cache : ``False`` reads and tokenises everything and writes no cache.
    progress : called as ``progress(done, total)`` while files are tokenised; as
        ``progress(done, total, what)`` for the later stages too (``"tokenised without the
        repeated lines"``; on a cluster ``"assembling partitions"``).
    workers : processes for tokenising (default: the machine's cores, at most 8).
    check_inputs : called with the real paths of what the corpus reads besides its plain files
        (folders and files given, sidecars, link targets) before any document is read; the CLI
        refuses outputs there.
    verify_cache : check the checksum of every file of a cached snapshot before using it (by
        default only the sizes of all and the checksums of small ones are checked).
    scheduler : a ``dask.distributed`` scheduler (``tcp://host:port`` or a scheduler file) on
        which files are tokenised when the corpus is not cached; the cache folder must be shared
        with its workers. Default: ``compute.scheduler``, else ``$PEERCORPUS_SCHEDULER``; ``"local"``
        or neither: local processes (Dask is then never imported). The result is the same.

    Examples
    --------
    >>> corpus = load_corpus("corpora/peer-support")          # doctest: +SKIP
    >>> corpus.where(["genre=blog"]).doc_ids                   # doctest: +SKIP
    ['peer-workers-lived-experience-blog.txt']
    """

    if not isinstance(config, Config):
        config = load_config(Path(config) if config else None)
    path_list = [Path(paths)] if isinstance(paths, (str, Path)) else [Path(p) for p in paths]
    if not path_list:
        raise InputError("no corpus path given")
    discovery = discover(path_list, follow_links_out=config.read.follow_links)
    if check_inputs is not None:
        check_inputs(discovery.input_paths(path_list))
    skipped = [SkippedFile(str(path), reason) for path, reason in discovery.skipped]
    if not discovery.file_names:
        raise InputError(_nothing_to_read(path_list, skipped))

    store = Store(Path(cache_dir) if cache_dir else Path(config.cache_dir or default_cache_dir()))
    report = LoadReport(files=len(discovery.file_names))
    file_stats = discovery.stats
    sidecar_stats = sorted((str(path), *_stat(path)) for path in discovery.sidecars.values())
    corpus_key = _corpus_key(path_list, config)

    previous: dict[str, Any] = {}
    earlier: tuple[Path, dict] | None = None  # the snapshot being replaced: its partitions may be kept
    if use_cache:
        for _attempt in range(3):  # another command may publish (and retire) a snapshot meanwhile
            snapshot = store.current_snapshot(corpus_key)
            if snapshot is None:
                break
            try:
                manifest = store.read_manifest(snapshot)
                recorded = store.read_files(snapshot)
                if _unchanged(manifest, recorded, discovery.file_names, file_stats, sidecar_stats):
                    recorded = None  # its file list was only to compare: not held while the snapshot opens
                    if verify_cache:
                        store.verify_snapshot(snapshot, manifest)
                    corpus = _open_snapshot(store, snapshot, manifest, skipped)
                    report.from_snapshot, report.snapshot = True, str(snapshot)
                    store.retire_old_snapshots(corpus_key, keep=snapshot.name)  # a few entries: cheap
                    corpus.load_report, corpus.tokenize = report, config.tokenize
                    return corpus
                recorded = store.read_files(snapshot, hashes=True)
                earlier = (snapshot, manifest)
                if verify_cache:  # its partitions may be kept: checked whole first (`ingest`)
                    try:
                        store.verify_snapshot(snapshot, manifest)
                    except CacheUnreadable as problem:
                        earlier = None
                        report.notices.append(f"cache at {snapshot} was damaged ({problem}); rebuilding it")
                previous = {
                    name: (tuple(stats), digest)
                    for name, stats, digest in zip(recorded.names, recorded.stats.tolist(), recorded.hashes)
                    if digest
                }
            except SnapshotOutdated:
                pass  # an upgrade, not a problem: the shards are still good
            except CacheUnreadable as problem:
                if store.current_snapshot(corpus_key) != snapshot:
                    continue  # replaced while being opened: open the new one
                report.notices.append(f"cache at {snapshot} was unreadable ({problem}); rebuilding it")
            break

    scheduler = scheduler_for(scheduler, config)
    if scheduler is not None and not use_cache:
        raise UsageError("`scheduler` needs the cache: the workers write their shards there (drop `no_cache`)", param="scheduler")
    with _sigterm_interrupts():
        return _build(store, corpus_key, path_list, discovery, config, previous, report, skipped, sidecar_stats,
                      use_cache=use_cache, progress=progress, workers=workers, scheduler=scheduler, earlier=earlier)


def _build(store, corpus_key, path_list, discovery, config, previous, report, skipped, sidecar_stats, *,
           use_cache, progress, workers, scheduler, earlier=None) -> Corpus:
    """The cold half of ``load_corpus``: hash, tokenise what the cache lacks (on local processes or
    the cluster), assemble and publish a snapshot, open it. Shards finished before an error or an
    interruption stay in the cache, so the next ingest resumes from them."""
    arguments = (store, corpus_key, path_list, discovery, config, previous, report, skipped, sidecar_stats)
    if scheduler is None:
        return _assemble(*arguments, use_cache=use_cache, progress=progress, workers=workers, cluster=None, earlier=earlier)

    with ClusterSession(scheduler, store) as cluster:
        return _assemble(*arguments, use_cache=use_cache, progress=progress, workers=workers, cluster=cluster, earlier=earlier)


@dataclass
class _Plan:
    """What a rebuild keeps of the previous snapshot (``_reuse_plan``)."""

    reused_files: np.ndarray  # per file (discovery order): in a kept partition
    reuse: dict  # file name → the kept partitions that come right before it (None: at the end)
    counted: tuple[list[np.ndarray], int]  # the kept files' short-line keys, and their documents
    repeated: frozenset  # the repeated lines the previous snapshot was made with
    packs: dict[str, list]  # the shard packs the previous snapshot may read texts from (Store.text_packs)


def _reuse_plan(store: Store, earlier: tuple[Path, dict], discovery, hashes, previous, config, sidecar_stats) -> _Plan | None:
    """The partitions of the previous snapshot whose files are all still there, in the same
    order, one after the other, with the same contents (and the same sidecars): those are kept,
    the rest assembled (docs/ARCHITECTURE.md). ``None`` when nothing can be kept."""
    folder, manifest = earlier
    parts = manifest.get("partitions")
    if not isinstance(parts, list) or [list(e) for e in sidecar_stats] != manifest.get("sidecars"):
        return None
    needs_keys = finds_repeated_lines(config)
    names = discovery.file_names
    present = [i for i, digest in enumerate(hashes) if digest]  # the files that will be assembled, in order
    rank = {names[i]: r for r, i in enumerate(present)}
    reused_files = np.zeros(len(names), dtype=bool)
    kept: list = []  # (where its files end, in ``present``; the partition)
    key_parts, documents = [], 0
    try:
        for part in parts:
            pfolder = folder / part["name"]
            files = split_names(deflate.decompress((pfolder / "files.txt.z").read_bytes()))
            if not files or files[0] not in rank:
                continue
            first = rank[files[0]]
            run = present[first : first + len(files)]
            if [names[i] for i in run] != files or any(hashes[i] != previous.get(names[i], (None, None))[1] for i in run):
                continue
            keys: dict = {}
            if needs_keys:
                if not (pfolder / "line_keys.npy").exists():
                    continue
                all_keys = np.load(pfolder / "line_keys.npy", allow_pickle=False)
                counts = np.load(pfolder / "line_key_counts.npy", allow_pickle=False)
                docs = np.load(pfolder / "line_key_documents.npy", allow_pickle=False)
                if len(counts) != len(files) or int(counts.sum()) != len(all_keys):
                    continue
                edges = np.concatenate([[0], np.cumsum(counts)])
                keys = {name: (all_keys[edges[j] : edges[j + 1]], int(docs[j])) for j, name in enumerate(files)}
                key_parts.append(all_keys)
                documents += int(docs.sum())
            sources = [(discovery.file_roots[i], hashes[i]) for i in run]
            reused = ReusedPartition(pfolder, part, manifest["files"], store.document_lines(pfolder), files, sources, keys)
            reused_files[run] = True
            kept.append((first + len(files), reused))
    except (OSError, ValueError, KeyError, TypeError, IndexError, zlib.error, CacheUnreadable):
        return None  # a damaged previous snapshot: rebuilt whole
    if not kept:
        return None
    reuse: dict = {}
    for after, reused in kept:  # each kept partition comes right before the next file assembled
        while after < len(present) and reused_files[present[after]]:
            after += 1
        reuse.setdefault(names[present[after]] if after < len(present) else None, []).append(reused)
    try:
        packs = store.text_packs(folder)
    except CacheUnreadable:
        return None
    return _Plan(reused_files, reuse, (key_parts, documents), frozenset(manifest.get("repeated_lines", ())), packs)


def _reused_shards(reused, *, store: Store, config: Config, repeated: frozenset, keep=None) -> Iterator:
    """The shards of a kept partition's files, when it cannot be kept after all (a document of it
    became, or stopped being, a duplicate of another): from the cache, the shard that left out
    exactly the lines repeated across the corpus it holds (``shard.shard_key``), else read again
    without them and cached by ``keep(digest, shard)`` (as ``repeated.without_repeated_lines``
    does). A shard gone from the cache while the file holds no repeated line, or a file
    unreadable now, rebuilds everything instead."""
    settings_key = config.stream_key()
    wanted = np.fromiter(repeated, dtype=np.int64, count=len(repeated))
    for name, (root, digest) in zip(reused.files, reused.sources):
        keys = reused.keys.get(name, (np.zeros(0, dtype=np.int64), 0))[0]
        found = frozenset(np.asarray(keys)[np.isin(keys, wanted)].tolist()) if len(wanted) else frozenset()
        try:
            shard = store.load_shard(settings_key, shard_key(digest, found))
            if (shard.left_out != found) if shard is not None else found:
                shard = process_file(Path(name), root, config, repeated=found)
                shard.source = keep(digest, shard) if keep is not None else None
        except UnreadableFile:
            shard = None
        if shard is None:
            raise _RebuildAll("a kept file's shard was missing or unreadable: every partition of the cache rebuilt")
        yield Path(name), root, shard


class _RebuildAll(Exception):
    """No partition of the previous snapshot can be kept (the lines repeated across the corpus
    changed, or a kept file's shard is gone); the message is the load report's notice."""


def _assemble(store, corpus_key, path_list, discovery, config, previous, report, skipped, sidecar_stats, *,
              use_cache, progress, workers, cluster, earlier=None) -> Corpus:
    file_stats = discovery.stats
    facts: list | None = None  # on a cluster: what each file's shard holds, to plan the partitions (FileFacts)
    if cluster is not None:
        report.cluster = cluster.description
        facts = []
        hashes = cluster.tokenize(discovery.files, file_stats, previous, config, report, skipped, progress, facts=facts,
                                  most_documents=_most_documents(discovery.file_names))
    else:
        # With no partition to keep, a file not hashed before is hashed where it is tokenised
        hashes = _content_hashes(_Files(discovery), file_stats, previous, report, skipped, defer=earlier is None or not use_cache)
    plan = _reuse_plan(store, earlier, discovery, hashes, previous, config, sidecar_stats) if earlier is not None and use_cache else None
    if plan is not None:
        try:
            return _assemble_hashed(store, corpus_key, path_list, discovery, config, report, skipped, sidecar_stats, hashes,
                                    use_cache=use_cache, progress=progress, workers=workers, cluster=cluster, plan=plan, facts=facts)
        except _RebuildAll as reason:
            report.notices.append(str(reason))
            report.partitions_reused = report.partitions_rebuilt = 0
    return _assemble_hashed(store, corpus_key, path_list, discovery, config, report, skipped, sidecar_stats, hashes,
                            use_cache=use_cache, progress=progress, workers=workers, cluster=cluster, plan=None, facts=facts)


def _assemble_hashed(store, corpus_key, path_list, discovery, config, report, skipped, sidecar_stats, hashes, *,
                     use_cache, progress, workers, cluster, plan, facts=None) -> Corpus:
    # Files of partitions kept from the previous snapshot are not streamed (their shards not read)
    reused_files, reuse, counted = (plan.reused_files, plan.reuse, plan.counted) if plan is not None else (None, None, None)
    all_hashes = hashes
    if reused_files is not None:
        hashes = [None if reused_files[i] else digest for i, digest in enumerate(hashes)]
    line_keys: dict | None = {} if finds_repeated_lines(config) else None
    # Shards stream into a snapshot on disk, and the corpus is then opened from it as a warm
    # load would: memory never holds the whole corpus. Without a cache the snapshot is made
    # in a temporary folder, deleted once open (open files and maps outlive their names).
    def new_writer() -> SnapshotWriter:
        try:
            return store.begin_snapshot(corpus_key) if use_cache else SnapshotWriter(Path(tempfile.mkdtemp(prefix="peercorpus-")), partitioned=True)
        except OSError as error:
            raise cache_error(error, store.root if use_cache else Path(tempfile.gettempdir())) from None

    writer = new_writer()
    try:
        sidecar_metadata = _sidecar_metadata(discovery, report.notices)
        if cluster is not None:  # the workers write the partitions (those a rebuild does not keep)
            cluster.facts(discovery.files, discovery.stats, hashes, facts, config, report, skipped, progress)
            assembler, repeated = _assemble_on_cluster(cluster, writer, discovery, hashes, facts, config, sidecar_metadata, progress,
                                                       store=store, report=report, skipped=skipped, plan=plan)
            report.partitions_on_cluster = len(assembler.parts) - assembler.reused
        else:
            repeated: frozenset[int] = frozenset()
            mode = ReadingMode()  # keys only, once a line is likely to repeat (ingest/repeated.py)
            with store.shard_pack(config.stream_key()) if use_cache else nullcontext() as pack:
                def keep(digest: str, shard) -> str:  # a shard tokenised with lines left out, cached under its own key
                    return pack.add(shard_key(digest, shard.left_out), getattr(shard, "encoded", None) or encode_shard(shard))

                rebuild = partial(_reused_shards, store=store, config=config, repeated=plan.repeated, keep=keep if pack else None) if plan is not None else None
                assembler = PartitionedAssembler(writer, sidecar_metadata, reuse=reuse, order=discovery.file_names, line_keys=line_keys, rebuild=rebuild)
                tokenised = shards = _shards(_Files(discovery), hashes, store, config, pack,
                                             progress, workers, report, skipped, mode=mode,
                                             file_sizes=np.asarray(discovery.stats)[:, 0])
                try:
                    if finds_repeated_lines(config):
                        # Assembled as they come, while files are still being tokenised; assembled again
                        # (from the spill) only when a file holds a line repeated across the corpus.
                        def assemble(where, shard) -> None:
                            assembler.add(*where, shard.decode() if isinstance(shard, EncodedShard) else shard)

                        reread = partial(_reread_in_workers, workers=workers, progress=progress)
                        shards, repeated = without_repeated_lines(
                            tokenised, config, reread=reread, assemble=assemble, mode=mode,
                            most_documents=_most_documents(discovery.file_names), stop_assembling=writer.discard,
                            counted=counted, keys_out=line_keys,
                            keep=keep if pack else None,
                            lost=lambda where: skipped.append(SkippedFile(str(where[0]), VANISHED)),
                        )
                        if plan is not None and repeated != plan.repeated:
                            raise _RebuildAll("the lines repeated across the corpus changed: every partition of the cache rebuilt")
                        if shards is None:
                            shards = ()
                        else:
                            writer.discard()
                            writer = new_writer()
                            assembler = PartitionedAssembler(writer, sidecar_metadata, reuse=reuse, order=discovery.file_names, line_keys=line_keys, rebuild=rebuild)
                    for (path, root), shard in shards:
                        assembler.add(path, root, shard.decode() if isinstance(shard, EncodedShard) else shard)
                    assembler.add_kept_after_last()  # while the pack takes what a kept partition's rebuild tokenises
                finally:
                    tokenised.close()  # after an error or an interruption: worker processes end now, not at exit
        if reused_files is not None:  # a file that failed now has lost its hash; the kept ones keep theirs
            hashes = [all_hashes[i] if reused_files[i] else digest for i, digest in enumerate(hashes)]
            all_hashes[:] = hashes
        if not assembler.finish():
            raise InputError(_nothing_to_read(discovery.file_roots[:1], skipped))
        report.partitions_reused, report.partitions_rebuilt = assembler.reused, len(assembler.parts) - assembler.reused
        manifest = {
            "repeated_lines": sorted(repeated),
            "sidecars": [list(entry) for entry in sidecar_stats],
            "skipped": [asdict(s) for s in skipped],
            "inputs": [str(p) for p in path_list],
            "layout": assembler.layout(),
            "partitions": assembler.parts,
        }
        if use_cache:  # the shard packs its texts may be read from, checked when it is opened (Store.check_text_packs)
            kept = plan.packs if plan is not None else {}
            writer.text_packs = store.text_pack_records(store.packs_used | assembler.packs | {name for name in kept if name.endswith(".pack")}, known=kept)
        writer.close(manifest=manifest, files=FileTable(discovery.file_names, discovery.stats, hashes))
    except OSError as error:
        writer.discard()
        raise cache_error(error, writer.folder) from None
    except BaseException:
        writer.discard()
        raise
    try:
        folder = store.publish_snapshot(corpus_key, writer) if use_cache else writer.folder
    except OSError as error:
        writer.discard()
        raise cache_error(error, store.root) from None
    corpus = _open_snapshot(store, folder, manifest, skipped)
    if not use_cache:
        shutil.rmtree(folder, ignore_errors=True)
    else:
        report.snapshot = str(folder)
    corpus.load_report, corpus.tokenize = report, config.tokenize
    return corpus


def _assemble_on_cluster(cluster, writer: SnapshotWriter, discovery, hashes: list, facts: list, config: Config,
                         sidecar_metadata: dict, progress, *, store: Store, report: LoadReport, skipped: list,
                         plan: _Plan | None = None) -> tuple[PartitionedAssembler, frozenset[int]]:
    """A build's partitions assembled by the cluster's workers into ``writer``'s staging folder
    (issue 18), the same folders a local build writes: the client decides what is corpus-wide
    first, from each file's ``FileFacts`` (no shard read here) — the repeated lines
    (``repeated.repeated_in``; files holding one read again on the workers, ``ClusterSession.reread_facts``),
    then the partitions and the duplicate documents (``PartitionPlanner``) —, then each
    partition is a task (``cluster.assemble_task``), and only the top folder is written here
    (``PartitionedAssembler.add_built``, ``finish``). Returns the assembler and the repeated lines.

    A rebuild (``plan``: a previous snapshot some of whose partitions are kept) is planned the
    way ``PartitionedAssembler`` places the kept partitions among the files assembled (``hashes``
    has ``None`` for the kept ones' files): the kept partitions are linked here, the others are
    tasks. A kept partition that cannot be kept after all (a document's "duplicate of" changed,
    or it is gone) has its files' facts read on the workers (read again without a repeated
    line where they hold one, as ``_reused_shards`` does) and is planned again as new files."""
    files = discovery.files
    present = [i for i, digest in enumerate(hashes) if digest]  # the files assembled, in order
    if plan is not None:
        facts = list(facts)  # files read again below are this build's: a full rebuild after it starts afresh
    line_keys: dict | None = None
    repeated: frozenset[int] = frozenset()
    if finds_repeated_lines(config):
        line_keys = {str(files[i][0]): (facts[i].line_keys, _documents_of(facts[i])) for i in present}
        key_counts = np.array([len(facts[i].line_keys) for i in present], dtype=np.int64)
        all_keys = np.concatenate([np.zeros(0, dtype=np.int64)] + [facts[i].line_keys for i in present])
        n_documents = sum(_documents_of(facts[i]) for i in present)
        repeated, held = repeated_in(all_keys, key_counts, n_documents, plan.counted if plan is not None else None)
        del all_keys
        if plan is not None and repeated != plan.repeated:
            raise _RebuildAll("the lines repeated across the corpus changed: every partition of the cache rebuilt")
        # read again where a file holds one, or its cached shard (of another corpus, Shard.left_out) left out others;
        # and every file read for its keys only (ClusterSession.tokenize), tokenised now for the first time
        unread = [j for j, i in enumerate(present) if isinstance(facts[i], FileLineKeys)]
        leaving_out = [j for j, i in enumerate(present) if getattr(facts[i], "left_out", None)]
        found = to_read_again(held, lambda j: facts[present[j]].left_out, leaving_out, also=unread)
        again = cluster.reread_facts([(*files[present[j]], hashes[present[j]], held.get(j, frozenset())) for j in found], config, progress)
        vanished = set()
        for j, new in zip(found, again):
            first = facts[present[j]]
            if new is not None:
                facts[present[j]] = FileFacts(new.n_tokens, new.text_hashes, new.suffixes, first.line_keys, new.where)
            elif isinstance(first, FileLineKeys):  # never tokenised and unreadable now: left out, as locally
                skipped.append(SkippedFile(str(files[present[j]][0]), VANISHED))
                vanished.add(present[j])
            # else unreadable now: the first reading stands
        present = [i for i in present if i not in vanished]
    kept_again: dict[int, list] = {}  # id(kept partition) → its files, planned as new ones
    extra: dict[int, tuple] = {}  # their numbers (below 0) → (path, root, facts)

    def about(i: int) -> tuple[str, Path, FileFacts]:
        return (str(files[i][0]), files[i][1], facts[i]) if i >= 0 else extra[i]

    while True:
        planner = PartitionPlanner(reuse=plan.reuse if plan is not None else None, again=kept_again)
        for i in present:
            path, root = files[i]
            planner.add(i, shown_name(relative_name(path, root)), facts[i], str(path))
        planned = planner.finish()
        unkept = planner.reassemble or _link_kept(writer, planned)
        if not unkept:
            break
        for reused in unkept:
            kept_again[id(reused)] = _kept_facts(cluster, store, reused, config, report, repeated, extra, progress)
            if line_keys is not None:
                line_keys.update(reused.keys)

    def tasks() -> Iterator[tuple]:
        for part in planned:
            if part.reused is not None:
                continue
            rows = [about(i) for i in part.files]
            names = [row[0] for row in rows]
            items = [(name, str(root), found.where) for name, root, found in rows]
            sidecars = {name: sidecar_metadata[name] for name in names if name in sidecar_metadata}
            keys = {name: line_keys[name] for name in names} if line_keys is not None else None
            yield part.name, items, sidecars, part.duplicates, keys

    assembler = PartitionedAssembler(writer, sidecar_metadata, line_keys=line_keys)
    built_partitions = cluster.assemble(writer.folder, tasks(), sum(part.reused is None for part in planned), config, progress)
    try:
        for part in planned:
            if part.reused is not None:
                assembler.add_reused(part.name, part.reused, part.reused.vocab())
            else:
                assembler.add_built(next(built_partitions))
    finally:
        built_partitions.close()  # after an error or an interruption: the tasks still queued are cancelled now
    if planner.trailing:  # files without documents after a kept last partition: listed as its files
        assembler.extend_last([about(i)[0] for i in planner.trailing])
    shutil.rmtree(writer.folder / WORK_FOLDER, ignore_errors=True)  # partitions of killed tasks, half written
    return assembler, repeated


def _documents_of(facts: FileFacts | FileLineKeys) -> int:
    return len(facts.doc_line_keys) if isinstance(facts, FileLineKeys) else len(facts.text_hashes)


def _link_kept(writer: SnapshotWriter, planned: list) -> list:
    """The kept partitions of a plan linked into the snapshot being built; those that cannot be
    (gone: retired and deleted meanwhile, or damaged) are returned, and then none is linked."""
    linked, unkept = [], []
    for part in planned:
        if part.reused is None:
            continue
        try:
            writer.reuse_partition(part.name, part.reused.folder, part.reused.recorded)
            linked.append(part.name)
            part.reused.vocab()  # read when added: readable (as PartitionedAssembler._insert checks)
        except (OSError, ValueError, zlib.error):
            unkept.append(part.reused)
    if unkept:
        for name in linked:
            writer.remove_partition(name)
    return unkept


def _kept_facts(cluster, store: Store, reused: ReusedPartition, config: Config, report: LoadReport, repeated: frozenset,
                extra: dict, progress) -> list[tuple]:
    """The files of a kept partition that is assembled again after all, as ``PartitionPlanner``
    takes them (number, shown name, ``FileFacts``, name), their facts read on the workers: from
    the cache, or read again without the lines repeated across the corpus where a file holds one
    (``_reused_shards``' rule). A shard gone from the cache, or a file unreadable now, rebuilds
    everything instead (``_RebuildAll``); numbers below 0 go into ``extra`` (path, root, facts)."""
    lost = _RebuildAll("a kept file's shard was missing or unreadable: every partition of the cache rebuilt")
    settings_key = config.stream_key()
    if not all(store.cached_key(settings_key, digest) for _root, digest in reused.sources):
        raise lost
    paths = [(Path(name), root) for name, (root, _digest) in zip(reused.files, reused.sources)]
    found: list = [None] * len(paths)
    problems: list = []
    cluster.facts(paths, [(1,)] * len(paths), [digest for _root, digest in reused.sources], found, config, report, problems, progress)
    if problems or any(f is None for f in found):
        raise lost
    wanted = np.fromiter(repeated, dtype=np.int64, count=len(repeated))
    todo = []
    for j, name in enumerate(reused.files):
        keys = np.asarray(reused.keys.get(name, (np.zeros(0, dtype=np.int64), 0))[0])
        keys = frozenset(keys[np.isin(keys, wanted)].tolist()) if len(wanted) else frozenset()
        if keys != found[j].left_out:  # holds a repeated line, or its cached shard left out others
            todo.append((j, keys))
    if todo:
        again = cluster.reread_facts([(*paths[j], reused.sources[j][1], keys) for j, keys in todo], config)
        for (j, _keys), new in zip(todo, again):
            if new is None:
                raise lost
            found[j] = new
    rows = []
    for (path, root), facts in zip(paths, found):
        number = -1 - len(extra)
        extra[number] = (str(path), root, facts)
        rows.append((number, shown_name(relative_name(path, root)), facts, str(path)))
    return rows


class _Files:
    """``Discovery.files`` made one at a time: ``(Path(name), root)`` of file ``i``, not a list of
    them all (a Path takes ~400 bytes: 180 MB for 445,000 files)."""

    def __init__(self, discovery):
        self.names, self.roots = discovery.file_names, discovery.file_roots

    def __len__(self) -> int:
        return len(self.names)

    def __getitem__(self, index: int) -> tuple[Path, Path]:
        return Path(self.names[index]), self.roots[index]

    def __iter__(self):
        return zip(map(Path, self.names), self.roots)


def _nothing_to_read(paths: list[Path], skipped: list[SkippedFile]) -> str:
    where = ", ".join(str(p) for p in paths)
    if not skipped:
        return f"no documents found in {where} (supported: .txt .md .html .pdf .docx .csv .tsv .jsonl)"
    reasons = "; ".join(f"{Path(s.path).name}: {s.reason}" for s in skipped[:3])
    more = f" and {len(skipped) - 3} more" if len(skipped) > 3 else ""
    return f"no readable documents in {where}: {len(skipped)} files skipped ({reasons}{more})"


def cache_error(error: OSError, where: Path) -> InputError:
    """A cache that cannot be written (disk full, read-only, a file where the folder should be)
    as one line with what to do about it. A file that cannot be read is not this: it is skipped."""
    import errno

    if error.errno not in (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOTDIR, errno.EEXIST, errno.EISDIR):
        raise error
    what = "disk full" if error.errno in (errno.ENOSPC, errno.EDQUOT) else (error.strerror or str(error)).lower()
    return InputError(f"cannot write the cache in {where}: {what}; use `no_cache`, or another `cache_dir`")


def scheduler_for(option: str | None, config: Config) -> str | None:
    """The Dask scheduler asked for (``option``, ``compute.scheduler``, ``$PEERCORPUS_SCHEDULER``)
    or ``None``; read without importing the cluster module when nothing asks for one."""
    if option is None and config.compute.get("scheduler") is None and not os.environ.get("PEERCORPUS_SCHEDULER"):
        return None

    return resolve_scheduler(option, config)


@contextmanager
def _sigterm_interrupts():
    """SIGTERM (``kill``, a batch system ending a job) raises ``Terminated`` while an ingest
    runs, as Ctrl-C raises ``KeyboardInterrupt``: worker processes are ended, finished shards are
    kept. Only in the main thread, and only when nobody else handles SIGTERM."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGTERM) != signal.SIG_DFL:
        yield
        return

    def terminate(signum, frame):
        raise Terminated()

    signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _stat(path: Path) -> tuple[int, int, int, int]:
    try:
        info = path.stat()
    except OSError:
        return (-1, -1, -1, -1)
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


def _corpus_key(paths: list[Path], config: Config) -> str:
    resolved = sorted(str(p.resolve()) for p in paths)
    payload = json.dumps({"paths": resolved, "settings": config.stream_key()})
    return hashlib.sha256(payload.encode()).hexdigest()[:24]


def _unchanged(manifest: dict, recorded: FileTable, file_names, file_stats, sidecar_stats) -> bool:
    """True when the same files (and sidecars) are there with the size, mtime, ctime and inode
    the snapshot recorded (any file changed, added or removed means a rebuild), and no file
    skipped as unreadable has become readable."""
    # the names as one NUL-joined blob each (PackedNames' data): never two lists of 890,000 strings
    if _joined(recorded.names) != _joined(file_names) or [list(e) for e in sidecar_stats] != manifest.get("sidecars"):
        return False
    current = np.asarray(file_stats, dtype=np.int64).reshape(-1, STAT_FIELDS)  # discover.FileStats
    if not np.array_equal(current, recorded.stats):
        return False
    unreadable = [entry.get("path") for entry in manifest.get("skipped", []) if str(entry.get("reason", "")).startswith("cannot read")]
    return not any(os.access(path, os.R_OK) for path in unreadable if path)


def _joined(names) -> bytes | bytearray:
    return names.data if isinstance(names, PackedNames) else join_names(names)


#: A file's place in ``_content_hashes``' list while it is hashed where it is tokenised (``_shards``).
UNHASHED = ""


def _content_hashes(files, file_stats, previous, report, skipped, *, defer: bool = False) -> list[str | None]:
    """The content hash of every file (``None`` for unreadable ones); a file with the size,
    mtime, ctime and inode the last snapshot recorded keeps the hash recorded then, unread.
    ``defer``: the others are left ``UNHASHED``, for ``_shards`` to hash as they are tokenised
    (on a cold cache, reading every file here first took 95 s of BBC x400's 1,206 with a core
    idle)."""
    hashes: list[str | None] = [None] * len(files)
    for index, ((path, _root), stat) in enumerate(zip(files, file_stats)):
        entry = previous.get(str(path))
        if entry and entry[0] == tuple(stat):
            hashes[index] = entry[1]
            continue
        if defer:
            hashes[index] = UNHASHED
            continue
        try:
            hashes[index] = file_content_hash(path)
        except UnreadableFile as problem:
            skipped.append(SkippedFile(str(path), str(problem)))
            continue
        report.files_read += 1
    return hashes


def _shards(files, hashes, store, config, pack: ShardPack | None, progress, workers, report, skipped, *,
            mode: ReadingMode | None = None, file_sizes: np.ndarray | None = None) -> Iterator:
    """``((path, root), shard)`` for every readable file, in corpus order: from the cache, or
    tokenised now (in worker processes, while earlier shards are assembled) and added to ``pack``;
    once ``mode.keys_only``, the files sent from then on give their short-line keys only (a
    ``FileLineKeys``: tokenised later, ``repeated.without_repeated_lines``). Files that cannot be
    read go to ``skipped`` and lose their hash; those ``UNHASHED`` are hashed where they are read
    (``workers.HashOnRead``), and the ones that cannot be read go to ``skipped`` before those
    that fail to tokenise, as when hashed first. ``file_sizes``: each file's size in bytes
    (``discover``'s), else the files are measured as they are sent."""
    settings_key = config.stream_key()
    todo = array("q", [i for i, digest in enumerate(hashes)
                       if digest == UNHASHED or (digest and not (pack and store.cached_key(settings_key, digest)))])
    unknown = HashOnRead(store.shard_lookup(settings_key) if pack else None)
    # made a batch at a time: a list of every file's (Path, root, digest) took ~500 bytes a file
    def item(i: int) -> tuple:
        if mode is not None and mode.keys_only:
            return (*files[todo[i]], hashes[todo[i]] or unknown, KEYS_ONLY)
        return (*files[todo[i]], hashes[todo[i]] or unknown)

    todo_indexes = np.frombuffer(todo, dtype=np.int64)
    sizes = None if file_sizes is None else lambda start, end: int(file_sizes[todo_indexes[start:end]].sum())
    results = _tokenize_files(LazyItems(len(todo), item), config, progress, workers, sizes=sizes)
    pending = np.zeros(len(hashes), dtype=bool)
    pending[todo_indexes] = True
    unreadable_at = len(skipped)
    for index, digest in enumerate(hashes):
        if digest is None:
            continue
        cached = not pending[index]
        if pending[index]:
            result = next(results)
            if digest == UNHASHED:
                digest, result = result
                if digest is None:
                    skipped.insert(unreadable_at, SkippedFile(str(files[index][0]), result))
                    unreadable_at += 1
                    hashes[index] = None
                    continue
                hashes[index] = digest
                report.files_read += 1
                cached = result is None
        if cached:
            key = store.cached_key(settings_key, digest)
            shard = store.load_shard(settings_key, key) if key else None
            if shard is not None:
                shard.digest = digest
                yield files[index], shard
                continue
            result = process_encoded((*files[index], digest), config)  # a damaged cache entry: tokenised again, here
        if isinstance(result, str):
            skipped.append(SkippedFile(str(files[index][0]), result))
            hashes[index] = None
            continue
        if isinstance(result, FileLineKeys):  # tokenised once the repeated lines are known, cached then
            result.digest = digest
            report.files_tokenized += 1
            report.notices.extend(f"{files[index][0]}: {w}" for w in result.warnings if is_notice(w))
            yield files[index], result
            continue
        # its texts are read from the pack (issue 18: stored once); decoded when assembled
        result.source = pack.add(digest, result.encoded) if pack else None
        result.digest = digest
        report.files_tokenized += 1
        report.notices.extend(f"{files[index][0]}: {w}" for w in result.notices)
        yield files[index], result  # decoded when assembled




def _most_documents(file_names: list[str]) -> int | None:
    """How many documents the files can hold at most (one a file), or ``None`` when a file
    holds rows (``.csv``, ``.tsv``, ``.jsonl``: any number)."""
    if any(name.lower().endswith(ROW_SUFFIXES) for name in file_names):
        return None
    return len(file_names)


ROW_SUFFIXES = (".csv", ".tsv", ".jsonl")


def _reread_in_workers(items, config: Config, *, workers: int | None = None, progress: Progress | None = None) -> Iterator:
    """``repeated._reread_here`` on local worker processes when there are many files (a corpus whose
    every file has a repeated line was read twice by the parent alone: issue 18's BBC×200), with
    ``progress(done, total, REREAD_PROGRESS)``: after a line is likely to repeat, most of the
    tokenising happens here."""
    step = (lambda done, total: progress(done, total, REREAD_PROGRESS)) if progress else None
    for result in _tokenize_files(LazyItems(len(items), lambda i: _worker_item(*items[i])), config, step, workers):
        yield None if isinstance(result, str) else result


def _worker_item(path: Path, root: Path, repeated: frozenset[int], line_keys) -> tuple:
    """A file to tokenise again as ``workers.process_encoded`` takes it (no digest: not looked up)."""
    return path, root, None, repeated, line_keys


def _tokenize_files(items, config: Config, progress: Progress | None, workers: int | None, *,
                    sizes: Callable[[int, int], int] | None = None) -> Iterator[bytes | str]:
    """Tokenise files, in ``workers`` processes when there are many (results in input order):
    a pool of ``workers - 1``, and this process, which tokenises the next batch itself whenever
    the pool's oldest batch is not ready yet, instead of waiting for it (on two cores, a pool of
    two beside this process cost 1.3-1.45x the CPU of the same work done in one process, and a
    pool of one left a core idle while this process waited).

    Only a few batches are in flight at a time, so finished shards wait for the assembler in
    small numbers rather than piling up in memory. ``sizes(start, end)``: the bytes of items
    ``start`` to ``end`` (else each item's file is measured)."""
    total = len(items)
    workers = workers or min(os.cpu_count() or 1, 8)
    if total < PARALLEL_FROM_FILES or workers < 2:
        for done, item in enumerate(items, start=1):
            result = process_encoded(item, config)
            if progress:  # before the result is handed on: a reader may take the last one and stop
                progress(done, total)
            yield result
        return
    import multiprocessing
    from concurrent.futures import Future, ProcessPoolExecutor

    # Load NLTK once in the parent so forked workers share it instead of importing it again.
    fast_sentence_splitter(), word_tokenizer(config.tokenize.tokenizer)
    size = max(1, min(20, total // (workers * 8) or 1))
    done = 0
    pool = ProcessPoolExecutor(workers - 1, mp_context=multiprocessing.get_context("fork"), initializer=_die_with_parent, initargs=(os.getpid(),))
    _widen_result_pipe(pool)
    try:
        # in batch order: (the pool's future or the results of a batch tokenised here, its input bytes)
        in_flight: deque = deque()
        queued = held = 0  # futures in in_flight; the input bytes of all its batches
        # Few batches in flight until the first have come back (files sent before the reader asks
        # for line keys only are tokenised whole: ``ReadingMode``), then enough for the pool to go
        # on while this process finishes a partition (~0.5 s at BBC x10); at most IN_FLIGHT_BYTES
        # of files (their results take a few times that) beyond the oldest batch.
        depth = 2 * workers
        next_batch = 0  # the first item of the next batch

        def take() -> tuple | None:
            nonlocal held, next_batch
            if next_batch >= total or (in_flight and held >= IN_FLIGHT_BYTES):
                return None
            batch = items[next_batch : next_batch + size]
            size_of = sizes(next_batch, next_batch + len(batch)) if sizes else _input_bytes(batch)
            next_batch += size
            _read_ahead(batch)
            held += size_of
            return batch, size_of

        while True:
            while queued < depth and (taken := take()) is not None:
                in_flight.append((pool.submit(process_encoded_batch, taken[0], config), taken[1]))
                queued += 1
            if not in_flight:
                break
            head = in_flight[0][0]
            if isinstance(head, Future) and not head.done():
                # tokenised here while the pool works on it
                taken = take() if len(in_flight) < 2 * depth else None
                if taken is None:
                    head.result()  # wait for the pool
                else:
                    in_flight.append((process_encoded_batch(taken[0], config), taken[1]))
                continue
            batch_result, size_of = in_flight.popleft()
            held -= size_of
            if isinstance(batch_result, Future):
                batch_result, queued = batch_result.result(), queued - 1
            done += len(batch_result)
            if done >= 4 * workers * size:
                depth = 16 * workers
            if progress:
                progress(done, total)
            if not in_flight and next_batch >= total:
                # The pool ends before the last shards are handed on: a reader that takes exactly as
                # many as it asked for (the re-read of files with a repeated line) never resumes this
                # generator, which left the pool to the interpreter's exit (a kwic hung there once,
                # its manager thread joining a worker that waited for the queue).
                pool.shutdown(wait=True)
            yield from batch_result
    except BaseException:
        # An error (a cleaning pattern out of time, Ctrl-C, the cache full) ends the work now:
        # waiting for the batches in flight could take minutes.
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            process.terminate()
        # A worker ended while it wrote a result leaves half a message in the result pipe, and
        # the pool's manager thread waits for the rest forever (the interpreter's exit then
        # joins that thread: Ctrl-C hung 1 ingest in 9). Once this process' own copy of the
        # pipe's write end is closed, the dead workers' were the last: the read ends (EOF).
        _close_quietly(getattr(getattr(pool, "_result_queue", None), "_writer", None))
        manager = getattr(pool, "_executor_manager_thread", None)  # before shutdown(), which forgets it
        pool.shutdown(wait=False, cancel_futures=True)
        # With its workers ended, the pool's manager thread ends soon; a short wait for it keeps the
        # interpreter's exit from racing it on the pipe it closes (an "Exception in atexit" traceback
        # from concurrent.futures, seen under load after a pattern ran out of time). Bounded: an
        # unbounded shutdown(wait=True) here hung now and then after SIGTERM (its feeder thread).
        if manager is not None:
            manager.join(timeout=2)
            # Still racing under load: the exit's wake-up call (``_python_exit``) may write to the pipe
            # the thread is closing ("Bad file descriptor" traceback; guarded by a lock only from
            # Python 3.12). The thread needs no waking (its workers are gone, its pipe at EOF), and
            # the interpreter's exit still joins it as it joins every thread.
            process_module = sys.modules.get("concurrent.futures.process")
            wakeups = getattr(process_module, "_threads_wakeups", None)
            if isinstance(wakeups, MutableMapping):
                wakeups.pop(manager, None)
        raise


def _read_ahead(batch) -> None:
    """Ask the system to start reading a batch's files (``_tokenize_files``' items: a path first)
    into memory, without waiting (``posix_fadvise(..., POSIX_FADV_WILLNEED)``; elsewhere nothing):
    the batch is tokenised after those in flight before it, by when its files are read. Read one by
    one as they were tokenised, the small files of a corpus just copied or unpacked kept both cores
    waiting for the disk a quarter of the time (BBC x400 from a cold page cache: ~20 MB/s)."""
    if _ADVISE is None:
        return
    for item in batch:
        try:
            descriptor = os.open(item[0], _READ_AHEAD_FLAGS)
        except OSError:
            continue  # said when it is tokenised
        try:
            _ADVISE(descriptor, 0, 0, os.POSIX_FADV_WILLNEED)
        except OSError:
            pass
        finally:
            os.close(descriptor)


_ADVISE = getattr(os, "posix_fadvise", None)
_READ_AHEAD_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)  # a file swapped for a FIFO must not block here


def _input_bytes(batch) -> int:
    """The size of a batch's files (``_tokenize_files``' items: a path first), 0 for one gone."""
    total = 0
    for item in batch:
        try:
            total += os.stat(item[0]).st_size
        except OSError:
            pass
    return total


def _widen_result_pipe(pool) -> None:
    """Let the pipe that brings a ``ProcessPoolExecutor``'s results hold a whole batch of them (1 MiB,
    Linux's default most; elsewhere, or refused, it stays as it is). Through the default 64 KiB a
    batch (~300 KB for 20 BBC articles) takes several reads, each by the pool's thread here, which
    waits for the interpreter lock (up to ``sys.getswitchinterval()``, 5 ms) while this process
    tokenises or assembles; the worker, blocked on the full pipe, waits with it."""
    reader = getattr(getattr(pool, "_result_queue", None), "_reader", None)
    set_size = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl is not None else None
    if reader is None or set_size is None:
        return
    try:
        fcntl.fcntl(reader.fileno(), set_size, RESULT_PIPE_BYTES)
    except OSError:  # above /proc/sys/fs/pipe-max-size, or the user's pipes at their limit
        pass


def _close_quietly(connection) -> None:
    """Close a multiprocessing connection if there is one and it is open."""
    try:
        if connection is not None and not connection.closed:
            connection.close()
    except OSError:
        pass


def _die_with_parent(parent: int) -> None:
    """In a worker: be killed when the parent dies (kill -9 included), instead of waiting
    forever on a queue nobody writes to (Linux; elsewhere workers end when the queue breaks)."""
    import signal
    import sys

    # the parent's SIGTERM handler (inherited through fork) is for the parent; Ctrl-C reaches the
    # whole process group, and the parent ends its workers itself (no traceback from each)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)


def _sidecar_metadata(discovery, notices: list[str]) -> dict[str, dict[str, Any]]:
    """Fields from metadata sidecars, keyed by the file path they describe; a notice for
    each sidecar that names files which do not exist (a typo, or a file moved away)."""

    found = set(discovery.file_names).union(str(path) for path, _ in discovery.skipped)
    by_file: dict[str, dict[str, Any]] = {}
    for folder, sidecar in sorted(discovery.sidecars.items()):
        missing = []
        for name, fields in read_sidecar(sidecar).items():
            path = Path(folder) / name
            if str(path) not in found and not os.path.lexists(path):
                missing.append(name)
            by_file.setdefault(str(path), {}).update(fields)
        if missing:
            listed = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
            notices.append(f"{sidecar}: {_files(len(missing))} named but not found: {listed}")
    return by_file


def _files(count: int) -> str:
    return f"{count} file" if count == 1 else f"{count} files"


#: Files a partition keeps open once read (Python < 3.13 keeps a descriptor for each memory map:
#: its arrays, ``documents.jsonl.z``, ``texts.bin``), and files left for everything else.
FILES_PER_PARTITION = len(TOKEN_ARRAYS) + 2
SPARE_FILES = 512


def _allow_open_files(partitions: int) -> None:
    """Raise the soft limit of open files towards the hard one when a snapshot's partitions
    need more than it allows (systemd's default soft limit is 1024: ~45 partitions, ~250 MB of
    text); an ``InputError`` saying what to do when even the hard limit is too low."""
    try:
        import resource
    except ImportError:  # not a POSIX system: its own limits apply
        return
    needed = partitions * FILES_PER_PARTITION + SPARE_FILES
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= needed:
        return
    if hard != resource.RLIM_INFINITY and hard < needed:
        raise InputError(
            f"this corpus' cache has {partitions} partitions, which need about {needed} open files, and this "
            f"system allows {hard}: raise the limit (ulimit -n {needed}, as root or in limits.conf)"
        )
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))
    except (ValueError, OSError) as error:
        raise InputError(f"this corpus' cache has {partitions} partitions, which need about {needed} open files: "
                         f"raising the limit from {soft} failed ({error}); run 'ulimit -n {needed}' first") from None


def _text_sources(store: Store, partition: Path) -> PackedNames:
    """A partition's ``text_sources.json`` (the shards its texts are read from, by name), held packed:
    a ``str`` a file was ~120 bytes, 105 MB held by every warm command at BBC x400, whose every
    file is read from its shard (issue 18). ``ValueError`` when it is not a list of names."""
    names = store.load_json(partition, "text_sources")
    if not isinstance(names, list) or not all(isinstance(name, str) and "\0" not in name for name in names):
        raise ValueError("text_sources.json is not a list of names")
    return PackedNames.of(names)


class _BlockTexts:
    """``Corpus.text`` of a snapshot: a document's text is cut from its zlib block, read (not
    memory-mapped: kwic touches a few thousand documents spread over 100 MB) from the snapshot's
    ``texts.bin`` or from the shard it came from, in its pack (``text_sources``: the shards by
    name, ``Store.text_block_at``). The last block read stays decoded (hits come by document).
    A damaged or missing block calls ``on_damage(doc, problem)``, which raises."""

    def __init__(self, folder: Path, store: Store, sources: Sequence[str], arrays: dict, on_damage: Callable[[int, str], None],
                 packs: dict[Path, Any] | None = None):
        self.store, self.sources = store, sources
        self.blocks = np.stack([np.asarray(arrays[n], dtype=np.int64) for n in ("text_block_source", "text_block_start", "text_block_length")], axis=1) if len(arrays["text_block_start"]) else np.zeros((0, 3), dtype=np.int64)
        self.doc_block, self.doc_start, self.doc_end = (arrays[n] for n in ("text_block", "text_start", "text_end"))
        self.on_damage = on_damage
        # opened now: a snapshot without cache (or one retired meanwhile) is deleted once open
        self.texts = open(folder / OWN_TEXTS, "rb")
        self.packs: dict[Path, Any] = {} if packs is None else packs  # may be shared by partitions
        self.last: tuple[int, bytes] = (-1, b"")

    def __call__(self, doc: int) -> str:
        number, start, end = int(self.doc_block[doc]), int(self.doc_start[doc]), int(self.doc_end[doc])
        try:
            data = self._block(number)
            if end > len(data):
                raise ValueError("shorter than recorded")
            return data[start:end].decode("utf-8")
        except (OSError, ValueError, KeyError, zlib.error) as problem:  # UnicodeDecodeError too
            self.on_damage(doc, str(problem) if not isinstance(problem, KeyError) else "its shard is no longer in the cache")
            raise

    def _block(self, number: int) -> bytes:
        if self.last[0] == number:
            return self.last[1]
        source, offset, length = self.blocks[number].tolist()
        if source == 0:
            handle = self.texts
        else:
            path, record = self.store.text_block_at(self.sources[source])
            offset += record
            if path not in self.packs:
                self.packs[path] = open(path, "rb")
            handle = self.packs[path]
        if _PREAD:
            packed = os.pread(handle.fileno(), length, offset)
        else:
            handle.seek(offset)
            packed = handle.read(length)
        if len(packed) != length:
            raise ValueError("truncated")
        self.last = (number, deflate.decompress(packed))
        return self.last[1]


def _damaged_text(folder: Path, manifest_path: Path) -> Callable[[int, str], None]:
    """What a damaged text in snapshot ``folder`` does: the snapshot is put aside (its manifest
    removed, so the next command rebuilds it from the shards) and an ``InputError`` raised."""

    def damaged(doc: int, problem: str) -> None:
        try:
            manifest_path.unlink()
        except OSError:
            pass  # a read-only cache: the error still says what to do
        raise InputError(
            f"the cached text of document {doc + 1} is damaged ({problem}) in {folder}; "
            "the cache will be rebuilt by the next command (or delete that folder)"
        )

    return damaged


def open_snapshot(folder: str | Path) -> Corpus:
    """The corpus of one snapshot folder as it is, without looking at the files it was made
    from: what a Dask worker opens to count the chunks of the corpus the client opened
    (``corpus.load_report.snapshot``). ``CacheUnreadable`` if it is gone or damaged."""
    folder = Path(folder)
    store = Store(folder.parents[3])  # <root>/v<format>/snapshots/<corpus key>/<name>
    return _open_snapshot(store, folder, store.read_manifest(folder), [])


def _open_snapshot(store: Store, folder: Path, manifest: dict, skipped: list[SkippedFile]) -> Corpus:
    """A ``Corpus`` over a snapshot's memory-mapped arrays; documents are decoded when used.
    A snapshot of one partition is read as that partition's arrays (its local ids are the
    corpus'); of several, through ``core.derived.PartitionedArray``s (docs/ARCHITECTURE.md)."""
    parts = manifest.get("partitions")
    if not isinstance(parts, list) or not parts or not all(isinstance(p, dict) for p in parts):
        raise CacheUnreadable("snapshot inconsistent (no partitions)")
    damaged = _damaged_text(folder, folder / "manifest.json")
    try:
        # one partition: its vocabulary and index are the corpus' (nothing corpus-wide is stored)
        top_folder = folder if len(parts) > 1 else folder / parts[0]["name"]
        vocab = store.load_json(top_folder, "vocab")
        norm_vocab = store.load_json(top_folder, "norm_vocab")
        top = store.load_arrays(top_folder, ("norm_of_type", "type_map", "norm_map", "index_offsets") if len(parts) > 1 else ("norm_of_type",))
        sources = [_text_sources(store, folder / p["name"]) for p in parts]
        counts = {key: np.array([0] + [int(p[key]) for p in parts], dtype=np.int64).cumsum() for key in ("tokens", "documents", "sentences", "paragraphs", "types")}
        # the first partition's local ids are the corpus' (identity: not stored)
        type_maps = [np.arange(int(parts[0]["types"]), dtype=np.int32)]
        if len(parts) > 1:
            at = counts["types"] - counts["types"][1]
            if at[-1] != len(top["type_map"]):
                raise ValueError("type maps do not match the partitions")
            type_maps += [top["type_map"][at[i] : at[i + 1]] for i in range(1, len(parts))]
        if len(top["norm_of_type"]) != len(vocab) or len(type_maps[0]) > len(vocab):
            raise ValueError("the vocabulary does not match its normalised forms")
        form_lengths = np.fromiter(map(len, vocab), dtype=np.int32, count=len(vocab))
        if int(form_lengths.max(initial=0)) < 2**16:  # int32 + uint16 is int32: the same ends, half the room
            form_lengths = form_lengths.astype(np.uint16)
        _allow_open_files(len(parts))
        opened = []
        packs: dict[Path, Any] = {}  # shard packs holding texts, opened once for every partition
        for i, part in enumerate(parts):
            pfolder = folder / part["name"]
            arrays = store.load_arrays(pfolder, TOKEN_ARRAYS)
            lines = store.document_lines(pfolder)
            base = int(counts["documents"][i])
            texts = _BlockTexts(pfolder, store, sources[i], arrays, lambda doc, problem, base=base: damaged(doc + base, problem), packs)
            derived = _derived_arrays(pfolder, arrays, form_lengths, type_maps[i] if len(parts) > 1 else None)
            opened.append((arrays, lines, texts, derived))
            if len(lines) != int(part["documents"]) or len(arrays["ids"]) != int(part["tokens"]) or len(arrays["sentence_spans"]) != int(part["sentences"]) or len(arrays["paragraph_spans"]) != int(part["paragraphs"]):
                raise ValueError(f"{part['name']} does not match the manifest")
            if len(arrays["char_starts"]) != len(arrays["ids"]) or len(arrays["sentence_first"]) != len(arrays["sentence_spans"]) or len(arrays["paragraph_first"]) != len(arrays["paragraph_spans"]):
                raise ValueError(f"{part['name']}: token arrays")
            if len(lines):
                Document(**lines.first())  # the rest decode the same way, when used
        if len(parts) == 1:
            arrays, lines, texts, derived = opened[0]
            tokens = Tokens(
                vocab=vocab,
                **{name: arrays[name] for name in ("ids", "doc_starts", "char_starts", "sentence_spans", "sentence_doc", "paragraph_spans", "paragraph_doc")},
                **derived,
            )
            tokens.__dict__["index"] = (arrays["index_offsets"], _index_positions(arrays))
        else:
            tokens = _partitioned_tokens(vocab, parts, counts, opened, type_maps, top)
            lines = _PartitionedLines([o[1] for o in opened], counts["documents"])
            texts = _PartitionedTexts([o[2] for o in opened], counts["documents"])
        # int32 as normalized_vocab gives it (vocabulary-sized): analyses map ids through it with -1 for dropped forms
        tokens.__dict__["_normalized"] = (np.asarray(top["norm_of_type"], dtype=np.int32), norm_vocab)
    except (TypeError, KeyError, OSError, ValueError, IndexError, zlib.error) as error:
        raise CacheUnreadable(f"snapshot inconsistent ({error})") from None
    if len(lines) != tokens.n_docs:
        raise CacheUnreadable("snapshot inconsistent (document count)")
    recorded_skips = [SkippedFile(**entry) for entry in manifest.get("skipped", [])]
    known = {s.path for s in recorded_skips}
    documents = LazyDocuments(
        len(lines),
        lambda i: Document(**lines[i]),
        lambda: [Document(**e) for e in lines.all()],
        doc_ids=lines.doc_ids,
        metadata=lines.metadata,
    )
    corpus = Corpus(documents, tokens, texts, recorded_skips + [s for s in skipped if s.path not in known])
    corpus.repeated_lines = frozenset(manifest.get("repeated_lines", ()))
    return corpus


def _partitioned_tokens(vocab, parts, counts, opened, type_maps, top) -> Tokens:
    """``Tokens`` over several partitions: each array a ``PartitionedArray`` of the partitions'
    own, values put in corpus terms (ids through the type maps; units, documents, positions
    offset), in the dtypes one snapshot of the corpus would have."""
    arrays = [o[0] for o in opened]
    derived = [o[3] for o in opened]
    tokens_at, docs_at = counts["tokens"], counts["documents"]

    def joined(name, starts, *, dtype=None, offsets=None, maps=None, source=arrays):
        parts_ = [a[name] for a in source]
        if dtype is None:  # the widest of the partitions' (each the narrowest that fits its values)
            dtype = np.result_type(*[p.dtype for p in parts_])
        return PartitionedArray(parts_, starts, dtype=dtype, offsets=offsets, maps=maps)

    n_docs = int(docs_at[-1])
    doc_starts = np.concatenate([np.asarray(a["doc_starts"][:-1], dtype=np.int64) + tokens_at[i] for i, a in enumerate(arrays)] + [tokens_at[-1:]])
    fields = {
        "ids": joined("ids", tokens_at, dtype=narrowest(len(vocab)), maps=type_maps),
        "doc_starts": doc_starts,
        "char_starts": joined("char_starts", tokens_at),
        "char_ends": joined("char_ends", tokens_at, dtype=np.int32, source=derived),
    }
    for unit in ("sentence", "paragraph"):
        at = counts[f"{unit}s"]
        fields[unit] = joined(unit, tokens_at, dtype=np.int32, offsets=at[:-1], source=derived)
        fields[f"{unit}_spans"] = joined(f"{unit}_spans", at)
        fields[f"{unit}_doc"] = joined(f"{unit}_doc", at, dtype=narrowest(n_docs), offsets=docs_at[:-1])
    tokens = Tokens(vocab=vocab, **fields)
    norm_at = np.concatenate([[0], np.cumsum([len(a["index_offsets"]) - 1 for a in arrays])])
    if norm_at[-1] != len(top["norm_map"]):
        raise ValueError("norm maps do not match the partitions' indexes")
    norm_maps = [top["norm_map"][norm_at[i] : norm_at[i + 1]] for i in range(len(arrays))]
    positions = PartitionedPositions(top["index_offsets"], norm_maps, [_index_positions(a) for a in arrays], tokens_at[:-1])
    tokens.__dict__["index"] = (top["index_offsets"], positions)
    return tokens


def _index_positions(arrays: dict) -> GapCodedPositions:
    """The positions half of a partition's inverted index, decoded when read."""
    offsets, byte_offsets, data = arrays["index_offsets"], arrays["index_gap_offsets"], arrays["index_gaps"]
    if len(byte_offsets) != len(offsets) or int(byte_offsets[-1]) != len(data):
        raise ValueError("index gaps do not match the index offsets")
    return GapCodedPositions(offsets, byte_offsets, data)


class _PartitionedLines:
    """``DocumentLines`` of several partitions, as one. Their ids and metadata are joined
    (packed, as each partition's were) and held here only: the partitions' own are dropped."""

    def __init__(self, parts: list, doc_starts: np.ndarray):
        self.parts, self.starts = parts, [int(s) for s in doc_starts]
        self.doc_ids = PackedNames.joined([part.doc_ids for part in parts])
        self.metadata = SharedRows.joined([part.metadata for part in parts])
        for part in parts:
            part.doc_ids = part.metadata = None

    def __len__(self) -> int:
        return self.starts[-1]

    def __getitem__(self, doc: int) -> dict:
        part = bisect_right(self.starts, doc) - 1
        return self.parts[part][doc - self.starts[part]]

    def all(self) -> list[dict]:
        return [entry for part in self.parts for entry in part.all()]


class _PartitionedTexts:
    """``Corpus.text`` over the ``_BlockTexts`` of several partitions."""

    def __init__(self, parts: list, doc_starts: np.ndarray):
        self.parts, self.starts = parts, [int(s) for s in doc_starts]

    def __call__(self, doc: int) -> str:
        part = bisect_right(self.starts, doc) - 1
        return self.parts[part](doc - self.starts[part])


def _derived_arrays(folder: Path, arrays: dict[str, np.ndarray], form_lengths: np.ndarray, type_map=None) -> dict:
    """``char_ends``, ``sentence`` and ``paragraph`` of ``Tokens`` (of one partition: its local
    ids index ``form_lengths``, or ``form_lengths[type_map]`` of the corpus' when a ``type_map``
    is given), derived from what the snapshot stores (``core.derived``), or memory-mapped where
    it stores them per token."""
    n_tokens = len(arrays["ids"])
    derived = {
        "char_ends": TokenEnds(arrays["char_starts"], arrays["ids"], form_lengths, arrays["char_end_fix_positions"], arrays["char_end_fix_ends"], type_map=type_map)
    }
    for name in ("sentence", "paragraph"):
        if (folder / f"{name}.npy").exists():  # the first tokens could not give them (Assembler._add_units)
            derived[name] = map_array(folder / f"{name}.npy")
        else:
            derived[name] = RunNumbers(arrays[f"{name}_first"], n_tokens)
    return derived

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
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .config import Config, load_config
from .corpus import Corpus, Document, LazyDocuments, SkippedFile
from .errors import InputError, UnreadableFile
from .process import Shard, content_hash, process_file
from .quality import duplicate_groups
from .store import CacheUnreadable, FileTable, SnapshotOutdated, Store, default_cache_dir
from .tokens import Tokens

Progress = Callable[[int, int], None]

TOKEN_ARRAYS = (
    "ids",
    "doc_starts",
    "char_starts",
    "char_ends",
    "sentence",
    "paragraph",
    "sentence_spans",
    "sentence_doc",
    "paragraph_spans",
    "paragraph_doc",
    "norm_of_type",
    "index_offsets",
    "index_positions",
    "text_offsets",
)
PARALLEL_FROM_FILES = 40
_PREAD = hasattr(os, "pread")  # not on Windows


@dataclass
class LoadReport:
    """What ``load_corpus`` did: files read from disk, tokenised, and taken from the cache."""

    files: int = 0
    files_read: int = 0
    files_tokenized: int = 0
    from_snapshot: bool = False
    notices: list[str] = field(default_factory=list)


def load_corpus(
    paths: str | Path | Iterable[str | Path],
    config: Config | str | Path | None = None,
    *,
    cache_dir: str | Path | None = None,
    use_cache: bool = True,
    progress: Progress | None = None,
    workers: int | None = None,
) -> Corpus:
    """Read a corpus (folders, files, or both) into a ``Corpus``, through the cache.

    Parameters
    ----------
    paths : a folder (read recursively), a file, or a list of them.
    config : a ``Config``, the path of a YAML config, or ``None`` for the defaults.
    cache_dir : where the cache lives; default ``$PEERCORPUS_CACHE_DIR`` or ``~/.cache/peercorpus``.
    use_cache : ``False`` reads and tokenises everything and writes no cache.
    progress : called as ``progress(done, total)`` while files are tokenised.
    workers : processes for tokenising (default: the machine's cores, at most 8).

    Examples
    --------
    >>> corpus = load_corpus("corpora/peer-support")          # doctest: +SKIP
    >>> corpus.where(["genre=blog"]).doc_ids                   # doctest: +SKIP
    ['peer-workers-lived-experience-blog.txt']
    """
    from .io.discover import discover

    if not isinstance(config, Config):
        config = load_config(Path(config) if config else None)
    path_list = [Path(paths)] if isinstance(paths, (str, Path)) else [Path(p) for p in paths]
    if not path_list:
        raise InputError("no corpus path given")
    discovery = discover(path_list)
    skipped = [SkippedFile(str(path), reason) for path, reason in discovery.skipped]
    if not discovery.file_names:
        raise InputError(_nothing_to_read(path_list, skipped))

    store = Store(Path(cache_dir) if cache_dir else Path(config.cache_dir or default_cache_dir()))
    report = LoadReport(files=len(discovery.file_names))
    file_stats = discovery.stats
    sidecar_stats = sorted((str(path), *_stat(path)) for path in discovery.sidecars.values())
    corpus_key = _corpus_key(path_list, config)

    previous: dict[str, Any] = {}
    if use_cache:
        snapshot = store.current_snapshot(corpus_key)
        if snapshot is not None:
            try:
                manifest = store.read_manifest(snapshot)
                recorded = store.read_files(snapshot)
                if _unchanged(manifest, recorded, discovery.file_names, file_stats, sidecar_stats):
                    corpus = _open_snapshot(store, snapshot, manifest, skipped)
                    report.from_snapshot = True
                    corpus.load_report = report
                    return corpus
                recorded = store.read_files(snapshot, hashes=True)
                previous = {
                    name: (size, mtime, digest)
                    for name, (size, mtime), digest in zip(recorded.names, recorded.stats.tolist(), recorded.hashes)
                    if digest
                }
            except SnapshotOutdated:
                pass  # an upgrade, not a problem: the shards are still good
            except CacheUnreadable as problem:
                report.notices.append(f"cache at {snapshot} was unreadable ({problem}); rebuilding it")

    shards, hashes = _shards(discovery.files, file_stats, previous, store, config, use_cache, progress, workers, report, skipped)
    metadata = _sidecar_metadata(discovery, report.notices)
    corpus, arrays, json_files, texts = _assemble(discovery.files, shards, metadata, skipped)
    if use_cache:
        manifest = {
            "sidecars": [list(entry) for entry in sidecar_stats],
            "skipped": [asdict(s) for s in skipped],
            "inputs": [str(p) for p in path_list],
        }
        files = FileTable(list(discovery.file_names), file_stats, hashes)
        documents = [asdict(d) for d in corpus.documents]
        store.publish_snapshot(corpus_key, manifest, arrays, json_files, texts, files=files, documents=documents)
    corpus.load_report = report
    return corpus


def _nothing_to_read(paths: list[Path], skipped: list[SkippedFile]) -> str:
    where = ", ".join(str(p) for p in paths)
    if not skipped:
        return f"no documents found in {where} (supported: .txt .md .html .pdf .docx .csv .tsv .jsonl)"
    reasons = "; ".join(f"{Path(s.path).name}: {s.reason}" for s in skipped[:3])
    more = f" and {len(skipped) - 3} more" if len(skipped) > 3 else ""
    return f"no readable documents in {where}: {len(skipped)} files skipped ({reasons}{more})"


def _stat(path: Path) -> tuple[int, int]:
    try:
        info = path.stat()
    except OSError:
        return (-1, -1)
    return (info.st_size, info.st_mtime_ns)


def _corpus_key(paths: list[Path], config: Config) -> str:
    resolved = sorted(str(p.resolve()) for p in paths)
    payload = json.dumps({"paths": resolved, "settings": config.stream_key()})
    return hashlib.sha256(payload.encode()).hexdigest()[:24]


def _unchanged(manifest: dict, recorded: FileTable, file_names, file_stats, sidecar_stats) -> bool:
    """True when the same files (and sidecars) are there with the size and mtime the
    snapshot recorded: any file changed, added or removed means a rebuild."""
    if recorded.names != file_names or [list(e) for e in sidecar_stats] != manifest.get("sidecars"):
        return False
    from itertools import chain

    current = np.fromiter(chain.from_iterable(file_stats), dtype=np.int64, count=2 * len(file_stats))
    return bool(np.array_equal(current.reshape(-1, 2), recorded.stats))


def _shards(files, file_stats, previous, store, config, use_cache, progress, workers, report, skipped):
    """One shard per file (``None`` for unreadable ones), from the cache or tokenised now."""
    settings_key = config.stream_key()
    shards: list[Shard | None] = [None] * len(files)
    hashes: list[str | None] = [None] * len(files)
    todo: list[int] = []
    for index, ((path, _root), stat) in enumerate(zip(files, file_stats)):
        entry = previous.get(str(path))
        if entry and entry[:2] == stat:
            digest = entry[2]
        else:
            try:
                digest = content_hash(path.read_bytes())
            except OSError as error:
                skipped.append(SkippedFile(str(path), f"cannot read: {error.strerror or error}"))
                continue
            report.files_read += 1
        hashes[index] = digest
        shard = store.load_shard(settings_key, digest) if use_cache else None
        if shard is None:
            todo.append(index)
        else:
            shards[index] = shard
    items = [(files[i][0], files[i][1], hashes[i]) for i in todo]
    results = _tokenize_files(items, config, progress, workers)
    for index, result in zip(todo, results):
        path = files[index][0]
        if isinstance(result, str):
            skipped.append(SkippedFile(str(path), result))
            hashes[index] = None
            continue
        shards[index] = result
        report.files_tokenized += 1
        report.notices.extend(f"{path}: {w}" for doc in result.documents for w in doc["warnings"] if _is_notice(w))
    if use_cache:
        store.save_shards(settings_key, [(hashes[i], shards[i]) for i in todo if shards[i] is not None])
    report.files_read += len(todo)
    return shards, hashes


def _is_notice(warning: str) -> bool:
    """A reader's warning worth a line when the file is read, not only in ``info``: the text
    differs from the bytes (another encoding, bytes replaced) or lines of the file were dropped.

    >>> _is_notice("skipped lines 2, 5 (not a JSON object with a 'text' field)")
    True
    """
    return "UTF-8" in warning or warning.startswith("skipped line")


def _process_one(item: tuple[Path, Path, str], config: Config) -> Shard | str:
    """Tokenise one file; an unreadable file gives the reason as a string."""
    path, root, _digest = item
    try:
        shard = process_file(path, root, config)
    except UnreadableFile as problem:
        return problem.reason
    except Exception as error:  # a reader library failing on a corrupt file must not stop the corpus
        return f"could not be read ({type(error).__name__}: {error})"
    return shard


def _process_batch(batch, config: Config) -> list[Shard | str]:
    return [_process_one(item, config) for item in batch]


def _tokenize_files(items, config: Config, progress: Progress | None, workers: int | None):
    """Tokenise files, in worker processes when there are many (results in input order)."""
    total = len(items)
    workers = workers or min(os.cpu_count() or 1, 8)
    if total < PARALLEL_FROM_FILES or workers < 2:
        results = []
        for done, item in enumerate(items, start=1):
            results.append(_process_one(item, config))
            if progress:
                progress(done, total)
        return results
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from .tokenize import sentence_splitter, word_tokenizer

    # Load NLTK once in the parent so forked workers share it instead of importing it again.
    sentence_splitter(), word_tokenizer(config.tokenize.tokenizer)
    size = max(1, min(20, total // (workers * 8) or 1))
    batches = [items[i : i + size] for i in range(0, total, size)]
    results: list[Shard | str] = []
    done = 0
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        for batch_result in pool.map(_process_batch, batches, [config] * len(batches)):
            results.extend(batch_result)
            done += len(batch_result)
            if progress:
                progress(done, total)
    return results


def _sidecar_metadata(discovery, notices: list[str]) -> dict[str, dict[str, Any]]:
    """Fields from metadata sidecars, keyed by the file path they describe; a notice for
    each sidecar that names files which do not exist (a typo, or a file moved away)."""
    from .io.metadata import read_sidecar

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


def _document_metadata(path: Path, root: Path, own: dict, sidecar: dict[str, dict]) -> dict[str, Any]:
    relative = path.relative_to(root) if path != root else Path(path.name)
    metadata: dict[str, Any] = {}
    if len(relative.parts) > 1:
        metadata["collection"] = relative.parts[0]
    metadata.update({k: v for k, v in own.items() if v is not None and v != ""})
    metadata.update(sidecar.get(str(path), {}))
    return metadata


def _assemble(files, shards, sidecar, skipped):
    """Join shards into one corpus-wide ``Tokens`` with one vocabulary, plus snapshot data."""
    lookup: dict[str, int] = {}
    parts: dict[str, list[np.ndarray]] = {name: [] for name in ("ids", "starts", "ends", "sentence", "paragraph", "sentence_spans", "paragraph_spans", "sentence_doc", "paragraph_doc")}
    documents: list[Document] = []
    doc_lengths: list[int] = []
    texts: list[bytes] = []
    sentence_base = paragraph_base = 0
    for (path, root), shard in zip(files, shards):
        if shard is None:
            continue
        mapping = np.fromiter((lookup.setdefault(w, len(lookup)) for w in shard.vocab), dtype=np.int32, count=len(shard.vocab))
        a = shard.arrays
        token_edges = np.concatenate([[0], np.cumsum(a["doc_tokens"])])
        sentence_edges = np.concatenate([[0], np.cumsum(a["doc_sentences"])])
        paragraph_edges = np.concatenate([[0], np.cumsum(a["doc_paragraphs"])])
        byte_edges = np.concatenate([[0], np.cumsum(a["text_lengths"])])
        relative = path.relative_to(root).as_posix() if path != root else path.name
        for i, info in enumerate(shard.documents):
            t0, t1 = token_edges[i], token_edges[i + 1]
            s0, s1 = sentence_edges[i], sentence_edges[i + 1]
            p0, p1 = paragraph_edges[i], paragraph_edges[i + 1]
            doc_index = len(documents)
            parts["ids"].append(mapping[a["ids"][t0:t1]])
            parts["starts"].append(a["starts"][t0:t1])
            parts["ends"].append(a["ends"][t0:t1])
            parts["sentence"].append(a["sentence"][t0:t1] + sentence_base)
            parts["paragraph"].append(a["paragraph"][t0:t1] + paragraph_base)
            parts["sentence_spans"].append(a["sentence_spans"][s0:s1])
            parts["paragraph_spans"].append(a["paragraph_spans"][p0:p1])
            parts["sentence_doc"].append(np.full(s1 - s0, doc_index, dtype=np.int32))
            parts["paragraph_doc"].append(np.full(p1 - p0, doc_index, dtype=np.int32))
            sentence_base += int(s1 - s0)
            paragraph_base += int(p1 - p0)
            texts.append(bytes(a["text_bytes"][byte_edges[i] : byte_edges[i + 1]]))
            doc_lengths.append(int(t1 - t0))
            documents.append(
                Document(
                    doc_id=relative + info["suffix"],
                    path=str(path),
                    metadata=_document_metadata(path, root, info["metadata"], sidecar),
                    encoding=info["encoding"],
                    n_chars=info["n_chars"],
                    n_tokens=int(t1 - t0),
                    n_words=info["n_words"],
                    n_types=info["n_types"],
                    n_sentences=int(s1 - s0),
                    n_paragraphs=int(p1 - p0),
                    content_hash=info["text_hash"],
                    warnings=list(info["warnings"]),
                    cleaning=info["cleaning"],
                )
            )
    if not documents:
        raise InputError(_nothing_to_read([Path(f[1]) for f in files[:1]], skipped))
    for duplicate, original in duplicate_groups([d.content_hash for d in documents]).items():
        documents[duplicate].warnings.append(f"duplicate of {documents[original].doc_id}")

    vocab = list(lookup)
    doc_starts = np.zeros(len(documents) + 1, dtype=np.int64)
    np.cumsum(doc_lengths, out=doc_starts[1:])
    tokens = Tokens(
        vocab=vocab,
        ids=_join(parts["ids"], np.int32),
        doc_starts=doc_starts,
        char_starts=_join(parts["starts"], np.int32),
        char_ends=_join(parts["ends"], np.int32),
        sentence=_join(parts["sentence"], np.int32),
        paragraph=_join(parts["paragraph"], np.int32),
        sentence_spans=_join(parts["sentence_spans"], np.int32).reshape(-1, 2),
        sentence_doc=_join(parts["sentence_doc"], np.int32),
        paragraph_spans=_join(parts["paragraph_spans"], np.int32).reshape(-1, 2),
        paragraph_doc=_join(parts["paragraph_doc"], np.int32),
    )
    text_offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum([len(t) for t in texts], out=text_offsets[1:])
    blob = b"".join(texts)
    offsets, positions = tokens.index
    arrays = {
        "ids": tokens.ids,
        "doc_starts": tokens.doc_starts,
        "char_starts": tokens.char_starts,
        "char_ends": tokens.char_ends,
        "sentence": tokens.sentence,
        "paragraph": tokens.paragraph,
        "sentence_spans": tokens.sentence_spans,
        "sentence_doc": tokens.sentence_doc,
        "paragraph_spans": tokens.paragraph_spans,
        "paragraph_doc": tokens.paragraph_doc,
        "norm_of_type": tokens.norm_of_type,
        "index_offsets": offsets,
        "index_positions": positions,
        "text_offsets": text_offsets,
    }
    json_files = {"vocab": vocab, "norm_vocab": tokens.norm_vocab}
    corpus = Corpus(documents, tokens, _text_reader(np.frombuffer(blob, dtype=np.uint8), text_offsets), skipped)
    return corpus, arrays, json_files, blob


def _join(chunks: list[np.ndarray], dtype) -> np.ndarray:
    return np.concatenate(chunks).astype(dtype, copy=False) if chunks else np.zeros(0, dtype=dtype)


def _text_reader(blob: np.ndarray, offsets: np.ndarray) -> Callable[[int], str]:
    def text_of(doc: int) -> str:
        return bytes(blob[offsets[doc] : offsets[doc + 1]]).decode("utf-8")

    return text_of


def _file_text_reader(handle, offsets: np.ndarray) -> Callable[[int], str]:
    """Texts read from the snapshot's file one document at a time: ``kwic`` touches a few
    thousand documents spread over 100 MB, and reading them (rather than memory-mapping)
    keeps the process from mapping most of the file."""
    descriptor = handle.fileno()
    bounds: list[int] = []

    def text_of(doc: int) -> str:
        if not bounds:  # Python ints once: indexing a memory map per call costs more
            bounds.extend(np.asarray(offsets).tolist())
        start, end = bounds[doc], bounds[doc + 1]
        if _PREAD:
            return os.pread(descriptor, end - start, start).decode("utf-8")
        handle.seek(start)
        return handle.read(end - start).decode("utf-8")

    text_of.handle = handle  # the file stays open as long as the reader exists
    return text_of


def _open_snapshot(store: Store, folder: Path, manifest: dict, skipped: list[SkippedFile]) -> Corpus:
    """A ``Corpus`` over a snapshot's memory-mapped arrays; documents are decoded when used."""
    arrays = store.load_arrays(folder, TOKEN_ARRAYS)
    vocab = store.load_json(folder, "vocab")
    lines = store.document_lines(folder)
    try:
        tokens = Tokens(
            vocab=vocab,
            **{name: arrays[name] for name in TOKEN_ARRAYS[:10]},
        )
        tokens.__dict__["_normalized"] = (arrays["norm_of_type"], store.load_json(folder, "norm_vocab"))
        tokens.__dict__["index"] = (arrays["index_offsets"], arrays["index_positions"])
        if len(lines):
            Document(**lines[0])  # the rest decode the same way, when used
        texts = open(folder / "texts.bin", "rb")  # kept open by the text reader
    except (TypeError, KeyError, OSError, ValueError) as error:
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
    return Corpus(documents, tokens, _file_text_reader(texts, arrays["text_offsets"]), recorded_skips + [s for s in skipped if s.path not in known])

"""The on-disk cache: per-file shards keyed by content, and per-corpus snapshots for fast loads.

Layout under the cache directory (no pickle anywhere: ``.npy`` arrays read with
``allow_pickle=False``, JSON, and flat shard files of raw numeric arrays, so a cache in a shared place cannot run code)::

    v3/shards/<settings>/<name>.pack, <name>.idx  tokens of files' contents, by content hash
    v3/snapshots/<corpus-key>/current              name of the complete snapshot folder
    v3/snapshots/<corpus-key>/<name>.packs.json    the shard packs its texts are read from (sizes, checksums)
    v3/snapshots/<corpus-key>/<name>/              manifest.json, vocab.json.z, *.npy, texts.bin (+ texts.dict),
                                                   files.txt.z (NUL-separated paths) + file_stats.npy
                                                   + file_hashes.txt.z, documents.jsonl.z (zlib blocks of 64
                                                   lines) + document_offsets.npy

Writers build in a temporary folder and publish with an atomic rename, so two commands
running at once never see (or leave) a half-written cache. Every file is flushed to disk
before the rename that publishes it, so a power cut leaves the old snapshot or the new one.
The manifest records each snapshot file's size and checksum: sizes are checked whenever a
snapshot is opened, checksums of its small files too (of all files by ``verify=True``), and
each shard in a pack carries its own checksum. A snapshot that is replaced is kept for
``RETIRE_SECONDS`` so commands that are opening it still can; builds and packs left by a
killed process (their lock is free) are removed by the next one.
"""

from __future__ import annotations

import bisect
import json
import math
import os
import re
import shutil
import stat
import tempfile
import time
import uuid
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar
from weakref import WeakValueDictionary

import numpy as np

from ..core.packed import PackedNames, SharedRows
from ..durable import sync
from ..errors import InputError
from . import deflate
from .shard import Shard, leaves_lines_out
from .shard_codec import compact_arrays, expand_arrays
from .snapshot import (
    DOCUMENT_BLOCK,
    DOCUMENTS,
    SNAPSHOT_FORMAT,
    STAT_FIELDS,
    SnapshotWriter,
    map_array,
    read_names,
)

# 2: a document's n_types counts distinct case-folded word forms (was: forms as written and
# punctuation), so shards and snapshots of format 1 are not read.
# 3: readers changed what they extract from the same bytes (.docx tables in document order,
# HTML page boilerplate named by class/id/role left out, Markdown without its markup and with
# front matter lists and booleans as text, as .jsonl rows and sidecars now give them too;
# PDF running headers/footers named in a warning).
# 6: compact shards (``PCSHARDC``, ``shard_codec``): derivable arrays left out, positions stored
# once as gaps, integers narrowed, zlib level 6; snapshots of format 4 (smaller, issue 18).
CACHE_FORMAT = 6
CACHE_ENV = "PEERCORPUS_CACHE_DIR"
RETIRE_SECONDS = 120  # how long a replaced snapshot stays for readers that are opening it
STALE_SECONDS = 60  # a build or pack this old whose lock is free was left by a killed process
PACK_ROLL_BYTES = 64 << 20  # a shard pack is published (and kept if the ingest is killed) at this size...
PACK_ROLL_SECONDS = 60.0  # ...or this age
PACKS_SUFFIX = ".packs.json"  # beside a snapshot folder: the shard packs it reads texts from (Store.text_packs)
_PACK_NAME = re.compile(r"[0-9a-f]+/[0-9a-f]+\.(?:pack|idx)")  # settings key/pack name, as ShardPack names them
VERIFY_BELOW = 2 << 20  # snapshot files smaller than this are checksummed on every open (lists, vocabularies)
_RETIRED = ".retired"


class CacheUnreadable(Exception):
    """A cache entry is missing, corrupt or from another format; it will be rebuilt."""


class SnapshotOutdated(CacheUnreadable):
    """A snapshot written by another version of peercorpus: rebuilt from the shards, quietly."""


def default_cache_dir() -> Path:
    """``$PEERCORPUS_CACHE_DIR``, else the user's cache folder (``~/.cache/peercorpus``)."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "peercorpus"


class Store:
    """One cache directory. ``Store(Path("/tmp/c")).shard_path("ab12...", "f00d")``."""

    def __init__(self, root: Path):
        self.root = Path(root) / f"v{CACHE_FORMAT}"
        self._indexes: dict[str, dict[str, tuple[str, int, int, str | None]]] = {}
        self._packs: dict[str, Any] = {}  # open pack files; a shard is read alone, not its whole pack
        self._left_out_keys: dict[str, list[str]] = {}  # the shards' keys with lines left out, sorted (cached_key)
        self._locators: dict[str, ShardLocator] = {}  # where shards are, packed (text_block_at)
        # the packs shards were read from or written to by this object (settings key/pack name):
        # a snapshot built with it may read its texts there (``text_pack_records``)
        self.packs_used: set[str] = set()

    # --- shards ----------------------------------------------------------------------
    # Shards are appended in packs (one file per batch of newly tokenised files, plus a small
    # JSON index naming each shard's offset): creating thousands of small files cost more
    # than tokenising them on this kind of file system.

    def _shard_folder(self, settings_key: str) -> Path:
        return self.root / "shards" / settings_key

    def _index_files(self, settings_key: str) -> list[Path]:
        """The shard packs' indexes, oldest first, so that a shard written again (its first copy
        was damaged) is read from its new copy."""
        folder = self._shard_folder(settings_key)
        return sorted(folder.glob("*.idx"), key=_written) if folder.is_dir() else []

    def forget_index(self, settings_key: str) -> None:
        """Read the shard packs' indexes again when next asked: packs were published since."""
        for held in (self._indexes, self._left_out_keys, self._locators):
            held.pop(settings_key, None)

    def _shard_index(self, settings_key: str) -> dict[str, tuple[str, int, int, str | None]]:
        if settings_key not in self._indexes:
            index: dict[str, tuple[str, int, int, str | None]] = {}
            for path in self._index_files(settings_key):
                try:
                    entries = json.loads(path.read_text(encoding="utf-8"))
                    index.update(
                        {digest: (path.stem + ".pack", int(e[0]), int(e[1]), str(e[2]) if len(e) > 2 else None) for digest, e in entries.items()}
                    )
                except (OSError, ValueError, TypeError, IndexError, KeyError, AttributeError):
                    continue  # an unreadable index only means those shards are tokenised again
            self._indexes[settings_key] = index
        return self._indexes[settings_key]

    def has_shard(self, settings_key: str, digest: str) -> bool:
        return digest in self._shard_index(settings_key)

    def cached_key(self, settings_key: str, digest: str) -> str | None:
        """The key of a cached shard of content ``digest``: one with lines left out when there is
        one (``shard.shard_key``: a file another corpus found boilerplate in, which this one
        likely repeats too; ``repeated.to_read_again`` reads it again if not), else the plain
        one; ``None`` when none is cached."""
        return _cached_key(self._shard_index(settings_key), self._left_out_sorted(settings_key), digest)

    def _left_out_sorted(self, settings_key: str) -> list[str]:
        """The keys of the cached shards with lines left out, sorted (references: 8 bytes a shard)."""
        keyed = self._left_out_keys.get(settings_key)
        if keyed is None:
            keyed = self._left_out_keys[settings_key] = sorted(filter(leaves_lines_out, self._shard_index(settings_key)))
        return keyed

    def shard_lookup(self, settings_key: str) -> ShardLookup:
        """Whether a content's shard is cached, as the cache is now, asked where files are hashed
        as they are read: a worker process forked from this one (``load._tokenize_files``)."""
        return ShardLookup(self._shard_index(settings_key), self._left_out_sorted(settings_key))

    def load_shard(self, settings_key: str, digest: str) -> Shard | None:
        """The cached shard, or ``None`` when absent or unreadable (it is then rebuilt)."""
        entry = self._shard_index(settings_key).get(digest)
        if entry is None:
            return None
        pack, offset, length, check = entry
        try:
            if pack not in self._packs:
                self._packs[pack] = open(self._shard_folder(settings_key) / pack, "rb")
            data = _read_at(self._packs[pack], offset, length)
            if len(data) != length or (check is not None and _checksum(data) != check):
                return None  # damaged: tokenised again
            shard = decode_shard(data)
            self.packs_used.add(f"{settings_key}/{pack}")
            shard.encoded = data  # kept: a spill (repeated lines) need not encode it again
            shard.source = f"{settings_key}/{digest}"  # where its text blocks are (text_block_at)
            return shard
        except (OSError, ValueError, KeyError, TypeError, IndexError, EOFError, json.JSONDecodeError):
            return None

    def text_pack_records(self, packs: set[str], known: dict[str, list] | None = None) -> dict[str, list]:
        """Size and checksum of the packs ``packs`` (settings key/pack name) and their indexes,
        by their path under the shard folder, kept beside a snapshot when it is published
        (``SnapshotWriter.text_packs``): the texts it reads there are checked as its own files
        are (``check_text_packs``). A published pack never changes, so one of the same size in
        ``known`` (the previous snapshot's records) keeps its checksum: a rebuild that keeps
        most partitions does not read every pack again.

        >>> Store(Path("/nonexistent")).text_pack_records({"ab/cd.pack"})
        {}
        """
        records: dict[str, list] = {}
        known = known or {}
        for name in sorted(packs):
            for path in (self.root / "shards" / name, (self.root / "shards" / name).with_suffix(".idx")):
                relative = path.relative_to(self.root / "shards").as_posix()
                try:
                    size = path.stat().st_size
                    earlier = known.get(relative)
                    records[relative] = list(earlier) if earlier and earlier[0] == size else [size, file_checksum(path)]
                except OSError:
                    continue  # gone meanwhile: its shards were not this snapshot's
        return records

    def text_packs(self, folder: Path) -> dict[str, list]:
        """What ``text_pack_records`` gave when snapshot ``folder`` was published, kept beside it
        (``<name>.packs.json``: which packs hold its texts depends on the cache, not on the corpus,
        so the snapshot's own files stay the same in every cache); ``{}`` when there is none."""
        try:
            recorded = json.loads((folder.parent / f"{folder.name}{PACKS_SUFFIX}").read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as error:
            raise CacheUnreadable(f"its list of shard packs is unreadable ({error})") from None
        if not isinstance(recorded, dict):
            raise CacheUnreadable("its list of shard packs is unreadable (not a mapping)")
        for name in recorded:  # only a pack or an index of the shard folder: nothing elsewhere is read
            if not _PACK_NAME.fullmatch(name):
                raise CacheUnreadable(f"its list of shard packs names {name[:80]!r}, not a shard pack")
        return recorded

    def check_text_packs(self, folder: Path, limit: int | None = VERIFY_BELOW) -> None:
        """``CacheUnreadable`` when a pack (or index) snapshot ``folder`` reads texts from is
        missing, has another size, or (when smaller than ``limit``; always when it is ``None``)
        another checksum than when the snapshot was published: rebuilt, rather than a text
        unreadable later."""
        recorded = self.text_packs(folder)
        if recorded:  # none: a snapshot without the cache's packs (or made before they were listed)
            check_snapshot_files(self.root / "shards", {"files": recorded}, limit=limit)

    def text_block_at(self, source: str) -> tuple[Path, int]:
        """The pack file and offset of the shard named ``source`` (``settings key/digest``, as a
        snapshot records where a document's text is); ``KeyError`` when no pack has it."""
        settings_key, _, key = source.partition("/")
        index = self._indexes.get(settings_key)
        if index is not None:  # held already (this process ingested the corpus): no second copy
            pack, offset, _length, _check = index[key]
        else:
            if settings_key not in self._locators:
                self._locators[settings_key] = ShardLocator(self._index_files(settings_key))
            pack, offset = self._locators[settings_key].find(key)
        return self._shard_folder(settings_key) / pack, offset

    def shard_pack(self, settings_key: str) -> ShardPack:
        """A new pack to add encoded shards to as they are made (``with store.shard_pack(key) as pack``)."""
        return ShardPack(self, settings_key)

    # --- snapshots -------------------------------------------------------------------

    def snapshot_home(self, corpus_key: str) -> Path:
        return self.root / "snapshots" / corpus_key

    def current_snapshot(self, corpus_key: str) -> Path | None:
        pointer = self.snapshot_home(corpus_key) / "current"
        try:
            name = pointer.read_text(encoding="utf-8").strip()
        except OSError:
            return None
        folder = self.snapshot_home(corpus_key) / name
        return folder if name and folder.is_dir() else None

    def read_manifest(self, folder: Path) -> dict[str, Any]:
        try:
            manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CacheUnreadable(f"manifest unreadable ({error})") from None
        if not isinstance(manifest, dict):
            raise CacheUnreadable("manifest unreadable (not a mapping)")
        if manifest.get("format") != SNAPSHOT_FORMAT:
            raise SnapshotOutdated(f"snapshot format {manifest.get('format')!r}, expected {SNAPSHOT_FORMAT}")
        check_snapshot_files(folder, manifest)
        self.check_text_packs(folder)
        return manifest

    def verify_snapshot(self, folder: Path, manifest: dict[str, Any]) -> None:
        """Every file's checksum, not only the small ones' (``CacheUnreadable`` if one differs)."""
        check_snapshot_files(folder, manifest, limit=None)
        self.check_text_packs(folder, limit=None)

    def begin_snapshot(self, corpus_key: str) -> SnapshotWriter:
        """A writer for a new snapshot, in a hidden staging folder until ``publish_snapshot``."""
        home = self.snapshot_home(corpus_key)
        home.mkdir(parents=True, exist_ok=True)
        _remove_stale(home, ".building-")
        _remove_stale(home, ".tmp-")
        writer = SnapshotWriter(Path(tempfile.mkdtemp(prefix=".building-", dir=home)), partitioned=True)
        writer.lock = _lock(writer.folder)  # held until published or discarded: not stale
        return writer

    def publish_snapshot(self, corpus_key: str, writer: SnapshotWriter) -> Path:
        """Move a closed writer's folder into place, then point ``current`` at it atomically."""
        home = self.snapshot_home(corpus_key)
        final = home / uuid.uuid4().hex
        _sync_folder(writer.folder)
        writer.folder.rename(final)
        writer.folder = final
        if writer.text_packs:
            with _atomic_file(home / f"{final.name}{PACKS_SUFFIX}") as handle:
                handle.write(json.dumps(writer.text_packs, sort_keys=True).encode("utf-8"))
        with _atomic_file(home / "current") as handle:
            handle.write(final.name.encode("utf-8"))
        (final / _RETIRED).unlink(missing_ok=True)  # marked by a command that ran in between
        _sync_folder(home)
        lock = getattr(writer, "lock", None)
        if lock is not None:
            os.close(lock)
            writer.lock = None
        self.retire_old_snapshots(corpus_key, keep=final.name)
        return final

    def load_arrays(self, folder: Path, names: tuple[str, ...]) -> dict[str, np.ndarray]:
        """Memory-map the snapshot's arrays (read-only, no pickle)."""
        try:
            return {name: map_array(folder / f"{name}.npy") for name in names}
        except (OSError, ValueError, EOFError) as error:
            raise CacheUnreadable(f"arrays unreadable ({error})") from None

    def read_files(self, folder: Path, *, hashes: bool = False) -> FileTable:
        """The files a snapshot was built from: paths (``PackedNames``), (size, mtime_ns, ctime_ns,
        inode), content hashes."""
        try:
            names = PackedNames(read_names(folder, "files.txt"))
            stats = np.load(folder / "file_stats.npy", allow_pickle=False)
            digests = list(PackedNames(read_names(folder, "file_hashes.txt"))) if hashes else []
        except (OSError, ValueError, EOFError) as error:
            raise CacheUnreadable(f"file list unreadable ({error})") from None
        if stats.shape != (len(names), STAT_FIELDS) or (hashes and len(digests) != len(names)):
            raise CacheUnreadable("file list inconsistent")
        return FileTable(names, stats, [d or None for d in digests])

    def document_lines(self, folder: Path) -> DocumentLines:
        """The snapshot's documents, decoded one at a time when asked for."""
        try:
            offsets = np.load(folder / "document_offsets.npy", allow_pickle=False)
            data = _map_file(folder / DOCUMENTS)
            doc_ids = PackedNames(read_names(folder, "doc_ids.txt"))
            distinct = json.loads((folder / "doc_metadata.json").read_text(encoding="utf-8"))
            of_doc = np.load(folder / "doc_metadata_of.npy", allow_pickle=False)
        except (OSError, ValueError, EOFError) as error:
            raise CacheUnreadable(f"documents unreadable ({error})") from None
        if offsets.ndim != 1 or len(offsets) < 1 or int(offsets[-1]) != len(data):
            raise CacheUnreadable("documents inconsistent")
        count = len(doc_ids)
        if len(offsets) - 1 != -(-count // DOCUMENT_BLOCK) or of_doc.shape != (count,) or not isinstance(distinct, list) or not all(isinstance(m, dict) for m in distinct):
            raise CacheUnreadable("documents inconsistent (ids or metadata)")
        if count and (int(of_doc.min()) < 0 or int(of_doc.max()) >= len(distinct)):
            raise CacheUnreadable("documents inconsistent (metadata)")
        return DocumentLines(data, offsets.astype(np.int64), doc_ids, SharedRows(distinct, of_doc), folder)

    def load_json(self, folder: Path, name: str) -> Any:
        """``name.json``, or ``name.json.z`` (zlib-compressed, ``SnapshotWriter.add_json``)."""
        try:
            packed = folder / f"{name}.json.z"
            if packed.exists():
                return json.loads(deflate.decompress(packed.read_bytes()).decode("utf-8"))
            return json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError, zlib.error) as error:
            raise CacheUnreadable(f"{name}.json unreadable ({error})") from None

    def retire_old_snapshots(self, corpus_key: str, keep: str | None = None) -> None:
        """Mark snapshots other than ``keep`` and the current one as retired, and delete
        those retired more than ``RETIRE_SECONDS`` ago: a command that read ``current`` just
        before it changed can still open what it names."""
        home = self.snapshot_home(corpus_key)
        current = self.current_snapshot(corpus_key)  # read again: another command may have published
        kept = {keep, current.name if current else None}
        try:
            entries = list(home.iterdir())
        except OSError:
            return
        now = time.time()
        for entry in entries:
            if entry.name.endswith(PACKS_SUFFIX) and not (home / entry.name[: -len(PACKS_SUFFIX)]).is_dir():
                entry.unlink(missing_ok=True)  # its snapshot deleted
                continue
            if entry.name in kept or entry.name.startswith(".") or not entry.is_dir():
                continue
            marker = entry / _RETIRED
            try:
                if now - marker.stat().st_mtime > RETIRE_SECONDS and not self._is_current(corpus_key, entry):
                    shutil.rmtree(entry, ignore_errors=True)
                    (home / f"{entry.name}{PACKS_SUFFIX}").unlink(missing_ok=True)
            except FileNotFoundError:
                try:
                    marker.touch()
                    if self._is_current(corpus_key, entry):  # published meanwhile: not retired
                        marker.unlink()
                except OSError:
                    pass
            except OSError:
                continue

    def _is_current(self, corpus_key: str, folder: Path) -> bool:
        current = self.current_snapshot(corpus_key)
        return current is not None and current.name == folder.name


class FileTable:
    """Document files as recorded in a snapshot: ``names`` (str; ``PackedNames`` when read back,
    whose ``data`` a warm load compares with the files found), ``stats`` (n × 4 int64: size,
    mtime_ns, ctime_ns, inode), ``hashes`` (content digest or ``None``; empty unless asked for)."""

    def __init__(self, names: Sequence[str], stats, hashes: list[str | None]):
        self.names, self.stats, self.hashes = names, stats, hashes


class DocumentLines:
    """One JSON object per document, decoded on demand: ``lines[i]`` → dict, ``lines.all()``;
    ``doc_ids`` and ``metadata`` (per document) are there without decoding any line, held packed
    (``core.packed``: ``PackedNames``, ``SharedRows``; they read as lists). The lines are stored
    in zlib blocks of ``DOCUMENT_BLOCK`` (``offsets``: where each block starts); the last block
    used stays decoded."""

    def __init__(self, data: bytes, offsets: np.ndarray, doc_ids: Sequence[str], metadata: Sequence[dict], folder: Path | None = None):
        self.data, self.offsets, self.doc_ids, self.metadata, self.folder = data, offsets, doc_ids, metadata, folder
        self.count = len(doc_ids)
        self._block: tuple[int, list[bytes]] = (-1, [])

    def __len__(self) -> int:
        return self.count

    def _unpack(self, block: int) -> bytes:
        try:
            return deflate.decompress(self.data[int(self.offsets[block]) : int(self.offsets[block + 1])])
        except zlib.error as error:
            raise InputError(f"the cached documents {block * DOCUMENT_BLOCK + 1}-{(block + 1) * DOCUMENT_BLOCK} are damaged ({error}); delete the cache folder {self.folder}") from None

    def _lines(self, block: int) -> list[bytes]:
        if self._block[0] != block:
            self._block = (block, self._unpack(block).split(b"\n")[:-1])
        return self._block[1]

    def __getitem__(self, i: int) -> dict:
        return json.loads(self._lines(i // DOCUMENT_BLOCK)[i % DOCUMENT_BLOCK])

    def first(self) -> dict:
        """Document 0, without keeping its block decoded (what opening a snapshot checks: a
        decoded block a partition, ~20 KB, held for nothing)."""
        return json.loads(self._unpack(0).split(b"\n", 1)[0])

    def all(self) -> list[dict]:
        """Every document at once (one JSON decode, faster than one per line)."""
        if not self.count:
            return []
        data = b"".join(self._unpack(block) for block in range(len(self.offsets) - 1))
        return json.loads(b"[" + data[:-1].replace(b"\n", b",") + b"]")


def _written(path: Path) -> tuple[int, str]:
    try:
        return path.stat().st_mtime_ns, path.name
    except OSError:
        return 0, path.name


def _map_file(path: Path):
    """The file's bytes, memory-mapped (read-only) so that only the pages used are read."""
    import mmap

    with open(path, "rb") as handle:
        if os.fstat(handle.fileno()).st_size == 0:
            return b""
        return mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)


def _read_at(handle, offset: int, length: int) -> bytes:
    if hasattr(os, "pread"):  # not on Windows
        return os.pread(handle.fileno(), length, offset)
    handle.seek(offset)
    return handle.read(length)


_SHARD_MAGIC = b"PCSHARD1"
#: A compressed shard: ``PCSHARDZ`` then the zlib-compressed ``PCSHARD1`` form (cache format 5).
_PACKED_MAGIC = b"PCSHARDZ"
#: A compact shard (cache format 6): ``PCSHARDC`` then, zlib-compressed (``deflate``), ``PCSHARD2``,
#: header length, JSON header, the arrays of ``shard_codec.compact_arrays`` (derivable arrays
#: left out, positions as gaps, the rest narrowed): BBC's shards take 0.9 of its text, were 2.2.
_COMPACT_MAGIC = b"PCSHARDC"
_COMPACT_INNER = b"PCSHARD2"
#: A shard with its texts apart (cache format 6): ``PCSHARDT``, the length of the compressed
#: ``PCSHARD2`` form without the texts, that form, then the texts in zlib blocks of consecutive
#: documents (``TEXT_BLOCK`` bytes or one document, whichever is more), each decompressible alone:
#: a snapshot reads a document's text from its shard's block instead of keeping a copy (``text_blocks``).
_TEXTS_APART_MAGIC = b"PCSHARDT"
TEXT_BLOCK = 64 * 1024


def encode_shard(shard: Shard, *, compress: bool = True, with_blocks: list | None = None) -> bytes:
    """``with_blocks``: a list to which the text blocks' ``(offset, length, first document,
    documents)`` are appended (what ``decode_shard`` gives as ``text_blocks``).

``PCSHARD2``, header length, JSON header (documents, vocab or ``null`` when its text gives
    it, array layout, what was left out), raw arrays; zlib-compressed behind ``PCSHARDC`` unless
    ``compress=False``. ``decode_shard`` reads the forms of earlier formats too.

    A flat format rather than ``.npz``: writing thousands of small zip files dominated a
    cold ingest.
    """
    stored, vocab, derived = compact_arrays(shard)
    header: dict[str, Any] = {"documents": shard.documents, "vocab": vocab, "derived": derived}
    if shard.left_out:  # absent (nothing left out) in every shard written before it existed
        header["left_out_lines"] = sorted(shard.left_out)
    blocks: list[bytes] = []
    if compress:
        text = np.asarray(stored.pop("text_bytes")).tobytes()
        header["text_blocks"] = []
        for first, stop, start, end in _text_groups(np.asarray(shard.arrays["text_lengths"], dtype=np.int64)):
            blocks.append(deflate.compress(text[start:end]))
            header["text_blocks"].append([stop - first, len(blocks[-1])])
    layout, chunks = [], []
    for name, array in stored.items():  # in order, each right after the one before
        array = np.ascontiguousarray(array)
        layout.append([name, array.dtype.str, *array.shape])
        chunks.append(array.tobytes())
    header["arrays"] = layout
    encoded_header = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    plain = b"".join([_COMPACT_INNER, len(encoded_header).to_bytes(8, "little"), encoded_header, *chunks])
    if not compress:
        return plain
    main = deflate.compress(plain)
    data = b"".join([_TEXTS_APART_MAGIC, len(main).to_bytes(8, "little"), main, *blocks])
    if with_blocks is not None:  # where each text block is, as decode_shard gives text_blocks
        at, first_doc = len(_TEXTS_APART_MAGIC) + 8 + len(main), 0
        for (n_docs, size), _block in zip(header["text_blocks"], blocks):
            with_blocks.append((at, size, first_doc, n_docs))
            at += size
            first_doc += n_docs
    return data


def _text_groups(lengths: np.ndarray):
    """``(first_doc, stop_doc, start_byte, end_byte)`` of consecutive documents whose texts make
    one block of at least ``TEXT_BLOCK`` bytes (the last may be smaller)."""
    ends = np.cumsum(lengths).tolist()
    first, start = 0, 0
    for doc, end in enumerate(ends):
        if end - start >= TEXT_BLOCK or doc == len(ends) - 1:
            yield first, doc + 1, start, end
            first, start = doc + 1, end


def decode_shard(data: bytes) -> Shard:
    """The inverse of ``encode_shard``; ``ValueError`` for anything that is not a shard. A shard
    with its texts apart gets ``text_blocks``: ``(offset in data, length, first document,
    documents)`` of each block."""
    if data.startswith(_TEXTS_APART_MAGIC):
        return _decode_texts_apart(data)
    for magic in (_COMPACT_MAGIC, _PACKED_MAGIC):
        if data.startswith(magic):
            try:
                data = deflate.decompress(data[len(magic) :])
            except zlib.error as error:
                raise ValueError(f"damaged compressed shard ({error})") from None
            break
    if not data.startswith((_SHARD_MAGIC, _COMPACT_INNER)):
        raise ValueError("not a peercorpus shard")
    length = int.from_bytes(data[8:16], "little")
    header = json.loads(data[16 : 16 + length].decode("utf-8"))
    body = memoryview(data)[16 + length :]
    arrays = _arrays_of(header, body, compact=data.startswith(_COMPACT_INNER))
    if data.startswith(_COMPACT_INNER):
        try:
            arrays, vocab = expand_arrays(arrays, header["vocab"], header["derived"])
        except UnicodeDecodeError as error:
            raise ValueError(f"damaged shard text ({error})") from None
        return Shard(documents=header["documents"], vocab=vocab, arrays=arrays, left_out=_left_out(header))
    return Shard(documents=header["documents"], vocab=header["vocab"], arrays=arrays)


def _decode_texts_apart(data: bytes) -> Shard:
    start = len(_TEXTS_APART_MAGIC) + 8
    end = start + int.from_bytes(data[len(_TEXTS_APART_MAGIC) : start], "little")
    try:
        plain = deflate.decompress(data[start:end])
    except zlib.error as error:
        raise ValueError(f"damaged compressed shard ({error})") from None
    if not plain.startswith(_COMPACT_INNER):
        raise ValueError("not a peercorpus shard")
    length = int.from_bytes(plain[8:16], "little")
    header = json.loads(plain[16 : 16 + length].decode("utf-8"))
    arrays = _arrays_of(header, memoryview(plain)[16 + length :], compact=True)
    texts, blocks, first_doc = [], [], 0
    for n_docs, size in header["text_blocks"]:
        try:
            texts.append(deflate.decompress(data[end : end + size]))
        except zlib.error as error:
            raise ValueError(f"damaged shard text ({error})") from None
        blocks.append((end, size, first_doc, n_docs))
        end += size
        first_doc += n_docs
    arrays["text_bytes"] = np.frombuffer(b"".join(texts), dtype=np.uint8)
    try:
        arrays, vocab = expand_arrays(arrays, header["vocab"], header["derived"])
    except UnicodeDecodeError as error:
        raise ValueError(f"damaged shard text ({error})") from None
    shard = Shard(documents=header["documents"], vocab=vocab, arrays=arrays, left_out=_left_out(header))
    shard.text_blocks = blocks
    return shard


def _left_out(header: dict) -> frozenset[int]:
    """The repeated lines a shard was read without (``Shard.left_out``), as its header lists them."""
    keys = header.get("left_out_lines", [])
    if not isinstance(keys, list) or not all(isinstance(key, int) for key in keys):
        raise ValueError("damaged shard header (left_out_lines)")
    return frozenset(keys)


def _arrays_of(header: dict, body, *, compact: bool) -> dict[str, np.ndarray]:
    arrays = {}
    if compact:
        offset = 0
        for name, dtype, *shape in header["arrays"]:
            dtype = np.dtype(dtype)
            nbytes = dtype.itemsize * math.prod(shape)
            if dtype.kind not in "iuf" or offset + nbytes > len(body):
                raise ValueError(f"bad array {name}")
            arrays[name] = np.frombuffer(body[offset : offset + nbytes], dtype=dtype).reshape(shape)
            offset += nbytes
    else:
        for name, (dtype, shape, offset, nbytes) in header["arrays"].items():
            if dtype.lstrip("<>|=")[0] not in "iuf" or offset + nbytes > len(body):
                raise ValueError(f"bad array {name}")
            arrays[name] = np.frombuffer(body[offset : offset + nbytes], dtype=np.dtype(dtype)).reshape(shape)
    return arrays


class ShardLookup:
    """Whether a shard of a content is in the cache (``Store.cached_key`` is not ``None``), from
    the cache's index as it was when the lookup was made: shards published since need not be
    known (tokenising a file again gives the same shard). Pickled as a token: a process forked from
    the one that made it (a local worker) answers from the index it inherited, read once; any other
    process finds nothing cached, and tokenises::

        lookup = store.shard_lookup(config.stream_key())
        lookup.has(content_hash(data))   # True: the shard can be read from the cache
    """

    _made: ClassVar[WeakValueDictionary[str, ShardLookup]] = WeakValueDictionary()

    def __init__(self, index: dict, left_out_keys: list[str]):
        self._index, self._left_out_keys = index, left_out_keys
        self.token = uuid.uuid4().hex
        ShardLookup._made[self.token] = self

    def has(self, digest: str) -> bool:
        return _cached_key(self._index, self._left_out_keys, digest) is not None

    def __reduce__(self):
        return _shard_lookup_of, (self.token,)


def _cached_key(index: dict, left_out_keys: list[str], digest: str) -> str | None:
    """``Store.cached_key`` in a shard index and its sorted keys with lines left out."""
    at = bisect.bisect_left(left_out_keys, f"{digest}+")
    if at < len(left_out_keys) and left_out_keys[at].startswith(f"{digest}+"):
        return left_out_keys[at]
    return digest if digest in index else None


def _shard_lookup_of(token: str) -> ShardLookup:
    """The ``ShardLookup`` a pickled token names: this process' (or the one it was forked from),
    else one that finds nothing cached."""
    return ShardLookup._made.get(token) or ShardLookup({}, [])


class ShardPack:
    """Encoded shards (``encode_shard``) appended to pack files as they come. A pack is published
    (renamed into place, then the index that names its shards written) when it reaches
    ``PACK_ROLL_BYTES`` or has been open ``PACK_ROLL_SECONDS``, and when the pack is closed —
    by an error or an interruption too (Ctrl-C, SIGTERM): every shard in it was written whole,
    so an interrupted ingest resumes from them. A process killed outright loses the shards of
    its open pack only; a pack without its index is never read."""

    def __init__(self, store: Store, settings_key: str):
        self.store, self.settings_key = store, settings_key
        self.entries: dict[str, list[int]] = {}
        self.size = 0
        self.published = 0  # shards in packs already published by this object
        self._file: _atomic_file | None = None
        self._opened = 0.0

    def add(self, digest: str, data: bytes) -> str:
        """Append one encoded shard; returns the name its text blocks are found by once its pack
        is published (``Store.text_block_at``)."""
        if self._file is None:
            folder = self.store._shard_folder(self.settings_key)
            folder.mkdir(parents=True, exist_ok=True)
            _remove_stale(folder, ".tmp-")
            pack = _atomic_file(folder / f"{uuid.uuid4().hex}.pack")
            self._handle = pack.__enter__()
            self._file = pack  # only once entered: __exit__ closes it
            self._opened = time.monotonic()
        self._handle.write(data)
        self.store.packs_used.add(f"{self.settings_key}/{self._file.path.name}")
        # recorded once written whole: an interruption inside write() leaves bytes no index names
        self.entries[digest] = [self.size, len(data), _checksum(data)]
        self.size += len(data)
        if self.size >= PACK_ROLL_BYTES or time.monotonic() - self._opened >= PACK_ROLL_SECONDS:
            self._publish()
        return f"{self.settings_key}/{digest}"

    def _publish(self) -> None:
        """The open pack, cut to its last whole shard, renamed into place with its index
        (neither is left behind if that fails)."""
        pack, entries, size = self._file, self.entries, self.size
        self._file, self.entries, self.size = None, {}, 0
        if pack is None:
            return
        try:
            self._handle.truncate(size)
            pack.__exit__(None, None, None)
            with _atomic_file(pack.path.with_suffix(".idx")) as handle:
                handle.write(json.dumps(entries).encode("utf-8"))
        except BaseException:
            self._handle.close()
            for leftover in (pack.temporary, pack.path):
                try:
                    os.unlink(leftover)
                except OSError:
                    pass
            raise
        self.published += len(entries)
        self.store.forget_index(self.settings_key)

    def __enter__(self) -> ShardPack:
        return self

    def __exit__(self, kind, value, traceback):
        if self._file is None:
            return False
        if kind is None:
            self._publish()
        elif self.entries:
            try:  # keep what was finished: the next ingest resumes from it
                self._publish()
            except (OSError, ValueError):
                pass  # the disk full, say: nothing kept, nothing half-written; the first error stands
        else:
            self._file.__exit__(kind, value, traceback)
            self._file = None
        return False


class _atomic_file:
    """Write to a temporary file beside ``path`` and rename it into place on success."""

    def __init__(self, path: Path):
        self.path = path

    def __enter__(self):
        descriptor, self.temporary = tempfile.mkstemp(prefix=".tmp-", dir=self.path.parent)
        _flock(descriptor)  # a temporary file whose lock is free was left by a killed process
        self.handle = os.fdopen(descriptor, "wb")
        return self.handle

    def __exit__(self, kind, value, traceback):
        try:
            if kind is None:
                self.handle.flush()
                sync(self.handle.fileno())
        finally:
            self.handle.close()
        if kind is None:
            os.replace(self.temporary, self.path)
        else:
            os.unlink(self.temporary)
        return False


def _checksum(data) -> str:
    """CRC-32: it finds damage (truncation, bit flips), 4× faster than a cryptographic hash;
    the cache is not a defence against someone who can write to it."""
    return f"{zlib.crc32(data):08x}"


class ShardLocator:
    """Where each shard of the packs' ``index_files`` is (its pack and offset), held as sorted
    arrays: what a warm command finds documents' texts with (``Store.text_block_at``), ~60 bytes a
    shard where the index as a dict took ~400 (about 350 MB at BBC x400, whose every text is read
    from its shard). ``index_files`` come oldest first (``Store._index_files``): a shard listed
    twice is found in the later one. An unreadable index is left out, as ``Store._shard_index``
    leaves it (its shards' texts: ``KeyError``)::

        locator = ShardLocator(store._index_files(settings_key))
        locator.find("9f86d081884c7d659a2feaa0c55ad015")   # ('2f1c….pack', 1048576)
    """

    KEY_BYTES = 49  # shard.shard_key: 32 hex digits, "+", 16 more

    def __init__(self, index_files: Sequence[Path]):
        self.packs: list[str] = []
        keys, pack_of, offsets = [np.zeros(0, dtype=f"S{self.KEY_BYTES}")], [np.zeros(0, dtype=np.int32)], [np.zeros(0, dtype=np.int64)]
        for path in index_files:
            try:
                entries = json.loads(path.read_text(encoding="utf-8"))
                rows = [(key, int(entry[0])) for key, entry in entries.items()
                        if isinstance(key, str) and 0 < len(key) <= self.KEY_BYTES and key.isascii() and "\0" not in key]
            except (OSError, ValueError, TypeError, IndexError, KeyError, AttributeError):
                continue
            keys.append(np.array([key.encode("ascii") for key, _ in rows], dtype=f"S{self.KEY_BYTES}"))
            offsets.append(np.array([offset for _, offset in rows], dtype=np.int64))
            pack_of.append(np.full(len(rows), len(self.packs), dtype=np.int32))
            self.packs.append(path.stem + ".pack")
        # One copy of the keys at a time besides the sorted one (S49: 47 MB at 950,000 shards;
        # built carelessly, the copies made this the peak of a warm `code` at BBC x400).
        all_keys = np.concatenate(keys)
        del keys
        order = np.argsort(all_keys, kind="stable")  # a key listed twice: the later index last
        sorted_keys = all_keys[order]
        del all_keys
        last = np.append(sorted_keys[1:] != sorted_keys[:-1], True) if len(order) else np.zeros(0, dtype=bool)
        if not last.all():
            order, sorted_keys = order[last], sorted_keys[last]
        self.keys, self.pack_of, self.offsets = sorted_keys, np.concatenate(pack_of)[order], np.concatenate(offsets)[order]

    def find(self, key: str) -> tuple[str, int]:
        """The pack (its file name) and offset of shard ``key``; ``KeyError`` when none has it."""
        try:
            wanted = key.encode("ascii")
        except UnicodeEncodeError:
            raise KeyError(key) from None
        at = int(np.searchsorted(self.keys, wanted))
        if len(wanted) > self.KEY_BYTES or at == len(self.keys) or self.keys[at] != wanted:
            raise KeyError(key)  # (a longer key is never held: keys are at most KEY_BYTES)
        return self.packs[int(self.pack_of[at])], int(self.offsets[at])


def file_checksum(path: Path) -> str:
    value = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            value = zlib.crc32(chunk, value)
    return f"{value:08x}"


def check_snapshot_files(folder: Path, manifest: dict[str, Any], limit: int | None = VERIFY_BELOW) -> None:
    """``CacheUnreadable`` when a file the manifest lists is missing, has another size, or (when
    smaller than ``limit``, or always when ``limit`` is ``None``) another checksum."""
    recorded = manifest.get("files")
    if not isinstance(recorded, dict) or not recorded:
        raise CacheUnreadable("manifest lists no files")
    for name, entry in recorded.items():
        if Path(name).is_absolute() or ".." in Path(name).parts:
            raise CacheUnreadable(f"the manifest names {name[:80]!r}, outside its folder")
        try:
            size, checksum = int(entry[0]), str(entry[1])
            status = os.stat(folder / name)
        except (OSError, ValueError, TypeError, IndexError) as error:
            raise CacheUnreadable(f"{name} missing ({error})") from None
        if not stat.S_ISREG(status.st_mode):  # a device or a pipe put there: never read (it may not end)
            raise CacheUnreadable(f"{name} is not a regular file")
        actual = status.st_size
        if actual != size:
            raise CacheUnreadable(f"{name} is {actual:,} bytes, {size:,} when written")
        if (limit is None or size < limit) and file_checksum(folder / name) != checksum:
            raise CacheUnreadable(f"{name} changed since it was written (checksum)")


def _flock(descriptor: int, *, wait: bool = True) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows: no stale-build detection
        return wait
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        return True
    except OSError:
        return False


def _lock(folder: Path) -> int | None:
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return None
    _flock(descriptor)
    return descriptor


def _remove_stale(folder: Path, prefix: str) -> None:
    """Remove ``prefix*`` entries of ``folder`` older than ``STALE_SECONDS`` that no live
    process holds locked (left by a process killed while it wrote them)."""
    now = time.time()
    try:
        entries = [e for e in os.scandir(folder) if e.name.startswith(prefix)]
    except OSError:
        return
    for entry in entries:
        try:
            if now - entry.stat(follow_symlinks=False).st_mtime < STALE_SECONDS:
                continue
            descriptor = os.open(entry.path, os.O_RDONLY)
        except OSError:
            continue
        try:
            if not _flock(descriptor, wait=False):
                continue  # a live writer holds it
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                os.unlink(entry.path)
        except OSError:
            pass
        finally:
            os.close(descriptor)


def _sync_folder(folder: Path) -> None:
    """Flush a folder's entries (new names, renames) to disk."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        sync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)

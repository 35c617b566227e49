"""Write a snapshot folder piece by piece, so that a cold ingest never holds the corpus in memory.

Arrays grow row by row in ``.npy`` files, texts and document lines are appended as they
come; what ``Store.document_lines`` and ``load_corpus`` read back is byte for byte what one
``np.save`` of the whole array would have written::

    writer = SnapshotWriter(Path(tempfile.mkdtemp()))
    writer.append("ids", np.array([0, 1, 0], dtype=np.int32))
    writer.append("ids", np.array([2], dtype=np.int32))
    writer.add_text(b"Peer support.")
    writer.add_document({"doc_id": "a.txt", "metadata": {}, ...})
    writer.rows("ids")[1:4]           # array([1, 0, 2], dtype=int32), read from the file
    writer.close(manifest={...}, files=FileTable(...))
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import shutil
import zlib
from array import array as int_array
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.lib import format as npy_format

from ..core.packed import PackedNames
from ..durable import sync
from . import deflate

# The snapshot layout's own version: a warm load decodes only what it needs (the file list as
# one string and a stats array, one JSON line per document shown), so it changes apart from shards.
# 3: files' (size, mtime_ns, ctime_ns, inode) recorded (was size and mtime: a file changed in
# place with its mtime put back was not noticed), and every file's size and checksum in the
# manifest, checked when the snapshot is opened.
# 4: a smaller snapshot (issue 18): ids and char_starts in the narrowest integer type that fits
# (uint16 below 65,536), sentence and paragraph numbers as each unit's first token, char_ends
# derived from the forms' lengths (exceptions listed), texts compressed in blocks and kept once (in
# the shard packs when there), vocabularies compressed; the layout chosen is in
# the manifest's "layout".
# 5: partitioned by documents (issue 18): ``part-NNNNN/`` folders of whole files, each with its own
# local vocabulary, arrays, index, texts and documents; the top folder holds the corpus vocabulary
# and the maps from each partition's ids to the corpus' (docs/ARCHITECTURE.md).
# 6: the inverted index's positions as LEB128 gaps (``index_gaps``, ``index_gap_offsets``;
# core/gaps.py), not 4-byte ``index_positions``: ~1.7 bytes a token (issue 18: the cache ≤ 3×).
SNAPSHOT_FORMAT = 6
#: The folder of partition ``number`` in a snapshot.
PARTITION_NAME = "part-{:05d}"
STAT_FIELDS = 4  # size, mtime_ns, ctime_ns, inode
_BUFFER = 1 << 20
#: Texts are stored once (issue 18): a document whose shard is in a pack is read from the
#: shard's own zlib block there (``store.encode_shard``: texts apart, in blocks of consecutive
#: documents); the others (no cache, files read again without their repeated lines) go into
#: the snapshot's ``texts.bin`` in zlib blocks of at least ``TEXT_BLOCK`` bytes. ``Corpus.text(i)``
#: decompresses one block.
TEXT_BLOCK = 32 * 1024
#: Where ``text_block_source`` 0 points: the snapshot's own blocks.
OWN_TEXTS = "texts.bin"


class SnapshotWriter:
    """One snapshot being written into ``folder`` (a staging folder until published)."""

    def __init__(self, folder: Path, *, partitioned: bool = False):
        self.folder = Path(folder)
        self.lock: int | None = None  # a descriptor locking the folder while it is written (Store)
        # the shard packs it reads texts from (Store.text_pack_records), kept beside it once published
        self.text_packs: dict[str, list] = {}
        self._arrays: dict[str, _GrowingArray] = {}
        # partitioned: the top folder of a format-5 snapshot, whose documents are in partitions
        # (``partition``); it holds corpus-wide arrays and lists only
        self.partitioned = partitioned
        self._children: list[SnapshotWriter] = []
        self._recorded: dict[str, list] = {}  # files of reused partitions: size and checksum as recorded
        if partitioned:
            self._texts = self._documents = None
            return
        self._texts = open(self.folder / OWN_TEXTS, "wb", buffering=_BUFFER)
        self._texts_size = 0
        self._text_sources: dict[str, int] = {OWN_TEXTS: 0}  # file → number (text_block_source)
        # Per block and per document, in flat arrays of int64 (issue 18: a tuple a document, with
        # its ints, took ~100 bytes more each; the parent's memory grew with the documents)
        self._blocks: dict[int, int] = {}  # source << 48 | offset → block number
        self._block_table = int_array("q")  # source, offset, length of each block
        self._doc_text = int_array("q")  # block, start, end of each document's text
        self._own_block: list[bytes] = []  # texts waiting for the next own block...
        self._own_docs: list[int] = []  # ...of these documents
        self._own_size = 0
        self._documents = open(self.folder / DOCUMENTS, "wb", buffering=_BUFFER)
        self._document_offsets = [0]  # of each block of DOCUMENT_BLOCK lines
        self._block: list[bytes] = []
        self._doc_ids = bytearray()  # every document's id, each ended by NUL (join_names)
        self._doc_id_ends = int_array("q")  # where each ends in _doc_ids
        self._metadata: dict[str, int] = {}  # distinct metadata (as JSON) → its number
        self._metadata_of = int_array("q")

    def append(self, name: str, rows: np.ndarray, dtype=None) -> None:
        """Append ``rows`` to array ``name`` (created by the first call, with its dtype and row shape)."""
        if name not in self._arrays:
            rows = np.asarray(rows, dtype=dtype)
            self._arrays[name] = _GrowingArray(self.folder / f"{name}.npy", rows.dtype, rows.shape[1:])
        self._arrays[name].append(rows)

    def rows(self, name: str) -> Rows:
        """Array ``name``, complete (no more rows can be appended), to read a slice at a time."""
        array = self._arrays[name]
        array.close()
        return Rows(self.folder / f"{name}.npy", array)

    def add_text(self, data: bytes, block: tuple[str, int, int, int] | None = None) -> None:
        """The next document's UTF-8 text ``data``; ``block``: where it already is, compressed —
        ``(the shard's name in the cache, settings key/digest; the block's offset in the shard;
        its length; where the text starts in the decompressed block)`` — so that it is not
        stored again."""
        if block is not None:
            source = self._text_sources.setdefault(block[0], len(self._text_sources))
            n_blocks = len(self._block_table) // 3
            number = self._blocks.setdefault(source << 48 | block[1], n_blocks)
            if number == n_blocks:
                self._block_table.extend((source, block[1], block[2]))
            self._doc_text.extend((number, block[3], block[3] + len(data)))
            return
        self._own_docs.append(len(self._doc_text) // 3)
        self._doc_text.extend((-1, self._own_size, self._own_size + len(data)))  # its block is to come
        self._own_block.append(bytes(data))
        self._own_size += len(data)
        if self._own_size >= TEXT_BLOCK:
            self._flush_own_block()

    def _flush_own_block(self) -> None:
        if not self._own_block:
            return
        packed = deflate.compress(b"".join(self._own_block))
        number = len(self._block_table) // 3
        self._block_table.extend((0, self._texts_size, len(packed)))
        for doc in self._own_docs:
            self._doc_text[3 * doc] = number
        self._texts.write(packed)
        self._texts_size += len(packed)
        self._own_block, self._own_docs, self._own_size = [], [], 0

    def peek(self, name: str) -> Rows:
        """Array ``name`` as written so far, to read while more rows may still come."""
        array = self._arrays[name]
        array.handle.flush()
        return Rows(self.folder / f"{name}.npy", array, array.rows)

    def narrow(self, name: str, dtype) -> None:
        """Rewrite the finished array ``name`` as ``dtype`` (values that fit, chosen once all are
        known), a slice at a time."""
        array = self._arrays[name]
        array.close()
        if np.dtype(dtype) == array.dtype:
            return
        path = self.folder / f"{name}.npy"
        narrowed = _GrowingArray(self.folder / f"{name}.narrowing", np.dtype(dtype), array.row_shape)
        source = Rows(path, array)
        for start in range(0, len(source), _NARROW_ROWS):
            narrowed.append(source[start : start + _NARROW_ROWS])
        narrowed.close()
        os.replace(self.folder / f"{name}.narrowing", path)
        self._arrays[name] = narrowed

    def add_document(self, entry: dict[str, Any]) -> None:
        """The next document's fields (``Document`` as a dict), one JSON line."""
        try:
            line = json.dumps(entry, ensure_ascii=False).encode("utf-8") + b"\n"
        except UnicodeEncodeError:  # a path that is not UTF-8: \udcxx escapes read back as written
            line = json.dumps(entry).encode("ascii") + b"\n"
        self._block.append(line)
        if len(self._block) == DOCUMENT_BLOCK:
            self._write_block()
        self._doc_ids += (entry["doc_id"] + "\0").encode("utf-8", "surrogateescape")
        self._doc_id_ends.append(len(self._doc_ids))
        metadata = json.dumps(entry["metadata"], ensure_ascii=False)
        self._metadata_of.append(self._metadata.setdefault(metadata, len(self._metadata)))

    def _write_block(self) -> None:
        packed = deflate.compress(b"".join(self._block))
        self._block = []
        self._documents.write(packed)
        self._document_offsets.append(self._document_offsets[-1] + len(packed))

    def add_json(self, name: str, value: Any, *, compress: bool = False) -> None:
        """``name.json``; ``compress``: ``name.json.z``, zlib-compressed (vocabularies:
        ``Store.load_json`` reads either)."""
        data = json.dumps(value, ensure_ascii=False).encode("utf-8")
        if compress:
            (self.folder / f"{name}.json.z").write_bytes(deflate.compress(data))
        else:
            (self.folder / f"{name}.json").write_bytes(data)

    @property
    def n_documents(self) -> int:
        return len(self._doc_id_ends)

    def doc_id(self, doc: int) -> str:
        """The id of document ``doc`` (added earlier)."""
        start = self._doc_id_ends[doc - 1] if doc else 0
        return self._doc_ids[start : self._doc_id_ends[doc] - 1].decode("utf-8", "surrogateescape")

    def partition(self, name: str) -> SnapshotWriter:
        """A writer for the partition folder ``name`` (``finish_partition`` when its documents
        are all added); discarded with this one."""
        folder = self.folder / name
        folder.mkdir()
        child = SnapshotWriter(folder)
        self._children.append(child)
        return child

    def reuse_partition(self, name: str, source: Path, recorded: dict[str, list]) -> None:
        """Partition ``name`` as it is in another snapshot's folder ``source`` (a published one):
        each file hard-linked (copied where links fail), its size and checksum as ``recorded``
        there (``name/file`` → ``[size, crc]``) — nothing is read again."""
        target = self.folder / name
        target.mkdir()
        try:
            for path in sorted(source.iterdir()):
                if not path.is_file():
                    continue
                try:
                    os.link(path, target / path.name)
                except OSError:
                    shutil.copyfile(path, target / path.name)
                self._recorded[f"{name}/{path.name}"] = recorded[f"{name}/{path.name}"]
        except (OSError, KeyError):  # the previous snapshot deleted meanwhile (retired), or damaged
            shutil.rmtree(target, ignore_errors=True)
            for key in [k for k in self._recorded if k.startswith(f"{name}/")]:
                del self._recorded[key]
            raise OSError(f"partition {source} could not be reused") from None

    def add_partition(self, recorded: dict[str, list]) -> None:
        """A partition folder written into this snapshot's by another process (a Dask worker,
        ``assemble.BuiltPartition``), its files' sizes and checksums as it ``recorded`` them
        (``partition_checksums``): not read again here."""
        self._recorded.update(recorded)

    def forget_recorded(self, name: str) -> None:
        """File ``name`` (``part-NNNNN/file``) of a reused partition was written anew: its size and
        checksum are taken when the snapshot is closed, not carried over."""
        self._recorded.pop(name, None)

    def remove_partition(self, name: str) -> None:
        """Partition ``name`` (reused, or written by another process) taken out again."""
        shutil.rmtree(self.folder / name, ignore_errors=True)
        for key in [k for k in self._recorded if k.startswith(f"{name}/")]:
            del self._recorded[key]

    def finish_partition(self) -> None:
        """Finish every file of this (partition) writer but the manifest and the file table."""
        self._finish_contents()

    def _finish_contents(self) -> None:
        for array in self._arrays.values():
            array.close()
        if self._texts is None or self._texts.closed:
            return
        self._flush_own_block()
        self._texts.close()
        if self._block:
            self._write_block()
        self._documents.close()
        save = self._save
        blocks = np.frombuffer(self._block_table, dtype=np.int64).reshape(-1, 3)
        doc_text = np.frombuffer(self._doc_text, dtype=np.int64).reshape(-1, 3)
        save("text_block_source", blocks[:, 0].astype(_narrowest(len(self._text_sources))))
        save("text_block_start", blocks[:, 1])
        save("text_block_length", blocks[:, 2].astype(_narrowest(int(blocks[:, 2].max(initial=0)))))
        save("text_block", doc_text[:, 0].astype(_narrowest(len(blocks))))
        inner = _narrowest(int(doc_text[:, 2].max(initial=0)))
        save("text_start", doc_text[:, 1].astype(inner))
        save("text_end", doc_text[:, 2].astype(inner))
        # the shards (settings key/digest) the texts are read from, by number (0: texts.bin)
        self.add_json("text_sources", [name for name, _ in sorted(self._text_sources.items(), key=lambda item: item[1])], compress=True)
        save("document_offsets", np.asarray(self._document_offsets, dtype=np.int64))
        save("doc_metadata_of", np.frombuffer(self._metadata_of, dtype=np.int64).astype(np.int32))
        # lists read whole when the snapshot is opened: compressed (read_names reads either form)
        (self.folder / "doc_ids.txt.z").write_bytes(deflate.compress(bytes(self._doc_ids)))
        (self.folder / "doc_metadata.json").write_text("[" + ",".join(self._metadata) + "]", encoding="utf-8")

    def close(self, *, manifest: dict[str, Any], files) -> None:
        """Finish every file; ``files`` is the ``FileTable`` freshness is checked against.
        The manifest is written last: a folder without one is not a snapshot."""
        self._finish_contents()
        for child in self._children:
            child._finish_contents()
        save = self._save
        save("file_stats", np.asarray(files.stats, dtype=np.int64).reshape(-1, STAT_FIELDS))
        (self.folder / "files.txt.z").write_bytes(deflate.compress(join_names(files.names)))
        (self.folder / "file_hashes.txt.z").write_bytes(deflate.compress(join_names([h or "" for h in files.hashes])))
        # Each file's size and checksum, then everything flushed to disk: a snapshot is whole,
        # and a damaged one is noticed (Store.read_manifest) and rebuilt.
        recorded = {}
        for path in sorted(self.folder.rglob("*")):
            name = path.relative_to(self.folder).as_posix()
            if path.is_file() and name != "manifest.json":
                recorded[name] = self._recorded.get(name) or [path.stat().st_size, _sync_and_checksum(path)]
        manifest_path = self.folder / "manifest.json"
        manifest_path.write_text(
            json.dumps({**manifest, "format": SNAPSHOT_FORMAT, "files": recorded}, ensure_ascii=False), encoding="utf-8"
        )
        _sync_and_checksum(manifest_path)

    def discard(self) -> None:
        """Close and delete everything written (after an error, or for a corpus not cached)."""
        for child in self._children:
            child.discard()
        for handle in [self._texts, self._documents, *(a.handle for a in self._arrays.values())]:
            if handle is not None:
                handle.close()
        shutil.rmtree(self.folder, ignore_errors=True)
        if self.lock is not None:
            os.close(self.lock)
            self.lock = None

    def _save(self, name: str, array: np.ndarray) -> None:
        np.save(self.folder / f"{name}.npy", array, allow_pickle=False)


class _GrowingArray:
    """An ``.npy`` file whose row count is filled in when it is closed.

    numpy pads every header so that the length of the first axis can grow in place
    (``GROWTH_AXIS_MAX_DIGITS``), so the final header is as long as the first one.
    """

    def __init__(self, path: Path, dtype: np.dtype, row_shape: tuple[int, ...]):
        self.dtype, self.row_shape, self.rows = dtype, row_shape, 0
        self.handle = open(path, "wb", buffering=_BUFFER)
        self.header_length = self.handle.write(self._header())

    def append(self, rows: np.ndarray) -> None:
        rows = np.ascontiguousarray(rows, dtype=self.dtype).reshape((-1, *self.row_shape))
        if rows.size:  # (a view of nothing cannot be cast to bytes)
            self.handle.write(memoryview(rows).cast("B"))
        self.rows += len(rows)

    def close(self) -> None:
        if self.handle.closed:
            return
        header = self._header()
        if len(header) != self.header_length:
            raise ValueError(f"{self.handle.name}: .npy header changed length")
        self.handle.seek(0)
        self.handle.write(header)
        self.handle.close()

    def _header(self) -> bytes:
        header = io.BytesIO()
        fields = {"descr": npy_format.dtype_to_descr(self.dtype), "fortran_order": False, "shape": (self.rows, *self.row_shape)}
        npy_format.write_array_header_1_0(header, fields)
        return header.getvalue()


class Rows:
    """The rows of a finished ``.npy`` file, read from the file slice by slice (``rows[a:b]``,
    ``len(rows)``): unlike a memory map, rows read are not kept in memory."""

    def __init__(self, path: Path, array: _GrowingArray, rows: int | None = None):
        self.path, self.array = path, array
        self._rows = rows  # fixed when read while rows are still appended (``peek``)

    def __len__(self) -> int:
        return self.array.rows if self._rows is None else self._rows

    def __getitem__(self, part: slice) -> np.ndarray:
        start, stop, _ = part.indices(len(self))
        row_bytes = self.array.dtype.itemsize * int(np.prod(self.array.row_shape))
        count = max(stop - start, 0) * int(np.prod(self.array.row_shape))
        data = np.fromfile(self.path, dtype=self.array.dtype, count=count, offset=self.array.header_length + start * row_bytes)
        return data.reshape((-1, *self.array.row_shape))


_NARROW_ROWS = 1 << 22
#: Documents' JSON lines are compressed in blocks of this many (``documents.jsonl.z``, block
#: offsets in ``document_offsets.npy``): BBC's take a quarter of their room so, and a document
#: decodes its block only.
DOCUMENT_BLOCK = 64
DOCUMENTS = "documents.jsonl.z"


#: The header ``np.save`` and ``_GrowingArray`` write (format 1.0) of a C-ordered array.
_NPY_HEADER = re.compile(rb"\{'descr': '([<>|=][a-zA-Z]\d*)', 'fortran_order': False, 'shape': \(((?:\d+, ?)*\d*)\), \} *\n")
_NPY_MAGIC = b"\x93NUMPY\x01\x00"


def map_array(path: Path) -> np.ndarray:
    """The ``.npy`` file at ``path`` memory-mapped read-only: ``np.load(path, mmap_mode="r",
    allow_pickle=False)`` (a ``np.memmap``), opening and parsing the file once where numpy
    opens it three times and parses its header twice (~110 µs an array here, ~30 µs so; a warm
    load maps 15 to 25 arrays a partition). Headers this module did not write go to numpy.
    A file shorter than its header says is a ``ValueError``, as with numpy::

        ids = map_array(folder / "ids.npy")     # memmap([0, 1, 0, 2], dtype=int32)
    """
    import mmap

    with open(path, "rb") as handle:
        head = handle.read(256)
        match = _NPY_HEADER.fullmatch(head, 10, 10 + int.from_bytes(head[8:10], "little")) if head.startswith(_NPY_MAGIC) else None
        if match is None:
            return np.load(path, mmap_mode="r", allow_pickle=False)
        dtype = np.dtype(match.group(1).decode("ascii"))
        shape = tuple(int(size) for size in match.group(2).split(b",") if size.strip())
        offset = match.end()
        size = math.prod(shape) * dtype.itemsize  # Python's integers: a damaged shape cannot overflow
        if size == 0 or dtype.hasobject:
            return np.load(path, mmap_mode="r", allow_pickle=False)
        if os.fstat(handle.fileno()).st_size < offset + size:
            raise ValueError(f"{path.name} is shorter than its header says")
        mapped = mmap.mmap(handle.fileno(), offset + size, access=mmap.ACCESS_READ)
    array = np.ndarray.__new__(np.memmap, shape, dtype=dtype, buffer=mapped, offset=offset, order="C")
    # what np.memmap sets: chunks.release_rows advises the map through ``_mmap``
    array._mmap, array.filename, array.offset, array.mode = mapped, os.path.abspath(path), offset, "r"
    return array


def read_names(folder: Path, name: str) -> bytes:
    """The bytes of list ``name`` (``files.txt``, ...), stored compressed (``name.z``) or not."""
    packed = folder / f"{name}.z"
    if packed.exists():
        try:
            return deflate.decompress(packed.read_bytes())
        except zlib.error as error:
            raise ValueError(f"{name} damaged ({error})") from None
    return (folder / name).read_bytes()


def _narrowest(largest: int) -> np.dtype:
    return np.dtype(np.uint16) if largest < 2**16 else np.dtype(np.int32) if largest < 2**31 else np.dtype(np.int64)


def _sync_and_checksum(path: Path) -> str:
    """Flush ``path`` to disk and return its checksum (CRC-32, as ``store.file_checksum``)."""
    value = 0
    with open(path, "rb+") as handle:
        while chunk := handle.read(1 << 20):
            value = zlib.crc32(chunk, value)
        sync(handle.fileno())
    return f"{value:08x}"


def partition_checksums(folder: Path, name: str) -> dict[str, list]:
    """The size and checksum of every file of partition folder ``folder``, flushed to disk, as
    the manifest records them under the name ``name`` (``name/file``: ``SnapshotWriter.close``)."""
    return {f"{name}/{path.name}": [path.stat().st_size, _sync_and_checksum(path)] for path in sorted(folder.iterdir()) if path.is_file()}


def join_names(names: Sequence[str]) -> bytes:
    """Names, each ended by NUL (which cannot occur in a path); surrogateescape keeps
    undecodable file names round-tripping. (``PackedNames`` hold them so already.)"""
    if isinstance(names, PackedNames):
        return bytes(names.data)
    return "".join(name + "\0" for name in names).encode("utf-8", "surrogateescape")


def split_names(data: bytes) -> list[str]:
    """The names ``join_names`` joined; a ``ValueError`` when the list was cut short.

    >>> split_names(join_names(["a.txt", "b/c.txt"]))
    ['a.txt', 'b/c.txt']
    """
    if data and not data.endswith(b"\0"):
        raise ValueError("truncated name list")
    return data.decode("utf-8", "surrogateescape").split("\0")[:-1]

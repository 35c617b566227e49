"""Join per-file shards, one at a time, into a corpus-wide snapshot with one vocabulary.

Each shard is recoded to the corpus vocabulary and written out as soon as it arrives, so
memory holds the vocabulary and a few numbers per document, not the corpus::

    assembler = Assembler(SnapshotWriter(folder), sidecar_metadata={})
    for (path, root), shard in zip(files, shards):
        assembler.add(path, root, shard)
    assembler.finish()          # vocabularies and the inverted index; False when no documents
"""

from __future__ import annotations

import bisect
import json
import os
import shutil
import zlib
from array import array as int_array
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import filterfalse, repeat
from pathlib import Path
from typing import Any

import numpy as np

from ..core.derived import RunNumbers
from ..core.gaps import encode_gaps
from ..core.tokens import index_offsets, index_positions, normalized_vocab
from ..io.base import relative_name
from . import deflate
from .shard import Shard
from .shard_codec import narrowest
from .snapshot import PARTITION_NAME, SnapshotWriter, join_names, split_names

# Positions of the inverted index made at a time (8 bytes each): the index of a large corpus is
# made in parts, each a pass over the token ids, so that memory does not grow with the corpus.
INDEX_PART = 1 << 23

# Token rows of shards gathered before they are written (one write per array for many small
# shards; at most this many tokens' rows, ~20 bytes each, wait in memory).
FLUSH_TOKENS = 1 << 18

# Arrays of a snapshot that grow shard by shard, with their dtypes as written (``ids``,
# ``char_starts`` and the units' first tokens are narrowed when the assembly is finished).
_GROWING = {
    "ids": np.int32,
    "char_starts": np.int32,
    "sentence_first": np.int64,
    "paragraph_first": np.int64,
    "char_end_fix_positions": np.int64,
    "char_end_fix_ends": np.int32,
    "sentence": np.int32,  # only when the first tokens cannot give it (RunNumbers)
    "paragraph": np.int32,
    "sentence_spans": np.int32,
    "sentence_doc": np.int32,
    "paragraph_spans": np.int32,
    "paragraph_doc": np.int32,
    "doc_starts": np.int64,
}
_DERIVE_ROWS = 1 << 22


def snapshot_layout(explicit: set[str]) -> dict[str, str]:
    """How a snapshot stores what ``Tokens`` reads, given the unit numbers stored per token::

        snapshot_layout({"sentence"})["sentence"]     # 'per token'
    """
    return {
        "sentence": "per token" if "sentence" in explicit else "first token of each sentence",
        "paragraph": "per token" if "paragraph" in explicit else "first token of each paragraph",
        "char_ends": "char_starts + form length, exceptions listed",
        "texts": "zlib blocks: the shard packs' (text_sources.json) or texts.bin",
        "index": "positions as LEB128 gaps within each form (index_gaps, index_gap_offsets)",
    }


class Assembler:
    """Adds shards, in corpus order, to a ``SnapshotWriter``."""

    def __init__(self, writer: SnapshotWriter, sidecar_metadata: dict[str, dict[str, Any]], *,
                 first_with_hash: dict | None = None, doc_base: int = 0, doc_id=None,
                 duplicate_of: Callable[[str, int], str | None] | None = None):
        self.writer, self.sidecar_metadata = writer, sidecar_metadata
        # ``duplicate_of(text_hash, doc)``: the id of the earlier document with the same text as
        # document ``doc`` (of this writer), or None; by default found here (``first_with_hash``),
        # on a Dask worker decided beforehand by the client (``PartitionPlanner``). (Not a bound
        # method kept on self: that cycle kept each finished partition's vocabulary until a GC.)
        self.duplicate_of = duplicate_of
        self.lookup: dict[str, int] = {}
        # the length of every form of ``lookup``, by its id: a form's length is taken once, when
        # it is first seen, not again in every file that uses it
        self.form_lengths = int_array("q")
        # text hash (as an int: a third of the room of its hex string) → the first document with it
        # (corpus-wide, shared by the partitions: ``doc_base`` is this one's first document, and
        # ``doc_id(doc)`` names any earlier document of the corpus)
        self.first_with_hash: dict[int, int] = {} if first_with_hash is None else first_with_hash
        self.doc_base = doc_base
        self.doc_id = doc_id or writer.doc_id
        self.n_tokens = self.n_sentences = self.n_paragraphs = 0
        self.largest_start = self.largest_span = 0
        self.explicit: set[str] = set()  # unit numbers stored per token (RunNumbers could not give them)
        writer.append("doc_starts", np.zeros(1, dtype=np.int64))
        for name in ("sentence_first", "paragraph_first", "char_end_fix_positions", "char_end_fix_ends"):
            writer.append(name, np.zeros(0, dtype=_GROWING[name]))
        self._pending: dict[str, list[np.ndarray]] = {name: [] for name in _GROWING}
        self._pending_tokens = 0

    def add(self, path: Path, root: Path, shard: Shard) -> None:
        """Append the documents of file ``path`` (found under ``root``)."""
        if not shard.documents:
            return
        a, write = shard.arrays, self._write
        doc_tokens, doc_sentences, doc_paragraphs = a["doc_tokens"], a["doc_sentences"], a["doc_paragraphs"]
        first_doc = self.writer.n_documents
        docs = np.arange(first_doc, first_doc + len(shard.documents), dtype=np.int32)
        # every form looked up once (at C speed), then the new ones numbered in the order the shard
        # lists them (a form listed twice, once): one dict look-up a form, not three
        vocab, lookup = shard.vocab, self.lookup
        mapping = np.fromiter(map(lookup.get, vocab, repeat(-1)), dtype=np.int32, count=len(vocab))
        unseen = np.flatnonzero(mapping < 0).tolist()
        if unseen:
            new = list(dict.fromkeys([vocab[i] for i in unseen]))
            lookup.update(zip(new, range(len(lookup), len(lookup) + len(new))))
            self.form_lengths.extend(map(len, new))
            mapping[unseen] = [lookup[vocab[i]] for i in unseen]
        ids = mapping[a["ids"]]
        # Sentence and paragraph numbers in a shard start at 0 in each document.
        sentence_base = self.n_sentences + np.cumsum(doc_sentences) - doc_sentences
        paragraph_base = self.n_paragraphs + np.cumsum(doc_paragraphs) - doc_paragraphs
        write("ids", ids)
        starts, ends = a["starts"], a["ends"]
        write("char_starts", starts)
        if len(starts):
            self.largest_start = max(self.largest_start, int(starts.max()))
            if int(starts.min()) < 0:
                self.largest_start = 2**31  # not expected; kept as int32 (narrowest() needs >= 0 for uint16)
        # char_ends are starts plus the form's length (a token is its text's substring); where
        # not, the end is listed
        differ = np.flatnonzero(ends.astype(np.int64) - starts != np.frombuffer(self.form_lengths, dtype=np.int64)[ids])
        if len(differ):
            write("char_end_fix_positions", self.n_tokens + differ)
            write("char_end_fix_ends", ends[differ])
        self._add_units("sentence", a["sentence"] + np.repeat(sentence_base, doc_tokens), self.n_sentences, int(doc_sentences.sum()))
        self._add_units("paragraph", a["paragraph"] + np.repeat(paragraph_base, doc_tokens), self.n_paragraphs, int(doc_paragraphs.sum()))
        write("sentence_spans", a["sentence_spans"].reshape(-1, 2))
        write("paragraph_spans", a["paragraph_spans"].reshape(-1, 2))
        for spans in (a["sentence_spans"], a["paragraph_spans"]):
            if spans.size:
                self.largest_span = max(self.largest_span, int(spans.max()), -int(spans.min()) * 2**31)
        write("sentence_doc", np.repeat(docs, doc_sentences))
        write("paragraph_doc", np.repeat(docs, doc_paragraphs))
        write("doc_starts", self.n_tokens + np.cumsum(doc_tokens))
        self.n_tokens += int(doc_tokens.sum())
        self.n_sentences += int(doc_sentences.sum())
        self.n_paragraphs += int(doc_paragraphs.sum())
        self._pending_tokens += len(a["ids"])
        if self._pending_tokens >= FLUSH_TOKENS:
            self._flush()

        relative_path = relative_name(path, root)
        relative = shown_name(relative_path)
        duplicate_of = self.duplicate_of or self._first_with_hash
        byte_edges = np.concatenate([[0], np.cumsum(a["text_lengths"])]).tolist()
        blocks = _text_blocks(shard, byte_edges)
        for i, info in enumerate(shard.documents):
            self.writer.add_text(a["text_bytes"][byte_edges[i] : byte_edges[i + 1]].tobytes(), blocks[i] if blocks else None)
            doc_id = relative + info["suffix"]
            warnings = list(info["warnings"])
            original = duplicate_of(info["text_hash"], first_doc + i)
            if original is not None:
                warnings.append(f"duplicate of {original}")
            # The fields of ``Document``, in its order.
            self.writer.add_document(
                {
                    "doc_id": doc_id,
                    "path": str(path),
                    "metadata": _document_metadata(path, relative_path, info["metadata"], self.sidecar_metadata),
                    "encoding": info["encoding"],
                    "n_chars": info["n_chars"],
                    "n_tokens": int(doc_tokens[i]),
                    "n_words": info["n_words"],
                    "n_types": info["n_types"],
                    "n_sentences": int(doc_sentences[i]),
                    "n_paragraphs": int(doc_paragraphs[i]),
                    "content_hash": info["text_hash"],
                    "warnings": warnings,
                    "cleaning": info["cleaning"],
                }
            )

    def _first_with_hash(self, text_hash: str, doc: int) -> str | None:
        doc += self.doc_base  # in the corpus (duplicates are found corpus-wide)
        original = self.first_with_hash.setdefault(_hash_key(text_hash), doc)
        return None if original == doc else self.doc_id(original)

    def _write(self, name: str, rows: np.ndarray) -> None:
        self._pending[name].append(rows)

    def _flush(self) -> None:
        for name, parts in self._pending.items():
            if parts:
                self.writer.append(name, parts[0] if len(parts) == 1 else np.concatenate(parts), _GROWING[name])
                parts.clear()
        self._pending_tokens = 0

    def _add_units(self, name: str, numbers: np.ndarray, first_unit: int, n_units: int) -> None:
        """The sentence (paragraph) numbers of a shard's tokens, stored as each unit's first
        token (``RunNumbers``); checked, and stored per token from here on if that does not give them."""
        first = self.n_tokens + np.searchsorted(numbers, np.arange(first_unit, first_unit + n_units), side="left")
        self._write(f"{name}_first", first)
        if name not in self.explicit:
            if given_by_first_tokens(numbers, first - self.n_tokens, first_unit):
                return
            self.explicit.add(name)
            self._flush()  # the first tokens so far, this shard's included, read back from the file
            before = RunNumbers(self.writer.peek(f"{name}_first")[:], self.n_tokens)
            self._write(name, np.zeros(0, dtype=np.int32))
            for start in range(0, self.n_tokens, _DERIVE_ROWS):
                self._write(name, before[start : min(start + _DERIVE_ROWS, self.n_tokens)])
        self._write(name, numbers)

    def finish(self) -> bool:
        """Write the vocabularies and the inverted index; ``False`` when no document was added."""
        self._flush()
        if not self.writer.n_documents:
            return False
        vocab = list(self.lookup)
        norm_of_type, norm_vocab = normalized_vocab(vocab)
        self.writer.add_json("vocab", vocab, compress=True)
        self.writer.add_json("norm_vocab", norm_vocab, compress=True)
        self.writer.append("norm_of_type", norm_of_type, narrowest(len(norm_vocab)))
        # The narrowest types that hold every value (uint16 ids below 65,536 forms, uint16
        # offsets when no document is 65,536 characters long): a warm reader indexes with them
        # as it did with int32 (see README "The cache").
        self.writer.narrow("ids", narrowest(len(vocab)))
        self.writer.narrow("char_starts", narrowest(self.largest_start))
        for name in ("sentence_first", "paragraph_first", "char_end_fix_positions"):
            self.writer.narrow(name, narrowest(self.n_tokens))
        for name in ("sentence_spans", "paragraph_spans"):
            self.writer.narrow(name, narrowest(self.largest_span))
        for name in ("sentence_doc", "paragraph_doc"):
            self.writer.narrow(name, narrowest(self.writer.n_documents))
        ids = self.writer.rows("ids")
        offsets = index_offsets(ids, norm_of_type, len(norm_vocab))
        self.writer.append("index_offsets", offsets, narrowest(self.n_tokens, -1))
        # the positions as LEB128 gaps (core/gaps.py: ~1.7 bytes a token, was 4; the largest
        # array of a snapshot, see README "The cache"); core.derived.GapCodedPositions reads them
        self.writer.append("index_gaps", np.zeros(0, dtype=np.uint8))
        byte_offsets = np.zeros(len(offsets), dtype=np.int64)
        for first, stop in _form_ranges(offsets, INDEX_PART):
            data, part_offsets = encode_gaps(index_positions(ids, norm_of_type, offsets, first, stop), offsets[first : stop + 1] - offsets[first])
            byte_offsets[first : stop + 1] = part_offsets + byte_offsets[first]
            self.writer.append("index_gaps", data)
        self.writer.append("index_gap_offsets", byte_offsets, narrowest(int(byte_offsets[-1])))
        return True

    def layout(self) -> dict[str, str]:
        """How the snapshot stores what ``Tokens`` reads (recorded in the manifest)."""
        return snapshot_layout(self.explicit)


#: A partition of a snapshot is cut (before the next file) once it holds this many tokens or
#: documents (``$PEERCORPUS_PARTITION_TOKENS`` / ``$PEERCORPUS_PARTITION_DOCUMENTS`` override them:
#: the tests force tiny partitions). 2²⁰ tokens is ~5 MB of text: a changed file re-assembles
#: that much (and reads again those of its files that hold a line repeated across the corpus),
#: every array of a partition stays far below 2³¹ entries, and each partition's own vocabulary
#: and index offsets cost ~0.15× its text. BBC×10 (50 MB), one file changed: 7.9 CPU-s at 2²⁰,
#: 25 s at 2²² (3 partitions), 54 s in one partition, cold ingest ~80 s (benchmarks/partition_bench.py).
PARTITION_TOKENS = 1 << 20
PARTITION_DOCUMENTS = 1 << 16


def cut_before(tokens: int, documents: int, limits: tuple[int, int]) -> bool:
    """Whether a partition holding ``tokens`` tokens and ``documents`` documents is finished
    before the next file that has documents (files without any join the partition they follow)."""
    return documents > 0 and (tokens >= limits[0] or documents >= limits[1])


def partition_limits() -> tuple[int, int]:
    """``(tokens, documents)`` at which a partition is cut."""

    def setting(name: str, default: int) -> int:
        try:
            return max(1, int(os.environ.get(name, default)))
        except ValueError:
            return default

    return setting("PEERCORPUS_PARTITION_TOKENS", PARTITION_TOKENS), setting("PEERCORPUS_PARTITION_DOCUMENTS", PARTITION_DOCUMENTS)


class PartitionedAssembler:
    """Adds shards, in corpus order, to the partitions of a ``SnapshotWriter(partitioned=True)``:
    each partition is a run of whole files assembled by its own ``Assembler`` (local vocabulary,
    arrays, index, texts, documents); ``finish`` writes what is corpus-wide (the vocabulary as
    the ordered merge of the local ones, the local → corpus maps, the index offsets)."""

    def __init__(self, writer: SnapshotWriter, sidecar_metadata: dict[str, dict[str, Any]], *, limits: tuple[int, int] | None = None,
                 reuse: dict[str | None, list[ReusedPartition]] | None = None, order: Iterable[str] = (),
                 line_keys: dict | None = None, rebuild=None):
        self.writer, self.sidecar_metadata = writer, sidecar_metadata
        # partitions of the previous snapshot kept as they are, by the name of the file they come
        # before (None: after the last); ``rebuild(reused)`` gives their files' shards when one
        # cannot be kept after all (a document's "duplicate of" changed). ``order``: every file's
        # name in corpus order, passed through as files are added, so that the partitions kept
        # before a file that is not added after all (unreadable now) come before the next one.
        self.reuse = {name: list(parts) for name, parts in (reuse or {}).items()}
        self._order = iter(order)
        self.rebuild = rebuild
        self.reused = self.rebuilt = 0
        # each file's short-line keys and document count as the repeated-lines pass counted them
        # (``load._without_repeated_lines``), kept per partition so that a later rebuild can
        # count them without reading the shards; None when lines are not looked for
        self.line_keys = line_keys
        self.tokens_limit, self.documents_limit = limits or partition_limits()
        self.first_with_hash: dict = {}
        self.lookup: dict[str, int] = {}  # the corpus vocabulary, first seen first
        self.parts: list[dict[str, Any]] = []  # the manifest's "partitions"
        self.names: list[Callable[[int], str]] = []  # each finished partition's doc_id(local)
        self.doc_bases = [0]  # first document of each partition (and the count after the last)
        self.token_bases = [0]
        self.explicit: set[str] = set()
        self._current: Assembler | None = None
        self._files: list[str] = []  # the files of the partition being assembled
        self.packs: set[str] = set()  # shard packs that partitions assembled elsewhere read (add_built)

    @property
    def n_documents(self) -> int:
        return self.doc_bases[-1] + (self._current.writer.n_documents if self._current else 0)

    def doc_id(self, doc: int) -> str:
        """The id of corpus document ``doc`` (added earlier)."""
        part = bisect.bisect_right(self.doc_bases, doc) - 1
        if part == len(self.names):
            return self._current.writer.doc_id(doc - self.doc_bases[part])
        return self.names[part](doc - self.doc_bases[part])

    def add(self, path: Path, root: Path, shard: Shard) -> None:
        """Append the documents of file ``path`` (found under ``root``), after the kept
        partitions that come before it."""
        self._insert_kept_up_to(str(path))
        self._add(path, root, shard)

    def _insert_kept_up_to(self, name: str) -> None:
        """The kept partitions planned before file ``name`` or before a file between the last
        one added and it (a file that could not be read now), inserted in their order."""
        if not self.reuse:
            return
        for passed in self._order:
            for reused in self.reuse.pop(passed, ()):
                self._insert(reused)
            if passed == name:
                return

    def _add(self, path: Path, root: Path, shard: Shard) -> None:
        current = self._current
        if current is not None and shard.documents and cut_before(current.n_tokens, current.writer.n_documents, (self.tokens_limit, self.documents_limit)):
            self._finish_partition()
            current = None
        if current is None:
            name = PARTITION_NAME.format(len(self.parts))
            current = self._current = Assembler(
                self.writer.partition(name), self.sidecar_metadata,
                first_with_hash=self.first_with_hash, doc_base=self.doc_bases[-1], doc_id=self.doc_id,
            )
        current.add(path, root, shard)
        self._files.append(str(path))

    def _insert(self, reused: ReusedPartition) -> None:
        """The previous snapshot's partition ``reused`` next: linked as it is, or assembled again
        from its files' shards when one of its documents is now (or no longer) a duplicate."""
        if self._current is not None:
            if self._current.writer.n_documents:
                self._finish_partition()
            else:  # files without documents only: nothing to keep
                self._current.writer.discard()
                self.writer._children.remove(self._current.writer)
                self._current, self._files = None, []
        base, entries = self.doc_bases[-1], reused.lines.all()
        ids = reused.lines.doc_ids
        same = True
        for j, entry in enumerate(entries):
            original = self.first_with_hash.setdefault(_hash_key(entry["content_hash"]), base + j)
            expected = [] if original == base + j else [f"duplicate of {ids[original - base] if original >= base else self.doc_id(original)}"]
            same = same and [w for w in entry["warnings"] if w.startswith("duplicate of ")] == expected
        if not same:
            self._assemble_again(reused)
            return
        name = PARTITION_NAME.format(len(self.parts))
        try:
            self.writer.reuse_partition(name, reused.folder, reused.recorded)
            local_vocab = reused.vocab()
        except (OSError, ValueError, zlib.error):  # gone (retired and deleted) or damaged: assembled again
            shutil.rmtree(self.writer.folder / name, ignore_errors=True)
            self._assemble_again(reused)
            return
        self.add_reused(name, reused, local_vocab)

    def add_reused(self, name: str, reused: ReusedPartition, local_vocab: list[str]) -> None:
        """The previous snapshot's partition ``reused``, linked into this snapshot as ``name``
        (``SnapshotWriter.reuse_partition``), next; ``local_vocab`` is its vocabulary."""
        self._add_part(name, local_vocab, {k: reused.record[k] for k in ("files", "documents", "tokens", "sentences", "paragraphs")}, reused.lines.doc_ids.__getitem__)
        self.reused += 1

    def _assemble_again(self, reused: ReusedPartition) -> None:
        """A partition of the previous snapshot that cannot be kept: its files' shards added."""
        self.rebuilt += 1
        if self.line_keys is not None:
            self.line_keys.update(reused.keys)
        for path, root, shard in self.rebuild(reused):
            self._add(path, root, shard)

    def _finish_partition(self) -> None:
        assembler, self._current = self._current, None
        record = finish_partition(assembler, self._files, self.line_keys)
        self._add_part(assembler.writer.folder.name, list(assembler.lookup), record, assembler.writer.doc_id)
        self.explicit |= assembler.explicit
        self._files = []

    def add_built(self, built: BuiltPartition) -> None:
        """The next partition, assembled elsewhere (by a Dask worker, ``cluster.assemble_task``)
        into this snapshot's folder: only its vocabulary is merged here. Its documents cannot be
        named by ``doc_id`` (their duplicates were decided beforehand: ``PartitionPlanner``)."""
        self.writer.add_partition(built.recorded)
        self.packs.update(built.packs)
        self._add_part(built.name, built.vocab, built.record, None)
        self.explicit |= built.explicit

    def _add_part(self, name: str, local_vocab: list[str], record: dict[str, Any], doc_id: Callable[[int], str]) -> None:
        """A finished (or reused) partition: its local vocabulary merged into the corpus'."""
        lookup = self.lookup
        new = list(filterfalse(lookup.__contains__, local_vocab))
        lookup.update(zip(new, range(len(lookup), len(lookup) + len(new))))
        if self.parts:  # the first partition's local ids are the corpus' (its vocabulary comes first)
            self.writer.append("type_map", np.fromiter(map(lookup.__getitem__, local_vocab), dtype=np.int32, count=len(local_vocab)), np.int32)
        self.parts.append({"name": name, **record, "types": len(local_vocab)})
        self.names.append(doc_id)
        self.doc_bases.append(self.doc_bases[-1] + record["documents"])
        self.token_bases.append(self.token_bases[-1] + record["tokens"])

    def add_kept_after_last(self) -> None:
        """The kept partitions that come after the last file added (or before files that were not
        added after all); ``finish`` calls it when it was not called."""
        for reused in [r for parts in self.reuse.values() for r in parts]:
            self._insert(reused)
        self.reuse = {}

    def finish(self) -> bool:
        """Write what is corpus-wide; ``False`` when no document was added."""
        self.add_kept_after_last()
        if self._current is not None:
            if not self._current.writer.n_documents and self.parts:
                # files without documents at the end: the last partition's
                self._current.writer.discard()
                self.writer._children.remove(self._current.writer)
                self._current = None
                self.extend_last(self._files)
            else:
                self._finish_partition()
        if not self.doc_bases[-1]:
            return False
        if len(self.parts) == 1:
            return True  # the partition's vocabulary and index are the corpus': nothing more to write
        vocab = list(self.lookup)
        norm_of_type, norm_vocab = normalized_vocab(vocab)
        self.writer.add_json("vocab", vocab, compress=True)
        self.writer.add_json("norm_vocab", norm_vocab, compress=True)
        self.writer.append("norm_of_type", norm_of_type, narrowest(len(norm_vocab)))
        type_maps = self.writer.rows("type_map")
        first_type = -self.parts[0]["types"]  # the first partition's map is not stored: identity
        counts = np.zeros(len(norm_vocab), dtype=np.int64)
        self.writer.append("norm_map", np.zeros(0, dtype=np.int32))
        for part in self.parts:
            folder = self.writer.folder / part["name"]
            type_map = type_maps[first_type : first_type + part["types"]] if first_type >= 0 else np.arange(part["types"])
            first_type += part["types"]
            local_norm = np.load(folder / "norm_of_type.npy", allow_pickle=False)
            local_offsets = np.load(folder / "index_offsets.npy", allow_pickle=False).astype(np.int64)
            norm_map = np.zeros(len(local_offsets) - 1, dtype=np.int32)
            norm_map[local_norm] = norm_of_type[type_map]
            self.writer.append("norm_map", norm_map)
            counts[norm_map] += np.diff(local_offsets)
        self.writer.append("index_offsets", np.concatenate([[0], np.cumsum(counts)]), narrowest(int(counts.sum()), -1))
        return True

    def extend_last(self, files: list[str]) -> None:
        """Files without documents after the last partition: listed as its files. Its file list
        is written anew, not through a link to the previous snapshot's (a kept partition)."""
        listed = self.writer.folder / self.parts[-1]["name"] / "files.txt.z"
        names = split_names(deflate.decompress(listed.read_bytes())) + files
        listed.unlink()
        self.writer.forget_recorded(f"{self.parts[-1]['name']}/files.txt.z")
        listed.write_bytes(deflate.compress(join_names(names)))
        self.parts[-1]["files"] += len(files)

    def layout(self) -> dict[str, str]:
        """How the snapshot stores what ``Tokens`` reads (recorded in the manifest)."""
        return {**snapshot_layout(self.explicit), "partitions": "part-NNNNN folders of whole files, local ids mapped by type_map.npy"}


def finish_partition(assembler: Assembler, files: list[str], line_keys: dict | None) -> dict[str, int]:
    """Finish the partition ``assembler`` made of ``files`` (its index, file list, its files'
    short-line keys when ``line_keys``, texts and documents); its record in the manifest. The
    one way a partition is finished, by ``PartitionedAssembler`` here and by ``assemble_partition``
    on a Dask worker."""
    assembler.finish()
    writer = assembler.writer
    (writer.folder / "files.txt.z").write_bytes(deflate.compress(join_names(files)))
    if line_keys is not None:
        found = [line_keys.get(name) for name in files]  # (kept: a second assembly may follow)
        writer.append("line_keys", np.concatenate([np.zeros(0, dtype=np.int64)] + [np.asarray(f[0], dtype=np.int64) for f in found if f is not None]), np.int64)
        writer.append("line_key_counts", np.array([len(f[0]) if f is not None else 0 for f in found], dtype=np.int64))
        writer.append("line_key_documents", np.array([f[1] if f is not None else 0 for f in found], dtype=np.int64))
    writer.finish_partition()
    return {
        "files": len(files), "documents": writer.n_documents, "tokens": assembler.n_tokens,
        "sentences": assembler.n_sentences, "paragraphs": assembler.n_paragraphs,
    }


@dataclass
class BuiltPartition:
    """What a partition assembled elsewhere tells the client (``PartitionedAssembler.add_built``):
    its manifest ``record``, local vocabulary, unit numbers stored per token (``explicit``), and
    every file's size and checksum (``recorded``: ``part-NNNNN/file`` → [size, crc]), and the
    shard packs it read (``packs``)."""

    name: str
    record: dict[str, int]
    vocab: list[str]
    explicit: set[str]
    recorded: dict[str, list]
    packs: list[str] = field(default_factory=list)  # shard packs its texts may be read from (Store.packs_used)


def assemble_partition(folder: Path, shards: Iterable[tuple[Path, Path, Shard]], sidecar_metadata: dict[str, dict[str, Any]], *,
                       duplicates: dict[int, str], line_keys: dict | None) -> tuple[dict[str, int], list[str], set[str]]:
    """One partition written into ``folder`` (which exists, empty) from its files' shards, in
    order, with the corpus-wide decisions made beforehand: which of its documents duplicate an
    earlier one (``duplicates``: local document → that one's id) and the files' short-line keys.
    Returns its manifest record, local vocabulary and unit numbers stored per token. What a
    Dask worker runs (``cluster.assemble_task``); the same ``Assembler`` and ``finish_partition``
    a local build uses, so the folder is the one a local build writes, byte for byte."""
    writer = SnapshotWriter(folder)
    try:
        assembler = Assembler(writer, sidecar_metadata, duplicate_of=lambda _text_hash, doc: duplicates.get(doc))
        files = []
        for path, root, shard in shards:
            assembler.add(path, root, shard)
            files.append(str(path))
        record = finish_partition(assembler, files, line_keys)
    except BaseException:
        writer.discard()
        raise
    return record, list(assembler.lookup), assembler.explicit


@dataclass
class FileFacts:
    """What the client needs of a file's shard to plan partitions without reading it (a Dask
    task sends it): tokens, each document's text hash and id suffix, the short-line keys (None
    when lines are not looked for), and where the shard is (``where``: the task's business)."""

    n_tokens: int
    text_hashes: list[str]
    suffixes: list[str]
    line_keys: np.ndarray | None
    where: Any = None
    left_out: frozenset[int] = frozenset()  # Shard.left_out

    @property
    def n_documents(self) -> int:
        return len(self.suffixes)

    @classmethod
    def of(cls, shard: Shard, where: Any = None, *, keys: bool = True) -> FileFacts:
        documents = shard.documents
        return cls(int(np.asarray(shard.arrays["doc_tokens"]).sum()), [d["text_hash"] for d in documents],
                   [d["suffix"] for d in documents], np.asarray(shard.arrays["line_keys"], dtype=np.int64) if keys else None, where,
                   shard.left_out)


@dataclass
class PlannedPartition:
    """A partition as ``PartitionPlanner`` cut it: its files (numbers given to ``add``) and
    which of its documents duplicate an earlier one (local document → that one's id); or, in a
    rebuild, a partition of the previous snapshot kept as it is (``reused``)."""

    name: str
    files: list[int] = field(default_factory=list)
    duplicates: dict[int, str] = field(default_factory=dict)
    reused: ReusedPartition | None = None


class PartitionPlanner:
    """The partitions a ``PartitionedAssembler`` would cut, and the "duplicate of" warnings it
    would give, from each file's ``FileFacts`` in corpus order (no shard read): what the client
    decides before Dask workers assemble the partitions (``cut_before``, the same rule).

    In a rebuild, ``reuse`` are the previous snapshot's partitions kept (``load._reuse_plan``:
    by the file they come before), placed as ``PartitionedAssembler`` places them; one whose
    documents' "duplicate of" changed cannot be kept: it is listed in ``reassemble`` unless its
    files are in ``again`` (``id(reused)`` → ``(number, name, facts, path)`` of each, in order),
    which are then planned as new files. Files without documents after a kept last partition
    join it (``trailing``: their numbers)."""

    def __init__(self, limits: tuple[int, int] | None = None, *, reuse: dict | None = None, again: dict | None = None):
        self.limits = limits or partition_limits()
        self.parts: list[PlannedPartition] = []
        self.first_with_hash: dict = {}
        self.n_documents = 0
        self._tokens = self._documents = 0  # of the last partition
        self._open = False  # the last partition takes more files (not a kept one)
        self._doc_ids = bytearray()  # every document's id, each ended by NUL (as SnapshotWriter)
        self._doc_id_ends = int_array("q")
        self.reuse = {name: list(parts) for name, parts in (reuse or {}).items()}
        self.again = again or {}
        self.reassemble: list[ReusedPartition] = []
        self.trailing: list[int] = []

    def add(self, number: int, name: str, facts: FileFacts, path: str | None = None) -> None:
        """File ``number`` (shown name ``name``: its documents' ids start with it; ``path``: its
        name, which kept partitions are placed by) next."""
        for reused in self.reuse.pop(path, ()):
            self._insert(reused)
        n_docs = len(facts.text_hashes)
        if not self._open or (n_docs and cut_before(self._tokens, self._documents, self.limits)):
            self.parts.append(PlannedPartition(PARTITION_NAME.format(len(self.parts))))
            self._tokens = self._documents = 0
            self._open = True
        part = self.parts[-1]
        part.files.append(number)
        for i, (text_hash, suffix) in enumerate(zip(facts.text_hashes, facts.suffixes)):
            doc = self.n_documents + i
            original = self.first_with_hash.setdefault(_hash_key(text_hash), doc)
            if original != doc:
                part.duplicates[self._documents + i] = self.doc_id(original)
            self._add_id(name + suffix)
        self.n_documents += n_docs
        self._documents += n_docs
        self._tokens += facts.n_tokens

    def _add_id(self, doc_id: str) -> None:
        self._doc_ids += (doc_id + "\0").encode("utf-8", "surrogateescape")
        self._doc_id_ends.append(len(self._doc_ids))

    def _insert(self, reused: ReusedPartition) -> None:
        """A kept partition next (``PartitionedAssembler._insert``'s decisions)."""
        if self._open:
            self._open = False
            if not self._documents:  # files without documents only: nothing to keep (as assembled)
                self.parts.pop()
        base, entries = self.n_documents, reused.lines.all()
        same = True
        for j, entry in enumerate(entries):
            original = self.first_with_hash.setdefault(_hash_key(entry["content_hash"]), base + j)
            expected = [] if original == base + j else [f"duplicate of {entries[original - base]['doc_id'] if original >= base else self.doc_id(original)}"]
            same = same and [w for w in entry["warnings"] if w.startswith("duplicate of ")] == expected
        again = self.again.get(id(reused))
        if again is not None:
            for number, name, facts, path in again:
                self.add(number, name, facts, path)
            return
        if not same:
            self.reassemble.append(reused)  # planned again once its files' facts are known
        for entry in entries:
            self._add_id(entry["doc_id"])
        self.n_documents += len(entries)
        self.parts.append(PlannedPartition(PARTITION_NAME.format(len(self.parts)), reused=reused))

    def doc_id(self, doc: int) -> str:
        start = self._doc_id_ends[doc - 1] if doc else 0
        return self._doc_ids[start : self._doc_id_ends[doc] - 1].decode("utf-8", "surrogateescape")

    def finish(self) -> list[PlannedPartition]:
        """The partitions (none when no file has documents)."""
        for reused in [r for parts in self.reuse.values() for r in parts]:  # after the last file added
            self._insert(reused)
        self.reuse = {}
        if self._open and len(self.parts) > 1 and not self._documents:  # files without documents at the end: the last partition's
            last = self.parts.pop()
            if self.parts[-1].reused is not None:
                self.trailing = last.files
            else:
                self.parts[-1].files += last.files
        return self.parts if self.n_documents else []


class ReusedPartition:
    """A partition of the previous snapshot that a rebuild keeps (``load._reuse_plan``): its
    ``folder``, manifest ``record``, files' sizes and checksums there (``recorded``, by the new
    snapshot's names once linked: ``name/file``), documents (``lines``), ``files`` (names), where
    they are now (``sources``: root and content hash of each) and their short-line keys (``keys``:
    name → (keys, documents))."""

    def __init__(self, folder: Path, record: dict, recorded: dict[str, list], lines, files: list[str], sources: list, keys: dict):
        self.folder, self.record, self.lines, self.files, self.sources, self.keys = folder, record, lines, files, sources, keys
        self._recorded = recorded

    @property
    def recorded(self) -> _Renamed:
        return _Renamed(self._recorded, self.folder.name)

    def vocab(self) -> list[str]:
        data = deflate.decompress((self.folder / "vocab.json.z").read_bytes())
        return json.loads(data.decode("utf-8"))


class _Renamed:
    """``recorded["<new name>/file"]`` → the previous manifest's ``"<old name>/file"``."""

    def __init__(self, recorded: dict[str, list], old: str):
        self.recorded, self.old = recorded, old

    def __getitem__(self, name: str) -> list:
        return self.recorded[f"{self.old}/{name.split('/', 1)[1]}"]


def _text_blocks(shard: Shard, byte_edges: list[int]) -> list[tuple[str, int, int, int]] | None:
    """Where each document's text is in the shard pack (``SnapshotWriter.add_text``'s ``block``),
    when the shard came from one with its texts apart; ``None`` otherwise."""
    source, blocks = getattr(shard, "source", None), getattr(shard, "text_blocks", None)
    if source is None or blocks is None:
        return None
    out = []
    for offset, size, first_doc, n_docs in blocks:
        for doc in range(first_doc, first_doc + n_docs):
            out.append((source, offset, size, byte_edges[doc] - byte_edges[first_doc]))
    return out if len(out) == len(shard.documents) else None


def given_by_first_tokens(numbers: np.ndarray, local_first: np.ndarray, first_unit: int) -> bool:
    """Whether ``RunNumbers`` gives back a shard's unit ``numbers`` (one a token) from its units'
    first tokens ``local_first`` (units ``first_unit`` on, each one's first token in ``numbers``
    as ``np.searchsorted(numbers, unit)`` finds it; units of earlier shards start before the
    shard). At once when the numbers run in order within those units — each token's unit is then
    the last that starts at or before it — else by deriving them.

    >>> numbers = np.array([5, 5, 6, 6, 6])
    >>> given_by_first_tokens(numbers, np.searchsorted(numbers, [5, 6]), 5)
    True
    >>> given_by_first_tokens(np.array([5, 6, 5]), np.array([0, 1]), 5)
    False
    """
    if not len(numbers):
        return True
    if first_unit <= numbers[0] and numbers[-1] < first_unit + len(local_first) and bool((numbers[1:] >= numbers[:-1]).all()):
        return True
    derived = np.maximum(np.searchsorted(local_first, np.arange(len(numbers)), side="right") - 1 + first_unit, 0)
    return np.array_equal(derived, numbers)


def _hash_key(text_hash: str) -> int | str:
    """A document's text hash (hex) as an int, the smaller key; as it is if it is not hex."""
    try:
        return int(text_hash, 16)
    except (TypeError, ValueError):
        return text_hash


def shown_name(name: str) -> str:
    """A file name as text: bytes that are not UTF-8 (kept by the OS as surrogates) shown as
    ``\\xe9``, so a document id can be printed and written to any output.

    >>> shown_name(b"caf\\xe9.txt".decode("utf-8", "surrogateescape"))
    'caf\\\\xe9.txt'
    """
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return name


def _form_ranges(offsets: np.ndarray, size: int):
    """Consecutive ranges ``(first, stop)`` of forms with at most ``size`` positions in all (or
    one form alone, when it has more).

    >>> list(_form_ranges(np.array([0, 2, 3, 9, 10]), 3))
    [(0, 2), (2, 3), (3, 4)]
    """
    first, n_forms = 0, len(offsets) - 1
    while first < n_forms:
        stop = int(np.searchsorted(offsets, offsets[first] + size, side="right")) - 1
        stop = min(max(stop, first + 1), n_forms)
        yield first, stop
        first = stop


def _document_metadata(path: Path, relative: str, own: dict, sidecar: dict[str, dict]) -> dict[str, Any]:
    metadata: dict[str, Any] = {}
    parts = relative.split("/")
    if len(parts) > 1:
        metadata["collection"] = parts[0]
    metadata.update({k: v for k, v in own.items() if v is not None and v != ""})
    metadata.update(sidecar.get(str(path), {}))
    return metadata

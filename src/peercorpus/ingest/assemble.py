"""Join per-file shards, one at a time, into a corpus-wide snapshot with one vocabulary.

Each shard is recoded to the corpus vocabulary and written out as soon as it arrives, so
memory holds the vocabulary and a few numbers per document, not the corpus::

    assembler = Assembler(SnapshotWriter(folder), sidecar_metadata={})
    for (path, root), shard in zip(files, shards):
        assembler.add(path, root, shard)
    assembler.finish()          # vocabularies and the inverted index; False when no documents
"""

from __future__ import annotations

from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np

from ..core.derived import RunNumbers
from ..core.tokens import index_offsets, index_positions, normalized_vocab
from ..io.base import relative_name
from .shard import Shard
from .shard_codec import narrowest
from .snapshot import SnapshotWriter

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


class Assembler:
    """Adds shards, in corpus order, to a ``SnapshotWriter``."""

    def __init__(self, writer: SnapshotWriter, sidecar_metadata: dict[str, dict[str, Any]]):
        self.writer, self.sidecar_metadata = writer, sidecar_metadata
        self.lookup: dict[str, int] = {}
        # text hash (as an int: a third of the room of its hex string) → the first document with it
        self.first_with_hash: dict[int, int] = {}
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
        # lists them (a form listed twice, once): one dict look-up a form, not three (ingestspeed)
        vocab, lookup = shard.vocab, self.lookup
        mapping = np.fromiter(map(lookup.get, vocab, repeat(-1)), dtype=np.int32, count=len(vocab))
        unseen = np.flatnonzero(mapping < 0).tolist()
        if unseen:
            new = list(dict.fromkeys([vocab[i] for i in unseen]))
            lookup.update(zip(new, range(len(lookup), len(lookup) + len(new))))
            mapping[unseen] = [lookup[vocab[i]] for i in unseen]
        # Sentence and paragraph numbers in a shard start at 0 in each document.
        sentence_base = self.n_sentences + np.cumsum(doc_sentences) - doc_sentences
        paragraph_base = self.n_paragraphs + np.cumsum(doc_paragraphs) - doc_paragraphs
        write("ids", mapping[a["ids"]])
        starts, ends = a["starts"], a["ends"]
        write("char_starts", starts)
        if len(starts):
            self.largest_start = max(self.largest_start, int(starts.max()))
            if int(starts.min()) < 0:
                self.largest_start = 2**31  # not expected; kept as int32 (narrowest() needs >= 0 for uint16)
        # char_ends are starts plus the form's length (a token is its text's substring); where
        # not, the end is listed
        form_lengths = np.fromiter(map(len, shard.vocab), dtype=np.int64, count=len(shard.vocab))
        differ = np.flatnonzero(ends.astype(np.int64) - starts != form_lengths[a["ids"]])
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
        byte_edges = np.concatenate([[0], np.cumsum(a["text_lengths"])]).tolist()
        blocks = _text_blocks(shard, byte_edges)
        for i, info in enumerate(shard.documents):
            self.writer.add_text(a["text_bytes"][byte_edges[i] : byte_edges[i + 1]].tobytes(), blocks[i] if blocks else None)
            doc_id = relative + info["suffix"]
            warnings = list(info["warnings"])
            original = self.first_with_hash.setdefault(_hash_key(info["text_hash"]), first_doc + i)
            if original != first_doc + i:
                warnings.append(f"duplicate of {self.writer.doc_id(original)}")
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
            # what RunNumbers gives these tokens: units of earlier shards start before them
            local_first = first - self.n_tokens
            derived = np.maximum(np.searchsorted(local_first, np.arange(len(numbers)), side="right") - 1 + first_unit, 0)
            if np.array_equal(derived, numbers):
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
        # the narrowest positions that fit (uint16 up to 65,536 tokens, int32 under 2³¹): the
        # largest array of a snapshot (see README "The cache"); query.py reads them as int64
        positions = narrowest(self.n_tokens)
        self.writer.append("index_positions", np.zeros(0, dtype=positions))
        for first, stop in _form_ranges(offsets, INDEX_PART):
            self.writer.append("index_positions", index_positions(ids, norm_of_type, offsets, first, stop))
        return True

    def layout(self) -> dict[str, str]:
        """How the snapshot stores what ``Tokens`` reads (recorded in the manifest)."""
        return {
            "sentence": "per token" if "sentence" in self.explicit else "first token of each sentence",
            "paragraph": "per token" if "paragraph" in self.explicit else "first token of each paragraph",
            "char_ends": "char_starts + form length, exceptions listed",
            "texts": "zlib blocks: the shard packs' (text_sources.json) or texts.bin",
        }


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

"""Counting over a corpus a chunk of documents at a time, so that memory stays flat whatever its size.

A counting analysis is split into a ``partial`` (counts over one chunk of whole documents)
and an exact ``merge`` of the partials, folded in chunk order::

    chunks = document_chunks(corpus)                 # about chunk_tokens() tokens each
    totals = run(WordCounts(mapping), corpus, chunks)  # merge(partial(c) for c in chunks)

The same objects run on another engine (``use_engine``: e.g. Dask workers each counting
their chunks, the client merging), so a partial carries its parameters and vocabulary-sized
arrays, never the corpus. A chunk's token arrays are copied out of the snapshot's memory
map and their pages released again (``read_rows``): touching every page of a 2 GB snapshot
through a map would otherwise count it all in the process' memory.

The chunk size follows the memory setting (``memory_mb``: ``--memory-mb``, config
``compute.memory_mb``, environment ``PEERCORPUS_MEMORY_MB``; 1024 by default).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Protocol

import numpy as np

from ..errors import UsageError
from .distinct import distinct

DEFAULT_MEMORY_MB = 1024
MEMORY_ENV = "PEERCORPUS_MEMORY_MB"
#: Chunks of exactly this many tokens (at most), whatever the memory setting: for tests.
CHUNK_TOKENS_ENV = "PEERCORPUS_CHUNK_TOKENS"
#: Working memory per token of a chunk that the heaviest counting pass needs (n-gram keys,
#: their sort and the per-document pairs; measured with tracemalloc on BBC: ≈ 90 bytes).
BYTES_PER_TOKEN = 120
#: What does not grow with a chunk: the interpreter and libraries, the vocabulary and its
#: views, the merged counts and the result table.
RESERVED_MB = 400
#: What a warm corpus holds per document whatever the chunk (its file's name and stats, its id,
#: metadata and sizes, the passes' per-document counts), past the ``DOCUMENTS_IN_RESERVE`` that
#: ``RESERVED_MB`` covers: taken from the memory before the chunk, so that a corpus of a million
#: documents gets smaller chunks, not more memory.
BYTES_PER_DOCUMENT = 400
DOCUMENTS_IN_RESERVE = 100_000
#: The smallest chunk worth its per-chunk overhead (vocabulary-sized count arrays).
MIN_CHUNK_TOKENS = 200_000
MIN_MEMORY_MB = 256

_memory_mb: int | str | None = None  # --memory-mb, or set_memory_mb() in Python
_memory_name = "memory_mb"
_config_memory_mb: int | None = None  # the config's compute.memory_mb


def check_memory_mb(value: Any, name: str = "memory_mb") -> int:
    """``value`` as a whole number of megabytes ≥ ``MIN_MEMORY_MB``, or a ``UsageError``."""
    try:
        number = int(str(value).strip())
    except ValueError:
        raise UsageError(f"{name} must be a whole number of megabytes (e.g. 1024); got '{value}'") from None
    if number < MIN_MEMORY_MB:
        raise UsageError(f"{name} must be at least {MIN_MEMORY_MB} (megabytes); got {number}")
    return number


def set_memory_mb(value: int | str | None, *, name: str = "memory_mb", check: bool = True) -> None:
    """Set the process-wide memory setting (``None``: back to the environment or default).
    ``check=False`` (the command line) defers the check to the first use, inside the
    command, so that a bad value is a one-line error naming ``name``."""
    global _memory_mb, _memory_name
    _memory_mb = None if value is None else (check_memory_mb(value, name) if check else value)
    _memory_name = name


def set_config_memory_mb(value: int | None) -> None:
    """The config's ``compute.memory_mb`` (weaker than ``--memory-mb`` and the environment)."""
    global _config_memory_mb
    _config_memory_mb = None if value is None else check_memory_mb(value, "compute.memory_mb")


def memory_mb() -> int:
    """The memory setting: ``--memory-mb`` (``set_memory_mb``), else ``PEERCORPUS_MEMORY_MB``,
    else the config's ``compute.memory_mb``, else 1024."""
    if _memory_mb is not None:
        return check_memory_mb(_memory_mb, _memory_name)
    if os.environ.get(MEMORY_ENV, "").strip():
        return check_memory_mb(os.environ[MEMORY_ENV], MEMORY_ENV)
    if _config_memory_mb is not None:
        return _config_memory_mb
    return DEFAULT_MEMORY_MB


def chunk_tokens(memory: int | None = None, documents: int = 0) -> int:
    """Tokens per chunk that keep a counting pass within ``memory`` MB (default: the setting)
    over a corpus of ``documents`` documents.

    >>> chunk_tokens(1024), chunk_tokens(1024, documents=1_000_000)
    (5200000, 2200000)
    """
    if memory is None and os.environ.get(CHUNK_TOKENS_ENV, "").strip():  # tests, benchmarks
        return max(1, int(os.environ[CHUNK_TOKENS_ENV]))
    memory = memory_mb() if memory is None else memory
    free = (memory - RESERVED_MB) * 1_000_000 - max(documents - DOCUMENTS_IN_RESERVE, 0) * BYTES_PER_DOCUMENT
    return max(MIN_CHUNK_TOKENS, free // BYTES_PER_TOKEN // 100_000 * 100_000)


@dataclass(frozen=True)
class Chunk:
    """Whole documents of a corpus: ``runs`` of consecutive documents ``(start, stop)``,
    ascending, and how many tokens they hold."""

    runs: tuple[tuple[int, int], ...]
    n_tokens: int

    @property
    def docs(self) -> np.ndarray:
        """The chunk's document indices, ascending."""
        if not self.runs:
            return np.zeros(0, dtype=np.int64)
        return np.concatenate([np.arange(a, b, dtype=np.int64) for a, b in self.runs])

    @property
    def n_docs(self) -> int:
        return sum(b - a for a, b in self.runs)


def document_chunks(corpus, max_tokens: int | None = None, *, docs=None) -> list[Chunk]:
    """The corpus' documents (or ``docs``, ascending) as consecutive chunks of at most
    ``max_tokens`` tokens (default ``chunk_tokens()``); a longer document is a chunk alone.

    >>> [c.runs for c in document_chunks(corpus, 10)]       # documents of 6, 3 and 12 tokens
    [((0, 2),), ((2, 3),)]

    Of a ``where`` view, the chunks are of its ``base`` (``Corpus.within``), which ``run`` reads.
    """
    if hasattr(corpus, "within"):
        corpus, docs = corpus.within(docs)
    tokens = corpus.tokens if hasattr(corpus, "tokens") else corpus
    doc_starts = np.asarray(tokens.doc_starts, dtype=np.int64)
    n_docs = len(doc_starts) - 1
    max_tokens = chunk_tokens(documents=n_docs) if max_tokens is None else int(max_tokens)
    if max_tokens < 1:
        raise UsageError(f"max_tokens must be at least 1; got {max_tokens}")
    docs = np.arange(n_docs, dtype=np.int64) if docs is None else distinct(np.asarray(docs, dtype=np.int64))
    if len(docs) == 0:
        return []
    lengths = doc_starts[docs + 1] - doc_starts[docs]
    before = np.concatenate([[0], np.cumsum(lengths)])  # tokens before each selected document
    chunks, first = [], 0
    while first < len(docs):
        # the last document that still ends within max_tokens of this chunk's start (at least one)
        last = max(first + 1, int(np.searchsorted(before, before[first] + max_tokens, side="right")) - 1)
        part = docs[first:last]
        breaks = np.flatnonzero(np.diff(part) != 1) + 1
        runs = tuple((int(run[0]), int(run[-1]) + 1) for run in np.split(part, breaks))
        chunks.append(Chunk(runs, int(before[last] - before[first])))
        first = last
    return chunks


# --- reading a chunk's tokens -------------------------------------------------------------

def read_rows(array, start: int, stop: int) -> np.ndarray:
    """Rows ``start:stop`` of ``array`` as a new in-memory array. From a memory-mapped
    snapshot array the rows are copied and their pages released from the process again
    (``madvise(MADV_DONTNEED)``: they stay in the page cache), so that going through a
    corpus of many gigabytes does not leave it all counted in the process' memory. An array
    a snapshot derives (``core.derived``) reads its own rows this way."""
    if hasattr(array, "read_rows"):
        return array.read_rows(start, stop)
    rows = np.array(array[start:stop])
    release_rows(array, start, stop)
    return rows


def release_rows(array, start: int, stop: int) -> None:
    """Release the pages of rows ``start:stop`` of a memory-mapped array, or of the arrays under
    one a snapshot derives (nothing otherwise)."""
    if hasattr(array, "release"):  # derived from other arrays (core.derived)
        array.release(start, stop)
        return
    mapped = getattr(array, "_mmap", None)
    if mapped is not None and stop > start and hasattr(mapped, "madvise"):
        _release(array, mapped, start, stop)


#: The per-token arrays of ``Tokens`` whose pages a pass over the corpus releases as it goes.
TOKEN_ARRAYS = ("ids", "char_starts", "char_ends", "sentence", "paragraph")
#: The per-unit arrays released with the tokens of their units: (unit numbers, array).
UNIT_ARRAYS = (("sentence", "sentence_spans"), ("paragraph", "paragraph_spans"))
#: Tokens before ``start`` released too: a page fault maps up to 64 KB around the page it needs
#: (Linux's fault-around), so a pass that releases only its own rows leaves pages behind.
RELEASE_BEHIND = 1 << 16


def release_tokens(tokens, start: int, stop: int) -> None:
    """Release the memory-mapped pages of tokens ``start:stop`` (all per-token arrays, and the
    spans of their sentences and paragraphs) that indexing them one hit at a time paged in
    (kwic's lines), and of the ``RELEASE_BEHIND`` tokens before: they stay in the page cache,
    out of the process' memory."""
    start, stop = max(start - RELEASE_BEHIND, 0), min(stop, len(tokens))
    if stop <= start:
        return
    for name in TOKEN_ARRAYS:
        array = getattr(tokens, name, None)
        if array is not None:
            release_rows(array, start, min(stop, len(array)))
    for unit, name in UNIT_ARRAYS:
        numbers, array = getattr(tokens, unit, None), getattr(tokens, name, None)
        if numbers is not None and array is not None and len(numbers) >= stop:
            release_rows(array, int(numbers[start]), int(numbers[stop - 1]) + 1)


def _release(array, mapped, start: int, stop: int) -> None:
    import mmap

    if not array.flags.c_contiguous:
        return
    row_bytes = array.itemsize * int(np.prod(array.shape[1:], dtype=np.int64))
    base = np.frombuffer(mapped, dtype=np.uint8).ctypes.data  # where the map begins in memory
    first = array.ctypes.data - base + start * row_bytes
    last = first + (stop - start) * row_bytes
    page = mmap.PAGESIZE
    if array.flags.writeable:
        first, last = -(-first // page) * page, last // page * page  # whole pages inside the rows
    else:  # a read-only map: a page released with other rows on it is read again when they are
        first, last = first // page * page, -(-last // page) * page
    if last > first:
        try:
            mapped.madvise(mmap.MADV_DONTNEED, first, last - first)
        except (OSError, ValueError):  # advice only: the rows are read either way
            pass


class ChunkTokens:
    """The token arrays of one chunk, read when first used. Positions are corpus-wide
    (``positions``); ``doc_local[i]`` is token ``i``'s document as an index into ``docs``."""

    def __init__(self, tokens, chunk: Chunk):
        self.tokens, self.chunk = tokens, chunk
        doc_starts = np.asarray(tokens.doc_starts, dtype=np.int64)
        self.docs = chunk.docs
        self.doc_lengths = doc_starts[self.docs + 1] - doc_starts[self.docs]
        self.token_runs = [(int(doc_starts[a]), int(doc_starts[b])) for a, b in chunk.runs]

    def read(self, name: str) -> np.ndarray:
        """Array ``name`` of ``Tokens`` (one entry per token) over the chunk's tokens."""
        array = getattr(self.tokens, name)
        parts = [read_rows(array, a, b) for a, b in self.token_runs]
        if len(parts) == 1:
            return parts[0]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=array.dtype)

    def __len__(self) -> int:
        return self.chunk.n_tokens

    @cached_property
    def ids(self) -> np.ndarray:
        return self.read("ids")

    @cached_property
    def sentence(self) -> np.ndarray:
        return self.read("sentence")

    @cached_property
    def doc_local(self) -> np.ndarray:
        return np.repeat(np.arange(len(self.docs), dtype=np.int64), self.doc_lengths)

    @cached_property
    def positions(self) -> np.ndarray:
        """Corpus-wide position of every token of the chunk."""
        return np.concatenate([np.arange(a, b, dtype=np.int64) for a, b in self.token_runs]) if self.token_runs else np.zeros(0, dtype=np.int64)

    def features(self, mapping) -> np.ndarray:
        """Feature ids of the chunk's tokens under ``mapping`` (``Tokens.feature_map``)."""
        ids = self.ids
        if len(self.token_runs) == 1 or mapping.compounds is None:
            return mapping.apply(ids, self.token_runs[0][0] if self.token_runs else 0)
        out, at = [], 0
        for a, b in self.token_runs:
            out.append(mapping.apply(ids[at : at + b - a], a))
            at += b - a
        return np.concatenate(out)


# --- engines ----------------------------------------------------------------------------


class Counting(Protocol):
    """A counting analysis: ``partial`` over one chunk, an exact ``merge`` of the partials
    (given in chunk order, folded one at a time)."""

    def partial(self, corpus, chunk: Chunk) -> Any: ...

    def merge(self, partials: Iterable[Any]) -> Any: ...


class Engine(Protocol):
    def map_merge(self, counting: Counting, corpus, chunks: list[Chunk]) -> Any: ...


class LocalEngine:
    """Chunks one after the other in this process; one partial alive at a time."""

    def map_merge(self, counting: Counting, corpus, chunks: list[Chunk]) -> Any:
        return counting.merge(_partials(counting, base_of(corpus), chunks))


def _partials(counting: Counting, corpus, chunks: list[Chunk]) -> Iterator[Any]:
    for chunk in chunks:
        yield counting.partial(corpus, chunk)


_engine: Engine | None = None


def use_engine(engine: Engine | None) -> None:
    """Run counting analyses on ``engine`` from now on (``None``: this process, chunk by chunk)."""
    global _engine
    _engine = engine


def current_engine() -> Engine:
    return _engine if _engine is not None else LocalEngine()


def run(counting: Counting, corpus, chunks: list[Chunk] | None = None) -> Any:
    """``counting`` over ``chunks`` (default: every document, ``document_chunks(corpus)``);
    a ``where`` view is counted over its ``base``, whose documents its chunks name."""
    if chunks is None:
        chunks = document_chunks(corpus)
    return current_engine().map_merge(counting, base_of(corpus), chunks)


def base_of(corpus):
    """The corpus whose arrays ``document_chunks(corpus)`` names documents of: a ``where``
    view's base (``Corpus.within``), else the corpus itself. Every engine counts over it."""
    return corpus.within()[0] if hasattr(corpus, "within") else corpus

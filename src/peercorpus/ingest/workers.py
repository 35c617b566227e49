"""The work one worker does on one file, wherever it runs (this process, a local worker
process, a Dask worker): read and tokenise it into an encoded shard, or say why it cannot::

    data = process_one((Path("corpora/a.txt"), Path("corpora"), digest), config)
    if isinstance(data, str): ...              # the reason it was skipped
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..config import Config
from ..errors import PeerCorpusError, UnreadableFile
from .shard import FileLineKeys, Shard, file_content_hash, file_line_keys, process_file
from .store import ShardLookup, decode_shard, encode_shard


def is_notice(warning: str) -> bool:
    """A reader's warning worth a line when the file is read, not only in ``info``: the text
    differs from the bytes (another encoding, bytes replaced) or lines of the file were dropped.

    >>> is_notice("skipped lines 2, 5 (not a JSON object with a 'text' field)")
    True
    """
    return "UTF-8" in warning or warning.startswith("skipped line")


def process_one(item: tuple[Path, Path, str], config: Config) -> bytes | str:
    """Tokenise one file into an encoded shard (compact to send between processes and ready
    for the cache); an unreadable file gives the reason as a string."""
    shard = _shard_or_reason(item, config)
    return shard if isinstance(shard, str) else encode_shard(shard)


#: An item's fourth element asking for the file's short-line keys only (``shard.file_line_keys``).
KEYS_ONLY = "line keys only"


def _shard_or_reason(item: tuple, config: Config) -> Shard | FileLineKeys | str:
    # a fourth element: repeated line keys to leave out (and a fifth, the file's line keys as read
    # before, a ``FileLineKeys``), or KEYS_ONLY
    path, root, _digest, *leave_out = item
    try:
        if leave_out and leave_out[0] == KEYS_ONLY:
            return file_line_keys(path, root, config)
        repeated = leave_out[0] if leave_out else frozenset()
        return process_file(path, root, config, repeated=repeated, line_keys=leave_out[1] if len(leave_out) > 1 else None)
    except UnreadableFile as problem:
        return problem.reason
    except PeerCorpusError:  # the user's settings (a cleaning pattern out of time): stop, say why
        raise
    except Exception as error:  # a reader library failing on a corrupt file must not stop the corpus
        return f"could not be read ({type(error).__name__}: {error})"


def process_batch(batch, config: Config) -> list[bytes | str]:
    """``process_one`` of each file of a batch (one task of a worker process)."""
    return [process_one(item, config) for item in batch]


_DTYPES: dict[str, np.dtype] = {}
#: A worker's result whose arrays take more bytes than this sends them one by one (see __getstate__).
PACKED_BYTES = 8 << 20


@dataclass
class EncodedShard:
    """A tokenised file as a worker sends it to the process that assembles the corpus: the
    encoded shard (``store.encode_shard``, what the cache keeps) and beside it what that process
    reads before assembling — each document's short-line keys (``sections.document_line_keys``)
    and the reader's notices (``is_notice``) — so that it decodes the shard once, to assemble it
    (sending the shard itself as well cost more in pickling than the decode it saved).
    ``source``: where the shard pack keeps it (``ShardPack.add``), so that the snapshot reads its
    texts from there (issue 18: texts stored once)."""

    encoded: bytes
    line_keys: np.ndarray
    doc_line_keys: np.ndarray
    notices: list[str]
    source: str | None = None
    left_out: frozenset[int] = frozenset()  # Shard.left_out
    # The shard as the worker made it (documents, vocab, arrays, text blocks), sent beside its
    # encoding: the parent assembles it without decoding (decode_shard derives the vocabulary,
    # ends and unit numbers again: two thirds of the parent's work a file). Equal, array for
    # array and dtype for dtype, to what decoding gives (shard_codec checks that at encoding).
    plain: tuple | None = None

    def __getstate__(self) -> dict:
        """Pickled (worker → parent) with the plain arrays in one buffer and the vocabulary in one
        string: pickling each small array and form apart was a sixth of a worker's CPU and most
        of the parent's unpickling on a corpus of small files."""
        if self.plain is None:
            return self.__dict__
        documents, vocab, arrays, text_blocks = self.plain
        if sum(array.nbytes for array in arrays.values()) > PACKED_BYTES:
            # a large file's arrays as numpy pickles them: one buffer would be another copy of them
            layout, buffer = None, arrays
        else:
            layout = [(name, array.dtype.str, array.shape) for name, array in arrays.items()]
            buffer = b"".join([memoryview(np.ascontiguousarray(array).reshape(-1)).cast("B") for array in arrays.values() if array.size])
        joined = "\0".join(vocab)
        if vocab and joined.count("\0") == len(vocab) - 1:  # no form holds a NUL: split gives them back
            vocab = joined
        state = {k: v for k, v in self.__dict__.items() if k not in ("plain", "line_keys", "doc_line_keys")}
        state["packed"] = (documents, vocab, layout, buffer, text_blocks)
        return state

    def __setstate__(self, state: dict) -> None:
        packed = state.pop("packed", None)
        self.__dict__.update(state)
        if packed is None:
            return
        documents, vocab, layout, buffer, text_blocks = packed
        arrays, offset = {}, 0
        if layout is None:
            arrays, layout = buffer, ()
        for name, dtype, shape in layout:
            dtype = _DTYPES.get(dtype) or _DTYPES.setdefault(dtype, np.dtype(dtype))
            count = shape[0] if len(shape) == 1 else math.prod(shape)
            array = np.frombuffer(buffer, dtype=dtype, count=count, offset=offset)
            arrays[name] = array if len(shape) == 1 else array.reshape(shape)
            offset += count * dtype.itemsize
        vocab = vocab.split("\0") if isinstance(vocab, str) else vocab
        # copies: the parent keeps every file's line keys until the corpus is read, and a view
        # would keep the file's whole buffer
        self.line_keys, self.doc_line_keys = arrays["line_keys"].copy(), arrays["doc_line_keys"].copy()
        self.plain = (documents, vocab, arrays, text_blocks)

    def decode(self) -> Shard:
        if self.plain is not None:
            documents, vocab, arrays, text_blocks = self.plain
            shard = Shard(documents=documents, vocab=vocab, arrays=arrays, left_out=self.left_out)
            shard.text_blocks = text_blocks
        else:
            shard = decode_shard(self.encoded)
        shard.encoded, shard.source = self.encoded, self.source
        return shard


@dataclass(frozen=True)
class HashOnRead:
    """An item's digest when it is not known yet: the worker hashes the file as it reads it (the
    parent need not read every file first: on a cold cache that was a pass over the whole corpus
    with the other cores idle), and does not tokenise a content whose shard ``cached`` has
    (``store.ShardLookup``; ``None``: no cache to look in)."""

    cached: ShardLookup | None = None


def process_encoded(item: tuple, config: Config) -> EncodedShard | FileLineKeys | str | tuple:
    """``process_one``, with the shard's line keys and notices beside its encoding. ``item``:
    ``(path, root, digest)``, or ``(path, root, digest, repeated[, line_keys])`` to read the file
    again with the corpus' repeated lines ``repeated`` (a set of line keys) left out
    (``process_file``'s arguments), or ``(path, root,
    digest, KEYS_ONLY)`` for its short-line keys alone (a ``shard.FileLineKeys``).

    Gives an ``EncodedShard``, a ``FileLineKeys`` or the reason the file was skipped (a string);
    for an item whose digest is a ``HashOnRead``, the pair ``(digest, that)``, with ``None`` for
    a content whose shard is cached, and ``(None, reason)`` for a file that cannot be read::

        process_encoded((path, root, HashOnRead(lookup)), config)   # ('5f0c...', EncodedShard(...))
    """
    if isinstance(item[2], HashOnRead):
        return _hashed_then_encoded(item, config)
    shard = _shard_or_reason(item, config)
    if isinstance(shard, (str, FileLineKeys)):
        return shard
    notices = [w for document in shard.documents for w in document["warnings"] if is_notice(w)]
    blocks: list = []
    encoded = encode_shard(shard, with_blocks=blocks)
    arrays = {name: np.ascontiguousarray(array, dtype=array.dtype) for name, array in shard.arrays.items()}
    return EncodedShard(encoded, shard.arrays["line_keys"], shard.arrays["doc_line_keys"], notices,
                        left_out=shard.left_out, plain=(shard.documents, shard.vocab, arrays, blocks))


def _hashed_then_encoded(item: tuple, config: Config) -> tuple[str | None, EncodedShard | FileLineKeys | str | None]:
    path, root, unknown, *rest = item
    try:
        digest = file_content_hash(path)
    except UnreadableFile as problem:
        return None, str(problem)
    if unknown.cached is not None and unknown.cached.has(digest):
        return digest, None
    return digest, process_encoded((path, root, digest, *rest), config)


def process_encoded_batch(batch, config: Config) -> list[EncodedShard | str]:
    """``process_encoded`` of each file of a batch (one task of a local worker process)."""
    return [process_encoded(item, config) for item in batch]

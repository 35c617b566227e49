"""A shard's arrays in the room they need: what can be derived is left out, the rest narrowed.

``encode_shard`` (``store.py``) writes ``compact_arrays(shard)`` and ``decode_shard`` gives the
``Shard`` back with ``expand_arrays``, equal array for array (values and dtypes)::

    stored, vocab, derived = compact_arrays(shard)   # vocab None: the text gives it
    arrays, vocab = expand_arrays(stored, vocab, derived)

Left out, when (and only when) they can be derived exactly — checked here, at encoding:

- ``sentence``/``paragraph``: each token's unit is the last unit that starts at or before the
  token (the rule of ``tokenize.tokenize_text``), so the spans give them;
- ``ends``: a token ends at its start plus its form's length; where not, the length is listed;
- ``starts``: kept as the gap after the previous token's end (mostly 0 or 1), so positions are
  stored once;
- ``vocab``: every form is the text at its first token (``tokenize`` cuts words out of the text),
  so only the forms' lengths are kept.

Integers go in the narrowest of uint16/int32/int64 that holds them. Everything is then
compressed together by ``encode_shard``.
"""

from __future__ import annotations

import numpy as np

from .shard import ARRAY_FIELDS, Shard

_KEY_SHIFT = np.int64(1) << np.int64(32)  # documents apart in a sort key of (document, offset)


def narrowest(largest: int, smallest: int = 0) -> np.dtype:
    """The narrowest integer dtype among uint16, int32 and int64 that holds both values.

    >>> narrowest(65535), narrowest(65536), narrowest(5, -1), narrowest(2**31)
    (dtype('uint16'), dtype('int32'), dtype('int32'), dtype('int64'))
    """
    if smallest >= 0 and largest < 2**16:
        return np.dtype(np.uint16)
    if -(2**31) <= smallest and largest < 2**31:
        return np.dtype(np.int32)
    return np.dtype(np.int64)


#: The dtypes ``shard.process_file`` gives (a shard's arrays are decoded to these; another dtype
#: is recorded in the header).
CANONICAL = {name: np.dtype(np.int64) for name in ARRAY_FIELDS} | {
    name: np.dtype(np.int32) for name in ("ids", "starts", "ends", "sentence", "paragraph", "sentence_spans", "paragraph_spans")
} | {"text_bytes": np.dtype(np.uint8)}


def _narrowed(array: np.ndarray) -> np.ndarray:
    """Integers in the narrowest of uint8, uint16, int32, int64 (within a shard even one byte
    counts: BBC's 2,226 files are 1.5 kB of text each)."""
    if array.dtype.kind not in "iu" or array.size == 0 or array.dtype.itemsize == 1:
        return array
    if array.size <= 64:  # most of a small file's arrays: Python's max and min cost less than numpy's
        values = array.ravel().tolist()
        largest, smallest = max(values), min(values)
    else:
        largest, smallest = int(array.max()), int(array.min())
    if smallest >= 0 and largest < 256:
        return array.astype(np.uint8)
    return array.astype(narrowest(largest, smallest))


def unit_numbers(starts: np.ndarray, doc_tokens: np.ndarray, unit_starts: np.ndarray, doc_units: np.ndarray) -> np.ndarray:
    """Each token's unit number within its document: the last unit of its document starting at
    or before it (0 when none does), as ``tokenize.tokenize_text`` numbers sentences and paragraphs.

    >>> unit_numbers(np.array([0, 4, 9, 2]), np.array([3, 1]), np.array([0, 5, 0]), np.array([2, 1])).tolist()
    [0, 0, 1, 0]
    """
    n_docs = len(doc_tokens)
    doc_of_token = np.repeat(np.arange(n_docs, dtype=np.int64), doc_tokens)
    doc_of_unit = np.repeat(np.arange(n_docs, dtype=np.int64), doc_units)
    unit_keys = doc_of_unit * _KEY_SHIFT + np.asarray(unit_starts, dtype=np.int64)
    token_keys = doc_of_token * _KEY_SHIFT + np.asarray(starts, dtype=np.int64)
    found = np.searchsorted(unit_keys, token_keys, side="right") - 1
    first_unit = (np.cumsum(doc_units) - doc_units).astype(np.int64)[doc_of_token]
    return np.maximum(found - first_unit, 0)


def _doc_firsts(doc_tokens: np.ndarray) -> np.ndarray:
    """Index of each document's first token (documents without tokens left out)."""
    firsts = np.cumsum(doc_tokens) - doc_tokens
    return firsts[doc_tokens > 0].astype(np.int64)


def _texts(arrays) -> list[str]:
    data, lengths = np.asarray(arrays["text_bytes"]).tobytes(), np.asarray(arrays["text_lengths"]).tolist()
    texts, at = [], 0
    for length in lengths:
        texts.append(data[at : at + length].decode("utf-8"))
        at += length
    return texts


def _vocab_from_texts(ids: np.ndarray, starts: np.ndarray, ends: np.ndarray, doc_tokens: np.ndarray, texts: list[str], n_types: int) -> list[str] | None:
    """Each form as the text at its first token (``None`` if a form has no token)."""
    types, first = np.unique(ids, return_index=True)
    if len(types) != n_types or (n_types and int(types[-1]) != n_types - 1):
        return None
    doc_of = np.searchsorted(np.cumsum(doc_tokens), first, side="right")
    return [texts[d][s:e] for d, s, e in zip(doc_of.tolist(), starts[first].tolist(), ends[first].tolist())]


def compact_arrays(shard: Shard) -> tuple[dict[str, np.ndarray], list[str] | None, dict]:
    """The arrays to store, the vocabulary (``None`` when the text gives it) and what
    ``expand_arrays`` needs to derive the rest (the original dtypes, what was left out)."""
    a = shard.arrays
    dtypes = {name: dtype.str for name in ARRAY_FIELDS if (dtype := np.asarray(a[name]).dtype) != CANONICAL[name]}
    ids = np.asarray(a["ids"]).astype(np.int64)
    starts, ends = np.asarray(a["starts"]).astype(np.int64), np.asarray(a["ends"]).astype(np.int64)
    doc_tokens = np.asarray(a["doc_tokens"]).astype(np.int64)
    if len(ids) != len(starts) or len(ends) != len(starts) or int(doc_tokens.sum()) != len(ids):
        return {name: np.asarray(a[name]) for name in ARRAY_FIELDS}, shard.vocab, {"dtypes": dtypes}
    stored = {name: _narrowed(np.asarray(a[name])) for name in ARRAY_FIELDS if name not in ("starts", "ends", "sentence", "paragraph", "ids")}
    stored["ids"] = _narrowed(ids) if len(ids) else np.asarray(a["ids"])
    left_out = ["starts", "ends"]
    form_lengths = np.fromiter(map(len, shard.vocab), dtype=np.int64, count=len(shard.vocab))
    lengths = ends - starts
    fixes = np.flatnonzero(lengths != form_lengths[ids]) if len(ids) else np.zeros(0, dtype=np.int64)
    stored["length_fix_index"] = _narrowed(fixes)
    stored["length_fix_value"] = _narrowed(lengths[fixes])
    previous_end = np.zeros(len(ids), dtype=np.int64)
    previous_end[1:] = ends[:-1]
    if len(doc_tokens) > 1:  # (one document: its first token's is 0 already)
        previous_end[_doc_firsts(doc_tokens)] = 0
    stored["gaps"] = _narrowed(starts - previous_end)
    # What the shard's maker knows (``Shard.known``) is not checked again: the same answer, a
    # sixth of a worker's CPU less on a corpus of small files (tests/ingest/test_shard_codec.py)
    known = getattr(shard, "known", frozenset())
    for unit in ("sentence", "paragraph"):
        if "units" in known:
            left_out.append(unit)
            continue
        spans = np.asarray(a[f"{unit}_spans"]).reshape(-1, 2)
        derived = unit_numbers(starts, doc_tokens, spans[:, 0], np.asarray(a[f"doc_{unit}s"]))
        if np.array_equal(derived, np.asarray(a[unit])):
            left_out.append(unit)
        else:
            stored[unit] = _narrowed(np.asarray(a[unit]))
    vocab = shard.vocab
    if len(fixes) == 0:
        try:
            if "forms" in known or _vocab_from_texts(ids, starts, ends, doc_tokens, _texts(a), len(vocab)) == vocab:
                vocab = None
                stored["form_lengths"] = _narrowed(form_lengths)
        except (UnicodeDecodeError, IndexError):
            pass
    return stored, vocab, {"dtypes": dtypes, "left_out": left_out} if dtypes else {"left_out": left_out}


def expand_arrays(stored: dict[str, np.ndarray], vocab: list[str] | None, derived: dict) -> tuple[dict[str, np.ndarray], list[str]]:
    """The inverse of ``compact_arrays``: every array of ``ARRAY_FIELDS`` and the vocabulary."""
    left_out = set(derived.get("left_out", []))
    arrays = {name: array for name, array in stored.items() if name in ARRAY_FIELDS}
    if left_out:
        ids = np.asarray(stored["ids"]).astype(np.int64)
        doc_tokens = np.asarray(stored["doc_tokens"]).astype(np.int64)
        form_lengths = np.asarray(stored["form_lengths"] if vocab is None else np.fromiter(map(len, vocab), dtype=np.int64, count=len(vocab)), dtype=np.int64)
        if len(ids) and (int(ids.max()) >= len(form_lengths) or int(ids.min()) < 0):
            raise ValueError("shard ids out of range")
        lengths = form_lengths[ids]
        lengths[np.asarray(stored["length_fix_index"], dtype=np.int64)] = stored["length_fix_value"]
        steps = np.asarray(stored["gaps"], dtype=np.int64).copy()
        steps[1:] += lengths[:-1]
        firsts = _doc_firsts(doc_tokens)
        steps[firsts[firsts > 0]] -= lengths[firsts[firsts > 0] - 1]
        total = np.cumsum(steps)
        before = np.zeros(len(doc_tokens), dtype=np.int64)  # the running total before each document
        doc_first = np.cumsum(doc_tokens) - doc_tokens
        has = (doc_tokens > 0) & (doc_first > 0)
        before[has] = total[doc_first[has] - 1]
        starts = total - np.repeat(before, doc_tokens)
        ends = starts + lengths
        arrays["starts"], arrays["ends"] = starts, ends
        for unit in ("sentence", "paragraph"):
            if unit in left_out:
                spans = np.asarray(stored[f"{unit}_spans"]).reshape(-1, 2)
                arrays[unit] = unit_numbers(starts, doc_tokens, spans[:, 0], np.asarray(stored[f"doc_{unit}s"]))
        if vocab is None:
            vocab = _vocab_from_texts(ids, starts, ends, doc_tokens, _texts(stored), len(form_lengths))
            if vocab is None:
                raise ValueError("shard vocabulary cannot be read from its text")
    out, dtypes = {}, derived.get("dtypes", {})
    for name in ARRAY_FIELDS:
        dtype = np.dtype(dtypes[name]) if name in dtypes else CANONICAL[name]
        out[name] = np.ascontiguousarray(arrays[name], dtype=dtype)
        if name.endswith("_spans"):
            out[name] = out[name].reshape(-1, 2)
    return out, vocab

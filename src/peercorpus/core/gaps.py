"""The inverted index's positions stored as gaps, in LEB128 varints (issue 18: the cache ≤ 3×).

An index lists, for each normalised form, its token positions in ascending order ("runs",
``offsets[n]:offsets[n + 1]``). Stored as they are, they take 4 bytes a token — the largest array
of a snapshot. Stored as the gap from the previous position of the same run (the first of a run
as itself), 7 bits a byte with the high bit saying "another byte follows", the frequent forms'
gaps take one byte and the index ~1.7 bytes a token on English news (BBC, partitions of 2²⁰
tokens). Decoding is a few numpy passes over the run's bytes::

    >>> data, byte_offsets = encode_gaps(np.array([3, 200, 201, 0, 70000]), np.array([0, 3, 5]))
    >>> data.tolist(), byte_offsets.tolist()
    ([3, 197, 1, 1, 0, 240, 162, 4], [0, 4, 8])
    >>> decode_runs(data[4:8], np.array([2])).tolist()
    [0, 70000]
"""

from __future__ import annotations

import numpy as np

_PAYLOAD, _MORE = 0x7F, 0x80


def encode_gaps(positions: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(data, byte_offsets)``: the runs ``positions[offsets[n]:offsets[n + 1]]`` (each ascending,
    ``offsets`` starting at 0) as LEB128 gaps in ``data`` (uint8); run ``n``'s bytes are
    ``data[byte_offsets[n]:byte_offsets[n + 1]]``."""
    positions = np.asarray(positions, dtype=np.int64)
    offsets = np.asarray(offsets, dtype=np.int64)
    gaps = np.diff(positions, prepend=0)
    firsts = offsets[:-1][offsets[1:] > offsets[:-1]]
    gaps[firsts] = positions[firsts]
    if len(gaps) and int(gaps.min()) < 0:
        raise ValueError("index positions are not ascending within a form")
    largest = int(gaps.max(initial=0))
    lengths = np.ones(len(gaps), dtype=np.int64)  # bytes of each value
    bits = 7
    while largest >> bits:
        lengths += gaps >> bits > 0
        bits += 7
    ends = np.cumsum(lengths)
    data = np.empty(int(ends[-1]) if len(ends) else 0, dtype=np.uint8)
    at, values, left = ends - lengths, gaps, lengths  # byte k of every value that has one
    while len(values):
        data[at] = (values & _PAYLOAD) | ((left > 1) << 7)
        going = np.flatnonzero(left > 1)
        at, values, left = at[going] + 1, values[going] >> 7, left[going] - 1
    return data, np.concatenate([[0], ends])[offsets]


def decode_runs(data: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The positions (int64) of consecutive runs whose bytes are ``data``, ``counts[i]``
    positions in run ``i``."""
    data = np.asarray(data, dtype=np.uint8)
    last = data < _MORE  # the last byte of each value
    ends = np.flatnonzero(last)
    if len(ends) != int(np.sum(counts)) or (len(data) and not last[-1]):
        raise ValueError("index gaps do not match the index offsets")
    if len(ends) == len(data):  # every gap in one byte: the common case for frequent forms
        values = data.astype(np.int64)
    else:
        begins = np.concatenate([[0], ends[:-1] + 1])
        place = np.arange(len(data)) - np.repeat(begins, ends - begins + 1)  # byte k of its value
        values = np.add.reduceat((data & _PAYLOAD).astype(np.int64) << (7 * place), begins)
    positions = np.cumsum(values)
    if len(counts) > 1:  # each run's first value is its own position, not a gap: undo the sum before it
        firsts = np.cumsum(counts) - counts
        before = np.concatenate([[0], positions])[firsts]
        positions -= np.repeat(before, counts)
    return positions

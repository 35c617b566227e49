"""Per-token arrays that a snapshot does not store but derives when read, from smaller ones.

A snapshot keeps each token's sentence and paragraph as the first token of every sentence
(paragraph), and each token's end as its start plus its form's length (with the few tokens
where that does not hold listed apart). The classes here answer what analyses ask of the
arrays they replace — ``len``, a slice, an integer or boolean index, ``np.asarray`` — with the
same values and dtype, computing only the part asked for::

    sentence = RunNumbers(first_token=np.array([0, 3, 3, 5]), length=7)
    sentence[2:6]                 # array([0, 2, 2, 3], dtype=int32): sentence 1 has no token
    np.asarray(sentence)          # array([0, 0, 0, 2, 2, 3, 3], dtype=int32)

Reading a slice goes through ``chunks.read_rows`` on the arrays underneath, so that a pass over
a memory-mapped snapshot releases their pages as it goes (``read_rows`` / ``release``).
"""

from __future__ import annotations

import numpy as np

from .chunks import read_rows, release_rows
from .gaps import decode_runs


class DerivedArray:
    """A read-only array computed on demand, indexed on its first axis (subclasses give
    ``_range`` and ``_take``, and ``row_shape`` when each row is itself an array); indexing it
    gives a plain ``numpy`` array."""

    dtype = np.dtype(np.int32)
    row_shape: tuple[int, ...] = ()

    def __init__(self, length: int):
        self._length = int(length)

    def __len__(self) -> int:
        return self._length

    @property
    def ndim(self) -> int:
        return 1 + len(self.row_shape)

    @property
    def shape(self) -> tuple[int, ...]:
        return (self._length, *self.row_shape)

    @property
    def size(self) -> int:
        return self._length * int(np.prod(self.row_shape, dtype=np.int64))

    def __getitem__(self, key):
        if isinstance(key, tuple):  # spans[:, 0] and the like: on the rows asked for first
            return self[key[0]][(slice(None), *key[1:])] if isinstance(key[0], slice) else np.asarray(self)[key]
        if isinstance(key, slice):
            start, stop, step = key.indices(self._length)
            if step == 1:
                return self._range(start, max(start, stop))
            return self._take(np.arange(start, stop, step, dtype=np.int64))
        if isinstance(key, (int, np.integer)):
            position = int(key) + (self._length if key < 0 else 0)
            if not 0 <= position < self._length:
                raise IndexError(f"index {key} is out of bounds for length {self._length}")
            return self._take(np.array([position], dtype=np.int64))[0]
        key = np.asarray(key)
        if key.dtype == bool:
            if key.shape != (self._length,):
                raise IndexError(f"boolean index of length {len(key)} for an array of length {self._length}")
            return self._take(np.flatnonzero(key))
        if key.dtype.kind not in "iu":
            raise IndexError(f"only integers, slices and integer or boolean arrays are valid indices (got {key.dtype})")
        flat = key.reshape(-1).astype(np.int64)
        if len(flat) and (int(flat.min()) < -self._length or int(flat.max()) >= self._length):
            raise IndexError(f"index out of bounds for length {self._length}")
        flat = np.where(flat < 0, flat + self._length, flat)
        return self._take(flat).reshape((*key.shape, *self.row_shape))

    def __array__(self, dtype=None, copy=None):
        whole = self._range(0, self._length)
        return whole if dtype is None else whole.astype(dtype, copy=False)

    def __iter__(self):
        return iter(self._range(0, self._length).tolist())

    def astype(self, dtype, copy: bool = True) -> np.ndarray:
        return self._range(0, self._length).astype(dtype, copy=False)

    def tolist(self) -> list:
        return self._range(0, self._length).tolist()

    def max(self, *args, **kwargs):
        return self._range(0, self._length).max(*args, **kwargs)

    def min(self, *args, **kwargs):
        return self._range(0, self._length).min(*args, **kwargs)

    def sum(self, *args, **kwargs):
        return self._range(0, self._length).sum(*args, **kwargs)

    def read_rows(self, start: int, stop: int) -> np.ndarray:
        """Rows ``start:stop`` (as ``chunks.read_rows``: the pages read are released)."""
        return self._range(start, stop, release=True)

    def release(self, start: int, stop: int) -> None:
        """Release the memory-mapped pages of rows ``start:stop`` of the arrays underneath."""

    def _range(self, start: int, stop: int, *, release: bool = False) -> np.ndarray:
        raise NotImplementedError

    def _take(self, positions: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class RunNumbers(DerivedArray):
    """Each token's unit number (sentence, paragraph) from the first token of every unit:
    token ``p`` is in the last unit that starts at or before ``p`` (a unit without tokens starts
    where the next one does, so it is never chosen)."""

    def __init__(self, first_token, length: int):
        super().__init__(length)
        self.first_token = first_token

    def _range(self, start: int, stop: int, *, release: bool = False) -> np.ndarray:
        if stop <= start:
            return np.zeros(0, dtype=np.int32)
        first = self.first_token
        if len(first) == 0:  # no units: every token is numbered 0, as _take numbers it
            return np.zeros(stop - start, dtype=np.int32)
        low = max(int(np.searchsorted(first, start, side="right")) - 1, 0)
        high = max(int(np.searchsorted(first, stop - 1, side="right")), low + 1)
        bounds = np.clip(np.asarray(first[low:high], dtype=np.int64), start, stop)
        bounds[0] = start
        lengths = np.diff(np.append(bounds, stop))
        return np.repeat(np.arange(low, high, dtype=np.int32), lengths)

    def release(self, start: int, stop: int) -> None:
        """Release the pages of the units' first tokens: all of them, since finding the unit of
        any token (a binary search) reads pages all over the array."""
        if stop > start:
            release_rows(self.first_token, 0, len(self.first_token))

    def _take(self, positions: np.ndarray) -> np.ndarray:
        found = np.searchsorted(self.first_token, positions, side="right") - 1
        return np.maximum(found, 0).astype(np.int32)

    def max(self, *args, initial=None, **kwargs):
        """The last token's unit (numbers never decrease), without computing the rest."""
        if args or kwargs or not self._length:
            return super().max(*args, **({} if initial is None else {"initial": initial}), **kwargs)
        last = self._take(np.array([self._length - 1]))[0]
        return last if initial is None else max(last, initial)


class TokenEnds(DerivedArray):
    """Each token's end offset: its start plus the length of its form, except at the listed
    ``fix_positions`` (ascending), whose ends are ``fix_ends``. ``type_map``: ``ids`` are a
    partition's local ids, whose lengths ``form_lengths[type_map]`` are made when first read
    (not when the snapshot is opened: a local vocabulary's worth of lengths a partition, held
    by every command, ~60 bytes a document)."""

    def __init__(self, starts, ids, form_lengths: np.ndarray, fix_positions, fix_ends, *, type_map=None):
        super().__init__(len(ids))
        self.starts, self.ids = starts, ids
        self._form_lengths, self._type_map = form_lengths, type_map
        self.fix_positions, self.fix_ends = fix_positions, fix_ends
        self.dtype = np.dtype(np.int32)

    @property
    def form_lengths(self) -> np.ndarray:
        """The length of each form ``ids`` holds."""
        if self._type_map is not None:
            self._form_lengths, self._type_map = self._form_lengths[np.asarray(self._type_map)], None
        return self._form_lengths

    def _range(self, start: int, stop: int, *, release: bool = False) -> np.ndarray:
        if stop <= start:
            return np.zeros(0, dtype=np.int32)
        if release:
            starts, ids = read_rows(self.starts, start, stop), read_rows(self.ids, start, stop)
        else:
            starts, ids = np.asarray(self.starts[start:stop]), np.asarray(self.ids[start:stop])
        ends = starts.astype(np.int32) + self.form_lengths[ids]
        if len(self.fix_positions):
            low, high = np.searchsorted(self.fix_positions, [start, stop])
            if high > low:
                ends[np.asarray(self.fix_positions[low:high], dtype=np.int64) - start] = self.fix_ends[low:high]
        return ends

    def _take(self, positions: np.ndarray) -> np.ndarray:
        ends = np.asarray(self.starts[positions]).astype(np.int32) + self.form_lengths[np.asarray(self.ids[positions])]
        if len(self.fix_positions) and len(positions):
            at = np.searchsorted(self.fix_positions, positions)
            inside = at < len(self.fix_positions)
            hit = np.zeros(len(positions), dtype=bool)
            hit[inside] = np.asarray(self.fix_positions[at[inside]]) == positions[inside]
            ends[hit] = np.asarray(self.fix_ends[at[hit]])
        return ends

    def release(self, start: int, stop: int) -> None:
        release_rows(self.starts, start, stop)
        release_rows(self.ids, start, stop)


class PartitionedArray(DerivedArray):
    """One array of a snapshot partitioned by documents (``SNAPSHOT_FORMAT`` 5): the rows of
    ``parts[p]`` are rows ``starts[p]:starts[p + 1]`` of the whole, their values put in corpus
    terms by partition — through ``maps[p]`` (a partition's local type ids → the corpus') and/or
    plus ``offsets[p]`` (a partition's first token, sentence, document). Indexed like an array
    (slices, integers, integer and boolean arrays on the first axis, ``np.asarray``,
    ``read_rows``/``release``), each read cut at the partitions' edges::

        ids = PartitionedArray([np.array([0, 1]), np.array([0, 0, 1])], [0, 2, 5],
                               maps=[np.array([0, 1]), np.array([1, 2])], dtype=np.uint16)
        ids[1:4]        # array([1, 1, 1], dtype=uint16)
    """

    def __init__(self, parts, starts, *, dtype, maps=None, offsets=None):
        self.parts = list(parts)
        self.starts = np.asarray(starts, dtype=np.int64)
        self.maps, self.offsets = maps, offsets
        self.dtype = np.dtype(dtype)
        self.row_shape = tuple(np.shape(self.parts[0])[1:]) if self.parts else ()
        self._length = int(self.starts[-1])

    def _values(self, part: int, rows) -> np.ndarray:
        rows = np.asarray(rows)
        if self.maps is not None:
            rows = self.maps[part][rows]
        if self.offsets is not None and self.offsets[part]:
            return rows.astype(self.dtype) + self.dtype.type(self.offsets[part])
        return rows.astype(self.dtype, copy=False)

    def _range(self, start: int, stop: int, *, release: bool = False) -> np.ndarray:
        pieces = []
        if stop > start:
            first = int(np.searchsorted(self.starts, start, side="right")) - 1
            last = int(np.searchsorted(self.starts, stop - 1, side="right")) - 1
            for part in range(first, last + 1):
                base = int(self.starts[part])
                low, high = max(start, base) - base, min(stop, int(self.starts[part + 1])) - base
                if high > low:
                    rows = read_rows(self.parts[part], low, high) if release else self.parts[part][low:high]
                    pieces.append(self._values(part, rows))
        if not pieces:
            return np.zeros((0, *self.row_shape), dtype=self.dtype)
        return pieces[0] if len(pieces) == 1 else np.concatenate(pieces)

    def _take(self, positions: np.ndarray) -> np.ndarray:
        out = np.empty((len(positions), *self.row_shape), dtype=self.dtype)
        if not len(positions):
            return out
        part_of = np.searchsorted(self.starts, positions, side="right") - 1
        for part in np.unique(part_of).tolist():
            where = part_of == part
            out[where] = self._values(part, self.parts[part][positions[where] - self.starts[part]])
        return out

    def __iter__(self):
        return iter(self._range(0, self._length))

    def release(self, start: int, stop: int) -> None:
        """Release the memory-mapped pages of rows ``start:stop`` in every partition they cover."""
        if stop <= start:
            return
        first = int(np.searchsorted(self.starts, start, side="right")) - 1
        last = int(np.searchsorted(self.starts, stop - 1, side="right")) - 1
        for part in range(max(first, 0), min(last, len(self.parts) - 1) + 1):
            base = int(self.starts[part])
            low, high = max(start, base) - base, min(stop, int(self.starts[part + 1])) - base
            array = self.parts[part]
            if hasattr(array, "release"):
                array.release(low, high)
            else:
                release_rows(array, low, high)


class GapCodedPositions(DerivedArray):
    """The positions half of an inverted index as a snapshot stores it (``core.gaps``): form
    ``n``'s ascending positions ``[offsets[n]:offsets[n + 1]]`` are LEB128 gaps in
    ``data[byte_offsets[n]:byte_offsets[n + 1]]``. A slice decodes only the forms it covers
    (what ``core.query`` reads: one form's positions); values are int64::

        data, byte_offsets = encode_gaps(positions, offsets)
        GapCodedPositions(offsets, byte_offsets, data)[offsets[5] : offsets[6]]   # form 5's
    """

    dtype = np.dtype(np.int64)

    def __init__(self, offsets, byte_offsets, data):
        super().__init__(int(offsets[-1]))
        self.offsets, self.byte_offsets, self.data = offsets, byte_offsets, data

    def _forms(self, start: int, stop: int) -> tuple[int, int]:
        """The forms whose positions hold rows ``start:stop``."""
        first = int(np.searchsorted(self.offsets, start, side="right")) - 1
        return first, int(np.searchsorted(self.offsets, stop - 1, side="right"))

    def _range(self, start: int, stop: int, *, release: bool = False) -> np.ndarray:
        if stop <= start:
            return np.zeros(0, dtype=np.int64)
        first, last = self._forms(start, stop)
        counts = np.diff(np.asarray(self.offsets[first : last + 1], dtype=np.int64))
        low, high = int(self.byte_offsets[first]), int(self.byte_offsets[last])
        positions = decode_runs(self.data[low:high], counts)
        if release:
            release_rows(self.data, low, high)
        skip = start - int(self.offsets[first])
        return positions[skip : skip + stop - start]

    def form(self, n: int) -> np.ndarray:
        """Form ``n``'s positions, from its own bytes (no search in ``offsets``)."""
        count = int(self.offsets[n + 1]) - int(self.offsets[n])
        return decode_runs(self.data[int(self.byte_offsets[n]) : int(self.byte_offsets[n + 1])], np.array([count]))

    def release(self, start: int, stop: int) -> None:
        if start <= 0 and stop >= self._length:  # everything: no search for the forms
            release_rows(self.data, 0, len(self.data))
        elif stop > start:
            first, last = self._forms(start, stop)
            release_rows(self.data, int(self.byte_offsets[first]), int(self.byte_offsets[last]))

    def _take(self, positions: np.ndarray) -> np.ndarray:
        if not len(positions):
            return np.zeros(0, dtype=np.int64)
        low, high = int(positions.min()), int(positions.max()) + 1
        return self._range(low, high)[positions - low]


class PartitionedPositions:
    """The positions half of the inverted index of a partitioned snapshot: ``offsets`` (corpus
    normalised form → where its positions start, as in one index) over the partitions' own
    indexes. A slice ``[offsets[n]:offsets[n + 1]]`` (what ``core.query`` reads) gathers form
    ``n``'s positions partition by partition: ``norm_maps[p]`` (increasing) gives the local form,
    the partition's ``GapCodedPositions`` its local positions, ``token_starts[p]`` is added. Any
    slice works; values are int64."""

    dtype = np.dtype(np.int64)
    ndim = 1

    def __init__(self, offsets, norm_maps, local_positions: list[GapCodedPositions], token_starts):
        self.offsets = np.asarray(offsets, dtype=np.int64)
        self.norm_maps, self.local_positions = norm_maps, local_positions
        self.token_starts = [int(s) for s in token_starts]

    def __len__(self) -> int:
        return int(self.offsets[-1])

    @property
    def shape(self) -> tuple[int]:
        return (len(self),)

    def of_norm(self, norm: int, token_range: tuple[int, int] | None = None) -> np.ndarray:
        """Every position of corpus normalised form ``norm``, sorted; only those in
        ``token_range`` ``(start, stop)`` when given, read from the partitions it overlaps (a
        chunk's hits of "the" without gathering every "the" of the corpus)."""
        pieces = []
        for part, norm_map in enumerate(self.norm_maps):
            begin = self.token_starts[part]
            if token_range is not None and (begin >= token_range[1] or (part + 1 < len(self.token_starts) and self.token_starts[part + 1] <= token_range[0])):
                continue
            local = int(np.searchsorted(norm_map, norm))
            if local < len(norm_map) and int(norm_map[local]) == norm:
                positions = self.local_positions[part]
                run = positions.form(local)
                if token_range is not None:
                    low, high = np.searchsorted(run, (token_range[0] - begin, token_range[1] - begin))
                    run = run[low:high]
                pieces.append(run + begin)
                # copied: the pages leave the process (all of them: a fault maps its neighbours too)
                positions.release(0, len(positions))
        return np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int64)

    def __getitem__(self, key):
        if not isinstance(key, slice):
            return np.asarray(self)[key]
        start, stop, step = key.indices(len(self))
        if stop <= start:
            return np.zeros(0, dtype=np.int64)
        norm = int(np.searchsorted(self.offsets, start, side="right")) - 1
        pieces = []
        while norm < len(self.offsets) - 1 and int(self.offsets[norm]) < stop:
            first, end = int(self.offsets[norm]), int(self.offsets[norm + 1])
            if end > first:
                pieces.append(self.of_norm(norm)[max(start, first) - first : min(stop, end) - first])
            norm += 1
        found = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int64)
        return found if step == 1 else found[::step]

    def __array__(self, dtype=None, copy=None):
        whole = self[0 : len(self)]
        return whole if dtype is None else whole.astype(dtype, copy=False)

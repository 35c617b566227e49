"""Per-document lists held packed (issue 18): a warm load of 890,000 documents must not hold a
Python object per document.

``PackedNames`` holds strings (document ids, file names) as one UTF-8 blob, each ended by NUL
(the form of ``ingest.snapshot.join_names``), and decodes one when it is read; ``SharedRows``
holds a reference per item to one of a few distinct objects (documents' metadata dicts) as an
index array. Both read as the lists they replace (``len``, indexing, slices, iteration,
``in``, ``index``, equality with a list, ``list(...)``) and are read-only::

    names = PackedNames.of(["a.txt", "b/c.txt"])
    names[1], len(names), list(names)     # 'b/c.txt', 2, ['a.txt', 'b/c.txt']
    names == ["a.txt", "b/c.txt"]         # True
    rows = SharedRows([{"genre": "blog"}, {}], np.array([1, 0, 0]))
    rows[1] is rows[2]                    # True: documents with the same metadata share one dict
"""

from __future__ import annotations

import operator
from array import array
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np

#: Names decoded together when a packed list is iterated (one ``decode`` and ``split`` each).
_ITERATE = 4096


def _encode(name: str) -> bytes:
    # surrogateescape: a file name that is not UTF-8 round-trips (as join_names writes it)
    return name.encode("utf-8", "surrogateescape")


def _int64s(values: np.ndarray) -> array:
    packed = array("q")
    packed.frombytes(np.ascontiguousarray(values, dtype=np.int64).tobytes())
    return packed


class PackedNames(Sequence):
    """Strings as one blob of ``name + NUL`` each and where each ends; ``append`` adds one
    (discovery builds it so). A name's 20-100 bytes as a ``str`` took ~90 bytes more, and a
    list one pointer more: ~100 MB at 890,000 documents, held by every command."""

    __slots__ = ("_data", "_ends")

    def __init__(self, data: bytes | bytearray = b"", ends: array | None = None):
        """``data``: names each ended by NUL; ``ends``: where each ends (just after its NUL),
        found in ``data`` when first needed if not given. A ``ValueError`` when ``data`` is cut
        short (does not end with NUL)."""
        if data and not data.endswith(b"\0"):
            raise ValueError("truncated name list")
        self._data = data
        self._ends = ends

    @classmethod
    def of(cls, names: Iterable[str] = ()) -> PackedNames:
        """``names`` packed; more can be appended."""
        packed = cls(bytearray(), array("q"))
        for name in names:
            packed.append(name)
        return packed

    @classmethod
    def joined(cls, parts: Sequence[PackedNames]) -> PackedNames:
        """The names of ``parts`` one after the other (the partitions' document ids)."""
        if len(parts) == 1:
            return parts[0]
        data = b"".join(bytes(part._data) for part in parts)
        ends, at = [], 0
        for part in parts:
            ends.append(np.asarray(part.ends, dtype=np.int64) + at)
            at += len(part._data)
        return cls(data, _int64s(np.concatenate(ends)) if ends else array("q"))

    def append(self, name: str) -> None:
        """Add ``name`` at the end (a list made by ``of`` or ``PackedNames(bytearray(), array("q"))``)."""
        self._data += _encode(name) + b"\0"
        self._ends.append(len(self._data))

    def truncate(self, count: int) -> None:
        """Keep the first ``count`` names only (a list made by ``of``)."""
        if count < len(self):
            del self._data[int(self.ends[count - 1]) if count else 0 :]
            del self._ends[count:]

    @property
    def data(self) -> bytes | bytearray:
        """Every name ended by NUL, as ``join_names`` gives them (compare with ``==``: a file
        list is unchanged exactly when these bytes are)."""
        return self._data

    @property
    def ends(self) -> array:
        """Where each name ends in ``data``, just after its NUL (int64; an ``array``, whose
        items are Python ints: indexing is what a document id costs)."""
        if self._ends is None:
            self._ends = _int64s(np.flatnonzero(np.frombuffer(self._data, dtype=np.uint8) == 0) + 1)
        return self._ends

    def __len__(self) -> int:
        return len(self.ends)

    def _name(self, index: int) -> str:
        ends = self.ends
        start = ends[index - 1] if index else 0
        return self._data[start : ends[index] - 1].decode("utf-8", "surrogateescape")

    def __getitem__(self, index):
        ends = self._ends if self._ends is not None else self.ends
        if type(index) is not int:
            if isinstance(index, slice):
                return [self._name(i) for i in range(*index.indices(len(ends)))]
            index = operator.index(index)  # numpy integers too
        if index < 0:
            index += len(ends)
        if not 0 <= index < len(ends):
            raise IndexError("name index out of range")
        start = ends[index - 1] if index else 0
        return self._data[start : ends[index] - 1].decode("utf-8", "surrogateescape")

    def __iter__(self) -> Iterator[str]:
        ends, data, start = self.ends, self._data, 0
        for first in range(0, len(ends), _ITERATE):
            stop = int(ends[min(first + _ITERATE, len(ends)) - 1])
            yield from data[start : stop - 1].decode("utf-8", "surrogateescape").split("\0")
            start = stop

    def __contains__(self, name: object) -> bool:
        return self._offset(name) >= 0

    def _offset(self, name: object) -> int:
        """Where the first ``name`` starts in ``data`` (-1: not there)."""
        if not isinstance(name, str):
            return -1
        try:
            key = _encode(name) + b"\0"
        except UnicodeEncodeError:
            return -1
        if self._data.startswith(key):
            return 0
        at = self._data.find(b"\0" + key)
        return at + 1 if at >= 0 else -1

    def index(self, name: str, start: int = 0, stop: int | None = None) -> int:
        if start or stop is not None:
            return super().index(name, start, len(self) if stop is None else stop)
        at = self._offset(name)
        if at < 0:
            raise ValueError(f"{name!r} is not in list")
        return int(np.searchsorted(np.asarray(self.ends), at, side="right"))

    def take(self, indices) -> PackedNames:
        """The names at ``indices`` (non-negative), in that order, packed: their bytes copied,
        none decoded."""
        indices = np.asarray(indices, dtype=np.int64)
        ends = np.asarray(self.ends, dtype=np.int64)
        if len(indices) and (indices.min() < 0 or indices.max() >= len(ends)):
            raise IndexError("name index out of range")
        stops = ends[indices]
        starts = np.where(indices > 0, ends[np.maximum(indices - 1, 0)], 0)
        data, joined = self._data, bytearray()
        for first in range(0, len(indices), _ITERATE):
            joined += b"".join([data[a:b] for a, b in zip(starts[first : first + _ITERATE].tolist(), stops[first : first + _ITERATE].tolist())])
        return PackedNames(bytes(joined), _int64s(np.cumsum(stops - starts)))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PackedNames):
            return self._data == other._data
        if isinstance(other, list):
            return len(other) == len(self) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(list(self))

    def __reduce__(self):
        return (PackedNames, (bytes(self._data),))


class SharedRows(Sequence):
    """A row per item, each one of ``distinct`` (shared objects: documents' metadata dicts) by
    its number in ``of_item`` (an integer array): four bytes an item, not a list's eight, and
    one array of indices instead of a list per partition joined into another."""

    __slots__ = ("distinct", "of_item")

    def __init__(self, distinct: list[Any], of_item: np.ndarray):
        self.distinct = distinct
        self.of_item = np.asarray(of_item)

    @classmethod
    def joined(cls, parts: Sequence[SharedRows]) -> SharedRows:
        """The rows of ``parts`` one after the other; each part's distinct objects are kept as
        they are (the same objects, not merged)."""
        if len(parts) == 1:
            return parts[0]
        distinct, numbers = [], []
        for part in parts:
            numbers.append(np.asarray(part.of_item, dtype=np.int64) + len(distinct))
            distinct.extend(part.distinct)
        of_item = np.concatenate(numbers) if numbers else np.zeros(0, dtype=np.int64)
        return cls(distinct, of_item.astype(np.int32 if len(distinct) < 2**31 else np.int64))

    def __len__(self) -> int:
        return len(self.of_item)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self.distinct[i] for i in self.of_item[index].tolist()]
        return self.distinct[self.of_item[index]]

    def __iter__(self) -> Iterator[Any]:
        distinct = self.distinct
        for first in range(0, len(self.of_item), _ITERATE):
            yield from map(distinct.__getitem__, self.of_item[first : first + _ITERATE].tolist())

    def take(self, indices) -> SharedRows:
        """The rows at ``indices``, in that order (sharing the same objects)."""
        return SharedRows(self.distinct, self.of_item[np.asarray(indices, dtype=np.int64)])

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (SharedRows, list)):
            return len(other) == len(self) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(list(self))

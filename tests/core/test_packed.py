"""core.packed: per-document lists held packed (issue 18) read as the lists they replace."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from peercorpus.core.packed import PackedNames, SharedRows
from peercorpus.ingest.snapshot import join_names, split_names

# ASCII, accents, a name that was not UTF-8 on disk (surrogateescape), an empty one, a long one
NAMES = ["a.txt", "b/c.txt", "café/naïve.md", "caf\udce9.txt", "", "x" * 5000, "z/a.txt", "a.txt"]


def _both():
    return [PackedNames.of(NAMES), PackedNames(join_names(NAMES))]


def test_reads_as_the_list():
    for packed in _both():
        assert len(packed) == len(NAMES) and bool(packed)
        assert list(packed) == NAMES and packed == NAMES and NAMES == packed
        assert [packed[i] for i in range(len(NAMES))] == NAMES
        assert [packed[-i] for i in range(1, len(NAMES) + 1)] == [NAMES[-i] for i in range(1, len(NAMES) + 1)]
        assert packed[np.int64(2)] == NAMES[2]
        for part in (slice(1, 4), slice(-3, None), slice(None, None, -2), slice(5, 2)):
            assert packed[part] == NAMES[part]
        with pytest.raises(IndexError):
            packed[len(NAMES)]
        with pytest.raises(IndexError):
            packed[-len(NAMES) - 1]
        with pytest.raises(TypeError):
            packed[1.0]
        assert repr(packed) == repr(NAMES)


def test_membership_and_index_as_a_list():
    packed = PackedNames.of(NAMES)
    for name in [*NAMES, "c.txt", "a.tx", "b/c", "\udce9.txt", 3]:
        assert (name in packed) == (name in NAMES), name
        if name in NAMES:
            assert packed.index(name) == NAMES.index(name), name
    assert packed.index("a.txt", 1) == NAMES.index("a.txt", 1)
    with pytest.raises(ValueError):
        packed.index("c.txt")
    assert packed.count("a.txt") == 2


def test_equality_is_list_equality():
    packed = PackedNames.of(NAMES)
    assert packed != NAMES[:-1] and packed != [*NAMES[:-1], "b.txt"]
    assert packed != tuple(NAMES)  # as a list is not equal to a tuple
    assert PackedNames.of(["ab", "c"]) != PackedNames.of(["a", "bc"])  # the NULs are compared too
    assert PackedNames.of([]) == [] and not PackedNames.of([]) and list(PackedNames(b"")) == []


def test_blob_is_join_names_and_round_trips():
    packed = PackedNames.of(NAMES)
    assert bytes(packed.data) == join_names(NAMES)
    assert split_names(bytes(packed.data)) == NAMES
    assert pickle.loads(pickle.dumps(packed)) == NAMES
    with pytest.raises(ValueError):
        PackedNames(join_names(NAMES)[:-1])


def test_iteration_crosses_decoding_batches():
    names = [f"folder-{i % 7}/doc-{i}.txt" for i in range(10_001)]
    packed = PackedNames(join_names(names))
    assert list(packed) == names and packed[4096] == names[4096] and packed[-1] == names[-1]


def test_joined_and_take():
    first, second = PackedNames.of(NAMES[:3]), PackedNames(join_names(NAMES[3:]))
    joined = PackedNames.joined([first, second])
    assert joined == NAMES and joined[3] == NAMES[3] and joined.index("z/a.txt") == 6
    assert PackedNames.joined([first]) is first
    assert joined.take([5, 0, 3]) == [NAMES[5], NAMES[0], NAMES[3]]


def test_shared_rows_read_as_a_list_of_shared_objects():
    distinct = [{"genre": "blog"}, {}, {"year": 2020}]
    rows = SharedRows(distinct, np.array([1, 0, 0, 2, 1], dtype=np.int32))
    expected = [distinct[i] for i in (1, 0, 0, 2, 1)]
    assert len(rows) == 5 and list(rows) == expected and rows == expected
    assert rows[1] is rows[2] is distinct[0] and rows[-1] is distinct[1]
    assert rows[1:4] == expected[1:4]
    with pytest.raises(IndexError):
        rows[5]
    assert rows.take([3, 0]) == [distinct[2], distinct[1]]
    again = SharedRows.joined([rows, SharedRows([{"genre": "news"}], np.array([0, 0]))])
    assert again == [*expected, {"genre": "news"}, {"genre": "news"}] and again[0] is distinct[1]
    assert again != expected

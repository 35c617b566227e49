"""The inverted index's positions as LEB128 gaps (core/gaps.py, core.derived.GapCodedPositions):
any runs of ascending positions come back exactly, whole or sliced, as the plain array gives them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peercorpus.core.derived import GapCodedPositions
from peercorpus.core.gaps import decode_runs, encode_gaps
from peercorpus.core.tokens import inverted_index

# runs of distinct ascending positions, some empty, with gaps of every varint length (1-6 bytes)
_runs = st.lists(
    st.lists(st.integers(min_value=0, max_value=2**40), max_size=30, unique=True).map(sorted),
    min_size=1,
    max_size=12,
)


def _plain(runs: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    offsets = np.concatenate([[0], np.cumsum([len(r) for r in runs])]).astype(np.int64)
    positions = np.array([p for r in runs for p in r], dtype=np.int64)
    return positions, offsets


@settings(max_examples=200, deadline=None)
@given(_runs)
def test_runs_come_back_exactly(runs):
    positions, offsets = _plain(runs)
    data, byte_offsets = encode_gaps(positions, offsets)
    assert data.dtype == np.uint8 and len(byte_offsets) == len(offsets) and byte_offsets[-1] == len(data)
    assert np.array_equal(decode_runs(data, np.diff(offsets)), positions)
    for n in range(len(runs)):
        one = decode_runs(data[byte_offsets[n] : byte_offsets[n + 1]], np.diff(offsets)[n : n + 1])
        assert one.tolist() == runs[n]


@settings(max_examples=200, deadline=None)
@given(_runs, st.data())
def test_any_slice_or_index_reads_as_the_plain_array(runs, data):
    positions, offsets = _plain(runs)
    coded = GapCodedPositions(offsets, *reversed(encode_gaps(positions, offsets)))
    assert len(coded) == len(positions) and np.array_equal(np.asarray(coded), positions)
    start = data.draw(st.integers(-len(positions) - 2, len(positions) + 2))
    stop = data.draw(st.integers(-len(positions) - 2, len(positions) + 2))
    assert np.array_equal(coded[start:stop], positions[start:stop])
    if len(positions):
        picks = data.draw(st.lists(st.integers(-len(positions), len(positions) - 1), max_size=8))
        assert np.array_equal(coded[np.array(picks, dtype=np.int64)], positions[np.array(picks, dtype=np.int64)])


def test_one_byte_for_a_frequent_form_and_the_gap_sizes_as_documented():
    every_third = np.arange(0, 3000, 3)
    data, _ = encode_gaps(every_third, np.array([0, len(every_third)]))
    assert len(data) == len(every_third)  # each gap (3; the first, 0) in one byte
    data, _ = encode_gaps(np.array([127, 128 + 127, 128 + 127 + 16384]), np.array([0, 3]))
    assert data.tolist() == [127, 0x80, 0x01, 0x80, 0x80, 0x01]


def test_an_index_made_from_tokens_reads_back_through_the_gaps():
    rng = np.random.default_rng(7)
    ids = rng.zipf(1.3, 200_000) % 5000
    norm_of_type = np.arange(5000) // 2  # two spellings a form
    offsets, positions = inverted_index(ids, norm_of_type, 2500)
    data, byte_offsets = encode_gaps(positions, offsets)
    coded = GapCodedPositions(offsets, byte_offsets, data)
    for n in (0, 1, 7, 2499):
        assert np.array_equal(coded[offsets[n] : offsets[n + 1]], positions[offsets[n] : offsets[n + 1]])
    assert len(data) < 2.2 * len(positions)  # 8 bytes a position in memory, 4 stored before


def test_positions_out_of_order_or_gaps_cut_short_are_errors():
    with pytest.raises(ValueError, match="not ascending"):
        encode_gaps(np.array([5, 3]), np.array([0, 2]))
    data, _ = encode_gaps(np.array([70000]), np.array([0, 1]))
    with pytest.raises(ValueError, match="do not match"):
        decode_runs(data[:-1], np.array([1]))


def test_a_snapshot_stores_gaps_and_reads_back_the_index_its_tokens_give(sample_corpus, monkeypatch):
    from peercorpus import load_corpus

    for documents in (None, 2):  # one partition, then several (PartitionedPositions over gaps)
        if documents:
            monkeypatch.setenv("PEERCORPUS_PARTITION_DOCUMENTS", str(documents))
        corpus = load_corpus(sample_corpus)
        folder = Path(corpus.load_report.snapshot)
        assert list(folder.rglob("index_gaps.npy")) and not list(folder.rglob("index_positions.npy"))
        tokens = corpus.tokens
        offsets, positions = inverted_index(np.asarray(tokens.ids), np.asarray(tokens.norm_of_type), len(tokens.norm_vocab))
        assert np.array_equal(np.asarray(tokens.index[0]), offsets)
        assert np.array_equal(np.asarray(tokens.index[1]), positions)
        hope = tokens.norm_vocab.index("hope")
        assert np.array_equal(tokens.positions_of_norm(hope), positions[offsets[hope] : offsets[hope + 1]])

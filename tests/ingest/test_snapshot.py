"""Streaming a snapshot: arrays written row by row equal np.save's, the index made in parts
equals a stable argsort, and a cold load keeps nothing it did not mean to."""

import io
import tempfile

import numpy as np
import pytest
from numpy.lib import format as npy_format

from peercorpus import load_corpus
from peercorpus.core.chunks import read_rows
from peercorpus.core.tokens import index_offsets, index_positions, inverted_index
from peercorpus.ingest.assemble import _form_ranges
from peercorpus.ingest.snapshot import SnapshotWriter, map_array


@pytest.mark.parametrize("array", [
    np.arange(10, dtype=np.int32), np.arange(12, dtype=np.uint16).reshape(6, 2), np.zeros(0, dtype=np.int64),
    np.array([b"ab", b"cd"], dtype="S49"), np.arange(5, dtype=">i8"), np.array(7, dtype=np.int32),
    np.asfortranarray(np.arange(6).reshape(2, 3)), np.arange(300_000, dtype=np.int64),
], ids=["int32", "2-d", "empty", "bytes", "big-endian", "0-d", "fortran", "large"])
def test_map_array_is_np_load_with_a_memory_map(tmp_path, array):
    np.save(tmp_path / "a.npy", array, allow_pickle=False)
    mapped, loaded = map_array(tmp_path / "a.npy"), np.load(tmp_path / "a.npy", mmap_mode="r", allow_pickle=False)
    assert type(mapped) is type(loaded) and mapped.dtype == loaded.dtype and mapped.shape == loaded.shape
    assert np.array_equal(mapped, array) and not mapped.flags.writeable and mapped.flags.f_contiguous == loaded.flags.f_contiguous
    if array.ndim == 1 and len(array):  # a pass over it can release the pages it read (chunks.release_rows)
        assert mapped._mmap is not None and np.array_equal(read_rows(mapped, 1, 4), array[1:4])


def test_map_array_of_a_cut_file_or_a_damaged_shape_is_a_value_error(tmp_path):
    np.save(tmp_path / "a.npy", np.arange(1000, dtype=np.int64), allow_pickle=False)
    (tmp_path / "a.npy").write_bytes((tmp_path / "a.npy").read_bytes()[:-8])
    with pytest.raises(ValueError):
        map_array(tmp_path / "a.npy")
    header = io.BytesIO()  # a shape whose size overflows 64 bits
    npy_format.write_array_header_1_0(header, {"descr": "<i8", "fortran_order": False, "shape": (2**40, 2**40)})
    (tmp_path / "b.npy").write_bytes(header.getvalue() + bytes(64))
    with pytest.raises(ValueError):
        map_array(tmp_path / "b.npy")


@pytest.mark.parametrize("parts", [[(3, 2), (0, 2), (1, 2)], [(0, 2)], [(5,), (0,), (7,)], [(0,)]])
def test_growing_arrays_are_byte_identical_to_np_save(tmp_path, parts):
    (tmp_path / "snap").mkdir()
    writer = SnapshotWriter(tmp_path / "snap")
    rng = np.random.default_rng(0)
    chunks = [rng.integers(-5, 5, size=shape).astype(np.int32) for shape in parts]
    for chunk in chunks:
        writer.append("a", chunk)
    rows = writer.rows("a")
    whole = np.concatenate(chunks)
    np.save(tmp_path / "expected.npy", whole, allow_pickle=False)
    assert (tmp_path / "snap" / "a.npy").read_bytes() == (tmp_path / "expected.npy").read_bytes()
    assert len(rows) == len(whole)
    assert np.array_equal(rows[1:3], whole[1:3]) and np.array_equal(rows[0:100], whole)
    writer.discard()
    assert not (tmp_path / "snap").exists()


def test_index_in_parts_is_a_stable_argsort():
    rng = np.random.default_rng(1)
    norm_of_type = rng.integers(0, 40, size=300).astype(np.int32)
    norm_of_type[:40] = np.arange(40)  # every form used by some type
    ids = rng.integers(0, 300, size=20_000).astype(np.int32)
    expected = np.argsort(norm_of_type[ids], kind="stable")
    offsets = index_offsets(ids, norm_of_type, 40, chunk=999)
    assert np.array_equal(offsets, np.concatenate([[0], np.cumsum(np.bincount(norm_of_type[ids], minlength=40))]))
    for size in (1, 700, 10**9):
        parts = [index_positions(ids, norm_of_type, offsets, a, b, chunk=999) for a, b in _form_ranges(offsets, size)]
        assert np.array_equal(np.concatenate(parts), expected)
    assert np.array_equal(inverted_index(ids, norm_of_type, 40)[1], expected)


def test_index_of_more_forms_than_16_bits_count_is_a_stable_argsort():
    """Positions are ordered by form with 16-bit radix passes (``stable_order``): two of them past
    65,536 forms."""
    rng = np.random.default_rng(2)
    for n_norms in (65_536, 65_537, 300_000):
        norm_of_type = rng.permutation(n_norms).astype(np.int32)
        ids = rng.integers(0, n_norms, size=50_000).astype(np.int32)
        ids[:3] = [0, n_norms - 1, 0]
        expected = np.argsort(norm_of_type[ids], kind="stable")
        assert np.array_equal(inverted_index(ids, norm_of_type, n_norms)[1], expected)
        offsets = index_offsets(ids, norm_of_type, n_norms)
        middle = n_norms // 3
        assert np.array_equal(index_positions(ids, norm_of_type, offsets, middle, n_norms, chunk=7_001),
                              expected[offsets[middle] :])


def test_cold_load_without_cache_leaves_no_temporary_folder(mini_corpus, tmp_path, monkeypatch):
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    cold = load_corpus(mini_corpus, use_cache=False)
    assert list(temporary.iterdir()) == []
    cached = load_corpus(mini_corpus, cache_dir=tmp_path / "cache")
    assert np.array_equal(cold.tokens.ids, cached.tokens.ids)
    assert [cold.text(i) for i in range(len(cold))] == [cached.text(i) for i in range(len(cached))]
    assert cold.documents == cached.documents


def test_shards_are_stored_compressed_and_read_back_whole(mini_corpus):
    import numpy as np

    from peercorpus.config import Config
    from peercorpus.ingest.shard import process_file
    from peercorpus.ingest.store import decode_shard, encode_shard

    path = sorted(p for p in mini_corpus.iterdir() if p.suffix == ".txt")[0]
    shard = process_file(path, mini_corpus, Config())

    packed, plain = encode_shard(shard), encode_shard(shard, compress=False)
    again = decode_shard(packed)

    assert packed.startswith(b"PCSHARDT") and len(packed) < len(plain)
    assert again.documents == shard.documents and again.vocab == shard.vocab
    assert all(np.array_equal(again.arrays[name], shard.arrays[name]) for name in shard.arrays)
    assert decode_shard(plain).vocab == shard.vocab  # packs written before compression still read

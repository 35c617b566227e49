"""A snapshot partitioned by documents (issue 18, format 5): several partitions give the corpus,
array for array and answer for answer, that one partition gives; a damaged partition is rebuilt."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from conftest import SAMPLE
from peercorpus import load_corpus
from peercorpus.core.derived import GapCodedPositions, PartitionedArray, PartitionedPositions, RunNumbers
from peercorpus.core.gaps import encode_gaps

# every array of Tokens a snapshot gives, compared value for value and dtype for dtype
ARRAYS = ("ids", "doc_starts", "char_starts", "char_ends", "sentence", "paragraph", "sentence_spans", "sentence_doc", "paragraph_spans", "paragraph_doc")


def _partitioned(monkeypatch, documents: int = 1, tokens: int | None = None) -> None:
    monkeypatch.setenv("PEERCORPUS_PARTITION_DOCUMENTS", str(documents))
    if tokens is not None:
        monkeypatch.setenv("PEERCORPUS_PARTITION_TOKENS", str(tokens))


def _snapshot(corpus) -> Path:
    return Path(corpus.load_report.snapshot)


_EXPECTED: list = []  # [corpus, its whole arrays]: the expected side of the last comparison


def _whole_arrays(corpus) -> dict:
    """The arrays of ``corpus`` that a comparison reads whole, read once for the expected side:
    a test that compares several corpora with one (test_a_damaged_partition_file_is_rebuilt_not_a_wrong_answer,
    five) decodes its gap-coded index once, not once a comparison (two thirds of its time)."""
    if _EXPECTED and _EXPECTED[0] is corpus:
        return _EXPECTED[1]
    tokens = corpus.tokens
    offsets, positions = tokens.index
    whole = {
        "arrays": {name: np.asarray(getattr(tokens, name)) for name in ARRAYS},
        "offsets": np.asarray(offsets),
        "positions": np.asarray(positions, dtype=np.int64),
        "of_norm": [tokens.positions_of_norm(norm) for norm in range(0, len(tokens.norm_vocab), 7)],
    }
    _EXPECTED[:] = [corpus, whole]
    return whole


def _assert_same_corpus(one, many) -> None:
    a, b = one.tokens, many.tokens
    expected = _whole_arrays(one)
    assert a.vocab == b.vocab and a.norm_vocab == b.norm_vocab
    assert np.array_equal(a.norm_of_type, b.norm_of_type)
    for name in ARRAYS:
        left, right = expected["arrays"][name], np.asarray(getattr(b, name))
        assert left.dtype == right.dtype and left.shape == right.shape and np.array_equal(left, right), name
    offsets_b, positions_b = b.index
    assert np.array_equal(expected["offsets"], np.asarray(offsets_b))
    assert np.array_equal(expected["positions"], np.asarray(positions_b))
    for number, norm in enumerate(range(0, len(a.norm_vocab), 7)):
        assert np.array_equal(expected["of_norm"][number], b.positions_of_norm(norm))
    assert one.doc_ids == many.doc_ids
    assert [one.text(i) for i in range(len(one))] == [many.text(i) for i in range(len(many))]
    assert [d.__dict__ for d in one.documents] == [d.__dict__ for d in many.documents]
    # indexing as analyses do: slices across partitions, fancy and boolean indexes, chunks' reads
    n = len(a.ids)
    rng = np.random.default_rng(0)
    picks = rng.integers(0, n, 50)
    for name in ("ids", "char_starts", "char_ends", "sentence", "paragraph"):
        left, right = getattr(a, name), getattr(b, name)
        assert np.array_equal(np.asarray(left[picks]), right[picks]), name
        assert np.array_equal(np.asarray(left[n // 3 : 2 * n // 3]), right[n // 3 : 2 * n // 3]), name
        assert int(left[n - 1]) == int(right[-1]), name
        mask = np.zeros(n, dtype=bool)
        mask[picks] = True
        assert np.array_equal(np.asarray(left[mask]), right[mask]), name
        assert np.array_equal(np.asarray(left[10:n]), right.read_rows(10, n)), name
    spans = np.arange(len(a.sentence_spans))[::3]
    assert np.array_equal(np.asarray(a.sentence_spans[spans]), b.sentence_spans[spans])
    assert np.array_equal(np.asarray(a.sentence_spans)[:, 0], b.sentence_spans[:, 0])


def test_tiny_partitions_give_the_sample_corpus_array_for_array(sample_corpus, tmp_path, monkeypatch):
    one = load_corpus(sample_corpus, cache_dir=tmp_path / "one")
    _partitioned(monkeypatch, documents=1)
    many = load_corpus(sample_corpus, cache_dir=tmp_path / "many")
    parts = json.loads((_snapshot(many) / "manifest.json").read_text())["partitions"]
    assert [p["name"] for p in parts] == [f"part-{i:05d}" for i in range(5)]
    assert [p["documents"] for p in parts] == [1] * 5
    assert json.loads((_snapshot(one) / "manifest.json").read_text())["partitions"][0]["documents"] == 5
    _assert_same_corpus(one, many)
    # and warm, opened from the partitions again
    _assert_same_corpus(one, load_corpus(sample_corpus, cache_dir=tmp_path / "many"))


@pytest.mark.parametrize("documents", [1, 2, 1000])
def test_a_warm_load_holds_ids_and_metadata_packed_as_the_documents_give_them(sample_corpus, tmp_path, monkeypatch, documents):
    """Issue 18: a warm load holds document ids and metadata packed (core.packed), not a Python
    object a document, and they read as the documents' own, partition boundaries or not."""
    from peercorpus.core.packed import PackedNames, SharedRows

    _partitioned(monkeypatch, documents=documents)
    cold = load_corpus(sample_corpus, cache_dir=tmp_path / "c")
    warm = load_corpus(sample_corpus, cache_dir=tmp_path / "c")
    assert warm.load_report.from_snapshot and len(warm) == 5
    lazy = warm._lazy
    assert isinstance(lazy.doc_ids, PackedNames) and isinstance(lazy.metadata, SharedRows)
    decoded = [warm.document(i) for i in range(len(warm))]
    assert warm.doc_ids == [d.doc_id for d in decoded] == [d.doc_id for d in cold.documents]
    assert type(warm.doc_ids) is list
    assert [warm.doc_id(i) for i in range(5)] == [d.doc_id for d in decoded]
    assert list(warm.metadata_rows()) == [d.metadata for d in decoded] == [d.metadata for d in cold.documents]
    assert [warm.doc_metadata(i) for i in range(5)] == [d.metadata for d in decoded]
    assert warm.fields() == cold.fields() and warm.values("genre") == cold.values("genre")
    blogs = warm.where(["genre=blog"])
    assert blogs.doc_ids == cold.where(["genre=blog"]).doc_ids and len(blogs.doc_ids) >= 1
    assert list(blogs.metadata_rows()) == [m for m in cold.metadata_rows() if m.get("genre") == "blog"]
    assert isinstance(blogs._lazy.doc_ids, PackedNames) and isinstance(blogs._lazy.metadata, SharedRows)
    shuffled = warm.subset([4, 0, 2])
    assert shuffled.doc_ids == [decoded[i].doc_id for i in (4, 0, 2)]
    assert list(shuffled.metadata_rows()) == [decoded[i].metadata for i in (4, 0, 2)]
    assert shuffled.subset([2, 0]).doc_ids == [decoded[2].doc_id, decoded[4].doc_id]


def test_partitions_cut_by_tokens_hold_whole_files(sample_corpus, tmp_path, monkeypatch):
    _partitioned(monkeypatch, documents=1000, tokens=3000)
    many = load_corpus(sample_corpus, cache_dir=tmp_path / "many")
    parts = json.loads((_snapshot(many) / "manifest.json").read_text())["partitions"]
    assert 1 < len(parts) < 5 and sum(p["tokens"] for p in parts) == len(many.tokens)
    # each cut before the file that would have passed the limit: a partition reaches it only with its last file
    assert all(p["tokens"] - 1 < 3000 + max(many.tokens.doc_lengths) for p in parts)
    _assert_same_corpus(load_corpus(sample_corpus, cache_dir=tmp_path / "one_", use_cache=False), many)


def test_analyses_on_partitions_match_one_partition(sample_corpus, tmp_path, monkeypatch):
    import peercorpus as pc

    one = load_corpus(sample_corpus, cache_dir=tmp_path / "one")
    _partitioned(monkeypatch, documents=2)
    many = load_corpus(sample_corpus, cache_dir=tmp_path / "many")
    assert len(json.loads((_snapshot(many) / "manifest.json").read_text())["partitions"]) == 3
    for run in (
        lambda c: pc.frequency(c),
        lambda c: pc.kwic(c, "lived experience"),
        lambda c: pc.kwic(c, "support*", sort="R1"),
        lambda c: pc.collocations(c),
        lambda c: pc.keyness(c, target=["genre=blog"]),
        lambda c: pc.dispersion(c, ["recovery", "boundaries"]),
        lambda c: pc.stats(c),
    ):
        left, right = run(one), run(many)
        frames = left if isinstance(left, tuple) else (left,)
        others = right if isinstance(right, tuple) else (right,)
        for x, y in zip(frames, others):
            assert x.equals(y) if hasattr(x, "equals") else x == y


def test_a_corpus_without_a_cache_is_partitioned_too(sample_corpus, monkeypatch):
    _partitioned(monkeypatch, documents=2)
    corpus = load_corpus(sample_corpus, use_cache=False)
    assert isinstance(corpus.tokens.ids, PartitionedArray)
    assert corpus.text(4) and len(corpus.tokens.ids) == corpus.tokens.doc_starts[-1]


@pytest.fixture(scope="module")
def two_document_partitions(tmp_path_factory) -> tuple:
    """The sample corpus in partitions of two documents, read once for the damaged-partition
    tests: (the corpus read without a cache, a cache folder holding its snapshot, which each
    test copies and damages)."""
    with pytest.MonkeyPatch.context() as patch:
        _partitioned(patch, documents=2)
        expected = load_corpus(SAMPLE, use_cache=False)
        template = tmp_path_factory.mktemp("two-document-partitions")
        load_corpus(SAMPLE, cache_dir=template)
    return expected, template


@pytest.mark.parametrize("how", ["truncate", "flip", "delete"])
def test_a_damaged_partition_file_is_rebuilt_not_a_wrong_answer(sample_corpus, tmp_path, monkeypatch, two_document_partitions, how):
    _partitioned(monkeypatch, documents=2)
    expected, template = two_document_partitions
    cache = tmp_path / "cache"
    shutil.copytree(template, cache)
    folder = _snapshot(load_corpus(sample_corpus, cache_dir=cache))
    assert folder.is_relative_to(cache)
    for name in ("part-00001/ids.npy", "part-00002/vocab.json.z", "type_map.npy", "norm_map.npy", "part-00000/index_gaps.npy"):
        target = folder / name
        data = target.read_bytes()
        if how == "truncate":
            target.write_bytes(data[: len(data) // 2])
        elif how == "flip":
            flipped = bytearray(data)
            flipped[len(data) // 2] ^= 0x40
            target.write_bytes(bytes(flipped))
        else:
            target.unlink()
        again = load_corpus(sample_corpus, cache_dir=cache, verify_cache=True)
        _assert_same_corpus(expected, again)
        folder = _snapshot(again)


def test_partitioned_array_reads_across_partitions():
    parts = [np.array([0, 1], dtype=np.uint16), np.array([0, 0, 1], dtype=np.uint16), np.array([], dtype=np.uint16), np.array([2, 0], dtype=np.uint16)]
    maps = [np.array([0, 1]), np.array([1, 2]), np.array([], dtype=np.int64), np.array([0, 3, 4])]
    ids = PartitionedArray(parts, [0, 2, 5, 5, 7], maps=maps, dtype=np.uint16)
    whole = np.array([0, 1, 1, 1, 2, 4, 0], dtype=np.uint16)
    assert len(ids) == 7 and ids.shape == (7,)
    assert np.array_equal(np.asarray(ids), whole) and np.asarray(ids).dtype == np.uint16
    for key in (slice(1, 6), slice(None, None, 2), slice(5, 2), [6, 0, 3], np.array([[1, 2], [5, 6]]), -1, 4, whole > 0):
        assert np.array_equal(ids[key], whole[key]), key
    assert np.array_equal(ids.read_rows(1, 7), whole[1:7])
    with pytest.raises(IndexError):
        ids[7]
    numbers = PartitionedArray([RunNumbers(np.array([0, 2]), 3), RunNumbers(np.array([0]), 2)], [0, 3, 5], offsets=[0, 2], dtype=np.int32)
    assert np.asarray(numbers).tolist() == [0, 0, 1, 2, 2]
    spans = PartitionedArray([np.array([[0, 4], [5, 9]]), np.array([[0, 3]])], [0, 2, 3], dtype=np.int32)
    assert spans.shape == (3, 2) and spans[2].tolist() == [0, 3] and spans[[0, 2]].tolist() == [[0, 4], [0, 3]]
    assert spans[:, 1].tolist() == [4, 9, 3]


def _gap_coded(offsets, positions) -> GapCodedPositions:
    data, byte_offsets = encode_gaps(np.array(positions), np.array(offsets))
    return GapCodedPositions(np.array(offsets), byte_offsets, data)


def test_partitioned_positions_gather_a_form_partition_by_partition():
    # form 0 in both partitions, form 1 only in the second, form 2 only in the first
    positions = PartitionedPositions(
        offsets=[0, 3, 4, 5],
        norm_maps=[np.array([0, 2]), np.array([0, 1])],
        local_positions=[_gap_coded([0, 2, 3], [0, 2, 1]), _gap_coded([0, 1, 2], [1, 0])],
        token_starts=[0, 3],
    )
    assert positions[0:3].tolist() == [0, 2, 4]
    assert positions[3:4].tolist() == [3]
    assert positions[4:5].tolist() == [1]
    assert np.asarray(positions).tolist() == [0, 2, 4, 3, 1]
    assert positions[1:4].tolist() == [2, 4, 3]


# --- a rebuild re-assembles only the partitions whose files changed ------------------------------


WORDS = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa".split()


def _files_corpus(tmp_path, n: int = 8, furniture: int = 0) -> Path:
    """``n`` files of a few paragraphs; the first ``furniture`` end with the same short line."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(n):
        body = "".join(f"The {WORDS[j]} paragraph of the {WORDS[i + 6]} document talks about peer support and the sea.\n\n" for j in range(6))
        (corpus / f"d{i:02d}.txt").write_text(body + ("Share this article with a friend\n" if i < furniture else ""))
    return corpus


def _rebuilt(corpus, cache):
    again = load_corpus(corpus, cache_dir=cache)
    report = again.load_report
    _assert_same_corpus(load_corpus(corpus, use_cache=False), again)
    return report.partitions_reused, report.partitions_rebuilt, report.notices


def test_a_changed_added_or_removed_file_rebuilds_only_its_partition(tmp_path, monkeypatch):
    _partitioned(monkeypatch, documents=2)
    corpus, cache = _files_corpus(tmp_path), tmp_path / "cache"
    first = load_corpus(corpus, cache_dir=cache)
    assert (first.load_report.partitions_reused, first.load_report.partitions_rebuilt) == (0, 4)
    old = _snapshot(first)
    with open(corpus / "d03.txt", "a") as handle:
        handle.write("An edited paragraph about a lighthouse keeper.\n")
    assert _rebuilt(corpus, cache) == (3, 1, [])
    # the previous snapshot stays readable until it is retired: the corpus opened from it still answers
    assert old.is_dir() and first.text(3).startswith("The alpha paragraph of the juliet document")
    (corpus / "d08.txt").write_text("A new document about lighthouses and peer support.\n")
    assert _rebuilt(corpus, cache) == (4, 1, [])
    (corpus / "d00.txt").unlink()  # its partition's other file, d01, is assembled alone
    assert _rebuilt(corpus, cache) == (4, 1, [])
    (corpus / "d05.txt").unlink()
    (corpus / "d06.txt").write_text("Rewritten.\n")
    reused, rebuilt, _ = _rebuilt(corpus, cache)
    assert reused == 3 and rebuilt >= 1  # d01, d02-d03, d08 kept
    # kept partitions are the previous snapshot's files, linked, not copies
    current = Path(load_corpus(corpus, cache_dir=cache).load_report.snapshot)
    assert (current / "part-00000" / "ids.npy").stat().st_nlink >= 2 or reused == 0


def test_a_new_duplicate_of_a_later_document_rebuilds_that_partition(tmp_path, monkeypatch):
    _partitioned(monkeypatch, documents=2)
    corpus, cache = _files_corpus(tmp_path), tmp_path / "cache"
    load_corpus(corpus, cache_dir=cache)
    # a copy of d06 put first: d06 (a kept partition's) becomes "duplicate of" it
    (corpus / "a-copy.txt").write_bytes((corpus / "d06.txt").read_bytes())
    reused, rebuilt, _ = _rebuilt(corpus, cache)
    assert reused == 3 and rebuilt == 2
    again = load_corpus(corpus, cache_dir=cache)
    assert "duplicate of a-copy.txt" in again.document(again.doc_ids.index("d06.txt")).warnings


def test_when_the_repeated_lines_change_every_partition_is_rebuilt_and_said(tmp_path, monkeypatch):
    _partitioned(monkeypatch, documents=2)
    corpus, cache = _files_corpus(tmp_path, furniture=2), tmp_path / "cache"
    first = load_corpus(corpus, cache_dir=cache)
    assert first.repeated_lines == frozenset()
    # a third file with the line: it is now repeated across the corpus, and left out of all three
    with open(corpus / "d07.txt", "a") as handle:
        handle.write("Share this article with a friend\n")
    reused, rebuilt, notices = _rebuilt(corpus, cache)
    assert (reused, rebuilt) == (0, 4) and any("repeated across the corpus changed" in n for n in notices)
    again = load_corpus(corpus, cache_dir=cache)
    assert len(again.repeated_lines) == 1 and "Share this" not in again.text(0)
    # the set unchanged: a changed file that holds the line is read again without it, the rest kept
    with open(corpus / "d01.txt", "a") as handle:
        handle.write("One more paragraph about the sea.\n")
    assert _rebuilt(corpus, cache)[:2] == (3, 1)


def test_a_previous_snapshot_deleted_while_rebuilding_is_assembled_again(tmp_path, monkeypatch):
    """Another command retired and deleted the previous snapshot while this one was linking
    its partitions: what could not be linked is assembled from the shards, not an error."""
    from peercorpus.ingest import snapshot

    _partitioned(monkeypatch, documents=2)
    corpus, cache = _files_corpus(tmp_path), tmp_path / "cache"
    load_corpus(corpus, cache_dir=cache)
    real_link = snapshot.os.link

    def failing_link(source, target):  # part-00001's files are gone after its first one
        if Path(source).parent.name == "part-00001" and any(Path(target).parent.iterdir()):
            raise FileNotFoundError(2, "No such file or directory", str(source))
        return real_link(source, target)

    monkeypatch.setattr(snapshot.os, "link", failing_link)
    monkeypatch.setattr(snapshot.shutil, "copyfile", failing_link)
    with open(corpus / "d07.txt", "a") as handle:
        handle.write("An edited paragraph.\n")
    reused, rebuilt, _ = _rebuilt(corpus, cache)
    assert (reused, rebuilt) == (2, 2)


def test_a_site_with_furniture_keeps_its_line_keys_and_rebuilds_a_partition_at_a_time(tmp_path, monkeypatch):
    """Repeated lines found (their files read again, everything assembled a second time from the
    spill): each partition still keeps its files' line keys, so a later change is counted
    without reading the kept shards and rebuilds only its partition."""
    from test_ingest_scale import _site

    _partitioned(monkeypatch, documents=8)
    site, cache = _site(tmp_path / "site"), tmp_path / "cache"
    first = load_corpus(site, cache_dir=cache, workers=1)
    assert len(first.repeated_lines) == 2
    folder = _snapshot(first)
    counts = [int(np.load(folder / f"part-{i:05d}" / "line_key_counts.npy").sum()) for i in range(7)]
    assert all(counts)
    with open(site / "page30.txt", "a") as handle:
        handle.write("\nOne more paragraph about the harbour, long enough to be a paragraph of its own.\n")
    reused, rebuilt, notices = _rebuilt(site, cache)
    assert (reused, rebuilt, notices) == (6, 1, [])
    again = load_corpus(site, cache_dir=cache)
    assert again.repeated_lines == first.repeated_lines and "Twitter" not in again.text(30)


def test_ingest_says_how_many_cache_partitions_a_rebuild_kept(run, tmp_path, monkeypatch):
    _partitioned(monkeypatch, documents=2)
    corpus = _files_corpus(tmp_path)
    first = run("ingest", str(corpus))
    assert first.exit_code == 0 and "partitions kept" not in first.output
    with open(corpus / "d03.txt", "a") as handle:
        handle.write("An edited paragraph.\n")
    again = run("ingest", str(corpus))
    assert again.exit_code == 0 and "1 file tokenised; 3 of 4 cache partitions kept" in again.output
    verbose = run("-v", "ingest", str(corpus))
    assert "cache:" in verbose.output and "ids" in verbose.output  # sizes summed over the partitions


def test_ingest_keeps_no_partition_of_a_damaged_snapshot(tmp_path, monkeypatch):
    """A bit flipped in a large array is found by `ingest` (every checksum), not by every command:
    a rebuild under `ingest` keeps nothing of a snapshot that fails that check."""
    from peercorpus.ingest import store

    _partitioned(monkeypatch, documents=2)
    monkeypatch.setattr(store.check_snapshot_files, "__defaults__", (0,))  # every file counts as large
    corpus, cache = _files_corpus(tmp_path), tmp_path / "cache"
    folder = _snapshot(load_corpus(corpus, cache_dir=cache))
    ids = folder / "part-00000" / "ids.npy"
    data = bytearray(ids.read_bytes())
    data[-3] ^= 0x01
    ids.write_bytes(bytes(data))
    with open(corpus / "d07.txt", "a") as handle:
        handle.write("An edited paragraph.\n")
    again = load_corpus(corpus, cache_dir=cache, verify_cache=True)
    assert again.load_report.partitions_reused == 0 and any("damaged" in n for n in again.load_report.notices)
    _assert_same_corpus(load_corpus(corpus, use_cache=False), again)


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="sets POSIX resource limits")
def test_many_partitions_raise_the_open_files_limit_or_say_how(sample_corpus, tmp_path, monkeypatch):
    # Each partition keeps ~22 files open (a descriptor per memory map before Python 3.13):
    # a soft limit below what the partitions need is raised to the hard one, or a one-line error
    import resource
    import subprocess
    import sys

    _partitioned(monkeypatch, documents=1)
    load_corpus(sample_corpus, cache_dir=tmp_path / "cache")  # one partition a document
    command = [sys.executable, "-m", "peercorpus", "-q", "kwic", str(sample_corpus), "peer", "--cache-dir", str(tmp_path / "cache"), "-f", "csv"]

    def limited(soft: int, hard: int):
        return subprocess.run(command, capture_output=True, text=True,
                              preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard)))

    raised = limited(64, resource.getrlimit(resource.RLIMIT_NOFILE)[1])
    assert raised.returncode == 0, raised.stderr
    assert raised.stdout == limited(*resource.getrlimit(resource.RLIMIT_NOFILE)).stdout
    refused = limited(64, 64)
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1
    assert "open files" in refused.stderr and "ulimit -n" in refused.stderr and "Traceback" not in refused.stderr


def test_partitions_planned_from_facts_and_assembled_apart_are_the_local_ones(tmp_path, monkeypatch):
    """What a Dask worker does (issue 18), without Dask: the client plans the partitions from
    each shard's ``FileFacts`` (cuts, duplicates), then each partition is assembled alone by
    ``assemble_partition`` from its files' shards; every file is the local build's, byte for byte."""
    from peercorpus.config import load_config
    from peercorpus.ingest.assemble import FileFacts, PartitionPlanner, assemble_partition, shown_name
    from peercorpus.ingest.discover import discover
    from peercorpus.ingest.store import Store
    from peercorpus.io.base import relative_name

    _partitioned(monkeypatch, documents=3)
    corpus, cache = _files_corpus(tmp_path, n=9), tmp_path / "cache"
    (corpus / "d04.txt").write_bytes((corpus / "d01.txt").read_bytes())  # a duplicate, in another partition
    (corpus / "d07.txt").write_bytes((corpus / "d06.txt").read_bytes())  # and one in the same
    (corpus / "a-empty.txt").write_text("")  # files without documents: first, and last
    (corpus / "z-empty.txt").write_text("")
    snapshot = _snapshot(load_corpus(corpus, cache_dir=cache))
    manifest = json.loads((snapshot / "manifest.json").read_text())
    store, key = Store(cache), load_config(None).stream_key()
    hashes = store.read_files(snapshot, hashes=True).hashes
    planner, shards = PartitionPlanner(), {}
    for number, ((path, root), digest) in enumerate(zip(discover([corpus]).files, hashes)):
        if digest:
            shards[number] = (path, root, store.load_shard(key, digest))
            planner.add(number, shown_name(relative_name(path, root)), FileFacts.of(shards[number][2]))
    planned = planner.finish()
    assert [(p.name, len(p.files)) for p in planned] == [(p["name"], p["files"]) for p in manifest["partitions"]]
    assert any(p.duplicates for p in planned)
    for part in planned:
        folder = tmp_path / "apart" / part.name
        folder.mkdir(parents=True)
        files = [shards[number] for number in part.files]
        line_keys = {str(path): (shard.arrays["line_keys"], len(shard.documents)) for path, _, shard in files}
        record, vocab, _ = assemble_partition(folder, files, {}, duplicates=part.duplicates, line_keys=line_keys)
        assert {"name": part.name, **record, "types": len(vocab)} == manifest["partitions"][int(part.name[5:])]
        local = snapshot / part.name
        assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in local.iterdir())
        for path in folder.iterdir():
            assert path.read_bytes() == (local / path.name).read_bytes(), f"{part.name}/{path.name}"


def test_kept_partitions_before_a_file_that_cannot_be_read_now_keep_their_place(tmp_path, monkeypatch):
    _partitioned(monkeypatch, documents=2)
    corpus, cache = _files_corpus(tmp_path), tmp_path / "cache"
    load_corpus(corpus, cache_dir=cache)
    # d04 (the first file after two kept partitions) becomes unreadable: skipped, and the kept
    # partitions still come before d05, as a build from nothing places them
    (corpus / "d04.txt").write_bytes(b"\x00\x01\x02 binary \xff\xfe" * 64)
    reused, rebuilt, _ = _rebuilt(corpus, cache)
    assert (reused, rebuilt) == (3, 1)
    assert load_corpus(corpus, cache_dir=cache).doc_ids[:5] == ["d00.txt", "d01.txt", "d02.txt", "d03.txt", "d05.txt"]

"""A smaller cache (issue 18): what the snapshot and the shards leave out or narrow must read
back exactly, and damage must stay a one-line error or a rebuild."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from peercorpus import load_corpus
from peercorpus.config import Config, load_config
from peercorpus.core.chunks import ChunkTokens, document_chunks
from peercorpus.core.derived import RunNumbers, TokenEnds
from peercorpus.ingest.shard import process_file
from peercorpus.ingest.store import decode_shard, encode_shard

SAMPLE = Path(__file__).parent.parent.parent / "corpora"


def _cache_bytes(cache: Path) -> int:
    return sum(p.stat().st_size for p in cache.rglob("*") if p.is_file())


def _text_bytes(corpus) -> int:
    return sum(len(corpus.text(i).encode("utf-8")) for i in range(len(corpus)))


# --- the derived arrays ------------------------------------------------------------------


def _explicit_units(first: np.ndarray, length: int) -> np.ndarray:
    return np.array([max(int(np.searchsorted(first, p, side="right")) - 1, 0) for p in range(length)], dtype=np.int32)


@pytest.mark.parametrize("first", [[0, 3, 3, 5], [0, 1, 2, 3, 4, 5, 6], [0], [0, 7, 7, 7], [2, 4]])
def test_run_numbers_answer_every_kind_of_index_as_the_array_would(first):
    first = np.array(first)
    derived, explicit = RunNumbers(first, 7), _explicit_units(first, 7)
    assert np.asarray(derived).tolist() == explicit.tolist() and np.asarray(derived).dtype == np.int32
    for a in range(8):
        for b in range(a, 9):
            assert derived[a:b].tolist() == explicit[a:b].tolist()
    picks = np.array([6, 0, 3, 3, -1])
    assert derived[picks].tolist() == explicit[picks].tolist()
    mask = explicit % 2 == 0
    assert derived[mask].tolist() == explicit[mask].tolist()
    assert derived[4] == explicit[4] and derived[-1] == explicit[-1]
    assert derived.max() == explicit.max() and derived.max(initial=0) == explicit.max()
    assert derived.read_rows(2, 6).tolist() == explicit[2:6].tolist()
    assert len(derived) == 7 and derived.shape == (7,)
    with pytest.raises(IndexError):
        derived[7]


def test_token_ends_are_starts_plus_form_lengths_except_where_listed():
    vocab_lengths = np.array([3, 1, 5], dtype=np.int32)
    ids, starts = np.array([0, 1, 2, 0, 1], dtype=np.uint16), np.array([0, 4, 6, 0, 9], dtype=np.uint16)
    explicit = np.array([3, 5, 11, 2, 10], dtype=np.int32)  # token 3's end differs from its form's length
    ends = TokenEnds(starts, ids, vocab_lengths, np.array([3]), np.array([2], dtype=np.int32))
    assert np.asarray(ends).tolist() == explicit.tolist()
    assert ends[1:4].tolist() == explicit[1:4].tolist() and ends[np.array([4, 3, 0])].tolist() == explicit[[4, 3, 0]].tolist()
    assert ends[explicit > 4].tolist() == explicit[explicit > 4].tolist()


def test_token_ends_of_local_ids_read_their_lengths_through_the_type_map_when_first_read():
    """A partition's TokenEnds get the corpus' form lengths (uint16 when they fit) and the
    partition's type map; the local lengths are made when first read, and the ends are int32."""
    corpus_lengths = np.array([7, 3, 1, 5], dtype=np.uint16)
    type_map = np.array([1, 2, 3], dtype=np.int32)  # local id → corpus id
    ids, starts = np.array([0, 1, 2, 0, 1], dtype=np.uint16), np.array([0, 4, 6, 0, 9], dtype=np.uint16)
    explicit = np.array([3, 5, 11, 2, 10], dtype=np.int32)
    ends = TokenEnds(starts, ids, corpus_lengths, np.array([3]), np.array([2], dtype=np.int32), type_map=type_map)
    assert ends._type_map is not None  # nothing made yet
    assert np.asarray(ends).dtype == np.int32 and np.asarray(ends).tolist() == explicit.tolist()
    assert ends._type_map is None and ends.form_lengths.tolist() == [3, 1, 5]
    assert ends[np.array([4, 3, 0])].tolist() == explicit[[4, 3, 0]].tolist()


def test_snapshot_arrays_agree_with_the_texts_and_with_each_other(sample_corpus):
    corpus = load_corpus(sample_corpus)
    tokens = corpus.tokens
    assert tokens.ids.dtype == np.uint16 and tokens.char_starts.dtype == np.uint16  # 2,053 forms, short texts
    assert isinstance(tokens.sentence, RunNumbers) and isinstance(tokens.char_ends, TokenEnds)
    starts, ends = np.asarray(tokens.char_starts), np.asarray(tokens.char_ends)
    sentence, paragraph = np.asarray(tokens.sentence), np.asarray(tokens.paragraph)
    for doc in range(len(corpus)):
        text, part = corpus.text(doc), tokens.doc_slice(doc)
        assert [text[a:b] for a, b in zip(starts[part].tolist(), ends[part].tolist())] == [tokens.vocab[i] for i in tokens.ids[part].tolist()]
        for name, units, spans, owner in (("sentence", sentence, tokens.sentence_spans, tokens.sentence_doc), ("paragraph", paragraph, tokens.paragraph_spans, tokens.paragraph_doc)):
            assert (np.asarray(owner)[units[part]] == doc).all(), name
            assert (np.asarray(spans)[units[part], 0] <= starts[part]).all() and (starts[part] < np.asarray(spans)[units[part], 1]).all(), name
    # a chunk reads the same values as the whole array
    for chunk in document_chunks(corpus, 1000):
        part = ChunkTokens(tokens, chunk)
        a, b = part.token_runs[0][0], part.token_runs[-1][1]
        assert part.sentence.tolist() == sentence[a:b].tolist() and part.read("char_ends").tolist() == ends[a:b].tolist()


def test_the_sample_corpus_cache_is_at_most_three_times_its_text(sample_corpus, isolated_cache):
    corpus = load_corpus(sample_corpus)
    assert _cache_bytes(isolated_cache) <= 3 * _text_bytes(corpus)


# --- shards ---------------------------------------------------------------------------------


@pytest.mark.parametrize("tokenizer", ["default", "treebank", "whitespace"])
def test_a_compact_shard_reads_back_every_array_value_and_dtype(tmp_path, tokenizer):
    (tmp_path / "a.txt").write_text(
        'She said "peer support" works.\n\nA second paragraph -- with ``quotes\'\' and café.  Done!\n', encoding="utf-8"
    )
    shard = process_file(tmp_path / "a.txt", tmp_path, load_config(None, [f"tokenize.tokenizer={tokenizer}"]))
    again = decode_shard(encode_shard(shard))
    assert again.vocab == shard.vocab and again.documents == shard.documents
    for name, array in shard.arrays.items():
        assert again.arrays[name].dtype == array.dtype and again.arrays[name].shape == array.shape, name
        assert np.array_equal(again.arrays[name], array), name


def test_a_shard_that_breaks_the_rules_keeps_what_it_cannot_derive(tmp_path):
    (tmp_path / "a.txt").write_text("Peer support helps. It really does.\n", encoding="utf-8")
    shard = process_file(tmp_path / "a.txt", tmp_path, Config())
    shard.known = frozenset()  # changed below: what process_file knew of it no longer holds
    shard.arrays["ends"] = shard.arrays["ends"].copy()
    shard.arrays["ends"][1] += 1  # a token longer than its form
    shard.arrays["sentence"] = np.zeros_like(shard.arrays["sentence"])  # not the spans' rule
    shard.vocab = [shard.vocab[0].upper(), *shard.vocab[1:]]  # a form that is not its text
    again = decode_shard(encode_shard(shard))
    assert again.vocab == shard.vocab
    assert all(np.array_equal(again.arrays[name], array) for name, array in shard.arrays.items())


# --- texts stored once, and damage ------------------------------------------------------


def test_texts_come_from_the_shard_packs_and_from_the_snapshot_alike(tmp_path):
    corpus_folder = tmp_path / "c"
    corpus_folder.mkdir()
    # a line repeated across most files is boilerplate: those files are read again and their
    # texts go into the snapshot; the others' texts stay in their shards
    words = "harbour lantern meadow orchard quarry ribbon saddle timber valley willow yonder zephyr".split()
    for i, word in enumerate(words):
        footer = "\nShared footer line that repeats in every page.\n" if i % 3 else ""
        (corpus_folder / f"d{i:02d}.txt").write_text(f"This {word} document talks about peer support.\n{footer}", encoding="utf-8")
    cold = load_corpus(corpus_folder, cache_dir=tmp_path / "cache")
    warm = load_corpus(corpus_folder, cache_dir=tmp_path / "cache")
    plain = load_corpus(corpus_folder, use_cache=False)
    assert warm.load_report.from_snapshot
    texts = [plain.text(i) for i in range(len(plain))]
    assert [cold.text(i) for i in range(len(cold))] == texts == [warm.text(i) for i in range(len(warm))]
    [sources] = [p for p in (tmp_path / "cache").rglob("text_sources.json.z")]
    import zlib

    named = json.loads(zlib.decompress(sources.read_bytes()))
    assert named[0] == "texts.bin" and len(named) > 1  # some texts in packs
    assert texts[0] == "This harbour document talks about peer support.\n" and "footer" not in texts[1]


def _damage(path: Path) -> None:
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 16] = b"\xff" * 16
    path.write_bytes(bytes(data))


def test_a_damaged_text_block_is_a_one_line_error_then_a_rebuild(run, mini_corpus, tmp_path):
    from peercorpus.errors import InputError

    cache = tmp_path / "cache"
    assert run("ingest", str(mini_corpus), "--cache-dir", str(cache)).exit_code == 0
    [pack] = list(cache.rglob("*.pack"))
    size = pack.stat().st_size
    _damage(pack)  # the shards' text blocks are most of a pack
    assert pack.stat().st_size == size
    # noticed when the snapshot is opened (the packs it reads texts from are checked as its own
    # files are: this one's checksum), so rebuilt: the damaged shards are re-tokenised
    again = run("kwic", str(mini_corpus), "peer", "--cache-dir", str(cache))
    assert again.exit_code == 0 and "peer" in again.stdout.lower()
    assert "rebuilding it" in again.stderr and "changed since it was written" in again.stderr
    # damaged once open (or in a pack too big to checksum at every open): a one-line error, and
    # the snapshot is put aside so that the next command rebuilds it
    opened = load_corpus(mini_corpus, cache_dir=tmp_path / "other")
    [pack] = list((tmp_path / "other").rglob("*.pack"))
    _damage(pack)
    with pytest.raises(InputError, match="damaged") as error:
        [opened.text(i) for i in range(len(opened))]
    assert len(str(error.value).splitlines()) == 1
    assert not load_corpus(mini_corpus, cache_dir=tmp_path / "other").load_report.from_snapshot


def test_a_damaged_document_block_is_an_input_error_not_a_traceback(mini_corpus, tmp_path):
    from peercorpus.errors import InputError
    from peercorpus.ingest.store import Store

    cache = tmp_path / "cache"
    load_corpus(mini_corpus, cache_dir=cache)
    [documents] = list(cache.rglob("documents.jsonl.z"))
    _damage(documents)  # a large snapshot's documents are only checked for size when opened
    lines = Store(cache).document_lines(documents.parent)
    with pytest.raises(InputError, match="damaged"):
        lines[0]
    with pytest.raises(InputError, match="damaged"):
        lines.all()
    assert not load_corpus(mini_corpus, cache_dir=cache).load_report.from_snapshot  # checksummed: rebuilt


def test_an_older_snapshot_format_is_rebuilt_from_the_shards(mini_corpus, tmp_path):
    cache = tmp_path / "cache"
    load_corpus(mini_corpus, cache_dir=cache)
    [manifest] = list(cache.rglob("manifest.json"))
    content = json.loads(manifest.read_text())
    manifest.write_text(json.dumps({**content, "format": 3}))
    again = load_corpus(mini_corpus, cache_dir=cache)
    assert not again.load_report.from_snapshot and again.load_report.files_tokenized == 0
    assert again.text(0) == load_corpus(mini_corpus, use_cache=False).text(0)


def test_a_rebuild_keeps_the_checksums_of_the_packs_it_kept_and_reads_the_new_ones(tmp_path):
    from peercorpus.ingest.store import Store, file_checksum

    store = Store(tmp_path)
    folder = store.root / "shards" / "settings"
    folder.mkdir(parents=True)
    for name in ("old", "new"):
        (folder / f"{name}.pack").write_bytes(name.encode() * 100)
        (folder / f"{name}.idx").write_bytes(b"{}")
    known = {"settings/old.pack": [300, "recorded"], "settings/old.idx": [2, "recorded"]}
    records = store.text_pack_records({"settings/old.pack", "settings/new.pack"}, known=known)
    assert records["settings/old.pack"] == [300, "recorded"]  # a published pack never changes: not read again
    assert records["settings/new.pack"] == [300, file_checksum(folder / "new.pack")]
    (folder / "old.pack").write_bytes(b"x" * 10)  # another size: read
    assert store.text_pack_records({"settings/old.pack"}, known=known)["settings/old.pack"] == [10, file_checksum(folder / "old.pack")]

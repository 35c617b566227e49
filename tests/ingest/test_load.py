"""load_corpus: metadata, where, cache reuse and incremental refresh, bad input."""

import os
from pathlib import Path

import numpy as np
import pytest

from peercorpus import load_corpus
from peercorpus.errors import InputError, UsageError


def test_documents_ids_metadata_and_offsets(mini_corpus):
    corpus = load_corpus(mini_corpus)
    assert corpus.doc_ids == ["article.txt", "blog-one.txt", "blog-two.txt", "report.txt"]
    blog = corpus.documents[1]
    assert blog.metadata == {"genre": "blog", "year": 2021}
    assert "year" not in corpus.documents[3].metadata  # empty cell = missing, not an error
    tokens = corpus.tokens
    for doc in range(len(corpus)):
        text = corpus.text(doc)
        part = tokens.doc_slice(doc)
        words = [tokens.vocab[i] for i in tokens.ids[part]]
        spans = zip(tokens.char_starts[part], tokens.char_ends[part])
        assert [text[s:e] for s, e in spans] == words


def test_collection_is_first_folder_level(tmp_path):
    (tmp_path / "blogs").mkdir()
    (tmp_path / "blogs" / "a.txt").write_text("Peer support matters a great deal.")
    (tmp_path / "top.txt").write_text("Another text about recovery.")
    corpus = load_corpus(tmp_path)
    assert corpus.documents[0].metadata["collection"] == "blogs"
    assert "collection" not in corpus.documents[1].metadata


def test_where_filters_and_reports_unknown_values(mini_corpus):
    corpus = load_corpus(mini_corpus)
    assert corpus.where(["genre=blog"]).doc_ids == ["blog-one.txt", "blog-two.txt"]
    assert corpus.where(["year>=2021"]).doc_ids == ["blog-one.txt", "blog-two.txt"]
    with pytest.raises(UsageError, match="values present: article, blog, report"):
        corpus.where(["genre=blgo"])
    with pytest.raises(UsageError, match="fields present: genre, year"):
        corpus.where(["genr=blog"])


def test_where_reads_double_equals_and_refuses_words_compared_with_numbers(mini_corpus):
    corpus = load_corpus(mini_corpus)
    assert corpus.where(["genre==blog"]).doc_ids == ["blog-one.txt", "blog-two.txt"]
    assert corpus.where(["genre!=blog", "year<2020"]).doc_ids == ["article.txt"]
    with pytest.raises(UsageError, match="'abc' is not a number, and year holds numbers"):
        corpus.where(["year>=abc"])
    assert corpus.where(["genre>=blog"]).doc_ids == ["blog-one.txt", "blog-two.txt", "report.txt"], "words compare as text"


def test_warm_load_reads_and_tokenises_nothing(mini_corpus, tmp_path):
    cache = tmp_path / "cache"
    first = load_corpus(mini_corpus, cache_dir=cache)
    assert first.load_report.files_tokenized == first.load_report.files_read == 4
    second = load_corpus(mini_corpus, cache_dir=cache)
    assert second.load_report.from_snapshot and second.load_report.files_read == 0
    assert np.array_equal(np.asarray(first.tokens.ids), np.asarray(second.tokens.ids))
    assert second.text(1) == first.text(1)


def test_changed_added_and_removed_files_are_picked_up(mini_corpus, tmp_path):
    cache = tmp_path / "cache"
    load_corpus(mini_corpus, cache_dir=cache)
    changed = mini_corpus / "report.txt"
    changed.write_text("A completely new report about peer support.")
    os.utime(changed, ns=(1, 1))
    (mini_corpus / "new.txt").write_text("Added later: lived experience.")
    (mini_corpus / "article.txt").unlink()
    corpus = load_corpus(mini_corpus, cache_dir=cache)
    assert corpus.load_report.files_tokenized == corpus.load_report.files_read == 2
    assert corpus.doc_ids == ["blog-one.txt", "blog-two.txt", "new.txt", "report.txt"]
    assert "completely new" in corpus.text(3)


def test_corrupt_cache_is_rebuilt(mini_corpus, tmp_path):
    cache = tmp_path / "cache"
    load_corpus(mini_corpus, cache_dir=cache)
    for manifest in cache.rglob("manifest.json"):
        manifest.write_text("{not json")
    for shard in cache.rglob("*.pack"):
        shard.write_bytes(b"garbage")
    corpus = load_corpus(mini_corpus, cache_dir=cache)
    assert len(corpus) == 4
    assert any("rebuilding" in notice for notice in corpus.load_report.notices)


def test_no_cache_writes_nothing(mini_corpus, tmp_path):
    cache = tmp_path / "cache"
    load_corpus(mini_corpus, cache_dir=cache, use_cache=False)
    assert not cache.exists()


def test_bad_files_are_skipped_and_the_rest_read(mini_corpus):
    (mini_corpus / "empty.txt").write_bytes(b"")
    (mini_corpus / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    (mini_corpus / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    (mini_corpus / "broken.docx").write_bytes(b"PK not a zip")
    (mini_corpus / "image.png").write_bytes(b"\x89PNG")
    corpus = load_corpus(mini_corpus)
    assert len(corpus) == 4
    reasons = {Path(s.path).name: s.reason for s in corpus.skipped}
    assert set(reasons) == {"empty.txt", "binary.txt", "broken.pdf", "broken.docx", "image.png"}


def test_missing_and_empty_paths_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="path not found"):
        load_corpus(tmp_path / "nope")
    with pytest.raises(InputError, match="no documents found"):
        load_corpus(tmp_path)


def test_symlink_loop_terminates(mini_corpus):
    os.symlink(mini_corpus, mini_corpus / "loop")
    assert len(load_corpus(mini_corpus)) == 4


def test_legacy_encoding_is_decoded_with_a_notice(tmp_path):
    (tmp_path / "old.txt").write_bytes("Caf\xe9 culture \x93quoted\x94 text.".encode("latin-1"))
    corpus = load_corpus(tmp_path)
    assert corpus.documents[0].encoding == "cp1252"
    assert "“quoted”" in corpus.text(0)
    assert any("decoded as cp1252" in n for n in corpus.load_report.notices)


def test_cleaning_cuts_and_drops_and_is_reported(tmp_path):
    (tmp_path / "paper.txt").write_text("Intro line\nLog in to donate\nBody text here\nReferences\n1. Smith 2020\n")
    config = tmp_path / "c.yaml"
    config.write_text("cleaning:\n  drop_lines: ['^Log in']\n  cut_from: ['^References$']\n")
    corpus = load_corpus(tmp_path, config=config)
    assert corpus.text(0) == "Intro line\nBody text here"
    assert corpus.documents[0].cleaning["lines_dropped"] == 1
    assert corpus.documents[0].cleaning["cut_at"] == "References"


def test_duplicates_are_flagged(tmp_path):
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text("The very same text about peer support work.")
    corpus = load_corpus(tmp_path)
    assert corpus.documents[1].warnings == ["near-empty: only 8 word tokens", "duplicate of a.txt"]


def test_warm_corpus_decodes_documents_lazily_and_equally(mini_corpus, tmp_path):
    cache = tmp_path / "cache"
    cold = load_corpus(mini_corpus, cache_dir=cache)
    warm = load_corpus(mini_corpus, cache_dir=cache)
    assert warm.load_report.from_snapshot and len(warm) == len(cold) == 4
    assert warm.doc_ids == cold.doc_ids
    assert [warm.doc_metadata(i) for i in range(4)] == [d.metadata for d in cold.documents]
    assert warm.fields() == cold.fields() and warm.values("genre") == cold.values("genre")
    assert list(warm.where_indices(["genre=blog"])) == [1, 2]
    shown = warm.document(2)  # decoded alone, then kept when every document is decoded
    assert warm.documents[2] is shown
    assert warm.documents == cold.documents
    with pytest.raises(IndexError):
        warm.document(4)


def test_snapshot_with_a_missing_part_is_rebuilt(mini_corpus, tmp_path):
    cache = tmp_path / "cache"
    load_corpus(mini_corpus, cache_dir=cache)
    for part in cache.rglob("doc_ids.txt.z"):
        part.unlink()
    corpus = load_corpus(mini_corpus, cache_dir=cache)
    assert corpus.doc_ids == ["article.txt", "blog-one.txt", "blog-two.txt", "report.txt"]
    assert any("rebuilding" in notice for notice in corpus.load_report.notices)


def test_snapshot_from_an_older_version_is_rebuilt_quietly_from_the_shards(mini_corpus, tmp_path):
    cache = tmp_path / "cache"
    load_corpus(mini_corpus, cache_dir=cache)
    for manifest in cache.rglob("manifest.json"):
        manifest.write_text('{"format": 1, "files": []}')
    corpus = load_corpus(mini_corpus, cache_dir=cache)
    assert corpus.load_report.notices == [] and corpus.load_report.files_tokenized == 0
    assert load_corpus(mini_corpus, cache_dir=cache).load_report.from_snapshot


def test_discovery_without_directory_descriptors_finds_the_same(mini_corpus, monkeypatch):
    from peercorpus.ingest import discover as discovery

    (mini_corpus / "sub").mkdir()
    (mini_corpus / "sub" / "a.txt").write_text("In a sub-folder.")
    (mini_corpus / "sub.txt").write_text("Beside it.")
    os.symlink(mini_corpus, mini_corpus / "sub" / "loop")
    fast = discovery.discover([mini_corpus])
    monkeypatch.setattr(discovery, "_LIST_BY_DESCRIPTOR", False)
    portable = discovery.discover([mini_corpus])
    assert fast.file_names == portable.file_names and fast.stats == portable.stats
    assert fast.file_names[-3:] == [str(mini_corpus / n) for n in ("report.txt", "sub.txt", "sub/a.txt")]

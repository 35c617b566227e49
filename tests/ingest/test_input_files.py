"""Reading awkward input files: damaged rows and bytes, links and special files, sidecars."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from peercorpus import load_corpus
from peercorpus.errors import InputError
from peercorpus.ingest.discover import discover


def test_bad_jsonl_lines_are_skipped_with_one_notice_and_the_rest_kept(tmp_path):
    rows = tmp_path / "rows.jsonl"
    rows.write_text('{"text": "peer in jsonl"}\n[1, 2]\nnot json\n{"body": "no text"}\n{"text": null}\n{"text": "second peer row"}\n')
    corpus = load_corpus(tmp_path)
    assert corpus.doc_ids == ["rows.jsonl#1", "rows.jsonl#6"]
    assert corpus.load_report.notices == [
        f"{rows}: skipped lines 2, 3, 4 (not a JSON object with a 'text' field)",
        f"{rows}: skipped line 5 (empty 'text')",
    ]
    assert corpus.skipped == []


def test_jsonl_without_any_usable_row_is_skipped_with_the_reason(tmp_path):
    (tmp_path / "ok.txt").write_text("A plain text file about peer support.")
    (tmp_path / "other.jsonl").write_text('{"body": "x"}\n')
    (tmp_path / "junk.jsonl").write_text("[1]\nnot json\n")
    reasons = {Path(s.path).name: s.reason for s in load_corpus(tmp_path).skipped}
    assert reasons == {
        "junk.jsonl": "no usable rows: lines 1, 2 not a JSON object with a 'text' field",
        "other.jsonl": "no 'text' column; columns are: body (set read.text_column in the config)",
    }


def test_csv_rows_whose_cells_do_not_match_the_header_are_skipped_with_one_notice(tmp_path):
    rows = tmp_path / "posts.csv"
    rows.write_text('id,text\n1,first peer post\n2,a stray, comma\n3,"a quoted, comma\nacross lines"\n4\n5,last peer post\n')
    corpus = load_corpus(tmp_path)
    assert corpus.doc_ids == ["posts.csv#1", "posts.csv#3", "posts.csv#5"]
    assert corpus.load_report.notices == [f"{rows}: skipped lines 3, 6 (cells do not match the header)"]
    (tmp_path / "posts.csv").write_text("id,text\n1\n")
    with pytest.raises(InputError, match="posts.csv: no usable rows: line 2 cells do not match the header"):
        load_corpus(tmp_path)


def test_utf8_with_a_few_bad_bytes_stays_utf8_with_them_replaced(tmp_path):
    damaged = tmp_path / "damaged.txt"
    damaged.write_bytes("Café “peer” support. bad: ".encode() + b"\xff\xfe")
    (tmp_path / "legacy.txt").write_bytes("Café “peer” support.".encode("cp1252"))
    corpus = load_corpus(tmp_path)
    assert corpus.text(0) == "Café “peer” support. bad: \ufffd\ufffd"
    assert corpus.documents[0].encoding == "utf-8 (2 bad bytes replaced)"
    assert f"{damaged}: 2 bytes not valid UTF-8, replaced with U+FFFD" in corpus.load_report.notices
    assert (corpus.text(1), corpus.documents[1].encoding) == ("Café “peer” support.", "cp1252")


def test_many_bad_bytes_mean_a_legacy_encoding_even_beside_utf8_characters(tmp_path):
    (tmp_path / "mixed.txt").write_bytes("é".encode() + "ü".encode("latin-1") * 9)
    corpus = load_corpus(tmp_path)
    assert corpus.documents[0].encoding == "cp1252" and corpus.text(0) == "Ã©" + "ü" * 9


def test_a_file_reached_twice_keeps_its_real_path_and_lists_the_link(tmp_path):
    corpus_dir, elsewhere = tmp_path / "corpus", tmp_path / "elsewhere"
    (corpus_dir / "sub").mkdir(parents=True)
    elsewhere.mkdir()
    (corpus_dir / "ok.txt").write_text("A real file about peer support.")
    (corpus_dir / "sub" / "a.txt").write_text("Another real file about peers.")
    (elsewhere / "out.txt").write_text("A file outside the corpus, reached only through links.")
    os.symlink("ok.txt", corpus_dir / "link-to-ok.txt")
    os.symlink("sub", corpus_dir / "alias")  # a folder link sorting before its target
    os.symlink(elsewhere / "out.txt", corpus_dir / "b-out.txt")
    os.symlink(elsewhere / "out.txt", corpus_dir / "c-out.txt")
    found = discover([corpus_dir], follow_links_out=True)  # read.follow_links: true
    assert found.file_names == [str(corpus_dir / n) for n in ("b-out.txt", "ok.txt", "sub/a.txt")]
    assert [(p.name, why) for p, why in found.skipped] == [
        ("alias", f"same folder as {corpus_dir / 'sub'}"),
        ("c-out.txt", f"same file as {corpus_dir / 'b-out.txt'}"),
        ("link-to-ok.txt", f"same file as {corpus_dir / 'ok.txt'}"),
    ]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_broken_links_and_fifos_are_skipped_unopened(tmp_path):
    (tmp_path / "ok.txt").write_text("A real file about peer support.")
    os.symlink("nowhere.txt", tmp_path / "broken.txt")
    os.mkfifo(tmp_path / "fifo.txt")  # opening it would wait for a writer forever
    os.symlink("fifo.txt", tmp_path / "to-fifo.txt")
    corpus = load_corpus(tmp_path)
    assert corpus.doc_ids == ["ok.txt"]
    assert [(Path(s.path).name, s.reason) for s in corpus.skipped] == [
        ("broken.txt", "broken link"),
        ("fifo.txt", "not a regular file"),
        ("to-fifo.txt", "not a regular file"),
    ]


def test_metadata_row_for_a_missing_file_gives_a_notice(mini_corpus):
    sidecar = mini_corpus / "metadata.csv"
    sidecar.write_text(sidecar.read_text() + "ghost.txt,blog,2020\n")
    corpus = load_corpus(mini_corpus)
    assert corpus.load_report.notices == [f"{sidecar}: 1 file named but not found: ghost.txt"]


def test_a_second_metadata_row_for_a_file_is_an_error_naming_both_lines(mini_corpus):
    sidecar = mini_corpus / "metadata.csv"
    sidecar.write_text(sidecar.read_text() + "article.txt,news,2020\n")
    with pytest.raises(InputError, match=r"metadata.csv line 6: article.txt already has a row \(line 4\); keep one"):
        load_corpus(mini_corpus)


def test_a_file_given_twice_in_a_yaml_sidecar_is_an_error_naming_the_line(mini_corpus):
    from peercorpus.errors import PeerCorpusError

    (mini_corpus / "metadata.csv").unlink()
    (mini_corpus / "metadata.yaml").write_text("article.txt: {genre: article}\nblog-one.txt: {genre: blog}\narticle.txt: {genre: news}\n")
    with pytest.raises(PeerCorpusError, match=r"metadata.yaml line 3: key 'article.txt' given twice \(first on line 1\)"):
        load_corpus(mini_corpus)


def test_a_file_given_directly_gets_its_folders_metadata(mini_corpus):
    corpus = load_corpus(mini_corpus / "blog-two.txt")
    assert corpus.doc_ids == ["blog-two.txt"]
    assert corpus.documents[0].metadata == {"genre": "blog", "year": 2022}

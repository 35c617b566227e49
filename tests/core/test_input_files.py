"""Reading awkward input files: damaged rows and bytes, links and special files, sidecars."""

from __future__ import annotations

from pathlib import Path

from peercorpus import load_corpus


def test_bad_jsonl_lines_are_skipped_with_one_notice_and_the_rest_kept(tmp_path):
    rows = tmp_path / "rows.jsonl"
    rows.write_text('{"text": "peer in jsonl"}\n[1, 2]\nnot json\n{"body": "no text"}\n{"text": null}\n{"text": "second peer row"}\n')
    corpus = load_corpus(tmp_path)
    assert corpus.doc_ids == ["rows.jsonl#1", "rows.jsonl#6"]
    assert corpus.load_report.notices == [f"{rows}: skipped lines 2, 3, 4 (not a JSON object with a 'text' field)"]
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

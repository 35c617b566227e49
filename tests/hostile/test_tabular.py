"""One bad row costs that row, never the file."""

from __future__ import annotations

import json

import pytest

from peercorpus import load_corpus


def _texts(corpus):
    return [corpus.text(i) for i in range(len(corpus))]


def test_a_csv_cell_longer_than_the_csv_module_limit_is_read(tmp_path):
    article = "word " * 40_000  # 200,000 characters: a long article in one cell
    (tmp_path / "posts.csv").write_text(f'id,text\n1,"{article}"\n2,short post\n')
    corpus = load_corpus(tmp_path)
    assert len(corpus) == 2 and corpus.documents[0].n_words == 40_000


@pytest.mark.parametrize(
    "bad",
    [
        '{"text": "huge", "n": ' + "7" * 5000 + "}",  # int beyond Python's digit limit
        '{"text": "deep", "x": ' + "[" * 5000 + "]" * 5000 + "}",  # deeper than the stack
        '{"text": "lone \\ud800 surrogate"}',  # not encodable as UTF-8
    ],
    ids=["5000-digit-int", "deep-nesting", "lone-surrogate"],
)
def test_one_bad_jsonl_line_is_skipped_with_a_warning(tmp_path, bad):
    lines = [json.dumps({"text": "First good row about peers."}), bad, json.dumps({"text": "Third good row."})]
    (tmp_path / "rows.jsonl").write_text("\n".join(lines) + "\n")
    corpus = load_corpus(tmp_path)
    assert _texts(corpus) == ["First good row about peers.", "Third good row."]
    assert any("skipped line 2" in notice for notice in corpus.load_report.notices), corpus.load_report.notices


def test_empty_text_rows_are_skipped_with_a_warning_naming_the_lines(run, tmp_path):
    (tmp_path / "posts.csv").write_text("id,text\n1,A post about peers.\n2,\n3,   \n4,Another post.\n")
    corpus = load_corpus(tmp_path)
    assert len(corpus) == 2
    assert any("skipped lines 3, 4 (empty 'text')" in n for n in corpus.load_report.notices), corpus.load_report.notices
    result = run("info", str(tmp_path), "--no-cache")
    assert result.exit_code == 0 and "skipped lines 3, 4 (empty 'text')" in result.stderr


def test_a_csv_of_only_empty_rows_is_skipped_naming_them(tmp_path):
    (tmp_path / "a.txt").write_text("A plain text.\n")
    (tmp_path / "posts.csv").write_text("id,text\n1,\n2,\n")
    corpus = load_corpus(tmp_path)
    assert [s.reason for s in corpus.skipped] == ["no rows with text in column 'text' (lines 2, 3 empty)"]

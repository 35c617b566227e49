"""Tidy exports: freq --by long by default in files, stable columns, true/false, CSV quoting
and the --safe-csv option."""

from __future__ import annotations

import csv
import io
import json

import pandas as pd

from peercorpus.render.export import CsvOptions, frame_to_text, records_to_text

LONG = ["group", "rank", "term", "count", "per_million", "range", "range_share", "dp"]


def test_freq_by_writes_long_to_files_and_matches_each_group_alone(run, mini_corpus, tmp_path):
    out = tmp_path / "by.csv"
    assert run("freq", str(mini_corpus), "--by", "genre", "-o", str(out)).exit_code == 0
    table = pd.read_csv(out)
    assert list(table.columns) == LONG
    assert set(table["group"]) == {"article", "blog", "report"}
    blog = json.loads(run("freq", str(mini_corpus), "--where", "genre=blog", "-f", "json").stdout)
    rows = table[table["group"] == "blog"].drop(columns="group").to_dict(orient="records")
    assert len(rows) == len(blog)
    for mine, alone in zip(rows, blog):
        assert mine["term"] == alone["term"] and mine["count"] == alone["count"] and mine["dp"] == alone["dp"]


def test_freq_by_wide_is_kept_and_the_terminal_stays_wide(run, mini_corpus, tmp_path, monkeypatch):
    out = tmp_path / "wide.csv"
    assert run("freq", str(mini_corpus), "--by", "genre", "--wide", "-o", str(out)).exit_code == 0
    assert "blog term" in pd.read_csv(out).columns
    monkeypatch.setenv("COLUMNS", "250")
    assert "blog term" in run("freq", str(mini_corpus), "--by", "genre").stdout
    long = run("freq", str(mini_corpus), "--by", "genre", "--long", "-f", "csv").stdout
    assert long.splitlines()[0] == ",".join(LONG)
    assert run("freq", str(mini_corpus), "--wide").exit_code == 2


def test_info_columns_do_not_change_with_where(run, mini_corpus):
    whole = run("info", str(mini_corpus), "-f", "csv").stdout.splitlines()[0]
    report = run("info", str(mini_corpus), "-f", "csv", "--where", "genre=report").stdout.splitlines()[0]
    assert whole == report and "year" in report


def test_booleans_are_true_and_false():
    frame = pd.DataFrame({"term": ["a", "b"], "stop": [True, False]})
    assert frame_to_text(frame, "csv") == "term,stop\na,true\nb,false\n"
    assert records_to_text([{"x": True}], ["x"], "csv") == "x\ntrue\n"
    assert "| true |" in frame_to_text(frame, "md")


def test_carriage_returns_and_separators_are_quoted():
    frame = pd.DataFrame({"text": ["a\rb", "c,d", 'say "hi"', "e\tf"], "n": [1, 2, 3, 4]})
    text = frame_to_text(frame, "csv")
    assert '"a\rb"' in text and '"c,d"' in text and '"say ""hi"""' in text
    assert [row[0] for row in csv.reader(io.StringIO(text, newline=""))][1:] == ["a\rb", "c,d", 'say "hi"', "e\tf"]
    assert '"e\tf"' in frame_to_text(frame, "tsv")
    assert pd.read_csv(io.StringIO(text))["text"].tolist() == frame["text"].tolist()


def test_floats_are_written_as_pandas_writes_them():
    frame = pd.DataFrame({"x": [0.1, 1.0, float("nan"), float("inf")], "n": [1, 2, 3, 4]})
    assert frame_to_text(frame, "csv") == "x,n\n0.1,1\n1.0,2\n,3\n,4\n"


def test_safe_csv_neutralises_formulas_only_when_asked(run, tmp_path, monkeypatch):
    frame = pd.DataFrame({"term": ["=HYPERLINK(\"x\")", "+1", "-cmd", "@SUM(A1)", "plain"], "score": [-1.5, 2.0, 3.0, 4.0, 5.0]})
    assert frame_to_text(frame, "csv").splitlines()[1].startswith('"=HYPERLINK')
    monkeypatch.setattr(CsvOptions, "safe", True)
    lines = frame_to_text(frame, "csv").splitlines()
    assert lines[1] == "\"'=HYPERLINK(\"\"x\"\")\",-1.5" and lines[2] == "'+1,2.0" and lines[3] == "'-cmd,3.0" and lines[4] == "'@SUM(A1),4.0"
    assert lines[5] == "plain,5.0"  # numbers (even negative) and plain text untouched


def test_safe_csv_option_before_or_after_the_command(run, tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "=cmd.txt").write_text("Peer support works.\n", encoding="utf-8")
    assert run("info", str(folder), "-f", "csv").stdout.splitlines()[1].startswith("=cmd.txt")
    assert run("info", str(folder), "-f", "csv", "--safe-csv").stdout.splitlines()[1].startswith("'=cmd.txt")
    assert run("--safe-csv", "info", str(folder), "-f", "csv").stdout.splitlines()[1].startswith("'=cmd.txt")
    assert run("info", str(folder), "-f", "csv").stdout.splitlines()[1].startswith("=cmd.txt")  # reset each run


def test_markdown_and_html_tables_use_one_format_per_number_column():
    frame = pd.DataFrame({"term": ["a", "b", "c"], "p": [2.953e-06, 0.0032, 0.5], "dp": [0.64, 0.6342, 0.5]})
    md = frame_to_text(frame, "md")
    assert "2.95e-06" in md and "3.20e-03" in md and "0.640" in md and "0.634 " in md and "0.6342" not in md
    html = frame_to_text(frame, "html")
    assert '<td class="num">3.20e-03</td>' in html and '<th class="num">p</th>' in html
    assert frame_to_text(frame, "csv").splitlines()[2] == "b,0.0032,0.6342"  # files keep every digit

"""Terminal output: tables fit the width (COLUMNS, also piped), numbers are never cut or
wrapped, one format per column, cells printed literally (no ESC sequences, markup or emoji)."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from peercorpus.render.table import format_column, print_records, printable, terminal_width

NUMBER = re.compile(r"-?\d[\d.]*(?:e[-+]\d+)?")


def render(columns, rows, numeric, width, **options) -> str:
    console = Console(file=io.StringIO(), width=width, emoji=False, markup=False, highlight=False)
    print_records([dict(zip(columns, row)) for row in rows], columns, numeric, console=console, **options)
    return console.file.getvalue()


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("command", [["info"], ["keyness", "--target", "genre=blog", "--min-count", "1"], ["freq"], ["code", "-b", "{book}"]])
def test_every_table_fits_the_width_and_keeps_numbers_whole(run, mini_corpus, tmp_path, monkeypatch, width, command):
    book = tmp_path / "book.yaml"
    book.write_text("support:\n  - peer*\n  - support\nwork:\n  - work*\n", encoding="utf-8")
    monkeypatch.setenv("COLUMNS", str(width))
    result = run(*[a.replace("{book}", str(book)) for a in command[:1]], str(mini_corpus), *[a.replace("{book}", str(book)) for a in command[1:]])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines and max(map(len, lines)) <= width
    assert not any(line.rstrip().endswith(("-", "e-")) and line.strip()[-1:].isdigit() for line in lines)


def test_numbers_are_right_aligned_never_cut_and_one_format_per_column():
    columns = ["term", "count", "p", "dp"]
    rows = [["a" * 60, 35701, 2.953e-06, 0.64], ["b", 12, 0.0032, 0.6342], ["c", 3, 0.5, 0.5]]
    text = render(columns, rows, ["count", "p", "dp"], 50)
    assert "35701" in text and "2.95e-06" in text and "3.20e-03" in text
    assert "0.640" in text and "0.634" in text and "0.6342" not in text
    assert "…" in text  # the long term is cut, not wrapped
    lines = text.splitlines()
    assert max(map(len, lines)) <= 50 and len(lines) == 5  # header, rule, three rows
    count_end = {line.index(str(n)) + len(str(n)) for line, n in zip(lines[2:], [35701, 12, 3])}
    assert len(count_end) == 1  # right-aligned


def test_a_table_too_wide_for_the_terminal_becomes_records():
    columns = [f"measure_{i}" for i in range(12)]
    text = render(columns, [list(range(12))], columns, 40)
    assert "── 1 " in text and "measure_11: 11" in text


def test_optional_columns_are_left_out_before_records_and_said(run, mini_corpus, monkeypatch):
    monkeypatch.setenv("COLUMNS", "52")
    result = run("info", str(mini_corpus))
    lines = result.stdout.splitlines()
    assert "doc" in lines[1] and "tokens" in lines[1] and "blog-one.txt" in result.stdout
    assert len([line for line in lines if ".txt" in line]) == 4  # one line per document
    assert "not shown at this width" in result.stdout and "--long" in result.stdout


def test_info_long_shows_every_column(run, mini_corpus, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    header = run("info", str(mini_corpus), "--long").stdout.splitlines()[1]
    assert all(c in header for c in ["paragraphs", "chars", "encoding", "cleaned", "warnings"])
    assert "notes" in run("info", str(mini_corpus)).stdout.splitlines()[1]


def test_columns_is_honoured_when_piped(monkeypatch):
    monkeypatch.setenv("COLUMNS", "93")
    assert terminal_width(io.StringIO()) == 93
    monkeypatch.delenv("COLUMNS")
    assert terminal_width(io.StringIO()) >= 80


def test_format_column_examples():
    assert format_column([1, None, 3]) == ["1", "", "3"]
    assert format_column([float("nan"), 12.25, 1000.0]) == ["", "12", "1000"]
    assert format_column([0.25, float("inf")]) == ["0.250", ""]  # as exports write inf


def test_cells_are_shown_literally():
    text = render(["doc", "n"], [["evil\x1b[2J\x1b]0;title\x07:smile: [red]x[/red]\u202e", 1]], ["n"], 120)
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    assert "\\x1b[2J" in text and ":smile:" in text and "[red]x[/red]" in text
    assert printable("a\tb\nc") == "a b c"


def test_control_characters_in_file_names_and_metadata_are_escaped(run, tmp_path, monkeypatch):
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "a\x1b[31m:smile:.txt").write_text("Peer support works here.\n", encoding="utf-8")
    (folder / "metadata.csv").write_text('file,genre\n"a\x1b[31m:smile:.txt","[b]x\x1b[0m"\n', encoding="utf-8")
    monkeypatch.setenv("COLUMNS", "150")
    result = run("info", str(folder), "--long")
    assert "\x1b" not in result.stdout and "\x1b" not in result.stderr
    assert ":smile:" in result.stdout and "[b]x" in result.stdout


def test_warnings_escape_control_characters(capsys):
    from peercorpus.cli.common import warn

    warn("skipped bad\x1b[2Jname :smile: [red]")
    err = capsys.readouterr().err
    assert "\x1b[2J" not in err and "\\x1b[2J" in err and ":smile:" in err and "[red]" in err


@pytest.mark.parametrize("flag", ["-q", "--quiet"])
def test_global_options_after_the_subcommand(run, mini_corpus, flag):
    noisy = run("freq", str(mini_corpus), "--where", "genre=nothing")
    quiet = run("freq", str(mini_corpus), "--where", "genre=nothing", flag)
    assert noisy.exit_code == quiet.exit_code
    assert run("info", str(mini_corpus), "-f", "csv", flag).exit_code == 0
    assert run(flag, "info", str(mini_corpus), "-f", "csv").stdout == run("info", str(mini_corpus), "-f", "csv", flag).stdout


def test_traceback_and_cache_dir_after_the_subcommand(run, mini_corpus, tmp_path):
    from peercorpus.errors import UsageError

    with pytest.raises(UsageError):
        run("freq", str(mini_corpus), "--by", "nosuchfield", "--traceback")
    assert run("freq", str(mini_corpus), "--by", "nosuchfield").exit_code == 2
    cache = tmp_path / "root-cache"
    assert run("--cache-dir", str(cache), "info", str(mini_corpus), "-q").exit_code == 0
    assert cache.exists() and any(cache.iterdir())


def test_verbose_after_the_subcommand(run, mini_corpus):
    result = run("info", str(mini_corpus), "-f", "csv", "-v")
    assert "documents from" in result.stderr


def test_a_query_that_is_also_a_folder_inside_the_corpus_is_a_query(run, tmp_path, monkeypatch):
    (tmp_path / "sport").mkdir()
    (tmp_path / "sport" / "a.txt").write_text("The sport game was a good game of sport.\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Another game.\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run("kwic", ".", "sport", "game", "-f", "csv")
    assert result.exit_code == 0
    matches = [line.split(",")[4] for line in result.stdout.splitlines()[1:]]
    assert sorted(matches) == ["game", "game", "game", "sport", "sport"]
    assert "'sport' is taken as a query, not a path" in result.stderr
    assert "same file" not in result.stderr
    other = tmp_path.parent / f"{tmp_path.name}-other"
    other.mkdir()
    (other / "c.txt").write_text("A third game.\n", encoding="utf-8")
    both = run("kwic", ".", str(other), "game", "-f", "csv")  # a second corpus folder is still a path
    assert len(both.stdout.splitlines()) == 5


def test_topics_terminal_output_keeps_its_own_markup_and_escapes_the_corpus(run, mini_corpus, monkeypatch):
    (mini_corpus / "blog-one.txt").write_text("Peer workers [red]support[/red] \x1b[2Jrecovery :smile: boundaries.\n" * 3, encoding="utf-8")
    monkeypatch.setenv("COLUMNS", "120")
    result = run("topics", str(mini_corpus), "--k", "2", "--unit", "document", "--min-df", "1")
    assert result.exit_code == 0, result.stderr
    assert "[bold]" not in result.stdout and "Topic 0:" in result.stdout
    assert "\x1b" not in result.stdout

"""No regular expression can hang a command: a time budget, then a one-line error naming it."""

from __future__ import annotations

import os

import pytest

from peercorpus import patterns

from .conftest import one_line_error


@pytest.fixture
def short_budget(monkeypatch):
    monkeypatch.setattr(patterns, "PATTERN_SECONDS", 0.5)
    monkeypatch.setattr(patterns.Budget.__init__, "__defaults__", (0.5,))


def test_a_catastrophic_query_regex_is_a_one_line_error(run, tmp_path, short_budget):
    (tmp_path / "a.txt").write_text("a" * 34 + " and some peer text.\n")
    line = one_line_error(run("kwic", str(tmp_path), "(a|aa)+b", "--regex"))
    assert "(a|aa)+b" in line and "simplify it" in line


def test_a_catastrophic_cleaning_pattern_is_a_one_line_error(run, tmp_path, short_budget):
    (tmp_path / "a.txt").write_text("a" * 40 + "!\nPeer text.\n")
    (tmp_path / "c.yaml").write_text("cleaning:\n  drop_lines: ['(a|aa)+$']\n")
    line = one_line_error(run("info", str(tmp_path / "a.txt"), "-c", str(tmp_path / "c.yaml"), "--no-cache"))
    assert "(a|aa)+$" in line and "cleaning" in line


def test_ordinary_patterns_still_work(run, tmp_path):
    (tmp_path / "a.txt").write_text("Log in here\nPeer-led support helps.\nPeer-run groups too.\n")
    (tmp_path / "c.yaml").write_text("cleaning:\n  drop_lines: ['^Log in']\n")
    result = run("kwic", str(tmp_path), "peer-\\w+", "--regex", "-c", str(tmp_path / "c.yaml"), "-f", "csv")
    assert result.exit_code == 0 and result.stdout.count("\n") == 3, result.stderr


@pytest.mark.parametrize("pattern", ["", " ", "^", ".*"])
def test_a_drop_lines_pattern_that_matches_every_line_is_an_error(run, tmp_path, pattern):
    (tmp_path / "a.txt").write_text("Peer text.\n")
    (tmp_path / "c.yaml").write_text(f"cleaning:\n  drop_lines: ['{pattern}']\n")
    line = one_line_error(run("info", str(tmp_path / "a.txt"), "-c", str(tmp_path / "c.yaml")))
    assert "matches every line" in line


@pytest.mark.slow
def test_a_catastrophic_cleaning_pattern_stops_a_parallel_ingest_soon(tmp_path):
    """With worker processes (40+ files), the first pattern out of time ends the command: the
    batches in flight are not waited for (each could take the budget per document)."""
    from .conftest import run_bounded

    corpus = tmp_path / "c"
    corpus.mkdir()
    for i in range(60):
        (corpus / f"d{i:02d}.txt").write_text("a" * 40 + "!\nPeer text.\n")
    (tmp_path / "c.yaml").write_text("cleaning:\n  drop_lines: ['(a|aa)+$']\n")
    # a budget of 1 s per document (PEERCORPUS_PATTERN_SECONDS; 10 s by default): 60 documents
    # would take a minute if every batch ran to its end
    env = {**os.environ, "PEERCORPUS_PATTERN_SECONDS": "1"}
    result = run_bounded(["ingest", str(corpus), "-c", str(tmp_path / "c.yaml"), "--no-cache"], seconds=30, env=env)
    assert result.returncode == 2, result.stderr
    assert "(a|aa)+$" in result.stderr and "Traceback" not in result.stderr
    assert "took more than 1 s" in result.stderr


def test_the_budget_is_read_from_the_environment_when_it_is_a_positive_number(monkeypatch):
    for value, seconds in (("2.5", 2.5), ("0", patterns.PATTERN_SECONDS), ("soon", patterns.PATTERN_SECONDS), ("inf", patterns.PATTERN_SECONDS)):
        monkeypatch.setenv("PEERCORPUS_PATTERN_SECONDS", value)
        assert patterns.Budget("test").seconds == seconds, value

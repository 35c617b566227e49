"""A long ingest whose stderr is not a terminal (a batch job's log) says how far it is, now and then."""

from __future__ import annotations

from peercorpus.cli.common import Verbosity, _progress_lines


def test_progress_lines_in_a_log_at_most_every_interval_and_not_with_quiet(capsys, monkeypatch):
    monkeypatch.setattr(Verbosity, "quiet", False)
    update = _progress_lines(every=0.0)
    update(1_200, 52_000)
    update(52_000, 52_000)  # the end is not announced: the command's own summary follows
    assert capsys.readouterr().err.splitlines() == ["tokenised 1,200 of 52,000 files"]
    update = _progress_lines(every=3600.0)
    update(10, 100)
    assert capsys.readouterr().err == ""  # not yet
    monkeypatch.setattr(Verbosity, "quiet", True)
    assert _progress_lines() is None

"""Files the commands write: permissions, refusing to overwrite inputs, checks before any work."""

from __future__ import annotations

import os
import stat

import pytest


@pytest.fixture
def umask_022():
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def _modes(folder):
    return {p.relative_to(folder).as_posix(): stat.S_IMODE(p.stat().st_mode) for p in folder.rglob("*") if p.is_file()}


def test_output_files_get_the_umask_mode(run, mini_corpus, tmp_path, umask_022):
    out = tmp_path / "out"
    commands = [
        ("info", str(mini_corpus), "-f", "csv", "-o", str(out / "documents.csv")),
        ("freq", str(mini_corpus), "-o", str(out / "freq.csv")),
        ("kwic", str(mini_corpus), "peer", "-o", str(out / "kwic.json")),
        ("code", str(mini_corpus), "-b", str(tmp_path / "cb.yaml"), "-o", str(out / "coding")),
        ("dispersion", str(mini_corpus), "peer", "--plot", str(out / "dispersion.png")),
        ("keyness", str(mini_corpus), "--target", "genre=blog", "--min-count", "1", "--plot", str(out / "keyness.svg")),
    ]
    (tmp_path / "cb.yaml").write_text("themes:\n  peers: [peer*]\n")
    (out / "freq.csv").parent.mkdir()
    (out / "freq.csv").write_text("an old file, replaced\n")
    (out / "freq.csv").chmod(0o600)
    for command in commands:
        result = run(*command)
        assert result.exit_code == 0, (command, result.stderr)
    modes = _modes(out)
    assert len(modes) >= 9 and set(modes.values()) == {0o644}, modes


def test_report_files_all_get_the_umask_mode(run, mini_corpus, tmp_path, umask_022):
    config = tmp_path / "report.yaml"
    config.write_text(f"corpus: {mini_corpus}\nanalyses:\n  - name: info\n  - name: dispersion\n    terms: [peer]\n")
    result = run("report", str(config), "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.stderr
    modes = _modes(tmp_path / "out")
    assert "plots/dispersion.png" in modes and set(modes.values()) == {0o644}, modes

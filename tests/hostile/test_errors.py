"""Hostile arguments, names and places: one line and an exit code, never a traceback."""

from __future__ import annotations

import os

import pytest

from peercorpus import load_corpus

from .conftest import one_line_error


@pytest.fixture
def text(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("Peer support text. Peers help peers.\n")
    return path


@pytest.mark.parametrize(
    "args, message",
    [
        (["kwic", "{a}", "peer", "--window", "99999999999999999999"], "window must be an integer from 0 to 2147483647"),
        (["kwic", "{a}", "peer", "--seed", "-1", "--sample", "2"], "seed must be an integer ≥ 0; got -1"),
        (["info", "{a}", "--where", "genre!==blog"], "'!==' is not an operator"),
        (["info", "{a}", "--where", "year>=nan"], "compare with a finite number"),
    ],
)
def test_hostile_arguments_are_one_line_errors(run, text, args, message):
    line = one_line_error(run(*[a.format(a=text) for a in args]))
    assert message in line


@pytest.mark.parametrize("seed, where", [("4294967296", "seed: {seed}\n"), ("99999999999", "    seed: {seed}\n")])
def test_report_seeds_beyond_32_bits_are_config_errors(run, text, tmp_path, seed, where):
    config = tmp_path / "r.yaml"
    top = where.format(seed=seed) if not where.startswith(" ") else ""
    inner = where.format(seed=seed) if where.startswith(" ") else ""
    config.write_text(f"corpus: {text}\n{top}analyses:\n  - name: kwic\n    queries: [peer]\n    sample: 1\n{inner}")
    line = one_line_error(run("report", str(config), "-o", str(tmp_path / "out")))
    assert "4294967295" in line


def test_a_cache_dir_that_is_a_file_is_a_one_line_error(run, text, tmp_path):
    (tmp_path / "cachefile").write_text("not a folder")
    line = one_line_error(run("info", str(text), "--cache-dir", str(tmp_path / "cachefile")))
    assert "--no-cache" in line


def test_a_read_only_cache_is_a_one_line_error(run, text, tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root writes into read-only folders")
    cache = tmp_path / "ro"
    cache.mkdir()
    cache.chmod(0o500)
    try:
        line = one_line_error(run("info", str(text), "--cache-dir", str(cache)))
        assert "--no-cache" in line
    finally:
        cache.chmod(0o700)


def test_a_full_disk_is_a_one_line_error(run, text, tmp_path, monkeypatch):
    import errno

    from peercorpus.render import export

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "f.csv"))

    monkeypatch.setattr(export, "default_mode", full)  # inside atomic_write, after the temporary file
    line = one_line_error(run("freq", str(text), "-o", str(tmp_path / "f.csv")), code=1)
    assert "disk full" in line


def test_a_full_disk_under_the_cache_suggests_no_cache(run, text, tmp_path, monkeypatch):
    import errno

    from peercorpus.ingest import snapshot

    real = snapshot.SnapshotWriter.add_text

    def full(self, data, block=None):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(snapshot.SnapshotWriter, "add_text", full)
    line = one_line_error(run("info", str(text)))
    assert "disk full" in line and "--no-cache" in line
    monkeypatch.setattr(snapshot.SnapshotWriter, "add_text", real)
    assert not list(tmp_path.rglob(".building-*"))


def test_a_file_name_that_is_not_utf8_is_read_and_shown_escaped(run, tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "ok.txt").write_text("Peer text.\n")
    with open(os.path.join(os.fsencode(folder), b"caf\xe9.txt"), "wb") as handle:
        handle.write(b"Peer text in a badly named file.\n")
    corpus = load_corpus(folder)
    assert sorted(corpus.doc_ids) == ["caf\\xe9.txt", "ok.txt"]
    result = run("kwic", str(folder), "peer", "-f", "csv")
    assert result.exit_code == 0 and "caf\\xe9.txt" in result.stdout


def test_600_nested_folders_are_walked(tmp_path):
    path = tmp_path / "deep"
    deep = os.path.join(str(path), *["d"] * 600)
    os.makedirs(deep)
    with open(os.path.join(deep, "x.txt"), "w") as handle:
        handle.write("A deep peer text.\n")
    (path / "top.txt").write_text("A top peer text.\n")
    assert len(load_corpus(path)) == 2


def test_an_unreadable_folder_is_skipped_with_a_warning(run, tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root reads every folder")
    folder = tmp_path / "c"
    (folder / "locked").mkdir(parents=True)
    (folder / "ok.txt").write_text("Peer text.\n")
    (folder / "locked").chmod(0)
    try:
        result = run("info", str(folder))
        assert result.exit_code == 0 and "cannot read folder" in result.stderr
    finally:
        (folder / "locked").chmod(0o700)


def test_an_unlistable_folder_is_counted_as_skipped(tmp_path, monkeypatch):
    """As root no folder is unreadable, so make listing one fail."""
    from peercorpus.ingest import discover as discover_module

    folder = tmp_path / "c"
    (folder / "locked").mkdir(parents=True)
    (folder / "locked" / "x.txt").write_text("Hidden.\n")
    (folder / "ok.txt").write_text("Peer text.\n")
    real_open = os.open

    def failing_open(path, flags, *args, **kwargs):
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(discover_module.os, "open", failing_open)
    corpus = load_corpus(folder)
    assert [(os.path.basename(s.path), s.reason) for s in corpus.skipped] == [("locked", "cannot read folder: Permission denied")]


def test_a_read_only_cache_is_a_one_line_error_even_as_root(run, text, tmp_path, monkeypatch):
    """Root writes into read-only folders, so make creating the build folder fail as EROFS does."""
    import errno

    from peercorpus.ingest import store

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", str(tmp_path / "cache"))

    monkeypatch.setattr(store.tempfile, "mkdtemp", read_only)
    line = one_line_error(run("info", str(text), "--cache-dir", str(tmp_path / "cache")))
    assert "read-only file system" in line and "--no-cache" in line
    monkeypatch.undo()
    assert run("info", str(text), "--no-cache").exit_code == 0

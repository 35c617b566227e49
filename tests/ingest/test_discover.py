"""ingest/discover: the stats kept for every file, as the cache compares them."""

import os

import numpy as np
import pytest

from peercorpus.ingest.discover import FileStats, discover


def test_file_stats_read_as_the_tuples_they_replace():
    stats = FileStats()
    rows = [(12, 1_700_000_000_123_456_789, 1_700_000_000_987_654_321, 77), (0, 1, 2, 3)]
    for row in rows:
        stats.append(row)
    assert len(stats) == 2 and list(stats) == rows and stats[1] == rows[1] and stats[-2] == rows[0]
    table = np.asarray(stats)
    assert table.dtype == np.int64 and table.shape == (2, 4) and table.tolist() == [list(r) for r in rows]
    with pytest.raises(IndexError):
        stats[2]
    other = FileStats()
    other.append(rows[0])
    assert other != stats
    other.append(rows[1])
    assert other == stats


def test_discover_records_each_files_size_times_and_inode(tmp_path):
    (tmp_path / "a.txt").write_text("Peer support.", encoding="utf-8")
    (tmp_path / "b.md").write_text("Lived experience.", encoding="utf-8")
    found = discover([tmp_path])
    assert found.file_names == [str(tmp_path / "a.txt"), str(tmp_path / "b.md")]
    for name, stat in zip(found.file_names, found.stats):
        info = os.stat(name)
        assert stat == (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


def _tree(root, *, hard_links: bool = True):
    """Names that sort in every tricky way (a folder's "/" against "." and "-", case, accents,
    a name that is not UTF-8), hidden entries, sidecars, unsupported files, hard links between
    documents and between a document and an unsupported file."""
    for folder in ("b", "b/c", "B", "b-c", "b0", "é", "a b", ".hidden", "d/e/f"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    names = ["b.txt", "b/c.txt", "b/c/x.md", "b/a.txt", "B/z.txt", "b-c/y.txt", "b0/w.txt", "é/ü.txt",
             "a b/s p.txt", ".hidden/h.txt", ".h.txt", "d/e/f/deep.txt", "a.txt", "a.TXT", "readme",
             "notes.rtf", "b/metadata.csv", "B/old-metadata.csv", "z.txt"]
    for name in names:
        (root / name).write_text(f"Peer text {name}.\n", encoding="utf-8")
    if hard_links:
        os.link(root / "a.txt", root / "b0" / "hard-a.txt")  # a document reached twice
        os.link(root / "notes.rtf", root / "d" / "notes-copy.txt")  # an unsupported file first
        os.link(root / "z.txt", root / "a b" / "zz.rtf")  # a document after an unsupported file
    if os.supports_bytes_environ:
        open(os.fsencode(str(root)) + b"/caf\xe9.txt", "w").write("Latin-1 name.\n")


def _same_discovery(new, old):
    assert list(new.file_names) == old.file_names
    assert new.file_roots == old.file_roots and list(new.stats) == list(old.stats)
    assert new.skipped == old.skipped and new.sidecars == old.sidecars and new.linked == old.linked


@pytest.mark.parametrize("given", ["plain", "plain+file", "file+plain", "plain+fifo", "tree", "tree+file", "file+tree", "tree+tree", "sub+tree", "two", "links"])
def test_the_compact_walk_finds_what_the_tuple_walk_found(tmp_path, monkeypatch, given):
    """Issue 18: discover keeps a walk's files as numbers in arrays, visits each folder's
    entries in path order (no sort of every file) and checks for files reached twice with
    numpy; what it finds — files, their order, roots, stats, skips and their reasons — is what
    the previous walk (tests/ingest/legacy_discover.py) found."""
    from tests.ingest import legacy_discover

    root, other = tmp_path / "corpus", tmp_path / "other"
    root.mkdir()
    other.mkdir()
    _tree(root, hard_links=not given.startswith(("plain", "file+plain")))
    if given == "plain+fifo":
        if not hasattr(os, "mkfifo"):
            pytest.skip("no FIFOs here")
        os.mkfifo(root / "b" / "fifo.txt")  # skipped with why, before the files' skips
    (other / "o.txt").write_text("Other.\n")
    os.link(root / "b.txt", other / "same-as-b.txt")
    if given == "links":
        os.symlink("b", root / "alias")
        os.symlink("a.txt", root / "link-a.txt")
        os.symlink("nowhere", root / "broken.txt")
    paths = {
        "tree": [root], "tree+file": [root, root / "b" / "a.txt"], "file+tree": [root / "b" / "a.txt", root],
        "tree+tree": [root, root], "sub+tree": [root / "b", root], "two": [other, root], "links": [root],
        "plain": [root], "plain+file": [root, root / "b" / "a.txt"], "file+plain": [root / "b" / "a.txt", root],
        "plain+fifo": [root],
    }[given]
    if given in ("plain", "plain+fifo"):  # no file reached twice: the walk's arrays are read as they are, no file checked alone
        from peercorpus.ingest import discover as discover_module

        monkeypatch.setattr(discover_module, "_add_checked", None)
    _same_discovery(discover(paths), legacy_discover.discover(paths))
    found = discover(paths)
    if given in ("tree", "two"):
        assert any("same file as" in why for _, why in found.skipped)
        assert list(found.file_names) == sorted(found.file_names, key=lambda n: (paths.index(next(p for p in paths if n.startswith(str(p)))), n))


def test_the_walk_goes_through_folders_in_path_order(tmp_path):
    for name in ("b/c.txt", "b.txt", "b-c.txt", "b0/a.txt", "a/b/c/d.txt", "a/b.txt", "a.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    found = discover([tmp_path])
    relative = [name[len(str(tmp_path)) + 1 :] for name in found.file_names]
    assert relative == sorted(relative) == ["a.txt", "a/b.txt", "a/b/c/d.txt", "b-c.txt", "b.txt", "b/c.txt", "b0/a.txt"]

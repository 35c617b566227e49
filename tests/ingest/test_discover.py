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

"""Where a warm command finds documents' texts in the shard packs (``store.ShardLocator``): the
same answer as the cache's own index, held as arrays instead of a dict of the whole index."""

from __future__ import annotations

import json
import os

import pytest

from peercorpus import load_corpus
from peercorpus.config import Config
from peercorpus.ingest.store import ShardLocator, Store


def _index(path, entries, written):
    path.write_text(json.dumps(entries))
    os.utime(path, (written, written))
    return path


def test_the_later_index_wins_and_an_unreadable_one_is_left_out(tmp_path):
    plain, keyed = "a" * 32, "b" * 32 + "+" + "c" * 16
    older = _index(tmp_path / "older.idx", {plain: [0, 10, "x"], keyed: [10, 5, "y"]}, 1_000)
    newer = _index(tmp_path / "newer.idx", {plain: [64, 10, "z"], "é" * 3: [1, 1, "w"], "d" * 60: [2, 2, "v"]}, 2_000)
    broken = tmp_path / "broken.idx"
    broken.write_text("{not json")
    locator = ShardLocator([older, broken, newer])
    assert locator.find(plain) == ("newer.pack", 64)  # written again: its new copy
    assert locator.find(keyed) == ("older.pack", 10)
    for missing in ("e" * 32, "é" * 3, "d" * 60, "", "a" * 31):
        with pytest.raises(KeyError):
            locator.find(missing)


def test_every_text_of_a_corpus_read_from_its_shards_is_found_where_the_index_says(tmp_path):
    corpus = tmp_path / "corpus"  # nothing repeated across documents: every text is read from its shard
    corpus.mkdir()
    for i, word in enumerate("harbour lantern meadow orchard quarry ribbon".split()):
        (corpus / f"d{i}.txt").write_text(f"The {word} story number {i}.\n\nA second paragraph about the {word}.\n")
    cache = tmp_path / "cache"
    expected = [load_corpus(corpus, use_cache=False).text(i) for i in range(6)]
    load_corpus(corpus, cache_dir=cache)
    warm = load_corpus(corpus, cache_dir=cache)  # a new process' Store: no index held
    assert [warm.text(i) for i in range(6)] == expected
    store = Store(cache)
    settings_key = Config().stream_key()
    index = store._shard_index(settings_key)
    locator = ShardLocator(store._index_files(settings_key))
    assert len(index) == len(locator.keys) == 6
    assert all(locator.find(key) == entry[:2] for key, entry in index.items())

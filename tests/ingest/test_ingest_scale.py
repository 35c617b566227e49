"""Cold ingest that scales (issue 18): the parent's shortcuts give the snapshot the plain way gives.

- files with a line repeated across the corpus are read again on the worker processes, not by
  the parent alone, and the snapshot is the one a single process makes;
- the lines that look repeated are left out by the files read from then on, which are read once,
  and a wrong guess is read again, with the same snapshot either way;
- a worker's shard, assembled as the worker made it, is the shard decoding gives.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from peercorpus import load_corpus
from peercorpus.config import load_config
from peercorpus.ingest import load
from peercorpus.ingest import repeated as repeated_module
from peercorpus.ingest import workers as workers_module
from peercorpus.ingest.assemble import Assembler
from peercorpus.ingest.shard import content_hash, shard_key
from peercorpus.ingest.store import Store, decode_shard
from peercorpus.ingest.workers import process_encoded, process_encoded_batch

WORDS = "harbour lantern meadow orchard quarry ribbon saddle timber valley willow yonder zephyr".split()


def _site(folder: Path, pages: int = 48) -> Path:
    """``pages`` pages (more than ``load.PARALLEL_FROM_FILES``), two in three with the site's
    furniture lines, the rest without; one page twice (a duplicate text)."""
    folder.mkdir(parents=True)
    for n in range(pages):
        furniture = "Home | News | About us\n\nFollow us on Twitter\n\n" if n % 3 else ""
        (folder / f"page{n:02d}.txt").write_text(
            f"{furniture}Page {n} tells how the {WORDS[n % 12]} team met a peer worker, what they asked "
            "and what the ward learnt from them over a long first year together.\n\n"
            f"The {WORDS[(n * 5) % 12]} ward saw {n} changes; Dr. Smith said so in spring, and the "
            "nurses who had doubted it at first said so too, in the same meeting.\n",
            encoding="utf-8",
        )
    (folder / "page99.txt").write_bytes((folder / "page01.txt").read_bytes())
    return folder


def _snapshot_files(cache: Path) -> dict[str, bytes]:
    [folder] = [p.parent for p in cache.rglob("manifest.json")]
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_files_read_again_on_workers_give_the_snapshot_of_one_process(tmp_path, monkeypatch):
    site = _site(tmp_path / "site")
    one = load_corpus(site, cache_dir=tmp_path / "one", workers=1)

    def not_here(items, config):
        raise AssertionError("read again in the parent")

    monkeypatch.setattr(repeated_module, "_reread_here", not_here)
    two = load_corpus(site, cache_dir=tmp_path / "two", workers=2)

    assert len(one.repeated_lines) == 2 and two.repeated_lines == one.repeated_lines
    assert "Twitter" not in two.text(1) and two.text(1).startswith("Page 1 tells")
    assert _snapshot_files(tmp_path / "one") == _snapshot_files(tmp_path / "two")
    assert any(w.startswith("duplicate of") for w in two.documents[-1].warnings)


def _count_readings(monkeypatch) -> dict[str, int]:
    """Files tokenised (``process_file``) and read for their keys only (``file_line_keys``), here
    or on a worker."""
    readings = {"tokenised": 0, "keys only": 0}

    def counting(kind, real):
        def counted(*args, **kwargs):
            readings[kind] += 1
            return real(*args, **kwargs)

        return counted

    for module in (repeated_module, workers_module):
        monkeypatch.setattr(module, "process_file", counting("tokenised", module.process_file))
    monkeypatch.setattr(workers_module, "file_line_keys", counting("keys only", workers_module.file_line_keys))
    return readings


def test_assembling_stops_once_a_repeat_is_likely_with_the_same_snapshot(tmp_path, monkeypatch):
    site = _site(tmp_path / "site")
    added = []
    real_add = Assembler.add
    monkeypatch.setattr(Assembler, "add", lambda self, *a: added.append(1) or real_add(self, *a))
    monkeypatch.setattr(repeated_module, "CHECK_KEYS", 4)
    load_corpus(site, cache_dir=tmp_path / "early", workers=1)
    early = len(added)

    added.clear()
    monkeypatch.setattr(load, "_most_documents", lambda names: None)  # no bound: assembled as they come
    load_corpus(site, cache_dir=tmp_path / "late", workers=1)

    files = len(list(site.iterdir()))
    assert len(added) == 2 * files  # once as read, once again after the repeated lines were known
    assert files <= early < files + 10  # stopped after a few
    assert _snapshot_files(tmp_path / "early") == _snapshot_files(tmp_path / "late")


def test_once_a_repeat_is_likely_files_are_read_for_their_keys_and_tokenised_once(tmp_path, monkeypatch):
    """After a line is likely to repeat, the files sent are read for their short-line keys only
    (a sixth of the work) and tokenised once the repeated lines are known, not twice; the snapshot
    is the one made when every file is tokenised first, and those that hold a repeat again."""
    site = _site(tmp_path / "site", pages=120)
    files = len(list(site.iterdir()))
    holding = sum(1 for page in site.iterdir() if "Twitter" in page.read_text(encoding="utf-8"))
    readings = _count_readings(monkeypatch)
    monkeypatch.setattr(repeated_module, "CHECK_KEYS", 4)
    calls = []
    early = load_corpus(site, cache_dir=tmp_path / "early", workers=1, progress=lambda *call: calls.append(call))
    first = files - readings["keys only"]  # tokenised before the repeat was likely
    assert 0 < first < 20
    assert files < readings["tokenised"] <= files + first  # those few again when they hold a repeat
    shown = [call for call in calls if call[2:] == (load.REREAD_PROGRESS,)]  # most of the tokenising: shown
    assert shown[-1][:2] == (readings["tokenised"] - first,) * 2

    readings.update({"tokenised": 0, "keys only": 0})
    monkeypatch.setattr(load, "_most_documents", lambda names: None)  # no bound: never likely before the end
    late = load_corpus(site, cache_dir=tmp_path / "late", workers=1)
    assert readings == {"tokenised": files + holding, "keys only": 0}
    assert early.repeated_lines == late.repeated_lines and len(late.repeated_lines) == 2
    assert "Twitter" not in early.text(1) and "Twitter" not in early.text(100)
    assert _snapshot_files(tmp_path / "early") == _snapshot_files(tmp_path / "late")

    # a content's plain key keeps its shard with nothing left out (snapshots of other corpora may
    # read their texts there); those with the repeated lines left out are cached beside
    store, key = Store(tmp_path / "early"), load_config(None).stream_key()
    for page in site.iterdir():
        digest = content_hash(page.read_bytes())
        plain = store.load_shard(key, digest)
        assert plain is None or not plain.left_out
        if plain is None:
            assert store.load_shard(key, shard_key(digest, early.repeated_lines if "Twitter" in page.read_text() else frozenset())).left_out
    readings.update({"tokenised": 0, "keys only": 0})
    again = load_corpus(site, cache_dir=tmp_path / "early", workers=1)  # warm: the shards cached then fit
    assert readings == {"tokenised": 0, "keys only": 0} and again.repeated_lines == early.repeated_lines


def test_a_line_is_likely_to_repeat_once_it_is_in_a_twentieth_of_the_documents_read():
    """Certain (in a twentieth of all the documents there can be) is not waited for: a line in a
    twentieth of those read so far, and in ``LIKELY_MIN_DOCUMENTS`` of them, switches to keys first."""
    watch = repeated_module.RepeatWatch(most_documents=100_000)  # certain at 5,000 documents
    for n in range(repeated_module.LIKELY_MIN_DOCUMENTS - 1):
        watch.add(np.array([7, 1000 + n]), 1)
        watch.add(np.array([2000 + n, 3000 + n]), 1)
        watch._next_check = 0  # looked at every time here
        assert not watch.is_likely()
    watch.add(np.array([7]), 1)
    watch._next_check = 0
    assert watch.is_likely()  # in 20 of 39 documents

    rare = repeated_module.RepeatWatch(most_documents=100_000)
    rare.add(np.array([7] * 30), 30)
    rare.add(np.arange(1000, 1700), 700)
    rare._next_check = 0
    assert not rare.is_likely()  # in 30 of 730: under a twentieth
    assert not repeated_module.RepeatWatch(most_documents=None).is_likely()  # rows: not before the end


def test_a_line_likely_to_repeat_that_does_not_gives_the_snapshot_of_reading_on(tmp_path, monkeypatch):
    """The first pages share a line, which looks likely to repeat but is in too few of all the
    pages in the end: the pages were read for their keys first, and tokenised after, with nothing
    left out; the snapshot is the one made when every file is tokenised as it comes."""
    site = tmp_path / "site"
    site.mkdir()
    for n in range(120):
        furniture = "Home | News | About us\n\n" if n < 5 else ""
        (site / f"page{n:03d}.txt").write_text(f"{furniture}Page {n} tells of the {WORDS[n % 12]} ward and its peer workers, who met every week "
                                                   "through a long first year and wrote down what they learnt from each other.\n", encoding="utf-8")
    readings = _count_readings(monkeypatch)
    monkeypatch.setattr(repeated_module, "CHECK_KEYS", 2)
    monkeypatch.setattr(repeated_module, "LIKELY_MIN_DOCUMENTS", 4)
    guessed = load_corpus(site, cache_dir=tmp_path / "guessed", workers=1)
    assert readings["keys only"] > 100 and not guessed.repeated_lines
    assert guessed.text(0).startswith("Home | News")
    monkeypatch.setattr(load, "_most_documents", lambda names: None)  # no guess before the end
    load_corpus(site, cache_dir=tmp_path / "read on", workers=1)
    assert _snapshot_files(tmp_path / "guessed") == _snapshot_files(tmp_path / "read on")


def test_a_file_gone_before_it_is_tokenised_is_skipped_and_said(tmp_path, monkeypatch):
    """A file read for its short lines, then removed before it is tokenised: left out with a
    warning (as a file that cannot be read), the rest of the corpus read."""
    site = _site(tmp_path / "site", pages=120)
    monkeypatch.setattr(repeated_module, "CHECK_KEYS", 4)
    real = load._reread_in_workers

    def remove_one_first(items, config, **kwargs):
        items[len(items) // 2][0].unlink()
        return real(items, config, **kwargs)

    monkeypatch.setattr(load, "_reread_in_workers", remove_one_first)
    corpus = load_corpus(site, cache_dir=tmp_path / "cache", workers=1)
    assert len(corpus.documents) == len(list(site.iterdir()))  # all but the one removed
    assert [s.reason for s in corpus.skipped] == [load.VANISHED]


def test_a_cached_shard_that_left_lines_out_is_read_again_when_they_do_not_repeat(tmp_path, monkeypatch):
    """The cache keeps what a file left out (``Shard.left_out``): reused for a corpus where those
    lines do not repeat, the file is read again."""
    site = _site(tmp_path / "site", pages=120)
    cache = tmp_path / "cache"
    load_corpus(site, cache_dir=cache, workers=1)
    alone = tmp_path / "alone"
    alone.mkdir()
    for n in (1, 2, 3):  # pages with the furniture lines, in a corpus of three
        (alone / f"page{n:02d}.txt").write_bytes((site / f"page{n:02d}.txt").read_bytes())
    (alone / "other.txt").write_text("Another page, with no furniture at all, on its own.\n", encoding="utf-8")
    again = load_corpus(alone, cache_dir=cache, workers=1)
    fresh = load_corpus(alone, cache_dir=tmp_path / "fresh", workers=1)
    assert [again.text(i) for i in range(4)] == [fresh.text(i) for i in range(4)]


def _same_shard(one, other) -> bool:
    return (one.documents == other.documents and one.vocab == other.vocab and one.arrays.keys() == other.arrays.keys()
            and all(np.array_equal(array, other.arrays[name]) for name, array in one.arrays.items()))


def test_a_file_read_again_takes_its_line_keys_as_read_and_finds_its_sections_once(tmp_path, monkeypatch):
    """A file tokenised again with the repeated lines left out is given the line keys its first
    reading found (``process_file(line_keys=)``): its sections are found once, not twice, and the
    shard is the one finding them gives; keys of another number of documents (the file changed
    since) are found again."""
    from peercorpus.ingest import shard as shard_module

    site = _site(tmp_path / "site", pages=6)
    (site / "rows.csv").write_text("id,text\n1,Home | News\n2,\n3,Follow us on Twitter\n\nA row that says more.\n", encoding="utf-8")
    config = load_config(None)
    finds = []
    real_find = shard_module.find_sections
    monkeypatch.setattr(shard_module, "find_sections", lambda *a, **k: finds.append(1) or real_find(*a, **k))
    for path in (site / "page01.txt", site / "rows.csv"):
        read = shard_module.file_line_keys(path, site, config)
        repeated = frozenset(read.line_keys.tolist())
        assert repeated
        finds.clear()
        found = shard_module.process_file(path, site, config, repeated=repeated)
        assert len(finds) == 2 * len(read.doc_line_keys)
        finds.clear()
        given = shard_module.process_file(path, site, config, repeated=repeated, line_keys=read)
        assert len(finds) == len(read.doc_line_keys)
        assert _same_shard(given, found) and np.array_equal(given.arrays["line_keys"], read.line_keys)
        for item in ((path, site, None, repeated), (path, site, None, repeated, read)):  # as a worker takes it
            assert _same_shard(process_encoded(item, config).decode(), found)
        finds.clear()
        other = shard_module.FileLineKeys(np.array([7], dtype=np.int64), np.array([1, 0, 0, 0]), [])
        assert _same_shard(shard_module.process_file(path, site, config, repeated=repeated, line_keys=other), found)
        assert len(finds) == 2 * len(read.doc_line_keys)


def test_a_worker_shard_assembled_as_made_is_the_shard_decoding_gives(tmp_path):
    (tmp_path / "a.txt").write_text("Café au lait — naïve “quotes”.\n\nA second paragraph. Dr. Who came.\n", encoding="utf-8")
    (tmp_path / "rows.csv").write_text("id,text\n1,First row here.\n2,Second row; more text. Again.\n3,\n", encoding="utf-8")
    config = load_config(None)
    for name in ("a.txt", "rows.csv"):
        encoded = process_encoded((tmp_path / name, tmp_path, "digest"), config)
        made, decoded = encoded.decode(), decode_shard(encoded.encoded)
        assert made.documents == decoded.documents and made.vocab == decoded.vocab
        assert made.text_blocks == decoded.text_blocks
        assert made.arrays.keys() == decoded.arrays.keys()
        for key, array in made.arrays.items():
            assert array.dtype == decoded.arrays[key].dtype and np.array_equal(array, decoded.arrays[key]), key


def test_the_line_keys_kept_per_file_hold_no_decoded_shard(tmp_path):
    """Shards read from the cache (a rebuild) have their line keys in their decompressed block: the
    keys the repeated-lines pass keeps must be copies, or every block stays alive (BBC x400: 2 GB)."""
    site = _site(tmp_path / "site")
    config = load_config(None)
    shards = [((path, site), decode_shard(process_encoded((path, site, "digest"), config).encoded)) for path in sorted(site.iterdir())]
    assert all(shard.arrays["line_keys"].base is not None for _, shard in shards)  # views, as decoded
    kept: dict = {}
    again, repeated = repeated_module.without_repeated_lines(iter(shards), config, keys_out=kept)
    assert repeated and len(kept) == len(shards)
    assert all(keys.base is None for keys, _ in kept.values())
    assert len(list(again)) == len(shards)


def test_the_worker_pool_has_ended_when_the_last_shard_is_handed_on(tmp_path):
    """A reader that takes exactly the shards it asked for never resumes the generator: the pool
    must not be left to the interpreter's exit (where a kwic hung once)."""
    import multiprocessing

    site = _site(tmp_path / "site")
    items = [(path, site, None, frozenset()) for path in sorted(site.iterdir())]
    assert len(items) >= load.PARALLEL_FROM_FILES
    results = load._tokenize_files(items, load_config(None), None, 2)
    shards = [next(results) for _ in items]
    assert all(not isinstance(shard, str) for shard in shards)
    assert multiprocessing.active_children() == []


_MADE_IN: list[int] = []


def _batch_noting_its_process(batch, config):
    """``workers.process_encoded_batch``, noting the process it ran in (a module function: the pool pickles it)."""
    _MADE_IN.append(os.getpid())
    return process_encoded_batch(batch, config)


def test_this_process_tokenises_batches_beside_the_pool_and_the_results_keep_their_order(tmp_path, monkeypatch):
    """``workers=2``: a pool of one, and this process taking the next batch whenever the pool's
    oldest is not ready; the shards come back in input order, equal to those made in one process,
    each batch's files measured once (``IN_FLIGHT_BYTES`` bounds what is taken)."""
    site = _site(tmp_path / "site", pages=200)
    items = [(path, site, None) for path in sorted(site.iterdir())]
    config = load_config(None)
    held = []
    real_bytes = load._input_bytes

    def counted(batch):
        held.append(real_bytes(batch))
        return held[-1]

    _MADE_IN.clear()
    monkeypatch.setattr(load, "process_encoded_batch", _batch_noting_its_process)
    monkeypatch.setattr(load, "_input_bytes", counted)
    monkeypatch.setattr(load, "IN_FLIGHT_BYTES", sum(path.stat().st_size for path, *_ in items) // 2)
    shards = list(load._tokenize_files(items, config, None, 2))
    alone = [process_encoded(item, config) for item in items]
    assert [shard.encoded for shard in shards] == [shard.encoded for shard in alone]
    assert os.getpid() in _MADE_IN  # this process did some of the work (a batch sent to the pool is noted there)
    assert sum(held) == sum(path.stat().st_size for path, *_ in items)


def test_no_more_than_in_flight_bytes_of_files_are_taken_beyond_the_oldest_batch(tmp_path, monkeypatch):
    """With ``IN_FLIGHT_BYTES`` below one file, one batch at a time is in flight (taken when the
    one before it has been handed on), and every file still comes back."""
    site = _site(tmp_path / "site", pages=120)
    items = [(path, site, None) for path in sorted(site.iterdir())]
    taken = []
    real_bytes = load._input_bytes
    monkeypatch.setattr(load, "_input_bytes", lambda batch: taken.append(batch) or real_bytes(batch))
    monkeypatch.setattr(load, "IN_FLIGHT_BYTES", 1)
    results = load._tokenize_files(items, load_config(None), None, 2)
    first = next(results)
    assert len(taken) == 1 and not isinstance(first, str)
    rest = list(results)
    assert 1 + len(rest) == len(items) and sum(map(len, taken)) == len(items)


def test_the_pools_result_pipe_holds_a_batch_of_results():
    """``_widen_result_pipe``: Linux's pipe of a pool's results widened to ``RESULT_PIPE_BYTES``."""
    import fcntl
    from concurrent.futures import ProcessPoolExecutor

    get_size = getattr(fcntl, "F_GETPIPE_SZ", None)
    if get_size is None:
        pytest.skip("pipe sizes are Linux's")
    with ProcessPoolExecutor(1) as pool:
        load._widen_result_pipe(pool)
        assert fcntl.fcntl(pool._result_queue._reader.fileno(), get_size) >= load.RESULT_PIPE_BYTES


def test_a_corpus_of_the_same_files_elsewhere_reads_the_shards_cached_with_their_repeated_lines_left_out(tmp_path, monkeypatch):
    """Files read for their keys first are cached only with the repeated lines left out (under
    ``shard.shard_key``): a corpus of the same contents in another folder (another snapshot) finds
    those shards and tokenises nothing; its texts are read from them."""
    site = _site(tmp_path / "site", pages=120)
    monkeypatch.setattr(repeated_module, "CHECK_KEYS", 4)
    first = load_corpus(site, cache_dir=tmp_path / "cache", workers=1)
    copy = tmp_path / "copy"
    shutil.copytree(site, copy)
    readings = _count_readings(monkeypatch)
    again = load_corpus(copy, cache_dir=tmp_path / "cache", workers=1)
    assert readings == {"tokenised": 0, "keys only": 0}
    assert not again.load_report.from_snapshot and again.repeated_lines == first.repeated_lines
    assert [again.text(i) for i in range(len(again))] == [first.text(i) for i in range(len(first))]
    assert "Twitter" not in again.text(1)


def test_a_cold_ingest_hashes_each_file_where_it_is_tokenised_and_skips_as_hashing_first_did(tmp_path, monkeypatch):
    """With nothing in the cache, the files are hashed by the processes that tokenise them
    (``workers.HashOnRead``), not read by this one first: the snapshot is the one hashing first
    gives, and a file that cannot be read is skipped before one that cannot be tokenised."""
    site = _site(tmp_path / "site", pages=120)
    (site / "page03.txt").write_bytes(bytes(range(256)) * 40)  # tokenising fails: binary
    unreadable = str(site / "page07.txt")
    real_read = Path.read_bytes

    def read_bytes(self):  # inherited by the forked workers
        if str(self) == unreadable:
            raise PermissionError(13, "Permission denied", str(self))
        return real_read(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    real_hashes = load._content_hashes
    monkeypatch.setattr(load, "_content_hashes", lambda *args, defer: real_hashes(*args, defer=False))
    hashed_first = load_corpus(site, cache_dir=tmp_path / "first", workers=2)
    monkeypatch.setattr(load, "_content_hashes", real_hashes)
    monkeypatch.setattr(load, "file_content_hash", lambda path: pytest.fail("hashed by this process before tokenising"))
    hashed_on_read = load_corpus(site, cache_dir=tmp_path / "on-read", workers=2)
    assert [(s.path, s.reason) for s in hashed_on_read.skipped] == [(s.path, s.reason) for s in hashed_first.skipped]
    assert [s.path for s in hashed_on_read.skipped] == [unreadable, str(site / "page03.txt")]
    assert hashed_on_read.load_report.files_read == hashed_first.load_report.files_read == 119
    assert _snapshot_files(tmp_path / "on-read") == _snapshot_files(tmp_path / "first")


def test_worker_processes_hashing_on_read_do_not_tokenise_what_the_cache_holds(tmp_path):
    """The same contents in another folder, ingested with worker processes: each is hashed where
    it is read, found in the cache as it was when the ingest began (``store.ShardLookup``,
    inherited by the forked workers), and not tokenised again."""
    site = _site(tmp_path / "site", pages=120)
    first = load_corpus(site, cache_dir=tmp_path / "cache", workers=2)
    copy = tmp_path / "copy"
    shutil.copytree(site, copy)
    again = load_corpus(copy, cache_dir=tmp_path / "cache", workers=2)
    assert again.load_report.files_read == len(first) and again.load_report.files_tokenized == 0
    assert [again.text(i) for i in range(len(again))] == [first.text(i) for i in range(len(first))]


def test_each_batchs_files_are_read_ahead_when_it_is_taken(tmp_path, monkeypatch):
    """``_read_ahead``: every file is advised to the system (``POSIX_FADV_WILLNEED``) before it
    is tokenised, a batch at a time, and a file gone meanwhile is left to the tokenising to say."""
    site = _site(tmp_path / "site", pages=120)
    items = [(path, site, None) for path in sorted(site.iterdir())]
    advised = []
    monkeypatch.setattr(load, "_ADVISE", lambda descriptor, offset, length, advice: advised.append(
        (os.readlink(f"/proc/self/fd/{descriptor}"), advice)))
    if not Path("/proc/self/fd").is_dir():
        pytest.skip("descriptors are named through Linux's /proc")
    items[5][0].unlink()
    results = list(load._tokenize_files(items, load_config(None), None, 2))
    assert len(results) == len(items) and isinstance(results[5], str)
    assert sorted(advised) == sorted((str(item[0]), os.POSIX_FADV_WILLNEED) for item in items if item[0].exists())


def test_reading_ahead_a_file_swapped_for_a_fifo_does_not_wait_for_a_writer(tmp_path):
    import threading

    fifo = tmp_path / "page.txt"
    os.mkfifo(fifo)
    reader = threading.Thread(target=load._read_ahead, args=([(fifo, tmp_path, None)],), daemon=True)
    reader.start()
    reader.join(timeout=10)
    hung = reader.is_alive()
    if hung:  # let it go: a writer opens the other end
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    assert not hung

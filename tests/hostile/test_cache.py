"""The cache never gives a stale or damaged answer: changes are noticed, damage is rebuilt."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from peercorpus import load_corpus
from peercorpus.ingest.store import Store


def _corpus(tmp_path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(6):
        (corpus / f"d{i}.txt").write_text(f"Document {i} is about peer support and lighthouse number {i}.\n" * (i + 1))
    (corpus / "metadata.csv").write_text("file,genre\n" + "".join(f"d{i}.txt,g{i % 2}\n" for i in range(6)))
    return corpus


def _fingerprint(corpus):
    tokens = corpus.tokens
    return (
        corpus.doc_ids,
        [corpus.text(i) for i in range(len(corpus))],
        [tokens.vocab[i] for i in np.asarray(tokens.ids).tolist()],
        np.asarray(tokens.char_starts).tolist(),
        [d.metadata for d in corpus.documents],
        np.asarray(tokens.index[1]).tolist(),
    )


def test_a_file_changed_in_place_with_its_mtime_restored_is_noticed(tmp_path, isolated_cache):
    corpus = _corpus(tmp_path)
    first = load_corpus(corpus)
    assert "harbour" not in first.tokens.vocab
    target = corpus / "d0.txt"
    before = target.stat()
    text = target.read_text()
    target.write_text(text.replace("lighthouse", "harbour"[: len("lighthouse")].ljust(len("lighthouse"), "s")))
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))  # touch -r: size and mtime as before
    assert target.stat().st_size == before.st_size
    second = load_corpus(corpus)
    assert not second.load_report.from_snapshot
    assert any(word.startswith("harbour") for word in second.tokens.vocab)


def test_a_file_skipped_as_unreadable_is_read_once_readable(tmp_path, isolated_cache):
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    corpus = _corpus(tmp_path)
    (corpus / "d0.txt").chmod(0)
    first = load_corpus(corpus)
    assert len(first) == 5
    (corpus / "d0.txt").chmod(0o644)
    assert len(load_corpus(corpus)) == 6


def test_a_file_recorded_as_unreadable_is_retried_when_it_can_be_read(tmp_path, isolated_cache, monkeypatch):
    """As root every file is readable, so make one unreadable by failing its read once."""
    from peercorpus.ingest import load as load_module

    corpus = _corpus(tmp_path)
    real_read = Path.read_bytes
    failing = {str(corpus / "d0.txt")}

    def read_bytes(self):
        if str(self) in failing:
            raise PermissionError(13, "Permission denied", str(self))
        return real_read(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    monkeypatch.setattr(load_module.os, "access", lambda path, mode: str(path) not in failing)
    assert len(load_corpus(corpus)) == 5
    assert len(load_corpus(corpus)) == 5  # still unreadable: the snapshot is used
    failing.clear()
    again = load_corpus(corpus)
    assert len(again) == 6 and not again.load_report.from_snapshot


def _damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    if how == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "flip":
        middle = max(len(data) - 5, 0) if len(data) < 200 else len(data) // 2 + 17
        if not data:
            return
        flipped = bytearray(data)
        flipped[middle] ^= 0x40
        path.write_bytes(bytes(flipped))
    elif how == "delete":
        path.unlink()


def _cache_files(cache: Path) -> list[Path]:
    return sorted(p for p in cache.rglob("*") if p.is_file() and p.name != "current")


@pytest.mark.slow
@pytest.mark.parametrize("how", ["truncate", "empty", "flip", "delete"])  # one kind a test: shared out by xdist
def test_every_kind_of_damage_to_every_cache_file_is_noticed_and_rebuilt(tmp_path, isolated_cache, how):
    corpus = _corpus(tmp_path)
    expected = _fingerprint(load_corpus(corpus, use_cache=False))
    template = tmp_path / "template"
    load_corpus(corpus, cache_dir=template)
    names = [p.relative_to(template) for p in _cache_files(template)]
    assert any(n.name == "ids.npy" for n in names) and any(n.suffix == ".pack" for n in names)
    failures = []
    for name in names:
        cache = tmp_path / "cache"
        shutil.rmtree(cache, ignore_errors=True)
        shutil.copytree(template, cache, symlinks=True)
        _damage(cache / name, how)
        try:
            got = _fingerprint(load_corpus(corpus, cache_dir=cache))
        except Exception as error:  # noqa: BLE001 - any exception is a failure here
            failures.append((str(name), f"{type(error).__name__}: {error}"))
            continue
        if got != expected:
            failures.append((str(name), "wrong answer"))
        # and the cache is whole again afterwards
        if _fingerprint(load_corpus(corpus, cache_dir=cache)) != expected:
            failures.append((str(name), "wrong answer after the rebuild"))
    assert failures == []


def test_damage_to_the_shard_packs_a_snapshot_reads_texts_from_is_noticed_and_rebuilt(tmp_path, isolated_cache):
    corpus = tmp_path / "corpus"  # no line repeated across documents: every text is read from the packs
    corpus.mkdir()
    for i, word in enumerate("harbour lantern meadow orchard quarry ribbon".split()):
        (corpus / f"d{i}.txt").write_text(f"The {word} story number {i} tells of peers.\n\nA second paragraph about the {word}.\n")
    expected = _fingerprint(load_corpus(corpus, use_cache=False))
    template = tmp_path / "template"
    assert load_corpus(corpus, cache_dir=template).repeated_lines == frozenset()
    names = [p.relative_to(template) for p in _cache_files(template) if p.suffix in (".pack", ".idx")]
    assert len(names) == 2
    for name in names:
        for how in ("truncate", "empty", "flip", "delete"):
            cache = tmp_path / f"cache-{name.suffix[1:]}-{how}"
            shutil.copytree(template, cache, symlinks=True)
            _damage(cache / name, how)
            assert _fingerprint(load_corpus(corpus, cache_dir=cache)) == expected, (name, how)
            again = load_corpus(corpus, cache_dir=cache)
            assert again.load_report.from_snapshot and _fingerprint(again) == expected, (name, how)
    # the list of packs beside a snapshot names only packs of the shard folder: a file elsewhere
    # (a device that never ends, here) is not read, the snapshot is rebuilt
    cache = tmp_path / "cache-listed-elsewhere"
    shutil.copytree(template, cache, symlinks=True)
    [listed] = cache.rglob("*.packs.json")
    listed.write_text('{"/dev/zero": [0, "00000000"]}')
    assert _fingerprint(load_corpus(corpus, cache_dir=cache)) == expected
    # nor a device the snapshot's own manifest lists, inside its folder or out
    for name in ("zero", "/dev/zero"):
        cache = tmp_path / f"cache-device-{len(name)}"
        shutil.copytree(template, cache, symlinks=True)
        [manifest] = cache.rglob("manifest.json")
        (manifest.parent / "zero").symlink_to("/dev/zero")
        written = json.loads(manifest.read_text())
        written["files"][name] = [0, "00000000"]
        manifest.write_text(json.dumps(written))
        assert _fingerprint(load_corpus(corpus, cache_dir=cache)) == expected, name


@pytest.mark.parametrize("names", [["texts.bin", "key/a\u0000b"], {"texts.bin": 0}, ["texts.bin", 7]])
def test_a_list_of_text_sources_that_is_not_names_rebuilds_the_snapshot(tmp_path, isolated_cache, names):
    """``text_sources.json`` is held packed (NUL-ended names): a name holding NUL, or anything but a
    list of names, written with a checksum that matches, is a damaged snapshot, not a wrong text."""
    import zlib

    corpus = _corpus(tmp_path)
    expected = _fingerprint(load_corpus(corpus, use_cache=False))
    cache = tmp_path / "cache"
    load_corpus(corpus, cache_dir=cache)
    [sources] = cache.rglob("text_sources.json.z")
    sources.write_bytes(zlib.compress(json.dumps(names).encode()))
    [manifest] = cache.rglob("manifest.json")
    written = json.loads(manifest.read_text())
    name = sources.relative_to(manifest.parent).as_posix()
    assert name in written["files"]
    written["files"][name] = [sources.stat().st_size, f"{zlib.crc32(sources.read_bytes()):08x}"]
    manifest.write_text(json.dumps(written))
    again = load_corpus(corpus, cache_dir=cache)
    assert _fingerprint(again) == expected and not again.load_report.from_snapshot


def test_a_damaged_snapshot_is_rebuilt_with_a_warning(run, tmp_path, isolated_cache):
    corpus = _corpus(tmp_path)
    assert run("ingest", str(corpus)).exit_code == 0
    ids = next(isolated_cache.rglob("ids.npy"))
    ids.write_bytes(b"")
    result = run("kwic", str(corpus), "lighthouse", "-f", "csv")
    assert result.exit_code == 0, result.stderr
    assert "rebuilding it" in result.stderr and "21 hits" in result.stderr


def test_stale_builds_and_packs_of_a_killed_process_are_removed(tmp_path, isolated_cache):
    from peercorpus.ingest import store as store_module

    corpus = _corpus(tmp_path)
    load_corpus(corpus)
    home = next((Store(isolated_cache).root / "snapshots").iterdir())
    shards = next((Store(isolated_cache).root / "shards").iterdir())
    stale_build = home / ".building-dead"
    stale_build.mkdir()
    (stale_build / "ids.npy").write_bytes(b"x" * 1000)
    stale_pack = shards / ".tmp-dead"
    stale_pack.write_bytes(b"y" * 1000)
    old = 1_000_000_000
    os.utime(stale_build, (old, old))
    os.utime(stale_pack, (old, old))
    (corpus / "d9.txt").write_text("A new document about peers.\n")  # a build, and a new pack
    load_corpus(corpus)
    assert not stale_build.exists() and not stale_pack.exists()
    assert store_module.STALE_SECONDS > 0


def test_a_replaced_snapshot_stays_for_readers_that_are_opening_it(tmp_path, isolated_cache):
    corpus = _corpus(tmp_path)
    load_corpus(corpus)
    store = Store(isolated_cache)
    home = next((Store(isolated_cache).root / "snapshots").iterdir())
    first = store.current_snapshot(home.name)
    (corpus / "d9.txt").write_text("A new document about peers.\n")
    load_corpus(corpus)
    assert store.current_snapshot(home.name) != first and first.is_dir()  # retired, not deleted
    assert (first / ".retired").exists()
    # deleted once retired long enough, with the list of shard packs kept beside it
    from peercorpus.ingest.store import PACKS_SUFFIX

    packs = home / f"{first.name}{PACKS_SUFFIX}"
    assert packs.is_file()
    os.utime(first / ".retired", (1_000_000_000, 1_000_000_000))
    store.retire_old_snapshots(home.name)
    assert not first.exists() and not packs.exists()
    assert (home / f"{store.current_snapshot(home.name).name}{PACKS_SUFFIX}").is_file()


def test_ingest_checks_every_checksum_and_says_how_big_the_cache_is(run, tmp_path, isolated_cache, monkeypatch):
    from peercorpus.ingest import store as store_module

    monkeypatch.setattr(store_module, "VERIFY_BELOW", 0)  # as if every file were large: sizes only
    monkeypatch.setattr(store_module.check_snapshot_files, "__defaults__", (0,))
    corpus = _corpus(tmp_path)
    assert run("ingest", str(corpus)).exit_code == 0
    ids = next(isolated_cache.rglob("ids.npy"))
    data = bytearray(ids.read_bytes())
    data[-3] ^= 0x01  # a bit flip: same size
    ids.write_bytes(bytes(data))
    result = run("-v", "ingest", str(corpus))
    assert result.exit_code == 0 and "checksum" in result.stderr and "rebuilding it" in result.stderr
    assert "cache: " in result.stderr and " MB for this corpus (" in result.stderr


def test_a_reader_whose_snapshot_is_replaced_and_deleted_while_opening_opens_the_new_one(tmp_path, isolated_cache, monkeypatch):
    from peercorpus.ingest import load as load_module

    corpus = _corpus(tmp_path)
    load_corpus(corpus)
    store = Store(isolated_cache)
    home = next((store.root / "snapshots").iterdir())
    first = store.current_snapshot(home.name)
    second = home / "second"
    shutil.copytree(first, second)
    real_open = load_module._open_snapshot
    calls = []

    def open_while_another_publishes(store_, folder, manifest, skipped):
        calls.append(folder.name)
        if len(calls) == 1:  # another command publishes and deletes the old one right now
            (home / "current").write_text("second")
            shutil.rmtree(first)
        return real_open(store_, folder, manifest, skipped)

    monkeypatch.setattr(load_module, "_open_snapshot", open_while_another_publishes)
    again = load_corpus(corpus)
    assert calls == [first.name, "second"]
    assert again.load_report.from_snapshot and again.load_report.notices == []
    assert _fingerprint(again) == _fingerprint(load_corpus(corpus, use_cache=False))

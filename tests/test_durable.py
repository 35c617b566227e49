"""What peercorpus writes is flushed to the disk before it is published (``durable.sync``),
unless ``PEERCORPUS_FSYNC=0`` says the cache is throwaway (as this suite's are)."""

from __future__ import annotations

import os

import pytest

from peercorpus import durable
from peercorpus.ingest.load import load_corpus
from peercorpus.render.export import atomic_write


@pytest.fixture
def synced(monkeypatch) -> list[int]:
    """The descriptors ``os.fsync`` is called with (it is still called)."""
    calls: list[int] = []
    real = os.fsync

    def counting(descriptor: int) -> None:
        calls.append(descriptor)
        real(descriptor)

    monkeypatch.setattr(durable.os, "fsync", counting)
    return calls


def test_a_cold_ingest_flushes_every_snapshot_file_and_the_shard_pack(monkeypatch, synced, mini_corpus, tmp_path):
    monkeypatch.delenv(durable.FSYNC_ENV, raising=False)
    cache = tmp_path / "cache"
    load_corpus(mini_corpus, cache_dir=cache)
    snapshot_files = [p for p in cache.rglob("manifest.json")][0].parent.iterdir()
    assert len(synced) >= len(list(snapshot_files)) + 1  # every snapshot file, its manifest, the pack


def test_an_output_is_flushed_before_it_is_renamed_into_place(monkeypatch, synced, tmp_path):
    monkeypatch.delenv(durable.FSYNC_ENV, raising=False)
    atomic_write(tmp_path / "table.csv", "a,b\n1,2\n")
    assert len(synced) == 1 and (tmp_path / "table.csv").read_text() == "a,b\n1,2\n"


def test_fsync_0_skips_the_flush_and_nothing_else(monkeypatch, synced, mini_corpus, tmp_path):
    monkeypatch.setenv(durable.FSYNC_ENV, "0")
    atomic_write(tmp_path / "table.csv", "x\n")
    corpus = load_corpus(mini_corpus, cache_dir=tmp_path / "cache")
    assert synced == [] and (tmp_path / "table.csv").read_text() == "x\n" and len(corpus) == 4

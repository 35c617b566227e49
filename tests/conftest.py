"""Shared fixtures: tiny committed corpora, an isolated cache, and a CLI runner."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

DATA = Path(__file__).parent / "data"
SAMPLE = Path(__file__).parent.parent / "corpora"


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path_factory, monkeypatch):
    """Every test gets its own cache folder, so tests never share or pollute a cache."""
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("PEERCORPUS_CACHE_DIR", str(cache))
    return cache


@pytest.fixture
def mini_corpus(tmp_path) -> Path:
    """A writable copy of tests/data/mini: four short texts and a metadata.csv."""
    target = tmp_path / "mini"
    shutil.copytree(DATA / "mini", target)
    return target


@pytest.fixture
def sample_corpus() -> Path:
    """The project's sample corpus (corpora/), read-only."""
    return SAMPLE


class Runner:
    """Runs the ``peercorpus`` CLI in-process: ``run("info", str(path))`` → click Result."""

    def __init__(self):
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None):
        from peercorpus.cli import app

        return self.runner.invoke(app, list(args), input=input, catch_exceptions=False)


@pytest.fixture
def run() -> Runner:
    return Runner()

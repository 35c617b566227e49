"""The full report (test_report.CONFIG on a copy of tests/data/mini), made once per test process
for every test that only reads what it wrote."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import DATA, Runner


@pytest.fixture(scope="session")
def full_report(tmp_path_factory) -> tuple[Path, Path, Path]:
    """(the report folder, the corpus, the config) of one run of the whole CONFIG. Its plots are
    drawn at 72 dpi, as every test's are (tests/conftest.py screen_resolution_plots, which a
    session fixture made before it does not get)."""
    from peercorpus.render import figure

    from .test_report import write_config

    folder = tmp_path_factory.mktemp("full-report")
    corpus = folder / "mini"
    shutil.copytree(DATA / "mini", corpus)
    config = write_config(folder, corpus)
    out = folder / "out"
    dpi, figure.DPI = figure.DPI, 72
    try:
        result = Runner()("report", str(config), "-o", str(out), "--cache-dir", str(folder / "cache"))
    finally:
        figure.DPI = dpi
    assert result.exit_code == 0, result.stderr
    return out, corpus, config

"""The examples of docs/python-api.md run as they are written (the front door: ``import peercorpus as pc``)."""

from __future__ import annotations

import doctest
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_the_python_api_page_runs_as_written(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("PEERCORPUS_CACHE_DIR", str(tmp_path / "cache"))
    with pd.option_context("display.width", 120, "display.max_columns", 20):
        result = doctest.testfile(
            str(ROOT / "docs" / "python-api.md"), module_relative=False,
            optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS,
        )
    assert result.attempted >= 12 and result.failed == 0


def test_import_peercorpus_loads_no_analysis_until_a_verb_is_used():
    import subprocess

    probe = (
        "import sys, peercorpus as pc\n"
        "print('pandas' in sys.modules, 'peercorpus.api' in sys.modules)\n"
        "pc.kwic\n"
        "print('peercorpus.api' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False", "True"]


def test_an_unknown_verb_is_an_attribute_error():
    import peercorpus as pc

    with pytest.raises(AttributeError):
        pc.concordance  # noqa: B018


def test_keyness_against_another_corpus_or_a_word_list_is_the_commands(mini_corpus, sample_corpus, run):
    import io

    import peercorpus as pc

    corpus, reference = pc.load_corpus(mini_corpus), pc.load_corpus(sample_corpus)
    against_corpus = pc.keyness(corpus, reference_corpus=reference, min_count=1)
    command = pd.read_csv(io.StringIO(run("keyness", str(mini_corpus), "--reference-corpus", str(sample_corpus), "--min-count", "1", "-f", "csv").stdout))
    assert against_corpus["term"].tolist() == command["term"].tolist()
    against_counts = pc.keyness(corpus, reference_counts={"peer": 1, "the": 100}, min_count=1)
    assert "peer" in set(against_counts[against_counts["keyness"] == "positive"]["term"])
    with pytest.raises(pc.PeerCorpusError, match="give one of target, reference_corpus or reference_counts"):
        pc.keyness(corpus, target=["genre=blog"], reference_corpus=reference)


def test_one_condition_may_be_a_string_wherever_a_list_of_conditions_goes(sample_corpus):
    import peercorpus as pc

    corpus = pc.load_corpus(sample_corpus)
    assert corpus.where("genre=blog").within()[1].tolist() == corpus.where(["genre=blog"]).within()[1].tolist()
    pd.testing.assert_frame_equal(pc.frequency(corpus, where="genre=blog"), pc.frequency(corpus, where=["genre=blog"]))
    pd.testing.assert_frame_equal(pc.kwic(corpus, "peer", where="genre=blog"), pc.kwic(corpus, "peer", where=["genre=blog"]))
    pd.testing.assert_frame_equal(
        pc.keyness(corpus, target="genre=blog", reference="genre=news"),
        pc.keyness(corpus, target=["genre=blog"], reference=["genre=news"]),
    )
    pd.testing.assert_frame_equal(pc.dispersion(corpus, "peer"), pc.dispersion(corpus, ["peer"]))

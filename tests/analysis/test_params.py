"""One parameter object per analysis: the registry, errors that name a parameter, one spelling per concept."""

from __future__ import annotations

from dataclasses import fields

import pytest

import peercorpus as pc
from peercorpus.analysis.frequency import FreqParams
from peercorpus.analysis.params import TOP_SHOWN, Params
from peercorpus.analysis.registry import ANALYSES, analysis_named
from peercorpus.analysis.topics.model import TopicsParams
from peercorpus.errors import UsageError


def test_every_analysis_has_its_params_next_to_its_function():
    for name, entry in ANALYSES.items():
        assert issubclass(entry.params, Params), name
        assert entry.params.__module__.startswith("peercorpus.analysis."), name
        assert "where" in {f.name for f in fields(entry.params)}, name


def test_code_is_an_alias_of_the_reports_codebook_analysis():
    assert analysis_named("code") is ANALYSES["codebook"]
    assert analysis_named("concordance") is None


def test_checked_names_the_bad_parameter():
    with pytest.raises(UsageError) as caught:
        FreqParams(min_count=0).checked()
    assert caught.value.param == "min_count" and str(caught.value).startswith("min_count must be")


def test_a_message_names_parameters_plainly_in_python_and_as_options_on_the_command_line(run, tmp_path):
    error = UsageError("`k` 40 needs more units (use a smaller `k_range`)", param="k")
    assert str(error) == "k 40 needs more units (use a smaller k_range)"
    (tmp_path / "a.txt").write_text("Peer support work in the NHS. " * 5, encoding="utf-8")
    (tmp_path / "b.txt").write_text("Recovery colleges and lived experience. " * 5, encoding="utf-8")
    result = run("topics", str(tmp_path), "--k", "40", "--unit", "document", "--min-df", "1")
    assert result.exit_code == 2
    assert "--k 40 needs more than 40 units" in result.stderr and "use a smaller --k, or --unit paragraph or chunk" in result.stderr


def test_a_report_points_at_the_line_of_the_parameter(run, tmp_path, sample_corpus):
    config = tmp_path / "r.yaml"
    config.write_text(f"corpus: {sample_corpus}\nanalyses:\n  - name: freq\n    ngram: 9\n", encoding="utf-8")
    result = run("report", str(config), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2 and "r.yaml line 4" in result.stderr and "ngram must be an integer from 1 to 5" in result.stderr


def test_the_report_shows_30_rows_unless_top_is_given():
    assert TOP_SHOWN == {"terminal": 50, "report": 30, "side_by_side": 20}
    assert FreqParams().top is None  # the library returns every row


def test_pmi_and_mi_are_one_measure_for_collocates_and_collocations(mini_corpus):
    corpus = pc.load_corpus(mini_corpus, use_cache=False)
    assert pc.collocates(corpus, "peer", measure="pmi", min_count=1).equals(pc.collocates(corpus, "peer", measure="mi", min_count=1))
    assert pc.collocations(corpus, measure="mi", min_count=1).equals(pc.collocations(corpus, measure="pmi", min_count=1))


def test_a_report_accepts_code_for_codebook(run, tmp_path, sample_corpus):
    config = tmp_path / "r.yaml"
    config.write_text(f"corpus: {sample_corpus}\nanalyses:\n  - name: code\n    themes: {{hope: [hope]}}\n", encoding="utf-8")
    assert run("report", str(config), "-o", str(tmp_path / "out")).exit_code == 0
    assert (tmp_path / "out" / "tables" / "codebook.csv").exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (["kwic", "{corpus}", "peer", "--sort", "X1"], "--sort key 'X1' is not L1..L9, R1..R9, doc or match"),
        (["kwic", "{corpus}", "peer", "--sample", "0"], "--sample must be an integer ≥ 1; got 0"),
        (["topics", "{corpus}", "--qdpx-threshold", "1.5"], "--qdpx-threshold must be a share between 0 and 1; got 1.5"),
        (["topics", "{corpus}", "--max-df", "0"], "--max-df"),
        (["freq", "{corpus}", "--min-count", "0"], "--min-count must be an integer ≥ 1"),
    ],
)
def test_the_command_line_checks_its_params_before_the_corpus_is_read(run, tmp_path, isolated_cache, args, message):
    """kwic and topics build their Params (KwicParams, TopicsParams) as freq does: a bad option
    is named before the corpus is read (nothing is cached)."""
    (tmp_path / "a.txt").write_text("Peer support work in the NHS.", encoding="utf-8")
    result = run(*[a.format(corpus=tmp_path) for a in args])
    assert result.exit_code == 2 and message in result.stderr
    assert not any(isolated_cache.rglob("*.pack")) and not any(isolated_cache.rglob("manifest.json"))


def test_topics_params_check_their_own_fields_as_well_as_the_models():
    with pytest.raises(UsageError) as caught:
        TopicsParams(qdpx_threshold=2.0).checked()
    assert caught.value.param == "qdpx_threshold"

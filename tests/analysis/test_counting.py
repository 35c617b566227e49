"""Frequency, collocations and keyness against independent numbers: hand-worked tables,
NLTK's association measures on the same token stream, and a plain Counter."""

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peercorpus import load_corpus
from peercorpus.analysis.association import chi2_p_value, chi_square, log_likelihood, log_ratio, percent_diff
from peercorpus.analysis.collocation import collocates, collocations
from peercorpus.analysis.frequency import frequency
from peercorpus.analysis.stats import mattr, syllables
from peercorpus.config import TokenizeSettings, load_config

SAMPLE = Path(__file__).parents[2] / "corpora"


@pytest.fixture(scope="module")
def sample():
    """The sample corpus as extracted (reference lists and declarations included): the text
    the expected counts below were worked out on."""
    return load_corpus(SAMPLE, load_config(None, ["cleaning.auto=false"]), use_cache=False)


def test_keyness_statistics_match_hand_worked_tables():
    # Target: 50 of 10,000 tokens; reference: 10 of 20,000. E1 = 20, E2 = 40.
    assert float(log_likelihood(50, 10, 10_000, 20_000)) == pytest.approx(2 * (50 * np.log(2.5) + 10 * np.log(0.25)))
    assert float(log_likelihood(50, 10, 10_000, 20_000)) == pytest.approx(63.9032, abs=1e-4)
    assert float(chi_square(50, 10, 10_000, 20_000)) == pytest.approx(67.635, abs=1e-3)
    assert float(log_ratio(50, 10, 10_000, 20_000)) == pytest.approx(np.log2(10))
    assert float(percent_diff(50, 10, 10_000, 20_000)) == pytest.approx(900.0)
    # A word absent from the reference: G² has one term; log ratio counts the zero as 0.5.
    assert float(log_likelihood(12, 0, 1000, 1000)) == pytest.approx(2 * 12 * np.log(2))
    assert float(log_ratio(12, 0, 1000, 1000)) == pytest.approx(np.log2(24))
    # Critical values of chi-square with one degree of freedom.
    assert chi2_p_value(3.841459)[0] == pytest.approx(0.05, abs=1e-6)
    assert chi2_p_value(15.13)[0] == pytest.approx(1e-4, rel=0.01)


def test_frequencies_equal_a_counter_over_the_same_tokens(sample):
    settings = TokenizeSettings()
    table = frequency(sample, settings)
    features = sample.tokens.features(settings)
    counter = Counter(features.vocab[i] for i in features.ids if i >= 0)
    assert dict(zip(table["term"], table["count"])) == dict(counter)
    assert table["count"].is_monotonic_decreasing
    bigrams = frequency(sample, settings, ngram=2, top=5)
    assert bigrams["term"].iloc[0] in {"mental health", "peer support", "of the"}


def test_bigram_scores_equal_nltk_on_the_same_stream(sample):
    from nltk.collocations import BigramCollocationFinder
    from nltk.metrics import BigramAssocMeasures

    settings = TokenizeSettings()
    features = sample.tokens.features(settings)
    documents = []
    for doc in range(len(sample)):
        ids = features.ids[sample.tokens.doc_slice(doc)]
        documents.append([features.vocab[i] for i in ids if i >= 0])
    finder = BigramCollocationFinder.from_documents(documents)
    for measure, nltk_measure in [("likelihood", BigramAssocMeasures.likelihood_ratio), ("pmi", BigramAssocMeasures.pmi), ("t", BigramAssocMeasures.student_t), ("chi2", BigramAssocMeasures.chi_sq)]:
        ours = collocations(sample, TokenizeSettings(stopwords="english"), measure=measure, min_count=3)
        theirs = dict(finder.score_ngrams(nltk_measure))
        assert len(ours) > 20
        for row in ours.itertuples():
            assert row.score == pytest.approx(theirs[tuple(row.collocation.split())], rel=1e-6, abs=1e-6)


def test_collocates_of_peer(sample):
    table, node_count = collocates(sample, TokenizeSettings(stopwords="english"), "peer", left=3, right=3)
    assert node_count == 177
    top = table.iloc[0]
    assert top["collocate"] == "support" and top["observed"] == top["left_count"] + top["right_count"]
    assert (table["observed"] >= 2).all()
    empty, count = collocates(sample, TokenizeSettings(), "zzzzqq")
    assert count == 0 and len(empty) == 0


def test_collocates_count_a_token_in_two_windows_once(tmp_path):
    (tmp_path / "a.txt").write_text("peer support peer work and other words here to pad the text out a lot more words more words.\n")
    table, node_count = collocates(load_corpus(tmp_path, use_cache=False), TokenizeSettings(), "peer", min_count=1)
    support = table.set_index("collocate").loc["support"]
    # 19 words; the merged windows hold support work and other words here (R = 6); "support"
    # is right of one "peer" and left of the other at the same distance: counted once, as left.
    assert node_count == 2
    assert (support["observed"], support["collocate_freq"], support["left_count"], support["right_count"]) == (1, 1, 1, 0)
    assert support["expected"] == pytest.approx(6 / 19, abs=1e-4)
    # Table [[1, 5], [0, 13]], N = 19; expected cells 6/19, 108/19, 13/19, 234/19.
    g2 = 2 * (np.log(19 / 6) + 5 * np.log(5 / (108 / 19)) + 13 * np.log(13 / (234 / 19)))
    assert support["g2"] == pytest.approx(g2, abs=1e-4) and support["g2"] == pytest.approx(2.4286, abs=1e-4)
    assert support["mi"] == pytest.approx(np.log2(19 / 6), abs=1e-4)
    assert support["t"] == pytest.approx(1 - 6 / 19, abs=1e-4)
    assert support["logdice"] == pytest.approx(14 + np.log2(2 / 3), abs=1e-4)


def test_collocates_equal_a_set_union_of_windows(sample):
    from peercorpus.core.query import find_matches

    settings = TokenizeSettings()
    table, _ = collocates(sample, settings, "peer", left=5, right=5, min_count=1)
    tokens, features = sample.tokens, sample.tokens.features(settings, default_stopwords="none")
    hits = find_matches(tokens, "peer")
    nodes = {p for s, e in zip(hits.starts.tolist(), hits.ends.tolist()) for p in range(s, e)}
    window = set()
    for s, e in zip(hits.starts.tolist(), hits.ends.tolist()):
        doc = int(tokens.doc_of_position(np.array([s]))[0])
        first, last = int(tokens.doc_starts[doc]), int(tokens.doc_starts[doc + 1])
        window.update(range(max(first, s - 5), s), range(e, min(last, e + 5)))
    counted = [int(features.ids[p]) for p in sorted(window - nodes) if features.ids[p] >= 0]
    observed = Counter(features.vocab[i] for i in counted)
    n = int((features.ids >= 0).sum())
    assert dict(zip(table["collocate"], table["observed"])) == dict(observed)
    assert np.allclose(table["expected"], len(counted) * table["collocate_freq"] / n, atol=1e-4)
    assert (table["observed"] <= table["collocate_freq"]).all() and (table["observed"] <= len(counted)).all()
    assert (table["left_count"] + table["right_count"] == table["observed"]).all()
    assert (table["expected"] > 0).all() and (table["logdice"] <= 14).all()


def test_text_statistics_helpers():
    assert [syllables(w) for w in ("recovery", "peer", "rate", "table")] == [4, 1, 1, 2]
    assert mattr(np.array([1, 2, 3, 4]), window=2) == 1.0
    assert mattr(np.array([1, 1, 1, 1]), window=2) == 0.5


def _sliding_mattr(ids: list[int], window: int) -> float:
    """MATTR the slow way: every window's distinct words counted, one window at a time."""
    if len(ids) <= window:
        return len(set(ids)) / len(ids)
    windows = [ids[start : start + window] for start in range(len(ids) - window + 1)]
    return sum(len(set(w)) for w in windows) / (len(windows) * window)


@settings(max_examples=300, deadline=None)
@given(ids=st.lists(st.integers(0, 12), min_size=1, max_size=80), window=st.integers(1, 30))
def test_mattr_is_the_mean_distinct_share_of_every_window(ids, window):
    assert mattr(np.array(ids, dtype=np.int32), window=window) == _sliding_mattr(ids, window)


@pytest.mark.parametrize(
    "args, code, message",
    [
        (["keyness", "{c}", "--target", "genre=blgo"], 2, "values present"),
        (["keyness", "{c}", "--target", "genre=blog", "--reference", "genre=blog"], 2, "same documents"),
        (["keyness", "{c}", "--target", "collection=peer-support"], 2, "matches every document"),
        (["freq", "{c}", "--ngram", "0"], 2, "--ngram"),
        (["freq", "{c}", "--ngram", "9"], 2, "--ngram"),
        (["collocates", "{c}", "zzzzqq"], 0, "0 occurrences of 'zzzzqq'"),
        (["freq", "{c}", "--by", "colour"], 2, "fields present"),
    ],
)
def test_bad_input(run, sample_corpus, args, code, message):
    result = run(*[a.replace("{c}", str(sample_corpus)) for a in args])
    assert result.exit_code == code, result.output
    assert message in result.output


def test_keyness_cli_json_and_reference_list(run, sample_corpus, tmp_path):
    payload = json.loads(run("keyness", str(sample_corpus), "--target", "genre=blog", "-f", "json").stdout)
    first = payload[0]
    assert first["keyness"] == "positive" and first["term"] == "i"
    assert {"target_count", "reference_count", "target_range", "g2", "p", "chi2", "log_ratio", "pct_diff"} <= set(first)
    assert all(row["p"] < 0.05 for row in payload)
    strict = json.loads(run("keyness", str(sample_corpus), "--target", "genre=blog", "--bonferroni", "--min-range", "1", "-f", "json").stdout)
    assert len(strict) < len(payload)
    word_list = tmp_path / "reference.csv"
    word_list.write_text("word,count\nthe,60000\npeer,10\nof,30000\n", encoding="utf-8")
    against_list = json.loads(run("keyness", str(sample_corpus), "--reference-list", str(word_list), "-f", "json").stdout)
    assert any(row["term"] == "peer" and row["keyness"] == "positive" for row in against_list)
    word_list.write_text("word,count\nthe,60000\npeer,-5\n", encoding="utf-8")
    negative = run("keyness", str(sample_corpus), "--reference-list", str(word_list))
    assert negative.exit_code == 2 and "reference.csv line 3: count -5 is negative" in negative.stderr
    plot = tmp_path / "keyness.png"
    assert run("keyness", str(sample_corpus), "--target", "genre=blog", "--plot", str(plot)).exit_code == 0
    assert plot.read_bytes()[:4] == b"\x89PNG"


def test_keyness_needs_exactly_one_comparison(run, sample_corpus, tmp_path):
    both = run("keyness", str(sample_corpus), "--target", "genre=blog", "--reference-corpus", str(tmp_path))
    assert both.exit_code == 2 and "--target and --reference-corpus cannot be combined" in both.stderr
    none = run("keyness", str(sample_corpus))
    assert none.exit_code == 2 and none.stderr.startswith("error: give one of --target")


def test_collocates_without_a_node_or_with_two_says_so(run, sample_corpus):
    missing = run("collocates", str(sample_corpus))
    assert missing.exit_code == 2 and f"no node after {sample_corpus} (usage: peercorpus collocates PATH... NODE)" in missing.stderr
    two = run("collocates", str(sample_corpus), "peer", "support")
    assert two.exit_code == 2 and 'quote a phrase: "peer support"' in two.stderr


def test_stats_and_freq_cli(run, sample_corpus):
    stats = json.loads(run("stats", str(sample_corpus), "-f", "json").stdout)
    assert len(stats) == 5 and all(0 < row["ttr"] <= 1 and row["flesch"] is not None for row in stats)
    by_genre = json.loads(run("freq", str(sample_corpus), "--by", "genre", "--top", "3", "-f", "json", "--wide").stdout)
    assert len(by_genre) == 3 and "blog term" in by_genre[0]


def test_stats_by_a_field_averages_the_documents_and_says_so(run, mini_corpus):
    documents = json.loads(run("stats", str(mini_corpus), "-f", "json").stdout)
    blogs = [row for row in documents if row["doc"].startswith("blog")]
    groups = {row["genre"]: row for row in json.loads(run("stats", str(mini_corpus), "--by", "genre", "-f", "json").stdout)}
    assert groups["blog"]["words"] == sum(row["words"] for row in blogs)
    assert groups["blog"]["ttr"] == round(sum(row["ttr"] for row in blogs) / 2, 4)
    assert groups["blog"]["mean_sentence_length"] == round(sum(row["mean_sentence_length"] for row in blogs) / 2, 2)
    assert "mean of the documents" in run("stats", str(mini_corpus), "--by", "genre").stdout


def test_totals_lines_say_one_document_not_one_documents(run, tmp_path):
    (tmp_path / "only.txt").write_text("One sentence about peer support.", encoding="utf-8")
    line = run("ingest", str(tmp_path)).stdout
    assert line.startswith("1 document, 5 tokens, 5 types, 1 sentence (1 file tokenised; 0 files skipped; 1 document with warnings")


def test_collocations_merge_back_as_compounds(run, sample_corpus, tmp_path):
    compounds = tmp_path / "compounds.txt"
    as_extracted = ("--set", "cleaning.auto=false")  # the text on which 89 was worked out
    result = run("collocations", str(sample_corpus), *as_extracted, "--top", "5", "--save-compounds", str(compounds), "-f", "csv")
    assert result.exit_code == 0 and "mental health" in compounds.read_text().splitlines()
    merged = json.loads(run("freq", str(sample_corpus), *as_extracted, "--set", f"tokenize.compounds_file={compounds}", "-f", "json").stdout)
    counts = {row["term"]: row["count"] for row in merged}
    plain = {row["term"]: row["count"] for row in json.loads(run("freq", str(sample_corpus), *as_extracted, "-f", "json").stdout)}
    assert counts["mental_health"] == 89
    assert counts["mental"] == plain["mental"] - 89


def test_trigrams_measures_and_group_statistics(run, sample_corpus):
    trigrams = json.loads(run("collocations", str(sample_corpus), "--size", "3", "--min-count", "3", "-f", "json").stdout)
    assert trigrams and all(len(row["collocation"].split()) == 3 and row["count"] >= 3 for row in trigrams)
    logdice = json.loads(run("collocates", str(sample_corpus), "peer", "--measure", "logdice", "-f", "json").stdout)
    scores = [row["logdice"] for row in logdice]
    assert scores == sorted(scores, reverse=True) and max(scores) <= 14
    groups = json.loads(run("stats", str(sample_corpus), "--by", "genre", "-f", "json").stdout)
    assert [g["genre"] for g in groups] == ["blog", "journal article", "news", "preprint", "report"]
    assert sum(g["words"] for g in groups) == sum(row["words"] for row in json.loads(run("stats", str(sample_corpus), "-f", "json").stdout))

"""One definition of the corpus' size everywhere: "tokens" are words (tokens with a letter or
digit), and per-million rates, DP, token and type counts agree between commands."""

import json

import pytest


def _json(run, *args):
    result = run(*args, "-f", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("term", ["recovery", "the"])
def test_rates_and_dp_agree_between_freq_dispersion_and_kwic(run, sample_corpus, term):
    freq = next(row for row in _json(run, "freq", str(sample_corpus)) if row["term"] == term)
    dispersion = _json(run, "dispersion", str(sample_corpus), term)[0]
    summary = _json(run, "kwic", str(sample_corpus), term, "--summary")
    hits, words = sum(row["hits"] for row in summary), sum(row["tokens"] for row in summary)
    assert freq["count"] == dispersion["hits"] == hits
    assert freq["per_million"] == dispersion["per_million"] == round(hits / words * 1e6, 2)
    assert freq["dp"] == round(dispersion["gries_dp"], 4)


def test_per_million_is_relative_to_all_words_whatever_the_stop_words(run, sample_corpus):
    plain = {row["term"]: row for row in _json(run, "freq", str(sample_corpus))}
    fewer = {row["term"]: row for row in _json(run, "freq", str(sample_corpus), "--set", "tokenize.extra_stopwords=peer")}
    assert "peer" not in fewer
    assert fewer["the"]["per_million"] == plain["the"]["per_million"] and fewer["the"]["dp"] == plain["the"]["dp"]


def test_token_and_type_counts_agree_between_info_kwic_and_stats(run, sample_corpus):
    info = _json(run, "info", str(sample_corpus))
    stats = _json(run, "stats", str(sample_corpus))
    summary = _json(run, "kwic", str(sample_corpus), "recovery", "--summary")
    assert [row["tokens"] for row in info["documents"]] == [row["words"] for row in stats] == [row["tokens"] for row in summary]
    assert info["totals"]["tokens"] == sum(row["words"] for row in stats)
    assert [row["types"] for row in info["documents"]] == [row["types"] for row in stats]
    assert all(row["types"] <= row["tokens"] for row in info["documents"])
    assert max(row["types"] for row in info["documents"]) <= info["totals"]["types"] <= info["totals"]["tokens"]


def test_types_are_case_folded_words_without_punctuation(run, tmp_path):
    (tmp_path / "deep.txt").write_text("Deep peer file in nested folders. Peer files!\n", encoding="utf-8")
    info = _json(run, "info", str(tmp_path))
    row, totals = info["documents"][0], info["totals"]
    assert (row["tokens"], row["types"]) == (totals["tokens"], totals["types"]) == (8, 7)
    assert _json(run, "stats", str(tmp_path))[0]["types"] == 7

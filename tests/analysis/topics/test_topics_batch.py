"""``topics --batch``: fitted a chunk of documents at a time, never on the whole matrix; the same
counts, idf, coherence and extracts as the exact path; reproducible; and it says so."""

import json

import numpy as np
import pytest

from peercorpus import load_corpus
from peercorpus.analysis.topics import batch
from peercorpus.analysis.topics.extracts import extracts_from_candidates, representative_sentences
from peercorpus.analysis.topics.model import TopicSettings, _feature_settings, prepare, topics
from peercorpus.analysis.topics.quality import top_terms, topic_coherence
from peercorpus.analysis.topics.report import topics_payload
from peercorpus.core.chunks import CHUNK_TOKENS_ENV, document_chunks


def _nmi(first, second) -> float:
    from sklearn.metrics import normalized_mutual_info_score

    return normalized_mutual_info_score(first, second)


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of at most 600 tokens (the planted documents have about 115): 8 chunks of 4-5."""
    monkeypatch.setenv(CHUNK_TOKENS_ENV, "600")


def test_the_fit_never_sees_more_than_a_chunk_and_no_whole_matrix_is_built(planted_corpus, small_chunks, monkeypatch):
    folder, labels = planted_corpus
    corpus = load_corpus(folder)
    chunks = document_chunks(corpus)
    assert len(chunks) >= 6
    largest_chunk = max(c.n_docs for c in chunks)

    def no_whole_matrix(*args, **kwargs):
        raise AssertionError("the whole unit × term matrix was built")

    # Every way the exact path builds the corpus' matrices: the counts, the features of every
    # token, the sentences' matrix.
    monkeypatch.setattr("peercorpus.analysis.topics.model.document_term_matrix", no_whole_matrix)
    monkeypatch.setattr("peercorpus.analysis.topics.extracts.document_term_matrix", no_whole_matrix)
    monkeypatch.setattr(type(corpus.tokens), "features", no_whole_matrix)
    monkeypatch.setattr(batch, "SAMPLE_UNITS", 9)  # the start: NMF on 9 of the 36 documents
    monkeypatch.setattr(batch, "BATCH_ROWS", 3)
    seen = []
    real_fit, real_partial, real_transform = batch.fit_model, batch._partial_fit, batch._transform
    monkeypatch.setattr(batch, "fit_model", lambda rows, **kw: seen.append(("start", rows.shape[0])) or real_fit(rows, **kw))
    monkeypatch.setattr(batch, "_partial_fit", lambda model, rows, start: seen.append(("update", rows.shape[0])) or real_partial(model, rows, start))
    monkeypatch.setattr(batch, "_transform", lambda model, rows: seen.append(("transform", rows.shape[0])) or real_transform(model, rows))

    model = topics(corpus, settings=TopicSettings(k=3, unit="document", batch=True, seed=0))

    assert [rows for what, rows in seen if what == "start"] == [9]
    updates = [rows for what, rows in seen if what == "update"]
    assert updates and max(updates) <= 3
    transforms = [rows for what, rows in seen if what == "transform"]
    assert len(transforms) == len(chunks) and max(transforms) <= largest_chunk < len(corpus)
    assert model.batch_fit["chunks"] == len(chunks) and model.batch_fit["sample_units"] == 9
    # ... and it still finds the planted topics, from documents sorted by topic.
    planted = [labels[doc] for doc in model.documents["doc"]]
    assert _nmi(planted, list(model.documents["topic"])) == pytest.approx(1.0)


@pytest.mark.parametrize("unit, ngram, max_features", [("paragraph", (1, 1), None), ("chunk", (1, 2), None), ("document", (1, 2), 40)])
def test_counts_idf_coherence_and_extracts_are_those_of_the_whole_matrix(sample_corpus, monkeypatch, unit, ngram, max_features):
    monkeypatch.setenv(CHUNK_TOKENS_ENV, "3000")
    corpus = load_corpus(sample_corpus)
    assert len(document_chunks(corpus)) > 2
    settings = TopicSettings(k=3, unit=unit, ngram=ngram, max_features=max_features, min_df=1 if unit == "document" else 2, batch=True).checked()
    units, features, counts, _, transformer, _ = prepare(corpus, settings, corpus.tokenize)
    mapping = corpus.tokens.feature_map(_feature_settings(corpus.tokenize), default_stopwords="english")
    fit = batch.fit_in_batches(corpus, mapping, settings, unit=unit)
    for name in ("doc", "starts", "ends"):
        assert np.array_equal(getattr(units, name), getattr(fit.units, name))
    assert fit.vocab == counts.vocab
    # The segments' character offsets, read a chunk at a time, are the memory-mapped arrays' own.
    ends = np.maximum(units.ends - 1, units.starts)
    assert np.array_equal(fit.unit_chars[0], corpus.tokens.char_starts[units.starts])
    assert np.array_equal(fit.unit_chars[1], corpus.tokens.char_ends[ends])
    assert np.array_equal(fit.transformer.idf, transformer.idf)
    topic_term = batch._normalise_rows(fit.topic_term)
    assert np.array_equal(fit.coherence, topic_coherence(counts.matrix, top_terms(topic_term, 10)))
    exact = representative_sentences(corpus, features, topic_term, counts.vocab, transformer, settings=settings)
    assert len(exact) and extracts_from_candidates(corpus, fit.candidates, settings.extracts).equals(exact)


def test_extract_candidates_are_bounded(sample_corpus, monkeypatch):
    monkeypatch.setenv(CHUNK_TOKENS_ENV, "3000")
    monkeypatch.setattr(batch, "CANDIDATES", 4)
    model = topics(load_corpus(sample_corpus), settings=TopicSettings(k=3, batch=True))
    assert model.batch_fit["extract_candidates"] == 4
    assert len(model.extracts) and (model.extracts.groupby("topic").size() <= 3).all()


def test_same_seed_same_model_and_the_json_says_it_was_fitted_in_batches(planted_corpus, small_chunks, monkeypatch):
    monkeypatch.setattr(batch, "SAMPLE_UNITS", 12)
    corpus = load_corpus(planted_corpus[0])
    settings = TopicSettings(k=3, unit="document", batch=True, seed=4)
    first, second = (json.dumps(topics_payload(topics(corpus, settings=settings)), sort_keys=True) for _ in range(2))
    assert first == second
    payload = json.loads(first)
    assert payload["batch_fit"]["fitted_in_batches"] is True
    assert payload["batch_fit"]["epochs"] == batch.EPOCHS and payload["batch_fit"]["sample_units"] == 12
    assert payload["settings"]["batch"] is True
    exact = topics_payload(topics(corpus, settings=TopicSettings(k=3, unit="document", seed=4)))
    assert "batch_fit" not in exact  # the exact model's JSON is as before


def test_k_auto_with_batch_is_chosen_on_the_sample(planted_corpus, small_chunks, monkeypatch):
    monkeypatch.setattr(batch, "SAMPLE_UNITS", 24)
    model = topics(load_corpus(planted_corpus[0]), settings=TopicSettings(k="auto", k_range=(2, 5), unit="document", batch=True, samples=4))
    assert model.k == 3
    assert model.batch_fit["k_chosen_on_sample"] is True
    assert any("on a seeded sample of 24 of the 36 documents" in note for note in model.notes)
    assert list(model.k_scores["k"]) == [2, 3, 4, 5] and model.topics["stability"].notna().all()


def test_batch_errors_are_those_of_the_exact_path(planted_corpus):
    from peercorpus.errors import UsageError

    corpus = load_corpus(planted_corpus[0])
    for settings, message in [
        (TopicSettings(k=40, unit="document", batch=True), "k 40 needs more than 40 units"),
        (TopicSettings(k=3, min_df=500, unit="document", batch=True), "try a lower min_df"),
        (TopicSettings(k=30, unit="document", max_features=20, batch=True), "30 NMF topics need at least 30 terms; 20 remain"),
    ]:
        with pytest.raises(UsageError, match=message):
            topics(corpus, settings=settings)


def test_cli_batch_end_to_end(run, planted_corpus, tmp_path, monkeypatch, no_topic_plots):
    monkeypatch.setenv(CHUNK_TOKENS_ENV, "600")
    folder, labels = planted_corpus
    result = run("topics", str(folder), "--k", "3", "--unit", "document", "--batch", "-f", "json")
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["batch_fit"]["fitted_in_batches"] is True and payload["batch_fit"]["chunks"] >= 6
    assert _nmi([labels[d["doc"]] for d in payload["documents"]], [d["topic"] for d in payload["documents"]]) == pytest.approx(1.0)
    assert "fitted in batches" in result.stderr
    table = run("topics", str(folder), "--k", "3", "--unit", "document", "--batch")
    assert table.exit_code == 0 and "MiniBatchNMF in batches" in table.stdout
    out = tmp_path / "topics"
    assert run("topics", str(folder), "--k", "3", "--unit", "document", "--batch", "-o", str(out)).exit_code == 0
    assert json.loads((out / "topics.json").read_text())["batch_fit"]["fitted_in_batches"] is True
    markdown = run("topics", str(folder), "--k", "3", "--unit", "document", "--batch", "-f", "md")
    assert "Fitted in batches: MiniBatchNMF" in markdown.stdout
    bad = run("topics", str(folder), "--k", "3", "--batch", "--method", "lda")
    assert bad.exit_code == 2 and "batch works with method nmf" in bad.stderr

"""Counting a chunk of documents at a time (core/chunks.py, analysis/partials.py) gives the
tables counting the whole corpus at once gives: tiny chunks against one chunk, and freq
against the document-term-matrix formula it replaced."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from peercorpus import load_corpus
from peercorpus.analysis.collocation import collocates, collocations
from peercorpus.analysis.frequency import document_counts, frequency, frequency_by, frequency_long, gries_dp
from peercorpus.analysis.keyness import corpus_counts, keyness, keyness_against_counts
from peercorpus.analysis.partials import decode_keys, encode_rows
from peercorpus.config import TokenizeSettings, load_config
from peercorpus.core import chunks
from peercorpus.core.chunks import ChunkTokens, document_chunks, read_rows
from peercorpus.errors import UsageError
from peercorpus.render import concordance as concordance_module

SAMPLE = Path(__file__).parents[2] / "corpora"


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The sample corpus from a cache (memory-mapped arrays, as a warm command sees them)."""
    cache = tmp_path_factory.mktemp("chunk-cache")
    return load_corpus(SAMPLE, load_config(None, ["cleaning.auto=false"]), cache_dir=cache)


def _both(monkeypatch, compute):
    """``compute()`` with chunks of at most 1 token (every document a chunk of its own),
    3,000 tokens (a few documents each) and one chunk for the whole corpus."""
    results = []
    for size in ("1", "3000", "1000000000"):
        monkeypatch.setenv(chunks.CHUNK_TOKENS_ENV, size)
        results.append(compute())
    return results


def _same_tables(results):
    first = results[0]
    for other in results[1:]:
        if isinstance(first, tuple):
            for a, b in zip(first, other):
                _same_tables([a, b])
        elif isinstance(first, pd.DataFrame):
            assert first.to_csv(index=False) == other.to_csv(index=False)
        else:
            assert first == other


SETTINGS = [
    TokenizeSettings(),
    TokenizeSettings(stopwords="english", min_length=3),
    TokenizeSettings(lowercase=False, drop_punct=False),
    TokenizeSettings(compounds=("peer support", "mental health", "peer support workers")),
]


@pytest.mark.parametrize("settings", SETTINGS)
@pytest.mark.parametrize("ngram", [1, 2, 3])
def test_freq_is_the_same_in_chunks_of_any_size(sample, monkeypatch, settings, ngram):
    results = _both(monkeypatch, lambda: frequency(sample, settings, ngram=ngram))
    _same_tables(results)
    _same_tables(_both(monkeypatch, lambda: frequency(sample, settings, ngram=ngram, top=7, min_count=2)))
    assert len(results[0]) > 100


@pytest.mark.parametrize("ngram", [1, 2])
def test_freq_equals_the_document_term_matrix_formula(sample, monkeypatch, ngram):
    """The table ``frequency`` made before it counted in chunks, from the whole DTM."""
    monkeypatch.setenv(chunks.CHUNK_TOKENS_ENV, "2000")
    settings = TokenizeSettings()
    dtm, sizes = document_counts(sample, settings, ngram=ngram)
    if ngram == 1:
        sizes = np.array([d.n_words for d in sample.documents], dtype=np.int64)
    counts = np.asarray(dtm.matrix.sum(axis=0)).ravel()
    total = int(sizes.sum()) if ngram == 1 else int(counts.sum())
    keep = np.flatnonzero(counts >= 1)
    order = keep[np.lexsort((keep, -counts[keep]))]
    doc_freq = dtm.document_frequency()
    expected = pd.DataFrame(
        {
            "rank": np.arange(1, len(order) + 1),
            "term": [dtm.vocab[i] for i in order],
            "count": counts[order].astype(np.int64),
            "per_million": np.round(counts[order] / max(total, 1) * 1e6, 2),
            "range": doc_freq[order],
            "range_share": np.round(doc_freq[order] / len(sample), 4),
            "dp": np.round(gries_dp(dtm.matrix[:, order], sizes), 4),
        }
    )
    table = frequency(sample, settings, ngram=ngram)
    assert table.to_csv(index=False) == expected.to_csv(index=False)
    # DP unrounded too: the chunked sum adds in the same order, so the same float
    assert len(table) == len(expected)


def test_freq_by_group_is_the_same_in_chunks(sample, monkeypatch):
    settings = TokenizeSettings(stopwords="english")
    _same_tables(_both(monkeypatch, lambda: frequency_long(sample, settings, "genre", top=15)))
    _same_tables(_both(monkeypatch, lambda: frequency_by(sample, settings, "genre", ngram=2, top=10)))
    # each group as if it were the corpus
    long = frequency_long(sample, settings, "genre")
    genres = [sample.doc_metadata(i).get("genre") for i in range(len(sample))]
    blog = sample.subset([i for i, g in enumerate(genres) if g == "blog"])
    alone = frequency(blog, settings)
    mine = long[long["group"] == "blog"].drop(columns="group").reset_index(drop=True)
    assert mine.to_csv(index=False) == alone.to_csv(index=False)


def test_keyness_is_the_same_in_chunks(sample, monkeypatch):
    settings = TokenizeSettings(stopwords="english")
    _same_tables(_both(monkeypatch, lambda: keyness(sample, settings, target=["genre=blog"])))
    _same_tables(_both(monkeypatch, lambda: keyness(sample, settings, target=["genre=blog"], reference=["genre=preprint"], min_count=1)))
    reference = {"peer": 10, "support": 400, "zebra": 5}
    _same_tables(_both(monkeypatch, lambda: keyness_against_counts(sample, settings, reference, 100_000, min_count=1)))
    counts = _both(monkeypatch, lambda: corpus_counts(sample, settings))
    assert counts[0] == counts[1] == counts[2]
    words, size = counts[0]
    features = sample.tokens.features(settings)
    assert size == int((features.ids >= 0).sum())
    assert sum(words.values()) == size and list(words) == sorted(words)


def test_collocations_and_collocates_are_the_same_in_chunks(sample, monkeypatch):
    settings = TokenizeSettings()
    for size in (2, 3):
        _same_tables(_both(monkeypatch, lambda size=size: collocations(sample, settings, size=size, min_count=2)))
    for node, options in (("peer", {}), ("lived experience", {}), ("recover", {"match": "stem"})):
        _same_tables(_both(monkeypatch, lambda node=node, options=options: collocates(sample, settings, node, left=3, right=4, **options)))
    table, n_hits = collocates(sample, settings, "zzzz-not-there")
    assert n_hits == 0 and table.empty
    with pytest.raises(UsageError):
        collocates(sample, settings, "   ")


def test_document_chunks_keep_documents_whole(sample):
    lengths = np.diff(np.asarray(sample.tokens.doc_starts))
    for size in (1, 500, 3000, 10**9):
        found = document_chunks(sample, size)
        docs = np.concatenate([chunk.docs for chunk in found])
        assert docs.tolist() == list(range(len(sample)))
        for chunk in found:
            assert chunk.n_tokens == int(lengths[chunk.docs].sum())
            assert chunk.n_tokens <= size or chunk.n_docs == 1
    assert len(document_chunks(sample, 10**9)) == 1
    picked = document_chunks(sample, 10**9, docs=[4, 0, 1, 4])
    assert picked[0].runs == ((0, 2), (4, 5)) and picked[0].docs.tolist() == [0, 1, 4]
    assert document_chunks(sample, 10, docs=[]) == []


def test_chunk_tokens_are_the_corpus_tokens(sample):
    tokens = sample.tokens
    whole = document_chunks(sample, 10**9)[0]
    part = ChunkTokens(tokens, whole)
    assert np.array_equal(part.ids, np.asarray(tokens.ids))
    assert np.array_equal(part.sentence, np.asarray(tokens.sentence))
    # words per document, counted from the tokens, are the documents' own n_words
    is_word = np.asarray(tokens.is_word)
    n_words = np.bincount(part.doc_local[is_word[part.ids]], minlength=len(sample))
    assert n_words.tolist() == [d.n_words for d in sample.documents]


def test_read_rows_reads_the_memory_map_without_mapping_it(sample):
    tokens = sample.tokens
    assert isinstance(tokens.ids, np.memmap)
    for array in (tokens.ids, tokens.sentence_spans, tokens.char_starts):
        for start, stop in ((0, 1), (5, 17), (len(array) - 3, len(array)), (7, 7)):
            assert np.array_equal(read_rows(array, start, stop), np.asarray(array[start:stop]))
        part = array[10:50]  # a slice of the map: still its own rows
        assert np.array_equal(read_rows(part, 2, 9), np.asarray(array[12:19]))
    assert np.array_equal(read_rows(np.arange(10), 3, 6), np.array([3, 4, 5]))


def test_ngram_keys_sort_as_their_rows():
    rng = np.random.default_rng(0)
    for n_features in (50, 2**31 - 1):  # int64 keys, then big-endian bytes
        rows = rng.integers(0, min(n_features, 10**6), size=(200, 3))
        keys = encode_rows(rows, n_features)
        assert np.array_equal(decode_keys(keys, 3, n_features), rows)
        order = np.argsort(keys, kind="stable")
        assert np.array_equal(rows[order], rows[np.lexsort(rows.T[::-1])])


def test_memory_setting(monkeypatch):
    monkeypatch.delenv(chunks.CHUNK_TOKENS_ENV, raising=False)
    monkeypatch.delenv(chunks.MEMORY_ENV, raising=False)
    chunks.set_memory_mb(None)
    assert chunks.memory_mb() == 1024
    default = chunks.chunk_tokens()
    monkeypatch.setenv(chunks.MEMORY_ENV, "4096")
    assert chunks.memory_mb() == 4096 and chunks.chunk_tokens() > 4 * default
    chunks.set_memory_mb(512)
    try:
        assert chunks.memory_mb() == 512 and chunks.chunk_tokens() < default
    finally:
        chunks.set_memory_mb(None)
    monkeypatch.setenv(chunks.MEMORY_ENV, "lots")
    with pytest.raises(UsageError, match="PEERCORPUS_MEMORY_MB must be a whole number"):
        chunks.memory_mb()
    with pytest.raises(UsageError, match="at least 256"):
        chunks.set_memory_mb(10)


def test_memory_option_env_and_config(run, sample_corpus, tmp_path, monkeypatch):
    monkeypatch.delenv(chunks.MEMORY_ENV, raising=False)
    plain = run("freq", str(sample_corpus), "--top", "20", "-f", "csv")
    assert plain.exit_code == 0
    try:
        for args in (("--memory-mb", "300"), ("--memory-mb=4096",)):
            chunked = run("freq", str(sample_corpus), "--top", "20", "-f", "csv", *args)
            assert chunked.exit_code == 0 and chunked.stdout == plain.stdout
        root = run("--memory-mb", "2048", "freq", str(sample_corpus), "--top", "20", "-f", "csv")
        assert root.exit_code == 0 and chunks.memory_mb() == 2048
        low = run("freq", str(sample_corpus), "--memory-mb", "100")
        assert low.exit_code == 2 and "--memory-mb must be at least 256" in low.stderr and "Traceback" not in low.stderr
    finally:
        chunks.set_memory_mb(None)
    config = tmp_path / "c.yaml"
    config.write_text("compute:\n  memory_mb: 12\n")
    bad = run("freq", str(sample_corpus), "-c", str(config))
    assert bad.exit_code == 2 and "c.yaml line 2: compute.memory_mb must be a whole number of megabytes, at least 256" in bad.stderr
    config.write_text("compute:\n  memory: 512\n")
    assert "unknown key 'memory' (did you mean 'memory_mb'?)" in run("freq", str(sample_corpus), "-c", str(config)).stderr
    config.write_text("compute:\n  memory_mb: 512\n")
    try:
        assert run("freq", str(sample_corpus), "-c", str(config), "--top", "20", "-f", "csv").stdout == plain.stdout
        assert chunks.memory_mb() == 512
        monkeypatch.setenv(chunks.MEMORY_ENV, "700")  # the environment beats the config
        assert chunks.memory_mb() == 700
    finally:
        chunks.set_config_memory_mb(None)


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "md", "html"])
@pytest.mark.parametrize("options", [[], ["--limit", "7"], ["--sort", "R1,L2", "--limit", "40"], ["--sample", "9", "--seed", "2"], ["--where", "genre=blog"], ["--context", "sentence", "--chars", "20"]])
def test_kwic_writes_lines_as_it_finds_them(run, sample_corpus, tmp_path, monkeypatch, fmt, options):
    """Lines written a few at a time, hits found a document at a time: the same bytes as the
    lines cut all at once (concordance_rows → concordance_text / JSON)."""
    from peercorpus.analysis import kwic as kwic_module
    from peercorpus.analysis.kwic import concordance_rows, find_hits, order_hits
    from peercorpus.render.concordance import concordance_html
    from peercorpus.render.export import dumps_json, records_to_text

    queries = ["peer", "lived experience", "support*"]
    corpus = load_corpus(sample_corpus)
    docs = corpus.where_indices(["genre=blog"]) if "--where" in options else None
    value = lambda name, default=None: options[options.index(name) + 1] if name in options else default  # noqa: E731
    hits = find_hits(corpus, queries, docs=docs)
    hits = order_hits(corpus, hits, sort=value("--sort", "").split(",") if "--sort" in options else None,
                      sample=int(value("--sample")) if "--sample" in options else None, seed=int(value("--seed", 0)),
                      limit=int(value("--limit")) if "--limit" in options else None)
    chars = int(value("--chars")) if "--chars" in options else None
    rows = concordance_rows(corpus, hits, queries, window=8, chars=chars, context=value("--context", "document"))
    if fmt in ("json", "html"):
        expected = dumps_json(rows) if fmt == "json" else concordance_html(rows)
    else:
        expected = records_to_text(rows, ["doc", "start", "end", "left", "match", "right", "char_start", "char_end", "sentence", "query"], fmt)
    monkeypatch.setenv(chunks.CHUNK_TOKENS_ENV, "1")
    monkeypatch.setattr(kwic_module, "LINE_BATCH", 3)
    out = tmp_path / f"lines.{fmt}"
    result = run("kwic", str(sample_corpus), *queries, "-o", str(out), *options)
    assert result.exit_code == 0, result.stderr
    assert out.read_text(encoding="utf-8") == expected
    streamed = run("kwic", str(sample_corpus), *queries, "-f", fmt, *options)
    assert streamed.stdout == expected
    assert "hits" in streamed.stderr


def test_kwic_html_with_metadata_columns_is_written_as_it_is_found(run, sample_corpus, monkeypatch):
    from peercorpus.analysis.kwic import concordance_rows, find_hits
    from peercorpus.render.concordance import concordance_html

    corpus = load_corpus(sample_corpus)
    expected = concordance_html(concordance_rows(corpus, find_hits(corpus, ["peer"]), ["peer"]), ["genre", "year"])
    monkeypatch.setenv(chunks.CHUNK_TOKENS_ENV, "1")
    written = []
    monkeypatch.setattr(concordance_module.ConcordanceWriter, "add", _recording(concordance_module.ConcordanceWriter.add, written))
    result = run("kwic", str(sample_corpus), "peer", "--show", "genre,year", "-f", "html")
    assert result.exit_code == 0 and result.stdout == expected
    assert len(written) > 1  # a batch at a time, not all the lines at once


def _recording(add, written):
    def recorded(self, rows):
        written.append(len(rows))
        return add(self, rows)

    return recorded


def test_kwic_stream_with_no_hits_and_a_bad_query(run, sample_corpus, tmp_path):
    out = tmp_path / "none.json"
    assert run("kwic", str(sample_corpus), "zzqqxx", "-o", str(out)).exit_code == 0
    assert out.read_text() == "[]\n"
    for fmt in ("md", "html"):  # no lines: the table's head, as when every line is held
        from peercorpus.render.concordance import concordance_html
        from peercorpus.render.export import records_to_text

        empty = run("kwic", str(sample_corpus), "zzqqxx", "-f", fmt).stdout
        assert empty == (concordance_html([]) if fmt == "html" else records_to_text([], ["doc", "start", "end", "left", "match", "right", "char_start", "char_end", "sentence", "query"], "md"))
    csv = run("kwic", str(sample_corpus), "zzqqxx", "-f", "csv")
    assert csv.stdout == "doc,start,end,left,match,right,char_start,char_end,sentence,query\n"
    bad = run("kwic", str(sample_corpus), "peer", "-f", "csv", "--limit", "0")
    assert bad.exit_code == 2 and bad.stdout == ""
    regex = run("kwic", str(sample_corpus), "(", "--regex", "-o", str(tmp_path / "r.csv"))
    assert regex.exit_code == 2 and not (tmp_path / "r.csv").exists()


def test_document_sizes_are_the_documents_own(sample, monkeypatch):
    """Words and sentences per document from the tokens, as each document's record says,
    so that warm analyses need not decode every record."""
    from peercorpus.analysis.frequency import document_sizes, document_words
    from peercorpus.analysis.stats import text_stats

    monkeypatch.setenv(chunks.CHUNK_TOKENS_ENV, "1")
    fresh = load_corpus(SAMPLE, load_config(None, ["cleaning.auto=false"]))
    words, sentences = document_sizes(fresh)
    assert fresh._documents is None  # nothing decoded to get them
    assert words.tolist() == [d.n_words for d in sample.documents]
    assert sentences.tolist() == [d.n_sentences for d in sample.documents]
    assert document_words(fresh).tolist() == words.tolist()
    stats = text_stats(fresh)
    monkeypatch.setenv(chunks.CHUNK_TOKENS_ENV, "1000000000")
    assert stats.to_csv(index=False) == text_stats(sample).to_csv(index=False)
    assert stats["sentences"].tolist() == sentences.tolist()


@pytest.mark.parametrize("options", [[], ["--ngram", "2", "--min-count", "2"], ["--stopwords", "english", "--where", "genre=blog"]])
def test_dtm_written_a_chunk_at_a_time_is_the_whole_matrix(run, sample_corpus, tmp_path, monkeypatch, options):
    """dtm.mtx written chunk by chunk: the bytes write_dtm gives for the whole sparse matrix."""
    from peercorpus.analysis.frequency import document_counts
    from peercorpus.cli.common import load_settings
    from peercorpus.render.dtm_export import write_dtm

    value = lambda name, default=None: options[options.index(name) + 1] if name in options else default  # noqa: E731
    settings = load_settings(None, stopwords=value("--stopwords"))
    corpus = load_corpus(sample_corpus, settings)
    if "--where" in options:
        corpus = corpus.where([value("--where")])
    matrix, _ = document_counts(corpus, settings.tokenize, ngram=int(value("--ngram", 1)))
    write_dtm(matrix, corpus, tmp_path / "whole", min_count=int(value("--min-count", 1)))
    monkeypatch.setenv(chunks.CHUNK_TOKENS_ENV, "1")
    result = run("dtm", str(sample_corpus), "-o", str(tmp_path / "chunked"), *options)
    assert result.exit_code == 0, result.stderr
    for name in ("dtm.mtx", "terms.csv", "docvars.csv"):
        assert (tmp_path / "chunked" / name).read_bytes() == (tmp_path / "whole" / name).read_bytes()


@pytest.mark.parametrize("max_rows", [60, 2])
def test_dispersion_table_counts_a_chunk_at_a_time_and_plots_what_every_hit_plots(sample_corpus, tmp_path, monkeypatch, max_rows):
    """``dispersion_table`` (the command's, the report's) holds counts, not hits: the same table
    as ``dispersion``, and the same plot, its hits found again in the documents shown only."""
    from peercorpus.analysis.dispersion import dispersion, dispersion_table
    from peercorpus.render import dispersion_plot

    monkeypatch.setattr(dispersion_plot, "MAX_ROWS", max_rows)
    corpus = load_corpus(sample_corpus)
    terms = ["peer", "recovery", "lived experience"]
    table, hits = dispersion(corpus, terms)
    monkeypatch.setenv(chunks.CHUNK_TOKENS_ENV, "1")
    streamed, counts = dispersion_table(corpus, terms)
    pd.testing.assert_frame_equal(streamed, table)
    assert counts.shape == (3, len(corpus)) and counts.sum() == len(hits)
    every = dispersion_plot.plot_dispersion(corpus, hits, terms, tmp_path / "every.svg")
    counted = dispersion_plot.plot_dispersion_counts(corpus, counts, terms, tmp_path / "counted.svg")
    assert every == counted and (every is None) == (max_rows == 60)
    assert (tmp_path / "every.svg").read_bytes() == (tmp_path / "counted.svg").read_bytes()


def test_a_corpus_of_many_documents_gets_smaller_chunks_not_more_memory(monkeypatch):
    """What a warm corpus holds per document comes out of the memory before the chunk does."""
    monkeypatch.delenv(chunks.CHUNK_TOKENS_ENV, raising=False)
    few, many = chunks.chunk_tokens(1024, documents=chunks.DOCUMENTS_IN_RESERVE), chunks.chunk_tokens(1024, documents=1_000_000)
    assert few == chunks.chunk_tokens(1024) == 5_200_000  # the reserve covers the first documents
    budget = (1024 - chunks.RESERVED_MB) * 1_000_000
    beyond = (1_000_000 - chunks.DOCUMENTS_IN_RESERVE) * chunks.BYTES_PER_DOCUMENT
    assert many * chunks.BYTES_PER_TOKEN + beyond <= budget < few * chunks.BYTES_PER_TOKEN + beyond
    assert chunks.chunk_tokens(300, documents=10**9) == chunks.MIN_CHUNK_TOKENS  # never below the smallest chunk worth its overhead

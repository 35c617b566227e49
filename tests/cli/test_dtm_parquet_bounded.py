"""dtm --format parquet writes a row group per chunk of documents (issue 18): the same table
(columns, types, pandas metadata, rows) as the whole matrix written at once, the same
terms.csv and docvars.csv."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pq = pytest.importorskip("pyarrow.parquet")

from peercorpus import load_corpus  # noqa: E402
from peercorpus.analysis.frequency import document_counts  # noqa: E402
from peercorpus.config import load_config  # noqa: E402
from peercorpus.core import chunks  # noqa: E402
from peercorpus.render.dtm_export import write_dtm  # noqa: E402

sys.path.insert(0, str(Path(__file__).parents[1] / "qda"))
from test_streamed_project import write_generated_corpus  # noqa: E402


def previous(path: Path, folder: Path, *, ngram=1, min_count=1, where=None):
    """What dtm --format parquet wrote before: the whole matrix, one DataFrame."""
    corpus = load_corpus([path])
    corpus = corpus.where(where) if where else corpus
    matrix, _ = document_counts(corpus, load_config(None, []).tokenize, ngram=ngram)
    write_dtm(matrix, corpus, folder, fmt="parquet", min_count=min_count)
    return folder


@pytest.mark.parametrize("options", [[], ["--ngram", "2", "--min-count", "2"], ["--where", "genre=blog"]])
def test_parquet_in_row_groups_is_the_whole_table(run, tmp_path, monkeypatch, options):
    corpus = write_generated_corpus(tmp_path / "corpus", documents=50)
    ngram = 2 if "--ngram" in options else 1
    expected = previous(corpus, tmp_path / "before", ngram=ngram, min_count=2 if "--min-count" in options else 1, where=["genre=blog"] if "--where" in options else None)
    monkeypatch.setenv(chunks.CHUNK_TOKENS_ENV, "150")
    result = run("dtm", str(corpus), "-o", str(tmp_path / "after"), "-f", "parquet", *options)
    assert result.exit_code == 0, result.stderr
    before, after = pq.ParquetFile(expected / "dtm.parquet"), pq.ParquetFile(tmp_path / "after" / "dtm.parquet")
    assert after.schema_arrow.equals(before.schema_arrow, check_metadata=True)
    assert after.read().equals(before.read())
    assert after.metadata.num_row_groups > 5 and before.metadata.num_row_groups == 1
    for name in ("terms.csv", "docvars.csv"):
        assert (tmp_path / "after" / name).read_bytes() == (expected / name).read_bytes()


def test_parquet_of_the_sample_corpus_and_of_no_cells(run, sample_corpus, tmp_path, monkeypatch):
    expected = previous(sample_corpus, tmp_path / "before")
    monkeypatch.setenv(chunks.CHUNK_TOKENS_ENV, "5000")
    assert run("dtm", str(sample_corpus), "-o", str(tmp_path / "after"), "-f", "parquet").exit_code == 0
    assert pq.read_table(tmp_path / "after" / "dtm.parquet").equals(pq.read_table(expected / "dtm.parquet"))
    assert pq.read_table(tmp_path / "after" / "dtm.parquet").schema.equals(pq.read_table(expected / "dtm.parquet").schema, check_metadata=True)
    # every term below --min-count: no cell at all
    expected = previous(sample_corpus, tmp_path / "none-before", min_count=10**9)
    assert run("dtm", str(sample_corpus), "-o", str(tmp_path / "none"), "-f", "parquet", "--min-count", str(10**9)).exit_code == 0
    assert pq.read_table(tmp_path / "none" / "dtm.parquet").equals(pq.read_table(expected / "dtm.parquet"))

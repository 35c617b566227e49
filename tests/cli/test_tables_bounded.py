"""Tables with a row per document are written a part at a time (issue 18): ``stats`` a chunk of
documents at a time, ``code``'s documents table a batch of documents at a time. Each output
is compared with the whole table written at once (``frame_to_text``; for ``code``, the table
its previous row-by-row code made, kept below), with tiny chunks and batches."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from peercorpus import load_corpus
from peercorpus.analysis import coding as coding_module
from peercorpus.analysis.codebook import load_codebook
from peercorpus.analysis.coding import _per_1000, code_corpus
from peercorpus.analysis.stats import text_stats, text_stats_parts
from peercorpus.core import chunks
from peercorpus.render import export
from peercorpus.render.export import dumps_json, frame_records, frame_to_text

ROOT = Path(__file__).resolve().parents[2]
CODEBOOK = ROOT / "configs" / "peer-support-codebook.yaml"


def spy_on_batches(monkeypatch) -> list[int]:
    """The size of every batch of rows the table writers get."""
    sizes: list[int] = []
    for writer in (export.TableWriter, export.JsonListWriter):
        add = writer.add

        def counted(self, rows, add=add):
            sizes.append(len(rows))
            add(self, rows)

        monkeypatch.setattr(writer, "add", counted)
    return sizes


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json"])
@pytest.mark.parametrize("where", [None, "genre!=blog"])
def test_stats_rows_stream_with_the_bytes_of_the_whole_table(run, sample_corpus, monkeypatch, fmt, where):
    corpus = load_corpus(sample_corpus)
    expected = frame_to_text(text_stats(corpus.where(where) if where else corpus), fmt)
    monkeypatch.setenv(chunks.CHUNK_TOKENS_ENV, "400")
    sizes = spy_on_batches(monkeypatch)
    result = run("stats", str(sample_corpus), "-f", fmt, *(["--where", where] if where else []))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == expected
    assert len(sizes) > 1 and max(sizes) < sum(sizes)  # written a chunk at a time, never whole


def test_stats_parts_are_the_table_in_pieces_and_keep_its_dtypes(sample_corpus, monkeypatch):
    whole = text_stats(load_corpus(sample_corpus))
    monkeypatch.setenv(chunks.CHUNK_TOKENS_ENV, "300")
    parts = list(text_stats_parts(load_corpus(sample_corpus)))
    assert len(parts) > 2
    assert all((part.dtypes == whole.dtypes).all() for part in parts)
    pd.testing.assert_frame_equal(pd.concat(parts, ignore_index=True), whole)


def legacy_document_counts(corpus, codebook, coding) -> pd.DataFrame:
    """``document_counts`` as ``code_corpus`` made it before issue 18: a dict per row, from
    the extracts (every counted hit, with its document and term)."""
    rows = []
    extracts = coding.extracts
    for doc_id in corpus.doc_ids:
        words = corpus.document(corpus.doc_ids.index(doc_id)).n_words
        for theme, terms in codebook.themes.items():
            mine = extracts[(extracts["doc"] == doc_id) & (extracts["theme"] == theme)]
            counts = mine["term"].value_counts()
            found = sorted(counts.items(), key=lambda pair: (-pair[1], terms.index(pair[0])))
            total = int(counts.sum())
            rows.append(
                {
                    "doc": doc_id, "theme": theme, "count": total, "words": words, "per_1000": _per_1000(total, words),
                    "terms": "; ".join(f"{term}:{count}" for term, count in found),
                }
            )
    return pd.DataFrame(rows, columns=["doc", "theme", "count", "words", "per_1000", "terms"])


def test_document_counts_equal_a_count_of_the_extracts(sample_corpus, monkeypatch):
    monkeypatch.setattr(coding_module, "DOCUMENT_BATCH", 2)
    corpus, codebook = load_corpus(sample_corpus), load_codebook(CODEBOOK)
    coding = code_corpus(corpus, codebook)
    table = coding.document_counts
    assert (table["count"] > 0).sum() > 10 and table["terms"].str.contains(";").any()  # several terms in a cell
    pd.testing.assert_frame_equal(table, legacy_document_counts(corpus, codebook, coding))
    assert coding.documents_touched() == (int((table.groupby("doc")["count"].sum() > 0).sum()), len(corpus))


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json"])
def test_code_documents_table_streams_with_the_bytes_of_the_whole_table(run, sample_corpus, monkeypatch, tmp_path, fmt):
    coding = code_corpus(load_corpus(sample_corpus), load_codebook(CODEBOOK))
    expected = frame_to_text(coding.document_counts, fmt)
    monkeypatch.setattr(coding_module, "DOCUMENT_BATCH", 2)
    sizes = spy_on_batches(monkeypatch)
    folder = tmp_path / "coding"
    result = run("code", str(sample_corpus), "-b", str(CODEBOOK), "-o", str(folder), "--format", fmt, "--table", "documents")
    assert result.exit_code == 0, result.stderr
    assert (folder / f"code_documents.{fmt}").read_text(encoding="utf-8") == expected
    assert len(sizes) > 1 and max(sizes) < sum(sizes)
    single = run("code", str(sample_corpus), "-b", str(CODEBOOK), "--table", "documents", "-f", fmt)
    assert single.stdout == expected


def test_code_json_holds_every_table_as_one_object_written_at_once_would(run, sample_corpus, monkeypatch):
    coding = code_corpus(load_corpus(sample_corpus), load_codebook(CODEBOOK))
    tables = {"themes": coding.themes, "documents": coding.document_counts, "cooccurrence": coding.cooccurrence, "extracts": coding.extracts}
    expected = dumps_json({name: frame_records(frame) for name, frame in tables.items()})
    monkeypatch.setattr(coding_module, "DOCUMENT_BATCH", 3)
    result = run("code", str(sample_corpus), "-b", str(CODEBOOK), "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == expected
    by_genre = run("code", str(sample_corpus), "-b", str(CODEBOOK), "-f", "json", "--by", "genre")
    assert list(json.loads(by_genre.stdout)) == ["themes", "groups", "documents", "cooccurrence", "extracts"]

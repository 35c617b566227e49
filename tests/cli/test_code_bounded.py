"""code writes its extracts a batch at a time and makes its --qdpx from the extracts' spans
(issue 18): the same bytes as the whole extracts table written at once, and the table is
never made for those outputs."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from peercorpus import load_corpus
from peercorpus.analysis import coding as coding_module
from peercorpus.analysis.codebook import load_codebook
from peercorpus.analysis.coding import code_corpus
from peercorpus.render.export import dumps_json, frame_records, frame_to_text

sys.path.insert(0, str(Path(__file__).parents[1] / "qda"))
import legacy_project  # noqa: E402  (the whole-tree project writer, tests/qda)

CODEBOOK = Path(__file__).parents[2] / "configs" / "peer-support-codebook.yaml"
TITLES = {"themes": "Themes", "documents": "Themes per document", "cooccurrence": "Theme co-occurrence within sentences", "extracts": "Coded extracts"}


@pytest.fixture(scope="module")
def previous(tmp_path_factory):
    """The coding of the sample corpus, its extracts table made whole (the previous way)."""
    from conftest import SAMPLE

    corpus = load_corpus([SAMPLE], cache_dir=tmp_path_factory.mktemp("code-cache"))
    book = load_codebook(CODEBOOK)
    whole, limited = code_corpus(corpus, book), code_corpus(corpus, book, extracts=2)
    assert len(whole.extracts) > 20 and len(limited.extracts)  # made here, whole
    return corpus, book, whole, limited


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(coding_module, "EXTRACT_BATCH", 7)
    made = []
    table = coding_module._Extracts.table
    monkeypatch.setattr(coding_module._Extracts, "table", lambda self: (made.append(1), table(self))[1])
    return made


@pytest.mark.parametrize("fmt", ["csv", "tsv", "md", "json"])
def test_extracts_table_streams_with_the_same_bytes(run, sample_corpus, previous, small_batches, fmt):
    _, book, coding, limited = previous
    result = run("code", str(sample_corpus), "-b", str(CODEBOOK), "--table", "extracts", "-f", fmt)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == frame_to_text(coding.extracts, fmt, title=f"Coded extracts ({book.source})")
    result = run("code", str(sample_corpus), "-b", str(CODEBOOK), "--table", "extracts", "--extracts", "2", "-f", fmt)
    assert result.stdout == frame_to_text(limited.extracts, fmt, title=f"Coded extracts ({book.source})")
    assert small_batches == []  # the whole table was never made


@pytest.mark.parametrize("fmt", ["json", "md"])
def test_every_table_at_once_streams_its_extracts(run, sample_corpus, previous, small_batches, fmt):
    _, _, coding, _ = previous
    tables = coding.tables()
    if fmt == "json":
        expected = dumps_json({name: frame_records(frame) for name, frame in tables.items()})
    else:
        expected = "\n".join(frame_to_text(frame, fmt, title=TITLES[name]) for name, frame in tables.items())
    result = run("code", str(sample_corpus), "-b", str(CODEBOOK), "-f", fmt)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == expected
    assert small_batches == []
    json.loads(result.stdout) if fmt == "json" else None


def test_folder_of_tables_streams_its_extracts(run, sample_corpus, previous, small_batches, tmp_path):
    _, _, coding, _ = previous
    result = run("code", str(sample_corpus), "-b", str(CODEBOOK), "-o", str(tmp_path / "coding"))
    assert result.exit_code == 0, result.stderr
    for name, frame in coding.tables().items():
        assert (tmp_path / "coding" / f"code_{name}.csv").read_text(encoding="utf-8") == frame_to_text(frame, "csv")
    assert small_batches == []


def test_no_extracts_table_when_it_is_not_written(run, sample_corpus, small_batches):
    assert run("code", str(sample_corpus), "-b", str(CODEBOOK), "-f", "csv").exit_code == 0
    assert small_batches == []


@pytest.mark.parametrize("unit", ["match", "sentence", "paragraph"])
def test_qdpx_from_the_spans_is_the_previous_project(run, sample_corpus, previous, small_batches, tmp_path, unit):
    from peercorpus.qda.passages import coding_passages

    corpus, book, coding, _ = previous
    codes, passages, _ = coding_passages(corpus, book, coding.extracts, unit=unit)
    expected = legacy_project.project_bytes(
        corpus, codes, passages, name=book.title or f"peercorpus code ({book.source})",
        description=f"Dictionary coding by peercorpus with {book.source}: every extract coded as its {unit}.",
    )
    target = tmp_path / "coding.qdpx"
    result = run("code", str(sample_corpus), "-b", str(CODEBOOK), "--qdpx", str(target), "--unit", unit)
    assert result.exit_code == 0, result.stderr
    assert target.read_bytes() == expected
    assert small_batches == []


def test_generated_corpus_rows_and_spans_match_the_table(tmp_path):
    from test_streamed_project import write_generated_corpus

    from peercorpus.analysis.codebook import parse_codebook

    corpus = load_corpus([write_generated_corpus(tmp_path / "corpus", documents=60)], cache_dir=tmp_path / "cache")
    book = parse_codebook({"people": ["peer", "worker*", "group"], "feeling": ["hope", "lived experience"], "the": ["the"]})
    for limit in (None, 3):
        coding = code_corpus(corpus, book, extracts=limit)
        rows = [row for batch in coding.extract_rows(batch=5) for row in batch]
        whole = code_corpus(corpus, book, extracts=limit).extracts
        assert rows == frame_records(whole)
        themes, docs, starts, ends = coding.extract_spans()
        assert themes == whole["theme"].tolist() and starts == whole["char_start"].tolist() and ends == whole["char_end"].tolist()
        assert [corpus.doc_id(d) for d in docs] == whole["doc"].tolist()
        assert coding._extracts is None  # rows and spans did not make the table


def test_extracts_reach_the_writer_a_batch_at_a_time(run, sample_corpus, previous, small_batches, monkeypatch):
    from peercorpus.render import export

    sizes = []
    add = export.TableWriter.add
    monkeypatch.setattr(export.TableWriter, "add", lambda self, rows: (sizes.append(len(rows)), add(self, rows))[1])
    result = run("code", str(sample_corpus), "-b", str(CODEBOOK), "--table", "extracts", "-f", "csv")
    assert result.exit_code == 0
    assert len(sizes) > 3 and max(sizes) <= 7 and sum(sizes) == len(previous[2].extracts)


def test_passage_stream_is_the_passages_in_document_order(tmp_path):
    """In batches that end between documents, the stream gives the passages coding_passages
    gives (a hit coded by a theme and its sub-theme stays one passage)."""
    from test_streamed_project import write_generated_corpus

    from peercorpus.analysis.codebook import parse_codebook
    from peercorpus.qda.passages import coding_passage_stream, coding_passages

    corpus = load_corpus([write_generated_corpus(tmp_path / "corpus", documents=60)], cache_dir=tmp_path / "cache")
    book = parse_codebook({"people": ["peer", "worker*", "group"], "feeling": ["hope", "lived experience", "peer"], "the": ["the"]})
    coding = code_corpus(corpus, book)
    for unit in ("match", "sentence", "paragraph"):
        codes, expected, _ = coding_passages(corpus, book, coding.extracts, unit=unit)
        streamed_codes, stream = coding_passage_stream(corpus, book, coding, unit=unit, batch=4)
        passages = list(stream)
        assert streamed_codes == codes and sorted(set(passages), key=str) == sorted(set(expected), key=str)
        assert [p.doc for p in passages] == sorted(p.doc for p in passages)

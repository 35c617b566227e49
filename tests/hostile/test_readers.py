"""Readers in bounded time and memory whatever one file looks like."""

from __future__ import annotations

import zipfile

import pytest

from peercorpus import load_corpus
from peercorpus.io.html import MAX_DEPTH, read_html

from .conftest import run_bounded


@pytest.mark.parametrize(
    "page",
    [
        "<html><body><p>start</p>" + "<div>" * 20000 + "deep text" + "</div>" * 20000 + "<p>end</p></body></html>",
        "<html><body>" + "<table><tr><td>" * 5000 + "deep text" + "</td></tr></table>" * 5000 + "</body></html>",
        "<html><body>" + "<span>deep text " * 20000 + "</body></html>",
    ],
    ids=["nested-divs", "nested-tables", "unclosed-tags"],
)
def test_deeply_nested_html_is_read_flat_with_a_warning(tmp_path, page):
    (tmp_path / "page.html").write_text(page)
    read = read_html(tmp_path / "page.html")
    assert "deep text" in read.text
    assert read.warnings == [f"HTML nested more than {MAX_DEPTH} elements deep; read as flat text, page boilerplate kept"]


def test_ordinary_nesting_keeps_boilerplate_removal(tmp_path):
    page = "<html><body>" + "<div>" * 50 + '<div class="cookie-banner">Accept cookies</div><p>Garden text about roses, soil and compost heaps.</p>' + "</div>" * 50 + "</body></html>"
    (tmp_path / "page.html").write_text(page)
    read = read_html(tmp_path / "page.html")
    assert read.text == "Garden text about roses, soil and compost heaps." and read.warnings == []


def test_100000_nested_divs_take_bounded_time_and_memory(tmp_path):
    (tmp_path / "page.html").write_text("<html><body>" + "<div>" * 100_000 + "deep text" + "</div>" * 100_000 + "</body></html>")
    result = run_bounded(["-q", "kwic", str(tmp_path), "deep", "-f", "csv", "--no-cache"], seconds=120, memory_mb=1500)
    assert result.returncode == 0 and "deep" in result.stdout, result.stderr


def _docx(path, document_xml: bytes):
    from docx import Document

    Document().save(str(path))
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    parts["word/document.xml"] = document_xml
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)


def test_a_docx_bomb_is_skipped_before_it_is_expanded(tmp_path, monkeypatch):
    from peercorpus.io import formats

    monkeypatch.setattr(formats, "ZIP_PART", 4 << 20)  # the same check at a smaller scale: fast
    (tmp_path / "ok.txt").write_text("Peer text.\n")
    body = b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
    _docx(tmp_path / "bomb.docx", body + b" " * (12 << 20) + b"</w:body></w:document>")
    assert (tmp_path / "bomb.docx").stat().st_size < 1 << 20
    corpus = load_corpus(tmp_path)
    assert corpus.doc_ids == ["ok.txt"]
    assert "expands" in corpus.skipped[0].reason, corpus.skipped


def test_a_document_past_max_document_mb_is_skipped_with_a_warning(run, tmp_path):
    (tmp_path / "ok.txt").write_text("Peer text.\n")
    (tmp_path / "huge.txt").write_text("peer " * 500_000)  # 2.4 MB on one line
    (tmp_path / "rows.jsonl").write_text('{"text": "short row"}\n{"text": "' + "peer " * 300_000 + '"}\n')
    result = run("info", str(tmp_path), "--set", "read.max_document_mb=1", "-f", "csv")
    assert result.exit_code == 0, result.stderr
    assert "huge.txt: 2 MB of text, more than read.max_document_mb (1)" in result.stderr
    assert "skipped line 2 (more text than read.max_document_mb, 1)" in result.stderr
    assert "ok.txt" in result.stdout and "rows.jsonl#1" in result.stdout and "huge.txt" not in result.stdout


def test_a_huge_single_line_file_is_refused_in_bounded_memory(tmp_path):
    with open(tmp_path / "huge.txt", "w") as handle:
        for _ in range(30):
            handle.write("peer support " * 90_000)  # 32 MB, one line
    (tmp_path / "ok.txt").write_text("Peer text.\n")
    result = run_bounded(["ingest", str(tmp_path), "--no-cache"], seconds=120, memory_mb=1000)
    assert result.returncode == 0, result.stderr
    assert "more than read.max_document_mb (20)" in result.stderr

"""Document readers: Word, HTML, Markdown and PDF files built in ``tmp_path``."""

from __future__ import annotations

from peercorpus.io.formats import read_docx


def test_docx_tables_stay_where_they_are_in_the_document(tmp_path):
    from docx import Document

    document = Document()
    document.core_properties.title = "Interview 3"
    document.core_properties.author = "R. Peer"
    document.sections[0].header.paragraphs[0].text = "Confidential header"
    document.add_paragraph("First paragraph mentions the lighthouse.")
    table = document.add_table(rows=2, cols=2)
    for cell, text in zip(table._cells, ["Cell one alpha", "Cell two beta", "gamma", "delta"]):
        cell.text = text
    document.add_paragraph("Final paragraph after the table mentions the lighthouse again.")
    document.save(tmp_path / "interview.docx")

    text, encoding, metadata, warnings = read_docx(tmp_path / "interview.docx")

    assert text.split("\n\n") == [
        "First paragraph mentions the lighthouse.",
        "Cell one alpha | Cell two beta",
        "gamma | delta",
        "Final paragraph after the table mentions the lighthouse again.",
    ]
    assert metadata == {"title": "Interview 3", "author": "R. Peer"}
    assert (encoding, warnings) == ("docx", [])

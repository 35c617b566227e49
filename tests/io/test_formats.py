"""Document readers: Word, HTML, Markdown and PDF files built in ``tmp_path``."""

from __future__ import annotations

import pytest

from peercorpus import load_corpus
from peercorpus.analysis.info import document_table
from peercorpus.io.formats import read_docx, read_markdown
from peercorpus.io.html import read_html
from peercorpus.io.markdown import strip_markdown
from peercorpus.io.pdf import read_pdf


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


BOILERPLATE_PAGE = """<html><head><title>Gardens</title></head><body>
<div id="cookie-banner" class="cookie-notice">We use cookies to improve your visit. Accept all cookies?</div>
<div class="menu"><a href="/">Home</a> | <a href="/blog">Blog</a> | <a href="/about">About</a></div>
<div class="content"><h1>Why gardens matter</h1><p>Gardens give people a place to rest.</p>
<p>Shared gardens bring neighbours together and give them a reason to talk.</p></div>
<div class="sidebar widget">Recent posts: Compost basics, Winter bulbs</div>
<div class="comments"><p>Great post! — Bob</p></div>
<div class="footer">© 2024 My Site. All rights reserved.</div>
</body></html>"""


def test_html_page_boilerplate_named_by_class_or_id_is_left_out_and_reported(tmp_path):
    (tmp_path / "gardens.html").write_text(BOILERPLATE_PAGE)

    read = read_html(tmp_path / "gardens.html")

    assert read.text.split("\n\n") == [
        "Why gardens matter",
        "Gardens give people a place to rest.",
        "Shared gardens bring neighbours together and give them a reason to talk.",
    ]
    assert read.removed.startswith("page boilerplate: cookie, menu, sidebar, comments, footer (")
    assert read.metadata == {"title": "Gardens"}


def test_html_main_text_inside_boilerplate_sounding_wrappers_is_kept(tmp_path):
    post = "<p>" + "Peer workers listen first and advise later. " * 5 + "</p>"
    (tmp_path / "post.html").write_text(
        '<body><div class="page-wrapper content-with-sidebar"><div class="navbar">Home | Blog</div>'
        f'<div class="post-content"><h2>Listening</h2>{post}</div>'
        '<div class="share-buttons">Share on social media</div></div></body>'
    )

    read = read_html(tmp_path / "post.html")

    assert read.text.split("\n\n") == ["Listening", post[3:-4].strip()]
    assert read.removed.startswith("page boilerplate: navbar, share (")


def test_html_role_main_is_preferred_and_roles_mark_boilerplate(tmp_path):
    (tmp_path / "roles.html").write_text(
        '<body><div role="banner">Site name</div><div role="main"><p>The main text.</p>'
        '<div role="complementary">See also</div></div><div>Outside main</div></body>'
    )

    assert read_html(tmp_path / "roles.html").text == "The main text."


def test_info_names_html_boilerplate_in_the_cleaned_column(tmp_path):
    (tmp_path / "gardens.html").write_text(BOILERPLATE_PAGE)

    row = document_table(load_corpus(tmp_path)).iloc[0]

    assert row["cleaned"].startswith("page boilerplate: cookie, menu, sidebar, comments, footer (")


def test_markdown_front_matter_lists_and_booleans_read_as_in_a_csv(tmp_path):
    (tmp_path / "note.md").write_text("---\ntitle: Day one\ntags: [sea, light]\ndraft: false\nyear: 2024\n---\nThe lighthouse.\n")

    text, _, metadata, warnings = read_markdown(tmp_path / "note.md")

    assert metadata == {"title": "Day one", "tags": "sea; light", "draft": "false", "year": 2024}
    assert (text, warnings) == ("The lighthouse.\n", [])


def test_every_reader_gives_metadata_values_alike(tmp_path):
    """Front matter, a YAML sidecar and .jsonl rows: lists 'a; b', booleans 'true'/'false',
    whole numbers as numbers."""
    (tmp_path / "note.md").write_text("---\ntags: [sea, light]\ndraft: false\nyear: '2024'\n---\nThe lighthouse.\n")
    (tmp_path / "plain.txt").write_text("A plain lighthouse.\n")
    (tmp_path / "metadata.yaml").write_text("plain.txt: {tags: [sea, light], draft: false, year: '2024'}\n")
    (tmp_path / "rows.jsonl").write_text('{"text": "A row about the lighthouse.", "tags": ["sea", "light"], "draft": false, "year": "2024"}\n')
    corpus = load_corpus(tmp_path, use_cache=False)
    for doc in corpus.documents:
        assert {k: doc.metadata[k] for k in ("tags", "draft", "year")} == {"tags": "sea; light", "draft": "false", "year": 2024}, doc.doc_id


def test_markdown_front_matter_that_is_not_a_mapping_is_kept_as_text_with_a_warning(tmp_path):
    (tmp_path / "list.md").write_text("---\n- a\n- b\n---\nBody text.\n")

    text, _, metadata, warnings = read_markdown(tmp_path / "list.md")

    assert metadata == {}
    assert warnings == ["front matter is a YAML list, not a mapping of fields; kept as text"]
    assert "Body text." in text


@pytest.mark.parametrize(
    ("markdown", "text"),
    [
        ("# Day one\nThe **lighthouse** at _dusk_.", "Day one\n\nThe lighthouse at dusk."),
        ("See [the docs](https://example.com/a) and ![a cat](cat.png).", "See the docs and a cat."),
        ("Run `peercorpus kwic` on snake_case_names, 2 * 3 * 4.", "Run peercorpus kwic on snake_case_names, 2 * 3 * 4."),
        ("- one\n* two\n1. three\n> quoted", "one\ntwo\nthree\nquoted"),
        ("Text [ref][1].\n\n[1]: https://example.com\n<!-- note\nto self -->", "Text ref.\n\n\n"),
        ("| a | b |\n|---|:-:|\n| 1 | 2 |", "a | b\n\n1 | 2"),
        ("Title\n=====\n\nPara\n\n***\n\n```\nx = *y*\n```", "Title\n\n\nPara\n\n\n\n\nx = *y*\n"),
        (r"Escaped \*not emphasis\* and **peer**-led", "Escaped *not emphasis* and peer-led"),
    ],
)
def test_markdown_syntax_is_left_out_and_lines_kept(markdown, text):
    assert strip_markdown(markdown) == text


def test_markdown_kwic_shows_text_without_markup(tmp_path):
    (tmp_path / "day.md").write_text("# Day one\n\nThe **lighthouse** was [lit](http://example.com) again.\n")

    corpus = load_corpus(tmp_path)

    assert corpus.text(0) == "Day one\n\n\nThe lighthouse was lit again.\n"
    assert "http" not in corpus.tokens.vocab


def _pdf_with_running_lines(path):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure

    with PdfPages(path) as pdf:
        for page in (1, 2, 3, 4):
            figure = Figure()
            figure.text(0.1, 0.95, "Journal of Mental Health Practice 2023;12:45-67")
            figure.text(0.1, 0.5, f"Body text of page {page} about peer support.")
            figure.text(0.1, 0.05, f"Page {page} of 4")
            pdf.savefig(figure)


def test_pdf_running_headers_and_footers_are_removed_and_reported(tmp_path):
    _pdf_with_running_lines(tmp_path / "article.pdf")

    read = read_pdf(tmp_path / "article.pdf")

    assert read.text.split("\n\n") == [f"Body text of page {page} about peer support." for page in (1, 2, 3, 4)]
    assert read.warnings == []
    assert read.removed == "running headers/footers: 8 lines"


def test_pdf_as_extracted_names_running_headers_and_footers_in_a_warning(tmp_path):
    _pdf_with_running_lines(tmp_path / "article.pdf")

    text, _, _, warnings, _ = read_pdf(tmp_path / "article.pdf", layout=False)

    assert warnings == [
        "running header/footer on 4 of 4 pages: 'Journal of Mental Health Practice 2023;12:45-67' "
        "(cleaning.drop_lines can remove it)",
        "running header/footer on 4 of 4 pages: 'Page 1 of 4' (cleaning.drop_lines can remove it)",
    ]
    assert "Page 2 of 4" in text  # named, not removed

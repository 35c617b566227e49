"""Markdown output shows corpus text, metadata and titles as written, never as HTML."""

from __future__ import annotations

import pytest

from peercorpus.render.markdown import markdown_text


@pytest.fixture
def html_corpus(tmp_path):
    folder = tmp_path / "xss"
    folder.mkdir()
    (folder / "a.txt").write_text("The peer said <script>alert(1)</script> peer & *friends*.\n")
    (folder / "metadata.csv").write_text('file,title\na.txt,"<b>bold</b>|<script>alert(3)</script>"\n')
    return folder


def test_markdown_text_escapes_html_and_markup():
    assert markdown_text("<b>a|b</b> & *x*_\\\nnext") == "&lt;b&gt;a\\|b&lt;/b&gt; &amp; \\*x\\*\\_\\\\ next"
    assert markdown_text("per_million _x_") == "per_million \\_x\\_"


@pytest.mark.parametrize("args", [["info", "{c}", "-f", "md"], ["kwic", "{c}", "peer", "-f", "md", "--show", "title"],
                                  ["kwic", "{c}", "peer", "-f", "md"], ["code", "{c}", "-b", "{cb}", "--table", "extracts", "-f", "md"]])
def test_markdown_tables_escape_html(run, html_corpus, tmp_path, args):
    codebook = tmp_path / "cb.yaml"
    codebook.write_text("themes:\n  peers: [peer]\n")
    result = run(*[a.replace("{c}", str(html_corpus)).replace("{cb}", str(codebook)) for a in args])
    assert result.exit_code == 0, result.stderr
    assert "<script>" not in result.stdout and "&lt;script&gt;" in result.stdout


def test_report_markdown_escapes_title_and_every_table_alike(run, html_corpus, tmp_path):
    config = tmp_path / "report.yaml"
    config.write_text(f"title: <i>Mine</i> & co\ncorpus: {html_corpus}\nanalyses:\n  - name: info\n  - name: kwic\n    queries: [peer]\n    show: [title]\n")
    assert run("report", str(config), "-o", str(tmp_path / "out")).exit_code == 0
    text = (tmp_path / "out" / "report.md").read_text()
    assert text.startswith("# &lt;i&gt;Mine&lt;/i&gt; &amp; co\n")
    assert "<script>" not in text and "\\<" not in text and "&lt;script&gt;alert(3)" in text

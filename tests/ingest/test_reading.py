"""Reading documents as their authors wrote them: PDF layout, sections left out, tokens, queries.

The PDFs are committed fixtures with known content (tests/data/pdf/EXPECTED.md says what a
correct reader gives; expected.json holds the same paragraphs).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from peercorpus import load_corpus
from peercorpus.analysis.kwic import kwic
from peercorpus.config import load_config
from peercorpus.core.prose import is_prose_block, is_prose_sentence
from peercorpus.errors import ConfigError, UnreadableFile
from peercorpus.ingest.sections import find_sections, split_sections
from peercorpus.ingest.tokenize import tokenize_text
from peercorpus.io.pdf import read_pdf

PDFS = Path(__file__).parents[1] / "data" / "pdf"
EXPECTED = json.loads((PDFS / "expected.json").read_text(encoding="utf-8"))


def _paragraphs(text: str) -> list[str]:
    return [" ".join(paragraph.split()) for paragraph in text.split("\n\n") if paragraph.strip()]


def _expected(name: str) -> list[str]:
    entry = EXPECTED[name]
    return [" ".join(p.split()) for p in (entry["paragraphs"] if isinstance(entry, dict) else entry)]


@pytest.mark.parametrize("name", ["two_column_article.pdf", "one_column_report.pdf"])
def test_pdf_paragraphs_are_the_authors(name):
    read = read_pdf(PDFS / name)

    assert _paragraphs(read.text) == _expected(name)
    assert read.warnings == []


def test_pdf_headers_page_numbers_ligatures_accents_and_hyphens():
    read = read_pdf(PDFS / "two_column_article.pdf")
    words = read.text.split()

    assert "Journal of Tests" not in read.text and not {"1", "2", "3"} & set(_paragraphs(read.text))
    assert not any("\ufb00" <= ch <= "\ufb06" for ch in read.text)
    assert {"baffled", "efficient", "fluent", "offline", "different"} <= {w.strip(".,") for w in words}
    assert read.text.count("Möller") == 2 and "¨" not in read.text
    assert "support" in words and "sup-port" not in read.text and "self-report" in read.text
    assert read.removed == "running headers/footers: 6 lines; line-end hyphens joined: 1; line-end hyphens kept: 1"
    assert read.metadata == {"title": "Reading Documents as Their Authors Wrote Them"}


def test_pdf_as_extracted_keeps_every_line():
    read = read_pdf(PDFS / "two_column_article.pdf", layout=False)

    assert "Journal of Tests 2024; 12: 101" in read.text
    assert len(read.text.split("\n\n")) == 3  # one block a page


def test_kwic_finds_an_accented_name_and_paragraph_context(tmp_path):
    shutil.copy(PDFS / "two_column_article.pdf", tmp_path)

    lines = kwic(load_corpus(tmp_path, use_cache=False), ["Möller"], context="paragraph")
    with_references = kwic(load_corpus(tmp_path, load_config(None, ["cleaning.sections=all"]), use_cache=False), ["Möller"])

    assert len(lines) == 1 and len(with_references) == 2  # the second is in the reference list
    assert lines["left"][0] == "Anna Keller and Niels" and lines["right"][0] == ""


@pytest.mark.parametrize(
    "name, reason",
    [
        ("encrypted_rc4.pdf", "password-protected PDF"),
        ("encrypted_aes256.pdf", "password-protected PDF"),
        ("image_only.pdf", "PDF has no text layer (scanned pages?): OCR it first"),
        ("truncated.pdf", "not a PDF, or a damaged one"),
        ("fake.pdf", "not a PDF, or a damaged one"),
    ],
)
def test_bad_pdfs_say_why_in_one_line(name, reason):
    with pytest.raises(UnreadableFile) as error:
        read_pdf(PDFS / name)
    assert str(error.value).startswith(reason) and "\n" not in str(error.value)


def test_a_folder_of_bad_pdfs_is_one_warning_each_and_the_rest_is_read(tmp_path, run):
    for name in ("encrypted_rc4.pdf", "encrypted_aes256.pdf", "image_only.pdf", "truncated.pdf", "fake.pdf",
                 "owner_password_only.pdf", "two_column_article.pdf"):
        shutil.copy(PDFS / name, tmp_path)

    result = run("info", str(tmp_path), "-f", "json")

    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    assert sorted(d["doc"] for d in payload["documents"]) == ["owner_password_only.pdf", "two_column_article.pdf"]
    assert len(payload["skipped"]) == 5
    assert result.stderr.count("skipped") == 5 and "Traceback" not in result.stderr


REFERENCES_PAPER = """Peer workers in mental health teams

Introduction
Peer support workers bring lived experience of distress into mental health teams, and the
teams learn to work alongside them.

Conflicts of interest
The authors declare no conflicts of interest.

Funding
This study was funded by the National Institute for Health Research.

References
1. Smith J, Jones K. Peer support in mental health. J Ment Health. 2018;27(3):1-9. [Google Scholar]
2. Brown A, et al. Lived experience at work. BMJ. 2020;368:m12. doi:10.1136/bmj.m12
"""


def test_references_and_declarations_are_left_out_by_default_and_kept_on_request(tmp_path, run):
    (tmp_path / "paper.txt").write_text(REFERENCES_PAPER, encoding="utf-8")

    corpus = load_corpus(tmp_path, use_cache=False)
    every = load_corpus(tmp_path, load_config(None, ["cleaning.sections=all"]), use_cache=False)

    assert corpus.text(0).rstrip().endswith("the\nteams learn to work alongside them.")
    assert "Google Scholar" not in corpus.text(0) and "funded" not in corpus.text(0)
    assert [(s["label"], s["heading"], s["excluded"]) for s in corpus.documents[0].cleaning["sections"]] == [
        ("declarations", "Conflicts of interest", True),
        ("references", "References", True),
    ]
    assert "Google Scholar" in every.text(0) and "funded" in every.text(0)
    cleaned = json.loads(run("info", str(tmp_path), "-f", "json").stdout)["documents"][0]["cleaned"]
    assert cleaned.startswith("left out declarations (from 'Conflicts of interest'") and "references (from 'References'" in cleaned
    assert "[Google Scholar]" in run("--sections", "all", "kwic", str(tmp_path), "Scholar", "-f", "json").stdout
    assert "[Google Scholar]" in run("kwic", str(tmp_path), "Scholar", "--sections", "all", "-f", "json").stdout
    assert json.loads(run("kwic", str(tmp_path), "Scholar", "-f", "json").stdout) == []


def test_reference_list_without_a_heading_and_a_paywall():
    entries = "\n".join(f"{n}. Author{n} A, Writer B. Title {n}. J Stud. 20{10 + n};{n}:1-9." for n in range(1, 7))
    text = f"Body paragraph about peer support.\n{entries}\n"
    assert [s.label for s in find_sections(text)] == ["references"]

    news = "Peer workers told us a lot.\n\nTo read the full article, sign up as a supporter.\n\nDonate\n\nAuthor bio here."
    kept, records = split_sections(news, find_sections(news), keep=("body",))
    assert kept == "Peer workers told us a lot." and records[0]["label"] == "boilerplate"


def test_a_declarations_heading_that_would_swallow_a_long_document_is_body():
    thesis = "Acknowledgements\n\nI thank my family.\n\n" + "Chapter text about peer support work in teams. " * 300
    assert find_sections(thesis) == []


def test_sections_setting_is_checked(run, sample_corpus):
    with pytest.raises(ConfigError, match="sections must be 'all' or some of body, references"):
        load_config(None, ["cleaning.sections=[body, refs]"])
    with pytest.raises(ConfigError, match="must include 'body'"):
        load_config(None, ["cleaning.sections=[references]"])
    result = run("info", str(sample_corpus), "--sections", "refs")
    assert result.exit_code == 2 and result.stderr.startswith("error: --sections: sections must be 'all' or some of")


def test_show_prints_the_text_as_analysed_with_left_out_sections_marked(tmp_path, run):
    (tmp_path / "paper.txt").write_text(REFERENCES_PAPER, encoding="utf-8")

    text = run("show", str(tmp_path), "--doc", "paper").stdout
    parts = json.loads(run("show", str(tmp_path), "--doc", "paper.txt", "-f", "json").stdout)

    assert text.startswith("Peer workers in mental health teams\n\nIntroduction")
    assert "[left out: references from 'References', 195 chars (--sections all keeps it)]\nReferences\n1. Smith J" in text
    assert [(p["label"], p["excluded"]) for p in parts] == [("body", False), ("declarations", True), ("references", True)]
    missing = run("show", str(tmp_path), "--doc", "nothing")
    assert missing.exit_code == 2 and "no document id contains 'nothing'" in missing.stderr


@pytest.mark.parametrize(
    "text, tokens",
    [
        ("the 28th in the 1980s", ["the", "28th", "in", "the", "1980s"]),
        ("3G phones cost £5m or 3.5bn", ["3G", "phones", "cost", "£", "5m", "or", "3.5bn"]),
        ("mp3 and COVID-19 at 10am", ["mp3", "and", "COVID-19", "at", "10am"]),
        ("a 3-year-old won 7-6 in 2020-21", ["a", "3-year-old", "won", "7", "-", "6", "in", "2020", "-", "21"]),
        ("1,200 people, 50% of them", ["1,200", "people", ",", "50%", "of", "them"]),
    ],
)
def test_numbers_keep_the_letters_glued_to_them(text, tokens):
    assert tokenize_text(text).words == tokens


def test_queries_with_punctuation_match_the_text_as_written(tmp_path):
    (tmp_path / "a.txt").write_text("Mr. Darcy met Mr Darcy in the U.K., e.g. at 3G shops. Mr. Darcy left.\n", encoding="utf-8")
    corpus = load_corpus(tmp_path, use_cache=False)

    assert len(kwic(corpus, ["Mr. Darcy"])) == 2
    assert len(kwic(corpus, ["Darcy"])) == 3
    assert len(kwic(corpus, ["U.K."])) == 1 and len(kwic(corpus, ["e.g."])) == 1
    assert len(kwic(corpus, ["3g"])) == 1


@pytest.mark.parametrize(
    "block, prose",
    [
        ("The peer workers met weekly to share what had worked for them.", True),
        ("Error t value Pr(>|t|)\n(Intercept) 0.7967 0.1 7.9 <2e-16", False),
        (">>> import numpy as np\n>>> np.zeros(3)", False),
        ("Group | 2019 | 2020\nPeers | 12 | 15\nStaff | 40 | 42", False),
        ("7. Murphy R, Higgins A. Peer support. J Psychiatr Ment Health Nurs. 2018;25:441-448. [PubMed]", False),
        ("Watson (2019) describes how political influences shape the peer role.", True),
    ],
)
def test_prose_blocks(block, prose):
    assert is_prose_block(block) is prose


def test_prose_sentences_are_complete():
    assert is_prose_sentence("Peer support workers bring lived experience into their teams.")
    assert not is_prose_sentence("Peer support from other Peer Workers should also")
    assert not is_prose_sentence("x <- lm(y ~ a + b, data = d).")


@pytest.mark.slow
def test_main_job_on_the_sample_corpus_has_no_reference_or_boilerplate_topic(run, sample_corpus):
    # The topics as JSON on stdout: the payload the folder's topics.json holds (test_topics.py's
    # test_cli_json_shape_output_folder_and_labels checks that they are equal); writing the
    # folder's plots and tables was a third of this test's time
    result = run("topics", str(sample_corpus), "-f", "json")

    assert result.exit_code == 0
    topics = json.loads(result.stdout)["topics"]
    unwanted = {"google", "scholar", "pubmed", "doi", "crossref", "et", "al", "vol", "pp"}
    for topic in topics:
        assert not unwanted & set(topic["terms"][:10]), topic["terms"][:10]
        for extract in topic["extracts"]:
            assert extract["sentence"].endswith("…") or is_prose_sentence(extract["sentence"]), extract


def test_kwic_sentence_of_a_code_listing_is_the_matching_line(tmp_path):
    (tmp_path / "manual.txt").write_text(
        "Call the parser as shown below, and check what it returns.\n\n"
        "x = parse(file)\ny = peer(x)\nz = check(y)\n",
        encoding="utf-8",
    )

    lines = kwic(load_corpus(tmp_path, use_cache=False), ["peer"])

    assert list(lines["sentence"]) == ["y = peer(x)"]


def test_readability_uses_prose_sentences_only(tmp_path):
    from peercorpus.analysis.stats import text_stats

    prose = "Peer workers share what helped them recover from distress. They listen well to others."
    (tmp_path / "a.txt").write_text(prose + "\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text(prose + "\n\nTable 1\n\nx <- lm(y ~ a + b, data = d)\n", encoding="utf-8")

    rows = text_stats(load_corpus(tmp_path, use_cache=False)).set_index("doc")

    assert rows.loc["a.txt", "prose_sentences"] == rows.loc["b.txt", "prose_sentences"] == 2
    assert rows.loc["a.txt", "flesch"] == rows.loc["b.txt", "flesch"]
    assert rows.loc["a.txt", "mean_sentence_length"] == rows.loc["b.txt", "mean_sentence_length"] == 7.0


@pytest.mark.parametrize("module", ["peercorpus.ingest.sections", "peercorpus.io.hyphenation", "peercorpus.analysis.kwic", "peercorpus.io.pdf", "peercorpus.ingest.shard", "peercorpus.ingest.repeated", "peercorpus.cli.lazy"])
def test_docstring_examples_hold(module):
    import doctest
    import importlib

    assert doctest.testmod(importlib.import_module(module)).failed == 0


def test_an_html_pages_acknowledgements_and_references_are_left_out(tmp_path):
    (tmp_path / "page.html").write_text(
        "<html><body><article><h1>Peer support in practice</h1>"
        "<p>Peer support workers bring lived experience of distress into mental health teams.</p>"
        "<h2>Acknowledgements</h2><p>We thank the participants.</p><h2>References</h2><ol>"
        "<li>Smith J, Jones K. Peer support in mental health. J Ment Health. 2019;27(3):1-9.</li>"
        "<li>Brown A, et al. Lived experience at work. BMJ. 2020;368:m12. doi:10.1136/bmj.m12</li>"
        "</ol></article></body></html>",
        encoding="utf-8",
    )

    corpus = load_corpus(tmp_path, use_cache=False)

    assert corpus.text(0).split("\n\n") == [
        "Peer support in practice",
        "Peer support workers bring lived experience of distress into mental health teams.",
    ]
    assert [s["label"] for s in corpus.documents[0].cleaning["sections"]] == ["declarations", "references"]


@pytest.mark.parametrize(
    "text",
    [
        "The method below renames it.\n\nSubscribe to new mailbox.\n\nReturns a tuple.",  # a sentence, not a trailer
        "The event types are listed here.\n\nCOMMENT\n\nA comment node.",  # a constant's name
        "The largest value is\n\n999999999999999999\n\non this platform.",  # a number, not an id
        "3.2 Reference\n\nparse(data) returns the tree.\n\nfree(tree) releases it.\n\ndump(tree) prints it.",  # an API chapter
    ],
)
def test_manual_text_that_looks_like_a_section_stays_body(text):
    assert find_sections(text) == []


def _site(folder: Path, pages: int = 6) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    names = ["Ann", "Bob", "Cai", "Dee", "Eve", "Fay"]
    for n in range(1, pages + 1):
        (folder / f"page{n}.txt").write_text(
            "Home | News | About us\n\nSkip to main content\n\nMethods\n\n"
            f"Peer worker {n} describes a first year on a ward, how the team took to a colleague with lived "
            "experience, and what changed in the way they talked about risk and recovery.\n\n"
            f"{names[n - 1]}, in a second paragraph, says what a peer worker would tell a new colleague.\n\n"
            "Follow us on Twitter\n\n© 2024 Example Site Ltd. All rights reserved.\n",
            encoding="utf-8",
        )


def test_lines_repeated_across_the_corpus_are_left_out_as_boilerplate(tmp_path, run):
    _site(tmp_path / "site")

    corpus = load_corpus(tmp_path / "site", cache_dir=tmp_path / "cache")
    warm = load_corpus(tmp_path / "site", cache_dir=tmp_path / "cache")
    every = load_corpus(tmp_path / "site", load_config(None, ["cleaning.sections=all"]), use_cache=False)

    text = corpus.text(0)
    assert text.startswith("Methods\n\nPeer worker 1 describes") and text.rstrip().endswith("new colleague.")
    assert not {"Home", "Skip", "Twitter", "©"} & set(text.split())
    assert [s["heading"] for s in corpus.documents[0].cleaning["sections"]] == [
        "Home | News | About us", "Skip to main content", "Follow us on Twitter", "© 2024 Example Site Ltd. All rights reserved.",
    ]
    assert warm.load_report.from_snapshot and warm.repeated_lines == corpus.repeated_lines and len(corpus.repeated_lines) == 4
    assert "Twitter" in every.text(0)
    shown = run("show", str(tmp_path / "site"), "--doc", "page2", "--cache-dir", str(tmp_path / "cache")).stdout
    assert "[left out: boilerplate from 'Follow us on Twitter', 20 chars (--sections all keeps it)]" in shown


def test_documents_that_repeat_each_other_keep_their_lines(tmp_path):
    for n in range(4):  # the same press release four times: no line of it is furniture
        (tmp_path / f"copy{n}.txt").write_text("Peer workers join the ward.\n\nThe trust hires ten more.\n", encoding="utf-8")

    corpus = load_corpus(tmp_path, use_cache=False)

    assert corpus.text(0) == "Peer workers join the ward.\n\nThe trust hires ten more.\n"


def test_running_text_broken_across_lines_is_never_a_repeated_line(tmp_path):
    for name in ("open", "close", "read", "write", "seek"):  # man pages: one formula, hard-wrapped, in each
        (tmp_path / f"{name}.txt").write_text(
            f"The {name} call of the library.\nOn error, -1 is returned, and\nerrno is set to indicate the error.\n"
            f"If the\nfile is missing, {name} fails.\n",
            encoding="utf-8",
        )

    corpus = load_corpus(tmp_path, use_cache=False)

    assert corpus.repeated_lines == frozenset()
    assert "On error, -1 is returned, and\nerrno is set" in corpus.text(0)


def test_a_pdf_decompression_bomb_is_refused_before_pdfium_inflates_it(tmp_path, monkeypatch):
    import zlib

    from peercorpus.io import pdf as pdf_module

    data = zlib.compress(b"\0" * (3 * 1024 * 1024), 9)  # 3 MB of zeros, a few KB compressed
    (tmp_path / "bomb.pdf").write_bytes(
        b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
        b"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>\nendobj\n"
        b"4 0 obj\n<< /Length " + str(len(data)).encode() + b" /Filter /FlateDecode >>\nstream\n" + data
        + b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )
    monkeypatch.setattr(pdf_module, "MAX_STREAM_BYTES", 1024 * 1024)  # the same check, at a size a test affords
    with pytest.raises(UnreadableFile, match="inflates to more than 1 MB"):
        read_pdf(tmp_path / "bomb.pdf")
    assert _paragraphs(read_pdf(PDFS / "two_column_article.pdf").text) == _expected("two_column_article.pdf")


def test_show_applies_the_configs_own_rules_first_as_ingest_does(tmp_path, run):
    (tmp_path / "paper.txt").write_text(REFERENCES_PAPER, encoding="utf-8")
    (tmp_path / "rules.yaml").write_text("cleaning:\n  drop_lines: ['^Introduction$']\n", encoding="utf-8")

    shown = run("show", str(tmp_path / "paper.txt"), "--doc", "paper", "--config", str(tmp_path / "rules.yaml")).stdout
    analysed = load_corpus(tmp_path / "paper.txt", tmp_path / "rules.yaml", use_cache=False).text(0)

    assert "Introduction" not in shown and shown.startswith(analysed.split("\n\n")[0])


def test_line_end_hyphens_in_plain_text_are_joined_by_default_and_counted(tmp_path):
    (tmp_path / "notes.txt").write_text(
        "Peer sup-\nport helps. Support matters, and self-\nreport forms are used.\n", encoding="utf-8"
    )

    corpus = load_corpus(tmp_path, use_cache=False)
    as_extracted = load_corpus(tmp_path, load_config(None, ["cleaning.auto=false"]), use_cache=False)

    assert corpus.text(0) == "Peer support helps. Support matters, and self-report forms are used.\n"
    assert corpus.documents[0].cleaning["hyphens_joined"] == 1
    assert "sup-\nport" in as_extracted.text(0)


def test_the_reports_methods_text_says_what_was_left_out(tmp_path, run):
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "paper.txt").write_text(REFERENCES_PAPER, encoding="utf-8")
    (tmp_path / "r.yaml").write_text(f"corpus: {tmp_path / 'corpus'}\nanalyses:\n  - name: info\n", encoding="utf-8")

    assert run("report", str(tmp_path / "r.yaml"), "-o", str(tmp_path / "out")).exit_code == 0
    methods = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")

    assert "were detected and left out (declarations: 1 section, 147 characters; references: 1 section, 195 characters)" in methods

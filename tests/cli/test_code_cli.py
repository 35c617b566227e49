"""``peercorpus code`` driven through the CLI: every output format, the folder output, bad codebooks."""

import json

import pytest

from conftest import heavy_imports_of_warm_command

CODEBOOK = "hope: [hope, recover*]\nwork:\n  peer: [peer worker*]\n  nhs: [NHS]\n"
TABLES = ["themes", "documents", "cooccurrence", "extracts"]


@pytest.fixture
def codebook(tmp_path):
    path = tmp_path / "codebook.yaml"
    path.write_text(CODEBOOK, encoding="utf-8")
    return path


def test_terminal_shows_the_themes(run, mini_corpus, codebook):
    result = run("code", str(mini_corpus), "--codebook", str(codebook))
    assert result.exit_code == 0
    assert "Themes (codebook.yaml)" in result.stdout and "work.peer" in result.stdout and "share_paragraphs" in result.stdout
    assert "description" not in result.stdout
    assert "hits of 4 themes in 4 of 4 documents" in result.stderr


def test_json_holds_all_four_tables(run, mini_corpus, codebook):
    payload = json.loads(run("code", str(mini_corpus), "-b", str(codebook), "-f", "json").stdout)
    assert list(payload) == TABLES
    themes = {row["theme"]: row for row in payload["themes"]}
    assert themes["work.nhs"]["hits"] == 2 and themes["work"]["hits"] == themes["work.peer"]["hits"] + 2
    assert len(payload["documents"]) == 4 * 4
    # A theme is not paired with its parent.
    assert [(row["theme_a"], row["theme_b"]) for row in payload["cooccurrence"]] == [("hope", "work"), ("hope", "work.peer"), ("hope", "work.nhs"), ("work.peer", "work.nhs")]
    assert {"theme", "doc", "term", "match", "sentence", "char_start", "char_end"} <= set(payload["extracts"][0])


@pytest.mark.parametrize("fmt", ["csv", "tsv", "md", "html", "json", "table"])
@pytest.mark.parametrize("table", TABLES)
def test_every_table_in_every_format(run, mini_corpus, codebook, fmt, table):
    result = run("code", str(mini_corpus), "-b", str(codebook), "--table", table, "-f", fmt)
    assert result.exit_code == 0, result.stderr
    first_column = {"themes": "theme", "documents": "doc", "cooccurrence": "theme_a", "extracts": "theme"}[table]
    if fmt == "json":
        assert first_column in json.loads(result.stdout)[0]
    elif fmt in ("csv", "tsv"):
        assert result.stdout.startswith(first_column + ("," if fmt == "csv" else "\t"))
    else:
        assert first_column in result.stdout


def test_by_adds_a_groups_table_shown_by_default(run, mini_corpus, codebook):
    shown = run("code", str(mini_corpus), "-b", str(codebook), "--by", "genre", "-f", "csv")
    assert shown.exit_code == 0 and shown.stdout.startswith("genre,theme,group_documents,documents,share_documents,hits,words,per_1000\n")
    payload = json.loads(run("code", str(mini_corpus), "-b", str(codebook), "--by", "genre", "-f", "json").stdout)
    assert list(payload) == ["themes", "groups", "documents", "cooccurrence", "extracts"]
    hits = {theme: sum(r["hits"] for r in payload["groups"] if r["theme"] == theme) for theme in {r["theme"] for r in payload["groups"]}}
    assert hits == {row["theme"]: row["hits"] for row in payload["themes"]}


def test_markdown_and_html_without_table_hold_all_four(run, mini_corpus, codebook):
    markdown = run("code", str(mini_corpus), "-b", str(codebook), "-f", "md").stdout
    assert [line for line in markdown.splitlines() if line.startswith("## ")] == [
        "## Themes", "## Themes per document", "## Theme co-occurrence within sentences", "## Coded extracts"
    ]
    html = run("code", str(mini_corpus), "-b", str(codebook), "-f", "html", "--cooccurrence", "paragraph").stdout
    assert html.count("<table>") == 4 and "within paragraphs" in html


def test_output_folder_gets_one_csv_per_table(run, mini_corpus, codebook, tmp_path):
    folder = tmp_path / "coding"
    result = run("code", str(mini_corpus), "-b", str(codebook), "-o", str(folder))
    assert result.exit_code == 0
    assert sorted(p.name for p in folder.iterdir()) == ["code_cooccurrence.csv", "code_documents.csv", "code_extracts.csv", "code_themes.csv"]
    assert (folder / "code_themes.csv").read_text().startswith("theme,terms,hits,per_1000,documents,share_documents")
    again = tmp_path / "again"
    run("code", str(mini_corpus), "-b", str(codebook), "-o", str(again))
    assert all((folder / p.name).read_text() == p.read_text() for p in again.iterdir())


def test_output_file_and_where(run, mini_corpus, codebook, tmp_path):
    out = tmp_path / "extracts.csv"
    result = run("code", str(mini_corpus), "-b", str(codebook), "--table", "extracts", "--where", "genre=blog", "-o", str(out))
    assert result.exit_code == 0
    docs = {line.split(",")[1] for line in out.read_text().splitlines()[1:]}
    assert docs == {"blog-one.txt", "blog-two.txt"}


def test_zero_hits_is_not_an_error(run, mini_corpus, tmp_path):
    book = tmp_path / "none.yaml"
    book.write_text("zebra: [zebra*]\n")
    result = run("code", str(mini_corpus), "-b", str(book), "-f", "json")
    assert result.exit_code == 0 and json.loads(result.stdout)["extracts"] == []
    assert "0 hits of 1 themes in 0 of 4 documents" in result.stderr


@pytest.mark.parametrize(
    "text, message",
    [
        ("themes:\n  hope:\n    terms: [hope]\n    descripton: x\n", "bad.yaml line 4: theme 'hope': unknown key 'descripton' (did you mean 'description'?)"),
        ("hope: [hope, 2021]\n", "bad.yaml line 1: theme 'hope': term 2021 must be text"),
        ("hope: []\n", "bad.yaml line 1: theme 'hope' has no terms"),
        ("hope: [hope\n", "bad.yaml line 2: invalid YAML"),
    ],
)
def test_bad_codebook_is_one_line_exit_2_and_nothing_written(run, mini_corpus, tmp_path, text, message):
    book = tmp_path / "bad.yaml"
    book.write_text(text)
    out = tmp_path / "out.csv"
    result = run("code", str(mini_corpus), "-b", str(book), "-o", str(out))
    assert result.exit_code == 2 and message in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and not out.exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (["-b", "missing.yaml"], "codebook file not found: missing.yaml"),
        (["-b", "{book}", "--table", "topics"], "--table must be one of themes, documents, cooccurrence, extracts, groups"),
        (["-b", "{book}", "--table", "groups"], "--table groups needs --by FIELD"),
        (["-b", "{book}", "--by", "genr"], "--by genr: no metadata field 'genr'; fields present: genre, year"),
        (["-b", "{book}", "--cooccurrence", "document"], "cooccurrence must be one of sentence, paragraph"),
        (["-b", "{book}", "-o", "{corpus}/coding"], "inside the corpus folder"),
        (["-b", "{book}", "--match", "stem", "--case-sensitive"], "--case-sensitive works with --match form only"),
    ],
)
def test_bad_options_are_one_line_and_exit_2(run, mini_corpus, codebook, args, message):
    result = run("code", str(mini_corpus), *[a.replace("{book}", str(codebook)).replace("{corpus}", str(mini_corpus)) for a in args])
    assert result.exit_code == 2 and message in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (mini_corpus / "coding").exists()


def test_sample_codebook_on_the_sample_corpus(run, sample_corpus):
    payload = json.loads(run("code", str(sample_corpus), "-b", "configs/peer-support-codebook.yaml", "--config", "configs/peer-support.yaml", "-f", "json").stdout)
    assert all(row["hits"] > 0 for row in payload["themes"])


def test_warm_code_imports_neither_nltk_nor_sklearn(sample_corpus, codebook, warm_sample_cache):
    args = ("code", str(sample_corpus), "-b", str(codebook), "-f", "json")
    assert heavy_imports_of_warm_command(sample_corpus, warm_sample_cache, *args) == (False, False)

"""peercorpus dtm: a Matrix Market document-term matrix whose counts are freq's; --stopwords
on every counting command; topics -o x.json writes that file."""

from __future__ import annotations

import json

import pandas as pd
import pytest


def read_dtm(folder):
    from scipy.io import mmread

    matrix = mmread(str(folder / "dtm.mtx")).tocsr()
    terms = pd.read_csv(folder / "terms.csv", keep_default_na=False)
    docvars = pd.read_csv(folder / "docvars.csv")
    return matrix, terms, docvars


@pytest.mark.parametrize("extra", [[], ["--stopwords", "english"], ["--where", "genre=blog"], ["--set", "tokenize.stem=true"]])
def test_dtm_counts_equal_freq(run, mini_corpus, tmp_path, extra):
    folder = tmp_path / "dtm"
    result = run("dtm", str(mini_corpus), "-o", str(folder), *extra)
    assert result.exit_code == 0, result.stderr
    matrix, terms, docvars = read_dtm(folder)
    freq = pd.read_csv(pd.io.common.StringIO(run("freq", str(mini_corpus), "-f", "csv", *extra).stdout), keep_default_na=False)
    assert matrix.shape == (len(docvars), len(terms))
    column_counts = dict(zip(terms["term"], matrix.sum(axis=0).A1.tolist()))
    assert column_counts == dict(zip(freq["term"], freq["count"]))
    assert dict(zip(terms["term"], terms["count"])) == column_counts
    assert terms["column"].tolist() == list(range(1, len(terms) + 1))  # 1-based, as R counts
    assert dict(zip(terms["term"], terms["doc_freq"])) == dict(zip(freq["term"], freq["range"]))
    info = pd.read_csv(pd.io.common.StringIO(run("info", str(mini_corpus), "-f", "csv", *(extra if extra[:1] == ["--where"] else [])).stdout))
    assert docvars["doc"].tolist() == info["doc"].tolist()


def test_dtm_rows_are_documents_in_docvars_order(run, mini_corpus, tmp_path):
    folder = tmp_path / "dtm"
    run("dtm", str(mini_corpus), "-o", str(folder))
    matrix, terms, docvars = read_dtm(folder)
    blog_one = docvars["doc"].tolist().index("blog-one.txt")
    one = json.loads(run("freq", str(mini_corpus), "--where", "genre=blog", "-f", "json").stdout)
    row = dict(zip(terms["term"], matrix[blog_one].toarray().ravel().tolist()))
    assert all(row[r["term"]] <= r["count"] for r in one)
    assert list(docvars.columns[:2]) == ["row", "doc"] and "genre" in docvars.columns
    assert (folder / "dtm.mtx").read_text().startswith("%%MatrixMarket matrix coordinate integer general")


def test_dtm_bad_input_is_one_line(run, mini_corpus, tmp_path):
    result = run("dtm", str(mini_corpus), "-o", str(tmp_path / "x"), "-f", "rds")
    assert result.exit_code == 2 and "--format must be mtx or parquet" in result.stderr
    result = run("dtm", str(mini_corpus), "-o", str(tmp_path / "x.csv"))
    assert result.exit_code == 2 and "give a folder" in result.stderr
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        result = run("dtm", str(mini_corpus), "-o", str(tmp_path / "p"), "-f", "parquet")
        assert result.exit_code == 2 and "pyarrow" in result.stderr


def test_dtm_parquet(run, mini_corpus, tmp_path):
    pytest.importorskip("pyarrow")
    folder = tmp_path / "p"
    assert run("dtm", str(mini_corpus), "-o", str(folder), "-f", "parquet").exit_code == 0
    triplets = pd.read_parquet(folder / "dtm.parquet")
    freq = json.loads(run("freq", str(mini_corpus), "-f", "json").stdout)
    assert triplets.groupby("term")["count"].sum().to_dict() == {r["term"]: r["count"] for r in freq}


@pytest.mark.parametrize("command", [["freq"], ["collocates", "peer"], ["keyness", "--target", "genre=blog", "--min-count", "1"], ["dtm", "-o", "{tmp}/d"]])
def test_stopwords_option_on_counting_commands(run, mini_corpus, tmp_path, command):
    args = [a.replace("{tmp}", str(tmp_path)) for a in command]
    if command[0] == "collocates":
        args = ["collocates", str(mini_corpus), "peer"]
    else:
        args = [args[0], str(mini_corpus), *args[1:]]
    assert run(*args, "--stopwords", "english").exit_code == 0
    bad = run(*args, "--stopwords", "klingon")
    assert bad.exit_code == 2 and "--stopwords must be english, nltk, none or a file" in bad.stderr


def test_stopwords_english_none_and_file_change_freq(run, mini_corpus, tmp_path):
    def terms(*extra):
        return {row["term"] for row in json.loads(run("freq", str(mini_corpus), "-f", "json", *extra).stdout)}

    everything = terms()
    assert "the" in everything and "the" not in terms("--stopwords", "english")
    assert terms("--stopwords", "none") == everything
    words = tmp_path / "stop.txt"
    words.write_text("peer\n", encoding="utf-8")
    assert terms("--stopwords", str(words)) == everything - {"peer"}
    assert "the" in terms("--set", "tokenize.stopwords=english", "--stopwords", "none")  # the option wins


def test_topics_json_output_is_a_file(run, planted_corpus, tmp_path, no_topic_plots):
    folder, _ = planted_corpus
    out = tmp_path / "x.json"
    result = run("topics", str(folder), "--k", "3", "-f", "json", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert out.is_file() and json.loads(out.read_text())["k"] == 3
    assert result.stdout == ""
    out_csv = tmp_path / "t.csv"
    assert run("topics", str(folder), "--k", "3", "-f", "csv", "-o", str(out_csv)).exit_code == 0
    assert out_csv.read_text().startswith("topic")
    assert run("topics", str(folder), "--k", "3", "-o", str(tmp_path / "plain.json")).exit_code == 0
    assert (tmp_path / "plain.json" / "topics.json").is_file()  # without --format: a folder, as before


def test_topics_folder_has_long_forms_of_the_weight_tables(run, planted_corpus, tmp_path, no_topic_plots):
    folder, _ = planted_corpus
    out = tmp_path / "t"
    assert run("topics", str(folder), "--k", "3", "--unit", "document", "-o", str(out)).exit_code == 0
    wide = pd.read_csv(out / "document_topics.csv")
    long = pd.read_csv(out / "document_topics_long.csv")
    assert list(long.columns) == ["doc", "topic", "weight"] and len(long) == 3 * len(wide)
    pivot = long.pivot(index="doc", columns="topic", values="weight").loc[wide["doc"]]
    assert (pivot.to_numpy() == wide[["topic_0", "topic_1", "topic_2"]].to_numpy()).all()

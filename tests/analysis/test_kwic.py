"""Concordances: exact counts against the raw text, properties of every hit, sorting, bad input."""

import json
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import heavy_imports_of_warm_command, heavy_imports_of_warm_commands, raw_count
from peercorpus import load_corpus
from peercorpus.analysis.dispersion import dispersion_measures
from peercorpus.analysis.kwic import find_hits, kwic, order_hits
from peercorpus.core.query import find_matches
from peercorpus.errors import UsageError


def _raw_count(corpus, phrase: str) -> int:
    return sum(raw_count(corpus.text(i), phrase) for i in range(len(corpus)))


@pytest.fixture(scope="module")
def sample():
    from pathlib import Path

    return load_corpus(Path(__file__).parents[2] / "corpora", use_cache=False)


@pytest.mark.parametrize("query", ["lived experience", "boundaries", "recovery", "peer support worker", "NHS", "burnout", "mental health"])
def test_hit_counts_equal_an_independent_count_over_the_raw_text(sample, query):
    assert len(kwic(sample, [query])) == _raw_count(sample, query)


@pytest.mark.parametrize(
    ("query", "options"),
    [("peer support", {}), ("of the", {}), ("Peer support", {"case_sensitive": True}), ("peer *", {}), ("the p*", {}), ("lived experience of", {})],
)
def test_phrases_equal_a_scan_of_every_token(sample, query, options):
    """Phrases are matched through the index (or token ids for common words); both must
    agree with a plain scan of the token stream."""
    from peercorpus.core.query import _matching_types

    tokens = sample.tokens
    masks = [_matching_types(tokens, w, match="form", case_sensitive=options.get("case_sensitive", False), regex=False) for w in query.split()]
    ids, docs = np.asarray(tokens.ids), tokens.doc_of_token
    n = len(masks)
    expected = [
        i for i in range(len(ids) - n + 1)
        if docs[i] == docs[i + n - 1] and all(masks[k][ids[i + k]] for k in range(n))
    ]
    assert find_matches(tokens, query, **options).starts.tolist() == expected


def test_wildcards_stems_and_regex(sample):
    wild = kwic(sample, ["recover*"])
    assert set(wild["match"].str.lower()) >= {"recovery"} and all(m.lower().startswith("recover") for m in wild["match"])
    stem = kwic(sample, ["recover"], match="stem")
    assert {"recover", "recovery"} <= set(stem["match"].str.lower())
    regex = kwic(sample, [r"peer-\w+"], regex=True)
    assert len(regex) and all(re.fullmatch(r"(?i)peer-\w+", m) for m in regex["match"])
    single = kwic(sample, ["peer?"])
    assert set(single["match"].str.lower()) <= {"peers"}


def test_case_sensitive_and_several_queries(sample):
    upper = kwic(sample, ["NHS"], case_sensitive=True)
    assert (upper["match"] == "NHS").all()
    both = kwic(sample, ["boundaries", "tokenism"])
    assert set(both["query"]) <= {"boundaries", "tokenism"}
    assert len(both) == len(kwic(sample, ["boundaries"])) + len(kwic(sample, ["tokenism"]))


def test_sentence_context_stays_in_the_sentence(sample):
    lines = kwic(sample, ["boundaries"], window=50, context="sentence")
    for row in lines.itertuples():
        assert row.left.replace(" ", "") in row.sentence.replace(" ", "")
        assert row.right.replace(" ", "") in row.sentence.replace(" ", "")


def test_a_sentence_without_end_is_cut_around_the_match(tmp_path):
    """A text with no full stops is one sentence: each line carries a slice of it, not all."""
    from peercorpus.analysis.kwic import SENTENCE_CHARS

    (tmp_path / "table.txt").write_text(" ".join(f"peer support word{i % 100}" for i in range(3000)), encoding="utf-8")
    (tmp_path / "normal.txt").write_text("A short sentence about peer work. Another one.\n", encoding="utf-8")
    lines = kwic(load_corpus([tmp_path], use_cache=False), ["peer"])
    long_lines = lines[lines["doc"] == "table.txt"]
    assert len(long_lines) == 3000
    assert long_lines["sentence"].str.len().max() <= SENTENCE_CHARS + 4
    assert all(row.match in row.sentence and row.sentence.startswith(("… ", "peer")) for row in long_lines.itertuples())
    assert lines[lines["doc"] == "normal.txt"]["sentence"].tolist() == ["A short sentence about peer work."]


def test_out_of_memory_is_one_line_and_exit_1():
    import typer

    from peercorpus.cli.common import handle_errors

    @handle_errors
    def greedy():
        raise MemoryError

    with pytest.raises(typer.Exit) as stopped:
        greedy()
    assert stopped.value.exit_code == 1


def test_json_fields_and_metadata(run, sample_corpus):
    result = run("kwic", str(sample_corpus), "lived experience", "-f", "json", "--limit", "3")
    hits = json.loads(result.stdout)
    assert len(hits) == 3
    assert {"doc", "start", "end", "left", "match", "right", "char_start", "char_end", "sentence", "meta"} <= set(hits[0])
    assert hits[0]["end"] - hits[0]["start"] == 2 and "genre" in hits[0]["meta"]


@pytest.mark.parametrize(
    "args, code, message",
    [
        (["x(", "--regex"], 2, "invalid regular expression 'x('"),
        ([""], 2, "empty query"),
        (["zzzzqqq"], 0, "0 hits"),
        (["peer", "--where", "genre=blgo"], 2, "values present: blog"),
        (["peer", "--where", "colour=red"], 2, "fields present: collection, genre"),
        (["peer", "--sort", "X3"], 2, "--sort key 'X3'"),
        (["peer", "--context", "sentences"], 2, "--context must be one of document, sentence, paragraph; got 'sentences'"),
        (["peer", "--context", "foo"], 2, "--context must be one of"),
        (["peer", "--window", "-1"], 2, "--window must be an integer ≥ 0; got -1"),
        (["peer", "--chars", "-5"], 2, "--chars must be an integer ≥ 1; got -5"),
        (["peer", "--where", "year>=abc"], 2, "--where year>=abc: 'abc' is not a number, and year holds numbers"),
    ],
)
def test_bad_input(run, sample_corpus, args, code, message):
    result = run("kwic", str(sample_corpus), *args)
    assert result.exit_code == code and message in result.stderr


def test_a_path_without_a_query_says_so(run, sample_corpus):
    result = run("kwic", str(sample_corpus))
    assert result.exit_code == 2 and f"no query after {sample_corpus}" in result.stderr


def test_zero_hits_in_json_is_an_empty_list(run, sample_corpus):
    result = run("kwic", str(sample_corpus), "zzzzqqq", "-f", "json")
    assert result.exit_code == 0 and json.loads(result.stdout) == []


def test_where_summary_and_dispersion(run, sample_corpus, tmp_path):
    blog = json.loads(run("kwic", str(sample_corpus), "peer", "--where", "genre=blog", "-f", "json").stdout)
    assert {h["meta"]["genre"] for h in blog} == {"blog"}
    summary = json.loads(run("kwic", str(sample_corpus), "peer", "--summary", "-f", "json").stdout)
    assert sum(row["hits"] for row in summary) == len(json.loads(run("kwic", str(sample_corpus), "peer", "-f", "json").stdout))
    plot = tmp_path / "d.svg"
    result = run("dispersion", str(sample_corpus), "recovery", "lived experience", "--plot", str(plot), "-f", "json")
    rows = json.loads(result.stdout)
    assert [r["term"] for r in rows] == ["recovery", "lived experience"] and plot.read_text().startswith("<?xml")


def test_dispersion_measures_by_hand():
    even = dispersion_measures(np.array([5, 5, 5, 5]), np.array([100, 100, 100, 100]))
    assert even["juilland_d"] == pytest.approx(1.0) and even["gries_dp"] == pytest.approx(0.0)
    lumped = dispersion_measures(np.array([8, 0, 0, 0]), np.array([100, 100, 100, 100]))
    assert lumped["juilland_d"] == pytest.approx(0.0) and lumped["gries_dp"] == pytest.approx(0.75)
    assert lumped["gries_dp_norm"] == pytest.approx(1.0) and lumped["range"] == 1


WORDS = st.sampled_from(["peer", "support", "recovery", "lived", "experience", "NHS", "boundaries", "hope", "work"])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    docs=st.lists(st.lists(st.tuples(WORDS, st.sampled_from([" ", "  ", "\n", ", ", ". ", "\n\n"])), min_size=1, max_size=40), min_size=1, max_size=4),
    query=st.sampled_from(["peer", "lived experience", "recover*", "nhs", "support work"]),
    window=st.integers(0, 6),
    sort=st.sampled_from([None, ["L1"], ["R1", "R2"], ["match", "doc"], ["L2", "R1"]]),
)
def test_properties_of_every_hit(tmp_path_factory, docs, query, window, sort):
    folder = tmp_path_factory.mktemp("prop")
    for number, words in enumerate(docs):
        (folder / f"d{number}.txt").write_text("".join(w + sep for w, sep in words), encoding="utf-8")
    corpus = load_corpus(folder, use_cache=False)
    lines = kwic(corpus, [query], window=window, sort=sort)
    for row in lines.itertuples():
        index = corpus.doc_ids.index(row.doc)
        text = corpus.text(index)
        assert row.match == " ".join(text[row.char_start : row.char_end].split())
        before = " ".join(text[: row.char_start].split())
        assert before.endswith(row.left)
    # Sorting is total and stable: sorting the sorted hits again changes nothing.
    hits = order_hits(corpus, find_hits(corpus, [query]), sort=sort)
    again = order_hits(corpus, hits, sort=sort)
    assert np.array_equal(hits.starts, again.starts)
    if sort and sort[0][0] in "LR":
        keys = _nth_words_in_text(corpus, hits, sort[0])
        assert keys == sorted(keys)


def _nth_words_in_text(corpus, hits, key: str) -> list[str]:
    """The word a key names for every hit, found with a regex in the raw text ("" if none)."""
    tokens, distance, words = corpus.tokens, int(key[1]), []
    for start, end in zip(hits.starts.tolist(), hits.ends.tolist()):
        text = corpus.text(int(tokens.doc_of_position(np.array([start]))[0]))
        if key[0] == "R":
            around = re.findall(r"\w+", text[int(tokens.char_ends[end - 1]) :])
        else:
            around = re.findall(r"\w+", text[: int(tokens.char_starts[start])])[::-1]
        words.append(around[distance - 1].lower() if len(around) >= distance else "")
    return words


def test_sort_keys_count_words_not_punctuation(tmp_path):
    (tmp_path / "a.txt").write_text("The cat sat. The cat, however, ran.\nThe cat ate fish. The cat (a tabby) slept. The cat zoomed.\n")
    corpus = load_corpus(tmp_path, use_cache=False)
    hits = find_hits(corpus, ["cat"])
    assert _nth_words_in_text(corpus, order_hits(corpus, hits, sort=["R1"]), "R1") == ["a", "ate", "however", "sat", "zoomed"]
    # "zoomed." has no second word after it, the first "cat" none two words before: they sort first.
    assert _nth_words_in_text(corpus, order_hits(corpus, hits, sort=["R2"]), "R2") == ["", "fish", "ran", "tabby", "the"]
    assert _nth_words_in_text(corpus, order_hits(corpus, hits, sort=["L2"]), "L2") == ["", "fish", "ran", "sat", "slept"]


def test_phrase_matches_across_line_breaks_not_documents(tmp_path):
    (tmp_path / "a.txt").write_text("their lived\nexperience matters; lived", encoding="utf-8")
    (tmp_path / "b.txt").write_text("experience again", encoding="utf-8")
    corpus = load_corpus(tmp_path, use_cache=False)
    assert len(find_matches(corpus.tokens, "lived experience")) == 1
    with pytest.raises(UsageError, match="empty query"):
        find_matches(corpus.tokens, "  ")


def test_warm_kwic_imports_neither_nltk_nor_sklearn(sample_corpus, warm_sample_cache):
    args = ("kwic", str(sample_corpus), "lived experience", "-f", "csv")
    assert heavy_imports_of_warm_command(sample_corpus, warm_sample_cache, *args) == (False, False)


def test_warm_kwic_does_not_import_pandas(sample_corpus, warm_sample_cache):
    formats = ("csv", "tsv", "json", "md", "html", "table")
    commands = [("kwic", str(sample_corpus), "lived experience", "-f", fmt) for fmt in formats]
    imported = heavy_imports_of_warm_commands(sample_corpus, warm_sample_cache, commands, modules=("pandas",))
    assert dict(zip(formats, imported)) == {fmt: (False,) for fmt in formats}


@given(st.lists(st.tuples(st.text(max_size=12), st.integers(-5, 10**9)), max_size=6))
@settings(max_examples=60, deadline=None)
def test_rows_without_pandas_are_written_as_pandas_writes_them(cells):
    import pandas as pd

    from peercorpus.render.concordance import EXPORT_COLUMNS, concordance_text
    from peercorpus.render.export import frame_to_text

    rows = [{c: (text if i % 2 else number) for i, c in enumerate(EXPORT_COLUMNS)} | {"meta": {}} for text, number in cells]
    frame = pd.DataFrame(rows, columns=[*EXPORT_COLUMNS, "meta"])[EXPORT_COLUMNS]
    for fmt in ("csv", "tsv", "md"):
        assert concordance_text(rows, fmt) == frame_to_text(frame, fmt)
    assert concordance_text(rows, "csv", ["genre"]) is None


def test_chars_sample_paragraph_context_and_show(run, sample_corpus):
    chars = json.loads(run("kwic", str(sample_corpus), "boundaries", "--chars", "20", "-f", "json").stdout)
    assert chars and all(len(h["left"]) <= 20 and len(h["right"]) <= 20 for h in chars)
    first = run("kwic", str(sample_corpus), "peer", "--sample", "5", "--seed", "3", "-f", "csv").stdout
    again = run("kwic", str(sample_corpus), "peer", "--sample", "5", "--seed", "3", "-f", "csv").stdout
    other = run("kwic", str(sample_corpus), "peer", "--sample", "5", "--seed", "4", "-f", "csv").stdout
    assert first == again != other and len(first.splitlines()) == 6
    shown = run("kwic", str(sample_corpus), "boundaries", "--show", "genre,source", "-f", "csv").stdout.splitlines()
    assert shown[0].endswith(",query,genre,source")
    bad_show = run("kwic", str(sample_corpus), "boundaries", "--show", "colour")
    assert bad_show.exit_code == 2 and "fields present" in bad_show.stderr


def test_paragraph_context_stays_in_the_paragraph(sample):
    lines = kwic(sample, ["boundaries"], window=200, context="paragraph")
    tokens = sample.tokens
    for row in lines.itertuples():
        doc = sample.doc_ids.index(row.doc)
        position = int(tokens.doc_starts[doc]) + row.start
        paragraph = tokens.paragraph_spans[int(tokens.paragraph[position])]
        text = " ".join(sample.text(doc)[paragraph[0] : paragraph[1]].split())
        assert f"{row.left} {row.match}".strip() in text or row.left == ""


def test_terminal_concordance_lines_up_the_matches_and_fits_the_width():
    import io

    from rich.console import Console

    from peercorpus.render.concordance import print_concordance

    rows = [
        {"doc": "a.txt", "start": 7, "left": ("a long left context " * 5).strip(), "match": "peer", "right": "works \x1b[31mhere", "meta": {"genre": "blog"}},
        {"doc": "b.txt", "start": 0, "left": "", "match": "Peer", "right": "support " * 20, "meta": {}},
    ]
    piped = Console(file=io.StringIO(), width=80, force_terminal=False)
    print_concordance(rows, ["genre"], console=piped)
    header, first, second = piped.file.getvalue().splitlines()
    assert header.split() == ["doc", "genre", "left", "match", "right"]
    assert max(map(len, (header, first, second))) <= 80 and "\x1b" not in piped.file.getvalue()
    assert first.index("peer") == second.index("Peer") == header.index("match")
    assert "blog   …" in first and "left context  peer   works [31mhere" in first and second.endswith("…")
    terminal = Console(file=io.StringIO(), width=80, force_terminal=True, color_system="standard")
    print_concordance(rows, console=terminal)
    assert "\x1b[1;31mpeer" in terminal.file.getvalue()


def test_html_escapes_corpus_text_and_piped_table_has_no_colour(run, tmp_path):
    (tmp_path / "a.txt").write_text("A <script>alert(1)</script> peer & friend.", encoding="utf-8")
    page = run("kwic", str(tmp_path), "peer", "-f", "html").stdout
    assert "</script>" not in page and "&lt;/script&gt;" in page and "<mark>peer</mark>" in page
    table = run("kwic", str(tmp_path), "peer").stdout
    assert "peer" in table and "\x1b[" not in table

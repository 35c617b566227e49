"""Dictionary coding: counts against the raw text, per 1,000 words and co-occurrence worked by hand,
overlap rules, extracts, document filters, and zero hits."""

from pathlib import Path

import numpy as np
import pytest

from conftest import raw_count
from peercorpus import load_corpus
from peercorpus.analysis.codebook import load_codebook, parse_codebook
from peercorpus.analysis.coding import code_corpus, distinct_spans, group_counts
from peercorpus.errors import UsageError

SAMPLE_CODEBOOK = Path(__file__).parents[2] / "configs" / "peer-support-codebook.yaml"


def _corpus(folder: Path, texts: dict[str, str]):
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    return load_corpus([folder], use_cache=False)


@pytest.fixture
def three_themes(tmp_path):
    """Two documents: a.txt has sentences {hope, pay}, {hope} | {pay, boundaries} (two
    paragraphs), b.txt one sentence {boundaries, hope}."""
    corpus = _corpus(tmp_path / "hand", {"a.txt": "Hope and pay. Hope alone.\n\nPay and boundaries.\n", "b.txt": "Boundaries and hope.\n"})
    book = parse_codebook({"hope": ["hope"], "pay": ["pay"], "boundaries": ["boundaries"]})
    return corpus, book


def test_document_counts_equal_an_independent_count_over_the_raw_text(mini_corpus):
    corpus = load_corpus([mini_corpus], use_cache=False)
    themes = {"experience": ["lived experience"], "workers": ["peer workers", "peer worker", "peer support workers"], "recovery": ["recovery", "recovered", "recovering"], "nhs": ["NHS"]}
    coding = code_corpus(corpus, parse_codebook(themes))
    counts = coding.document_counts.set_index(["doc", "theme"])["count"]
    for doc in range(len(corpus)):
        text = corpus.text(doc)
        for theme, terms in themes.items():
            assert counts[(corpus.documents[doc].doc_id, theme)] == sum(raw_count(text, term) for term in terms), (doc, theme)
    assert coding.themes.set_index("theme")["hits"].to_dict() == {t: int(counts.xs(t, level="theme").sum()) for t in themes}


def test_the_sample_codebook_finds_every_theme_in_the_sample_corpus(sample_corpus):
    corpus = load_corpus([sample_corpus], use_cache=False)
    coding = code_corpus(corpus, load_codebook(SAMPLE_CODEBOOK))
    assert (coding.themes["hits"] > 0).all(), coding.themes[["theme", "hits"]]
    extracts = coding.extracts
    assert len(extracts) == coding.themes["hits"].sum()
    for row in extracts.head(40).itertuples():
        doc = corpus.doc_ids.index(row.doc)
        written = corpus.text(doc)[row.char_start : row.char_end]
        assert " ".join(written.split()) == row.match and row.match in row.sentence


def test_per_1000_words_worked_by_hand(tmp_path):
    # a.txt: 7 words (punctuation is not counted), 3 hits; b.txt: 5 words, 1 hit.
    corpus = _corpus(tmp_path / "c", {"a.txt": "Hope is here. Hope again, and hope!\n", "b.txt": "No more hope, I said.\n"})
    coding = code_corpus(corpus, parse_codebook({"hope": ["hope"]}))
    rows = coding.document_counts.set_index("doc")
    assert rows.loc["a.txt", ["count", "words", "per_1000"]].tolist() == [3, 7, round(3 / 7 * 1000, 3)]
    assert rows.loc["b.txt", ["count", "words", "per_1000"]].tolist() == [1, 5, 200.0]
    theme = coding.themes.iloc[0]
    assert theme["hits"] == 4 and theme["per_1000"] == round(4 / 12 * 1000, 3)
    assert theme["documents"] == 2 and theme["share_documents"] == 1.0 and theme["sentences"] == 3


def test_shares_and_cooccurrence_worked_by_hand(three_themes):
    corpus, book = three_themes
    coding = code_corpus(corpus, book)
    themes = coding.themes.set_index("theme")
    # 4 sentences, 3 paragraphs, 2 documents.
    assert themes.loc["hope", ["hits", "documents", "share_documents", "paragraphs", "share_paragraphs", "sentences", "share_sentences"]].tolist() == [3, 2, 1.0, 2, 0.6667, 3, 0.75]
    assert themes.loc["pay", ["hits", "documents", "share_documents", "paragraphs", "sentences"]].tolist() == [2, 1, 0.5, 2, 2]
    sentences = {(r.theme_a, r.theme_b): (r.units, r.jaccard) for r in coding.cooccurrence.itertuples()}
    # hope {a1, a2, b1}, pay {a1, a3}, boundaries {a3, b1}
    assert sentences == {("hope", "pay"): (1, 0.25), ("hope", "boundaries"): (1, 0.25), ("pay", "boundaries"): (1, 0.3333)}
    assert set(coding.cooccurrence["unit"]) == {"sentence"}
    paragraphs = code_corpus(corpus, book, cooccurrence="paragraph").cooccurrence
    # hope {a-p1, b-p1}, pay {a-p1, a-p2}, boundaries {a-p2, b-p1}
    assert paragraphs[["units", "jaccard"]].values.tolist() == [[1, 0.3333]] * 3


def test_group_counts_sum_the_documents_of_each_group(mini_corpus):
    corpus = load_corpus([mini_corpus], use_cache=False)
    coding = code_corpus(corpus, parse_codebook({"recovery": ["recover*"], "nhs": ["NHS"]}))
    counts = coding.document_counts
    by_genre = group_counts(corpus, counts, "genre")
    assert by_genre.columns.tolist() == ["genre", "theme", "group_documents", "documents", "share_documents", "hits", "words", "per_1000"]
    assert by_genre["genre"].tolist() == ["article"] * 2 + ["blog"] * 2 + ["report"] * 2
    assert by_genre["theme"].tolist() == ["recovery", "nhs"] * 3
    blogs = counts[counts["doc"].isin(["blog-one.txt", "blog-two.txt"])]
    for row in by_genre[by_genre["genre"] == "blog"].itertuples():
        mine = blogs[blogs["theme"] == row.theme]
        assert (row.group_documents, row.documents, row.hits, row.words) == (2, int((mine["count"] > 0).sum()), mine["count"].sum(), mine["words"].sum())
        assert row.share_documents == round(row.documents / 2, 4) and row.per_1000 == round(row.hits / row.words * 1000, 3)
    # report.txt has no year: its own group, named so
    assert "(missing)" in set(group_counts(corpus, counts, "year")["year"])
    with pytest.raises(UsageError, match="fields present: genre, year"):
        group_counts(corpus, counts, "genr")


def test_document_terms_are_counted_most_first_then_in_codebook_order(three_themes):
    corpus, _ = three_themes
    coding = code_corpus(corpus, parse_codebook({"mix": ["boundaries", "pay", "hope"]}))
    assert coding.document_counts.set_index("doc").loc["a.txt", "terms"] == "pay:2; hope:2; boundaries:1"
    assert coding.document_counts.set_index("doc").loc["b.txt", "terms"] == "boundaries:1; hope:1"


def test_overlapping_hits_of_one_theme_count_once_and_the_longest_wins(tmp_path):
    corpus = _corpus(tmp_path / "o", {"a.txt": "A peer support worker met a peer. Support workers too.\n"})
    book = parse_codebook({"peer": ["peer", "peer support", "support worker*"], "support": ["support worker*"]})
    coding = code_corpus(corpus, book)
    extracts = coding.extracts
    peer = extracts[extracts["theme"] == "peer"]
    assert peer[["term", "match"]].values.tolist() == [["peer support", "peer support"], ["peer", "peer"], ["support worker*", "Support workers"]]
    # The same words count for a second theme that lists them.
    assert extracts[extracts["theme"] == "support"]["match"].tolist() == ["support worker", "Support workers"]


def test_distinct_spans_keeps_leftmost_longest_then_first_listed():
    starts, ends, rank = np.array([4, 4, 5, 9, 0, 0]), np.array([5, 6, 7, 10, 2, 2]), np.array([0, 1, 2, 0, 3, 1])
    assert distinct_spans(starts, ends, rank).tolist() == [5, 1, 3]
    # A dropped span does not block a later one: [0,3) kept, [1,5) dropped, [4,5) kept.
    assert distinct_spans(np.array([0, 1, 4]), np.array([3, 5, 5]), np.zeros(3, dtype=int)).tolist() == [0, 2]


def test_a_parent_theme_counts_the_distinct_spans_of_its_children(tmp_path):
    corpus = _corpus(tmp_path / "p", {"a.txt": "Band 3 pay. The salary and pay.\n"})
    book = parse_codebook({"pay": {"salary": ["salary", "pay"], "bands": ["band ?", "band 3 pay"]}})
    hits = code_corpus(corpus, book).themes.set_index("theme")["hits"].to_dict()
    # "Band 3 pay" (bands) covers the first "pay" (salary): the parent counts it once.
    assert hits == {"pay": 3, "pay.salary": 3, "pay.bands": 1}
    pairs = code_corpus(corpus, book).cooccurrence
    assert pairs[["theme_a", "theme_b"]].values.tolist() == [["pay.salary", "pay.bands"]]


def test_extracts_order_columns_and_round_robin_limit(three_themes):
    corpus, book = three_themes
    extracts = code_corpus(corpus, book).extracts
    assert list(extracts.columns) == ["theme", "doc", "term", "match", "sentence", "paragraph", "char_start", "char_end"]
    assert extracts[["theme", "doc", "match", "paragraph"]].values.tolist() == [
        ["hope", "a.txt", "Hope", 1], ["hope", "a.txt", "Hope", 1], ["hope", "b.txt", "hope", 1],
        ["pay", "a.txt", "pay", 1], ["pay", "a.txt", "Pay", 2],
        ["boundaries", "a.txt", "boundaries", 2], ["boundaries", "b.txt", "Boundaries", 1],
    ]
    assert extracts.loc[1, "sentence"] == "Hope alone." and extracts.loc[1, "char_start"] == 14
    limited = code_corpus(corpus, book, extracts=2).extracts
    # Each document's first hit before any document's second.
    assert limited[limited["theme"] == "hope"]["doc"].tolist() == ["a.txt", "b.txt"]
    assert len(limited) == 6 and code_corpus(corpus, book, extracts=0).extracts.empty


def test_a_phrase_across_a_line_break_is_shown_with_one_space(mini_corpus):
    corpus = load_corpus([mini_corpus], use_cache=False)
    extracts = code_corpus(corpus, parse_codebook({"x": ["lived experience"]})).extracts
    blog_two = extracts[extracts["doc"] == "blog-two.txt"]
    assert blog_two["match"].tolist() == ["lived experience"] and "\n" not in blog_two["sentence"].iloc[0]


def test_docs_filter_counts_only_those_documents(mini_corpus):
    corpus = load_corpus([mini_corpus], use_cache=False)
    blogs = corpus.where_indices(["genre=blog"])
    coding = code_corpus(corpus, parse_codebook({"recovery": ["recover*"]}), docs=blogs)
    assert coding.document_counts["doc"].tolist() == ["blog-one.txt", "blog-two.txt"]
    assert coding.themes.loc[0, "hits"] == 3 and set(coding.extracts["doc"]) == {"blog-one.txt", "blog-two.txt"}
    sub = code_corpus(corpus.where(["genre=blog"]), parse_codebook({"recovery": ["recover*"]}))
    assert sub.themes.drop(columns="description").equals(coding.themes.drop(columns="description"))
    # shares of the blogs' own sentences and paragraphs, counted here from the documents' units
    sentence_doc, paragraph_doc = np.asarray(corpus.tokens.sentence_doc), np.asarray(corpus.tokens.paragraph_doc)
    row = coding.themes.loc[0]
    assert row["share_sentences"] == round(row["sentences"] / np.isin(sentence_doc, blogs).sum(), 4)
    assert row["share_paragraphs"] == round(row["paragraphs"] / np.isin(paragraph_doc, blogs).sum(), 4)


def test_zero_hits_is_an_empty_result_not_an_error(three_themes):
    corpus, _ = three_themes
    coding = code_corpus(corpus, parse_codebook({"none": ["zebra"], "hope": ["hope"]}))
    assert coding.themes.set_index("theme").loc["none", ["hits", "documents", "share_documents", "per_1000"]].tolist() == [0, 0, 0.0, 0.0]
    assert len(coding.document_counts) == 4 and coding.cooccurrence["units"].tolist() == [0]
    only_zero = code_corpus(corpus, parse_codebook({"none": ["zebra"]}))
    assert only_zero.extracts.empty and list(only_zero.extracts.columns)[:3] == ["theme", "doc", "term"]
    assert only_zero.cooccurrence.empty and list(only_zero.cooccurrence.columns) == ["theme_a", "theme_b", "unit", "units", "jaccard"]


def test_matching_options_and_bad_parameters(three_themes):
    corpus, _ = three_themes
    sensitive = code_corpus(corpus, parse_codebook({"hope": ["Hope"]}), case_sensitive=True)
    assert sensitive.themes.loc[0, "hits"] == 2
    with pytest.raises(UsageError, match="cooccurrence must be one of sentence, paragraph"):
        code_corpus(corpus, parse_codebook({"hope": ["hope"]}), cooccurrence="document")
    with pytest.raises(UsageError, match="extracts must be an integer"):
        code_corpus(corpus, parse_codebook({"hope": ["hope"]}), extracts=-1)
    with pytest.raises(UsageError, match="match must be one of"):
        code_corpus(corpus, parse_codebook({"hope": ["hope"]}), match="fuzzy")


def test_stem_matching_reaches_the_derived_forms(mini_corpus):
    corpus = load_corpus([mini_corpus], use_cache=False)
    coding = code_corpus(corpus, parse_codebook({"recovery": ["recover"]}), match="stem")
    expected = sum(raw_count(corpus.text(d), word) for d in range(len(corpus)) for word in ("recovery", "recovering", "recovered"))
    assert coding.themes.loc[0, "hits"] == expected == 4

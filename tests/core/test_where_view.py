"""``Corpus.where`` is a view: every analysis gives on it what it gives on the same documents
copied into a corpus of their own, and the analyses that read the cached arrays in place
(counting, kwic, dispersion, coding, stats, info, dtm) copy no token."""

import numpy as np
import pandas as pd
import pytest

import peercorpus as pc
from peercorpus.analysis.frequency import document_term_columns
from peercorpus.analysis.info import corpus_totals
from peercorpus.analysis.kwic import find_hits, kwic_summary
from peercorpus.core.chunks import run
from peercorpus.core.corpus import Corpus
from peercorpus.ingest.load import load_corpus

WHERE = ["genre!=news"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    from tests.conftest import SAMPLE

    return load_corpus(SAMPLE, cache_dir=tmp_path_factory.mktemp("cache"))


def copied(view: Corpus) -> Corpus:
    """The view's documents in a corpus of their own (tokens copied: what ``where`` gave before)."""
    own = Corpus(view.documents, view.base.tokens.select_docs(view.selection), view.text, source=view.source)
    own.tokenize = view.tokenize
    return own


def analyses(corpus: Corpus) -> dict[str, object]:
    """Every analysis' tables on ``corpus`` (through the front door, as users call them)."""
    terms, counts, doc_freq, nnz, (rows, chunks) = document_term_columns(corpus, corpus.tokenize)
    return {
        "freq": pc.frequency(corpus),
        "bigrams": pc.frequency(corpus, ngram=2),
        "by": pc.frequency(corpus, by="voice"),
        "keyness": pc.keyness(corpus, target=["genre=blog"]),
        "collocates": pc.collocates(corpus, "peer"),
        "collocations": pc.collocations(corpus, min_count=2),
        "kwic": pc.kwic(corpus, ["peer support", "recover*"], sort=["R1"]),
        "summary": kwic_summary(corpus, find_hits(corpus, ["peer"]), ["peer"]),
        "dispersion": pc.dispersion(corpus, ["peer", "recovery"]),
        "stats": pc.stats(corpus),
        "code": pc.code(corpus, {"hope": ["hope*"], "work": ["work*", "job"]}).document_counts,
        "extracts": pc.code(corpus, {"hope": ["hope*"]}).extracts,
        "totals": pd.DataFrame([corpus_totals(corpus)]),
        "dtm": pd.DataFrame({"term": terms, "count": counts, "df": doc_freq}),
        "dtm_rows": pd.DataFrame({"lines": "".join(run(rows, corpus, chunks)).splitlines()}),
    }


def test_every_analysis_of_a_view_equals_the_same_documents_copied(corpus):
    view = corpus.where(WHERE)
    assert view.base is corpus and view.selection.tolist() == [1, 2, 3, 4]
    on_view, on_copy = analyses(view), analyses(copied(corpus.where(WHERE)))
    for name in on_view:
        pd.testing.assert_frame_equal(on_view[name].reset_index(drop=True), on_copy[name].reset_index(drop=True), obj=name)
    assert view._tokens is None  # nothing above copied the view's tokens


def test_a_view_of_a_view_selects_from_the_corpus_it_came_from(corpus):
    view = corpus.where(WHERE).where(["year>=2020"])
    direct = corpus.where([*WHERE, "year>=2020"])
    assert view.base is corpus
    assert view.selection.tolist() == direct.selection.tolist()
    assert view.doc_ids == direct.doc_ids
    pd.testing.assert_frame_equal(pc.frequency(view), pc.frequency(direct))


def test_reading_a_views_tokens_copies_its_documents_once(corpus):
    view = corpus.where(["genre=blog"])
    assert view.n_tokens == int(np.diff(corpus.tokens.doc_starts)[view.selection].sum())
    tokens = view.tokens
    assert view.tokens is tokens and tokens.n_docs == 1
    assert view.text(0) == corpus.text(int(view.selection[0]))


def test_a_subset_out_of_corpus_order_is_a_copy_not_a_view(corpus):
    shuffled = corpus.subset([3, 0])
    assert shuffled.base is None and shuffled.within() == (shuffled, None)
    assert shuffled.doc_ids == [corpus.doc_id(3), corpus.doc_id(0)]
    stats = pc.stats(shuffled)
    assert stats["doc"].tolist() == shuffled.doc_ids

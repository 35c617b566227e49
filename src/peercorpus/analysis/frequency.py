"""Word and n-gram frequency lists, overall or per metadata group, with dispersion.

    table = frequency(corpus, settings)                    # term, count, per_million, range, dp
    frequency(corpus, settings, ngram=2, top=20)           # bigram "clusters"
    frequency_by(corpus, settings, "genre", top=20)        # one list per genre, side by side

Counts come from the cached tokens through ``Tokens.features`` (the config's lower-casing,
stop words, stemming, lemmas); nothing is re-tokenised. ``dp`` is Gries' DP over documents
(0 = spread as document sizes predict, near 1 = in one document).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config import TokenizeSettings
from ..core.chunks import ChunkTokens, document_chunks, read_rows, run
from ..core.corpus import Corpus
from ..core.dtm import DocumentTermMatrix, document_term_matrix
from ..core.units import make_units
from ..validate import check_int
from .params import Params
from .partials import DispersionWeights, MatrixMarketRows, TermCounts, decode_keys


def document_counts(corpus: Corpus, settings: TokenizeSettings, *, ngram: int = 1) -> tuple[DocumentTermMatrix, np.ndarray]:
    """Document × term counts of the corpus' features, and each document's size in features."""
    check_int("ngram", ngram, minimum=1, maximum=5)
    features = corpus.tokens.features(settings, default_stopwords="none")
    units = make_units(corpus.tokens, "document")
    unit_of_token = units.unit_of_token(len(features.ids))
    dtm = document_term_matrix(features, unit_of_token, len(units), ngram=(ngram, ngram), sentence=corpus.tokens.sentence if ngram > 1 else None)
    sizes = np.bincount(unit_of_token[features.ids >= 0], minlength=len(units))
    return dtm, sizes


def document_words(corpus: Corpus) -> np.ndarray:
    """Words per document (tokens with a letter or digit, ``Document.n_words``): the size
    that per-million rates and DP use in every command, whatever the stop words.

    >>> document_words(corpus).sum() == corpus_totals(corpus)["tokens"]
    True
    """
    if getattr(corpus, "_documents", None) is not None:  # documents decoded already (a cold load)
        return np.array([document.n_words for document in corpus.documents], dtype=np.int64)
    return document_sizes(corpus)[0]


def document_sizes(corpus: Corpus) -> tuple[np.ndarray, np.ndarray]:
    """Per document, its words (tokens with a letter or digit: ``Document.n_words``) and
    its sentences (``Document.n_sentences``), from the tokens a chunk at a time instead of
    decoding every document's record (a few KB each: gigabytes at a million documents).
    Kept on the corpus for the next analysis that asks."""
    base, docs = corpus.within()
    if docs is not None:  # a where view: its documents' sizes, counted over its base once
        n_words, sentences = document_sizes(base)
        return n_words[docs], sentences[docs]
    cached = getattr(corpus, "_document_sizes", None)
    if cached is not None:
        return cached
    tokens = corpus.tokens
    is_word = np.asarray(tokens.is_word)
    words = []
    for chunk in document_chunks(corpus):
        part = ChunkTokens(tokens, chunk)
        words.append(np.bincount(part.doc_local[is_word[part.ids]], minlength=len(part.docs)))
    n_words = np.concatenate(words).astype(np.int64) if words else np.zeros(0, dtype=np.int64)
    corpus._document_sizes = (n_words, units_per_document(tokens.sentence_doc, len(corpus)))
    return corpus._document_sizes


#: Units' documents read at a time by ``units_per_document``.
UNIT_STEP = 1 << 22


def units_per_document(unit_doc, n_docs: int) -> np.ndarray:
    """How many units (sentences or paragraphs; ``unit_doc`` is each unit's document) each of
    ``n_docs`` documents has, read ``UNIT_STEP`` units at a time (their mapped pages released as
    read) rather than whole.

    >>> units_per_document(np.array([0, 0, 2, 2, 2]), 3).tolist()
    [2, 0, 3]
    """
    counts = np.zeros(n_docs, dtype=np.int64)
    for start in range(0, len(unit_doc), UNIT_STEP):
        counts += np.bincount(read_rows(unit_doc, start, min(start + UNIT_STEP, len(unit_doc))), minlength=n_docs)
    return counts


def gries_dp(matrix, sizes: np.ndarray) -> np.ndarray:
    """Gries' DP of every column of a document × term count matrix (sparse), vectorised.

    ``DP = ½ Σ_i |f_i / F − s_i / S|``; documents without the term contribute ``s_i / S``.
    """
    expected = sizes / max(sizes.sum(), 1)
    coo = matrix.tocoo()
    totals = np.asarray(matrix.sum(axis=0)).ravel().astype(np.float64)
    observed = coo.data / totals[coo.col]
    share = expected[coo.row]
    correction = np.bincount(coo.col, weights=np.abs(observed - share) - share, minlength=matrix.shape[1])
    return 0.5 * (1 + correction)


def frequency(corpus: Corpus, settings: TokenizeSettings, *, ngram: int = 1, min_count: int = 1, top: int | None = None):
    """The frequency list: ``term``, ``count``, ``per_million``, ``range`` (documents using
    it), ``range_share`` and ``dp``, most frequent first (ties alphabetical).

    For words, ``per_million`` and ``dp`` are relative to all words of the corpus and of each
    document (``document_words``), before stop words are removed, as in ``dispersion``,
    ``kwic --summary`` and AntConc; for n-grams, to the n-grams counted.

    Counted a chunk of documents at a time (``core/chunks.py``): memory stays within the
    memory setting whatever the corpus' size, and the table is the same for any chunking."""
    return _frequency_table(corpus, settings, ngram=ngram, min_count=min_count, top=top)


def _frequency_table(corpus: Corpus, settings: TokenizeSettings, *, ngram: int, min_count: int, top: int | None, docs=None, mapping=None):
    """``frequency`` of the documents ``docs`` (all when ``None``), as if they were the corpus."""
    import pandas as pd

    corpus, docs = corpus.within(docs)
    check_int("min_count", min_count, minimum=1)
    check_int("ngram", ngram, minimum=1, maximum=5)
    if top is not None:
        check_int("top", top, minimum=1)
    tokens = corpus.tokens
    if mapping is None:
        mapping = tokens.feature_map(settings, default_stopwords="none")
    chunks = document_chunks(corpus, docs=docs)
    totals = run(TermCounts(mapping, ngram), corpus, chunks)
    sizes = totals.n_words if ngram == 1 else totals.sizes
    counts = totals.counts
    total = int(sizes.sum()) if ngram == 1 else int(counts.sum())
    keep = np.flatnonzero(counts >= min_count)
    if ngram == 1:
        rank = _string_rank(mapping.vocab)
        order = keep[np.lexsort((rank[keep], -counts[keep]))]
        if top is not None:
            order = order[:top]
        terms = [mapping.vocab[i] for i in order]
    else:
        if top is not None and len(keep) > top:  # spell only the n-grams that can make the list
            threshold = np.partition(counts[keep], len(keep) - top)[len(keep) - top]
            keep = keep[counts[keep] >= threshold]
        spellings = [" ".join(mapping.vocab[i] for i in row) for row in decode_keys(totals.keys[keep], ngram, len(mapping.vocab)).tolist()]
        rank = _string_rank(spellings)
        by_rank = np.lexsort((rank, -counts[keep]))
        if top is not None:
            by_rank = by_rank[:top]
        order = keep[by_rank]
        terms = [spellings[i] for i in by_rank]
    n_docs = len(totals.docs)
    if len(order):
        expected = np.zeros(len(tokens.doc_starts) - 1, dtype=np.float64)
        expected[totals.docs] = sizes / max(sizes.sum(), 1)
        if ngram == 1:
            selected, columns = order, np.arange(len(order))
        else:
            columns = np.argsort(totals.keys[order], kind="stable")
            selected = totals.keys[order][columns]
        dp = run(DispersionWeights(mapping, ngram, selected, columns, counts[order], expected), corpus, chunks)
    else:
        dp = np.zeros(0)
    doc_freq = totals.doc_freq
    table = pd.DataFrame(
        {
            "term": terms,
            "count": counts[order].astype(np.int64),
            "per_million": np.round(counts[order] / max(total, 1) * 1e6, 2),
            "range": doc_freq[order],
            "range_share": np.round(doc_freq[order] / max(n_docs, 1), 4),
            "dp": np.round(dp, 4),
        }
    )
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    return table


def document_term_columns(corpus: Corpus, settings: TokenizeSettings, *, ngram: int = 1, min_count: int = 1):
    """What ``peercorpus dtm`` writes, counted a chunk of documents at a time: the terms seen
    at least ``min_count`` times in alphabetical order (the matrix' columns) with their counts
    and document frequencies, the number of non-zero cells, and the pass that gives the
    Matrix Market lines of each chunk (``partials.MatrixMarketRows``; run it with
    ``core.chunks.run``)."""
    check_int("ngram", ngram, minimum=1, maximum=5)
    check_int("min_count", min_count, minimum=1)
    corpus, docs = corpus.within()
    mapping = corpus.tokens.feature_map(settings, default_stopwords="none")
    chunks = document_chunks(corpus, docs=docs)
    totals = run(TermCounts(mapping, ngram), corpus, chunks)
    keep = np.flatnonzero(totals.counts >= min_count)
    if ngram == 1:
        terms = [mapping.vocab[i] for i in keep]
    else:
        terms = [" ".join(mapping.vocab[i] for i in row) for row in decode_keys(totals.keys[keep], ngram, len(mapping.vocab)).tolist()]
    order = np.argsort(np.array(terms, dtype=object), kind="stable") if terms else np.zeros(0, dtype=np.int64)
    keep, terms = keep[order], [terms[i] for i in order]
    column_of_kept = np.arange(len(keep))
    row_of_doc = None
    if docs is not None:  # a where view: its documents are the rows, in order
        row_of_doc = np.zeros(len(corpus), dtype=np.int64)
        row_of_doc[docs] = np.arange(1, len(docs) + 1)
    if ngram == 1:
        rows = MatrixMarketRows(mapping, ngram, keep, column_of_kept, row_of_doc)
    else:
        by_key = np.argsort(totals.keys[keep], kind="stable")
        rows = MatrixMarketRows(mapping, ngram, totals.keys[keep][by_key], column_of_kept[by_key], row_of_doc)
    counts, doc_freq = totals.counts[keep], totals.doc_freq[keep]
    return terms, counts, doc_freq, int(doc_freq.sum()), (rows, chunks)


def _string_rank(words: list[str]) -> np.ndarray:
    """Each word's place in alphabetical order (as ``np.argsort`` of the strings, stable)."""
    order = np.argsort(np.array(words, dtype=object), kind="stable") if words else np.zeros(0, dtype=np.int64)
    rank = np.empty(len(words), dtype=np.int64)
    rank[order] = np.arange(len(words))
    return rank


def frequency_by(corpus: Corpus, settings: TokenizeSettings, field_name: str, *, ngram: int = 1, min_count: int = 1, top: int = 20):
    """One frequency list per value of ``field_name``, side by side (rank, then per group
    ``<group> term``, ``<group> count``, ``<group> per_million``)."""
    import pandas as pd

    corpus.require_field(field_name)
    values = [corpus.doc_metadata(i).get(field_name) for i in range(len(corpus))]
    groups = sorted({"(missing)" if v is None else str(v) for v in values})
    columns = {"rank": np.arange(1, top + 1)}
    mapping = corpus.within()[0].tokens.feature_map(settings, default_stopwords="none")
    for group in groups:
        docs = [i for i, v in enumerate(values) if ("(missing)" if v is None else str(v)) == group]
        table = _frequency_table(corpus, settings, ngram=ngram, min_count=min_count, top=top, docs=docs, mapping=mapping)
        pad = top - len(table)
        columns[f"{group} term"] = list(table["term"]) + [None] * pad
        columns[f"{group} count"] = list(table["count"]) + [None] * pad
        columns[f"{group} per_million"] = list(table["per_million"]) + [None] * pad
    return pd.DataFrame(columns)


def frequency_long(corpus: Corpus, settings: TokenizeSettings, field_name: str, *, ngram: int = 1, min_count: int = 1, top: int | None = None):
    """One frequency list per value of ``field_name`` in long (tidy) form: one row per group
    and term — ``group``, ``rank``, ``term``, ``count``, ``per_million``, ``range``,
    ``range_share``, ``dp`` — each group's measures relative to that group's documents (as
    ``frequency`` of the group alone); groups sorted, documents without the field in
    ``(missing)``; ``top`` terms per group (all when ``None``).

    >>> frequency_long(corpus, settings, "genre", top=2).columns.tolist()
    ['group', 'rank', 'term', 'count', 'per_million', 'range', 'range_share', 'dp']
    """
    import pandas as pd

    corpus.require_field(field_name)
    values = [corpus.doc_metadata(i).get(field_name) for i in range(len(corpus))]
    values = ["(missing)" if value is None else str(value) for value in values]
    tables = []
    mapping = corpus.within()[0].tokens.feature_map(settings, default_stopwords="none")
    for group in sorted(set(values)):
        docs = [i for i, v in enumerate(values) if v == group]
        table = _frequency_table(corpus, settings, ngram=ngram, min_count=min_count, top=top, docs=docs, mapping=mapping)
        table.insert(0, "group", group)
        tables.append(table)
    columns = ["group", "rank", "term", "count", "per_million", "range", "range_share", "dp"]
    return pd.concat(tables, ignore_index=True)[columns] if tables else pd.DataFrame(columns=columns)



@dataclass(frozen=True)
class FreqParams(Params):
    """``freq``: a word or n-gram frequency list (``by`` a field: one list per group)."""

    ngram: int = 1
    top: int | None = None  # every row; a report shows TOP_SHOWN['report'] when not given
    min_count: int = 1
    by: str | None = None
    where: tuple[str, ...] = ()

    def check(self) -> None:
        check_int("ngram", self.ngram, minimum=1, maximum=5)
        if self.top is not None:
            check_int("top", self.top, minimum=1)
        check_int("min_count", self.min_count, minimum=1)

    def fields_used(self) -> dict[str, str]:
        return {"by": self.by} if self.by else {}

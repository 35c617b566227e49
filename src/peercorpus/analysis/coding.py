"""Dictionary coding: where a codebook's themes occur, how often, together, and in which words.

    coding = code_corpus(corpus, load_codebook(Path("configs/peer-support-codebook.yaml")))
    coding.themes              # theme, terms, hits, per_1000, documents, share_documents, ...
    coding.document_counts     # doc, theme, count, words, per_1000, terms ("recovery:3; hope*:2")
    coding.cooccurrence        # theme_a, theme_b, unit, units, jaccard
    coding.extracts            # theme, doc, term, match, sentence, paragraph, char_start, char_end
    group_counts(corpus, coding.document_counts, "genre")   # genre, theme, documents, share_documents, ...

Every term is a kwic query found through the inverted index (``query.find_matches``); no
text is scanned, and only the sentences of the extracts are cut out of the documents.

Counting rules:

- A hit of a term listed under two themes counts for both.
- Within one theme, overlapping hits count once: the leftmost hit first, at the same start
  the longest ("peer support" over "peer"), then the term listed first; a hit that overlaps
  one already counted is dropped. A parent theme (``pay`` of ``pay.bands``) holds its
  children's terms, so a span matched by two of its children counts once for it.
- ``per_1000`` is per 1,000 words: tokens with a letter or digit (punctuation left out),
  the token count ``info`` and ``freq`` report (``Document.n_words``).
- A theme touches a sentence or paragraph when one of its hits starts there.
- Co-occurrence counts the units (sentences or paragraphs) holding hits of both themes;
  a theme and its own ancestors are not paired (a child always co-occurs with its parent).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..core.chunks import release_tokens
from ..core.corpus import Corpus
from ..core.distinct import distinct
from ..core.query import find_matches
from ..errors import UsageError
from ..validate import check_choice, check_int
from .codebook import Codebook
from .frequency import document_words, units_per_document
from .kwic import Hits, concordance_lines, concordance_rows
from .params import MATCHES, Params, check_qdpx, qdpx_fields

if TYPE_CHECKING:
    import pandas as pd

COOCCURRENCE_UNITS = ("sentence", "paragraph")
#: Extracts cut (and written) at a time by ``Coding.extract_rows``.
EXTRACT_BATCH = 5000
#: Documents whose ``document_counts`` rows are made (and written) at a time.
DOCUMENT_BATCH = 20000
TABLES = ("themes", "documents", "cooccurrence", "extracts")


class Coding:
    """The four tidy tables of ``code_corpus`` (see there), and the co-occurrence unit.

    ``extracts`` (one row per counted hit, each with its sentence) is made when first read;
    ``extract_rows`` gives the same rows a batch at a time and ``extract_spans`` their
    positions only (what a REFI-QDA project needs), so that neither holds every extract."""

    EXTRACT_COLUMNS = ["theme", "doc", "term", "match", "sentence", "paragraph", "char_start", "char_end"]

    def __init__(self, document_counts, themes, cooccurrence, extracts=None, unit: str = "sentence", *, source: _Extracts | None = None,
                 counts: DocumentCounts | None = None):
        self.themes, self.cooccurrence, self.unit = themes, cooccurrence, unit
        self._document_counts, self._counts = document_counts, counts
        self._extracts, self._source = extracts, source

    @property
    def document_counts(self) -> pd.DataFrame:
        if self._document_counts is None:
            self._document_counts = self._counts.table()
        return self._document_counts

    @document_counts.setter
    def document_counts(self, table) -> None:
        self._document_counts = table

    def document_count_parts(self, batch: int | None = None):
        """``document_counts`` as DataFrames of ``batch`` documents (default ``DOCUMENT_BATCH``)
        in its order, whose concatenation is the table: what a table of every document of a
        large corpus is written from without holding it."""
        if self._document_counts is not None or self._counts is None:
            yield self.document_counts
            return
        yield from self._counts.parts(batch or DOCUMENT_BATCH)

    def documents_touched(self) -> tuple[int, int]:
        """How many of the coded documents hold a hit of any theme, and how many were coded."""
        if self._document_counts is not None or self._counts is None:
            table = self.document_counts
            return int((table.groupby("doc")["count"].sum() > 0).sum()), int(table["doc"].nunique())
        return self._counts.touched(), len(self._counts.selected)

    @property
    def extracts(self) -> pd.DataFrame:
        if self._extracts is None:
            self._extracts = self._source.table()
        return self._extracts

    @extracts.setter
    def extracts(self, table) -> None:
        self._extracts = table

    def extract_rows(self, batch: int | None = None):
        """The rows of ``extracts`` (dicts), in its order, ``batch`` at a time (default
        ``EXTRACT_BATCH``); cut from the table when it is made already, and then with the cells
        pandas gives (``render.cells.json_safe`` makes them plain)."""
        batch = batch or EXTRACT_BATCH
        if self._extracts is not None or self._source is None:
            table = self.extracts
            for start in range(0, len(table), batch):
                yield table.iloc[start : start + batch].to_dict(orient="records")
            return
        yield from self._source.rows(batch)

    def extract_spans(self) -> tuple[list[str], list[int], list[int], list[int]]:
        """Each extract's theme, document (its index in ``corpus.within()[0]``), ``char_start``
        and ``char_end``, in the order of ``extracts``, without cutting any text."""
        themes, docs, starts, ends = self.extract_span_arrays()
        return [self._source.codebook.names[t] for t in themes.tolist()], docs.tolist(), starts.tolist(), ends.tolist()

    def extract_span_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``extract_spans`` as integer arrays, the theme as its number in ``codebook.names``."""
        if self._source is None:
            raise ValueError("extract_spans needs a Coding made by code_corpus")
        return self._source.spans()

    def tables(self) -> dict[str, pd.DataFrame]:
        """``{"themes": ..., "documents": ..., "cooccurrence": ..., "extracts": ...}``."""
        return {"themes": self.themes, "documents": self.document_counts, "cooccurrence": self.cooccurrence, "extracts": self.extracts}


@dataclass(frozen=True)
class _ThemeHits:
    """The hits each theme counts, flat and sorted by (theme, position): theme number,
    start and end token positions, and the query (index into ``Codebook.queries()``)."""

    theme: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    query: np.ndarray


def code_corpus(
    corpus: Corpus,
    codebook: Codebook,
    *,
    cooccurrence: str = "sentence",
    match: str = "form",
    case_sensitive: bool = False,
    extracts: int | None = None,
    docs: np.ndarray | None = None,
) -> Coding:
    """Code ``corpus`` with ``codebook``: counts, shares, co-occurrence and extracts per theme.

    Parameters
    ----------
    cooccurrence: ``"sentence"`` or ``"paragraph"``, the unit two themes co-occur in.
    match, case_sensitive: how terms match, as in ``kwic`` (``"stem"`` and ``"lemma"``
        need NLTK).
    extracts: at most this many extracts per theme, taken in turn from each document (its
        first hit, then every document's second, ...); ``None`` keeps them all.
    docs: code only these documents (indices; a ``corpus.where(...)`` view says the same).

    Returns
    -------
    Coding with

    - ``document_counts``: one row per (doc, theme), zeros included, documents in corpus
      order and themes in codebook order: ``doc``, ``theme``, ``count`` (hits), ``words``
      (the document's words), ``per_1000``, ``terms`` (``"recovery:3; hope*:2"``: the
      codebook terms that matched, most hits first, ties in codebook order);
    - ``themes``: one row per theme: ``theme``, ``terms``, ``hits``, ``per_1000`` (over the
      coded documents' words), ``documents``/``share_documents``, ``paragraphs``/
      ``share_paragraphs``, ``sentences``/``share_sentences`` (touched, and their share of
      all), ``description``;
    - ``cooccurrence``: one row per pair of themes in codebook order (zeros included):
      ``theme_a``, ``theme_b``, ``unit``, ``units`` (units holding both) and ``jaccard``
      (units with both / units with either);
    - ``extracts``: one row per counted hit, in codebook order of themes, then corpus
      order: ``theme``, ``doc``, ``term`` (the codebook term that matched), ``match`` (the
      text as written), ``sentence`` (whitespace collapsed), ``paragraph`` (1-based in the
      document), ``char_start``, ``char_end`` (offsets in the document's text).

    Example
    -------
    >>> coding = code_corpus(corpus, parse_codebook({"hope": ["hope*"]}))      # doctest: +SKIP
    >>> coding.themes.loc[0, ["theme", "hits", "share_documents"]].tolist()  # doctest: +SKIP
    ['hope', 8, 0.6]
    """
    check_choice("cooccurrence", cooccurrence, COOCCURRENCE_UNITS)
    if extracts is not None:
        check_int("extracts", extracts, minimum=0)
    corpus, docs = corpus.within(docs)  # a where view: its documents, in the arrays it shares
    tokens = corpus.tokens
    selected = np.arange(len(corpus)) if docs is None else distinct(np.asarray(docs, dtype=np.int64))
    queries = codebook.queries()
    found = [find_matches(tokens, query, match=match, case_sensitive=case_sensitive, docs=selected if docs is not None else None) for query in queries]
    hits = _theme_hits(codebook, queries, found)
    words = document_words(corpus)
    return Coding(
        document_counts=None,
        counts=DocumentCounts(corpus, codebook, queries, hits, selected, words),
        themes=_theme_table(corpus, codebook, hits, selected, words),
        cooccurrence=_cooccurrence(corpus, codebook, hits, cooccurrence),
        unit=cooccurrence,
        source=_Extracts(corpus, codebook, queries, hits, extracts),
    )


def _theme_hits(codebook: Codebook, queries: list[str], found: list) -> _ThemeHits:
    """Each theme's hits from its terms' matches, overlaps resolved (see the module docstring)."""
    query_number = {query: number for number, query in enumerate(queries)}
    parts = []
    for theme_number, terms in enumerate(codebook.themes.values()):
        numbers = [query_number[term] for term in terms]
        starts = np.concatenate([found[n].starts for n in numbers])
        ends = np.concatenate([found[n].ends for n in numbers])
        rank = np.concatenate([np.full(len(found[n]), r, dtype=np.int64) for r, n in enumerate(numbers)])
        keep = distinct_spans(starts, ends, rank)
        parts.append((np.full(len(keep), theme_number, dtype=np.int64), starts[keep], ends[keep], np.asarray(numbers, dtype=np.int64)[rank[keep]]))
    theme, starts, ends, query = (np.concatenate(column) for column in zip(*parts))
    return _ThemeHits(theme, starts, ends, query)


def distinct_spans(starts: np.ndarray, ends: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """Indices of the spans to count, in position order: leftmost first, the longest at one
    start, then the lowest ``rank``; a span overlapping one already kept is dropped.

    >>> distinct_spans(np.array([4, 4, 5, 9]), np.array([5, 6, 7, 10]), np.array([0, 1, 2, 0])).tolist()
    [1, 3]
    """
    order = np.lexsort((rank, starts - ends, starts))
    first_at_start = np.ones(len(order), dtype=bool)
    first_at_start[1:] = starts[order][1:] != starts[order][:-1]
    order = order[first_at_start]
    span_starts, span_ends = starts[order], ends[order]
    if len(order) < 2 or (span_starts[1:] >= np.maximum.accumulate(span_ends)[:-1]).all():
        return order
    kept, reach = [], -1
    for index, (start, end) in enumerate(zip(span_starts.tolist(), span_ends.tolist())):
        if start >= reach:
            kept.append(index)
            reach = end
    return order[kept]


class DocumentCounts:
    """``Coding.document_counts`` kept as the hits' counts per (document, theme, term), not as
    rows: the table (``table()``) or its parts of a few documents (``parts()``) are made when
    asked for. A row per document and theme is ~1 KB in a DataFrame; 890,000 documents and two
    themes held 1.5 GB.

    >>> DocumentCounts(corpus, codebook, queries, hits, selected, words).table().columns.tolist()  # doctest: +SKIP
    ['doc', 'theme', 'count', 'words', 'per_1000', 'terms']
    """

    COLUMNS = ["doc", "theme", "count", "words", "per_1000", "terms"]

    def __init__(self, corpus: Corpus, codebook: Codebook, queries: list[str], hits: _ThemeHits, selected: np.ndarray, words: np.ndarray):
        self.corpus, self.queries, self.selected, self.words = corpus, queries, selected, words
        self.names = list(codebook.themes)
        self.n_themes, self.n_queries = len(self.names), len(queries)
        hit_docs = corpus.tokens.doc_of_position(hits.starts)
        # sorted by document, theme, query: a run of documents is a slice
        self.keys, self.counts = np.unique((hit_docs * self.n_themes + hits.theme) * self.n_queries + hits.query, return_counts=True)
        query_number = {query: number for number, query in enumerate(queries)}
        # a term's place under its theme: ties of `terms` go in codebook order
        self.rank = np.zeros((self.n_themes, self.n_queries), dtype=np.int64)
        for theme_number, terms in enumerate(codebook.themes.values()):
            for rank, term in enumerate(terms):
                self.rank[theme_number, query_number[term]] = rank

    def touched(self) -> int:
        """Documents with a hit of any theme."""
        return len(distinct(self.keys // (self.n_themes * self.n_queries)))

    def table(self):
        import pandas as pd

        parts = list(self.parts(DOCUMENT_BATCH))
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame([], columns=self.COLUMNS)

    def parts(self, batch: int):
        for first in range(0, len(self.selected), batch):
            yield self._frame(self.selected[first : first + batch])

    def _frame(self, docs: np.ndarray):
        """The rows of ``docs`` (ascending): each document's themes in codebook order."""
        import pandas as pd

        per_doc = self.n_themes * self.n_queries
        lo, hi = np.searchsorted(self.keys, [int(docs[0]) * per_doc, (int(docs[-1]) + 1) * per_doc])
        cell, query = np.divmod(self.keys[lo:hi], self.n_queries)
        doc, theme = np.divmod(cell, self.n_themes)
        row = np.searchsorted(docs, doc) * self.n_themes + theme  # the hits of a code_corpus lie in its documents
        counts = self.counts[lo:hi]
        total = np.bincount(row, weights=counts, minlength=len(docs) * self.n_themes).astype(np.int64)
        terms = [""] * len(total)
        if len(row):
            # one cell's terms: most hits first, ties in codebook order
            order = np.lexsort((self.rank[theme, query], -counts, row))
            cuts = np.flatnonzero(np.diff(row[order])) + 1
            for run in np.split(order, cuts):
                terms[int(row[run[0]])] = "; ".join(f"{self.queries[q]}:{c}" for q, c in zip(query[run].tolist(), counts[run].tolist()))
        words = np.repeat(self.words[docs], self.n_themes).tolist()
        totals = total.tolist()
        return pd.DataFrame(
            {
                "doc": [self.corpus.doc_id(d) for d in docs.tolist() for _ in range(self.n_themes)],
                "theme": self.names * len(docs),
                "count": totals,
                "words": words,
                "per_1000": [_per_1000(c, w) for c, w in zip(totals, words)],
                "terms": terms,
            },
            columns=self.COLUMNS,
        )


def _theme_table(corpus: Corpus, codebook: Codebook, hits: _ThemeHits, selected: np.ndarray, words: np.ndarray):
    import pandas as pd

    tokens = corpus.tokens
    total_words = int(words[selected].sum())
    n_docs = len(selected)
    n_paragraphs = _units_in(tokens.paragraph_doc, selected, len(corpus))
    n_sentences = _units_in(tokens.sentence_doc, selected, len(corpus))
    hit_docs = tokens.doc_of_position(hits.starts)
    hit_paragraphs = np.asarray(tokens.paragraph[hits.starts])
    hit_sentences = np.asarray(tokens.sentence[hits.starts])
    release_tokens(tokens, 0, len(tokens))  # the pages those look-ups read, all over the corpus
    rows = []
    for theme_number, (theme, terms) in enumerate(codebook.themes.items()):
        mine = hits.theme == theme_number
        documents = len(distinct(hit_docs[mine]))
        paragraphs = len(distinct(hit_paragraphs[mine]))
        sentences = len(distinct(hit_sentences[mine]))
        rows.append(
            {
                "theme": theme,
                "terms": "; ".join(terms),
                "hits": int(mine.sum()),
                "per_1000": _per_1000(int(mine.sum()), total_words),
                "documents": documents,
                "share_documents": _share(documents, n_docs),
                "paragraphs": paragraphs,
                "share_paragraphs": _share(paragraphs, n_paragraphs),
                "sentences": sentences,
                "share_sentences": _share(sentences, n_sentences),
                "description": codebook.descriptions.get(theme, ""),
            }
        )
    return pd.DataFrame(rows)


def _units_in(unit_doc, selected: np.ndarray, n_docs: int) -> int:
    """How many units (sentences or paragraphs, ``unit_doc`` their documents) lie in the distinct
    documents ``selected`` (``frequency.units_per_document``: not read whole).

    >>> _units_in(np.array([0, 0, 1, 2, 2, 2]), np.array([0, 2]), 3)
    5
    """
    if len(selected) == n_docs:
        return len(unit_doc)
    return int(units_per_document(unit_doc, n_docs)[selected].sum())


def _cooccurrence(corpus: Corpus, codebook: Codebook, hits: _ThemeHits, unit: str):
    import pandas as pd

    unit_of_token = corpus.tokens.sentence if unit == "sentence" else corpus.tokens.paragraph
    hit_units = np.asarray(unit_of_token[hits.starts])
    release_tokens(corpus.tokens, 0, len(corpus.tokens))
    names = codebook.names
    units = [distinct(hit_units[hits.theme == number]) for number in range(len(names))]
    rows = []
    for a, theme_a in enumerate(names):
        for b in range(a + 1, len(names)):
            theme_b = names[b]
            if theme_a in codebook.ancestors(theme_b):
                continue
            both = len(np.intersect1d(units[a], units[b], assume_unique=True))
            either = len(units[a]) + len(units[b]) - both
            rows.append({"theme_a": theme_a, "theme_b": theme_b, "unit": unit, "units": both, "jaccard": _share(both, either)})
    return pd.DataFrame(rows, columns=["theme_a", "theme_b", "unit", "units", "jaccard"])


def _extracts(corpus: Corpus, codebook: Codebook, queries: list[str], hits: _ThemeHits, limit: int | None):
    import pandas as pd

    columns = ["theme", "doc", "term", "match", "sentence", "paragraph", "char_start", "char_end"]
    tokens = corpus.tokens
    hit_docs = tokens.doc_of_position(hits.starts)
    chosen = np.arange(len(hits.starts))
    if limit is not None:
        chosen = _in_turn(hits.theme, hit_docs, limit)
    if len(chosen) == 0:
        return pd.DataFrame([], columns=columns)
    # Cut the texts in corpus order (one document's text at a time), then order by theme.
    by_position = chosen[np.lexsort((hits.theme[chosen], hits.starts[chosen]))]
    lines = concordance_lines(corpus, Hits(hits.query[by_position], hits.starts[by_position], hits.ends[by_position]), queries, window=0)
    first_paragraph = np.asarray(tokens.paragraph[np.asarray(tokens.doc_starts)[hit_docs[by_position]]])
    table = pd.DataFrame(
        {
            "theme": [codebook.names[t] for t in hits.theme[by_position].tolist()],
            "doc": lines["doc"],
            "term": lines["query"],
            "match": lines["match"],
            "sentence": lines["sentence"],
            "paragraph": np.asarray(tokens.paragraph[hits.starts[by_position]]) - first_paragraph + 1,
            "char_start": lines["char_start"],
            "char_end": lines["char_end"],
        },
        columns=columns,
    )
    order = np.lexsort((hits.starts[by_position], hits.theme[by_position]))
    return table.iloc[order].reset_index(drop=True)


class _Extracts:
    """The extracts of a coding, made when asked for: the whole table (``_extracts``, as
    before), its rows a batch at a time, or only their spans."""

    def __init__(self, corpus: Corpus, codebook: Codebook, queries: list[str], hits: _ThemeHits, limit: int | None):
        self.corpus, self.codebook, self.queries, self.hits, self.limit = corpus, codebook, queries, hits, limit

    def table(self):
        return _extracts(self.corpus, self.codebook, self.queries, self.hits, self.limit)

    def order(self) -> np.ndarray:
        """The hits the table lists, in its order: by theme, then position (one hit per
        position within a theme, so the order is total)."""
        hits = self.hits
        chosen = np.arange(len(hits.starts))
        if self.limit is not None:
            chosen = _in_turn(hits.theme, self.corpus.tokens.doc_of_position(hits.starts), self.limit)
        return chosen[np.lexsort((hits.starts[chosen], hits.theme[chosen]))]

    def rows(self, batch: int):
        tokens, hits, names = self.corpus.tokens, self.hits, self.codebook.names
        doc_starts = np.asarray(tokens.doc_starts)
        order = self.order()
        for first in range(0, len(order), batch):
            part = order[first : first + batch]
            starts = hits.starts[part]
            lines = concordance_rows(self.corpus, Hits(hits.query[part], starts, hits.ends[part]), self.queries, window=0)
            docs = tokens.doc_of_position(starts)
            paragraphs = (np.asarray(tokens.paragraph[starts]) - np.asarray(tokens.paragraph[doc_starts[docs]]) + 1).tolist()
            # the pages these lines read are not needed again (a batch is a run of one theme's hits
            # in position order, or the end of one theme's and the start of the next)
            release_tokens(tokens, int(starts.min()) - 1, int(hits.ends[part].max()) + 1)
            yield [
                {
                    "theme": names[theme], "doc": line["doc"], "term": line["query"], "match": line["match"], "sentence": line["sentence"],
                    "paragraph": paragraph, "char_start": line["char_start"], "char_end": line["char_end"],
                }
                for theme, line, paragraph in zip(hits.theme[part].tolist(), lines, paragraphs)
            ]

    def spans(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        tokens, hits = self.corpus.tokens, self.hits
        order = self.order()
        starts, ends = hits.starts[order], hits.ends[order]
        empty = np.zeros(0, dtype=np.int64)
        char_starts = np.asarray(tokens.char_starts[starts], dtype=np.int64) if len(order) else empty
        char_ends = np.asarray(tokens.char_ends[ends - 1], dtype=np.int64) if len(order) else empty
        release_tokens(tokens, 0, len(tokens))  # the pages of the offsets read
        return hits.theme[order], np.asarray(tokens.doc_of_position(starts), dtype=np.int64), char_starts, char_ends


def _in_turn(theme: np.ndarray, doc: np.ndarray, limit: int) -> np.ndarray:
    """Up to ``limit`` hits per theme: every document's first hit, then every second, ...

    ``theme`` and ``doc`` are in (theme, position) order, so a hit's rank within its
    (theme, document) group is its distance from the group's first hit.
    """
    n = len(theme)
    new_group = np.ones(n, dtype=bool)
    new_group[1:] = (theme[1:] != theme[:-1]) | (doc[1:] != doc[:-1])
    group_start = np.maximum.accumulate(np.where(new_group, np.arange(n), 0))
    rank_in_doc = np.arange(n) - group_start
    order = np.lexsort((doc, rank_in_doc, theme))
    new_theme = np.ones(n, dtype=bool)
    new_theme[1:] = theme[order][1:] != theme[order][:-1]
    theme_start = np.maximum.accumulate(np.where(new_theme, np.arange(n), 0))
    return np.sort(order[np.arange(n) - theme_start < limit])


def group_counts(corpus: Corpus, document_counts: pd.DataFrame, field_name: str) -> pd.DataFrame:
    """``document_counts`` summed per value of the metadata field ``field_name`` and theme.

    One row per (group, theme), groups sorted as text (a missing value is "(missing)"), themes
    in codebook order: ``<field_name>``, ``theme``, ``group_documents`` (documents in the
    group), ``documents`` (those with a hit of the theme), ``share_documents``, ``hits``,
    ``words`` (the group's words) and ``per_1000``, so groups of different sizes compare.

    >>> group_counts(corpus, coding.document_counts, "genre").iloc[0].tolist()   # doctest: +SKIP
    ['article', 'recovery', 2, 2, 1.0, 14, 9120, 1.535]
    """
    import pandas as pd

    corpus.require_field(field_name)
    group_of = {}
    for doc in range(len(corpus)):
        value = corpus.doc_metadata(doc).get(field_name)
        group_of[corpus.doc_id(doc)] = "(missing)" if value is None else str(value)
    frame = document_counts.assign(group=document_counts["doc"].map(group_of), touched=document_counts["count"] > 0)
    # A stable sort by group keeps each group's themes in codebook order for groupby(sort=False).
    grouped = frame.sort_values("group", kind="stable").groupby(["group", "theme"], sort=False)
    table = grouped.agg(group_documents=("doc", "size"), documents=("touched", "sum"), hits=("count", "sum"), words=("words", "sum")).reset_index()
    rows = [
        {
            field_name: row.group,
            "theme": row.theme,
            "group_documents": int(row.group_documents),
            "documents": int(row.documents),
            "share_documents": _share(int(row.documents), int(row.group_documents)),
            "hits": int(row.hits),
            "words": int(row.words),
            "per_1000": _per_1000(int(row.hits), int(row.words)),
        }
        for row in table.itertuples(index=False)
    ]
    columns = [field_name, "theme", "group_documents", "documents", "share_documents", "hits", "words", "per_1000"]
    return pd.DataFrame(rows, columns=columns)


def _per_1000(count: int, words: int) -> float:
    return round(count / words * 1000, 3) if words else 0.0


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0



Mapping = dict  # an inline codebook, read by report/spec.py


@dataclass(frozen=True)
class CodebookParams(Params):
    """``codebook``: dictionary coding of themes. ``codebook`` is a file (relative to the
    config) or ``themes`` an inline codebook in the same format; ``by`` a field adds the
    themes per group."""

    codebook: str | None = None
    themes: Mapping | None = None
    cooccurrence: str = "sentence"
    match: str = "form"
    case_sensitive: bool = False
    extracts: int | None = None
    by: str | None = None
    qdpx: str | None = None
    unit: str = "sentence"
    case: str | None = None
    where: tuple[str, ...] = ()

    def fields_used(self) -> dict[str, str]:
        return {**({"by": self.by} if self.by else {}), **qdpx_fields(self)}

    def check(self) -> None:
        check_qdpx(self.qdpx, self.unit, ("match", "sentence", "paragraph"))
        if (self.codebook is None) == (self.themes is None):
            raise UsageError("give either codebook (a file) or themes (an inline codebook)")
        check_choice("cooccurrence", self.cooccurrence, ("sentence", "paragraph"))
        check_choice("match", self.match, MATCHES)
        if self.extracts is not None:
            check_int("extracts", self.extracts, minimum=0)

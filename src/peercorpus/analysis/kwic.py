"""Keyword in context: concordance lines for queries, sorted like AntConc, from the original text.

    lines = kwic(corpus, ["lived experience", "recover*"], window=8, sort=["R1", "R2"])
    lines[["doc", "left", "match", "right"]]
    kwic_summary(corpus, lines)          # hits per document and per million tokens

Hits come from the inverted index (``query.find_matches``); sorting, sampling and limits
work on integer arrays, and only the lines kept are cut out of the documents' texts.
Contexts are shown as written (original casing and punctuation) with whitespace collapsed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from ..core.chunks import document_chunks, release_tokens
from ..core.corpus import Corpus
from ..core.prose import is_prose_block
from ..core.query import find_matches
from ..errors import UsageError
from ..validate import check_choice, check_int
from .frequency import document_words
from .params import MATCHES, Params, check_qdpx, qdpx_fields

CONTEXTS = ("document", "sentence", "paragraph")
_SORT_KEY = re.compile(r"^(?:[LR][1-9]|doc|match)$")


@dataclass(frozen=True)
class Hits:
    """All hits of several queries, as arrays: query number, start and end token positions."""

    query: np.ndarray
    starts: np.ndarray
    ends: np.ndarray

    def __len__(self) -> int:
        return len(self.starts)

    def take(self, order: np.ndarray) -> Hits:
        return Hits(self.query[order], self.starts[order], self.ends[order])


def find_hits(corpus: Corpus, queries: list[str], *, match: str = "form", case_sensitive: bool = False, regex: bool = False, docs=None, token_range: tuple[int, int] | None = None) -> Hits:
    """Hits of every query in corpus order (document, position, then query); only those
    starting in ``token_range`` (whole documents) when given.

    Positions are those of ``corpus.within()[0]``: of a ``where`` view, its base corpus'
    (every function here that takes hits reads them there)."""
    if not queries:
        raise UsageError("give at least one query")
    corpus, docs = corpus.within(docs)
    found = [find_matches(corpus.tokens, q, match=match, case_sensitive=case_sensitive, regex=regex, docs=docs, token_range=token_range) for q in queries]
    query = np.concatenate([np.full(len(m), i, dtype=np.int64) for i, m in enumerate(found)])
    starts = np.concatenate([m.starts for m in found])
    ends = np.concatenate([m.ends for m in found])
    order = np.lexsort((query, starts))
    return Hits(query[order], starts[order], ends[order])


def hits_by_chunk(corpus: Corpus, queries: list[str], *, docs=None, **match_options) -> Iterator[Hits]:
    """``find_hits`` a chunk of documents at a time (``core/chunks.py``), in corpus order:
    what a kwic that writes its lines as it finds them reads, holding one chunk's hits."""
    corpus, docs = corpus.within(docs)
    find_hits(corpus, queries, token_range=(0, 0), **match_options)  # a bad query fails before any line is written
    doc_starts = np.asarray(corpus.tokens.doc_starts)
    for chunk in document_chunks(corpus, docs=docs):
        for first, last in chunk.runs:
            yield find_hits(corpus, queries, token_range=(int(doc_starts[first]), int(doc_starts[last])), **match_options)


class ShownHits:
    """The hits a concordance shows, in the order it shows them, a batch at a time
    (``batches()``), and how many the queries found (``total``: complete once the batches are
    used up). Without ``sort`` or ``sample`` the hits are found a chunk of documents at a time
    and only the first ``limit`` are kept; with them, every hit is held as integer arrays to
    order. What ``kwic`` (the command and the function) and a report's kwic show::

        shown = shown_hits(corpus, ["peer"], sort=["R1"], limit=100)
        for hits in shown.batches():
            rows = concordance_rows(corpus, hits, ["peer"])
        shown.total                    # every hit of "peer", before the limit
    """

    def __init__(self, corpus: Corpus, queries: list[str], *, docs=None, sort=None, sample=None, seed: int = 0, limit=None, **match_options):
        corpus, docs = corpus.within(docs)
        self.corpus, self.queries, self.docs = corpus, queries, docs
        self.sort, self.sample, self.seed, self.limit = sort, sample, seed, limit
        self.match_options = match_options
        self.total = 0
        # every check before any hit is found, so that a bad option fails before a line is written
        order_hits(corpus, find_hits(corpus, queries, token_range=(0, 0), **match_options), sort=sort, sample=sample, seed=seed, limit=limit)

    @property
    def ordered(self) -> bool:
        return bool(self.sort) or self.sample is not None

    def batches(self) -> Iterator[Hits]:
        self.total = 0
        if self.ordered:
            hits = find_hits(self.corpus, self.queries, docs=self.docs, **self.match_options)
            self.total = len(hits)
            hits = order_hits(self.corpus, hits, sort=self.sort, sample=self.sample, seed=self.seed, limit=self.limit)
            release_tokens(self.corpus.tokens, 0, len(self.corpus.tokens))  # the pages sorting read
            yield hits
            return
        kept = 0
        for hits in hits_by_chunk(self.corpus, self.queries, docs=self.docs, **self.match_options):
            self.total += len(hits)
            if self.limit is not None:
                hits = hits.take(np.arange(min(len(hits), max(self.limit - kept, 0))))
            kept += len(hits)
            yield hits

    def all(self) -> Hits:
        """Every shown hit at once (for outputs that need them together: a table on the
        terminal, HTML, a REFI-QDA project)."""
        batches = list(self.batches())
        if len(batches) == 1:
            return batches[0]
        return Hits(*(np.concatenate([getattr(h, name) for h in batches]) if batches else np.zeros(0, dtype=np.int64) for name in ("query", "starts", "ends")))


def shown_hits(corpus: Corpus, queries: list[str], *, docs=None, sort=None, sample=None, seed: int = 0, limit=None, **match_options) -> ShownHits:
    """The hits a concordance of ``queries`` shows (see ``ShownHits``)."""
    return ShownHits(corpus, queries, docs=docs, sort=sort, sample=sample, seed=seed, limit=limit, **match_options)


def hit_document_counts(corpus: Corpus, batches) -> np.ndarray:
    """How many of the hits in ``batches`` (``Hits``) fall in each document of
    ``corpus.within()[0]``: what a concordance's metadata columns need to be typed before
    its lines are written (``render.concordance.ShownFields``), without holding the hits."""
    corpus = corpus.within()[0]
    counts = np.zeros(len(corpus), dtype=np.int64)
    for hits in batches:
        if len(hits):
            counts += np.bincount(corpus.tokens.doc_of_position(hits.starts), minlength=len(corpus))
    return counts


#: Concordance lines cut (and written) at a time by ``concordance_batches``.
LINE_BATCH = 5000


def concordance_batches(corpus: Corpus, hits: Hits, queries: list[str], *, batch: int | None = None, **context) -> Iterator[list[dict]]:
    """``concordance_rows`` of ``hits`` ``batch`` hits at a time, so that lines can be written
    as they are cut (a line costs ~2 KB; a hit in the arrays, 24 bytes)."""
    batch = batch or LINE_BATCH
    corpus = corpus.within()[0]
    for start in range(0, len(hits), batch):
        part = hits.take(np.arange(start, min(start + batch, len(hits))))
        yield concordance_rows(corpus, part, queries, **context)
        # the pages these lines read (offsets, sentence numbers) are not needed again
        release_tokens(corpus.tokens, int(part.starts.min()) - 1, int(part.ends.max()) + 1)


def order_hits(corpus: Corpus, hits: Hits, *, sort: list[str] | None = None, sample: int | None = None, seed: int = 0, limit: int | None = None) -> Hits:
    """Sample (reproducibly), sort by AntConc-style keys, then keep the first ``limit`` hits.

    Keys: ``L1``..``L9`` / ``R1``..``R9`` (the n-th word left or right of the match in its
    document, punctuation skipped as AntConc's word tokens do, case-insensitive; no such word
    sorts first), ``doc``, ``match``. Ties keep corpus order, so the order is total and stable.
    """
    if sample is not None:
        check_int("sample", sample, minimum=1)
        check_int("seed", seed, minimum=0)
        rng = np.random.default_rng(seed)
        chosen = np.sort(rng.choice(len(hits), size=min(sample, len(hits)), replace=False))
        hits = hits.take(chosen)
    keys = [key.strip() for key in (sort or []) if key.strip()]
    for key in keys:
        if not _SORT_KEY.match(key):
            raise UsageError(f"`sort` key '{key}' is not L1..L9, R1..R9, doc or match")
    if keys and len(hits):
        corpus = corpus.within()[0]
        significance = [column for key in keys for column in _sort_columns(corpus, hits, key)]
        significance.append(np.arange(len(hits)))  # last resort: corpus order
        hits = hits.take(np.lexsort(significance[::-1]))
    if limit is not None:
        check_int("limit", limit, minimum=1)
        hits = hits.take(np.arange(min(limit, len(hits))))
    return hits


def _sort_columns(corpus: Corpus, hits: Hits, key: str) -> list[np.ndarray]:
    """Integer sort columns for one key, most significant first (norm ids sort alphabetically)."""
    tokens = corpus.tokens
    if key == "doc":
        return [tokens.doc_of_position(hits.starts)]
    norm_of_type = np.asarray(tokens.norm_of_type)
    if key == "match":
        width = int((hits.ends - hits.starts).max())
        return [_norm_at(tokens, norm_of_type, hits.starts + i, hits.starts, hits.ends) for i in range(width)]
    doc = tokens.doc_of_position(hits.starts)
    origin, step = (hits.starts - 1, -1) if key[0] == "L" else (hits.ends, 1)
    position = _nth_word(tokens, origin, step, int(key[1]), tokens.doc_starts[doc], tokens.doc_starts[doc + 1])
    return [_norm_at(tokens, norm_of_type, position, None, None, position >= 0)]


def _nth_word(tokens, origin, step: int, distance: int, low, high) -> np.ndarray:
    """Position of the ``distance``-th word token (one with a letter or digit) counted from
    ``origin`` in direction ``step`` (±1), inside ``[low, high)``; -1 where there is none.

    Vectorised over hits: each round looks at one more token of every hit still searching,
    so the rounds are ``distance`` plus the longest run of punctuation passed.
    In "The cat, however, ran." the first word right of "cat" is "however" (R1), then "ran" (R2).
    """
    is_word = np.asarray(tokens.is_word)
    found = np.full(len(origin), -1, dtype=np.int64)
    position = np.array(origin, dtype=np.int64)
    remaining = np.full(len(origin), distance)
    searching = np.flatnonzero((position >= low) & (position < high))
    while len(searching):
        here = position[searching]
        word = is_word[np.asarray(tokens.ids[here])]
        remaining[searching] -= word
        done = word & (remaining[searching] == 0)
        found[searching[done]] = here[done]
        searching = searching[~done]
        position[searching] += step
        here = position[searching]
        searching = searching[(here >= low[searching]) & (here < high[searching])]
    return found


def _norm_at(tokens, norm_of_type, position, starts, ends, valid=None) -> np.ndarray:
    """Normalised-form id at ``position`` (-1 where invalid or beyond the match)."""
    if valid is None:
        valid = position < ends
    safe = np.where(valid, position, 0)
    return np.where(valid, norm_of_type[np.asarray(tokens.ids[safe])], -1)


def check_context_options(*, window: int, chars: int | None, context: str) -> None:
    """A ``UsageError`` (naming the parameter) for a bad ``window``, ``chars`` or ``context``.

        check_context_options(window=8, chars=None, context="sentences")
        # UsageError: context must be one of document, sentence, paragraph; got 'sentences'
    """
    check_int("window", window, minimum=0)
    if chars is not None:
        check_int("chars", chars, minimum=1)
    check_choice("context", context, CONTEXTS)


def kwic(
    corpus: Corpus,
    queries: list[str],
    *,
    window: int = 8,
    chars: int | None = None,
    context: str = "document",
    match: str = "form",
    case_sensitive: bool = False,
    regex: bool = False,
    docs=None,
    sort: list[str] | None = None,
    sample: int | None = None,
    seed: int = 0,
    limit: int | None = None,
):
    """Concordance lines: one row per hit with ``doc``, ``start``, ``end`` (token positions in
    the document), ``left``, ``match``, ``right``, ``char_start``, ``char_end``, ``sentence``,
    ``query`` and the document's metadata under ``meta``.

    ``context="sentence"`` or ``"paragraph"`` stops the context at the match's own sentence or
    paragraph. ``chars`` gives contexts of that many characters instead of ``window`` tokens.
    A sentence longer than ``SENTENCE_CHARS`` (a table or a text without full stops) is cut
    to that many characters around the match, with "…" where it was cut.
    """
    check_context_options(window=window, chars=chars, context=context)
    hits = shown_hits(corpus, queries, docs=docs, sort=sort, sample=sample, seed=seed, limit=limit, match=match, case_sensitive=case_sensitive, regex=regex).all()
    return concordance_lines(corpus, hits, queries, window=window, chars=chars, context=context)


#: The longest ``sentence`` a concordance line carries, in characters of the original text.
SENTENCE_CHARS = 1000

LINE_COLUMNS = ["doc", "start", "end", "left", "match", "right", "char_start", "char_end", "sentence", "query", "meta"]


def concordance_lines(corpus: Corpus, hits: Hits, queries: list[str], *, window: int = 8, chars: int | None = None, context: str = "document"):
    """Cut the text of every hit and its context out of its document (see ``kwic``).

    Token offsets are gathered for all hits at once (the arrays may be memory-mapped);
    only the string slicing is per hit.
    """
    import pandas as pd

    rows = concordance_rows(corpus, hits, queries, window=window, chars=chars, context=context)
    return pd.DataFrame(rows, columns=LINE_COLUMNS)


def concordance_rows(corpus: Corpus, hits: Hits, queries: list[str], *, window: int = 8, chars: int | None = None, context: str = "document") -> list[dict]:
    """``concordance_lines`` as a list of row dicts (plain ``str``/``int`` cells and ``meta``).

    The command line renders these directly, so a warm ``kwic`` never imports pandas.
    """
    corpus = corpus.within()[0]
    tokens = corpus.tokens
    docs = tokens.doc_of_position(hits.starts)
    first = np.asarray(tokens.doc_starts)[docs]
    last = np.asarray(tokens.doc_starts)[docs + 1]
    reach = window if chars is None else chars
    low, high = np.maximum(first, hits.starts - reach), np.minimum(last, hits.ends + reach)
    if context != "document":
        for i, (start, end) in enumerate(zip(hits.starts.tolist(), hits.ends.tolist())):
            low[i], high[i] = _bounds(tokens, start, end, int(low[i]), int(high[i]), context)
    char_starts, char_ends = tokens.char_starts, tokens.char_ends
    match_from = np.asarray(char_starts[hits.starts]).tolist()
    match_to = np.asarray(char_ends[hits.ends - 1]).tolist()
    context_from = np.asarray(char_starts[low]).tolist()
    context_to = np.asarray(char_ends[np.maximum(high - 1, low)]).tolist()
    sentence_spans = np.asarray(tokens.sentence_spans[np.asarray(tokens.sentence[hits.starts])]).tolist()
    # Python ints from here on: indexing numpy arrays element by element costs more than the
    # string slicing this loop is for.
    first_of_doc, low, high = first.tolist(), low.tolist(), high.tolist()
    rows = []
    texts: dict[int, str] = {}
    for i, (query, start, end, doc) in enumerate(zip(hits.query.tolist(), hits.starts.tolist(), hits.ends.tolist(), docs.tolist())):
        if doc not in texts:
            texts = {doc: corpus.text(doc)}  # hits are mostly grouped by document: keep one
        text = texts[doc]
        char_start, char_end = match_from[i], match_to[i]
        if chars is not None:
            span_low = context_from[i] if context != "document" else 0
            span_high = context_to[i] if context != "document" else len(text)
            left = text[max(span_low, char_start - chars) : char_start]
            right = text[char_end : min(span_high, char_end + chars)]
        else:
            left = text[context_from[i] : char_start] if low[i] < start else ""
            right = text[char_end : context_to[i]] if high[i] > end else ""
        offset = first_of_doc[i]
        rows.append(
            {
                "doc": corpus.doc_id(doc),
                "start": start - offset,
                "end": end - offset,
                "left": _collapse(left),
                "match": _collapse(text[char_start:char_end]),
                "right": _collapse(right),
                "char_start": char_start,
                "char_end": char_end,
                "sentence": _sentence_around(text, *_prose_unit(text, *sentence_spans[i], char_start, char_end), char_start, char_end),
                "query": queries[query],
                "meta": corpus.doc_metadata(doc),
            }
        )
    return rows


def _bounds(tokens, start: int, end: int, low: int, high: int, context: str) -> tuple[int, int]:
    """Narrow the token range ``low:high`` around a match to the match's own sentence or
    paragraph."""
    unit = tokens.sentence if context == "sentence" else tokens.paragraph
    before = np.asarray(unit[low:start]) != unit[start]
    after = np.asarray(unit[end:high]) != unit[end - 1]
    if before.any():
        low += int(np.flatnonzero(before)[-1]) + 1
    if after.any():
        high = end + int(np.flatnonzero(after)[0])
    return low, high


def _prose_unit(text: str, start: int, end: int, match_start: int, match_end: int) -> tuple[int, int]:
    """The sentence ``start:end``, or, when it spans lines that are not prose (a code listing,
    a table, console output: ``prose.is_prose_block``), the match's own line.

    >>> text = "x = 1\\ny = peer(x)\\nz = 2"
    >>> text[slice(*_prose_unit(text, 0, len(text), 10, 14))]
    'y = peer(x)'
    """
    if "\n" not in text[start:end] or is_prose_block(text[start:end]):
        return start, end
    line_start = text.rfind("\n", start, match_start) + 1 or start
    line_end = text.find("\n", match_end, end)
    return max(line_start, start), end if line_end < 0 else line_end


def _sentence_around(text: str, start: int, end: int, match_start: int, match_end: int) -> str:
    """The sentence ``text[start:end]``, whitespace collapsed, cut to about ``SENTENCE_CHARS``
    characters centred on the match when it is longer (one 6 MB "sentence" per hit would
    exhaust memory on a text without sentence breaks).

    >>> _sentence_around("a " * 2000 + "peer" + " b" * 2000, 0, 8004, 4000, 4004).count("peer")
    1
    """
    if end - start <= SENTENCE_CHARS:
        return _collapse(text[start:end])
    side = max(0, SENTENCE_CHARS - (match_end - match_start)) // 2
    low, high = max(start, match_start - side), min(end, match_end + side)
    return ("… " if low > start else "") + _collapse(text[low:high]) + (" …" if high < end else "")


def _collapse(text: str) -> str:
    """Whitespace runs (line breaks, PDF column gaps) as one space, ends trimmed."""
    return " ".join(text.split())


def kwic_summary(corpus: Corpus, hits: Hits, queries: list[str], docs=None):
    """Hits per document and query, with the document's ``tokens`` (its words: tokens with a
    letter or digit, as ``info`` counts them) and hits per million of those."""
    import pandas as pd

    corpus, docs = corpus.within(docs)
    tokens = corpus.tokens
    hit_docs = tokens.doc_of_position(hits.starts)
    selected = np.arange(len(corpus)) if docs is None else np.asarray(docs)
    words = document_words(corpus).tolist()
    rows = []
    for query_number, query in enumerate(queries):
        counts = np.bincount(hit_docs[hits.query == query_number], minlength=len(corpus))
        for doc in selected.tolist():
            size = words[doc]
            rows.append(
                {
                    "query": query,
                    "doc": corpus.doc_id(doc),
                    "hits": int(counts[doc]),
                    "tokens": size,
                    "per_million": round(counts[doc] / size * 1e6, 2) if size else 0.0,
                }
            )
    return pd.DataFrame(rows, columns=["query", "doc", "hits", "tokens", "per_million"])



@dataclass(frozen=True)
class KwicParams(Params):
    """``kwic``: concordance lines of one or more queries."""

    queries: tuple[str, ...]
    window: int = 8
    chars: int | None = None
    context: str = "document"
    match: str = "form"
    case_sensitive: bool = False
    regex: bool = False
    sort: tuple[str, ...] = ()
    sample: int | None = None
    seed: int = 0
    limit: int | None = None
    show: tuple[str, ...] = ()
    qdpx: str | None = None
    unit: str = "sentence"
    case: str | None = None
    where: tuple[str, ...] = ()

    def check(self) -> None:
        check_qdpx(self.qdpx, self.unit, ("match", "sentence", "paragraph"))
        if not self.queries or any(not q.strip() for q in self.queries):
            raise UsageError("queries must be a list of words, phrases or patterns, none empty", param="queries")

        check_context_options(window=self.window, chars=self.chars, context=self.context)
        check_choice("match", self.match, MATCHES)
        for key in self.sort:
            if not _SORT_KEY.match(key.strip()):
                raise UsageError(f"`sort` key '{key.strip()}' is not L1..L9, R1..R9, doc or match", param="sort")
        for number, name in ((self.sample, "sample"), (self.limit, "limit")):
            if number is not None:
                check_int(name, number, minimum=1)
        check_int("seed", self.seed, minimum=0)

    def fields_used(self) -> dict[str, str]:
        return {**{f"show {name}": name for name in self.show}, **qdpx_fields(self)}

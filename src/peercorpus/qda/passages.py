"""Coded passages from peercorpus results: codebook extracts, kwic hits, topics' sentences.

    codes, passages, of_extract = coding_passages(corpus, codebook, coding.extracts, unit="sentence")
    codes, passages = kwic_passages(corpus, hits, queries, unit="match")
    codes, passages = topic_passages(corpus, model, tokenize, unit="sentence", threshold=0.5)

The unit is what a selection covers: ``match`` (the matched words), ``sentence`` (the
sentences the match starts and ends in, default) or ``paragraph``. Offsets are into
``corpus.text(doc)``, as every peercorpus result gives them.

Codebook rule: a parent theme holds its children's terms, so each hit of a child's term is
also an extract of the parent. In the project such a passage is coded with the child only
(QDA software aggregates children into their parent: NVivo's "Aggregate coding from
children", MAXQDA's and QualCoder's code trees); a parent codes passages only where one of
its own terms matched.
"""

from __future__ import annotations

import numpy as np

from ..analysis.topics.model import prepare
from ..core.chunks import release_tokens
from ..core.dtm import document_term_matrix
from ..validate import check_choice
from .codebook_xml import PALETTE, description_with_terms, theme_color
from .project import Passage, QdaCode

UNITS = ("match", "sentence", "paragraph")
TOPIC_UNITS = ("sentence", "paragraph")
#: A sentence or paragraph codes its dominant topic when that topic's share is at least this.
TOPIC_THRESHOLD = 0.5
#: ... and when it has at least this many words (headings and captions say little).
TOPIC_MIN_WORDS = 8


class _Spans:
    """Sentence or paragraph spans per document, for finding the unit around an offset."""

    def __init__(self, corpus, unit: str):
        tokens = corpus.tokens
        self.spans = np.asarray(tokens.sentence_spans if unit == "sentence" else tokens.paragraph_spans, dtype=np.int64).reshape(-1, 2)
        owner = np.asarray(tokens.sentence_doc if unit == "sentence" else tokens.paragraph_doc, dtype=np.int64)
        order = np.lexsort((self.spans[:, 0], owner))
        self.spans, owner = self.spans[order], owner[order]
        self.first = np.searchsorted(owner, np.arange(len(corpus) + 1), side="left")

    def around(self, doc: int, start: int, end: int) -> tuple[int, int]:
        """The span from the unit holding ``start`` to the unit holding ``end - 1``."""
        low, high = self.first[doc], self.first[doc + 1]
        if low == high:
            return start, end
        starts = self.spans[low:high, 0]
        first = max(int(np.searchsorted(starts, start, side="right")) - 1, 0)
        last = max(int(np.searchsorted(starts, max(end - 1, start), side="right")) - 1, first)
        return min(start, int(self.spans[low + first, 0])), max(end, int(self.spans[low + last, 1]))


def widen(corpus, docs, starts, ends, unit: str) -> list[tuple[int, int]]:
    """Each (doc, start, end) widened to its ``unit`` (``match`` leaves it as it is)."""
    check_choice("unit", unit, UNITS)
    if unit == "match":
        return [(int(s), int(e)) for s, e in zip(starts, ends)]
    spans = _Spans(corpus, unit)
    return [spans.around(int(d), int(s), int(e)) for d, s, e in zip(docs, starts, ends)]


def codebook_codes(codebook) -> list[QdaCode]:
    """One code per theme, nested as the themes, with descriptions (and terms) and colours."""
    codes = []
    for theme in codebook.names:
        parent = codebook.parents.get(theme)
        name = theme if parent is None else theme[len(parent) + 1 :]
        description = description_with_terms(codebook.descriptions.get(theme, ""), codebook.own_terms.get(theme, ()))
        codes.append(QdaCode(theme, name, description, theme_color(codebook, theme), parent, scope="codebook"))
    return codes


def coding_passages(corpus, codebook, extracts, *, unit: str = "sentence") -> tuple[list[QdaCode], list[Passage], list[int]]:
    """Codes, passages and, for every row of ``extracts`` (``code_corpus(...).extracts``),
    the index of the passage it became (see the module docstring for parents). Passages
    name documents of ``corpus.within()[0]`` (of a ``where`` view: its base), as the extracts' hits."""
    check_choice("unit", unit, UNITS)
    corpus = corpus.within()[0]
    doc_index = {doc_id: i for i, doc_id in enumerate(corpus.doc_ids)}
    docs = [doc_index[d] for d in extracts["doc"]]
    starts, ends = extracts["char_start"].astype(int).tolist(), extracts["char_end"].astype(int).tolist()
    return _coding_passages(corpus, codebook, extracts["theme"].tolist(), docs, starts, ends, unit)


def coding_span_passages(corpus, codebook, coding, *, unit: str = "sentence") -> tuple[list[QdaCode], list[Passage], list[int]]:
    """``coding_passages`` of ``coding.extracts`` from the extracts' spans alone
    (``Coding.extract_spans``): no sentence is cut, no extracts table is made."""
    check_choice("unit", unit, UNITS)
    return _coding_passages(corpus.within()[0], codebook, *coding.extract_spans(), unit)


def coding_passage_stream(corpus, codebook, coding, *, unit: str = "sentence", batch: int = 5000):
    """``coding_span_passages`` as codes and an iterator of passages in document order, made
    a few documents (about ``batch`` extracts) at a time, for ``write_qdpx`` to read as it
    writes: the extracts' positions stay numbers, their passages are never all held."""
    check_choice("unit", unit, UNITS)
    corpus = corpus.within()[0]
    return codebook_codes(codebook), _coding_passages_in_order(corpus, codebook, coding, unit, batch)


def _coding_passages_in_order(corpus, codebook, coding, unit, batch):
    themes, docs, starts, ends = coding.extract_span_arrays()
    order = np.lexsort((starts, docs))  # document order; a hit's themes stay together
    docs_sorted = docs[order]
    spans = _Spans(corpus, unit) if unit != "match" else None
    first = 0
    while first < len(order):
        last = min(first + batch, len(order))
        if last < len(order):  # whole documents: a hit's themes must meet in one batch
            last = int(np.searchsorted(docs_sorted, docs_sorted[last - 1], side="right"))
        part = order[first:last]
        names = [codebook.names[t] for t in themes[part].tolist()]
        _, passages, _ = _coding_passages(corpus, codebook, names, docs[part].tolist(), starts[part].tolist(), ends[part].tolist(), unit, spans=spans)
        yield from passages
        first = last


def _coding_passages(corpus, codebook, themes, docs, starts, ends, unit, *, spans=None):
    if spans is not None:
        spans = [spans.around(d, s, e) for d, s, e in zip(docs, starts, ends)]
    else:
        spans = widen(corpus, docs, starts, ends, unit)
    by_hit: dict[tuple[int, int, int], set[str]] = {}
    for theme, doc, start, end in zip(themes, docs, starts, ends):
        by_hit.setdefault((doc, start, end), set()).add(theme)
    passages: dict[Passage, int] = {}
    of_extract = []
    for theme, doc, start, end, (low, high) in zip(themes, docs, starts, ends, spans):
        coders = by_hit[(doc, start, end)]
        represented = any(theme in codebook.ancestors(other) for other in coders)
        code = theme
        if represented:  # the most specific theme coding this very hit stands for its ancestors
            code = max((other for other in coders if theme in codebook.ancestors(other)), key=lambda t: (len(codebook.ancestors(t)), codebook.names.index(t)))
        passage = Passage(doc, low, high, code)
        of_extract.append(passages.setdefault(passage, len(passages)))
    return codebook_codes(codebook), list(passages), of_extract


def kwic_passages(corpus, hits, queries: list[str], *, unit: str = "sentence") -> tuple[list[QdaCode], list[Passage]]:
    """One code per distinct query, one passage per hit (same span and query: one passage).
    Passages name documents of ``corpus.within()[0]``, as the hits' positions do."""
    corpus = corpus.within()[0]
    tokens = corpus.tokens
    docs = tokens.doc_of_position(hits.starts)
    starts = np.asarray(tokens.char_starts[hits.starts], dtype=np.int64)
    ends = np.asarray(tokens.char_ends[hits.ends - 1], dtype=np.int64) if len(hits) else np.zeros(0, dtype=np.int64)
    keys = [f"query:{query}" for query in queries]
    codes, seen = [], set()
    for number, (key, query) in enumerate(zip(keys, queries)):
        if key not in seen:
            seen.add(key)
            codes.append(QdaCode(key, query, f"kwic query: {query}", PALETTE[number % len(PALETTE)], scope="kwic"))
    spans = widen(corpus, docs.tolist(), starts.tolist(), ends.tolist(), unit)
    passages = dict.fromkeys(Passage(int(doc), low, high, keys[query]) for doc, query, (low, high) in zip(docs.tolist(), hits.query.tolist(), spans))
    return codes, list(passages)


def kwic_passage_stream(corpus, hits, queries: list[str], *, unit: str = "sentence", batch: int = 5000):
    """``kwic_passages`` as codes and an iterator of passages in document order (the hits
    ordered by position, ``batch`` at a time), for ``write_qdpx`` to read a document at a
    time: the hits stay integers, the passages are never all held."""
    check_choice("unit", unit, UNITS)
    corpus = corpus.within()[0]
    codes, _ = kwic_passages(corpus, hits.take(np.zeros(0, dtype=np.int64)), queries, unit=unit)
    return codes, _kwic_passages_in_order(corpus, hits, queries, unit, batch)


def _kwic_passages_in_order(corpus, hits, queries, unit, batch):
    tokens = corpus.tokens
    keys = [f"query:{query}" for query in queries]
    spans = _Spans(corpus, unit) if unit != "match" else None
    order = np.argsort(hits.starts, kind="stable")
    for first in range(0, len(order), batch):
        part = hits.take(order[first : first + batch])
        docs = tokens.doc_of_position(part.starts).tolist()
        starts = np.asarray(tokens.char_starts[part.starts], dtype=np.int64).tolist()
        ends = np.asarray(tokens.char_ends[part.ends - 1], dtype=np.int64).tolist()
        # the offsets' pages this batch read are not needed again (as kwic's lines release theirs)
        release_tokens(tokens, int(part.starts.min()) - 1, int(part.ends.max()) + 1)
        for doc, query, start, end in zip(docs, part.query.tolist(), starts, ends):
            low, high = (start, end) if spans is None else spans.around(doc, start, end)
            yield Passage(int(doc), low, high, keys[query])


def topic_codes(model) -> list[QdaCode]:
    """One code per topic, named by its label (made unique), top terms in its description."""
    codes, used = [], set()
    for row in model.topics.itertuples():
        name = str(row.label) if str(row.label).strip() else f"topic {row.topic}"
        base, n = name, 2
        while name in used:
            name, n = f"{base} ({n})", n + 1
        used.add(name)
        description = f"Topic {row.topic} of {model.k} ({model.settings.method}); top terms: {row.terms}; prevalence {row.prevalence:.3f}"
        codes.append(QdaCode(f"topic:{row.topic}", name, description, PALETTE[int(row.topic) % len(PALETTE)]))
    return codes


def topic_shares(corpus, model, tokenize, unit: str) -> tuple[np.ndarray, np.ndarray]:
    """Every sentence's (or paragraph's) share of each topic, and its words.

    As for the topics' representative sentences: the unit's TF-IDF vector (the model's
    vocabulary, idf and features) projected on every topic, share = projection / their sum.
    """
    from scipy import sparse


    tokens = corpus.tokens
    unit_of_token = tokens.sentence if unit == "sentence" else tokens.paragraph
    n_units = len(tokens.sentence_spans if unit == "sentence" else tokens.paragraph_spans)
    _, features, _, _, transformer, _ = prepare(corpus, model.settings, tokenize)
    counts = document_term_matrix(features, np.asarray(unit_of_token).astype(np.int64), n_units, ngram=model.settings.ngram)
    position = {term: i for i, term in enumerate(counts.vocab)}
    source = np.array([position.get(term, -1) for term in model.vocab], dtype=np.int64)
    present = np.flatnonzero(source >= 0)
    picked = counts.matrix[:, source[present]].tocoo()
    matrix = sparse.csr_matrix((picked.data, (picked.row, present[picked.col])), shape=(counts.shape[0], len(model.vocab)))
    projection = np.asarray(transformer.transform(matrix) @ model.topic_term.T)
    total = projection.sum(axis=1, keepdims=True)
    share = np.divide(projection, total, out=np.zeros_like(projection), where=total > 0)
    is_word = np.asarray(tokens.is_word)[np.asarray(tokens.ids)]
    words = np.bincount(np.asarray(unit_of_token)[is_word], minlength=n_units)
    return share, words


def topic_passages(corpus, model, tokenize, *, unit: str = "sentence", threshold: float = TOPIC_THRESHOLD, min_words: int = TOPIC_MIN_WORDS) -> tuple[list[QdaCode], list[Passage]]:
    """One code per topic; a passage per sentence (or paragraph) of at least ``min_words``
    words whose dominant topic has at least ``threshold`` of its weight. Passages name
    documents of ``corpus.within()[0]``, as every passage function's do."""
    check_choice("unit", unit, TOPIC_UNITS)
    share, words = topic_shares(corpus, model, tokenize, unit)
    tokens = corpus.tokens
    spans = np.asarray(tokens.sentence_spans if unit == "sentence" else tokens.paragraph_spans, dtype=np.int64).reshape(-1, 2)
    owner = np.asarray(tokens.sentence_doc if unit == "sentence" else tokens.paragraph_doc, dtype=np.int64)
    dominant = share.argmax(axis=1) if share.size else np.zeros(0, dtype=np.int64)
    best = share.max(axis=1) if share.size else np.zeros(0)
    keep = np.flatnonzero((best >= threshold) & (best > 0) & (words >= min_words))
    keep = keep[np.lexsort((spans[keep, 0], owner[keep]))]
    in_base = corpus.within()[1]
    if in_base is not None:  # a where view: its documents' numbers in the corpus it selects from
        owner = in_base[owner]
    passages = [Passage(int(owner[i]), int(spans[i, 0]), int(spans[i, 1]), f"topic:{int(dominant[i])}") for i in keep.tolist()]
    return topic_codes(model), passages

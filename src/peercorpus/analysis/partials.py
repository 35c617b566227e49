"""Counting analyses as partial counts over chunks of documents and their exact merge.

Each class is one pass (``core/chunks.py``: ``partial(corpus, chunk)`` and ``merge(partials)``),
carrying only its parameters and vocabulary-sized arrays, so that any engine can run it:

- ``TermCounts``: per term (word or n-gram) its count and document frequency, and per
  document its words and kept features (``freq``, ``keyness``);
- ``DispersionWeights``: Gries' DP of chosen terms, summed per term in document order
  exactly as ``frequency.gries_dp`` sums the document-term matrix (a second pass: it needs
  the totals of the first);
- ``PairCounts``: adjacent pairs of kept features (``collocations``).

N-gram keys are one int64 per n-gram while the vocabulary allows (``V**n < 2**63``), else
big-endian bytes; either way keys sort as their id tuples do, so a merge is a sorted union.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from ..core.chunks import Chunk, ChunkTokens
from ..core.distinct import distinct
from ..core.query import find_matches


@dataclass
class TermTotals:
    """The merged ``TermCounts``: ``keys`` (n-grams; ``None`` for words, whose key is the
    feature id), ``counts`` and ``doc_freq`` per key; per document of ``docs`` (ascending):
    ``n_words`` (tokens with a letter or digit) and ``sizes`` (features kept)."""

    keys: np.ndarray | None
    counts: np.ndarray
    doc_freq: np.ndarray
    docs: np.ndarray
    n_words: np.ndarray
    sizes: np.ndarray


class TermCounts:
    """Pass one of ``freq``/``keyness``: counts, document frequencies and document sizes."""

    def __init__(self, mapping, ngram: int = 1, is_word: np.ndarray | None = None):
        self.type_map, self.ngram = mapping, ngram
        self.n_features = len(mapping.vocab)
        self.is_word = is_word

    def partial(self, corpus, chunk: Chunk) -> TermTotals:
        part = ChunkTokens(corpus.tokens, chunk)
        features = part.features(self.type_map)
        kept = features >= 0
        n_docs = len(part.docs)
        doc = part.doc_local
        is_word = self.is_word if self.is_word is not None else np.asarray(corpus.tokens.is_word)
        n_words = np.bincount(doc[is_word[part.ids]], minlength=n_docs)
        sizes = np.bincount(doc[kept], minlength=n_docs)
        if self.ngram == 1:
            ids = features[kept].astype(np.int64)
            counts = np.bincount(ids, minlength=self.n_features)
            pairs = distinct(doc[kept] * self.n_features + ids)
            doc_freq = np.bincount(pairs % self.n_features, minlength=self.n_features)
            return TermTotals(None, counts, doc_freq, part.docs, n_words, sizes)
        keys, key_doc = ngram_keys(features, doc, part.sentence, self.ngram, self.n_features)
        unique_keys, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
        width = max(len(unique_keys), 1)
        in_docs = np.bincount(distinct(key_doc * width + inverse.ravel()) % width, minlength=len(unique_keys))
        return TermTotals(unique_keys, counts.astype(np.int64), in_docs.astype(np.int64), part.docs, n_words, sizes)

    def merge(self, partials: Iterable[TermTotals]) -> TermTotals:
        keys = None
        counts = doc_freq = None
        docs, n_words, sizes = [], [], []
        for part in partials:
            docs.append(part.docs)
            n_words.append(part.n_words)
            sizes.append(part.sizes)
            if part.keys is None:
                counts = part.counts if counts is None else counts + part.counts
                doc_freq = part.doc_freq if doc_freq is None else doc_freq + part.doc_freq
            elif keys is None:
                keys, counts, doc_freq = part.keys, part.counts, part.doc_freq
            else:
                keys, (counts, doc_freq) = merge_sorted(keys, [counts, doc_freq], part.keys, [part.counts, part.doc_freq])
        if counts is None:
            if self.ngram == 1:
                counts, doc_freq = np.zeros(self.n_features, dtype=np.int64), np.zeros(self.n_features, dtype=np.int64)
            else:
                keys, counts, doc_freq = empty_keys(self.ngram, self.n_features), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        cat = lambda parts: np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, dtype=np.int64)  # noqa: E731
        return TermTotals(keys, counts, doc_freq, cat(docs), cat(n_words), cat(sizes))


class DispersionWeights:
    """Pass two of ``freq``: ``½(1 + Σ_d (|f_dt/F_t − s_d/S| − s_d/S))`` over the documents
    using term ``t`` (Gries' DP), for the chosen terms ``selected`` (feature ids, or n-gram
    keys sorted ascending with ``columns`` their output columns). The sum runs over
    documents in corpus order, one addition at a time, as ``np.bincount`` sums the
    document-term matrix: the same floating-point result however the corpus is chunked."""

    def __init__(self, mapping, ngram: int, selected: np.ndarray, columns: np.ndarray, totals: np.ndarray, expected: np.ndarray):
        self.type_map, self.ngram = mapping, ngram
        self.n_features = len(mapping.vocab)
        self.selected, self.columns = selected, columns
        self.totals = totals.astype(np.float64)  # per output column
        self.expected = expected  # per corpus document: its size / all sizes

    def partial(self, corpus, chunk: Chunk) -> tuple[np.ndarray, np.ndarray]:
        part = ChunkTokens(corpus.tokens, chunk)
        features = part.features(self.type_map)
        if self.ngram == 1:
            column_of = np.full(self.n_features + 1, -1, dtype=np.int64)
            column_of[self.selected] = self.columns
            column = column_of[features]  # -1 (dropped) picks the last entry: -1
            doc = part.doc_local
        else:
            keys, doc = ngram_keys(features, part.doc_local, part.sentence, self.ngram, self.n_features)
            at = np.minimum(np.searchsorted(self.selected, keys), max(len(self.selected) - 1, 0))
            found = self.selected[at] == keys if len(self.selected) else np.zeros(len(keys), dtype=bool)
            column = np.where(found, self.columns[at] if len(self.columns) else -1, -1)
        used = column >= 0
        width = max(len(self.columns), 1)
        cells, counts = np.unique(doc[used] * width + column[used], return_counts=True)
        docs, columns = part.docs[cells // width], cells % width
        observed = counts / self.totals[columns]
        share = self.expected[docs]
        return columns, np.abs(observed - share) - share

    def merge(self, partials: Iterable[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
        correction = np.zeros(len(self.columns), dtype=np.float64)
        for columns, weights in partials:
            np.add.at(correction, columns, weights)  # in order, one addition at a time
        return 0.5 * (1 + correction)


class _SequenceCounts:
    """What the collocation passes share: the features a chunk keeps, in order, with the
    document (within the chunk) of each, so that no n-gram crosses a document."""

    def __init__(self, mapping):
        self.type_map = mapping
        self.n_features = len(mapping.vocab)

    def kept_features(self, corpus, chunk: Chunk) -> tuple[np.ndarray, np.ndarray]:
        part = ChunkTokens(corpus.tokens, chunk)
        features = part.features(self.type_map)
        kept = np.flatnonzero(features >= 0)
        return features[kept].astype(np.int64), part.doc_local[kept]


class PairCounts(_SequenceCounts):
    """``collocations``' counts: features kept, their frequencies, and adjacent pairs inside
    a document (key ``first * V + second``)."""

    def partial(self, corpus, chunk: Chunk):
        ids, docs = self.kept_features(corpus, chunk)
        word_freq = np.bincount(ids, minlength=self.n_features)
        same_doc = docs[1:] == docs[:-1]
        keys, counts = np.unique(ids[:-1][same_doc] * self.n_features + ids[1:][same_doc], return_counts=True)
        return len(ids), word_freq, keys, counts.astype(np.int64)

    def merge(self, partials):
        total, word_freq = 0, np.zeros(self.n_features, dtype=np.int64)
        keys, counts = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        for n, freq, part_keys, part_counts in partials:
            total += n
            word_freq += freq
            keys, (counts,) = merge_sorted(keys, [counts], part_keys, [part_counts])
        return total, word_freq, keys, counts


# --- n-gram keys ------------------------------------------------------------------------------


def ngram_keys(features: np.ndarray, doc: np.ndarray, sentence: np.ndarray, n: int, n_features: int) -> tuple[np.ndarray, np.ndarray]:
    """Keys of every n-gram of consecutive kept features within one document and sentence
    (as ``core.dtm._ngrams``), and the document of each."""
    kept = np.flatnonzero(features >= 0)
    ids, docs, sentences = features[kept].astype(np.int64), doc[kept], sentence[kept]
    if len(ids) < n:
        return empty_keys(n, n_features), np.zeros(0, dtype=np.int64)
    starts = np.arange(len(ids) - n + 1)
    same = np.ones(len(starts), dtype=bool)
    for offset in range(1, n):
        same &= (docs[starts + offset] == docs[starts]) & (sentences[starts + offset] == sentences[starts])
    starts = starts[same]
    rows = np.stack([ids[starts + offset] for offset in range(n)], axis=1)
    return encode_rows(rows, n_features), docs[starts]


def _fits_int64(n: int, n_features: int) -> bool:
    return max(n_features, 1) ** n < 2**63


def empty_keys(n: int, n_features: int) -> np.ndarray:
    return encode_rows(np.zeros((0, n), dtype=np.int64), n_features)


def encode_rows(rows: np.ndarray, n_features: int) -> np.ndarray:
    """One sortable key per row of ids: ``Σ id_k V^(n-1-k)`` (int64) or the ids as
    big-endian bytes when that could overflow; both sort as the rows do."""
    n = rows.shape[1]
    if _fits_int64(n, n_features):
        keys = np.zeros(len(rows), dtype=np.int64)
        for column in range(n):
            keys = keys * max(n_features, 1) + rows[:, column]
        return keys
    big_endian = np.ascontiguousarray(rows.astype(">u4"))
    return big_endian.view(np.dtype((np.void, 4 * n))).ravel()


def decode_keys(keys: np.ndarray, n: int, n_features: int) -> np.ndarray:
    """The rows of ids ``encode_rows`` made the keys from."""
    if keys.dtype.kind == "V":
        return np.frombuffer(keys.tobytes(), dtype=">u4").reshape(-1, n).astype(np.int64)
    rows = np.zeros((len(keys), n), dtype=np.int64)
    rest = keys.copy()
    for column in range(n - 1, -1, -1):
        rows[:, column] = rest % max(n_features, 1)
        rest //= max(n_features, 1)
    return rows


def merge_sorted(keys: np.ndarray, values: list[np.ndarray], more_keys: np.ndarray, more_values: list[np.ndarray]):
    """The sorted union of two sorted key arrays, with their value arrays added where keys meet."""
    if len(more_keys) == 0:
        return keys, values
    if len(keys) == 0:
        return more_keys, more_values
    joined = np.concatenate([keys, more_keys])
    order = np.argsort(joined, kind="stable")  # two sorted runs: a linear merge
    joined = joined[order]
    first = np.ones(len(joined), dtype=bool)
    first[1:] = joined[1:] != joined[:-1]
    out = []
    for a, b in zip(values, more_values):
        both = np.concatenate([a, b])[order]
        out.append(np.add.reduceat(both, np.flatnonzero(first)))
    return joined[first], out


class TripleCounts(_SequenceCounts):
    """``collocations --size 3``: what NLTK's ``TrigramCollocationFinder.from_documents``
    counts, as sorted keys and counts: words, adjacent pairs, pairs one word apart
    (``wildcard``) and triples, none crossing a document."""

    def partial(self, corpus, chunk: Chunk):
        ids, docs = self.kept_features(corpus, chunk)
        out = [np.bincount(ids, minlength=self.n_features)]
        for gap, width in ((1, 2), (2, 2), (2, 3)):  # pairs, wildcard pairs, triples
            same = docs[gap:] == docs[:-gap] if len(ids) > gap else np.zeros(0, dtype=bool)
            starts = np.flatnonzero(same)
            rows = np.stack([ids[starts], ids[starts + gap]] if width == 2 else [ids[starts], ids[starts + 1], ids[starts + 2]], axis=1)
            keys, counts = np.unique(encode_rows(rows, self.n_features), return_counts=True)
            out.append((keys, counts.astype(np.int64)))
        return out

    def merge(self, partials):
        word_freq = np.zeros(self.n_features, dtype=np.int64)
        merged = [(empty_keys(width, self.n_features), np.zeros(0, dtype=np.int64)) for width in (2, 2, 3)]
        for freq, *parts in partials:
            word_freq += freq
            for i, (keys, counts) in enumerate(parts):
                merged_keys, (merged_counts,) = merge_sorted(merged[i][0], [merged[i][1]], keys, [counts])
                merged[i] = (merged_keys, merged_counts)
        return word_freq, *merged


class CollocateCounts:
    """``collocates``: each feature's corpus frequency, and its count left and right of the
    hits of ``node`` (windows inside a document, so inside a chunk)."""

    def __init__(self, mapping, node: str, left: int, right: int, match_options: dict):
        self.type_map, self.node, self.left, self.right = mapping, node, left, right
        self.match_options = match_options
        self.n_features = len(mapping.vocab)

    def partial(self, corpus, chunk: Chunk):
        tokens = corpus.tokens
        part = ChunkTokens(tokens, chunk)
        features = part.features(self.type_map)
        corpus_freq = np.bincount(features[features >= 0], minlength=self.n_features)
        left_counts = np.zeros(self.n_features, dtype=np.int64)
        right_counts = np.zeros(self.n_features, dtype=np.int64)
        n_hits, at = 0, 0
        doc_starts = np.asarray(tokens.doc_starts)
        for a, b in part.token_runs:
            hits = find_matches(tokens, self.node, token_range=(a, b), **self.match_options)
            local = features[at : at + b - a]
            at += b - a
            if len(hits) == 0:
                continue
            n_hits += len(hits)
            doc = tokens.doc_of_position(hits.starts)
            first, last = doc_starts[doc], doc_starts[doc + 1]
            in_node = np.zeros(b - a, dtype=bool)
            for offset in range(int((hits.ends - hits.starts).max())):
                inside = hits.starts + offset < hits.ends
                in_node[(hits.starts + offset)[inside] - a] = True
            position, on_right = window_positions(hits.starts, hits.ends, first, last, self.left, self.right)
            position = position - a
            outside_node = ~in_node[position]
            ids, on_right = local[position[outside_node]], on_right[outside_node]
            on_right = on_right[ids >= 0]
            ids = ids[ids >= 0]
            left_counts += np.bincount(ids[~on_right], minlength=self.n_features)
            right_counts += np.bincount(ids[on_right], minlength=self.n_features)
        return corpus_freq, left_counts, right_counts, n_hits

    def merge(self, partials):
        total = None
        for corpus_freq, left_counts, right_counts, n_hits in partials:
            if total is None:
                total = [corpus_freq.astype(np.int64), left_counts, right_counts, n_hits]
            else:
                total = [total[0] + corpus_freq, total[1] + left_counts, total[2] + right_counts, total[3] + n_hits]
        if total is None:
            zeros = np.zeros(self.n_features, dtype=np.int64)
            return zeros, zeros, zeros, 0
        return tuple(total)


class MatrixMarketRows:
    """``peercorpus dtm``: the Matrix Market lines (``row column count``, 1-based, row-major)
    of each chunk's documents, for the chosen terms (``selected``: feature ids, or n-gram
    keys sorted ascending, with ``columns`` their column numbers; ``row_of_doc``: each
    document's row, when they are not the documents' own numbers). ``merge`` hands the
    blocks on in chunk order, unread (the writer writes each as it comes)."""

    def __init__(self, mapping, ngram: int, selected: np.ndarray, columns: np.ndarray, row_of_doc: np.ndarray | None = None):
        self.type_map, self.ngram = mapping, ngram
        self.n_features = len(mapping.vocab)
        self.selected, self.columns, self.row_of_doc = selected, columns, row_of_doc

    #: False: ``partial`` gives the cells as arrays (``cells``) instead of lines (dtm's Parquet).
    as_text = True

    def partial(self, corpus, chunk: Chunk) -> list[str] | tuple[np.ndarray, np.ndarray, np.ndarray]:
        rows, columns, counts = self.cells(corpus, chunk)
        if not self.as_text:
            return rows, columns, counts
        step = 50_000  # lines formatted a block at a time: Python strings cost ~60 bytes each
        return [
            "".join(f"{r} {c} {v}\n" for r, c, v in zip(rows[i : i + step].tolist(), columns[i : i + step].tolist(), counts[i : i + step].tolist()))
            for i in range(0, len(rows), step)
        ]

    def cells(self, corpus, chunk: Chunk) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The chunk's non-zero cells, row-major: 1-based rows and columns, and counts."""
        part = ChunkTokens(corpus.tokens, chunk)
        features = part.features(self.type_map)
        if self.ngram == 1:
            column_of = np.full(self.n_features + 1, -1, dtype=np.int64)
            column_of[self.selected] = self.columns
            column, doc = column_of[features], part.doc_local
        else:
            keys, doc = ngram_keys(features, part.doc_local, part.sentence, self.ngram, self.n_features)
            at = np.minimum(np.searchsorted(self.selected, keys), max(len(self.selected) - 1, 0))
            found = self.selected[at] == keys if len(self.selected) else np.zeros(len(keys), dtype=bool)
            column = np.where(found, self.columns[at] if len(self.columns) else -1, -1)
        used = column >= 0
        width = max(len(self.columns), 1)
        cells, counts = np.unique(doc[used] * width + column[used], return_counts=True)
        docs = part.docs[cells // width]
        rows, columns = (docs + 1 if self.row_of_doc is None else self.row_of_doc[docs]), cells % width + 1
        return rows, columns, counts

    def merge(self, partials: Iterable) -> Iterable:
        if not self.as_text:
            return iter(partials)  # each chunk's cells, in chunk order
        return (block for blocks in partials for block in blocks)


def window_positions(starts, ends, first, last, left, right):
    """Token positions in the union of the hits' windows, each once, sorted, and whether each
    lies on the right of its nearest hit (a tie: left); ``first``/``last`` bound each hit's document.

    >>> window_positions(np.array([0, 2]), np.array([1, 3]), np.array([0, 0]), np.array([5, 5]), 1, 1)
    (array([1, 3]), array([False,  True]))
    """
    candidates, distances, sides = [], [], []
    for distance in range(1, max(left, right) + 1):
        for on_right, reach, position, valid in (
            (False, left, starts - distance, starts - distance >= first),
            (True, right, ends + distance - 1, ends + distance - 1 < last),
        ):
            if distance <= reach:
                candidates.append(position[valid])
                distances.append(np.full(int(valid.sum()), distance))
                sides.append(np.full(int(valid.sum()), on_right))
    position, distance, side = (np.concatenate(parts) for parts in (candidates, distances, sides))
    order = np.lexsort((side, distance, position))
    position, side = position[order], side[order]
    first_seen = np.diff(position, prepend=-1) != 0
    return position[first_seen], side[first_seen]

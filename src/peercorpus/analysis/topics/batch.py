"""Topic models of corpora larger than memory (``topics --batch``): MiniBatchNMF over the TF-IDF
rows of one chunk of documents at a time, so that no unit × term matrix of the whole corpus is built.

    fit = fit_in_batches(corpus, mapping, settings, unit="document", progress=None)
    fit.units, fit.vocab, fit.unit_weights, fit.topic_term, fit.coherence, fit.candidates

The passes over the corpus, each a chunk of whole documents at a time (``core/chunks.py``;
chunks as large as the memory setting allows, ``--memory-mb``):

1. **counting** (``UnitTermCounts``): the units, and per term the units it occurs in and its
   count: the vocabulary, its pruning (``min_df``, ``max_df``, ``max_features``, exactly as
   ``DocumentTermMatrix.prune``) and the idf (exactly as ``Tfidf.fit``);
2. **the sample**: the TF-IDF rows of a seeded random sample of at most ``SAMPLE_UNITS`` units.
   NMF fitted to them (``nmf.py``, as without ``--batch``) is the start of the mini-batch fit,
   and ``k`` auto is chosen on them (``selection.choose_k``), as are ``runs``' resamples;
3. **``EPOCHS`` epochs**: every chunk's TF-IDF rows, in mini-batches of ``BATCH_ROWS`` units
   (shuffled within the chunk with the seed), update scikit-learn's ``MiniBatchNMF``
   (``partial_fit``; its forgetting factor set as ``fit`` sets it for the whole corpus);
4. **describing**: each chunk's units get their topic weights (``transform``); the units where
   the topics' top terms occur together are counted (NPMI coherence, the same numbers as over the
   whole matrix); each topic keeps its ``CANDIDATES`` best-scoring sentences (bounded, never all
   sentences), from which the extracts are chosen as without ``--batch``.

What grows with the corpus: the units' topic weights (units × k floats, which the documents
table shows anyway), the units' boundaries and the vocabulary. Same corpus, settings and seed:
the same model.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import numpy as np

from ...core.chunks import Chunk, ChunkTokens, document_chunks, run
from ...core.distinct import distinct
from ...core.dtm import kept_terms
from ...core.units import Units, document_units
from ...errors import UsageError
from ..partials import decode_keys, empty_keys, merge_sorted, ngram_keys
from .extracts import sentence_scores
from .fit import fit_model, resampled_fits
from .nmf import one_blas_thread
from .quality import align_topics, coherence_from_cooccurrence, jaccard_matrix, ranking_agreement, top_terms
from .selection import choose_k
from .tfidf import Tfidf

#: At most this many units (a seeded random sample) start the fit, choose k and give ``runs``'
#: resamples: NMF on them costs what it costs on a corpus of that many documents.
SAMPLE_UNITS = 4000
#: Passes of mini-batch updates over the whole corpus.
EPOCHS = 2
#: Units per ``partial_fit`` update (scikit-learn's default ``batch_size`` is 1024).
BATCH_ROWS = 1024
#: Best-scoring sentences kept per topic while going through the corpus; the extracts (3 by
#: default) are the first complete prose sentences among them, one per document first.
CANDIDATES = 200
#: MiniBatchNMF's forgetting factor over one pass of the whole corpus (its default 0.7).
FORGET_FACTOR = 0.7
#: Coherence over each topic's top terms (as ``topics``).
COHERENCE_TERMS = 10
STABILITY_TERMS = 20


@dataclass
class BatchFit:
    """What ``fit_in_batches`` found; topics in the fit's own order (not yet by prevalence)."""

    k: int
    units: Units
    vocab: list[str]
    transformer: Tfidf
    unit_weights: np.ndarray  # units × k, as MiniBatchNMF.transform gives them
    topic_term: np.ndarray  # k × terms, MiniBatchNMF's components
    coherence: np.ndarray  # per topic, NPMI of its top-10 terms over the units
    candidates: list  # per topic (sentences ascending, scores, shares)
    unit_chars: tuple = ()  # per unit, (first character, end of last token) in its document
    k_scores: object = None
    agreements: np.ndarray | None = None  # runs (or resamples) × topics
    notes: list[str] = field(default_factory=list)
    info: dict = field(default_factory=dict)  # the JSON's "batch_fit"


# --- pass 1: units and term counts ---------------------------------------------------------------


@dataclass
class UnitCounts:
    """Counts of one chunk (or merged): per n-gram size, the term keys (``None`` for words,
    whose key is the feature id) with their counts and unit frequencies; and the chunk's units."""

    keys: list
    counts: list
    unit_freq: list
    units: list  # Units of each chunk, in chunk order
    chars: list  # per chunk, the character offsets (first, last) of its units in their documents


def _unit_of_token(positions: np.ndarray, units: Units) -> np.ndarray:
    """The index into ``units`` of every token position (ascending), -1 outside every unit."""
    at = np.searchsorted(units.starts, positions, side="right") - 1
    inside = at >= 0
    inside[inside] &= positions[inside] < units.ends[at[inside]]
    return np.where(inside, at, -1)


class ChunkRows:
    """What every pass reads of a chunk: its units, and its features with each token's unit
    (within the chunk) and sentence."""

    def __init__(self, corpus, chunk: Chunk, mapping, kind: str, chunk_size: int, units: Units | None = None):
        tokens = corpus.tokens
        self.part = part = ChunkTokens(tokens, chunk)
        if units is None:
            paragraph = part.read("paragraph") if kind == "paragraph" else None
            units = document_units(kind, tokens.doc_starts, part.docs, paragraph=paragraph, chunk_size=chunk_size)
        self.units = units
        self.features = part.features(mapping)
        self.unit = _unit_of_token(part.positions, units) if len(part) else np.zeros(0, dtype=np.int64)
        self.features = np.where(self.unit >= 0, self.features, -1)

    def unit_chars(self) -> tuple[np.ndarray, np.ndarray]:
        """Each unit's first character and the end of its last token (the segments table),
        read with the chunk's tokens: indexing the snapshot's memory maps at every unit
        would page in all of ``char_starts`` and ``char_ends`` (370 MB on BBC ×50)."""
        tokens, positions, units = self.part.tokens, self.part.positions, self.units
        out = []
        for name, wanted in (("char_starts", units.starts), ("char_ends", np.maximum(units.ends - 1, units.starts))):
            dtype = getattr(tokens, name).dtype
            values = self.part.read(name) if len(positions) else np.zeros(0, dtype=dtype)
            at = np.minimum(np.searchsorted(positions, wanted), max(len(positions) - 1, 0))
            found = (positions[at] == wanted) if len(positions) else np.zeros(len(wanted), dtype=bool)
            result = np.zeros(len(wanted), dtype=dtype)
            result[found] = values[at[found]]
            missing = np.flatnonzero(~found & (wanted < len(tokens)))  # an empty document's unit
            if len(missing):
                result[missing] = np.asarray(getattr(tokens, name))[wanted[missing]]
            out.append(result)
        return out[0], out[1]

    def keys(self, n: int, n_features: int) -> tuple[np.ndarray, np.ndarray]:
        """Keys of the n-grams of kept features within a unit and a sentence (feature ids for
        n = 1), and the unit of each."""
        if n == 1:
            kept = self.features >= 0
            return self.features[kept].astype(np.int64), self.unit[kept]
        return ngram_keys(self.features, self.unit, self.part.sentence, n, n_features)


class UnitTermCounts:
    """Pass one: the units of every chunk, and per term its count and the number of units it
    occurs in (``core.dtm``'s counts, a chunk at a time)."""

    def __init__(self, mapping, ngram: tuple[int, int], kind: str, chunk_size: int):
        self.mapping, self.ngram, self.kind, self.chunk_size = mapping, ngram, kind, chunk_size
        self.n_features = len(mapping.vocab)

    def partial(self, corpus, chunk: Chunk) -> UnitCounts:
        rows = ChunkRows(corpus, chunk, self.mapping, self.kind, self.chunk_size)
        keys, counts, unit_freq = [], [], []
        for n in range(self.ngram[0], self.ngram[1] + 1):
            term, unit = rows.keys(n, self.n_features)
            if n == 1:
                keys.append(None)
                counts.append(np.bincount(term, minlength=self.n_features).astype(np.int64))
                pairs = distinct(unit * self.n_features + term)
                unit_freq.append(np.bincount(pairs % self.n_features, minlength=self.n_features).astype(np.int64))
                continue
            unique, inverse, count = np.unique(term, return_inverse=True, return_counts=True)
            width = max(len(unique), 1)
            in_units = np.bincount(distinct(unit * width + inverse.ravel()) % width, minlength=len(unique))
            keys.append(unique)
            counts.append(count.astype(np.int64))
            unit_freq.append(in_units.astype(np.int64))
        return UnitCounts(keys, counts, unit_freq, [rows.units], [rows.unit_chars()])

    def merge(self, partials: Iterable[UnitCounts]) -> UnitCounts:
        total = None
        for part in partials:
            if total is None:
                total = part
                continue
            for i, n in enumerate(range(self.ngram[0], self.ngram[1] + 1)):
                if n == 1:
                    total.counts[i] = total.counts[i] + part.counts[i]
                    total.unit_freq[i] = total.unit_freq[i] + part.unit_freq[i]
                else:
                    total.keys[i], (total.counts[i], total.unit_freq[i]) = merge_sorted(
                        total.keys[i], [total.counts[i], total.unit_freq[i]], part.keys[i], [part.counts[i], part.unit_freq[i]]
                    )
            total.units.extend(part.units)
            total.chars.extend(part.chars)
        if total is None:
            sizes = range(self.ngram[0], self.ngram[1] + 1)
            zeros = np.zeros(self.n_features, dtype=np.int64)
            total = UnitCounts(
                [None if n == 1 else empty_keys(n, self.n_features) for n in sizes],
                [zeros if n == 1 else np.zeros(0, dtype=np.int64) for n in sizes],
                [zeros if n == 1 else np.zeros(0, dtype=np.int64) for n in sizes],
                [],
                [],
            )
        return total


@dataclass
class Columns:
    """Where each term (per n-gram size: feature id or key) goes in the pruned vocabulary."""

    n_features: int
    ngram: tuple[int, int]
    selected: list  # per n: feature ids (n = 1) or sorted keys of the kept terms
    columns: list  # per n: their column numbers
    n_terms: int

    def matrix(self, rows: ChunkRows, n_rows: int, unit=None):
        """Counts (CSR, ``n_rows`` × terms) of the chunk's units, or of ``unit`` (one entry
        per token: the row, -1 for none; e.g. the sentence)."""
        from scipy import sparse

        all_rows, all_columns = [], []
        for i, n in enumerate(range(self.ngram[0], self.ngram[1] + 1)):
            if unit is None:
                term, row = rows.keys(n, self.n_features)
            else:
                features = np.where(unit >= 0, rows.features, -1)
                if n == 1:
                    kept = features >= 0
                    term, row = features[kept].astype(np.int64), unit[kept]
                else:
                    term, row = ngram_keys(features, unit, unit, n, self.n_features)
            if n == 1:
                column_of = np.full(self.n_features + 1, -1, dtype=np.int64)
                column_of[self.selected[i]] = self.columns[i]
                column = column_of[term]
            else:
                selected = self.selected[i]
                at = np.minimum(np.searchsorted(selected, term), max(len(selected) - 1, 0))
                found = selected[at] == term if len(selected) else np.zeros(len(term), dtype=bool)
                column = np.where(found, self.columns[i][at] if len(selected) else -1, -1)
            used = column >= 0
            all_rows.append(row[used])
            all_columns.append(column[used])
        row = np.concatenate(all_rows) if all_rows else np.zeros(0, dtype=np.int64)
        column = np.concatenate(all_columns) if all_columns else np.zeros(0, dtype=np.int64)
        matrix = sparse.csr_matrix((np.ones(len(row), dtype=np.int64), (row, column)), shape=(n_rows, self.n_terms))
        matrix.sum_duplicates()
        return matrix


def vocabulary(totals: UnitCounts, mapping, settings, n_units: int) -> tuple[list[str], Columns, np.ndarray]:
    """The pruned vocabulary (alphabetical, as ``document_term_matrix`` orders it), where each
    term goes, and the kept terms' unit frequencies."""
    n_features = len(mapping.vocab)
    spellings, sizes, keys, freq, count = [], [], [], [], []
    for i, n in enumerate(range(settings.ngram[0], settings.ngram[1] + 1)):
        if n == 1:
            present = np.flatnonzero(totals.unit_freq[i] > 0)
            spellings += [mapping.vocab[j] for j in present]
            keys.append(present)
            freq.append(totals.unit_freq[i][present])
            count.append(totals.counts[i][present])
        else:
            present = np.flatnonzero(totals.unit_freq[i] > 0)
            rows = decode_keys(totals.keys[i][present], n, n_features)
            spellings += [" ".join(mapping.vocab[j] for j in row) for row in rows.tolist()]
            keys.append(totals.keys[i][present])
            freq.append(totals.unit_freq[i][present])
            count.append(totals.counts[i][present])
        sizes.append(len(present))
    unit_freq = np.concatenate(freq) if freq else np.zeros(0, dtype=np.int64)
    term_count = np.concatenate(count) if count else np.zeros(0, dtype=np.int64)
    order = np.argsort(np.array(spellings, dtype=object), kind="stable") if spellings else np.zeros(0, dtype=np.int64)
    kept = order[kept_terms(unit_freq[order], lambda: term_count[order], n_units, min_df=settings.min_df, max_df=settings.max_df, max_features=settings.max_features)]
    column_of_entry = np.full(len(spellings), -1, dtype=np.int64)
    column_of_entry[kept] = np.arange(len(kept))
    selected, columns, at = [], [], 0
    for i, size in enumerate(sizes):
        entry_columns = column_of_entry[at : at + size]
        keep = entry_columns >= 0
        selected.append(keys[i][keep])
        columns.append(entry_columns[keep])
        at += size
    return [spellings[i] for i in kept], Columns(n_features, settings.ngram, selected, columns, len(kept)), unit_freq[kept]


# --- the fit ---------------------------------------------------------------------------------


def _chunk_tfidf(corpus, chunk: Chunk, units: Units, mapping, columns: Columns, transformer: Tfidf, settings, kind):
    rows = ChunkRows(corpus, chunk, mapping, kind, settings.chunk_size, units=units)
    counts = columns.matrix(rows, len(units))
    return rows, counts, transformer.transform(counts)


def _sample_rows(n_units: int, seed: int) -> np.ndarray:
    """The units of the sample: all of them, or ``SAMPLE_UNITS`` drawn with ``seed``."""
    if n_units <= SAMPLE_UNITS:
        return np.arange(n_units, dtype=np.int64)
    return np.sort(np.random.default_rng(seed).choice(n_units, size=SAMPLE_UNITS, replace=False))


def fit_in_batches(corpus, mapping, settings, *, unit: str, progress=None, check_k=None) -> BatchFit:
    """Fit ``settings.k`` NMF topics (or choose k) to ``corpus`` a chunk at a time (see the
    module's description); ``mapping`` is the features' ``FeatureMap``. ``check_k(k, n_units,
    n_terms, unit, settings)`` raises when k topics cannot be fitted."""
    # As in nmf.py: the dense products have k columns, and BLAS threads only wait for busy
    # cores (on BBC, MiniBatchNMF's transform spent most of its time in such waits).
    with one_blas_thread():
        return _fit_in_batches(corpus, mapping, settings, unit=unit, progress=progress, check_k=check_k)


def _fit_in_batches(corpus, mapping, settings, *, unit: str, progress, check_k) -> BatchFit:
    from scipy import sparse

    notes: list[str] = []
    chunks = document_chunks(corpus)
    counted = run(UnitTermCounts(mapping, settings.ngram, unit, settings.chunk_size), corpus, chunks)
    chunk_units = counted.units
    units = _concatenate_units(unit, chunk_units)
    n_units = len(units)
    unit_offsets = np.concatenate([[0], np.cumsum([len(u) for u in chunk_units])]).astype(np.int64)
    if not any((values > 0).any() for values in counted.unit_freq):
        raise UsageError("no terms remain after filtering; check the stop words and tokenisation settings")
    vocab, columns, unit_freq = vocabulary(counted, mapping, settings, n_units)
    if not vocab:
        raise UsageError(
            f"no terms remain after filtering; try a lower `min_df` (now {settings.min_df}) or a higher `max_df` (now {settings.max_df})"
        )
    transformer = Tfidf(_idf(unit_freq, n_units))
    if settings.idf_power != 1:
        transformer = Tfidf(transformer.idf ** settings.idf_power)
    n_terms = len(vocab)

    # Pass 2: the sample's rows.
    sample = _sample_rows(n_units, settings.seed)
    sample_counts, sample_tfidf = [], []
    for index, chunk in enumerate(chunks):
        first, last = unit_offsets[index], unit_offsets[index + 1]
        wanted = sample[(sample >= first) & (sample < last)] - first
        if len(wanted) == 0:
            continue
        _, counts, tfidf = _chunk_tfidf(corpus, chunk, chunk_units[index], mapping, columns, transformer, settings, unit)
        sample_counts.append(counts[wanted])
        sample_tfidf.append(tfidf[wanted])
    sample_counts = sparse.vstack(sample_counts).tocsr()
    sample_tfidf = sparse.vstack(sample_tfidf).tocsr()
    in_sample = f"{len(sample):,} of the {n_units:,} {unit}s" if len(sample) < n_units else f"all {n_units:,} {unit}s"

    exact = replace(settings, batch=False)
    k_scores, agreements, references = None, None, None
    if settings.k == "auto":
        low, high = settings.k_range
        high = min(high, n_units - 1, len(sample) - 1)
        if high < low:
            raise UsageError(
                f"`k` auto needs more units than {low} topics; there are {n_units} {unit}s "
                "(use `unit` paragraph or chunk, or a smaller `k_range`)"
            )
        if check_k:
            check_k(low, n_units, n_terms, unit, settings)
        high = min(high, n_terms)
        references, fits = {}, {}
        k, k_scores, all_agreements, reason = choose_k(
            sample_tfidf, sample_counts, exact, (low, high), progress=progress, references=references, fits=fits
        )
        agreements = all_agreements[k]
        start = fits[k][1]
        notes.append(f"k={k} chosen from {low}-{high} on a seeded sample of {in_sample}: {reason} (scores in k_scores)")
    else:
        k = settings.k
        if check_k:
            check_k(k, n_units, n_terms, unit, settings)
        _, start = fit_model(sample_tfidf, k=k, method="nmf", seed=settings.seed)

    model = _minibatch(k, start, n_units, settings.seed)
    rng = np.random.default_rng(settings.seed)
    steps = 0
    for epoch in range(EPOCHS):
        for index, chunk in enumerate(chunks):
            _, _, tfidf = _chunk_tfidf(corpus, chunk, chunk_units[index], mapping, columns, transformer, settings, unit)
            order = rng.permutation(tfidf.shape[0])
            for begin in range(0, len(order), BATCH_ROWS):
                rows = tfidf[np.sort(order[begin : begin + BATCH_ROWS])]
                if rows.nnz == 0:
                    continue
                _partial_fit(model, rows, start if steps == 0 else None)
                steps += 1
            if progress:
                progress(epoch * len(chunks) + index + 1, EPOCHS * len(chunks), "fitting in batches")
    topic_term = np.asarray(model.components_, dtype=np.float64)

    # Pass 4: weights, coherence counts, extract candidates.
    normalised = _normalise_rows(topic_term)
    coherence_columns = distinct(top_terms(normalised, COHERENCE_TERMS))
    together = np.zeros((len(coherence_columns), len(coherence_columns)))
    unit_weights = np.zeros((n_units, k))
    candidates = [(np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0)) for _ in range(k)]
    is_word = np.asarray(corpus.tokens.is_word)
    for index, chunk in enumerate(chunks):
        rows, counts, tfidf = _chunk_tfidf(corpus, chunk, chunk_units[index], mapping, columns, transformer, settings, unit)
        first = unit_offsets[index]
        if tfidf.shape[0]:
            unit_weights[first : first + tfidf.shape[0]] = _transform(model, tfidf)
        presence = (counts[:, coherence_columns] > 0).astype(np.float64)
        together += (presence.T @ presence).toarray()
        if settings.extracts:
            candidates = _merge_candidates(candidates, _chunk_candidates(rows, columns, transformer, normalised, is_word))
    coherence = coherence_from_cooccurrence(together, coherence_columns, top_terms(normalised, COHERENCE_TERMS), n_units)

    if settings.runs > 1:
        # Stability: NMF on resamples of the sample, against the batch model's top terms.
        reference = top_terms(topic_term, STABILITY_TERMS)
        found = []
        for done, other in enumerate(resampled_fits(sample_tfidf, k=k, method="nmf", seed=settings.seed, samples=settings.runs - 1), start=1):
            found.append(ranking_agreement(reference, top_terms(other, STABILITY_TERMS)))
            if progress:
                progress(done, settings.runs - 1, "runs")
        agreements = np.vstack(found)
    elif agreements is not None:
        # Measured on the sample's model: give each topic that of the sample topic it matches best.
        match = align_topics(jaccard_matrix(top_terms(topic_term, STABILITY_TERMS), references[k]))
        agreements = agreements[:, match]

    notes.append(
        f"fitted in batches: MiniBatchNMF over {len(chunks)} chunk(s) of documents × {EPOCHS} epochs "
        f"({steps} updates of at most {BATCH_ROWS} {unit}s), started from NMF on {in_sample}"
    )
    info = {
        "fitted_in_batches": True,
        "algorithm": "MiniBatchNMF",
        "chunks": len(chunks),
        "epochs": EPOCHS,
        "batch_units": BATCH_ROWS,
        "updates": steps,
        "sample_units": int(len(sample)),
        "k_chosen_on_sample": settings.k == "auto",
        "extract_candidates": CANDIDATES,
    }
    return BatchFit(
        k=k, units=units, vocab=vocab, transformer=transformer, unit_weights=unit_weights, topic_term=topic_term,
        coherence=coherence, candidates=candidates,
        unit_chars=tuple(np.concatenate([c[i] for c in counted.chars]) if counted.chars else np.zeros(0, dtype=np.int64) for i in (0, 1)),
        k_scores=k_scores, agreements=agreements, notes=notes, info=info,
    )


def _idf(unit_freq: np.ndarray, n_units: int) -> np.ndarray:
    """``Tfidf.fit``'s idf from document frequencies already counted."""
    idf = np.full(len(unit_freq), n_units + 1.0)
    idf /= unit_freq.astype(np.float64) + 1.0
    np.log(idf, out=idf)
    return idf + 1.0


def _concatenate_units(kind: str, parts: list[Units]) -> Units:
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return Units(kind, empty, empty, empty)
    return Units(kind, *(np.concatenate([getattr(u, name) for u in parts]).astype(np.int64) for name in ("doc", "starts", "ends")))


def _normalise_rows(matrix: np.ndarray) -> np.ndarray:
    totals = matrix.sum(axis=1, keepdims=True)
    return np.divide(matrix, totals, out=np.zeros_like(matrix), where=totals > 0)


def _minibatch(k: int, start: np.ndarray, n_units: int, seed: int):
    from sklearn.decomposition import MiniBatchNMF

    # partial_fit forgets at forget_factor ** (batch rows / first batch rows) per update; fit
    # uses forget_factor ** (batch rows / all rows): set it so that partial_fit forgets as fit would.
    forget = FORGET_FACTOR ** (min(BATCH_ROWS, n_units) / max(n_units, 1))
    return MiniBatchNMF(n_components=k, init="custom", batch_size=BATCH_ROWS, forget_factor=forget, max_iter=200, random_state=seed)


def _start(start: np.ndarray, rows) -> np.ndarray:
    """The sample's NMF topics as MiniBatchNMF's start. Multiplicative updates never move a
    zero, so zeros (terms the sample lacks, NNDSVD's zeros) start small instead, as
    scikit-learn's ``nndsvda`` fills them."""
    start = np.array(start, dtype=np.float64)
    fill = float(rows.data.mean()) / max(start.shape[1], 1) if rows.nnz else 1e-6
    start[start <= 0] = max(fill * 1e-2, 1e-12)
    return start


def _partial_fit(model, rows, start) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if start is None:
            model.partial_fit(rows)
        else:
            model.partial_fit(rows, W=np.ones((rows.shape[0], start.shape[0])), H=_start(start, rows))


def _transform(model, rows) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.asarray(model.transform(rows), dtype=np.float64)


def _chunk_candidates(rows: ChunkRows, columns: Columns, transformer: Tfidf, topic_term: np.ndarray, is_word: np.ndarray):
    """Per topic, this chunk's best ``CANDIDATES`` sentences: (sentences, scores, shares)."""
    part = rows.part
    sentence = part.sentence
    k = topic_term.shape[0]
    if len(sentence) == 0:
        return [(np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0)) for _ in range(k)]
    numbers, local = _numbered(sentence)
    # Every token is in a unit, so the chunk's features are all that sentences count (as
    # ``representative_sentences``, which counts features per sentence).
    counts = columns.matrix(rows, len(numbers), unit=local)
    projection = np.asarray(transformer.transform(counts) @ topic_term.T)
    words = np.bincount(local[is_word[part.ids]], minlength=len(numbers))
    share, score = sentence_scores(projection, words)
    out = []
    for topic in range(k):
        column = score[:, topic]
        positive = np.flatnonzero(column > 0)
        rounded = np.round(column[positive], 12)
        best = positive[np.lexsort((positive, -rounded))[:CANDIDATES]]
        best.sort()
        out.append((numbers[best].astype(np.int64), column[best], share[best, topic]))
    return out


def _numbered(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_inverse=True)``; sentence numbers of whole documents in
    order never decrease, so the changes number them without sorting."""
    values = np.asarray(values)
    if len(values) and not (np.diff(values) >= 0).all():
        numbers, inverse = np.unique(values, return_inverse=True)
        return numbers, inverse.ravel().astype(np.int64)
    change = np.ones(len(values), dtype=bool)
    change[1:] = values[1:] != values[:-1]
    return values[change], np.cumsum(change, dtype=np.int64) - 1


def _merge_candidates(kept: list, more: list) -> list:
    """Per topic, the best ``CANDIDATES`` of both (score rounded as ``_pick`` ranks, then
    sentence number), sentences ascending."""
    out = []
    for (s1, c1, h1), (s2, c2, h2) in zip(kept, more):
        sentences, scores, shares = np.concatenate([s1, s2]), np.concatenate([c1, c2]), np.concatenate([h1, h2])
        best = np.lexsort((sentences, -np.round(scores, 12)))[:CANDIDATES]
        best = best[np.argsort(sentences[best], kind="stable")]
        out.append((sentences[best], scores[best], shares[best]))
    return out

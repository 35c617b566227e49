"""Topic models of a corpus: TF-IDF + NMF (or LDA) on the cached tokens, with what explains them.

    model = topics(corpus, k=5, seed=0)            # or k="auto", k_range=(2, 12)
    model.topics            # DataFrame: topic, label, prevalence, coherence, stability, terms
    model.documents         # DataFrame: doc, topic (dominant), topic_0 ... topic_{k-1}
    model.extracts          # DataFrame: topic, rank, doc, sentence, weight
    topics_payload(model)   # the JSON users' scripts read

The pipeline: ``Tokens.features`` (stop words from the config; English removed by default) →
units (documents, or paragraphs when there are too few documents, see ``units.py``) →
counts → vocabulary filters → TF-IDF (``tfidf.py``: sublinear tf, as it separates BBC's topics best) →
NMF from NNDSVD (``topic_fit.py``) → topics sorted by prevalence, described by their top
terms, NPMI coherence, most representative documents and sentences (``topic_extracts.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any

import numpy as np

from ...config import TokenizeSettings
from ...core.corpus import Corpus
from ...core.dtm import DocumentTermMatrix, document_term_matrix, require_terms
from ...core.units import UNIT_KINDS, Units, choose_unit, make_units
from ...errors import UsageError
from ...validate import check_choice, check_fraction_or_count, check_int, count_or_share
from ..params import Params, check_qdpx, qdpx_fields
from .batch import fit_in_batches
from .extracts import extracts_from_candidates, representative_documents, representative_sentences
from .fit import METHODS, fit_model, resampled_fits
from .quality import align_topics, jaccard_matrix, ranking_agreement, top_terms, topic_coherence
from .selection import choose_k
from .tfidf import Tfidf

#: Top terms compared between resampled fits (Greene et al. 2014 use 20).
STABILITY_TERMS = 20


@dataclass(frozen=True)
class TopicSettings:
    """Every parameter of a topic model (one spelling with the CLI and the YAML config)."""

    k: int | str = "auto"
    k_range: tuple[int, int] = (2, 12)
    method: str = "nmf"
    unit: str = "auto"
    chunk_size: int = 200
    min_df: float | int = 2
    max_df: float | int = 0.95
    max_features: int | None = None
    idf_power: float = 1.5
    ngram: tuple[int, int] = (1, 1)
    seed: int = 0
    runs: int = 1
    samples: int = 8
    batch: bool = False
    terms: int = 10
    top_docs: int = 5
    extracts: int = 3

    def checked(self) -> TopicSettings:
        """These settings after validation (``UsageError`` naming the bad parameter)."""
        check_choice("method", self.method, METHODS)
        check_choice("unit", self.unit, ("auto", *UNIT_KINDS))
        if self.k != "auto":
            check_int("k", self.k, minimum=2)
        low, high = self.k_range
        check_int("k-range start", low, minimum=2)
        check_int("k-range end", high, minimum=low)
        check_fraction_or_count("min_df", self.min_df)
        check_fraction_or_count("max_df", self.max_df)
        if self.max_features is not None:
            check_int("max_features", self.max_features, minimum=1)
        if isinstance(self.idf_power, bool) or not isinstance(self.idf_power, (int, float)) or not 0 <= self.idf_power <= 4:
            raise UsageError(f"idf_power must be a number from 0 to 4; got {self.idf_power!r}", param="idf_power")
        check_int("seed", self.seed, minimum=0)
        check_int("runs", self.runs, minimum=1)
        check_int("samples", self.samples, minimum=2)
        check_int("terms", self.terms, minimum=2)
        check_int("top_docs", self.top_docs, minimum=0)
        check_int("extracts", self.extracts, minimum=0)
        if self.batch and self.method != "nmf":
            raise UsageError("batch works with method nmf (MiniBatchNMF); LDA has no batch mode here")
        return self


@dataclass
class TopicModel:
    """A fitted model and its description; every table is a tidy DataFrame."""

    settings: TopicSettings
    k: int
    unit: str
    units: Units
    vocab: list[str]
    topic_term: np.ndarray  # k × terms, rows sum to 1
    unit_weights: np.ndarray  # units × k, rows sum to 1 (0 for a unit with no terms)
    doc_weights: np.ndarray  # documents × k, length-weighted mean of their units
    doc_ids: list[str]
    topics: Any  # DataFrame
    documents: Any
    segments: Any
    extracts: Any
    representative_docs: Any
    k_scores: Any = None  # DataFrame when k was chosen automatically
    notes: list[str] = field(default_factory=list)
    batch_fit: dict | None = None  # how a ``batch`` model was fitted (chunks, epochs, sample); None without batch


def topic_features(corpus: Corpus, tokenize: TokenizeSettings):
    """The features topics count: the config's settings, English stop words by default,
    words only (no numbers or punctuation) of at least two characters."""
    return corpus.tokens.features(_feature_settings(tokenize), default_stopwords="english")


def _feature_settings(tokenize: TokenizeSettings) -> TokenizeSettings:
    return replace(tokenize, drop_numbers=True, drop_punct=True, min_length=max(tokenize.min_length, 2))


def prepare(corpus: Corpus, settings: TopicSettings, tokenize: TokenizeSettings):
    """Units, features, pruned counts (unit × term), TF-IDF matrix, fitted ``Tfidf``, notes."""

    notes = []
    unit = _unit_kind(corpus, settings, notes)
    units = make_units(corpus.tokens, unit, chunk_size=settings.chunk_size)
    features = topic_features(corpus, tokenize)
    counts = document_term_matrix(
        features, units.unit_of_token(len(features.ids)), len(units), ngram=settings.ngram,
        sentence=corpus.tokens.sentence if settings.ngram[1] > 1 else None,
    )
    require_terms(counts, "check the stop words and tokenisation settings")
    counts = counts.prune(min_df=settings.min_df, max_df=settings.max_df, max_features=settings.max_features)
    require_terms(counts, f"try a lower `min_df` (now {settings.min_df}) or a higher `max_df` (now {settings.max_df})")
    transformer = Tfidf.fit(counts.matrix)
    if settings.idf_power != 1:
        # A higher power weighs terms peculiar to few units more against common ones.
        transformer = Tfidf(transformer.idf ** settings.idf_power)
    tfidf = transformer.transform(counts.matrix)
    return units, features, counts, tfidf, transformer, notes


def _unit_kind(corpus: Corpus, settings: TopicSettings, notes: list[str]) -> str:
    """The kind of unit modelled (``unit`` auto decided, with a note saying so)."""
    if len(corpus) < 2:
        raise UsageError(
            f"a topic model needs at least 2 documents; the corpus has {len(corpus)} "
            "(add documents, or split a long document into one file per chapter or section)"
        )
    unit = settings.unit
    if unit == "auto":
        unit = choose_unit(len(corpus))
        if unit != "document":
            notes.append(
                f"{len(corpus)} documents are too few samples for a topic model; modelling "
                f"paragraphs instead (results are also given per document; `unit` document to change)"
            )
    return unit


def selection_matrix(settings: TopicSettings, counts: DocumentTermMatrix, model_input):
    """The matrix ``--k auto`` compares k on: the one the model is fitted to (TF-IDF with
    ``idf_power`` for NMF, counts for LDA). (The previous release compared k on TF-IDF with idf
    power 1; on the evaluation corpora the model's own matrix with 8 resamples chose better and
    more robustly: ``benchmarks/k_selection_bench.py``.)"""
    return model_input


def _model_input(settings: TopicSettings, counts: DocumentTermMatrix, tfidf):
    return counts.matrix if settings.method == "lda" else tfidf


def topics(
    corpus: Corpus,
    *,
    settings: TopicSettings | None = None,
    tokenize: TokenizeSettings | None = None,
    progress=None,
) -> TopicModel:
    """Fit and describe a topic model of ``corpus`` (see ``TopicSettings`` for parameters).

    ``progress(done, total, what)`` is called while k is chosen or runs are fitted.

    >>> model = topics(corpus, settings=TopicSettings(k=3, seed=0))
    >>> list(model.topics.columns)[:3]
    ['topic', 'label', 'prevalence']
    """

    settings = (settings or TopicSettings()).checked()
    tokenize = tokenize or corpus.tokenize
    if settings.batch:
        return _batch_topics(corpus, settings, tokenize, progress)
    units, features, counts, tfidf, transformer, notes = prepare(corpus, settings, tokenize)
    matrix = _model_input(settings, counts, tfidf)
    n_units, n_terms = matrix.shape

    k_scores, selection = None, None
    if settings.k == "auto":
        low, high = settings.k_range
        high = min(high, n_units - 1)
        if high < low:
            raise UsageError(
                f"`k` auto needs more units than {low} topics; there are {n_units} {units.kind}s "
                "(use `unit` paragraph or chunk, or a smaller `k_range`)"
            )
        _require_terms_for(low, n_terms, settings)
        if settings.method == "nmf":
            high = min(high, n_terms)
        selection = selection_matrix(settings, counts, matrix)
        references, fits = {}, {}
        k, k_scores, agreements, reason = choose_k(
            selection, counts.matrix, settings, (low, high), progress=progress, references=references, fits=fits
        )
        notes.append(f"k={k} chosen from {low}-{high}: {reason} (scores in k_scores)")
    else:
        k = settings.k
        if k >= n_units:
            more_units = "`unit` paragraph or chunk" if units.kind == "document" else "`unit` chunk with a smaller `chunk_size`"
            raise UsageError(
                f"`k` {k} needs more than {k} units; there are {n_units} {units.kind}s "
                f"(use a smaller `k`, or {more_units})"
            )
        _require_terms_for(k, n_terms, settings)
        agreements = None

    if selection is matrix:
        raw_weights, raw_topic_term = fits[k]  # the same fit as fit_model(matrix, k=k, ...) gives
    else:
        raw_weights, raw_topic_term = fit_model(matrix, k=k, method=settings.method, seed=settings.seed, batch=settings.batch)
    reference_terms = top_terms(raw_topic_term, STABILITY_TERMS)
    if settings.runs > 1:
        agreements = _run_agreements(matrix, settings, k, reference_terms, progress)
    elif agreements is not None:
        agreements = agreements[k]
        if selection is not matrix:
            # Per-topic stability was measured on the selection model: give each topic that of
            # the selection topic it matches best (Hungarian on top terms).
            match = align_topics(jaccard_matrix(reference_terms, references[k]))
            agreements = agreements[:, match]

    order = _by_prevalence(raw_weights, units.lengths)
    unit_weights = _normalise_rows(raw_weights[:, order])
    topic_term = _normalise_rows(raw_topic_term[order])
    doc_weights = _document_weights(unit_weights, units, len(corpus))
    stability = agreements[:, order].mean(axis=0) if agreements is not None else None

    terms = top_terms(topic_term, settings.terms)
    coherence = topic_coherence(counts.matrix, top_terms(topic_term, 10))
    prevalence = _prevalence(unit_weights, units.lengths)
    topic_table = _topic_table(topic_term, terms, counts.vocab, prevalence, coherence, stability)
    extracts = representative_sentences(corpus, features, topic_term, counts.vocab, transformer, settings=settings)
    return _described(corpus, settings, k=k, units=units, vocab=counts.vocab, topic_term=topic_term, unit_weights=unit_weights,
                      doc_weights=doc_weights, topic_table=topic_table, extracts=extracts, k_scores=k_scores, notes=notes)


def _batch_topics(corpus: Corpus, settings: TopicSettings, tokenize: TokenizeSettings, progress) -> TopicModel:
    """``topics`` with ``batch``: the model fitted a chunk of documents at a time (``batch.py``),
    described with the same tables."""
    notes: list[str] = []
    unit = _unit_kind(corpus, settings, notes)
    mapping = corpus.tokens.feature_map(_feature_settings(tokenize), default_stopwords="english")
    fit = fit_in_batches(corpus, mapping, settings, unit=unit, progress=progress, check_k=_check_k)
    notes += fit.notes
    units = fit.units
    order = _by_prevalence(fit.unit_weights, units.lengths)
    unit_weights = _normalise_rows(fit.unit_weights[:, order])
    topic_term = _normalise_rows(fit.topic_term[order])
    doc_weights = _document_weights(unit_weights, units, len(corpus))
    stability = fit.agreements[:, order].mean(axis=0) if fit.agreements is not None else None
    terms = top_terms(topic_term, settings.terms)
    prevalence = _prevalence(unit_weights, units.lengths)
    topic_table = _topic_table(topic_term, terms, fit.vocab, prevalence, fit.coherence[order], stability)
    extracts = extracts_from_candidates(corpus, [fit.candidates[t] for t in order], settings.extracts) if settings.extracts else extracts_from_candidates(corpus, [], 0)
    return _described(corpus, settings, k=fit.k, units=units, vocab=fit.vocab, topic_term=topic_term, unit_weights=unit_weights,
                      doc_weights=doc_weights, topic_table=topic_table, extracts=extracts, k_scores=fit.k_scores, notes=notes,
                      unit_chars=fit.unit_chars, batch_fit=fit.info)


def _described(corpus: Corpus, settings: TopicSettings, *, k: int, units: Units, vocab, topic_term, unit_weights, doc_weights,
               topic_table, extracts, k_scores, notes: list[str], unit_chars=None, batch_fit=None) -> TopicModel:
    """The ``TopicModel`` of a fitted model (either path): its document, segment and
    representative-document tables made from the weights."""
    return TopicModel(
        settings=settings,
        k=k,
        unit=units.kind,
        units=units,
        vocab=vocab,
        topic_term=topic_term,
        unit_weights=unit_weights,
        doc_weights=doc_weights,
        doc_ids=corpus.doc_ids,
        topics=topic_table,
        documents=_document_table(corpus.doc_ids, doc_weights),
        segments=_segment_table(corpus, units, unit_weights, chars=unit_chars),
        extracts=extracts,
        representative_docs=representative_documents(corpus.doc_ids, doc_weights, settings.top_docs),
        k_scores=k_scores,
        notes=notes,
        batch_fit=batch_fit,
    )


def _check_k(k: int, n_units: int, n_terms: int, kind: str, settings: TopicSettings) -> None:
    """A fixed ``k`` that the units or terms cannot carry: the errors ``topics`` gives."""
    if k >= n_units:
        more_units = "`unit` paragraph or chunk" if kind == "document" else "`unit` chunk with a smaller `chunk_size`"
        raise UsageError(
            f"`k` {k} needs more than {k} units; there are {n_units} {kind}s "
            f"(use a smaller `k`, or {more_units})"
        )
    _require_terms_for(k, n_terms, settings)


def _require_terms_for(k: int, n_terms: int, settings: TopicSettings) -> None:
    """NMF starts from k singular vectors (NNDSVD), so it needs at least k terms."""
    if settings.method == "nmf" and k > n_terms:
        raise UsageError(
            f"{k} NMF topics need at least {k} terms; {n_terms} remain after filtering "
            f"(use a smaller `k` or `k_range`, or a lower `min_df`, now {settings.min_df})"
        )


def _run_agreements(matrix, settings: TopicSettings, k: int, reference_terms, progress) -> np.ndarray:
    """Per run (row) and topic (column), agreement of top terms with the reference fit."""
    rows = []
    fits = resampled_fits(matrix, k=k, method=settings.method, seed=settings.seed, samples=settings.runs - 1, batch=settings.batch)
    for done, topic_term in enumerate(fits, start=1):
        rows.append(ranking_agreement(reference_terms, top_terms(topic_term, STABILITY_TERMS)))
        if progress:
            progress(done, settings.runs - 1, "runs")
    return np.vstack(rows)


def _by_prevalence(weights: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Topic order: most prevalent first (ties by the model's own order)."""
    prevalence = _prevalence(_normalise_rows(weights), lengths)
    return np.lexsort((np.arange(len(prevalence)), -np.round(prevalence, 12)))


def _normalise_rows(matrix: np.ndarray) -> np.ndarray:
    totals = matrix.sum(axis=1, keepdims=True)
    return np.divide(matrix, totals, out=np.zeros_like(matrix), where=totals > 0)


def _prevalence(unit_weights: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Share of the corpus' tokens given to each topic (units weighted by their length)."""
    mass = (unit_weights * lengths[:, None]).sum(axis=0)
    total = mass.sum()
    return mass / total if total > 0 else mass


def _document_weights(unit_weights: np.ndarray, units: Units, n_docs: int) -> np.ndarray:
    """Per document, the length-weighted mean of its units' topic shares."""
    out = np.zeros((n_docs, unit_weights.shape[1]))
    np.add.at(out, units.doc, unit_weights * units.lengths[:, None])
    return _normalise_rows(out)


def _label(terms: list[str]) -> str:
    return " / ".join(terms[:3])


def _topic_table(topic_term, terms, vocab, prevalence, coherence, stability):
    import pandas as pd

    rows = []
    for topic, row in enumerate(terms):
        words = [vocab[i] for i in row]
        rows.append(
            {
                "topic": topic,
                "label": _label(words),
                "prevalence": round(float(prevalence[topic]), 6),
                "coherence": round(float(coherence[topic]), 6),
                "stability": None if stability is None else round(float(stability[topic]), 6),
                "terms": ", ".join(words),
                "weights": [round(float(topic_term[topic, i]), 6) for i in row],
            }
        )
    return pd.DataFrame(rows)


def _document_table(doc_ids: list[str], doc_weights: np.ndarray):
    import pandas as pd

    frame = pd.DataFrame(np.round(doc_weights, 6), columns=[f"topic_{t}" for t in range(doc_weights.shape[1])])
    has_terms = doc_weights.sum(axis=1) > 0
    dominant = pd.array(np.where(has_terms, doc_weights.argmax(axis=1), -1), dtype="Int64")
    frame.insert(0, "topic", dominant)
    frame.loc[~has_terms, "topic"] = pd.NA
    frame.insert(0, "doc", doc_ids)
    return frame


def _segment_table(corpus: Corpus, units: Units, unit_weights: np.ndarray, chars=None):
    """One row per unit; ``chars``: its character offsets when already read (``batch``)."""
    import pandas as pd

    tokens = corpus.tokens
    frame = pd.DataFrame(np.round(unit_weights, 6), columns=[f"topic_{t}" for t in range(unit_weights.shape[1])])
    has_terms = unit_weights.sum(axis=1) > 0
    dominant = pd.array(np.where(has_terms, unit_weights.argmax(axis=1), -1), dtype="Int64")
    frame.insert(0, "topic", dominant)
    frame.loc[~has_terms, "topic"] = pd.NA
    if chars:
        frame.insert(0, "char_end", chars[1] if len(tokens) else 0)
        frame.insert(0, "char_start", chars[0] if len(tokens) else 0)
    else:
        ends = np.maximum(units.ends - 1, units.starts)
        frame.insert(0, "char_end", tokens.char_ends[ends] if len(tokens) else 0)
        frame.insert(0, "char_start", tokens.char_starts[units.starts] if len(tokens) else 0)
    frame.insert(0, "tokens", units.lengths)
    frame.insert(0, "segment", np.arange(len(units)))
    frame.insert(0, "doc", [corpus.documents[d].doc_id for d in units.doc])
    return frame


def group_weights(model: TopicModel, corpus: Corpus, field_name: str):
    """Mean document topic weights per value of a metadata field (``--by genre``)."""
    import pandas as pd

    corpus.require_field(field_name)
    values = [d.metadata.get(field_name) for d in corpus.documents]
    frame = pd.DataFrame(model.doc_weights, columns=[f"topic_{t}" for t in range(model.k)])
    frame.insert(0, field_name, ["(missing)" if v is None else str(v) for v in values])
    grouped = frame.groupby(field_name, sort=True)
    table = grouped.mean().round(6)
    table.insert(0, "documents", grouped.size())
    return table.reset_index()


#: ``topics_over`` groups a numeric field with more distinct values than this into equal bins.
MAX_PERIODS = 30
#: Bins of a numeric field with too many distinct values.
NUMERIC_BINS = 10


def topics_over(model: TopicModel, corpus: Corpus, field_name: str):
    """Topic shares per period of a date or number field (``--over year``): per period, the
    number of documents and the mean of their topic shares (each row sums to 1), in order.

    Dates (``2021-03-04``, ``2021-03``, ``2021``, or date objects) are grouped by year, or by
    month when they span fewer than three years; numbers by value, or into 10 equal-width
    bins when there are more than 30 distinct values. Documents without a value, or whose value
    is neither, are left out and counted in ``skipped`` (``frame.attrs``).
    """
    import pandas as pd

    corpus.require_field(field_name, param="over")
    values = [d.metadata.get(field_name) for d in corpus.documents]
    periods, kind = _periods(values, field_name)
    keep = np.array([p is not None for p in periods])
    frame = pd.DataFrame(model.doc_weights[keep], columns=[f"topic_{t}" for t in range(model.k)])
    frame.insert(0, "period", [p for p in periods if p is not None])
    grouped = frame.groupby("period", sort=True)
    table = grouped.mean().round(6)
    table.insert(0, "documents", grouped.size())
    table = table.reset_index()
    table.attrs = {"field": field_name, "kind": kind, "skipped": int((~keep).sum())}
    return table


def _periods(values: list, field_name: str) -> tuple[list, str]:
    """Sortable period labels for ``values`` (None where a value is missing or not usable), and
    ``"date"`` or ``"number"``."""
    import pandas as pd

    present = [v for v in values if v is not None and str(v).strip() != ""]
    if not present:
        raise UsageError(f"`over` {field_name}: no document has a value for '{field_name}'")
    numbers = pd.to_numeric(pd.Series([_plain(v) for v in values], dtype=object), errors="coerce")
    looks_numeric = numbers.notna().sum() >= 0.5 * len(present) and not all(_is_date_text(v) for v in present)
    if looks_numeric and not _all_years(numbers):
        distinct = np.unique(numbers.dropna())
        if len(distinct) <= MAX_PERIODS:
            # Numbers, not their text, so that 2 comes before 10.
            return [None if pd.isna(x) else (int(x) if float(x).is_integer() else float(x)) for x in numbers], "number"
        edges = np.linspace(distinct.min(), distinct.max(), NUMERIC_BINS + 1)
        bins = np.clip(np.searchsorted(edges, numbers.fillna(edges[0]), side="right") - 1, 0, NUMERIC_BINS - 1)
        labels = [f"{_number_label(edges[b])}–{_number_label(edges[b + 1])}" for b in range(NUMERIC_BINS)]
        # Zero-padded bin numbers keep the labels in numeric order when sorted as text.
        return [None if pd.isna(x) else f"{b:02d}: {labels[b]}" for x, b in zip(numbers, bins)], "number"
    dates = pd.to_datetime(pd.Series([_plain(v) for v in values], dtype=object), errors="coerce", format="mixed")
    if dates.notna().sum() == 0:
        raise UsageError(
            f"`over` {field_name}: its values are neither dates nor numbers (e.g. '{present[0]}'); "
            "use `by` for categories"
        )
    span_years = dates.max().year - dates.min().year
    if span_years < 3 and not _all_years(numbers):
        return [None if pd.isna(d) else f"{d.year:04d}-{d.month:02d}" for d in dates], "date"
    return [None if pd.isna(d) else f"{d.year:04d}" for d in dates], "date"


def _plain(value):
    if value is None:
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).strip()


def _is_date_text(value) -> bool:
    import re

    return hasattr(value, "isoformat") or bool(re.fullmatch(r"\d{4}-\d{1,2}(-\d{1,2})?([ T].*)?", str(value).strip()))


def _all_years(numbers) -> bool:
    """Whole numbers between 1000 and 2999 only: a year field, grouped as dates by year."""
    present = numbers.dropna()
    return len(present) > 0 and bool(((present % 1 == 0) & (present >= 1000) & (present <= 2999)).all())


def _number_label(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:.4g}"



@dataclass(frozen=True)
class TopicsParams(TopicSettings, Params):
    """``topics``: every parameter of ``peercorpus topics`` (``TopicSettings``, the same
    names) plus ``by``, ``labels`` (a label sheet, relative to the config file) and ``plots``."""

    by: str | None = None
    labels: str | None = None
    plots: bool = True
    qdpx: str | None = None
    qdpx_unit: str = "sentence"
    qdpx_threshold: float = 0.5
    case: str | None = None
    where: tuple[str, ...] = ()

    def settings(self) -> TopicSettings:
        """The model's ``TopicSettings``, document-frequency bounds read as the CLI reads them."""
        values = {f.name: getattr(self, f.name) for f in fields(TopicSettings)}
        values.update(min_df=count_or_share(self.min_df), max_df=count_or_share(self.max_df, one_is_all=True))
        return TopicSettings(**values)

    def checked(self) -> TopicsParams:
        """``Params.checked`` (``TopicSettings.checked`` comes first in the bases, and would
        check only the model's settings)."""
        return Params.checked(self)

    def check(self) -> None:
        self.settings().checked()  # k is already a number or "auto" (spec.py parses it)
        check_qdpx(self.qdpx, self.qdpx_unit, ("sentence", "paragraph"), "qdpx_unit")
        if isinstance(self.qdpx_threshold, bool) or not isinstance(self.qdpx_threshold, (int, float)) or not 0 <= self.qdpx_threshold <= 1:
            raise UsageError(f"qdpx_threshold must be a share between 0 and 1; got {self.qdpx_threshold!r}", param="qdpx_threshold")

    def fields_used(self) -> dict[str, str]:
        return {**({"by": self.by} if self.by else {}), **qdpx_fields(self)}

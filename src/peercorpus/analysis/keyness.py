"""Keywords: which words set a target group of texts apart from a reference.

    table = keyness(corpus, settings, target=["genre=blog"])                  # vs the rest
    table = keyness(corpus, settings, target=["genre=blog"], reference=["genre=preprint"])
    table = keyness_against_counts(corpus, settings, reference_counts, reference_size)

Every row shows the raw counts in target and reference, the target range (how many target
documents use the word), G² with its p-value, χ², log ratio and %DIFF (``association.py``);
``keyness`` is ``positive`` (more frequent in the target) or ``negative``. Rows must pass
``alpha`` (divided by the number of words tested with ``bonferroni``), ``min_count`` in the
target or reference and ``min_range`` target documents (for positive keywords).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config import TokenizeSettings
from ..core.chunks import document_chunks, run
from ..core.corpus import Corpus, parse_condition
from ..core.vocabulary import normalize_form
from ..errors import InputError, UsageError
from ..validate import check_int
from .association import chi2_p_value, chi_square, log_likelihood, log_ratio, percent_diff
from .params import Params
from .partials import TermCounts


def select_groups(corpus: Corpus, target: list[str], reference: list[str] | None) -> tuple[np.ndarray, np.ndarray]:
    """Document indices of the target and the reference (default: every other document)."""
    target_docs = corpus.where_indices(target)
    if len(target_docs) == 0:
        raise UsageError(f"`target` {' '.join(target)} matches no document{_values_hint(corpus, target)}")
    if reference:
        reference_docs = corpus.where_indices(reference)
        if len(reference_docs) == 0:
            raise UsageError(f"`reference` {' '.join(reference)} matches no document{_values_hint(corpus, reference)}")
    else:
        reference_docs = np.setdiff1d(np.arange(len(corpus)), target_docs)
    if len(reference_docs) == 0:
        raise UsageError(f"`target` {' '.join(target)} matches every document: there is no reference{_values_hint(corpus, target)}")
    if np.array_equal(np.sort(target_docs), np.sort(reference_docs)):
        raise UsageError(f"`target` and `reference` select the same documents{_values_hint(corpus, target)}")
    return target_docs, reference_docs


def _values_hint(corpus: Corpus, conditions: list[str]) -> str:
    fields = {parse_condition(c).field for c in conditions}
    hints = [f"{f}: {', '.join(str(v) for v in corpus.values(f))}" for f in sorted(fields) if f in corpus.fields()]
    return f"; values present: {'; '.join(hints)}" if hints else ""


def keyness(corpus: Corpus, settings: TokenizeSettings, *, target: list[str], reference: list[str] | None = None, **options):
    """Keywords of the ``target`` documents against the ``reference`` documents (see module)."""
    target_docs, reference_docs = select_groups(corpus, target, reference)
    mapping = corpus.within()[0].tokens.feature_map(settings, default_stopwords="none")
    in_target = _term_counts(corpus, mapping, target_docs)
    in_reference = _term_counts(corpus, mapping, reference_docs)
    used = _alphabetical(mapping.vocab, np.flatnonzero((in_target.counts + in_reference.counts) > 0))
    return keyness_table(
        [mapping.vocab[i] for i in used], in_target.counts[used], in_reference.counts[used],
        int(in_target.sizes.sum()), int(in_reference.sizes.sum()), in_target.doc_freq[used], **options,
    )


def _term_counts(corpus: Corpus, mapping, docs=None):
    """Word counts, document frequencies and sizes of ``docs``, a chunk of documents at a time."""
    return run(TermCounts(mapping, 1), corpus, document_chunks(corpus, docs=docs))


def _alphabetical(vocab: list[str], ids: np.ndarray) -> np.ndarray:
    return ids[np.argsort(np.array([vocab[i] for i in ids], dtype=object), kind="stable")] if len(ids) else ids


def corpus_counts(corpus: Corpus, settings: TokenizeSettings) -> tuple[dict[str, int], int]:
    """Every word's count in ``corpus`` and the number of words counted (a reference corpus
    for ``keyness_against_counts``), a chunk of documents at a time."""
    mapping = corpus.within()[0].tokens.feature_map(settings, default_stopwords="none")
    totals = _term_counts(corpus, mapping)
    used = _alphabetical(mapping.vocab, np.flatnonzero(totals.counts > 0))
    return dict(zip([mapping.vocab[i] for i in used], totals.counts[used].tolist())), int(totals.sizes.sum())


def keyness_against_counts(corpus: Corpus, settings: TokenizeSettings, reference_counts: dict[str, int], reference_size: int | None = None, **options):
    """Keywords of the whole ``corpus`` against a word-frequency list (or another corpus' counts)."""
    mapping = corpus.within()[0].tokens.feature_map(settings, default_stopwords="none")
    totals = _term_counts(corpus, mapping)
    present = _alphabetical(mapping.vocab, np.flatnonzero(totals.counts > 0))
    present_vocab = [mapping.vocab[i] for i in present]
    vocab = sorted(set(present_vocab) | set(reference_counts))
    position = {term: i for i, term in enumerate(present_vocab)}
    columns = np.array([position.get(term, -1) for term in vocab], dtype=np.int64)
    corpus_totals = totals.counts[present]
    doc_freq = totals.doc_freq[present]
    a = np.where(columns >= 0, corpus_totals[np.maximum(columns, 0)], 0) if len(present) else np.zeros(len(vocab), dtype=np.int64)
    target_range = np.where(columns >= 0, doc_freq[np.maximum(columns, 0)], 0) if len(present) else np.zeros(len(vocab), dtype=np.int64)
    b = np.array([reference_counts.get(term, 0) for term in vocab])
    size = reference_size if reference_size is not None else int(b.sum())
    if size <= 0:
        raise UsageError("the reference has no words")
    return keyness_table(vocab, a, b, int(totals.sizes.sum()), size, target_range, **options)


def keyness_against_corpus(corpus: Corpus, settings: TokenizeSettings, reference: Corpus, **options):
    """Keywords of the whole ``corpus`` against another corpus, counted with the same settings."""
    counts, size = corpus_counts(reference, settings)  # a chunk of documents at a time
    return keyness_against_counts(corpus, settings, counts, size, **options)


def keyness_table(vocab, a, b, c: int, d: int, target_range, *, alpha: float = 0.05, bonferroni: bool = False, min_count: int = 3, min_range: int = 1, top: int | None = None):
    """The keyword table from target counts ``a`` (of ``c`` tokens) and reference ``b`` (of ``d``)."""
    import pandas as pd

    check_int("min_count", min_count, minimum=1)
    check_int("min_range", min_range, minimum=1)
    if not 0 < alpha <= 1:
        raise UsageError(f"alpha must be in (0, 1]; got {alpha}", param="alpha")
    if c == 0 or d == 0:
        raise UsageError("the target or the reference has no words after the tokenisation settings")
    a, b, target_range = (np.asarray(x, dtype=np.int64) for x in (a, b, target_range))
    tested = np.flatnonzero((a + b) >= min_count)
    threshold = alpha / max(len(tested), 1) if bonferroni else alpha
    a_t, b_t = a[tested], b[tested]
    g2 = log_likelihood(a_t, b_t, c, d)
    p = chi2_p_value(g2)
    positive = a_t / c > b_t / d
    table = pd.DataFrame(
        {
            "term": [vocab[i] for i in tested],
            "keyness": np.where(positive, "positive", "negative"),
            "target_count": a_t,
            "reference_count": b_t,
            "target_per_million": np.round(a_t / c * 1e6, 2),
            "reference_per_million": np.round(b_t / d * 1e6, 2),
            "target_range": target_range[tested],
            "g2": np.round(g2, 4),
            "p": p,
            "chi2": np.round(chi_square(a_t, b_t, c, d), 4),
            "log_ratio": np.round(log_ratio(a_t, b_t, c, d), 4),
            "pct_diff": np.round(percent_diff(a_t, b_t, c, d), 2),
        }
    )
    keep = (table["p"] < threshold) & ~((table["keyness"] == "positive") & (table["target_range"] < min_range))
    table = table[keep]
    parts = []
    for direction in ("positive", "negative"):
        part = table[table["keyness"] == direction].sort_values(["g2", "term"], ascending=[False, True])
        parts.append(part.head(top) if top else part)
    result = pd.concat(parts, ignore_index=True)
    result["p"] = [float(f"{value:.4g}") for value in result["p"]]
    return result


def read_frequency_list(path) -> dict[str, int]:
    """A reference word list: CSV with columns word (or term) and count."""
    import pandas as pd


    try:
        frame = pd.read_csv(path, keep_default_na=False, encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"reference list not found: {path}") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: not a readable CSV ({str(error).splitlines()[0]})") from None
    word = "word" if "word" in frame.columns else "term" if "term" in frame.columns else None
    if word is None or "count" not in frame.columns:
        raise InputError(f"{path}: a reference list needs columns word,count; found {', '.join(map(str, frame.columns))}")
    counts: dict[str, int] = {}
    for line, (term, count) in enumerate(zip(frame[word], frame["count"]), start=2):
        try:
            value = int(count)
        except (TypeError, ValueError):
            raise InputError(f"{path} line {line}: count '{count}' is not a whole number") from None
        if value < 0:
            raise InputError(f"{path} line {line}: count {value} is negative")
        key = normalize_form(str(term))
        counts[key] = counts.get(key, 0) + value
    return counts



Comparisons = tuple[dict, ...]  # [{target: [...], reference: [...]}], read by report/spec.py


@dataclass(frozen=True)
class KeynessParams(Params):
    """``keyness``: keywords of each comparison's target against its reference (default: the
    other documents). ``comparisons: [{target: [genre=blog], reference: [genre=preprint]}]``."""

    comparisons: Comparisons
    alpha: float = 0.05
    bonferroni: bool = False
    min_range: int = 1
    min_count: int = 3
    top: int | None = None  # every row; a report shows TOP_SHOWN['report'] when not given
    plot: bool = True
    where: tuple[str, ...] = ()

    def check(self) -> None:
        if not 0 < self.alpha <= 1:
            raise UsageError(f"alpha must be in (0, 1]; got {self.alpha}", param="alpha")
        check_int("min_range", self.min_range, minimum=1)
        check_int("min_count", self.min_count, minimum=1)
        if self.top is not None:
            check_int("top", self.top, minimum=1)

    def conditions_used(self) -> dict[str, tuple[str, ...]]:
        used = dict(super().conditions_used())
        for number, comparison in enumerate(self.comparisons):
            used[f"comparisons {number + 1} target"] = tuple(comparison["target"])
            if comparison.get("reference"):
                used[f"comparisons {number + 1} reference"] = tuple(comparison["reference"])
        return used

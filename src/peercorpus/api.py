"""The front door for Python: one verb per analysis, taking the corpus and its parameters.

Each verb builds the analysis' ``Params`` (the same object the CLI and report configs build),
checks it once, narrows the corpus with ``where`` and calls the library function with the
tokenisation settings the corpus was loaded with (its config's ``tokenize`` section)::

    import peercorpus as pc
    corpus = pc.load_corpus("corpora/")
    pc.kwic(corpus, "hope", window=5)                       # DataFrame, one row per hit
    pc.frequency(corpus, top=20)                            # DataFrame, one row per word
    pc.keyness(corpus, target=["genre=blog"])               # against the other documents
    pc.topics(corpus, k=5).topics                           # TopicModel; its tables are DataFrames
    pc.code(corpus, "codebook.yaml").themes                 # Coding; its tables are DataFrames

Parameters are keyword arguments named as in the YAML config and the CLI (``min_count`` ↔
``--min-count``), or a ready ``Params`` object: ``pc.frequency(corpus, FreqParams(top=20))``.
An unknown or invalid parameter is a ``UsageError`` that names it.
"""

from __future__ import annotations

from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from .analysis import codebook as codebooks
from .analysis import coding, collocation
from .analysis import dispersion as spread
from .analysis import frequency as counting
from .analysis import keyness as keywords
from .analysis import kwic as concordance
from .analysis import stats as statistics
from .analysis.coding import CodebookParams
from .analysis.collocation import CollocatesParams, CollocationsParams
from .analysis.dispersion import DispersionParams
from .analysis.frequency import FreqParams
from .analysis.keyness import KeynessParams
from .analysis.kwic import KwicParams
from .analysis.params import Params
from .analysis.stats import StatsParams
from .analysis.topics import model as topic_model
from .analysis.topics.model import TopicSettings, TopicsParams
from .config import unknown_key_message
from .core.corpus import Corpus
from .errors import UsageError


def _params(cls: type[Params], given: Params | None, options: dict[str, Any]) -> Params:
    """``given`` (or the defaults) with ``options`` applied, checked; lists become tuples, and
    one string where a tuple goes becomes a tuple of it (``where="genre=blog"``)."""
    types = {f.name: str(f.type) for f in fields(cls)}
    for name in options:
        if name not in types:
            raise UsageError(f"{cls.__name__}: {unknown_key_message(name, sorted(types)).replace('key', 'parameter', 1)}", param=name)
    options = {k: _as_tuple(v) if types[k].startswith("tuple") else v for k, v in options.items()}
    try:
        params = replace(given, **options) if given is not None else cls(**options)
    except TypeError as error:  # a required parameter left out
        raise UsageError(f"{cls.__name__}: {error}") from None
    return params.checked()


def _as_tuple(value: Any) -> Any:
    """A list as a tuple, a string as a tuple of it; anything else as it is."""
    if isinstance(value, str):
        return (value,)
    return tuple(value) if isinstance(value, list) else value


def _narrowed(corpus: Corpus, where: tuple[str, ...]) -> Corpus:
    """The documents ``where`` keeps: a view over the same arrays (``Corpus.within``)."""
    return corpus.where(list(where)) if where else corpus


def frequency(corpus: Corpus, params: FreqParams | None = None, **options):
    """Word (or n-gram) frequencies with per-million rates, range and Gries' DP; with ``by`` a
    field, one row per group and term. Parameters: ``FreqParams``.

    >>> table = frequency(corpus, top=5)          # doctest: +SKIP
    >>> list(table.columns)[:4]                   # doctest: +SKIP
    ['rank', 'term', 'count', 'per_million']
    """
    p = _params(FreqParams, params, options)
    corpus = _narrowed(corpus, p.where)
    if p.by:
        return counting.frequency_long(corpus, corpus.tokenize, p.by, ngram=p.ngram, min_count=p.min_count, top=p.top)
    return counting.frequency(corpus, corpus.tokenize, ngram=p.ngram, min_count=p.min_count, top=p.top)


def kwic(corpus: Corpus, queries: str | list[str], params: KwicParams | None = None, **options):
    """Concordance lines of one query or several (words, phrases, wildcards, ``regex=True``
    patterns): one row per hit with ``left``, ``match``, ``right``, ``sentence``, positions and
    the document's metadata. Parameters: ``KwicParams``."""
    queries = [queries] if isinstance(queries, str) else list(queries)
    p = _params(KwicParams, params, {"queries": tuple(queries), **options})
    return concordance.kwic(
        _narrowed(corpus, p.where), list(p.queries), window=p.window, chars=p.chars, context=p.context, match=p.match,
        case_sensitive=p.case_sensitive, regex=p.regex, sort=list(p.sort) or None,
        sample=p.sample, seed=p.seed, limit=p.limit,
    )


def keyness(
    corpus: Corpus, params: KeynessParams | None = None, *, target: list[str] | None = None, reference: list[str] | None = None,
    reference_corpus: Corpus | None = None, reference_counts: dict[str, int] | None = None, **options,
):
    """Keywords of the ``target`` documents (metadata conditions, ``["genre=blog"]``) against the
    ``reference`` documents (default: all the others), or of the whole corpus against
    ``reference_corpus`` (another ``Corpus``) or ``reference_counts`` (a word-frequency list):
    G², p, log ratio, %DIFF. Parameters: ``KeynessParams`` (``target``/``reference`` fill its one
    comparison)."""
    given = [name for name, value in (("target", target), ("reference_corpus", reference_corpus), ("reference_counts", reference_counts)) if value is not None]
    if len(given) > 1:
        raise UsageError(f"give one of target, reference_corpus or reference_counts; got {' and '.join(given)}", param=given[1])
    if reference_corpus is not None or reference_counts is not None:
        p = _params(KeynessParams, params, {"comparisons": (), **options})
        corpus = _narrowed(corpus, p.where)
        options = dict(alpha=p.alpha, bonferroni=p.bonferroni, min_count=p.min_count, min_range=p.min_range, top=p.top)
        if reference_corpus is not None:
            return keywords.keyness_against_corpus(corpus, corpus.tokenize, reference_corpus, **options)
        return keywords.keyness_against_counts(corpus, corpus.tokenize, reference_counts, **options)
    if target is not None:
        options["comparisons"] = ({"target": list(_as_tuple(target)), "reference": list(_as_tuple(reference or []))},)
    p = _params(KeynessParams, params, options)
    if len(p.comparisons) != 1:
        raise UsageError("keyness compares one target with one reference: give target= (and reference=)", param="comparisons")
    comparison = p.comparisons[0]
    corpus = _narrowed(corpus, p.where)
    return keywords.keyness(
        corpus, corpus.tokenize, target=list(comparison["target"]), reference=list(comparison.get("reference") or []) or None,
        alpha=p.alpha, bonferroni=p.bonferroni, min_count=p.min_count, min_range=p.min_range, top=p.top,
    )


def collocates(corpus: Corpus, node: str, params: CollocatesParams | None = None, **options):
    """Words within a window of ``node`` with observed/expected counts, G², MI, t and logDice.
    Parameters: ``CollocatesParams``. Returns the table (the node's count is in ``attrs``)."""
    p = _params(CollocatesParams, params, {"node": node, **options})
    corpus = _narrowed(corpus, p.where)
    table, node_count = collocation.collocates(
        corpus, corpus.tokenize, p.node, left=p.left, right=p.right, measure=p.measure,
        min_count=p.min_count, top=p.top, match=p.match,
    )
    table.attrs["node_count"] = node_count
    return table


def collocations(corpus: Corpus, params: CollocationsParams | None = None, **options):
    """Adjacent word pairs (``size=3``: triples) scored with NLTK's association measures.
    Parameters: ``CollocationsParams``."""
    p = _params(CollocationsParams, params, options)
    corpus = _narrowed(corpus, p.where)
    return collocation.collocations(corpus, corpus.tokenize, size=p.size, measure=p.measure, min_count=p.min_count, top=p.top)


def dispersion(corpus: Corpus, terms: str | list[str], params: DispersionParams | None = None, **options):
    """Where each term occurs: hits, per million, range, Juilland's D, Gries' DP. Parameters:
    ``DispersionParams``."""
    terms = [terms] if isinstance(terms, str) else list(terms)
    p = _params(DispersionParams, params, {"terms": tuple(terms), **options})
    table, _ = spread.dispersion_table(_narrowed(corpus, p.where), list(p.terms), match=p.match, case_sensitive=p.case_sensitive, regex=p.regex)
    return table


def stats(corpus: Corpus, params: StatsParams | None = None, **options):
    """Per document (or, with ``by``, per group): words, types, TTR, MATTR, sentence length,
    Flesch. Parameters: ``StatsParams``."""
    p = _params(StatsParams, params, options)
    corpus = _narrowed(corpus, p.where)
    table = statistics.text_stats(corpus)
    return statistics.group_stats(table, corpus, p.by) if p.by else table


def topics(corpus: Corpus, params: TopicsParams | TopicSettings | None = None, *, progress=None, **options):
    """A TF-IDF + NMF topic model (``k="auto"`` chooses k); a ``TopicModel`` whose tables
    (``topics``, ``terms``, ``documents``, ``k_scores``, ...) are DataFrames. Parameters:
    ``TopicsParams`` (every ``TopicSettings`` field, plus ``where``)."""
    if isinstance(params, TopicSettings) and not isinstance(params, TopicsParams):
        params = TopicsParams(**{f.name: getattr(params, f.name) for f in fields(TopicSettings)})
    p = _params(TopicsParams, params, options)
    corpus = _narrowed(corpus, p.where)
    return topic_model.topics(corpus, settings=p.settings(), tokenize=corpus.tokenize, progress=progress)


def code(corpus: Corpus, codebook, params: CodebookParams | None = None, **options):
    """Dictionary coding: ``codebook`` is a ``Codebook``, a YAML/REFI-QDA file, or a mapping of
    themes to terms (``{"hope": ["hope*"]}``). Returns a ``Coding`` whose tables
    (``document_counts``, ``themes``, ``cooccurrence``, ``extracts``) are DataFrames.
    Parameters: ``CodebookParams`` (``cooccurrence``, ``match``, ``case_sensitive``, ``extracts``, ``where``)."""
    if isinstance(codebook, (str, Path)):
        book, options = codebooks.load_codebook(Path(codebook)), {"codebook": str(codebook), **options}
    elif isinstance(codebook, dict):
        book, options = codebooks.parse_codebook(codebook), {"themes": codebook, **options}
    elif isinstance(codebook, codebooks.Codebook):
        book, options = codebook, {"themes": {}, **options}
    else:
        raise UsageError(f"codebook must be a Codebook, a file or a mapping of themes; got {type(codebook).__name__}", param="codebook")
    p = _params(CodebookParams, params, options)
    return coding.code_corpus(
        _narrowed(corpus, p.where), book, cooccurrence=p.cooccurrence, match=p.match, case_sensitive=p.case_sensitive, extracts=p.extracts,
    )

"""Run one analysis of a report through the library functions the commands use, into a ``Section``.

    section = run_analysis(analysis, context)     # never raises for a failed analysis:
    section.error                                  # ... it says why instead

Each ``_run_<name>`` fills the section's tables, plots, notes, the parameters it used and one
sentence for the methods section. No printing and no statistics here: those live in
``analysis/``; this module only chooses what a report shows.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..analysis.coding import code_corpus, group_counts
from ..analysis.collocation import collocates, collocations
from ..analysis.dispersion import dispersion_table
from ..analysis.frequency import frequency, frequency_by, frequency_long
from ..analysis.info import corpus_totals, counted, document_table, totals_summary
from ..analysis.keyness import keyness
from ..analysis.kwic import concordance_lines, find_hits, kwic_summary, shown_hits
from ..analysis.stats import group_stats, text_stats
from ..analysis.topics.labels import match_labels, with_labels
from ..analysis.topics.model import group_weights, topics
from ..core.corpus import Corpus
from ..errors import PeerCorpusError, as_option
from ..qda.passages import TOPIC_MIN_WORDS, coding_passages, kwic_passages, topic_passages
from ..qda.project import restrict, write_qdpx
from ..render.concordance import concordance_html, concordance_markdown, concordance_table
from ..render.dispersion_plot import plot_dispersion_counts
from ..render.keyness_plot import plot_keyness
from ..render.topic_plots import plot_document_heatmap, plot_topic_terms
from .sections import SHOWN_ROWS, ReportPlot, ReportTable, Section
from .spec import AnalysisSpec, ReportSpec


@dataclass
class Context:
    """What every analysis may use: the corpus, the checked config, where plots go, and the
    files the config refers to, already read (codebooks, topic label sheets)."""

    corpus: Corpus
    spec: ReportSpec
    folder: Path  # the report folder being written; plots go to folder / "plots"
    codebooks: dict[str, Any] = field(default_factory=dict)  # analysis id → Codebook
    labels: dict[str, Any] = field(default_factory=dict)  # analysis id → label sheet

    @property
    def tokenize(self):
        return self.spec.config.tokenize

    def plot_path(self, name: str) -> Path:
        """Where a plot called ``name`` is written, relative to the report folder."""
        return Path("plots") / f"{name}.png"


def run_analysis(analysis: AnalysisSpec, context: Context, *, reraise: bool = False) -> Section:
    """Run ``analysis``; a failure becomes ``section.error`` (the other analyses still run)."""
    section = Section(analysis)
    section.parameters = _parameters(analysis)
    started = time.perf_counter()
    try:
        _RUNNERS[analysis.name](analysis.params, context, section)
    except PeerCorpusError as error:
        if reraise:
            raise
        section.error = error.spelled(as_option)  # as reports have always said it: "--k 40 needs ..."
    except Exception as error:  # a bug must not cost the user the other analyses
        if reraise:
            raise
        section.error = f"{type(error).__name__}: {error} (a bug in peercorpus: please report it with --traceback)"
    section.seconds = time.perf_counter() - started
    if section.error:
        section.tables.clear()
        section.plots.clear()
    return section


def _parameters(analysis: AnalysisSpec) -> dict[str, Any]:
    return {key: list(value) if isinstance(value, tuple) else value for key, value in asdict(analysis.params).items()}


def _narrowed(corpus: Corpus, where: tuple[str, ...]) -> Corpus:
    return corpus.where(list(where)) if where else corpus


def _where_phrase(where: tuple[str, ...]) -> str:
    return f" in the documents where {' and '.join(where)}" if where else ""


def _run_info(params, context: Context, section: Section) -> None:
    import pandas as pd


    corpus = _narrowed(context.corpus, params.where)
    totals = corpus_totals(corpus)
    section.tables.append(ReportTable("", "Documents", document_table(corpus)))
    if corpus.skipped:
        skipped = pd.DataFrame([{"path": s.path, "reason": s.reason} for s in corpus.skipped], columns=["path", "reason"])
        section.tables.append(ReportTable("skipped", "Files skipped", skipped))
    section.notes.append(
        f"{totals_summary(totals)}; {counted(totals['documents_with_warnings'], 'document')} with warnings; "
        f"{counted(totals['files_skipped'], 'file')} skipped."
    )


def _run_stats(params, context: Context, section: Section) -> None:
    corpus = _narrowed(context.corpus, params.where)
    table = text_stats(corpus)
    section.tables.append(ReportTable("", "Per document", table))
    if params.by:
        section.tables.append(ReportTable("groups", f"Per {params.by} (ttr, mattr, mean_sentence_length, flesch: mean of the documents)", group_stats(table, corpus, params.by)))
    section.method = (
        f"Text statistics{_where_phrase(params.where)}: type-token ratio, moving-average type-token ratio "
        "(MATTR, 100-word windows; Covington & McFall 2010), mean sentence length and Flesch reading ease."
    )


def _run_freq(params, context: Context, section: Section) -> None:
    corpus = _narrowed(context.corpus, params.where)
    if params.by:
        table = frequency_by(corpus, context.tokenize, params.by, ngram=params.ngram, min_count=params.min_count, top=params.top)
    else:
        table = frequency(corpus, context.tokenize, ngram=params.ngram, min_count=params.min_count, top=params.top)
    section.tables.append(ReportTable("", section.analysis.title, table))
    if params.by:  # the side-by-side table stays as it was; the tidy one beside it, for R and pandas
        tidy = frequency_long(corpus, context.tokenize, params.by, ngram=params.ngram, min_count=params.min_count, top=params.top)
        section.tables.append(ReportTable("long", f"{section.analysis.title}: one row per {params.by} and term", tidy))
    unit = "words" if params.ngram == 1 else f"{params.ngram}-grams (within sentences)"
    section.method = (
        f"The {params.top} most frequent {unit}{_where_phrase(params.where)}"
        f"{f', listed per {params.by}' if params.by else ''} were counted with their range and Gries' (2008) DP."
    )


def _run_kwic(params, context: Context, section: Section) -> None:
    corpus, queries = _narrowed(context.corpus, params.where), list(params.queries)
    seed = params.seed
    matching = dict(match=params.match, case_sensitive=params.case_sensitive, regex=params.regex)
    shown = shown_hits(corpus, queries, sort=list(params.sort) or None, sample=params.sample, seed=seed, limit=params.limit, **matching)
    ordered = shown.all()
    total = shown.total
    lines = concordance_lines(corpus, ordered, queries, window=params.window, chars=params.chars, context=params.context)
    show = list(params.show)
    section.tables.append(
        ReportTable(
            "", "Concordance lines", concordance_table(lines, show),
            html=concordance_html(lines.head(SHOWN_ROWS), show),
            markdown=concordance_markdown(lines.head(SHOWN_ROWS), show),
        )
    )
    summary = kwic_summary(corpus, find_hits(corpus, queries, **matching), queries)
    counts = summary.groupby("query", sort=False)["hits"].sum()
    with_hits = summary[summary["hits"] > 0].reset_index(drop=True)
    section.tables.append(ReportTable("summary", "Hits per document (documents with hits)", with_hits))
    section.notes.append(
        f"{total} hits: " + "; ".join(f"“{q}” {int(counts[q])}" for q in queries)
        + (f". Showing {len(lines)}." if len(lines) != total else ".")
    )
    reach = f"{params.chars} characters" if params.chars else f"{params.window} tokens"
    how = {"form": "", "stem": " (matching Snowball stems)", "lemma": " (matching WordNet lemmas)"}[params.match]
    section.method = (
        f"Concordances (keyword in context) of {', '.join(f'“{q}”' for q in queries)}{how}{_where_phrase(params.where)}, "
        f"{'case-sensitive' if params.case_sensitive else 'case-insensitive'}, with {reach} of context"
        + (f" within the match's {params.context}" if params.context != "document" else "")
        + (f"; a random sample of {params.sample} lines (seed {seed})" if params.sample else "")
        + "."
    )
    if params.qdpx:
        codes, passages = kwic_passages(corpus, ordered, queries, unit=params.unit)
        _write_qdpx(params, context, section, corpus, codes, passages, f"peercorpus kwic: {', '.join(queries)}", f"every hit shown coded as its {params.unit}, one code per query")


def _run_dispersion(params, context: Context, section: Section) -> None:
    corpus, terms = _narrowed(context.corpus, params.where), list(params.terms)
    matching = dict(match=params.match, case_sensitive=params.case_sensitive, regex=params.regex)
    table, counts = dispersion_table(corpus, terms, **matching)  # counts, not every hit
    section.tables.append(ReportTable("", "Dispersion over documents", table))
    if params.plot:
        path = context.plot_path(section.analysis.id)
        message = plot_dispersion_counts(corpus, counts, terms, context.folder / path, **matching)
        section.plots.append(ReportPlot("Lexical dispersion", path))
        if message:
            section.notes.append(message)
    section.method = (
        f"The dispersion of {', '.join(f'“{t}”' for t in terms)} over documents{_where_phrase(params.where)} "
        "is given as range, Juilland's D (on per-token rates) and Gries' (2008) DP."
    )


def _run_collocates(params, context: Context, section: Section) -> None:
    corpus = _narrowed(context.corpus, params.where)
    table, node_count = collocates(
        corpus, context.tokenize, params.node, left=params.left, right=params.right, measure=params.measure,
        min_count=params.min_count, top=params.top, match=params.match,
    )
    section.tables.append(ReportTable("", f"Collocates of “{params.node}”", table))
    section.notes.append(f"“{params.node}” occurs {node_count} times.")
    section.method = (
        f"Collocates of “{params.node}”{_where_phrase(params.where)} within {params.left} tokens to the left and "
        f"{params.right} to the right (seen at least {params.min_count} times), ranked by "
        f"{_MEASURES[params.measure]}, with observed and expected frequencies, G², MI, t-score and logDice."
    )


def _run_collocations(params, context: Context, section: Section) -> None:
    corpus = _narrowed(context.corpus, params.where)
    table = collocations(corpus, context.tokenize, size=params.size, measure=params.measure, min_count=params.min_count, top=params.top)
    section.tables.append(ReportTable("", section.analysis.title, table))
    section.method = (
        f"{'Bigram' if params.size == 2 else 'Trigram'} collocations{_where_phrase(params.where)} seen at least "
        f"{params.min_count} times were scored with NLTK's association measures and ranked by {_MEASURES[params.measure]}; "
        "stop words were left out of the list but counted in the marginals."
    )


def _run_keyness(params, context: Context, section: Section) -> None:
    corpus = _narrowed(context.corpus, params.where)
    phrases = []
    for number, comparison in enumerate(params.comparisons, start=1):
        target, reference = list(comparison["target"]), list(comparison.get("reference") or [])
        against = " and ".join(reference) if reference else "the other documents"
        title = comparison.get("title") or f"{' and '.join(target)} against {against}"
        table = keyness(
            corpus, context.tokenize, target=target, reference=reference or None, alpha=params.alpha,
            bonferroni=params.bonferroni, min_count=params.min_count, min_range=params.min_range, top=params.top,
        )
        name = "" if len(params.comparisons) == 1 else str(number)
        section.tables.append(ReportTable(name, title, table))
        positive, negative = int((table["keyness"] == "positive").sum()), int((table["keyness"] == "negative").sum())
        section.notes.append(f"{title}: {positive} positive and {negative} negative keywords.")
        if params.plot and len(table):
            path = context.plot_path(f"{section.analysis.id}-{number}" if name else section.analysis.id)
            plot_keyness(table, context.folder / path, stopwords=None if context.tokenize.stopwords else "english")
            section.plots.append(ReportPlot(f"Keywords: {title}", path))
        phrases.append(f"{' and '.join(target)} against {against}")
    correction = " with a Bonferroni correction" if params.bonferroni else ""
    section.method = (
        f"Keywords ({'; '.join(phrases)}){_where_phrase(params.where)} were identified with log-likelihood G² "
        f"(Dunning 1993; Rayson & Garside 2000) at p < {params.alpha}{correction}, words seen at least "
        f"{params.min_count} times"
        + (f" and positive keywords in at least {params.min_range} target documents" if params.min_range > 1 else "")
        + "; effect size is given as log ratio (Hardie 2014) and %DIFF."
    )


def _run_topics(params, context: Context, section: Section) -> None:
    corpus = _narrowed(context.corpus, params.where)
    settings = params.settings()
    model = topics(corpus, settings=settings, tokenize=context.tokenize)
    section.notes.extend(model.notes)
    if section.analysis.id in context.labels:
        names, label_notes = match_labels(model, context.labels[section.analysis.id])
        model = with_labels(model, names)
        section.notes.extend(label_notes)
    section.tables.append(ReportTable("", "Topics", model.topics.drop(columns=["weights"])))
    section.tables.append(ReportTable("extracts", "Representative extracts", model.extracts))
    section.tables.append(ReportTable("representative-documents", "Representative documents", model.representative_docs))
    section.tables.append(ReportTable("documents", "Topic weights per document", model.documents))
    if model.k_scores is not None:
        section.tables.append(ReportTable("k-scores", "k tried (stability and coherence)", model.k_scores))
    if params.by:
        section.tables.append(ReportTable("groups", f"Mean topic weights per {params.by}", group_weights(model, corpus, params.by)))
    if params.plots:
        terms_path = context.plot_path(f"{section.analysis.id}-terms")
        heatmap_path = context.plot_path(f"{section.analysis.id}-documents")
        plot_topic_terms(model, context.folder / terms_path)
        plot_document_heatmap(model, context.folder / heatmap_path)
        section.plots += [ReportPlot("Top terms per topic", terms_path), ReportPlot("Topic weights per document", heatmap_path)]
    model_name = "TF-IDF (sublinear tf) and non-negative matrix factorisation (NMF, NNDSVD start)" if settings.method == "nmf" else "latent Dirichlet allocation (LDA) on term counts"
    if model.batch_fit:
        model_name = (
            f"TF-IDF (sublinear tf) and mini-batch non-negative matrix factorisation (scikit-learn's MiniBatchNMF, "
            f"fitted in batches: {model.batch_fit['epochs']} passes over {model.batch_fit['chunks']} chunk(s) of documents, "
            f"started from NMF, NNDSVD start, on a seeded sample of {model.batch_fit['sample_units']:,} units)"
        )
    k_phrase = (
        f"k = {model.k} was chosen from {settings.k_range[0]}–{settings.k_range[1]} as the largest k at which the model "
        f"fitted to {settings.samples} random 80% resamples grouped the units most nearly as the full model did (a local "
        "peak of the mean adjusted Rand index, Hubert & Arabie 1985, with at most four times the disagreement of the "
        "most reproducible k; after Brunet et al. 2004 and Greene, O'Callaghan & Cunningham 2014)"
        if settings.k == "auto" else f"k = {model.k}"
    )
    if model.batch_fit and settings.k == "auto":
        k_phrase += " (on the sample)"
    section.method = (
        f"A topic model{_where_phrase(params.where)} was fitted with {model_name} to {len(model.units)} "
        f"{model.unit}s and {len(model.vocab):,} terms (document frequency ≥ {settings.min_df}, ≤ {settings.max_df}; "
        f"English stop words removed unless configured otherwise); {k_phrase}; seed {settings.seed}."
    )
    if params.qdpx:
        codes, passages = topic_passages(corpus, model, context.tokenize, unit=params.qdpx_unit, threshold=params.qdpx_threshold)
        what = f"each {params.qdpx_unit} of {TOPIC_MIN_WORDS}+ words coded with its dominant topic when that topic has at least {params.qdpx_threshold:g} of it"
        _write_qdpx(params, context, section, corpus, codes, passages, f"peercorpus topics (k={model.k})", what)


def _run_codebook(params, context: Context, section: Section) -> None:
    corpus = _narrowed(context.corpus, params.where)
    codebook = context.codebooks[section.analysis.id]
    coding = code_corpus(
        corpus, codebook, cooccurrence=params.cooccurrence, match=params.match,
        case_sensitive=params.case_sensitive, extracts=params.extracts,
    )
    section.tables.append(ReportTable("", "Themes", coding.themes))
    if params.by:
        section.tables.append(ReportTable("groups", f"Themes per {params.by}", group_counts(corpus, coding.document_counts, params.by)))
    section.tables.append(ReportTable("documents", "Themes per document", coding.document_counts))
    section.tables.append(ReportTable("cooccurrence", f"Themes co-occurring in a {params.cooccurrence}", coding.cooccurrence))
    section.tables.append(ReportTable("extracts", "Coded extracts", coding.extracts))
    source = f"the codebook {params.codebook}" if params.codebook else "an inline codebook"
    section.method = (
        f"Themes were coded{_where_phrase(params.where)} with {source} ({len(codebook.themes)} themes of words, phrases "
        f"and wildcards, {'case-sensitive' if params.case_sensitive else 'case-insensitive'}); counts are given per "
        f"document{f', per {params.by}' if params.by else ''} and per 1,000 tokens, with co-occurrence of themes within a {params.cooccurrence}."
    )
    if params.qdpx:
        codes, passages, _ = coding_passages(corpus, codebook, coding.extracts, unit=params.unit)
        _write_qdpx(params, context, section, corpus, codes, passages, codebook.title or "peercorpus codebook", f"every extract coded as its {params.unit}")


def _write_qdpx(params, context: Context, section: Section, corpus: Corpus, codes, passages, name: str, what: str) -> None:
    """The analysis' ``qdpx:`` output: a REFI-QDA project in the report folder, and a note."""

    corpus, docs = corpus.within()  # passages name documents of the corpus a where view selects from
    if params.case:
        corpus.require_field(params.case, param="case")
    if docs is not None:
        corpus, passages = restrict(corpus, passages, docs)
    selections = write_qdpx(context.folder / params.qdpx, corpus, codes, passages, name=name, case_field=params.case, description=f"peercorpus report: {what}.")
    section.notes.append(
        f"REFI-QDA project for NVivo, ATLAS.ti, MAXQDA or QualCoder: {params.qdpx} "
        f"({len(corpus)} sources, {len(codes)} codes, {selections} selections; {what})."
    )


_MEASURES = {
    "likelihood": "log-likelihood (G²)",
    "mi": "mutual information",
    "pmi": "pointwise mutual information",
    "t": "t-score",
    "chi2": "χ²",
    "logdice": "logDice",
}

_RUNNERS = {
    "info": _run_info,
    "stats": _run_stats,
    "freq": _run_freq,
    "kwic": _run_kwic,
    "dispersion": _run_dispersion,
    "collocates": _run_collocates,
    "collocations": _run_collocations,
    "keyness": _run_keyness,
    "topics": _run_topics,
    "codebook": _run_codebook,
}

"""``freq``, ``collocates``, ``collocations``, ``keyness`` and ``stats``: counting commands,
each a thin layer over one analysis module."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..analysis.params import TOP_SHOWN
from ..errors import UsageError
from ..render.export import atomic_write, write_table, write_table_parts
from .common import (
    CacheDirOption,
    ConfigOption,
    FormatOption,
    NoCacheOption,
    OutputOption,
    Paths,
    SetOption,
    StopwordsOption,
    WhereOption,
    handle_errors,
    note,
    open_corpus,
    paths_and_terms,
    start_command,
)

app = typer.Typer(add_completion=False)  # the root app decides (no shell-completion options)

TopOption = Annotated[int | None, typer.Option("--top", help="Show the first N rows \\[default: 50 on the terminal, all when exported].")]
MinCount = Annotated[int, typer.Option("--min-count", help="Leave out items seen fewer times.")]


def _top(top: int | None, fmt: str, output: Path | None) -> int | None:
    return top if top is not None else (TOP_SHOWN["terminal"] if fmt == "table" and output is None else None)


@app.command()
@handle_errors
def freq(
    paths: Paths,
    ngram: Annotated[int, typer.Option("--ngram", "-n", min=1, max=5, help="Count n-grams (clusters) of this many words (1-5).")] = 1,
    by: Annotated[str | None, typer.Option("--by", help="One list per value of this metadata field: long (group, rank, term, count, per_million, range, range_share, dp) in files, side by side on the terminal.")] = None,
    wide: Annotated[bool | None, typer.Option("--wide/--long", help="With --by: side by side (<group> term, <group> count, <group> per_million; 20 rows unless --top) or one row per group and term \\[default: --long in files, --wide on the terminal].")] = None,
    top: TopOption = None,
    min_count: MinCount = 1,
    where: WhereOption = None,
    stopwords: StopwordsOption = None,
    fmt: FormatOption = None,
    output: OutputOption = None,
    config: ConfigOption = None,
    set_: SetOption = None,
    cache_dir: CacheDirOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """Word (or n-gram) frequency list: count, per million, range and Gries' DP dispersion.

    Words are counted with the config's tokenisation settings (lower-casing, stop words,
    stemming, lemmas); stop words are kept unless the config removes them.

    Example: [bold]peercorpus freq corpora/ --top 30 --set tokenize.stopwords=english[/bold]

    Example: [bold]peercorpus freq corpora/ --ngram 2 --by genre --top 15 -o output/bigrams.csv[/bold]
    """
    from ..analysis.frequency import FreqParams, frequency, frequency_by, frequency_long

    if wide is not None and not by:
        raise UsageError(f"--{'wide' if wide else 'long'} needs --by FIELD")
    FreqParams(ngram=ngram, top=top, min_count=min_count, by=by).checked()  # before the corpus is read
    fmt, settings, corpus = start_command(paths, fmt=fmt, output=output, config=config, set_=set_, cache_dir=cache_dir, no_cache=no_cache, where=where, stopwords=stopwords)
    if by and (wide is False or (wide is None and (fmt != "table" or output is not None))):
        table = frequency_long(corpus, settings.tokenize, by, ngram=ngram, min_count=min_count, top=top if top is not None else (TOP_SHOWN["side_by_side"] if fmt == "table" and output is None else None))
    elif by:
        table = frequency_by(corpus, settings.tokenize, by, ngram=ngram, min_count=min_count, top=top or TOP_SHOWN["side_by_side"])
    else:
        table = frequency(corpus, settings.tokenize, ngram=ngram, min_count=min_count, top=_top(top, fmt, output))
    write_table(table, fmt=fmt, output=output, title=f"{'Word' if ngram == 1 else f'{ngram}-gram'} frequencies")


@app.command()
@handle_errors
def collocates(
    arguments: Annotated[list[str], typer.Argument(help="Corpus paths, then the node: a word, phrase or wildcard (as in kwic).", show_default=False, metavar="PATH... NODE")],
    left: Annotated[int, typer.Option("--left", help="Window: tokens to the left of the node.")] = 5,
    right: Annotated[int, typer.Option("--right", help="Window: tokens to the right of the node.")] = 5,
    measure: Annotated[str, typer.Option("--measure", help="Rank by likelihood (G²), mi (or pmi), t or logdice.")] = "likelihood",
    match: Annotated[str, typer.Option("--match", help="Node matching: form, stem or lemma.")] = "form",
    top: TopOption = None,
    min_count: MinCount = 2,
    where: WhereOption = None,
    stopwords: StopwordsOption = None,
    fmt: FormatOption = None,
    output: OutputOption = None,
    config: ConfigOption = None,
    set_: SetOption = None,
    cache_dir: CacheDirOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """Words that occur near a node word, with observed and expected frequencies and G², MI,
    t-score and logDice.

    Example: [bold]peercorpus collocates corpora/ peer --left 3 --right 3 --measure logdice --set tokenize.stopwords=english[/bold]
    """
    from ..analysis.collocation import CollocatesParams
    from ..analysis.collocation import collocates as find_collocates

    paths, nodes = paths_and_terms(arguments, "collocates", "node", many=False)
    if len(nodes) > 1:
        raise UsageError(f"one node at a time; got {len(nodes)}: {' '.join(nodes)} (quote a phrase: \"{' '.join(nodes)}\")")
    node = nodes[0]
    CollocatesParams(node=node, left=left, right=right, measure=measure, match=match, min_count=min_count, top=top).checked()
    fmt, settings, corpus = start_command(paths, fmt=fmt, output=output, config=config, set_=set_, cache_dir=cache_dir, no_cache=no_cache, where=where, stopwords=stopwords)
    table, node_count = find_collocates(corpus, settings.tokenize, node, left=left, right=right, measure=measure, min_count=min_count, top=_top(top, fmt, output), match=match)
    if node_count == 0:
        note(f"0 occurrences of '{node}'")
    write_table(
        table, fmt=fmt, output=output, title=f"Collocates of '{node}' ({node_count} occurrences, window {left}L {right}R)",
        optional=["collocate_freq", "left_count", "right_count", "expected"],
    )


@app.command()
@handle_errors
def collocations(
    paths: Paths,
    size: Annotated[int, typer.Option("--size", help="2 for bigrams, 3 for trigrams.", min=2, max=3)] = 2,
    measure: Annotated[str, typer.Option("--measure", help="likelihood (ratio), pmi (or mi), t (Student's t) or chi2.")] = "likelihood",
    top: TopOption = None,
    min_count: MinCount = 3,
    save_compounds: Annotated[Path | None, typer.Option("--save-compounds", help="Write the listed collocations, one a line, for tokenize.compounds_file.")] = None,
    where: WhereOption = None,
    stopwords: StopwordsOption = None,
    fmt: FormatOption = None,
    output: OutputOption = None,
    config: ConfigOption = None,
    set_: SetOption = None,
    cache_dir: CacheDirOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """Significant bigrams or trigrams (NLTK's association measures), stop words filtered out.

    With --save-compounds, the collocations listed are written to a file; name it in the
    config (tokenize.compounds_file) and later analyses count each as one term
    (lived_experience).

    Example: [bold]peercorpus collocations corpora/ --measure likelihood --min-count 3 --top 25[/bold]

    Example: [bold]peercorpus collocations corpora/ --top 20 --save-compounds compounds.txt[/bold]
    """
    from ..analysis.collocation import CollocationsParams
    from ..analysis.collocation import collocations as find_collocations

    CollocationsParams(size=size, measure=measure, min_count=min_count, top=top).checked()
    fmt, settings, corpus = start_command(
        paths, fmt=fmt, output=output, config=config, set_=set_, cache_dir=cache_dir, no_cache=no_cache, where=where, stopwords=stopwords,
        outputs={"--save-compounds": save_compounds},
    )
    table = find_collocations(corpus, settings.tokenize, size=size, measure=measure, min_count=min_count, top=_top(top, fmt, output))
    write_table(table, fmt=fmt, output=output, title=f"{'Bigram' if size == 2 else 'Trigram'} collocations by {measure}")
    if save_compounds is not None:
        atomic_write(save_compounds, "".join(f"{phrase}\n" for phrase in table["collocation"]))
        note(f"{len(table)} compounds written to {save_compounds}: use them with --set tokenize.compounds_file={save_compounds}")


@app.command()
@handle_errors
def keyness(
    paths: Paths,
    target: Annotated[list[str] | None, typer.Option("--target", help="Target documents: genre=blog (repeatable; all conditions must hold).")] = None,
    reference: Annotated[list[str] | None, typer.Option("--reference", help="Reference documents \\[default: every other document].")] = None,
    reference_corpus: Annotated[list[Path] | None, typer.Option("--reference-corpus", help="A separate reference corpus (folder or file; repeatable).")] = None,
    reference_list: Annotated[Path | None, typer.Option("--reference-list", help="A reference word-frequency list: CSV with columns word,count.")] = None,
    alpha: Annotated[float, typer.Option("--alpha", help="Significance threshold for G²'s p-value.")] = 0.05,
    bonferroni: Annotated[bool, typer.Option("--bonferroni", help="Divide --alpha by the number of words tested.")] = False,
    min_range: Annotated[int, typer.Option("--min-range", help="A positive keyword must occur in at least this many target documents.")] = 1,
    plot: Annotated[Path | None, typer.Option("--plot", "-p", help="Keyness bar plot (.png or .svg; stop words left out unless --stopwords or the config chooses them).")] = None,
    top: TopOption = None,
    min_count: MinCount = 3,
    where: WhereOption = None,
    stopwords: StopwordsOption = None,
    fmt: FormatOption = None,
    output: OutputOption = None,
    config: ConfigOption = None,
    set_: SetOption = None,
    cache_dir: CacheDirOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """Keywords: words significantly more (positive) or less (negative) frequent in a target
    than in a reference, with G², p, χ², log ratio, %DIFF, raw counts and target range.

    Example: [bold]peercorpus keyness corpora/ --target genre=blog --reference genre=preprint,"journal article"[/bold]

    Example: [bold]peercorpus keyness my-corpus/ --reference-corpus bbc/ --min-range 3 --plot keyness.png[/bold]
    """
    from ..analysis.keyness import (
        KeynessParams,
        keyness_against_corpus,
        keyness_against_counts,
        read_frequency_list,
    )
    from ..analysis.keyness import keyness as compare

    given = [name for name, value in (("--target", target), ("--reference-corpus", reference_corpus), ("--reference-list", reference_list)) if value]
    if len(given) != 1:
        choice = f"{' and '.join(given)} cannot be combined: give one" if given else "give one"
        raise UsageError(f"{choice} of --target (with an optional --reference), --reference-corpus or --reference-list")
    if reference and not target:
        raise UsageError("--reference needs --target")
    KeynessParams(comparisons=(), alpha=alpha, bonferroni=bonferroni, min_range=min_range, min_count=min_count, top=top).checked()
    references = [("--reference-list", reference_list), *(("--reference-corpus", p) for p in reference_corpus or ())]
    fmt, settings, corpus = start_command(
        paths, fmt=fmt, output=output, config=config, set_=set_, cache_dir=cache_dir, no_cache=no_cache, where=where, stopwords=stopwords,
        outputs={"--plot": plot}, inputs=references, plots=("--plot",),
    )
    options = dict(alpha=alpha, bonferroni=bonferroni, min_count=min_count, min_range=min_range, top=_top(top, fmt, output))
    if target:
        table = compare(corpus, settings.tokenize, target=target, reference=reference, **options)
    elif reference_list is not None:
        table = keyness_against_counts(corpus, settings.tokenize, read_frequency_list(reference_list), **options)
    else:
        other = open_corpus(reference_corpus, config=settings, cache_dir=cache_dir, no_cache=no_cache, outputs={"--output": output, "--plot": plot})
        table = keyness_against_corpus(corpus, settings.tokenize, other, **options)
    write_table(
        table, fmt=fmt, output=output, title="Keywords (positive: more frequent in the target)",
        optional=["chi2", "pct_diff", "target_range", "target_per_million", "reference_per_million"],
    )
    note(f"{int((table['keyness'] == 'positive').sum())} positive and {int((table['keyness'] == 'negative').sum())} negative keywords")
    if plot is not None:
        from ..render.keyness_plot import plot_keyness

        plot_keyness(table, plot, stopwords=None if settings.tokenize.stopwords else "english")
        note(f"plot written to {plot}")


@app.command()
@handle_errors
def stats(
    paths: Paths,
    by: Annotated[str | None, typer.Option("--by", help="One row per value of this metadata field instead of per document: words and sentences summed; ttr, mattr, mean_sentence_length and flesch are the mean of the group's documents.")] = None,
    where: WhereOption = None,
    fmt: FormatOption = None,
    output: OutputOption = None,
    config: ConfigOption = None,
    set_: SetOption = None,
    cache_dir: CacheDirOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """Per document (or per group with --by): words, types, type-token ratio, MATTR, mean sentence length,
    Flesch reading ease.

    Example: [bold]peercorpus stats corpora/ --by genre[/bold]
    """
    from ..analysis.stats import STATS_COLUMNS, group_stats, text_stats, text_stats_parts

    fmt, _, corpus = start_command(paths, fmt=fmt, output=output, config=config, set_=set_, cache_dir=cache_dir, no_cache=no_cache, where=where)
    if not by:  # a row per document, written a chunk of documents at a time
        write_table_parts(text_stats_parts(corpus), STATS_COLUMNS, fmt=fmt, output=output, title="Text statistics")
        return
    corpus.require_field(by)  # before the statistics of every document
    table = group_stats(text_stats(corpus), corpus, by)
    write_table(table, fmt=fmt, output=output, title=f"Text statistics by {by} (ttr, mattr, mean_sentence_length, flesch: mean of the documents)")

"""``peercorpus kwic`` and ``peercorpus dispersion``: thin layers over ``analysis.kwic``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import UsageError
from ..render.export import json_safe, write_json, write_table, write_text
from .common import (
    CacheDirOption,
    ConfigOption,
    NoCacheOption,
    OutputOption,
    SetOption,
    WhereOption,
    handle_errors,
    note,
    paths_and_terms,
    start_command,
)
from .qdpx_options import CaseOption, QdpxOption, UnitOption, check_case, check_qdpx_options, write_project

app = typer.Typer(add_completion=False)  # the root app decides (no shell-completion options)

Match = Annotated[str, typer.Option("--match", help="form (as written), stem (recover → recovery, recovering) or lemma (needs WordNet).")]
CaseSensitive = Annotated[bool, typer.Option("--case-sensitive", help="Match case exactly (default: case-insensitive).")]
Regex = Annotated[bool, typer.Option("--regex", help="Queries are regular expressions, matched against whole tokens.")]


@app.command()
@handle_errors
def kwic(
    arguments: Annotated[list[str], typer.Argument(help="Corpus paths, then one or more queries.", show_default=False, metavar="PATH... QUERY...")],
    window: Annotated[int, typer.Option("--window", help="Context in tokens on each side.")] = 8,
    chars: Annotated[int | None, typer.Option("--chars", help="Context in characters on each side (instead of --window).")] = None,
    context: Annotated[str, typer.Option("--context", help="Stop the context at the match's own sentence or paragraph (or: document).")] = "document",
    match: Match = "form",
    case_sensitive: CaseSensitive = False,
    regex: Regex = False,
    sort: Annotated[str | None, typer.Option("--sort", help="Sort keys: L1..L9, R1..R9 (words left/right of the match, punctuation skipped), doc, match; e.g. R1,R2.")] = None,
    sample: Annotated[int | None, typer.Option("--sample", help="A random sample of N hits (reproducible with --seed).")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed for --sample.")] = 0,
    limit: Annotated[int | None, typer.Option("--limit", help="Show the first N lines (after sorting).")] = None,
    show: Annotated[str | None, typer.Option("--show", help="Metadata columns to add, e.g. genre,year.")] = None,
    summary: Annotated[bool, typer.Option("--summary", help="Hits per document and per million tokens instead of lines.")] = False,
    fmt: Annotated[str | None, typer.Option("--format", "-f", help="table, csv, tsv, json, md or html \\[default: table, or from --output's suffix].")] = None,
    output: OutputOption = None,
    where: WhereOption = None,
    qdpx: QdpxOption = None,
    unit: UnitOption = "sentence",
    case: CaseOption = None,
    config: ConfigOption = None,
    set_: SetOption = None,
    cache_dir: CacheDirOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """Keyword in context: every occurrence of words, phrases or patterns, with context.

    Queries: a word, a phrase ("lived experience", across line breaks), wildcards (recover*,
    peer?, *ism), or regular expressions with --regex; several at once. Case-insensitive.

    Example: [bold]peercorpus kwic corpora/ "lived experience" boundaries --sort R1,R2 --show genre[/bold]

    Example: [bold]peercorpus kwic corpora/ recover --match stem --context sentence -f json -o recovery.json[/bold]

    --qdpx writes a REFI-QDA project (one code per query, every hit shown coded as its
    sentence, or --unit match or paragraph) for NVivo, ATLAS.ti, MAXQDA or QualCoder.

    Example: [bold]peercorpus kwic corpora/ "lived experience" boundaries --qdpx kwic.qdpx --unit paragraph[/bold]
    """
    from ..analysis.kwic import (
        LINE_COLUMNS,
        KwicParams,
        concordance_batches,
        concordance_rows,
        find_hits,
        shown_hits,
    )
    from ..render.concordance import (
        ConcordanceWriter,
        concordance_html,
        concordance_table,
        concordance_text,
        print_concordance,
    )
    from ..render.export import atomic_stream

    paths, queries = paths_and_terms(arguments, "kwic")
    KwicParams(  # every option checked before the corpus is read (--qdpx is a path here, checked below)
        queries=tuple(queries), window=window, chars=chars, context=context, match=match, case_sensitive=case_sensitive,
        regex=regex, sort=tuple(sort.split(",")) if sort else (), sample=sample, seed=seed, limit=limit, unit=unit,
        case=case, where=tuple(where or ()),
    ).checked()
    if qdpx is not None:
        check_qdpx_options(qdpx, unit)
    fmt, _, corpus = start_command(
        paths, fmt=fmt, output=output, config=config, set_=set_, cache_dir=cache_dir, no_cache=no_cache, outputs={"--qdpx": qdpx}
    )
    if qdpx is not None:
        check_case(corpus, case)
    fields = [f.strip() for f in show.split(",") if f.strip()] if show else []
    missing = [f for f in fields if f not in corpus.fields()]
    if missing:
        raise UsageError(f"--show {','.join(missing)}: no such metadata field; fields present: {', '.join(corpus.fields()) or '(none)'}")
    # --where: a view of the documents it keeps; the whole corpus' cached index is searched
    corpus = corpus.where(where) if where else corpus
    if summary:
        from ..analysis.kwic import kwic_summary

        hits = find_hits(corpus, queries, match=match, case_sensitive=case_sensitive, regex=regex)
        table = kwic_summary(corpus, hits, queries)
        write_table(table, fmt=fmt, output=output, title="Hits per document")
        note(f"{len(hits)} hits in {int((table['hits'] > 0).sum())} documents")
        _write_qdpx(qdpx, corpus, hits, queries, unit=unit, case=case)
        return
    shown = shown_hits(
        corpus, queries, sort=sort.split(",") if sort else None, sample=sample, seed=seed, limit=limit,
        match=match, case_sensitive=case_sensitive, regex=regex,
    )
    context_options = dict(window=window, chars=chars, context=context)
    if qdpx is None and ConcordanceWriter.streams(fmt, fields):
        # csv, tsv, md, json, html: lines written as they are cut, a batch at a time (hits as integers)
        count = 0
        with atomic_stream(output) as write:
            lines = ConcordanceWriter(write, fmt, fields)
            for hits in shown.batches():
                for rows in concordance_batches(corpus, hits, queries, **context_options):
                    lines.add(rows)
                    count += len(rows)
            lines.close()
        note(f"{shown.total} hits" + (f"; showing {count}" if count != shown.total else ""))
        return
    hits = shown.all()
    # Rows, not a DataFrame: a warm kwic does not import pandas unless a format needs it.
    lines = concordance_rows(corpus, hits, queries, **context_options)
    if fmt == "json":
        write_json([json_safe(row) for row in lines], output)
    elif fmt == "html":
        write_text(concordance_html(lines, fields), output)
    elif fmt == "table":
        print_concordance(lines, fields)
    elif (text := concordance_text(lines, fmt, fields)) is not None:
        write_text(text, output)
    else:
        import pandas as pd

        write_table(concordance_table(pd.DataFrame(lines, columns=LINE_COLUMNS), fields), fmt=fmt, output=output)
    note(f"{shown.total} hits" + (f"; showing {len(lines)}" if len(lines) != shown.total else ""))
    _write_qdpx(qdpx, corpus, hits, queries, unit=unit, case=case)


def _write_qdpx(qdpx: Path | None, corpus, hits, queries: list[str], *, unit: str, case: str | None) -> None:
    """The --qdpx project of the hits kept (after --sample and --limit); of a --where view,
    the documents it keeps."""
    if qdpx is None:
        return
    from ..qda.passages import kwic_passages

    codes, passages = kwic_passages(corpus, hits, queries, unit=unit)
    write_project(
        qdpx, corpus, codes, passages, name="peercorpus kwic: " + ", ".join(queries), case_field=case,
        description=f"Concordance by peercorpus: every hit of {', '.join(queries)} coded as its {unit}, one code per query.",
    )


@app.command()
@handle_errors
def dispersion(
    arguments: Annotated[list[str], typer.Argument(help="Corpus paths, then one or more terms.", show_default=False, metavar="PATH... TERM...")],
    plot: Annotated[Path | None, typer.Option("--plot", "-p", help="Write the dispersion plot here (.png or .svg).")] = None,
    match: Match = "form",
    case_sensitive: CaseSensitive = False,
    regex: Regex = False,
    fmt: Annotated[str | None, typer.Option("--format", "-f", help="table, csv, tsv, json, md or html.")] = None,
    output: OutputOption = None,
    where: WhereOption = None,
    config: ConfigOption = None,
    set_: SetOption = None,
    cache_dir: CacheDirOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """Where terms occur: a lexical dispersion plot and range, Juilland's D and Gries' DP.

    One row per document and a tick per hit (like NLTK's dispersion_plot and quanteda's
    textplot_xray). D near 1 / DP near 0: spread evenly; D near 0 / DP near 1: concentrated.

    Example: [bold]peercorpus dispersion corpora/ recovery boundaries "lived experience" --plot dispersion.png[/bold]
    """
    from ..analysis.dispersion import dispersion_table
    from ..render.dispersion_plot import plot_dispersion_counts

    paths, terms = paths_and_terms(arguments, "dispersion")
    fmt, _, corpus = start_command(paths, fmt=fmt, output=output, config=config, set_=set_, cache_dir=cache_dir, no_cache=no_cache, outputs={"--plot": plot}, plots=("--plot",))
    corpus = corpus.where(where) if where else corpus  # a view: the cached arrays are read in place
    matching = dict(match=match, case_sensitive=case_sensitive, regex=regex)
    table, counts = dispersion_table(corpus, terms, **matching)  # counts, not every hit
    write_table(table, fmt=fmt, output=output, title="Dispersion over documents")
    if plot is not None:
        message = plot_dispersion_counts(corpus, counts, terms, plot, **matching)
        if message:
            note(message)
        note(f"plot written to {plot}")

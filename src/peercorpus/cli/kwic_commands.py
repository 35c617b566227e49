"""``peercorpus kwic`` and ``peercorpus dispersion``: thin layers over ``analysis.kwic``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import UsageError
from ..render.export import write_table
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
    from ..analysis.kwic import KwicParams, concordance_batches, find_hits, hit_document_counts, shown_hits
    from ..render.concordance import ConcordanceLayout, ConcordanceWriter, ShownFields
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
        _write_qdpx(qdpx, corpus, [hits], queries, unit=unit, case=case)
        return
    shown = shown_hits(
        corpus, queries, sort=sort.split(",") if sort else None, sample=sample, seed=seed, limit=limit,
        match=match, case_sensitive=case_sensitive, regex=regex,
    )
    context_options = dict(window=window, chars=chars, context=context)
    # Every format writes its lines a batch at a time (hits held as integers at most). Sorted
    # or sampled hits are found once; otherwise each pass finds them again, a chunk at a time.
    ordered = [shown.all()] if shown.ordered else None

    def hit_batches():
        return iter(ordered) if ordered is not None else shown.batches()

    kept = []  # the hits --qdpx codes, as integers

    def line_batches(keep: bool = False):
        for hits in hit_batches():
            if keep and qdpx is not None:
                kept.append(hits)
            yield from concordance_batches(corpus, hits, queries, **context_options)

    count = 0
    if fmt == "table":
        # A first pass for the columns' widths, a second for the lines; a concordance of one
        # batch is held and written at once (what was printed before, without finding it twice).
        layout, held = ConcordanceLayout(fields), []
        for rows in line_batches(keep=True):
            layout.measure(rows)
            count += len(rows)
            held = held if held is not None and count <= LINE_BATCH_HELD else None
            if held is not None:
                held.append(rows)
        for rows in held if held is not None else line_batches():
            layout.write(rows)
        layout.close()
    else:
        typed = None
        if ConcordanceWriter.needs_fields(fmt, fields):
            # metadata columns typed from the documents the lines come from (a first pass that
            # counts the hits per document), so that the lines can be written as they are cut
            typed = ShownFields(corpus, hit_document_counts(corpus, hit_batches()), fields, fmt)
        with atomic_stream(output) as write:
            lines = ConcordanceWriter(write, fmt, fields, fields=typed)
            for rows in line_batches(keep=True):
                lines.add(rows)
                count += len(rows)
            lines.close()
    note(f"{shown.total} hits" + (f"; showing {count}" if count != shown.total else ""))
    _write_qdpx(qdpx, corpus, kept, queries, unit=unit, case=case)


#: A terminal concordance of at most this many lines is cut once and held; a longer one is
#: cut twice (widths, then lines), never held.
LINE_BATCH_HELD = 5000


def _write_qdpx(qdpx: Path | None, corpus, hits, queries: list[str], *, unit: str, case: str | None) -> None:
    """The --qdpx project of the hits kept (after --sample and --limit; ``hits``: batches of
    them); of a --where view, the documents it keeps. The passages are made a batch of hits
    at a time, in document order, as the project is written."""
    if qdpx is None:
        return
    import numpy as np

    from ..analysis.kwic import Hits
    from ..qda.passages import kwic_passage_stream

    if len(hits) == 1:
        hits = hits[0]
    else:
        hits = Hits(*(np.concatenate([getattr(h, name) for h in hits]) if hits else np.zeros(0, dtype=np.int64) for name in ("query", "starts", "ends")))
    codes, passages = kwic_passage_stream(corpus, hits, queries, unit=unit)
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

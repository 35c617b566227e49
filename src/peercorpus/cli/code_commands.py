"""``peercorpus code``: dictionary coding with a codebook, a thin layer over ``analysis.coding``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import UsageError
from ..render.export import write_table, write_table_files, write_tables
from ..validate import check_choice
from .common import (
    CacheDirOption,
    ConfigOption,
    FormatOption,
    NoCacheOption,
    Paths,
    SetOption,
    WhereOption,
    handle_errors,
    note,
    start_command,
)
from .kwic_commands import CaseSensitive, Match
from .qdpx_options import CaseOption, QdpxOption, UnitOption, check_case, check_qdpx_options, write_project

app = typer.Typer(add_completion=False)  # the root app decides (no shell-completion options)

TITLES = {
    "themes": "Themes",
    "documents": "Themes per document",
    "groups": "Themes per group",
    "cooccurrence": "Theme co-occurrence",
    "extracts": "Coded extracts",
}


@app.command()
@handle_errors
def code(
    paths: Paths,
    codebook: Annotated[Path, typer.Option("--codebook", "-b", help="YAML codebook: themes and their terms (or a quanteda dictionary).", show_default=False)],
    cooccurrence: Annotated[str, typer.Option("--cooccurrence", help="Themes co-occur within a sentence or a paragraph.")] = "sentence",
    table: Annotated[str | None, typer.Option("--table", help="themes, documents, groups (with --by), cooccurrence or extracts (default: themes, or groups with --by; all of them with --format json, md, html or an --output folder).")] = None,
    by: Annotated[str | None, typer.Option("--by", help="Also count per value of this metadata field (e.g. genre): a groups table with shares and rates per group.")] = None,
    extracts: Annotated[int | None, typer.Option("--extracts", help="At most N extracts per theme, taken in turn from each document (default: all).")] = None,
    match: Match = "form",
    case_sensitive: CaseSensitive = False,
    where: WhereOption = None,
    fmt: FormatOption = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="A file, or a folder (no suffix) for code_themes.csv, code_documents.csv, code_cooccurrence.csv and code_extracts.csv.")] = None,
    qdpx: QdpxOption = None,
    unit: UnitOption = "sentence",
    case: CaseOption = None,
    config: ConfigOption = None,
    set_: SetOption = None,
    cache_dir: CacheDirOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """Dictionary coding: a codebook's themes per document, shares, co-occurrence and extracts.

    The codebook maps themes (nested: parent.child) to terms in the kwic query language:
    words, phrases and wildcards (recover*, "lived experience"). The terminal shows the
    themes; --table picks another table; --format json (or md, html) gives all four, and an
    --output folder gets one CSV per table, to check the coding extract by extract.

    Example: [bold]peercorpus code corpora/ --codebook configs/peer-support-codebook.yaml[/bold]

    Example: [bold]peercorpus code corpora/ -b configs/peer-support-codebook.yaml --cooccurrence paragraph -o coding/[/bold]

    Example: [bold]peercorpus code corpora/ -b codebook.yaml --table extracts --extracts 5 --where genre=blog[/bold]

    Example: [bold]peercorpus code corpora/ -b configs/peer-support-codebook.yaml --by genre -f csv -o themes-by-genre.csv[/bold]

    --qdpx writes a REFI-QDA project for NVivo, ATLAS.ti, MAXQDA or QualCoder: the texts,
    the themes as codes, and every extract coded (its sentence by default; --unit).

    Example: [bold]peercorpus code corpora/ -b configs/peer-support-codebook.yaml --qdpx coding.qdpx[/bold]
    """
    from ..analysis.codebook import load_codebook
    from ..analysis.coding import TABLES, code_corpus, group_counts

    check_qdpx_options(qdpx, unit)
    if table is not None:
        check_choice("--table", table, (*TABLES, "groups"))
        if table == "groups" and by is None:
            raise UsageError("--table groups needs --by FIELD (a metadata field such as genre)")
    book = load_codebook(codebook)
    folder = output is not None and (output.is_dir() or output.suffix == "")
    if folder and fmt in (None, "table"):
        fmt = "csv"  # the folder's files
    fmt, _, corpus = start_command(
        paths, fmt=fmt, output=None if folder else output, config=config, set_=set_, cache_dir=cache_dir, no_cache=no_cache,
        outputs={"--output": output, "--qdpx": qdpx}, inputs=[("--codebook", codebook)], folders=("--output",) if folder else (),
    )
    if by is not None:
        corpus.require_field(by)
    if qdpx is not None:
        check_case(corpus, case)
    # --where: a view of the documents it keeps; the whole corpus' cached index is searched
    corpus = corpus.where(where) if where else corpus
    coding = code_corpus(corpus, book, cooccurrence=cooccurrence, match=match, case_sensitive=case_sensitive, extracts=extracts)
    tables = coding.tables()
    if by is not None:
        tables = {"themes": tables.pop("themes"), "groups": group_counts(corpus, coding.document_counts, by), **tables}
    titles = {**TITLES, "groups": f"Themes per {by}", "cooccurrence": f"Theme co-occurrence within {coding.unit}s"}
    chosen = [table] if table else list(tables)
    if folder:
        written = write_table_files({name: tables[name] for name in chosen}, output, fmt, prefix="code_")
        note(f"wrote {', '.join(written)} to {output}/")
    elif table is None and fmt in ("json", "md", "html"):
        write_tables(tables, fmt, output, titles=titles)
    else:
        name = table or ("groups" if by else "themes")
        frame = tables[name]
        if fmt == "table" and name == "themes" and not frame["description"].astype(bool).any():
            frame = frame.drop(columns=["description"])

        write_table(frame, fmt=fmt, output=output, title=f"{titles[name]} ({book.source})")
    if qdpx is not None:
        from ..qda.passages import coding_passages

        codes, passages, _ = coding_passages(corpus, book, coding.extracts, unit=unit)
        write_project(
            qdpx, corpus, codes, passages, name=book.title or f"peercorpus code ({book.source})", case_field=case,
            description=f"Dictionary coding by peercorpus with {book.source}: every extract coded as its {unit}.",
        )
    themes = coding.themes
    touched = int((coding.document_counts.groupby("doc")["count"].sum() > 0).sum())
    note(f"{int(themes['hits'].sum())} hits of {len(themes)} themes in {touched} of {coding.document_counts['doc'].nunique()} documents")

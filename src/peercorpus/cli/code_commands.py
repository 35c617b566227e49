"""``peercorpus code``: dictionary coding with a codebook, a thin layer over ``analysis.coding``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import UsageError
from ..render.export import (
    JsonListWriter,
    TableWriter,
    atomic_stream,
    frame_records,
    frame_to_text,
    json_member,
    write_table,
    write_table_files,
    write_table_parts,
)
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
    from ..analysis.coding import TABLES, DocumentCounts, code_corpus, group_counts

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
    # The documents table (a row per document and theme) and the extracts (a row and a sentence
    # per hit) are made only when written, and then a batch of rows at a time (write_table_parts,
    # _write_extracts); the other tables are small.
    tables = {"themes": coding.themes, "documents": None, "cooccurrence": coding.cooccurrence, "extracts": None}
    if by is not None:
        tables = {"themes": tables.pop("themes"), "groups": group_counts(corpus, coding.document_counts, by), **tables}
    titles = {**TITLES, "groups": f"Themes per {by}", "cooccurrence": f"Theme co-occurrence within {coding.unit}s"}
    chosen = [table] if table else list(tables)
    if folder:
        written = []
        for name in chosen:
            file_name = f"code_{name}.{fmt}"
            if name == "extracts":
                with atomic_stream(output / file_name) as write:
                    _write_extracts(coding, fmt, write)
            elif name == "documents":
                write_table_parts(coding.document_count_parts(), DocumentCounts.COLUMNS, fmt=fmt, output=output / file_name)
            else:
                write_table_files({name: tables[name]}, output, fmt, prefix="code_")
            written.append(file_name)
        note(f"wrote {', '.join(written)} to {output}/")
    elif table is None and fmt == "json":
        with atomic_stream(output) as write:  # the object of every table, its long lists written item by item
            write("{\n")
            for number, name in enumerate(tables):
                write(",\n" if number else "")
                if name == "extracts":
                    write(json_member(name))
                    _write_extracts(coding, fmt, write, depth=1)
                elif name == "documents":
                    write(json_member(name))
                    documents = JsonListWriter(write, depth=1)
                    for part in coding.document_count_parts():
                        documents.add(frame_records(part))
                    documents.close()
                else:
                    write(json_member(name, frame_records(tables[name])))
            write("\n}\n")
    elif table is None and fmt in ("md", "html"):
        others = {name: coding.document_counts if name == "documents" else frame for name, frame in tables.items() if name != "extracts"}
        with atomic_stream(output) as write:
            write("".join(frame_to_text(frame, fmt, title=titles[name]) + "\n" for name, frame in others.items()))
            _write_extracts(coding, fmt, write, title=titles["extracts"])
    else:
        name = table or ("groups" if by else "themes")
        title = f"{titles[name]} ({book.source})"
        if name == "extracts" and fmt != "table":
            with atomic_stream(output) as write:
                _write_extracts(coding, fmt, write, title=title)
        elif name == "documents":
            write_table_parts(coding.document_count_parts(), DocumentCounts.COLUMNS, fmt=fmt, output=output, title=title)
        else:
            frame = coding.extracts if name == "extracts" else tables[name]
            if fmt == "table" and name == "themes" and not frame["description"].astype(bool).any():
                frame = frame.drop(columns=["description"])
            write_table(frame, fmt=fmt, output=output, title=title)
    if qdpx is not None:
        from ..qda.passages import coding_passage_stream

        # the extracts' positions only (no sentence is cut), passages made in document order as the project is written
        codes, passages = coding_passage_stream(corpus, book, coding, unit=unit)
        write_project(
            qdpx, corpus, codes, passages, name=book.title or f"peercorpus code ({book.source})", case_field=case,
            description=f"Dictionary coding by peercorpus with {book.source}: every extract coded as its {unit}.",
        )
    themes = coding.themes
    touched, coded = coding.documents_touched()
    note(f"{int(themes['hits'].sum())} hits of {len(themes)} themes in {touched} of {coded} documents")


def _write_extracts(coding, fmt: str, write, *, title: str | None = None, depth: int = 0) -> None:
    """The extracts table in ``fmt`` through ``write``, a batch of rows at a time: the bytes
    of ``frame_to_text(coding.extracts, fmt, title=title)`` (for json: of the list, ``depth``
    levels deep), without the table. html, and a table with no rows, are made whole."""
    from ..render.cells import json_safe

    batches = ([json_safe(row) for row in rows] for rows in coding.extract_rows())
    first = next(batches, None)
    if fmt == "html" or (first is None and fmt != "json"):
        write(frame_to_text(coding.extracts, fmt, title=title))
        return
    if fmt == "json":
        writer = JsonListWriter(write, depth)
    else:
        writer = TableWriter(write, fmt, coding.EXTRACT_COLUMNS, title=title)
    for rows in [first] if first is not None else []:
        writer.add(rows)
    for rows in batches:
        writer.add(rows)
    writer.close()
    if fmt == "json" and depth == 0:
        write("\n")

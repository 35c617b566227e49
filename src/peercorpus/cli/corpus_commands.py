"""``peercorpus ingest``, ``info`` and ``show``: build the cache and report what was read."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ..errors import UsageError
from ..render import export
from ..render.export import (
    TERMINAL_REST,
    JsonListWriter,
    TableWriter,
    atomic_stream,
    dumps_json,
    frame_records,
    json_safe,
    plain_records,
    records_to_text,
    write_json,
    write_table,
    write_text,
)
from ..render.table import print_records, print_table, printable
from .common import (
    CacheDirOption,
    ConfigOption,
    FormatOption,
    NoCacheOption,
    OutputOption,
    Paths,
    SetOption,
    Verbosity,
    WhereOption,
    handle_errors,
    load_settings,
    note,
    open_corpus,
    start_command,
)

app = typer.Typer(add_completion=False)  # the root app decides (no shell-completion options)


@app.command()
@handle_errors
def ingest(
    paths: Paths,
    config: ConfigOption = None,
    set_: SetOption = None,
    cache_dir: CacheDirOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """Read and tokenise a corpus into the cache, and print a one-line summary.

    Later commands on the same corpus read the cache instead of the files; only added or
    changed files are tokenised again. A cached corpus is checked whole (every file's
    checksum) and rebuilt if damaged; -v says how much room the cache takes.

    Example: [bold]peercorpus ingest corpora/ --config configs/default.yaml[/bold]
    """
    settings = load_settings(config, set_)
    corpus = open_corpus(paths, config=settings, cache_dir=cache_dir, no_cache=no_cache, verify_cache=True)
    report = corpus.load_report
    if Verbosity.verbose and report.snapshot:
        note(_cache_size(Path(report.snapshot)))
    from ..analysis.info import corpus_totals, counted, totals_summary

    totals = corpus_totals(corpus)
    how = "unchanged, from cache" if report.from_snapshot else f"{counted(report.files_tokenized, 'file')} tokenised"
    if report.partitions_reused:  # a rebuild that kept what did not change (issue 18)
        how += f"; {report.partitions_reused} of {report.partitions_reused + report.partitions_rebuilt} cache partitions kept"
    typer.echo(
        f"{totals_summary(totals)} ({how}; {counted(totals['files_skipped'], 'file')} skipped; "
        f"{counted(totals['documents_with_warnings'], 'document')} with warnings: see 'peercorpus info')"
    )


def _cache_size(snapshot: Path) -> str:
    """``cache: 12.3 MB for this corpus (ids 4.1 MB, char_starts 4.1 MB, ...), 40 MB in all in DIR``."""
    by_name: dict[str, int] = {}  # a partitioned snapshot (format 5): each array summed over its partitions
    for path in snapshot.rglob("*"):
        if path.is_file():
            by_name[path.stem] = by_name.get(path.stem, 0) + path.stat().st_size
    sizes = sorted(((size, name) for name, size in by_name.items()), reverse=True)
    root = snapshot.parents[2]  # <root>/v<format>/snapshots/<key>/<name>
    total = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
    largest = ", ".join(f"{name} {_megabytes(size)}" for size, name in sizes[:4])
    return f"cache: {_megabytes(sum(s for s, _ in sizes))} for this corpus ({largest}, ...); {_megabytes(total)} in all in {root.parent}"


def _megabytes(size: int) -> str:
    return f"{size / 1e6:,.1f} MB"


def _write_documents(corpus, fields: list[str], fmt: str, output: Path | None) -> dict:
    """The document table as csv, tsv, md or json (with the totals and skipped files), a batch
    of documents at a time, each decoded and let go: memory does not grow with the corpus.
    Byte for byte what the same rows written at once give. Returns the totals."""
    from ..analysis.info import corpus_totals, document_columns, document_row_batches

    with atomic_stream(output) as write:
        if fmt == "json":
            write('{\n  "documents": ')
            table = JsonListWriter(write, depth=1)
        else:
            table = TableWriter(write, fmt, document_columns(fields), title="Documents")
        for rows in document_row_batches(corpus, fields):
            table.add(rows)
        table.close()
        totals = corpus_totals(corpus)
        if fmt == "json":
            skipped = [{"path": s.path, "reason": s.reason} for s in corpus.skipped]
            rest = dumps_json({"totals": totals, "skipped": skipped})  # '{\n  "totals": ...}\n'
            write(",\n" + rest[2:])
    return totals


def _frame_records(corpus, fields) -> list:
    from ..analysis.info import document_table

    return frame_records(document_table(corpus, fields))


@app.command()
@handle_errors
def info(
    paths: Paths,
    config: ConfigOption = None,
    set_: SetOption = None,
    where: WhereOption = None,
    fmt: FormatOption = None,
    output: OutputOption = None,
    cache_dir: CacheDirOption = None,
    no_cache: NoCacheOption = False,
    long: Annotated[bool, typer.Option("--long", "-l", help="On the terminal, every column (paragraphs, chars, encoding, cleaned, warnings in full) instead of one line per document.")] = False,
) -> None:
    """List documents with metadata, counts, encoding and what looks wrong (a quality report).

    On the terminal, one line per document with the quality notes cut short (--long for
    every column); files (CSV, TSV, JSON, ...) always hold every column, the same columns
    whatever --where keeps.

    Flags encoding fallbacks, empty or near-empty texts, PDF pages without text,
    hard-wrapped or interleaved-column text, hyphenated line breaks, duplicates, and what
    cleaning removed. JSON holds {"documents": [...], "totals": {...}, "skipped": [...]}.

    Example: [bold]peercorpus info corpora/ --where genre=blog --format csv -o docs.csv[/bold]
    """
    from ..analysis.info import DOCUMENT_COUNTS, corpus_totals, counted, document_rows, totals_summary

    fmt, _, corpus = start_command(paths, fmt=fmt, output=output, config=config, set_=set_, cache_dir=cache_dir, no_cache=no_cache)
    fields = corpus.fields()  # the whole corpus' fields: the columns do not change with --where
    corpus = corpus.where(where) if where else corpus
    if fmt in ("csv", "tsv", "md", "json") and plain_records([{f: m.get(f) for f in fields} for m in corpus.metadata_rows()]):
        totals = _write_documents(corpus, fields, fmt, output)
        if fmt != "json":  # the totals are in the JSON
            note(f"{totals_summary(totals)}; {totals['documents_with_warnings']:,} with warnings; {counted(totals['files_skipped'], 'file')} skipped")
        return
    # on the terminal, the first export.TERMINAL_ROWS documents (as write_table_parts shows
    # a table of every document: each one shown is decoded and laid out at once)
    shown_rows = export.TERMINAL_ROWS
    shown = corpus if fmt != "table" or len(corpus) <= shown_rows else corpus.subset(range(shown_rows))
    columns, rows = document_rows(shown, fields)
    totals = corpus_totals(corpus)
    # Plain cells are written without pandas (its import is most of a warm info); anything
    # else goes through the DataFrame, whose rules decide how it is written.
    plain = plain_records(rows)
    if fmt == "json":
        skipped = [{"path": s.path, "reason": s.reason} for s in corpus.skipped]
        documents = [json_safe(row) for row in rows] if plain else _frame_records(corpus, fields)
        write_json({"documents": documents, "totals": totals, "skipped": skipped}, output)
        return
    if plain and fmt in ("csv", "tsv", "md"):
        write_text(records_to_text(rows, columns, fmt, title="Documents"), output)
    elif plain and fmt == "table":
        if long:
            print_records(rows, columns, list(DOCUMENT_COUNTS) if rows else [], title="Documents", total=len(corpus), rest=TERMINAL_REST)
        else:
            short = ["doc", *columns[1 : columns.index("tokens")], "tokens", "types", "sentences", "notes"]
            for row in rows:
                row["notes"] = "; ".join(filter(None, [row["warnings"], row["cleaned"]]))
            print_records(
                rows, short, ["tokens", "types", "sentences"] if rows else [], title="Documents",
                optional=short[1:-4], footer="--long or --format csv shows every column", total=len(corpus), rest=TERMINAL_REST,
            )
    else:
        from ..analysis.info import document_table

        if fmt == "table":
            print_table(document_table(shown, fields), title="Documents", total=len(corpus), rest=TERMINAL_REST)
        else:
            write_table(document_table(corpus, fields), fmt=fmt, output=output, title="Documents")
    note(f"{totals_summary(totals)}; {totals['documents_with_warnings']:,} with warnings; {counted(totals['files_skipped'], 'file')} skipped")


@app.command()
@handle_errors
def show(
    paths: Paths,
    doc: Annotated[str, typer.Option("--doc", "-d", help="The document's id, as info lists it (or a unique part of it).")],
    config: ConfigOption = None,
    set_: SetOption = None,
    fmt: Annotated[str | None, typer.Option("--format", "-f", help="text or json \\[default: text].")] = None,
    output: OutputOption = None,
    cache_dir: CacheDirOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """Print a document's text as it is read and analysed, with the sections left out marked.

    What analyses see is printed as it is; reference lists, declarations and boilerplate
    that analyses leave out are shown between markers (dimmed on a terminal), so you can
    check the reading before trusting counts (AntConc's File View). JSON gives a list of
    {"label", "heading", "excluded", "text"}.

    Example: [bold]peercorpus show corpora/ --doc more-milk[/bold]
    """
    from ..ingest.shard import document_parts

    fmt = fmt or ("json" if output is not None and output.suffix.lower() == ".json" else "text")
    if fmt not in ("text", "json"):
        raise UsageError(f"--format must be text or json; got '{fmt}'")
    settings = load_settings(config, set_)
    corpus = open_corpus(paths, config=settings, cache_dir=cache_dir, no_cache=no_cache)
    index = _find_document(corpus, doc)
    document = corpus.document(index)
    parts = document_parts(Path(document.path), document.doc_id, settings, corpus.repeated_lines)
    if fmt == "json":
        write_json([{"label": p.label, "heading": p.heading, "excluded": p.excluded, "text": p.text} for p in parts], output)
        return
    if output is None and sys.stdout.isatty():
        _print_parts(parts)
        return
    blocks = []
    for part in parts:
        blocks.append(f"[{_marker(part)}]\n{part.text}\n[end of {part.label}]" if part.excluded else part.text)
    write_text("\n\n".join(blocks) + "\n", output)


def _marker(part) -> str:
    heading = f" from '{part.heading}'" if part.heading else ""
    return f"left out: {part.label}{heading}, {part.chars:,} chars (--sections all keeps it)"


def _print_parts(parts) -> None:
    """On a terminal: left-out sections dimmed between markers; control characters of the
    text (ESC sequences) shown escaped, line breaks kept."""
    from rich.console import Console
    from rich.text import Text


    def safe(text: str) -> str:
        return "\n".join(printable(line) for line in text.split("\n"))

    console = Console(highlight=False)
    for part in parts:
        if part.excluded:
            console.print(Text(f"┄┄ {safe(_marker(part))} ┄┄", style="bold yellow"))
            console.print(Text(safe(part.text), style="dim"))
            console.print(Text(f"┄┄ end of {part.label} ┄┄", style="bold yellow"))
        else:
            console.print(Text(safe(part.text)))
        console.print()


def _find_document(corpus, doc: str) -> int:
    """The index of the document whose id is ``doc``, or the only one whose id contains it."""
    ids = corpus.doc_ids
    if doc in ids:
        return ids.index(doc)
    matches = [i for i, doc_id in enumerate(ids) if doc in doc_id]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise UsageError(f"no document id contains '{doc}' (see 'peercorpus info' for the ids)")
    shown = ", ".join(ids[i] for i in matches[:5])
    raise UsageError(f"'{doc}' matches {len(matches)} documents ({shown}{', ...' if len(matches) > 5 else ''}); give more of the id")

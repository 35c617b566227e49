"""``peercorpus dtm``: the document-term matrix for R (Matrix, quanteda, tidytext) or Python
(scipy, scikit-learn), with the terms and document variables beside it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import UsageError
from .common import (
    CacheDirOption,
    ConfigOption,
    NoCacheOption,
    Paths,
    SetOption,
    StopwordsOption,
    WhereOption,
    handle_errors,
    note,
    start_command,
)

app = typer.Typer(add_completion=False)  # the root app decides (no shell-completion options)


@app.command()
@handle_errors
def dtm(
    paths: Paths,
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder to write dtm.mtx (or dtm.parquet), terms.csv and docvars.csv into.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="mtx (Matrix Market) or parquet (needs pyarrow).")] = "mtx",
    ngram: Annotated[int, typer.Option("--ngram", "-n", min=1, max=5, help="Count n-grams of this many words (1-5).")] = 1,
    min_count: Annotated[int, typer.Option("--min-count", help="Leave out terms seen fewer times in the corpus.")] = 1,
    where: WhereOption = None,
    stopwords: StopwordsOption = None,
    config: ConfigOption = None,
    set_: SetOption = None,
    cache_dir: CacheDirOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """Document-term matrix (documents × terms, counts) with the config's tokenisation.

    Writes into the --output folder: dtm.mtx (Matrix Market, coordinate integer; rows are
    documents in docvars.csv's order, columns terms in terms.csv's order), terms.csv (column,
    term, count, doc_freq) and docvars.csv (row, doc, metadata). row and column are 1-based,
    as R counts. Counts equal freq's with the same settings.

    R: [bold]m <- Matrix::readMM("dtm/dtm.mtx"); dimnames(m) <- list(read.csv("dtm/docvars.csv")$doc, read.csv("dtm/terms.csv")$term); quanteda::as.dfm(m)[/bold]

    Python: [bold]scipy.io.mmread("dtm/dtm.mtx").tocsr()[/bold]

    Example: [bold]peercorpus dtm corpora/ -o output/dtm --stopwords english[/bold]
    """
    if fmt not in ("mtx", "parquet"):
        raise UsageError(f"--format must be mtx or parquet; got '{fmt}'")
    if output.suffix and not output.is_dir():
        raise UsageError(f"--output {output}: give a folder (dtm.mtx, terms.csv and docvars.csv go into it)")
    if fmt == "parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise UsageError("--format parquet needs pyarrow: pip install pyarrow (or use --format mtx)") from None
    _, settings, corpus = start_command(
        paths, fmt=None, output=None, config=config, set_=set_, cache_dir=cache_dir, no_cache=no_cache, where=where,
        outputs={"--output": output}, folders=("--output",), stopwords=stopwords,
    )
    # counted and written a chunk of documents at a time: Matrix Market lines, or a Parquet row group per chunk
    from ..analysis.frequency import document_term_columns
    from ..core.chunks import run
    from ..render.dtm_export import write_dtm_parquet_streamed, write_dtm_streamed

    terms, counts, doc_freq, nnz, (rows, chunks) = document_term_columns(corpus, settings.tokenize, ngram=ngram, min_count=min_count)
    if fmt == "mtx":
        written = write_dtm_streamed(corpus, output, terms, counts, doc_freq, nnz, run(rows, corpus, chunks))
    else:
        rows.as_text = False
        written = write_dtm_parquet_streamed(corpus, output, terms, counts, doc_freq, nnz, run(rows, corpus, chunks))
    note(f"{len(corpus)} documents × {written['terms']} terms written to {output}/: {', '.join(written['files'])}")

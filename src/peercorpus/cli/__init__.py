"""The ``peercorpus`` command: a thin Typer layer over the library (one module per command group,
imported when one of its commands runs: see ``lazy.py``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .. import __version__
from ..render.export import CsvOptions
from .common import Reading, Verbosity
from .lazy import LazyGroup

app = typer.Typer(
    name="peercorpus",
    cls=LazyGroup,  # each command is built when it runs (see cli/lazy.py)
    help="Corpus analysis for researchers: concordances, word lists, keyness, topics, reports.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"peercorpus {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only results and errors; no warnings or progress.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Say what was read, tokenised and cached.")] = False,
    traceback: Annotated[bool, typer.Option("--traceback", help="Show the Python traceback of an error (for bug reports).")] = False,
    cache_dir: Annotated[Path | None, typer.Option("--cache-dir", help="Cache folder for every command \\[default: $PEERCORPUS_CACHE_DIR or ~/.cache/peercorpus].")] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="Tokenise on a Dask cluster: tcp://host:port or a scheduler file (needs pip install 'peercorpus\\[dask]' and a --cache-dir the workers share) \\[default: compute.scheduler, $PEERCORPUS_SCHEDULER, or local].",
        ),
    ] = None,
    safe_csv: Annotated[bool, typer.Option("--safe-csv", help="In CSV/TSV files, put ' before text cells starting with = + - @ (spreadsheet formula injection; off: cells exactly as in the corpus).")] = False,
    memory_mb: Annotated[int | None, typer.Option("--memory-mb", help="Memory for counting analyses, in MB: freq, keyness, collocations, collocates, dispersion, stats, code and dtm go through the corpus in chunks that fit \\[default: $PEERCORPUS_MEMORY_MB, else the config's compute.memory_mb, else 1024].")] = None,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")] = False,
    sections: Annotated[
        str | None,
        typer.Option(
            "--sections",
            help="Sections analyses see: all, or some of body,references,declarations,boilerplate \\[default: body].",
        ),
    ] = None,
) -> None:
    """Corpus analysis for researchers: concordances, word lists, keyness, topics, reports.

    -q, -v, --traceback, --cache-dir, --scheduler, --safe-csv and --memory-mb may also follow the command (peercorpus kwic corpora/ peer -q).

    Example: [bold]peercorpus topics corpora/[/bold]
    """
    Verbosity.quiet, Verbosity.verbose, Verbosity.traceback = quiet, verbose, traceback
    if quiet:
        Verbosity.silence_libraries()
    Reading.sections = sections
    Verbosity.cache_dir = cache_dir
    Verbosity.scheduler = scheduler
    if memory_mb is not None:
        from ..core.chunks import set_memory_mb

        set_memory_mb(memory_mb, name="--memory-mb", check=False)

    CsvOptions.safe = safe_csv



def main() -> None:
    """Console-script entry point."""
    app(prog_name="peercorpus")

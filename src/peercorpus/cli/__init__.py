"""The ``peercorpus`` command: a thin Typer layer over the library (one module per command group)."""

from __future__ import annotations

from typing import Annotated

import typer

from .. import __version__
from .code_commands import app as code_app
from .common import Verbosity
from .corpus_commands import app as corpus_app
from .count_commands import app as count_app
from .kwic_commands import app as kwic_app
from .report_commands import app as report_app
from .setup_commands import app as setup_app
from .topic_commands import app as topic_app

app = typer.Typer(
    name="peercorpus",
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
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")] = False,
) -> None:
    """Corpus analysis for researchers: concordances, word lists, keyness, topics, reports.

    Example: [bold]peercorpus topics corpora/[/bold]
    """
    Verbosity.quiet, Verbosity.verbose, Verbosity.traceback = quiet, verbose, traceback


app.add_typer(corpus_app)
app.add_typer(kwic_app)
app.add_typer(count_app)
app.add_typer(topic_app)
app.add_typer(code_app)
app.add_typer(report_app)
app.add_typer(setup_app)


def main() -> None:
    """Console-script entry point."""
    app(prog_name="peercorpus")

"""What every command shares: corpus options, opening a corpus with a progress bar, errors.

A command module uses it like this::

    @app.command()
    @handle_errors
    def info(paths: Paths, config: ConfigOption = None, ...):
        corpus = open_corpus(paths, config=config, cache_dir=cache_dir, no_cache=no_cache)
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from ..config import load_config, validate_sections
from ..errors import PeerCorpusError, UsageError, as_option
from ..render.export import TABLE_FORMATS, resolve_format
from ..render.output_checks import check_outputs, check_outputs_against_inputs
from ..render.table import printable


class _StderrConsole:
    """rich's ``Console`` on stderr, made on first use: importing rich costs a warm ``kwic -q``
    (which prints nothing there) about 20 ms."""

    _console = None

    def get(self):
        if _StderrConsole._console is None:
            from rich.console import Console

            _StderrConsole._console = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)
        return _StderrConsole._console

    def __getattr__(self, name):
        return getattr(self.get(), name)


# Diagnostics go to stderr; results to stdout.
stderr = _StderrConsole()


class Verbosity:
    """Set by the root callback (``--quiet``/``--verbose``/``--traceback``)."""

    @staticmethod
    def silence_libraries() -> None:
        """With ``--quiet``, the warnings libraries print (matplotlib's layout and font notes,
        scikit-learn's convergence notes) are not shown either."""
        import logging
        import warnings

        warnings.simplefilter("ignore")
        logging.getLogger("matplotlib").setLevel(logging.ERROR)

    quiet = False
    verbose = False
    traceback = False
    cache_dir = None  # the root's --cache-dir (or one given after a command without its own)
    scheduler = None  # the root's --scheduler (a Dask scheduler address or file; "local")


class Reading:
    """Set by the root callback: ``--sections all`` (or ``body,references``) for every command,
    the same as ``--set cleaning.sections=[...]``."""

    sections: str | None = None

    @classmethod
    def overrides(cls) -> list[str]:
        if not cls.sections:
            return []

        names = [name.strip() for name in cls.sections.split(",") if name.strip()]
        validate_sections(tuple(names), "--sections")
        return [f"cleaning.sections=[{', '.join(names)}]"]


Paths = Annotated[list[Path], typer.Argument(help="Corpus folders or files (folders are read recursively).", show_default=False)]
ConfigOption = Annotated[Path | None, typer.Option("--config", "-c", help="YAML config (tokenisation, cleaning, reading).")]
SetOption = Annotated[list[str] | None, typer.Option("--set", help="Override a config value: --set tokenize.stem=true (repeatable).")]
CacheDirOption = Annotated[Path | None, typer.Option("--cache-dir", help="Cache folder \\[default: $PEERCORPUS_CACHE_DIR or ~/.cache/peercorpus].")]
NoCacheOption = Annotated[bool, typer.Option("--no-cache", help="Read and tokenise everything; write no cache.")]
WhereOption = Annotated[list[str] | None, typer.Option("--where", "-w", help="Keep documents whose metadata match: genre=blog, year>=2020 (repeatable).")]
FormatOption = Annotated[str | None, typer.Option("--format", "-f", help="table, csv, tsv, json, md or html \\[default: table, or from --output's suffix].")]
StopwordsOption = Annotated[str | None, typer.Option("--stopwords", help="Stop words to leave out: english, nltk, none or a file of words (one a line) \\[default: the config's tokenize.stopwords, else the command's own].")]
OutputOption = Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout (atomically).")]


def warn(message: str) -> None:
    """One warning line on stderr (not shown with --quiet)."""
    if not Verbosity.quiet:
        stderr.print(f"[yellow]warning:[/yellow] {_escape(message)}")


def note(message: str) -> None:
    """An informational line on stderr (not shown with --quiet)."""
    if not Verbosity.quiet:
        stderr.print(_escape(message))


def _escape(text: str) -> str:
    """Markup-escaped, control characters (ESC sequences) shown escaped: file names and corpus
    text reach warnings."""
    from rich.markup import escape


    return escape(printable(str(text)))


def handle_errors(command):
    """Turn a ``PeerCorpusError`` into one line on stderr and its exit code (2 or 1), and
    running out of memory into one line and exit 1."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except PeerCorpusError as error:
            if Verbosity.traceback:
                raise
            stderr.print(f"[red]error:[/red] {_escape(error_line(error, command_options(command)))}")
            raise typer.Exit(error.exit_code) from None
        except KeyboardInterrupt as interruption:
            from ..errors import Terminated

            terminated = isinstance(interruption, Terminated)  # SIGTERM: 128 + 15, as if not caught
            stderr.print("terminated; the files finished are cached, a rerun does the rest" if terminated else "interrupted")
            if terminated:
                # What was finished is published already (the ingest's finally blocks ran). End
                # here: an interpreter shutdown after SIGTERM can race the worker pool's feeder
                # thread on its closed pipe and print an "Exception ignored" traceback.
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(143)
            raise typer.Exit(130) from None
        except OSError as error:
            if Verbosity.traceback or not _is_write_problem(error):
                raise
            stderr.print(f"[red]error:[/red] {_escape(_write_problem(error))}")
            raise typer.Exit(1 if _is_full(error) else 2) from None
        except MemoryError:
            if Verbosity.traceback:
                raise
            stderr.print("[red]error:[/red] out of memory; narrow the job (--where, --limit, fewer queries) or use a machine with more memory")
            raise typer.Exit(1) from None

    return wrapper


def command_options(command) -> dict[str, str]:
    """Parameter name → the first long option a Typer command function declares for it
    (``{"min_count": "--min-count", ...}``), read from its ``Annotated`` options."""
    import typing

    from typer.models import OptionInfo

    try:
        hints = typing.get_type_hints(command, include_extras=True)
    except (NameError, TypeError):  # an annotation that cannot be resolved: no spellings
        return {}
    options = {}
    for name, hint in hints.items():
        for info in getattr(hint, "__metadata__", ()):
            if isinstance(info, OptionInfo):
                # Annotated[..., typer.Option("--min-count")] keeps its first name as the default
                declared = [info.default, *(info.param_decls or ())]
                long = [decl for decl in declared if isinstance(decl, str) and decl.startswith("--")]
                if long:
                    options[name] = long[0].split("/")[0]
    return options


def error_line(error: PeerCorpusError, options: dict[str, str]) -> str:
    """An error as the command line says it: parameters as the command's ``options``
    (``--min-count must be an integer ≥ 1; got 0``; ``as_option`` for a name it lacks),
    including the one a message starts with when the command has it."""
    message = error.spelled(lambda name: options.get(name) or as_option(name))
    param = getattr(error, "param", None)
    if param in options and (message.startswith(param + " ") or message.startswith(param + ":")):
        message = options[param] + message[len(param):]
    return message


def _is_full(error: OSError) -> bool:
    import errno

    return error.errno in (errno.ENOSPC, errno.EDQUOT)


def _is_write_problem(error: OSError) -> bool:
    import errno

    return _is_full(error) or error.errno in (errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOTDIR, errno.EISDIR, errno.EPIPE)


def _write_problem(error: OSError) -> str:
    """``cannot write results/freq.csv: disk full`` (with a hint for the cache)."""
    where = f" {error.filename}" if error.filename else ""
    if _is_full(error):
        return f"cannot write{where}: disk full; free some space, or write elsewhere (--output, or --no-cache / another --cache-dir for the cache)"
    return f"cannot write{where}: {(error.strerror or str(error)).lower()}"


def paths_and_terms(arguments: list[str], command: str, term: str = "query", *, many: bool = True) -> tuple[list[Path], list[str]]:
    """Split ``PATH... TERM...`` arguments: every leading argument that exists is a corpus path
    (the last argument is always a term), except one inside a path already given: that is a
    term (``kwic . sport game`` in a corpus with a sport/ folder searches for "sport"; a note
    says so). One-line errors for a missing path or term.

        paths_and_terms(["corpora", "lived experience"], "kwic")   # ([Path('corpora')], ['lived experience'])
    """

    usage = f"(usage: peercorpus {command} PATH... {term.upper()}{'...' if many else ''})"
    paths: list[Path] = []
    while len(paths) < len(arguments) - 1 and Path(arguments[len(paths)]).exists():
        candidate = Path(arguments[len(paths)])
        inside = next((p for p in paths if _is_inside(candidate, p)), None)
        if inside is not None:
            note(f"'{arguments[len(paths)]}' is taken as a {term}, not a path: it is inside {inside}, already given")
            break
        paths.append(candidate)
    terms = arguments[len(paths):]
    if not paths and len(arguments) == 1 and Path(arguments[0]).exists():
        raise UsageError(f"no {term} after {arguments[0]} {usage}")
    if not paths:
        raise UsageError(f"path not found: {arguments[0] if arguments else ''} {usage}")
    if any(not t.strip() for t in terms):
        raise UsageError(f"empty {term}: give a word, a phrase or a wildcard like recover*")
    return paths, terms


def _is_inside(path: Path, folder: Path) -> bool:
    """``path`` is ``folder`` or lies within it (after resolving links and ``..``)."""
    try:
        path, folder = path.resolve(), folder.resolve()
    except OSError:
        return False
    return folder.is_dir() and (path == folder or folder in path.parents)


def load_settings(config: Path | None, overrides: list[str] | None = None, *, stopwords: str | None = None):
    """The config with ``--set`` overrides; ``--stopwords`` is ``--set tokenize.stopwords=…``
    given last (it wins)."""

    overrides = [*Reading.overrides(), *(overrides or ())]
    if stopwords is not None:
        if stopwords not in ("english", "nltk", "none") and not Path(stopwords).is_file():
            raise UsageError(f"--stopwords must be english, nltk, none or a file of words (one a line); got '{stopwords}'")
        overrides.append(f"tokenize.stopwords={stopwords}")
    settings = load_config(config, overrides)
    if settings.compute.get("memory_mb") is not None:  # weaker than --memory-mb and the environment
        from ..core.chunks import set_config_memory_mb

        set_config_memory_mb(settings.compute["memory_mb"])
    return settings


def _count_on_the_cluster(config) -> None:
    """With a scheduler (``--scheduler``, ``compute.scheduler``, ``$PEERCORPUS_SCHEDULER``), counting
    analyses map their chunks over the cluster; the scheduler is contacted only when one does.
    Without one they run here (the engine of an earlier command in this process is dropped)."""
    from ..config import Config, load_config
    from ..core.chunks import current_engine, use_engine
    from ..ingest.load import scheduler_for

    if not isinstance(config, Config):
        config = load_config(Path(config) if config else None)
    scheduler = scheduler_for(Verbosity.scheduler, config)
    if scheduler is None:
        use_engine(None)
    elif getattr(current_engine(), "scheduler", None) != scheduler:
        from ..analysis.dask_engine import DaskEngine

        use_engine(DaskEngine(scheduler))


def open_corpus(
    paths: list[Path],
    *,
    config=None,
    cache_dir: Path | None = None,
    no_cache: bool = False,
    where: list[str] | None = None,
    outputs: dict[str, Path | None] | None = None,
    verify_cache: bool = False,
):
    """``load_corpus`` with a progress bar on a terminal, warnings for skipped files, ``where``;
    ``outputs`` (option → path) are refused when the corpus reads them (sidecars, link targets)."""
    from ..ingest.load import load_corpus

    cache_dir = cache_dir if cache_dir is not None else Verbosity.cache_dir
    check = (lambda inputs: check_outputs_against_inputs(outputs, inputs)) if outputs else None
    with progress_bar("tokenising") as progress:
        corpus = load_corpus(
            paths, config, cache_dir=cache_dir, use_cache=not no_cache, progress=progress or _progress_lines(),
            check_inputs=check, verify_cache=verify_cache, scheduler=Verbosity.scheduler,
        )
    _count_on_the_cluster(config)
    for skipped in corpus.skipped:
        warn(f"skipped {skipped.path}: {skipped.reason}")
    report = corpus.load_report
    if report is not None:
        for notice in report.notices:
            warn(notice)
        if Verbosity.verbose:
            source = "cache" if report.from_snapshot else f"{report.files_read} new or changed, {report.files_tokenized} tokenised"
            if getattr(report, "cluster", None):
                assembled = getattr(report, "partitions_on_cluster", 0)
                note(f"tokenised on {report.cluster}" + (f"; {assembled} partition{'s' * (assembled != 1)} assembled by its workers" if assembled else ""))
            note(f"{len(corpus)} documents from {report.files} files ({source})")
    return corpus.where(where) if where else corpus


def start_command(
    paths, *, fmt, output, config, set_, cache_dir, no_cache, where=None,
    outputs=None, inputs=(), folders=(), plots=(), formats=None, stopwords=None,
):
    """What most commands do first: check the format and every path the command will write
    (``output`` as ``--output``, plus ``outputs``: option → path; see ``check_outputs``),
    read the settings, open the corpus (narrowed by ``where``). Returns (fmt, settings, corpus).
    The config is always an input that no output may replace; ``inputs`` adds the others as
    (option, path) pairs.

        fmt, settings, corpus = start_command(paths, fmt=fmt, output=output, config=config, ...,
                                              outputs={"--plot": plot}, plots=("--plot",))
    """

    fmt = resolve_format(fmt, output, formats or TABLE_FORMATS)
    targets = {"--output": output, **(outputs or {})}
    check_outputs(targets, paths, inputs=[("--config", config), *inputs], folders=folders, plots=plots)
    settings = load_settings(config, set_, stopwords=stopwords)
    corpus = open_corpus(paths, config=settings, cache_dir=cache_dir, no_cache=no_cache, where=where, outputs=targets)
    return fmt, settings, corpus


def _progress_lines(every: float = 30.0):
    """Progress for a long ingest whose stderr is not a terminal (a batch job's log): one line
    ``tokenised 1,200 of 52,000 files`` at most every ``every`` seconds; none with -q."""
    if Verbosity.quiet:
        return None
    import time

    last = [time.monotonic()]

    def update(done: int, total: int, *what) -> None:
        now = time.monotonic()
        if now - last[0] >= every and done < total:
            last[0] = now
            stderr.print(f"{what[0]}: {done:,} of {total:,}" if what and what[0] else f"tokenised {done:,} of {total:,} files")

    return update


class progress_bar:
    """A rich progress bar on stderr, only on a terminal; the callback takes (done, total[, what]).

        with progress_bar("fitting") as update:
            run_long_job(progress=update)       # update is None when stderr is not a terminal
    """

    def __init__(self, description: str):
        self.description = description

    def __enter__(self):
        self.bar = None
        if Verbosity.quiet or not sys.stderr.isatty():
            return None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=stderr.get(), transient=True)
        self.task = None

        def update(done: int, total: int, what: str | None = None) -> None:
            if self.task is None:
                self.bar.start()
                self.task = self.bar.add_task(self.description, total=total)
            self.bar.update(self.task, completed=done, total=total, description=what or self.description)

        return update

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.stop()
        return False

"""``peercorpus report``: a thin layer over ``report/`` (read the config, run, publish the folder)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..render.output_checks import check_output_outside
from .common import (
    CacheDirOption,
    NoCacheOption,
    SetOption,
    Verbosity,
    handle_errors,
    note,
    open_corpus,
    progress_bar,
    warn,
)

app = typer.Typer(add_completion=False)  # the root app decides (no shell-completion options)


@app.command()
@handle_errors
def report(
    config: Annotated[Path, typer.Argument(help="The report config (YAML): corpus, settings and analyses.", show_default=False)],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Report folder \\[default: the config's 'output', or reports/CONFIG-NAME].")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing folder that peercorpus did not write.")] = False,
    set_: SetOption = None,
    cache_dir: CacheDirOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """Run every analysis a YAML config lists and write a report folder: report.html, report.md,
    one CSV and one JSON per table, plots, and manifest.json.

    The config names the corpus (relative to the config file), the cleaning and tokenisation
    settings, and the analyses (info, stats, freq, kwic, dispersion, collocates,
    collocations, keyness, topics, codebook) with their parameters; see
    configs/peer-support.yaml. Exit status: 0 when every analysis ran, 1 when one failed (the
    others still run and the report says why), 2 for a config or input error (nothing written).

    Example: [bold]peercorpus report configs/peer-support.yaml[/bold]

    Example: [bold]peercorpus report configs/peer-support.yaml -o results/report --set analyses.2.top=50[/bold]
    """
    from ..report.run import check_replaceable, read_resources, resource_paths, write_report
    from ..report.spec import check_against_corpus, read_report

    spec = read_report(config, set_ or ())
    folder = output or spec.output or Path("reports") / config.stem
    # name where the folder came from: --output, the config's output key, or the default
    option = "--output" if output else f"{spec.config.locate('output')}: output" if spec.output else "the report folder"
    check_output_outside(folder, list(spec.corpus), option=option)
    check_replaceable(folder, force=force, keep=(*spec.corpus, config, *resource_paths(spec)), option=option)
    resources = read_resources(spec)
    corpus = open_corpus(list(spec.corpus), config=spec.config, cache_dir=cache_dir, no_cache=no_cache, outputs={option: folder})
    check_against_corpus(spec, corpus)
    with progress_bar("analyses") as progress:
        result = write_report(spec, corpus, folder, resources=resources, progress=progress, reraise=Verbosity.traceback)
    for section in result.sections:
        status = f"failed: {section.error}" if section.error else f"{section.seconds:.1f} s"
        (warn if section.error else note)(f"{section.analysis.id}: {status}")
    note(f"report written to {folder}/report.html ({len(result.sections)} analyses, {len(result.failed)} failed)")
    if result.failed:
        raise typer.Exit(1)

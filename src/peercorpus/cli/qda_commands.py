"""``peercorpus codebook export|import`` and ``peercorpus qdpx summary``: REFI-QDA exchange with
NVivo, ATLAS.ti, MAXQDA and QualCoder, a thin layer over ``peercorpus.qda`` (the ``--qdpx``
options of code, kwic and topics are in ``qdpx_options.py``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import AnalysisError, InputError
from ..render.export import atomic_write, write_json, write_table, write_text
from ..render.output_checks import check_outputs
from ..validate import check_choice
from .common import handle_errors, note

app = typer.Typer(add_completion=False)  # the root app decides (no shell-completion options)
codebook_app = typer.Typer(add_completion=False, no_args_is_help=True)
qdpx_app = typer.Typer(add_completion=False, no_args_is_help=True)
app.add_typer(
    codebook_app,
    name="codebook",
    help=(
        "Codebooks to and from QDA software (REFI-QDA .qdc).\n\n"
        "Example: [bold]peercorpus codebook export configs/peer-support-codebook.yaml -o codes.qdc[/bold]"
    ),
)
app.add_typer(
    qdpx_app,
    name="qdpx",
    help=(
        "Read back a REFI-QDA project (.qdpx) and check every coded passage.\n\n"
        "Example: [bold]peercorpus qdpx summary coding.qdpx[/bold]"
    ),
)


@codebook_app.command("export")
@handle_errors
def export(
    codebook: Annotated[Path, typer.Argument(help="A peercorpus codebook (YAML, or a quanteda dictionary).", show_default=False)],
    output: Annotated[Path, typer.Option("--output", "-o", help="The .qdc file to write.", show_default=False)],
) -> None:
    """Write a codebook as a REFI-QDA codebook (.qdc) for NVivo, ATLAS.ti, MAXQDA or QualCoder.

    Themes become codes (sub-themes nested), with their descriptions and colours; each
    code's terms go in its description as a last line "Terms: a; b", so the .qdc also
    works as --codebook.

    Example: [bold]peercorpus codebook export configs/peer-support-codebook.yaml -o codes.qdc[/bold]
    """
    from ..analysis.codebook import load_codebook
    from ..qda.codebook_xml import codebook_to_qdc

    check_outputs({"--output": output}, [], inputs=[("CODEBOOK", codebook)])
    book = load_codebook(codebook)
    atomic_write(output, codebook_to_qdc(book))
    note(f"wrote {len(book.names)} codes to {output}")


@codebook_app.command("import")
@handle_errors
def import_(
    source: Annotated[Path, typer.Argument(help="A REFI-QDA codebook (.qdc) or project (.qdpx).", show_default=False)],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="The YAML codebook to write (default: stdout).")] = None,
) -> None:
    """Turn a codebook exported from QDA software into a peercorpus codebook to fill in.

    Themes, their nesting, descriptions and colours are kept; QDA codebooks hold no
    search terms, so every theme gets "terms: []" and a comment asking for its words,
    phrases or wildcards (terms written by peercorpus codebook export are read back).

    Example: [bold]peercorpus codebook import codes.qdc -o codebook.yaml[/bold]
    """
    from ..qda.codebook_xml import read_code_tree, skeleton_yaml

    check_outputs({"--output": output}, [], inputs=[("SOURCE", source)])
    nodes, title = read_code_tree(source)
    if not nodes:
        raise InputError(f"{source.name}: the codebook has no codes")
    write_text(skeleton_yaml(nodes, title=title, source=source.name), output)
    if output is not None:
        note(f"wrote the codebook to {output}; fill in the terms marked TODO")


@qdpx_app.command("summary")
@handle_errors
def summary(
    path: Annotated[Path, typer.Argument(help="A REFI-QDA project (.qdpx).", show_default=False)],
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
) -> None:
    """What a .qdpx holds (codes, sources, selections), checking every selection's text.

    Each text selection's positions must fall inside its source's text, and the text there
    must equal the selection's name when it has one (peercorpus and QualCoder write it).
    Exit 1 when a selection does not match.

    Example: [bold]peercorpus qdpx summary coding.qdpx --format json[/bold]
    """
    from collections import Counter

    from ..qda.reader import check_selections, read_qdpx

    check_choice("--format", fmt, ("table", "json"))
    project = read_qdpx(path)
    problems = check_selections(project)
    per_code = Counter(code for selection in project.selections for code in selection.codes)
    rows = [{"code": code_path, "color": color, "selections": per_code.get(code_path, 0)} for _, code_path, color in project.codes]
    if fmt == "json":
        write_json(
            {
                "name": project.name,
                "origin": project.origin,
                "users": project.users,
                "sources": len(project.sources),
                "cases": project.cases,
                "variables": [{"name": name, "type": kind} for name, kind in project.variables],
                "codes": rows,
                "selections": len(project.selections),
                "codings": sum(len(selection.codes) for selection in project.selections),
                "problems": problems,
            },
            None,
        )
    else:
        import pandas as pd


        write_table(pd.DataFrame(rows, columns=["code", "color", "selections"]), fmt="table", output=None, title=f"Codes in {path.name}")
    checked = sum(1 for s in project.selections if project.sources[s.source][1] is not None)
    note(
        f"{project.name}: {len(project.sources)} sources, {len(project.codes)} codes, {len(project.selections)} selections, "
        f"{project.cases} cases, {len(project.variables)} variables; {checked} selections checked against their text"
    )
    if problems:
        raise AnalysisError(f"{len(problems)} of {len(project.selections)} selections do not match their source text; first: {problems[0]}")

"""The ``--qdpx`` options that code, kwic and topics share, and writing the project (a helper
module, not a command group: importing it costs only typer)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import UsageError
from ..validate import check_choice
from .common import note

QdpxOption = Annotated[Path | None, typer.Option("--qdpx", help="Also write a REFI-QDA project (.qdpx) of the texts and coded passages for NVivo, ATLAS.ti, MAXQDA or QualCoder.")]
UnitOption = Annotated[str, typer.Option("--unit", "--qdpx-unit", help="What a --qdpx selection covers: match, sentence or paragraph.")]
CaseOption = Annotated[str | None, typer.Option("--case", help="--qdpx cases: one per value of this metadata field (default: one per document).")]


def check_qdpx_options(qdpx: Path | None, unit: str, *, units=("match", "sentence", "paragraph"), option: str = "--unit") -> None:
    """One line for a bad --unit or a --qdpx that is not a .qdpx file, before any work."""

    check_choice(option, unit, units)
    if qdpx is not None and qdpx.suffix.lower() != ".qdpx":
        raise UsageError(f"--qdpx {qdpx}: give a file name ending in .qdpx (QDA software opens it by its suffix)")
    if qdpx is not None and qdpx.is_dir():
        raise UsageError(f"--qdpx {qdpx} is a folder; give a .qdpx file name")


def check_case(corpus, case: str | None) -> None:
    """One line for a --case field the corpus does not have, before any analysis runs."""
    if case is not None:
        corpus.require_field(case, param="case")


def write_project(path: Path, corpus, codes, passages, *, name: str, case_field: str | None, description: str, docs=None) -> None:
    """Write the .qdpx and say what went in; ``passages`` name documents of ``corpus.within()[0]``
    (``qda/passages.py``); a ``--where`` view, or ``docs`` (indices), keeps only those documents
    as sources."""
    from ..qda.project import restrict, write_qdpx

    check_case(corpus, case_field)
    corpus, docs = corpus.within(docs)
    if docs is not None:
        corpus, passages = restrict(corpus, passages, docs)
    selections = write_qdpx(path, corpus, codes, passages, name=name, case_field=case_field, description=description)
    note(f"wrote {path}: {len(corpus)} sources, {len(codes)} codes, {selections} selections")

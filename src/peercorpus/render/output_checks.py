"""Check every path a command will write before it does any work: not in the corpus, not one
of its input files, a folder where a folder is written, a plot suffix that can be drawn.

    check_outputs({"--output": Path("freq.csv"), "--plot": Path("k.png")}, [Path("corpora")],
                  inputs=[("--config", Path("settings.yaml"))], plots=("--plot",))
"""

from __future__ import annotations

from pathlib import Path

from ..errors import UsageError
from .figure import PLOT_FORMATS


def check_outputs(
    outputs: dict[str, Path | None],
    corpus_paths: list[Path] | tuple[Path, ...],
    *,
    inputs: tuple[tuple[str, Path | None], ...] | list[tuple[str, Path | None]] = (),
    folders: tuple[str, ...] = (),
    plots: tuple[str, ...] = (),
) -> None:
    """A ``UsageError`` naming the option (``outputs``' key) of the first path that would be
    written into a corpus, over or into an input (``inputs``: (option, file or folder) pairs)
    or a folder holding one, over a file where a folder is written (options in ``folders``),
    or as a plot that is not .png or .svg (options in ``plots``). ``None`` paths are skipped.
    """

    given_inputs = [(option, Path(path)) for option, path in inputs if path is not None]
    for option, output in outputs.items():
        if output is None:
            continue
        output = Path(output)
        check_output_outside(output, corpus_paths, option=option)
        target = output.resolve()
        for input_option, path in given_inputs:
            resolved = path.resolve()
            if resolved == target:
                what = "is"
            elif resolved in target.parents:
                what = "is inside"
            elif target in resolved.parents:
                what = "holds"
            else:
                continue
            raise UsageError(f"{option} {output} {what} the {input_option} {path}; write it elsewhere")
        if option in folders and output.exists() and not output.is_dir():
            raise UsageError(f"{option} {output} is a file; give a folder")
        if option not in folders and output.is_dir():
            raise UsageError(f"{option} {output} is a folder; give a file name")
        if option in plots and output.suffix.lower().lstrip(".") not in PLOT_FORMATS:
            raise UsageError(f"{option} {output}: plots are written as .png or .svg")


def check_output_outside(output: Path | None, corpus_paths, *, option: str = "--output") -> None:
    """Refuse to write results into an input corpus folder (they would be read next time) or
    over a corpus file named on the command line."""
    if output is None:
        return
    target = Path(output).resolve()
    for corpus_path in corpus_paths:
        resolved = Path(corpus_path).resolve()
        if resolved.is_dir() and (target == resolved or resolved in target.parents):
            raise UsageError(f"{option} {output} is inside the corpus folder {corpus_path}; write it elsewhere")
        if target == resolved:
            raise UsageError(f"{option} {output} is the corpus file {corpus_path}; write it elsewhere")


def check_outputs_against_inputs(outputs: dict[str, Path | None], inputs: list[str]) -> None:
    """A ``UsageError`` when an output's real path (links resolved) is one of ``inputs`` (real
    paths of what a corpus reads besides its plain files: sidecars, link targets, folders
    reached through links), lies inside one of them, or holds one.

        check_outputs_against_inputs({"--output": Path("meta.csv")}, discovery.input_paths(paths))
    """
    import os

    for option, output in outputs.items():
        if output is None:
            continue
        target = os.path.realpath(output)
        for path in inputs:
            if target == path:
                what = "is"
            elif target.startswith(path.rstrip("/") + "/"):
                what = "is inside"
            elif path.startswith(target.rstrip("/") + "/"):
                what = "holds"
            else:
                continue
            raise UsageError(f"{option} {output} {what} {path}, which the corpus reads; write it elsewhere")

"""Read a .qdpx with REFI-QDA readers nobody on the peercorpus team wrote (run by hand, not by
pytest; they are not dependencies of peercorpus):

    python3 -m venv /tmp/qdaread && /tmp/qdaread/bin/pip install pyrefiqda pyqdpx
    peercorpus code corpora/ -b configs/peer-support-codebook.yaml --qdpx /tmp/sample.qdpx
    peercorpus codebook export configs/peer-support-codebook.yaml -o /tmp/codes.qdc
    /tmp/qdaread/bin/python tests/qda/external_readers.py /tmp/sample.qdpx /tmp/codes.qdc

pyqdpx 0.1.8 has one f-string that needs Python 3.12 (pyqdpx.py line 518, in a __str__); on
3.11 rewrite that line as string concatenation first. Each reader's selections are checked:
the text at a selection's positions must be the selection's name (peercorpus writes the coded
text there).
"""

from __future__ import annotations

import collections
import sys
import tempfile
import zipfile
from pathlib import Path


def names_of_selections(path: str) -> dict[str, str]:
    from lxml import etree

    with zipfile.ZipFile(path) as archive:
        root = etree.fromstring(archive.read("project.qde"))
    return {s.get("guid"): s.get("name") for s in root.iter("{urn:QDA-XML:project:1.0}PlainTextSelection")}


def with_pyrefiqda(path: str, codebook: str | None) -> None:
    from pyrefiqda import RefiCodebook, RefiProject

    with tempfile.TemporaryDirectory() as folder:
        project = RefiProject.load(path, extract_dir=folder)
        codes: dict[str, str] = {}

        def walk(items, prefix=""):
            for code in items or []:
                codes[code.guid] = prefix + code.name
                walk(code.code, prefix + code.name + "/")

        walk(project.code_book.codes.code)
        total = same = 0
        per_code: collections.Counter = collections.Counter()
        for source in project.sources.text_source:
            text = (Path(folder) / "Sources" / source.plain_text_path.removeprefix("internal://")).read_text(encoding="utf-8")
            for selection in source.plain_text_selection:
                total += 1
                same += text[selection.start_position : selection.end_position] == selection.name
                for coding in selection.coding:
                    per_code[codes[coding.code_ref.target_guid]] += 1
        variables = project.variables.variable if project.variables else []
        values = sum(len(s.variable_value) for s in project.sources.text_source)
        print(
            f"pyrefiqda: {len(project.sources.text_source)} sources, {len(codes)} codes, {total} selections, "
            f"{same} with the coded text at their positions; {len(variables)} variables "
            f"({', '.join(f'{v.name}:{v.type_of_variable.value}' for v in variables)}), {values} values, "
            f"{len(project.cases.case) if project.cases else 0} cases"
        )
        print("  per code:", dict(per_code))
    if codebook:
        book = RefiCodebook.load(codebook)
        print("pyrefiqda codebook:", [(c.name, [k.name for k in c.code]) for c in book.codes.code])


def with_pyqdpx(path: str) -> None:
    from pyqdpx import QDPX

    qde = QDPX(path).get_project()
    names = names_of_selections(path)
    total = same = 0
    per_code: collections.Counter = collections.Counter()
    for source in qde.sources.values():
        for guid, selection in source.coded_selections.items():
            total += 1
            same += selection.text == names[guid]
            per_code[selection.code.name] += 1
    print(f"pyqdpx: {len(qde.sources)} sources, {len(qde.codes)} codes, {total} selections, {same} with the coded text")
    print("  users:", [user.name for user in qde.users.values()], "per code:", dict(per_code))


if __name__ == "__main__":
    with_pyrefiqda(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None)
    with_pyqdpx(sys.argv[1])

"""Reading a ``.qdpx`` back: the project checked against the schema, its sources' texts, and
every text selection checked against the text it points into.

    project = read_qdpx(Path("coding.qdpx"))
    project.codes            # [(guid, path "pay/salary", color)]
    project.selections       # [Selection(source, start, end, name, codes, text)]
    problems = check_selections(project)    # [] when every selection's text is its name

Zips are opened with limits (entries, total uncompressed size, compression ratio) before a
byte is inflated, so a zip bomb is a one-line ``InputError``, as is a file that is not a zip,
not XML, or not the schema.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from .xml import PROJECT_NS, parse_xml, validate

MAX_ENTRIES = 100_000
MAX_TOTAL_BYTES = 4 * 1024**3
MAX_ENTRY_BYTES = 1024**3
MAX_RATIO = 200  # text deflates ~4x; a bomb 1000x and more
_NS = f"{{{PROJECT_NS}}}"


@dataclass
class Selection:
    """A ``PlainTextSelection``: its source's GUID, positions, name, code paths and the text
    at its positions (``None`` when the source's text is not in the file)."""

    source: str
    start: int
    end: int
    name: str | None
    codes: list[str]
    text: str | None


@dataclass
class Project:
    """What ``read_qdpx`` found."""

    name: str
    origin: str | None
    codes: list[tuple[str, str, str | None]] = field(default_factory=list)
    sources: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # guid -> (name, text)
    selections: list[Selection] = field(default_factory=list)
    variables: list[tuple[str, str]] = field(default_factory=list)
    cases: int = 0
    users: list[str] = field(default_factory=list)


def open_zip(path: Path) -> zipfile.ZipFile:
    """``path`` opened as a zip after checking its directory against the limits above."""
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise InputError(f"file not found: {path}") from None
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise InputError(f"{path.name}: not a .qdpx (zip) file ({error})") from None
    infos = archive.infolist()
    total = sum(info.file_size for info in infos)
    packed = sum(info.compress_size for info in infos)
    if len(infos) > MAX_ENTRIES or total > MAX_TOTAL_BYTES or any(info.file_size > MAX_ENTRY_BYTES for info in infos) or (total > 1024**2 and total > MAX_RATIO * max(packed, 1)):
        archive.close()
        raise InputError(f"{path.name}: refused as a zip bomb ({len(infos)} entries, {total:,} bytes unpacked from {packed:,})")
    return archive


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> bytes:
    """An entry's bytes, stopping at its declared size (a lying header cannot inflate more)."""
    try:
        with archive.open(info) as handle:
            data = handle.read(info.file_size + 1)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError) as error:
        raise InputError(f"{name}: cannot read {info.filename} ({error})") from None
    if len(data) > info.file_size:
        raise InputError(f"{name}: {info.filename} is larger than its zip header says; refused")
    return data


def _project_entry(archive: zipfile.ZipFile, name: str) -> zipfile.ZipInfo:
    entries = [info for info in archive.infolist() if info.filename.lower().endswith(".qde") and "/" not in info.filename.strip("/")]
    if not entries:
        raise InputError(f"{name}: no project.qde in the zip; not a REFI-QDA project")
    return entries[0]


def read_project_xml(path: Path):
    """The ``project.qde`` of the ``.qdpx`` at ``path``, parsed and validated (an lxml root)."""
    path = Path(path)
    with open_zip(path) as archive:
        return _project_root(archive, path.name)


def _project_root(archive: zipfile.ZipFile, name: str):
    """The archive's ``project.qde`` parsed, checked to be a Project and validated."""
    root = parse_xml(_read_entry(archive, _project_entry(archive, name), name), name=f"{name}: project.qde")
    if root.tag != f"{_NS}Project":
        raise InputError(f"{name}: project.qde is not a REFI-QDA project (root element {root.tag}, expected Project in {PROJECT_NS})")
    validate(root, "project", name=f"{name}: project.qde")
    return root


def read_qdpx(path: Path) -> Project:
    """The project at ``path`` with its sources' texts (``InputError`` when unreadable)."""
    path = Path(path)
    with open_zip(path) as archive:
        root = _project_root(archive, path.name)
        members = {info.filename: info for info in archive.infolist()}
        project = Project(name=root.get("name", ""), origin=root.get("origin"))
        code_paths: dict[str, str] = {}

        def walk(element, prefix: str) -> None:
            for code in element.findall(f"{_NS}Code"):
                code_path = prefix + (code.get("name") or "")
                code_paths[code.get("guid").strip("{}").lower()] = code_path
                project.codes.append((code.get("guid"), code_path, code.get("color")))
                walk(code, code_path + "/")

        codes = root.find(f"{_NS}CodeBook/{_NS}Codes")
        if codes is not None:
            walk(codes, "")
        project.users = [user.get("name") or user.get("guid") for user in root.iterfind(f"{_NS}Users/{_NS}User")]
        project.variables = [(v.get("name"), v.get("typeOfVariable")) for v in root.iterfind(f"{_NS}Variables/{_NS}Variable")]
        project.cases = len(root.findall(f"{_NS}Cases/{_NS}Case"))
        for source in root.iterfind(f"{_NS}Sources/{_NS}TextSource"):
            text = _source_text(archive, members, source, path.name)
            source_guid = source.get("guid")
            project.sources[source_guid] = (source.get("name") or source_guid, text)
            for selection in source.findall(f"{_NS}PlainTextSelection"):
                start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
                refs = [ref.get("targetGUID").strip("{}").lower() for ref in selection.iterfind(f"{_NS}Coding/{_NS}CodeRef")]
                project.selections.append(
                    Selection(
                        source=source_guid, start=start, end=end, name=selection.get("name"),
                        codes=[code_paths.get(ref, f"(unknown code {ref})") for ref in refs],
                        text=text[start:end] if text is not None and 0 <= start <= end <= len(text) else None,
                    )
                )
    return project


def _source_text(archive, members: dict, source, name: str) -> str | None:
    """A ``TextSource``'s plain text: inline, or ``internal://`` in ``Sources/``."""
    inline = source.find(f"{_NS}PlainTextContent")
    if inline is not None:
        return inline.text or ""
    target = source.get("plainTextPath") or ""
    if not target.startswith("internal://"):
        return None
    entry = "Sources/" + target[len("internal://") :]
    info = members.get(entry)
    if info is None:
        raise InputError(f"{name}: source '{source.get('name')}' points to {target}, which is not in the zip")
    data = _read_entry(archive, info, name)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{name}: {entry} is not UTF-8 text") from None


def check_selections(project: Project) -> list[str]:
    """One message per selection whose positions fall outside its source's text, or whose
    text there differs from its ``name`` (when it has one, as peercorpus and QualCoder write)."""
    problems = []
    for selection in project.selections:
        source_name, text = project.sources[selection.source]
        where = f"{source_name} [{selection.start}:{selection.end}]"
        if text is None:
            continue
        if selection.text is None:
            problems.append(f"{where}: outside the text ({len(text)} characters)")
        elif selection.name is not None and selection.name != selection.text:
            problems.append(f"{where}: text {_clip(selection.text)!r} is not the selection's name {_clip(selection.name)!r}")
    return problems


def _clip(text: str, size: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= size else text[: size - 1] + "…"

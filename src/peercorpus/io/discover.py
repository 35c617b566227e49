"""Find the documents and metadata sidecars under the paths a user gave.

    found = discover([Path("corpora")])
    found.files[0]      # (Path('corpora/peer-support/just-mad...txt'), Path('corpora'))
    found.sidecars      # {Path('corpora/peer-support'): Path('corpora/peer-support/metadata.csv')}
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError

DOCUMENT_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx", ".csv", ".tsv", ".jsonl")
SIDECAR_NAMES = ("metadata.csv", "metadata.tsv", "metadata.yaml", "metadata.yml")


@dataclass
class Discovery:
    """Documents as (file, root) pairs in path order, files skipped with why, sidecars by folder."""

    files: list[tuple[Path, Path]] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    sidecars: dict[Path, Path] = field(default_factory=dict)


def discover(paths: list[Path]) -> Discovery:
    """Walk folders recursively (following links once, so loops end), skip hidden entries."""
    found = Discovery()
    seen_files: set[Path] = set()
    for given in paths:
        if not given.exists():
            raise InputError(f"path not found: {given}")
        if given.is_file():
            _classify(given, given.parent, found, seen_files, explicit=True)
            continue
        entries: list[tuple[Path, Path]] = []
        visited: set[Path] = set()
        for folder, names in _walk(given, visited):
            for name in names:
                entries.append((folder / name, given))
        for path, root in sorted(entries, key=lambda e: e[0].relative_to(e[1]).as_posix()):
            _classify(path, root, found, seen_files, explicit=False)
    return found


def _walk(folder: Path, visited: set[Path]):
    """Yield (folder, file names) depth-first; each real directory is entered once."""
    try:
        real = folder.resolve()
    except OSError:
        return
    if real in visited:
        return
    visited.add(real)
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return
    files = []
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            if entry.is_dir():
                yield from _walk(Path(entry.path), visited)
            elif entry.is_file():
                files.append(entry.name)
        except OSError:
            continue
    yield folder, files


def _classify(path: Path, root: Path, found: Discovery, seen: set[Path], *, explicit: bool) -> None:
    real = path.resolve()
    if real in seen:
        return
    seen.add(real)
    if path.name.lower() in SIDECAR_NAMES:
        found.sidecars[path.parent] = path
        return
    if path.suffix.lower() in DOCUMENT_SUFFIXES:
        found.files.append((path, root))
    else:
        found.skipped.append((path, f"unsupported format {path.suffix or '(no suffix)'}"))

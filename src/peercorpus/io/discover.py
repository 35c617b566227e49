"""Find the documents and metadata sidecars under the paths a user gave.

    found = discover([Path("corpora")])
    found.files[0]      # (Path('corpora/peer-support/just-mad...txt'), Path('corpora'))
    found.file_names[0] # 'corpora/peer-support/just-mad...txt' (no Path objects needed)
    found.sidecars      # {Path('corpora/peer-support'): Path('corpora/peer-support/metadata.csv')}
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from ..errors import InputError

DOCUMENT_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx", ".csv", ".tsv", ".jsonl")
SIDECAR_NAMES = ("metadata.csv", "metadata.tsv", "metadata.yaml", "metadata.yml")


@dataclass
class Discovery:
    """Documents as (file, root) pairs in path order with their (size, mtime_ns), files
    skipped with why, sidecars by folder."""

    file_names: list[str] = field(default_factory=list)  # str(path) of every document file
    file_roots: list[Path] = field(default_factory=list)
    stats: list[tuple[int, int]] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    sidecars: dict[Path, Path] = field(default_factory=dict)

    @cached_property
    def files(self) -> list[tuple[Path, Path]]:
        """(file, root) pairs as paths; built on first use, since a warm cache needs only names."""
        return [(Path(name), root) for name, root in zip(self.file_names, self.file_roots)]


def discover(paths: list[Path]) -> Discovery:
    """Walk folders recursively (following links once, so loops end), skip hidden entries.

    One ``stat`` per file: its identity (device, inode) drops a file reached twice through
    links, and its size and modification time tell the cache whether the file changed.
    """
    found = Discovery()
    seen_files: set[tuple[int, int]] = set()
    for given in paths:
        if not given.exists():
            raise InputError(f"path not found: {given}")
        if given.is_file():
            _classify(str(given), given.name, given.parent, given.stat(), found, seen_files)
            continue
        entries: list[tuple[str, str, os.stat_result]] = []
        for relative_folder, files in _walk(str(given), "", set()):
            for name, info in files:
                entries.append((f"{relative_folder}{name}", name, info))
        entries.sort(key=lambda entry: entry[0])
        prefix = "" if str(given) == "." else f"{given}/"  # what str(given / relative) gives
        for relative, name, info in entries:
            _classify(f"{prefix}{relative}", name, given, info, found, seen_files)
    return found


def _walk(folder: str, relative: str, visited: set[str]):
    """Yield (relative folder with a trailing slash, [(file name, stat)]) depth-first; each
    real directory is entered once, so symlink loops end."""
    real = os.path.realpath(folder)
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
                yield from _walk(entry.path, f"{relative}{entry.name}/", visited)
            elif entry.is_file():
                files.append((entry.name, entry.stat()))
        except OSError:
            continue
    yield relative, files


def _classify(path: str, name: str, root: Path, info: os.stat_result, found: Discovery, seen: set[tuple[int, int]]) -> None:
    identity = (info.st_dev, info.st_ino)
    if identity in seen:
        return
    seen.add(identity)
    name = name.lower()
    if name in SIDECAR_NAMES:
        found.sidecars[Path(path).parent] = Path(path)
        return
    suffix = os.path.splitext(name)[1]
    if suffix in DOCUMENT_SUFFIXES:
        found.file_names.append(path)
        found.file_roots.append(root)
        found.stats.append((info.st_size, info.st_mtime_ns))
    else:
        found.skipped.append((Path(path), f"unsupported format {suffix or '(no suffix)'}"))

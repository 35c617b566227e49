"""Find the documents and metadata sidecars under the paths a user gave.

    found = discover([Path("corpora")])
    found.files[0]      # (Path('corpora/peer-support/just-mad...txt'), Path('corpora'))
    found.file_names[0] # 'corpora/peer-support/just-mad...txt' (no Path objects needed)
    found.sidecars      # {Path('corpora/peer-support'): Path('corpora/peer-support/metadata.csv')}
"""

from __future__ import annotations

import gc
import os
import stat
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from ..errors import InputError

DOCUMENT_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx", ".csv", ".tsv", ".jsonl")
_LIST_BY_DESCRIPTOR = os.scandir in os.supports_fd and hasattr(os, "O_DIRECTORY")
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

    One ``stat`` per file: its identity (device, inode) finds a file reached twice (through
    links, or hard links), and its size and modification time tell the cache whether the
    file changed. Of a file reached twice the real path is kept (the first in path order
    when only links reach it), the other is skipped as "same file as ..."; broken links and
    what is not a regular file (FIFOs, sockets, devices) are skipped unopened.
    This runs on every command, warm or not, so the loop over plain files is kept tight;
    links and special files take a slower path.
    """
    collecting = gc.isenabled()
    gc.disable()  # tens of thousands of new tuples would trigger collections for nothing
    try:
        return _discover(paths)
    finally:
        if collecting:
            gc.enable()


def _discover(paths: list[Path]) -> Discovery:
    found = Discovery()
    seen_files: dict[tuple[int, int], str] = {}  # identity → the path kept
    for given in paths:
        if not given.exists():
            raise InputError(f"path not found: {given}")
        if given.is_file():
            info = given.stat()
            _classify(str(given), given.name, given, (info.st_size, info.st_mtime_ns, info.st_dev, info.st_ino), found, seen_files)
            _add_sidecar_beside(given, found)
            continue
        if not given.is_dir():
            found.skipped.append((given, "not a regular file"))
            continue
        prefix = "" if str(given) == "." else f"{given}/"  # what str(given / relative) gives
        walk = _Walk(str(given), prefix)
        _walk(str(given), "", walk, walk.files)
        entries = walk.files
        entries.sort()  # by relative path: tuples of unique strings first compare only those
        if walk.linked or walk.linked_dirs or walk.others:
            entries = _through_links(walk, found)
        file_names, file_roots, stats = found.file_names, found.file_roots, found.stats
        for relative, size, mtime, device, inode in entries:
            lower = relative.lower()
            identity = (device, inode)
            # A document suffix and not possibly a sidecar: the common case, kept tight.
            if identity in seen_files or not lower.endswith(DOCUMENT_SUFFIXES) or lower.endswith(SIDECAR_NAMES):
                _classify(f"{prefix}{relative}", relative.rpartition("/")[2], given, (size, mtime, device, inode), found, seen_files)
                continue
            name = f"{prefix}{relative}"
            seen_files[identity] = name
            file_names.append(name)
            file_roots.append(given)
            stats.append((size, mtime))
    return found


Entry = tuple[str, int, int, int, int]  # (relative path, size, mtime_ns, device, inode)


@dataclass
class _Walk:
    """What a walk found: regular files on real paths, files reached through a link (to the
    file or to a folder above it), linked folders still to walk, and entries to skip."""

    root: str
    prefix: str  # of every path below the root: "" or "root/"
    files: list[Entry] = field(default_factory=list)
    linked: list[Entry] = field(default_factory=list)
    linked_dirs: list[tuple[str, str]] = field(default_factory=list)  # (folder, relative path + "/")
    others: list[tuple[str, str]] = field(default_factory=list)  # (relative path, why skipped)
    visited: dict[str, str] = field(default_factory=dict)  # real folder → the path it was walked as

    def path(self, relative: str) -> str:
        """The path shown for ``relative`` (the root itself for "")."""
        return f"{self.prefix}{relative}" if relative else self.root


def _walk(folder: str, relative: str, walk: _Walk, files: list[Entry]) -> None:
    """Append an ``Entry`` for every regular file under ``folder`` to ``files``; each real
    directory is entered once, so symlink loops end. (Not the stat results themselves:
    44,000 of them held 50 MB.)"""
    real = os.path.realpath(folder)
    if real in walk.visited:
        walk.others.append((relative.rstrip("/"), f"same folder as {walk.visited[real]}"))
        return
    walk.visited[real] = walk.path(relative.rstrip("/"))
    if not _LIST_BY_DESCRIPTOR:
        _walk_paths(folder, relative, walk, files)
        return
    try:
        # Listing through a directory descriptor makes each entry's stat an fstatat on its
        # name, not a lookup of the whole path again (a third of the walk's time).
        descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        with os.scandir(descriptor) as listing:
            found = list(listing)
        _add_entries(found, folder, relative, walk, files)  # the descriptor stays open meanwhile
    except OSError:
        return
    finally:
        os.close(descriptor)


def _walk_paths(folder: str, relative: str, walk: _Walk, files: list[Entry]) -> None:
    """``_walk`` where directories cannot be listed through descriptors (Windows)."""
    try:
        with os.scandir(folder) as listing:
            found = list(listing)
    except OSError:
        return
    _add_entries(found, folder, relative, walk, files)


def _add_entries(found: list[os.DirEntry], folder: str, relative: str, walk: _Walk, files: list[Entry]) -> None:
    for entry in found:
        name = entry.name
        if name[0] == ".":
            continue
        try:
            # Regular files first: most entries are, and the type (not following links) is free.
            if entry.is_file(follow_symlinks=False):
                info = entry.stat()
                files.append((f"{relative}{name}", info.st_size, info.st_mtime_ns, info.st_dev, info.st_ino))
            elif entry.is_dir(follow_symlinks=False):
                _walk(f"{folder}/{name}", f"{relative}{name}/", walk, files)
            else:
                _add_other(entry, f"{folder}/{name}", f"{relative}{name}", walk)
        except OSError:
            continue


def _add_other(entry: os.DirEntry, path: str, relative: str, walk: _Walk) -> None:
    """A link (to a file, a folder, or nothing) or a special file, which is never opened."""
    if not entry.is_symlink():
        walk.others.append((relative, "not a regular file"))
        return
    try:
        info = entry.stat()
    except OSError:
        walk.others.append((relative, "broken link"))
        return
    if stat.S_ISREG(info.st_mode):
        walk.linked.append((relative, info.st_size, info.st_mtime_ns, info.st_dev, info.st_ino))
    elif stat.S_ISDIR(info.st_mode):
        walk.linked_dirs.append((path, f"{relative}/"))  # after the real folders, so they win
    else:
        walk.others.append((relative, "not a regular file"))


def _through_links(walk: _Walk, found: Discovery) -> list[Entry]:
    """The walk's files in path order with those reached through links that no real path
    reaches (the first in path order of several links); the rest are skipped with why."""
    while walk.linked_dirs:  # each may hold more links; visited folders end loops
        walk.linked_dirs.sort(key=lambda pair: pair[1])
        folder, relative = walk.linked_dirs.pop(0)
        _walk(folder, relative, walk, walk.linked)
    kept = {(device, inode): relative for relative, _, _, device, inode in walk.files}
    entries = list(walk.files)
    skipped = [(relative, why) for relative, why in walk.others]
    for entry in sorted(walk.linked):
        relative, identity = entry[0], entry[3:]
        if identity in kept and not relative.lower().endswith(SIDECAR_NAMES):
            skipped.append((relative, f"same file as {walk.path(kept[identity])}"))
        else:
            kept.setdefault(identity, relative)
            entries.append(entry)
    for relative, why in sorted(skipped):
        found.skipped.append((Path(walk.path(relative)), why))
    entries.sort()
    return entries


def _add_sidecar_beside(file: Path, found: Discovery) -> None:
    """A file given by itself gets the metadata of the sidecar in its folder, as in a walk
    (where, of several, the last in name order wins)."""
    folder = file.parent
    if folder in found.sidecars:
        return
    for name in reversed(SIDECAR_NAMES):
        if (folder / name).is_file():
            found.sidecars[folder] = folder / name
            return


def _classify(path: str, name: str, root: Path, info: tuple[int, int, int, int], found: Discovery, seen: dict[tuple[int, int], str]) -> None:
    """File ``path`` as a document, a sidecar or skipped; ``info`` is (size, mtime_ns, device, inode).
    A sidecar describes its own folder, so one reached twice through links counts in both."""
    name = name.lower()
    if name in SIDECAR_NAMES:
        found.sidecars[Path(path).parent] = Path(path)
        return
    identity = info[2:]
    if identity in seen:
        found.skipped.append((Path(path), f"same file as {seen[identity]}"))
        return
    seen[identity] = path
    suffix = os.path.splitext(name)[1]
    if suffix in DOCUMENT_SUFFIXES:
        found.file_names.append(path)
        found.file_roots.append(root)
        found.stats.append(info[:2])
    else:
        found.skipped.append((Path(path), f"unsupported format {suffix or '(no suffix)'}"))

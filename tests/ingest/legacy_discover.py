"""discover() as it was before issue 18's compact walk (a list of tuples a file, a dict of identities), kept
to check the new one against: the same files, in the same order, skipped for the same reasons.


    found = discover([Path("corpora")])
    found.files[0]      # (Path('corpora/peer-support/just-mad...txt'), Path('corpora'))
    found.file_names[0] # 'corpora/peer-support/just-mad...txt' (no Path objects needed)
    found.sidecars      # {Path('corpora/peer-support'): Path('corpora/peer-support/metadata.csv')}
"""

from __future__ import annotations

import gc
import os
import stat
from array import array
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from peercorpus.errors import InputError

DOCUMENT_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx", ".csv", ".tsv", ".jsonl")
_LIST_BY_DESCRIPTOR = os.scandir in os.supports_fd and hasattr(os, "O_DIRECTORY")
SIDECAR_NAMES = ("metadata.csv", "metadata.tsv", "metadata.yaml", "metadata.yml")


class FileStats:
    """Each file's (size, mtime_ns, ctime_ns, inode), four int64 a file in one array (a tuple
    of four Python ints took ~200 bytes a file: 180 MB at 890,000 files, on every command).
    Iterates and indexes as those tuples; ``np.asarray`` gives the (files × 4) array::

        stats = FileStats()
        stats.append((12, 1700000000000000000, 1700000000000000000, 77))
        stats[0]                  # (12, 1700000000000000000, 1700000000000000000, 77)
        np.asarray(stats).shape   # (1, 4)
    """

    FIELDS = 4

    def __init__(self) -> None:
        self.values = array("q")

    def append(self, stat: tuple[int, int, int, int]) -> None:
        self.values.extend(stat)

    def __len__(self) -> int:
        return len(self.values) // self.FIELDS

    def __getitem__(self, index: int) -> tuple[int, ...]:
        start = index * self.FIELDS if index >= 0 else len(self.values) + index * self.FIELDS
        if not 0 <= start < len(self.values):
            raise IndexError("file index out of range")
        return tuple(self.values[start : start + self.FIELDS])

    def __iter__(self):
        values, width = self.values, self.FIELDS
        return (tuple(values[at : at + width]) for at in range(0, len(values), width))

    def __eq__(self, other) -> bool:
        return isinstance(other, FileStats) and self.values == other.values

    __hash__ = None

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        table = np.frombuffer(self.values, dtype=np.int64).reshape(-1, self.FIELDS)
        return table if dtype is None else table.astype(dtype, copy=False)


@dataclass
class Discovery:
    """Documents as (file, root) pairs in path order with their (size, mtime_ns, ctime_ns,
    inode), files skipped with why, sidecars by folder; ``linked`` holds the real paths of
    files and folders reached through links (inputs too, that no output may replace)."""

    file_names: list[str] = field(default_factory=list)  # str(path) of every document file
    file_roots: list[Path] = field(default_factory=list)
    stats: FileStats = field(default_factory=FileStats)
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    sidecars: dict[Path, Path] = field(default_factory=dict)
    linked: list[str] = field(default_factory=list)

    def input_paths(self, given: list[Path]) -> list[str]:
        """Real paths of everything the corpus reads besides its plain files: the folders and
        files given, sidecars, and what links lead to."""
        paths = [os.path.realpath(p) for p in given]
        paths += [os.path.realpath(p) for p in self.sidecars.values()]
        return sorted(set(paths + self.linked))

    @cached_property
    def files(self) -> list[tuple[Path, Path]]:
        """(file, root) pairs as paths; built on first use, since a warm cache needs only names."""
        return [(Path(name), root) for name, root in zip(self.file_names, self.file_roots)]


def discover(paths: list[Path], *, follow_links_out: bool = False) -> Discovery:
    """Walk folders recursively (following links once, so loops end), skip hidden entries.

    One ``stat`` per file: its identity (device, inode) finds a file reached twice (through
    links, or hard links), and its size and modification time tell the cache whether the
    file changed. Of a file reached twice the real path is kept (the first in path order
    when only links reach it), the other is skipped as "same file as ..."; broken links and
    what is not a regular file (FIFOs, sockets, devices) are skipped unopened. A link that
    leads out of the folder given (``passwd.txt -> /etc/passwd``) is skipped with why, unless
    ``follow_links_out``.
    This runs on every command, warm or not, so the loop over plain files is kept tight;
    links and special files take a slower path.
    """
    collecting = gc.isenabled()
    gc.disable()  # tens of thousands of new tuples would trigger collections for nothing
    try:
        return _discover(paths, follow_links_out)
    finally:
        if collecting:
            gc.enable()


def _discover(paths: list[Path], follow_links_out: bool) -> Discovery:
    found = Discovery()
    seen_files: dict[tuple[int, int], str] = {}  # identity → the path kept
    for given in paths:
        if not given.exists():
            raise InputError(f"path not found: {given}")
        if given.is_file():
            info = given.stat()
            _classify(str(given), given.name, given, _info(info), found, seen_files)
            _add_sidecar_beside(given, found)
            continue
        if not given.is_dir():
            found.skipped.append((given, "not a regular file"))
            continue
        prefix = "" if str(given) == "." else f"{given}/"  # what str(given / relative) gives
        walk = _Walk(str(given), prefix, os.path.realpath(given), follow_links_out)
        _walk(str(given), "", walk, walk.files)
        entries = walk.files
        entries.sort()  # by relative path: tuples of unique strings first compare only those
        if walk.linked or walk.linked_dirs or walk.others:
            entries = _through_links(walk, found)
        file_names, file_roots, stats = found.file_names, found.file_roots, found.stats
        for relative, size, mtime, ctime, device, inode in entries:
            lower = relative.lower()
            identity = (device, inode)
            # A document suffix and not possibly a sidecar: the common case, kept tight.
            if identity in seen_files or not lower.endswith(DOCUMENT_SUFFIXES) or lower.endswith(SIDECAR_NAMES):
                _classify(f"{prefix}{relative}", relative.rpartition("/")[2], given, (size, mtime, ctime, inode, device, inode), found, seen_files)
                continue
            name = f"{prefix}{relative}"
            seen_files[identity] = name
            file_names.append(name)
            file_roots.append(given)
            stats.append((size, mtime, ctime, inode))
    return found


# (relative path, size, mtime_ns, ctime_ns, device, inode): a file changed in place with its
# size and mtime put back (touch -r) still has a new ctime, which no user can set.
Entry = tuple[str, int, int, int, int, int]


def _info(info: os.stat_result) -> tuple[int, int, int, int, int, int]:
    """(size, mtime_ns, ctime_ns, inode, device, inode): what the cache checks, then the identity."""
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev, info.st_ino)


@dataclass
class _Walk:
    """What a walk found: regular files on real paths, files reached through a link (to the
    file or to a folder above it), linked folders still to walk, and entries to skip."""

    root: str
    prefix: str  # of every path below the root: "" or "root/"
    real_root: str = ""
    follow_links_out: bool = False
    files: list[Entry] = field(default_factory=list)
    linked: list[Entry] = field(default_factory=list)
    linked_dirs: list[tuple[str, str]] = field(default_factory=list)  # (folder, relative path + "/")
    others: list[tuple[str, str]] = field(default_factory=list)  # (relative path, why skipped)
    visited: dict[tuple[int, int] | str, str] = field(default_factory=dict)  # (device, inode) of a folder → the path it was walked as

    def path(self, relative: str) -> str:
        """The path shown for ``relative`` (the root itself for "")."""
        return f"{self.prefix}{relative}" if relative else self.root


def _walk(folder: str, relative: str, walk: _Walk, files: list[Entry]) -> None:
    """Append an ``Entry`` for every regular file under ``folder`` to ``files``; each real
    directory is entered once, so symlink loops end. (Not the stat results themselves:
    44,000 of them held 50 MB.) Folders wait on a list, not on the call stack, so any depth
    of nesting is walked; a folder that cannot be listed is skipped with why."""
    pending = [(folder, relative)]
    while pending:
        folder, relative = pending.pop()
        # A folder is known by its device and inode: os.path.realpath would lstat every
        # component of the path, for every folder (600 nested folders: 180,000 lstat calls).
        try:
            info = os.stat(folder)
            same: tuple[int, int] | str = (info.st_dev, info.st_ino)
        except OSError:
            same = folder  # _list says why it cannot be read
        if same in walk.visited:
            walk.others.append((relative.rstrip("/"), f"same folder as {walk.visited[same]}"))
            continue
        walk.visited[same] = walk.path(relative.rstrip("/"))
        found = _list(folder, relative, walk)
        if found:
            _add_entries(found, folder, relative, walk, files, pending)


def _list(folder: str, relative: str, walk: _Walk) -> list:
    try:
        if not _LIST_BY_DESCRIPTOR:
            with os.scandir(folder) as listing:
                return list(listing)
        # Listing through a directory descriptor makes each entry's stat an fstatat on its
        # name, not a lookup of the whole path again (a third of the walk's time).
        descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as error:
        walk.others.append((relative.rstrip("/"), f"cannot read folder: {error.strerror or error}"))
        return []
    try:
        with os.scandir(descriptor) as listing:
            found = list(listing)
        kept = []
        for entry in found:
            try:
                if entry.is_file(follow_symlinks=False):
                    entry.stat(follow_symlinks=False)  # while the descriptor is open (then cached)
                kept.append(entry)
            except OSError:
                continue  # gone since it was listed
        return kept
    except OSError as error:
        walk.others.append((relative.rstrip("/"), f"cannot read folder: {error.strerror or error}"))
        return []
    finally:
        os.close(descriptor)


def _add_entries(found: list[os.DirEntry], folder: str, relative: str, walk: _Walk, files: list[Entry], pending: list) -> None:
    for entry in found:
        name = entry.name
        if name[0] == ".":
            continue
        try:
            # Regular files first: most entries are, and the type (not following links) is free.
            if entry.is_file(follow_symlinks=False):
                info = entry.stat(follow_symlinks=False)
                files.append((f"{relative}{name}", info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_dev, info.st_ino))
            elif entry.is_dir(follow_symlinks=False):
                pending.append((f"{folder}/{name}", f"{relative}{name}/"))
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
        info = os.stat(path)
    except OSError:
        walk.others.append((relative, "broken link"))
        return
    target = os.path.realpath(path)
    if not walk.follow_links_out and not _inside(target, walk.real_root):
        walk.others.append((relative, f"link to {target}, outside the corpus folder; not followed (read.follow_links: true to read it)"))
        return
    if stat.S_ISREG(info.st_mode):
        walk.linked.append((relative, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_dev, info.st_ino))
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
        found.linked.append(os.path.realpath(folder))
        _walk(folder, relative, walk, walk.linked)
    found.linked += [os.path.realpath(walk.path(entry[0])) for entry in walk.linked]
    kept = {(device, inode): relative for relative, _, _, _, device, inode in walk.files}
    entries = list(walk.files)
    skipped = [(relative, why) for relative, why in walk.others]
    for entry in sorted(walk.linked):
        relative, identity = entry[0], entry[4:]
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


def _classify(path: str, name: str, root: Path, info: tuple[int, ...], found: Discovery, seen: dict[tuple[int, int], str]) -> None:
    """File ``path`` as a document, a sidecar or skipped; ``info`` is ``_info``'s six numbers.
    A sidecar describes its own folder, so one reached twice through links counts in both."""
    name = name.lower()
    if name in SIDECAR_NAMES:
        found.sidecars[Path(path).parent] = Path(path)
        return
    identity = info[4:]
    if identity in seen:
        found.skipped.append((Path(path), f"same file as {seen[identity]}"))
        return
    seen[identity] = path
    suffix = os.path.splitext(name)[1]
    if suffix in DOCUMENT_SUFFIXES:
        found.file_names.append(path)
        found.file_roots.append(root)
        found.stats.append(info[:4])
    else:
        found.skipped.append((Path(path), f"unsupported format {suffix or '(no suffix)'}"))


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")

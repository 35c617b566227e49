"""Flushing what was written to the disk (``fsync``) before it is published: a power cut then
leaves the old file or the new one, whole; ``atomic_binary`` is a file written that way. A throwaway cache (a test suite, a scratch disk)
may skip it with ``PEERCORPUS_FSYNC=0``, as PostgreSQL's test clusters run with ``fsync=off``::

    with open(path, "wb") as handle:
        handle.write(data)
        sync(handle.fileno())      # os.fsync, unless PEERCORPUS_FSYNC=0
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from .errors import UsageError

FSYNC_ENV = "PEERCORPUS_FSYNC"


def sync(descriptor: int) -> None:
    """``os.fsync(descriptor)``, unless ``$PEERCORPUS_FSYNC`` is ``0``."""
    if os.environ.get(FSYNC_ENV, "").strip() != "0":
        os.fsync(descriptor)


def default_mode(full: int = 0o666) -> int:
    """The mode ``open()`` (``full=0o666``) or ``mkdir`` (``0o777``) would give under the umask.

        default_mode()          # 0o644 under umask 022
    """
    umask = os.umask(0)
    os.umask(umask)
    return full & ~umask


class atomic_binary:
    """A seekable binary file that appears at ``path`` whole when the block ends without an
    error (a temporary file beside it, flushed and renamed; the umask's mode). A character
    device or FIFO (``/dev/null``, a pipe) gets the bytes copied in once they are complete, as
    ``atomic_write`` writes them (a zip written to a pipe directly would differ: no seeking back)."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def __enter__(self):
        try:
            mode = os.stat(self.path).st_mode
        except (FileNotFoundError, NotADirectoryError):
            mode = None
        self.special = mode is not None and not stat.S_ISREG(mode)
        if self.special:
            if stat.S_ISDIR(mode):
                raise UsageError(f"{self.path} is a folder; give a file name")
            if not (stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)):
                raise UsageError(f"{self.path} is not a regular file, a character device or a pipe; not written")
            self.temporary = None
            self.handle = tempfile.TemporaryFile()
            return self.handle
        self.path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, self.temporary = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        os.fchmod(descriptor, default_mode())
        self.handle = os.fdopen(descriptor, "w+b")
        return self.handle

    def __exit__(self, kind, value, traceback):
        try:
            if kind is None and self.special:
                self.handle.seek(0)
                with open(self.path, "wb") as target:
                    while block := self.handle.read(1 << 20):
                        target.write(block)
            elif kind is None:
                self.handle.flush()
                sync(self.handle.fileno())  # a power cut leaves the old file or the new one, whole
            self.handle.close()
            if self.temporary is not None:
                if kind is None:
                    os.replace(self.temporary, self.path)
                else:
                    Path(self.temporary).unlink(missing_ok=True)
        except BaseException:
            if self.temporary is not None:
                Path(self.temporary).unlink(missing_ok=True)
            raise

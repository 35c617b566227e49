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


def special_target(path: Path) -> bool:
    """Whether ``path`` is a character device or FIFO (``/dev/null``, a pipe), written in place
    rather than replaced; False for a regular file or none. A folder or any other kind of file
    is a ``UsageError``."""
    try:
        mode = os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return False
    if stat.S_ISREG(mode):
        return False
    if stat.S_ISDIR(mode):
        raise UsageError(f"{path} is a folder; give a file name")
    if not (stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)):
        raise UsageError(f"{path} is not a regular file, a character device or a pipe; not written")
    return True


class Publication:
    """A temporary file beside ``path`` (the umask's mode) that becomes ``path`` whole, or is
    removed: ``handle`` to write, then ``finish(done)``.

        publication = Publication(Path("out.zip"))
        publication.handle.write(b"...")
        publication.finish(done=True)      # flushed, synced, renamed to out.zip
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, self.temporary = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        try:
            os.fchmod(descriptor, default_mode())
            self.handle = os.fdopen(descriptor, "w+b")
        except BaseException:
            os.close(descriptor)
            Path(self.temporary).unlink(missing_ok=True)
            raise

    def finish(self, done: bool) -> None:
        """Publish (``done``) or remove the temporary file; it is never left behind."""
        try:
            if done:
                self.handle.flush()
                sync(self.handle.fileno())  # a power cut leaves the old file or the new one, whole
            self.handle.close()
            if done:
                os.replace(self.temporary, self.path)
            else:
                Path(self.temporary).unlink(missing_ok=True)
        except BaseException:
            Path(self.temporary).unlink(missing_ok=True)
            raise


class atomic_binary:
    """A seekable binary file that appears at ``path`` whole when the block ends without an
    error (a ``Publication``). A character device or FIFO (``/dev/null``, a pipe) gets the
    bytes copied in once they are complete, as ``atomic_write`` writes them (a zip written to a
    pipe directly would differ: no seeking back)."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def __enter__(self):
        self.publication = None
        if special_target(self.path):
            self.handle = tempfile.TemporaryFile()
            return self.handle
        self.publication = Publication(self.path)
        return self.publication.handle

    def __exit__(self, kind, value, traceback):
        if self.publication is not None:
            self.publication.finish(done=kind is None)
            return
        with self.handle:
            if kind is None:
                self.handle.seek(0)
                with open(self.path, "wb") as target:
                    while block := self.handle.read(1 << 20):
                        target.write(block)

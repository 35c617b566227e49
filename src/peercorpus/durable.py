"""Flushing what was written to the disk (``fsync``) before it is published: a power cut then
leaves the old file or the new one, whole. A throwaway cache (a test suite, a scratch disk)
may skip it with ``PEERCORPUS_FSYNC=0``, as PostgreSQL's test clusters run with ``fsync=off``::

    with open(path, "wb") as handle:
        handle.write(data)
        sync(handle.fileno())      # os.fsync, unless PEERCORPUS_FSYNC=0
"""

from __future__ import annotations

import os

FSYNC_ENV = "PEERCORPUS_FSYNC"


def sync(descriptor: int) -> None:
    """``os.fsync(descriptor)``, unless ``$PEERCORPUS_FSYNC`` is ``0``."""
    if os.environ.get(FSYNC_ENV, "").strip() != "0":
        os.fsync(descriptor)

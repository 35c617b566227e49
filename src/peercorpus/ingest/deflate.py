"""The cache's compressed bytes: zlib streams, made and read by ISA-L when python-isal is
installed (a dependency wherever it has wheels), else by the standard library's zlib::

    from .deflate import compress, decompress
    decompress(compress(b"peer support")) == b"peer support"     # True

Either way the streams are zlib's format, so a cache written with one is read with the other.
ISA-L's level 3 made BBC's shards within 1-4% of zlib level 6's size in 0.3-0.4 of the CPU,
and reads them back in 0.6 of the time (issue 18: compressing shards was a tenth of a worker's
work). A stream that is not zlib's raises ``zlib.error`` from either.
"""

from __future__ import annotations

import zlib

try:
    from isal import isal_zlib as _isal
except ImportError:  # no wheel for this machine: the standard library's
    _isal = None

#: zlib's level, or ISA-L's (whose levels stop at 3) when it is installed.
ZLIB_LEVEL = 6
ISAL_LEVEL = 3


def compress(data: bytes) -> bytes:
    """``data`` as a zlib stream."""
    if _isal is not None:
        return _isal.compress(data, ISAL_LEVEL)
    return zlib.compress(data, ZLIB_LEVEL)


def decompress(data: bytes) -> bytes:
    """The bytes of the zlib stream ``data``; ``zlib.error`` when it is not one (damaged, cut short)."""
    if _isal is None:
        return zlib.decompress(data)
    try:
        return _isal.decompress(data)
    except _isal.error as error:
        raise zlib.error(str(error)) from None

"""Decode a file's bytes: UTF-8 (with or without BOM), else a detected legacy encoding.

    text, encoding, warnings = decode(Path("sport/199.txt").read_bytes())
    encoding    # 'cp1252'
    warnings    # ['not UTF-8; decoded as cp1252']

A UTF-8 file damaged in a few places stays UTF-8, the bad bytes replaced by U+FFFD::

    decode("Café “peer” ".encode() + b"\\xff")
    # ('Café “peer” �', 'utf-8 (1 bad byte replaced)', ['1 byte not valid UTF-8, replaced with U+FFFD'])
"""

from __future__ import annotations

import unicodedata

from ..errors import UnreadableFile

LEGACY_ENCODINGS = ("cp1252", "latin-1")
FEW_BAD_BYTES = 8  # a file with valid UTF-8 characters and at most this many bad bytes,
BAD_BYTES_PER = 1000  # or one in this many, is UTF-8 with damage rather than cp1252


def decode(data: bytes) -> tuple[str, str, list[str]]:
    """Text (NFC, ``\\n`` newlines), the encoding used, and warnings about it."""
    if not data:
        raise UnreadableFile("empty file (0 bytes)")
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnreadableFile("looks binary (NUL bytes), not text")
    warnings: list[str] = []
    bad = 0
    if data.startswith(b"\xef\xbb\xbf"):
        text, bad, _ = _utf8_replacing(data[3:], limit=len(data))  # a BOM says UTF-8, whatever follows
        encoding = "utf-8-sig"
    else:
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, bad, multibyte = _utf8_replacing(data, limit=max(FEW_BAD_BYTES, len(data) // BAD_BYTES_PER))
            encoding = "utf-8"
            if not multibyte or text is None:  # no UTF-8 character at all, or too many bad bytes
                encoding, bad = _guess_legacy(data), 0
                text = data.decode(encoding, errors="replace")
                warnings.append(f"not UTF-8; decoded as {encoding}")
    if bad:
        plural = "byte" if bad == 1 else "bytes"
        warnings.append(f"{bad} {plural} not valid UTF-8, replaced with U+FFFD")
        encoding = f"{encoding} ({bad} bad {plural} replaced)"
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text), encoding, warnings


def _utf8_replacing(data: bytes, *, limit: int) -> tuple[str | None, int, bool]:
    """``data`` as UTF-8 with each invalid sequence replaced by U+FFFD (as ``errors="replace"``),
    the number of invalid bytes, and whether any valid character took more than one byte.
    The text is ``None`` once more than ``limit`` bytes are invalid.

    >>> _utf8_replacing("é".encode() + b"\\xff!", limit=8)
    ('é�!', 1, True)
    """
    view = memoryview(data)
    pieces: list[str] = []
    bad = start = 0
    multibyte = False
    while True:
        try:
            piece = str(view[start:], "utf-8")
        except UnicodeDecodeError as error:
            piece = str(view[start : start + error.start], "utf-8")
            bad += error.end - error.start
            multibyte = multibyte or len(piece) < error.start
            if bad > limit:
                return None, bad, multibyte
            pieces += (piece, "\ufffd")
            start += error.end
            continue
        pieces.append(piece)
        return "".join(pieces), bad, multibyte or len(piece) < len(data) - start


def _guess_legacy(data: bytes) -> str:
    """cp1252 unless charset-normalizer is sure of another encoding that decodes the bytes."""
    from charset_normalizer import from_bytes

    best = from_bytes(data[:65536], cp_isolation=["cp1252", "latin_1", "utf_16", "mac_roman"]).best()
    if best is not None and best.encoding not in ("cp1252", "latin_1"):
        try:
            data.decode(best.encoding)
            return best.encoding
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        data.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def read_bytes(path) -> bytes:
    """The file's bytes, or ``UnreadableFile`` naming why not."""
    try:
        return path.read_bytes()
    except PermissionError:
        raise UnreadableFile("cannot read: permission denied") from None
    except OSError as error:
        raise UnreadableFile(f"cannot read: {error.strerror or error}") from None

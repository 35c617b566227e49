"""Decode a file's bytes: UTF-8 (with or without BOM), else a detected legacy encoding.

    text, encoding, warnings = decode(Path("sport/199.txt").read_bytes())
    encoding    # 'cp1252'
    warnings    # ['not UTF-8; decoded as cp1252']
"""

from __future__ import annotations

import unicodedata

from ..errors import UnreadableFile

LEGACY_ENCODINGS = ("cp1252", "latin-1")


def decode(data: bytes) -> tuple[str, str, list[str]]:
    """Text (NFC, ``\\n`` newlines), the encoding used, and warnings about it."""
    if not data:
        raise UnreadableFile("empty file (0 bytes)")
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnreadableFile("looks binary (NUL bytes), not text")
    warnings: list[str] = []
    if data.startswith(b"\xef\xbb\xbf"):
        text, encoding = data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    else:
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            encoding = _guess_legacy(data)
            text = data.decode(encoding, errors="replace")
            warnings.append(f"not UTF-8; decoded as {encoding}")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text), encoding, warnings


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

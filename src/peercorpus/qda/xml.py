"""XML plumbing shared by the REFI-QDA writers and readers: safe text, deterministic GUIDs,
the bundled schemas, a parser that refuses entities and networks.

    guid(fingerprint, "code", "hope")      # the same three inputs always give the same GUID
    xml_safe("a\\x00b")                     # 'a\\ufffdb': XML 1.0 cannot hold NUL
    validate(root, "project")              # InputError naming the first schema violation
"""

from __future__ import annotations

import re
import uuid
from functools import cache
from importlib import resources

from ..errors import InputError

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
SCHEMAS = {"project": "Project-mrt2019.xsd", "codebook": "Codebook.xsd"}

#: Namespace of every peercorpus GUID (uuid5 of this and the corpus fingerprint and the ids).
GUID_NAMESPACE = uuid.UUID("6b1f3c2e-8d1a-5c7e-9a4b-2f0e1d3c5b7a")

# Characters XML 1.0 cannot hold (C0 controls but tab, line feed and carriage return, lone
# surrogates, U+FFFE/U+FFFF); each becomes U+FFFD, one code point for one, so offsets hold.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """``text`` with every character XML 1.0 cannot hold replaced by U+FFFD (same length)."""
    return _NOT_XML.sub("\ufffd", text)


def guid(*parts: str) -> str:
    """A GUID derived from ``parts`` (uuid5): same parts, same GUID, in every process."""
    return str(uuid.uuid5(GUID_NAMESPACE, "\x1f".join(parts)))


@cache
def schema(kind: str):
    """The bundled ``lxml.etree.XMLSchema`` for ``"project"`` or ``"codebook"``."""
    from lxml import etree

    source = resources.files("peercorpus").joinpath("data", "refi-qda", SCHEMAS[kind])
    with resources.as_file(source) as path:
        return etree.XMLSchema(etree.parse(str(path)))


def validate(root, kind: str, *, name: str) -> None:
    """An ``InputError`` (one line) when ``root`` does not follow the ``kind`` schema."""
    checker = schema(kind)
    if not checker.validate(root):
        error = list(checker.error_log)[0]
        raise InputError(f"{name}: not a valid REFI-QDA {kind} ({SCHEMAS[kind]}): line {error.line}: {_short(error.message)}")


def parse_xml(data: bytes, *, name: str):
    """Parse ``data`` without a DTD, entities or network; ``InputError`` when it is not XML."""
    from lxml import etree

    # REFI-QDA files have no DTD; one could only declare entities (a "billion laughs" bomb).
    if any(marker in data for marker in (b"<!DOCTYPE", "<!DOCTYPE".encode("utf-16-le"), "<!DOCTYPE".encode("utf-16-be"))):
        raise InputError(f"{name}: has a DOCTYPE (entity declarations); REFI-QDA files have none, so it is refused")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise InputError(f"{name}: not well-formed XML ({_short(str(error))})") from None
    except ValueError as error:
        raise InputError(f"{name}: not readable as XML ({_short(str(error))})") from None


def serialize(root) -> bytes:
    """``root`` as UTF-8 bytes with an XML declaration, indented: the same tree, the same bytes."""
    from lxml import etree

    etree.indent(root, space="  ")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True) + b"\n"


def _short(message: str) -> str:
    message = " ".join(message.split())
    return message if len(message) <= 200 else message[:199] + "…"

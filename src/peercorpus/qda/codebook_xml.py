"""REFI-QDA codebooks (``.qdc``, ``Codebook.xsd``) to and from peercorpus codebooks.

    data = codebook_to_qdc(load_codebook(Path("configs/peer-support-codebook.yaml")))   # bytes
    nodes, title = read_code_tree(Path("codes.qdc"))       # also a .qdpx project's CodeBook
    text = skeleton_yaml(nodes, title=title, source="codes.qdc")   # a codebook to fill in
    data = qdc_codebook_data(Path("codes.qdc"))          # when its codes carry terms

Terms in a ``.qdc``: QDA software keeps a code's name, description and colour, not the words
that find it, so peercorpus writes a theme's own terms as the last line of its description::

    Recovery is possible; peer workers embody and bring hope.

    Terms: hope*; recovery; role model*

(``Terms:`` then the kwic queries separated by ``;``). A ``.qdc`` whose codes have such lines
can be given to ``--codebook`` directly; one without them must be imported first.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ConfigError, InputError
from .reader import read_project_xml
from .xml import CODEBOOK_NS, PROJECT_NS, guid, parse_xml, serialize, validate, xml_safe

#: Colours given to themes without a ``color:`` (matplotlib's tab10, as peercorpus' plots).
PALETTE = ("#1F77B4", "#FF7F0E", "#2CA02C", "#D62728", "#9467BD", "#8C564B", "#E377C2", "#7F7F7F", "#BCBD22", "#17BECF")
TERMS_LINE = re.compile(r"^\s*terms\s*:(.*)$", re.IGNORECASE)
#: The largest .qdc read (a codebook of thousands of codes is well under 1 MB).
MAX_QDC_BYTES = 32 * 1024 * 1024


@dataclass
class CodeNode:
    """One code of a QDA codebook: name, description (without the terms line), colour,
    terms (from a ``Terms:`` line) and sub-codes."""

    name: str
    description: str = ""
    color: str | None = None
    terms: list[str] = field(default_factory=list)
    children: list[CodeNode] = field(default_factory=list)


def theme_color(codebook, theme: str) -> str:
    """The theme's own ``color:``, else a palette colour by its position in the codebook."""
    return codebook.colors.get(theme) or PALETTE[codebook.names.index(theme) % len(PALETTE)]


def description_with_terms(description: str, terms) -> str:
    """A code's description: the theme's description, then ``Terms: a; b`` (own terms only)."""
    parts = [description.strip()] if description and description.strip() else []
    if terms:
        parts.append("Terms: " + "; ".join(terms))
    return "\n\n".join(parts)


def split_terms(description: str) -> tuple[str, list[str]]:
    """A code description's text and the terms of its last ``Terms:`` line (if any)."""
    lines = description.splitlines()
    for index in range(len(lines) - 1, -1, -1):
        match = TERMS_LINE.match(lines[index])
        if match:
            terms = [" ".join(term.split()) for term in match.group(1).split(";")]
            rest = "\n".join(lines[:index] + lines[index + 1 :]).strip()
            return rest, [term for term in terms if term]
    return description.strip(), []


def code_elements(codebook, namespace: str, fingerprint: str, *, with_terms: bool):
    """``Code`` elements of ``codebook``'s themes, nested as the themes are (top level returned)."""
    from lxml import etree

    made: dict[str, object] = {}
    top = []
    for theme in codebook.names:
        parent = codebook.parents.get(theme)
        name = theme if parent is None else theme[len(parent) + 1 :]
        element = etree.Element(
            f"{{{namespace}}}Code",
            guid=guid(fingerprint, "code", theme),
            name=xml_safe(name),
            isCodable="true",
            color=theme_color(codebook, theme),
        )
        description = description_with_terms(codebook.descriptions.get(theme, ""), codebook.own_terms.get(theme, ()) if with_terms else ())
        if description:
            etree.SubElement(element, f"{{{namespace}}}Description").text = xml_safe(description)
        made[theme] = element
        if parent is None:
            top.append(element)
        else:
            made[parent].append(element)
    return top


def codebook_to_qdc(codebook) -> bytes:
    """``codebook`` as a REFI-QDA ``.qdc`` (valid against ``Codebook.xsd``), its terms in
    each code's description. GUIDs come from the codebook's themes, so re-exporting the
    same codebook gives the same file."""
    from lxml import etree

    root = etree.Element(f"{{{CODEBOOK_NS}}}CodeBook", nsmap={None: CODEBOOK_NS}, origin="peercorpus")
    codes = etree.SubElement(root, f"{{{CODEBOOK_NS}}}Codes")
    codes.extend(code_elements(codebook, CODEBOOK_NS, "codebook", with_terms=True))
    validate(root, "codebook", name=codebook.source)
    return serialize(root)


def read_code_tree(path: Path) -> tuple[list[CodeNode], str | None]:
    """The codes of a ``.qdc`` codebook or of a ``.qdpx``/``.qde`` project's ``CodeBook``,
    checked against the schema; and a title (the project's name, if any).

    ``InputError`` (one line) when the file is missing, not XML, not the schema, or a zip
    that is not a REFI-QDA project."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"codebook file not found: {path}")
    if path.suffix.lower() == ".qdpx":
        root = read_project_xml(path)
    else:
        if path.stat().st_size > MAX_QDC_BYTES:
            raise InputError(f"{path.name}: larger than {MAX_QDC_BYTES // 2**20} MB; not a codebook")
        root = parse_xml(path.read_bytes(), name=path.name)
        kind = {f"{{{CODEBOOK_NS}}}CodeBook": "codebook", f"{{{PROJECT_NS}}}Project": "project"}.get(root.tag)
        if kind is None:
            raise InputError(f"{path.name}: not a REFI-QDA codebook (root element {_local(root.tag)}, expected CodeBook in {CODEBOOK_NS})")
        validate(root, kind, name=path.name)
    namespace = root.tag[1 : root.tag.index("}")]
    codes = root.find(f"{{{namespace}}}Codes") if namespace == CODEBOOK_NS else root.find(f"{{{namespace}}}CodeBook/{{{namespace}}}Codes")
    title = root.get("name") if namespace == PROJECT_NS else None
    if codes is None:
        return [], title
    return [_node(code, namespace) for code in codes.findall(f"{{{namespace}}}Code")], title


def _node(element, namespace: str) -> CodeNode:
    description = element.findtext(f"{{{namespace}}}Description") or ""
    text, terms = split_terms(description)
    return CodeNode(
        name=" ".join((element.get("name") or "").split()),
        description=text,
        color=(element.get("color") or None),
        terms=terms,
        children=[_node(child, namespace) for child in element.findall(f"{{{namespace}}}Code")],
    )


def _unique_names(nodes: list[CodeNode]) -> list[tuple[str, CodeNode]]:
    """Sibling names made unique and non-empty (QDA software allows two codes of one name)."""
    seen: dict[str, int] = {}
    named = []
    for number, node in enumerate(nodes, start=1):
        name = node.name or f"code {number}"
        seen[name] = seen.get(name, 0) + 1
        named.append((name if seen[name] == 1 else f"{name} ({seen[name]})", node))
    return named


def nodes_to_data(nodes: list[CodeNode], title: str | None) -> dict:
    """The peercorpus form (``themes:`` with terms, description, color, themes) of ``nodes``."""

    def theme(node: CodeNode) -> dict:
        entry: dict = {}
        if node.description:
            entry["description"] = node.description
        if node.color:
            entry["color"] = node.color
        if node.terms:
            entry["terms"] = list(node.terms)
        if node.children:
            entry["themes"] = {name: theme(child) for name, child in _unique_names(node.children)}
        return entry

    data: dict = {"themes": {name: theme(node) for name, node in _unique_names(nodes)}}
    if title:
        data = {"title": title, **data}
    return data


def qdc_codebook_data(path: Path) -> dict:
    """The codebook mapping (as a YAML codebook holds it) of a ``.qdc`` whose codes carry
    ``Terms:`` lines (module docstring); ``analysis.codebook.load_codebook`` checks it.

    One line (``ConfigError``) when it has no terms at all: the codebook must be imported
    first (``peercorpus codebook import``) and its terms filled in."""

    nodes, title = read_code_tree(path)
    if not nodes:
        raise ConfigError(f"{path.name}: the codebook has no codes")
    missing = list(_leaves_without_terms(nodes))
    if not any(node.terms for node in _all_nodes(nodes)):
        raise ConfigError(
            f"{path.name} has no terms (QDA codebooks name codes, not the words that find them): "
            f"run peercorpus codebook import {path.name} -o codebook.yaml and fill in each theme's terms"
        )
    if missing:
        raise ConfigError(
            f"{path.name}: code '{missing[0]}' has no 'Terms:' line in its description"
            f"{f' (nor {len(missing) - 1} more)' if len(missing) > 1 else ''}; "
            f"run peercorpus codebook import {path.name} -o codebook.yaml and fill in its terms"
        )
    return nodes_to_data(nodes, title)


def _all_nodes(nodes: list[CodeNode]):
    for node in nodes:
        yield node
        yield from _all_nodes(node.children)


def _leaves_without_terms(nodes: list[CodeNode], prefix: str = ""):
    for name, node in _unique_names(nodes):
        if not node.terms and not node.children:
            yield prefix + name
        yield from _leaves_without_terms(node.children, prefix + name + ".")


def skeleton_yaml(nodes: list[CodeNode], *, title: str | None, source: str) -> str:
    """A peercorpus codebook (YAML) from ``nodes``: themes, nesting, descriptions and colours
    kept; terms where the codes had ``Terms:`` lines, else an empty list to fill in."""
    lines = [
        f"# peercorpus codebook imported from {_one_line(source)} (REFI-QDA) by `peercorpus codebook import`.",
        "# QDA software keeps codes, not the words that find them: fill in every theme's terms with",
        "# kwic queries (a word, a phrase such as \"lived experience\", wildcards such as recover*).",
        "# A theme with sub-themes (themes:) may leave its own terms out; `terms: []` must be filled in.",
    ]
    if title:
        lines.append(f"title: {_quote(title)}")
    lines.append("themes:")

    def write(named: list[tuple[str, CodeNode]], depth: int) -> None:
        pad = "  " * depth
        for name, node in named:
            lines.append(f"{pad}{_quote(name)}:")
            if node.description:
                lines.append(f"{pad}  description: {_quote(node.description)}")
            if node.color:
                lines.append(f"{pad}  color: {_quote(node.color)}")
            if node.terms:
                lines.append(f"{pad}  terms: [{', '.join(_quote(term) for term in node.terms)}]")
            elif not node.children:
                lines.append(f"{pad}  terms: []  # TODO: fill in the words, phrases or wildcards that find this theme")
            if node.children:
                lines.append(f"{pad}  themes:")
                write(_unique_names(node.children), depth + 2)

    write(_unique_names(nodes), 1)
    return "\n".join(lines) + "\n"


def _quote(text: str) -> str:
    """A YAML double-quoted scalar (JSON's escaping is YAML's)."""
    return json.dumps(xml_safe(text), ensure_ascii=False)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _local(tag) -> str:
    return tag.split("}")[-1] if isinstance(tag, str) else str(tag)

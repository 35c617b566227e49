"""Codebooks for dictionary coding: themes mapped to kwic queries, read from YAML and checked.

Two forms load, told apart by one rule: a mapping with a top-level ``themes:`` key is a
peercorpus codebook, any other mapping is a quanteda dictionary::

    # quanteda's YAML dictionary: theme -> terms (a list or one string) or nested themes
    hope:
      - hope*
      - recovery
    pay:
      salary: [salary, pay]
      bands: "band ?"

    # peercorpus codebook: per-theme options (terms, description, color, themes for sub-themes)
    title: Peer support
    themes:
      hope:
        description: Recovery is possible; peers bring hope.
        terms: [hope*, recovery]
        color: "#1f77b4"             # optional: the code's colour in QDA software (REFI-QDA)
      pay:
        terms: [pay]
        themes:
          bands: {terms: ["band ?"]}

    codebook = load_codebook(Path("configs/peer-support-codebook.yaml"))
    codebook.themes["pay.bands"]     # ('band ?',)

Terms are kwic queries: a word, a phrase (words separated by spaces), wildcards ``*`` and
``?``. Nested themes are named ``parent.child`` (quanteda's ``flatten_dictionary``), and a
parent is a theme too: its terms are its own followed by all its descendants' terms. A
quanteda dictionary whose real top-level theme is called ``themes`` must be wrapped in the
peercorpus form (``themes: {themes: [...]}``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import unknown_key_message
from ..errors import ConfigError
from ..qda.codebook_xml import qdc_codebook_data
from ..yamlio import read_yaml

CODEBOOK_KEYS = ("themes", "title", "description")
THEME_KEYS = ("terms", "description", "themes", "color")
SEPARATOR = "."
# A theme's colour in QDA software (REFI-QDA's RGBType): #RRGGBB or #RGB.
_COLOR = re.compile(r"^#(?:[0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})$")


@dataclass(frozen=True)
class Codebook:
    """Themes in codebook order (a parent before its children), each with its queries.

    ``themes``: theme name → its kwic queries (a parent's include its descendants');
    ``parents``: nested theme → its parent; ``descriptions``: theme → description (the
    peercorpus form only); ``title`` and ``source`` (the file name) for reports.

    >>> book = parse_codebook({"hope": ["hope*"], "pay": {"salary": ["salary"], "bands": ["band ?"]}})
    >>> book.themes
    {'hope': ('hope*',), 'pay': ('salary', 'band ?'), 'pay.salary': ('salary',), 'pay.bands': ('band ?',)}
    >>> book.ancestors("pay.bands")
    ('pay',)
    """

    themes: dict[str, tuple[str, ...]]
    parents: dict[str, str] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    title: str | None = None
    source: str = "codebook"
    colors: dict[str, str] = field(default_factory=dict)
    own_terms: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return list(self.themes)

    def queries(self) -> list[str]:
        """Every distinct query of the codebook, in order of first appearance."""
        return list(dict.fromkeys(query for terms in self.themes.values() for query in terms))

    def ancestors(self, theme: str) -> tuple[str, ...]:
        """The parent of ``theme``, its parent, and so on (nearest first)."""
        found = []
        while theme in self.parents:
            theme = self.parents[theme]
            found.append(theme)
        return tuple(found)


def load_codebook(path: Path) -> Codebook:
    """Read a codebook (either form, see the module docstring) from a YAML file, or from a
    REFI-QDA codebook (``.qdc``, or a ``.qdpx`` project's) whose codes carry their terms (see
    ``qda.codebook_xml``).

    The safe loader only. Every error is a ``ConfigError`` naming the file, the line and
    the key: ``codebook.yaml line 4: theme 'hope': unknown key 'term' (did you mean 'terms'?)``.
    """
    path = Path(path)
    if path.suffix.lower() in (".qdc", ".qdpx"):
        return parse_codebook(qdc_codebook_data(path), source=path.name)
    data, lines = read_yaml(path, what="codebook")
    return parse_codebook(data, source=path.name, lines=lines)


def parse_codebook(data: Any, *, source: str = "codebook", lines: dict | None = None) -> Codebook:
    """Check an already-parsed codebook (e.g. written inline in a report config).

    ``lines`` maps key paths *relative to* ``data`` to 1-based lines, as
    ``yamlio.read_yaml`` records them (``("themes", "hope", "terms", "0")`` → 7); errors
    then say ``{source} line 7``, else just ``{source}``.

    >>> parse_codebook({"themes": {"hope": {"terms": "hope*", "description": "Hope"}}}).descriptions
    {'hope': 'Hope'}
    """
    builder = _Builder(source, lines or {})
    if data is None:
        raise ConfigError(f"{source}: the codebook is empty; give themes and their terms (theme: [term, ...])")
    if not isinstance(data, dict):
        # never echo the file itself: a codebook path given by mistake may name any file
        got = f"text of {len(data):,} characters (is it a YAML codebook?)" if isinstance(data, str) else _kind(data)
        raise ConfigError(f"{source}: a codebook must be a mapping of themes to terms (theme: [term, ...]); got {got}")
    title = None
    if "themes" in data:
        for key in data:
            if key not in CODEBOOK_KEYS:
                raise ConfigError(f"{builder.locate((key,))}: {_unknown(key, CODEBOOK_KEYS)} at the top of the codebook")
        title = builder.text(data.get("title"), ("title",), "title")
        builder.text(data.get("description"), ("description",), "description")
        builder.themes(data["themes"], ("themes",), prefix="", rich=True, owner="'themes'")
    else:
        builder.themes(data, (), prefix="", rich=False, owner="the codebook")
    return Codebook(
        themes=builder.terms, parents=builder.parents, descriptions=builder.descriptions, title=title, source=source,
        colors=builder.colors, own_terms=builder.own,
    )


class _Builder:
    """Walks the parsed YAML once, collecting flattened themes and naming the line of any error."""

    def __init__(self, source: str, lines: dict):
        self.source, self.lines = source, lines
        self.terms: dict[str, tuple[str, ...]] = {}
        self.parents: dict[str, str] = {}
        self.descriptions: dict[str, str] = {}
        self.colors: dict[str, str] = {}
        self.own: dict[str, tuple[str, ...]] = {}

    def locate(self, path: tuple) -> str:
        line = self.lines.get(tuple(str(key) for key in path))
        return f"{self.source} line {line}" if line else self.source

    def themes(self, mapping: Any, path: tuple, *, prefix: str, rich: bool, owner: str) -> list[str]:
        """Add every theme of ``mapping``; return all their terms (for the parent's list)."""
        if mapping is None or mapping == {}:
            raise ConfigError(f"{self.locate(path)}: {owner} is empty; give its themes and their terms (theme: [term, ...])")
        if not isinstance(mapping, dict):
            raise ConfigError(f"{self.locate(path)}: {owner} must be a mapping of themes to terms (theme: [term, ...]); got {_kind(mapping)}")
        collected: list[str] = []
        for key, value in mapping.items():
            if isinstance(key, bool) or not isinstance(key, (str, int)) or not str(key).strip():
                raise ConfigError(f"{self.locate(path + (key,))}: theme name {key!r} must be text (quote it)")
            collected += self.theme(value, path + (key,), prefix + str(key), rich=rich, parent=prefix[:-1] or None)
        return collected

    def theme(self, value: Any, path: tuple, name: str, *, rich: bool, parent: str | None) -> list[str]:
        if name in self.terms:
            raise ConfigError(f"{self.locate(path)}: theme '{name}' is defined twice")
        self.terms[name] = ()  # reserve the parent's place before its children
        if parent is not None:
            self.parents[name] = parent
        own: list[str] = []
        children: list[str] = []
        if rich and isinstance(value, dict):
            for key in value:
                if key not in THEME_KEYS:
                    raise ConfigError(f"{self.locate(path + (key,))}: theme '{name}': {_unknown(key, THEME_KEYS)}")
            if "terms" not in value and "themes" not in value:
                raise ConfigError(f"{self.locate(path)}: theme '{name}' has no terms; give terms: [term, ...] (or themes: for sub-themes)")
            if "terms" in value:
                own = self.term_list(value["terms"], path + ("terms",), name)
            description = self.text(value.get("description"), path + ("description",), f"theme '{name}': description")
            if description:
                self.descriptions[name] = description
            color = self.text(value.get("color"), path + ("color",), f"theme '{name}': color")
            if color is not None:
                if not _COLOR.match(color.strip()):
                    raise ConfigError(f"{self.locate(path + ('color',))}: theme '{name}': color must be #RRGGBB (e.g. #1f77b4); got {color!r}")
                self.colors[name] = color.strip().upper()
            if "themes" in value:
                children = self.themes(value["themes"], path + ("themes",), prefix=name + SEPARATOR, rich=True, owner=f"theme '{name}': themes")
        elif not rich and isinstance(value, dict):
            children = self.themes(value, path, prefix=name + SEPARATOR, rich=False, owner=f"theme '{name}'")
        elif not rich and isinstance(value, list) and any(isinstance(item, dict) for item in value):
            # A list may mix a theme's own terms with mappings of sub-themes.
            for index, item in enumerate(value):
                if isinstance(item, dict):
                    children += self.themes(item, path + (index,), prefix=name + SEPARATOR, rich=False, owner=f"theme '{name}'")
                else:
                    own += self.term_list([item], path + (index,), name)
        else:
            own = self.term_list(value, path, name)
        self.terms[name] = tuple(dict.fromkeys(own + children))
        self.own[name] = tuple(dict.fromkeys(own))
        return own + children

    def term_list(self, value: Any, path: tuple, theme: str) -> list[str]:
        """The theme's terms, whitespace normalised; a string is one term."""
        if isinstance(value, str):
            value = [value]
            item_paths = [path]
        elif isinstance(value, list):
            item_paths = [path + (index,) for index in range(len(value))]
        else:
            item_paths = [path]
        if value is None or value == []:
            raise ConfigError(f"{self.locate(path)}: theme '{theme}' has no terms; give a list of words, phrases or wildcards")
        if not isinstance(value, list):
            raise ConfigError(f"{self.locate(path)}: theme '{theme}': terms must be a list of words, phrases or wildcards; got {_kind(value)}")
        terms = []
        for item, item_path in zip(value, item_paths):
            if not isinstance(item, str):
                hint = "quote it (YAML reads yes, no, on, off as true/false)" if isinstance(item, bool) else f'quote it ("{item}")'
                raise ConfigError(f"{self.locate(item_path)}: theme '{theme}': term {item!r} must be text; {hint}")
            term = " ".join(item.split())
            if not term:
                raise ConfigError(f"{self.locate(item_path)}: theme '{theme}' has an empty term; give a word, a phrase or a wildcard")
            terms.append(term)
        return terms

    def text(self, value: Any, path: tuple, what: str) -> str | None:
        if value is None or isinstance(value, str):
            return value
        raise ConfigError(f"{self.locate(path)}: {what} must be text; got {_kind(value)}")


def _unknown(key: Any, known: tuple[str, ...]) -> str:
    return unknown_key_message(str(key), known)


def _kind(value: Any) -> str:
    """How a YAML value reads in an error: 'nothing', 'a list', 'the number 3'."""
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "an empty mapping" if not value else "a mapping"
    if isinstance(value, list):
        return "an empty list" if not value else "a list"
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    return repr(value)

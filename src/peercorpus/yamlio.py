"""The one YAML reader of peercorpus: safe loading, the line of every key, and limits.

Configs, report configs, codebooks, metadata sidecars, ``--set`` values and Markdown front
matter are all read here, so every YAML input refuses the same hostile shapes (alias bombs,
recursive aliases, deep nesting, a key given twice) with an error naming the file and line::

    raw, lines = parse_yaml("hope: [hope]\n", "codebook.yaml")
    lines[("hope",)]      # 1
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .errors import ConfigError


def read_yaml(path: Path, *, what: str = "config") -> tuple[Any, dict[tuple[str, ...], int]]:
    """A YAML file read with the safe loader, and the line of every key (see ``_node_lines``).

    ``what`` names the file in errors ("config file not found: x.yaml", "codebook file not
    found: ..."); invalid YAML is a ``ConfigError`` naming the file and the line::

        raw, lines = read_yaml(Path("codebook.yaml"), what="codebook")
        lines[("hope", "0")]      # line of the first item under 'hope'
    """
    if not path.is_file():
        raise ConfigError(f"{what} file not found: {path}")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read {what} {path}: {error}") from None
    return parse_yaml(text, path.name)


# Aliases may add this many nodes (and characters) beyond those written: enough for any real
# use of anchors, far below a "billion laughs" (a few hundred bytes expanding to gigabytes).
ALIAS_NODES = 100_000
ALIAS_CHARS = 10_000_000
MAX_DEPTH = 200


def parse_yaml(text: str, source: str) -> tuple[Any, dict[tuple[str, ...], int]]:
    """``text`` read with the safe loader, and the line of every key; invalid YAML, a key
    given twice in one mapping, aliases that expand past ``ALIAS_NODES`` nodes or
    ``ALIAS_CHARS`` characters, a recursive alias, or nesting deeper than ``MAX_DEPTH`` is a
    ``ConfigError`` naming ``source`` and the line. Every YAML reader of peercorpus (configs,
    report configs, codebooks, sidecars, ``--set`` values, Markdown front matter) reads here::

        raw, lines = parse_yaml("hope: [hope]\n", "codebook.yaml")    # ({'hope': ['hope']}, {('hope',): 1, ...})
    """
    import yaml

    # libyaml's parser when PyYAML was built with it (its wheels are): ~10x faster on a config,
    # the same nodes and marks; the pure-Python one otherwise, and for text libyaml cannot take
    # (a lone surrogate: a --set value of bytes that are not UTF-8), which it refuses in words
    loader = None
    try:
        try:
            loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
        except UnicodeEncodeError:
            loader = yaml.SafeLoader(text)
        node = loader.get_single_node()
        if node is not None:
            _check_expansion(node, source)
        raw = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        at = f" line {mark.line + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        if "maximum nesting depth" in problem:  # libyaml's own limit (1,000), past MAX_DEPTH
            raise ConfigError(f"{source}{at}: nested more than {MAX_DEPTH} levels deep") from None
        if problem == "found character that cannot start any token" and mark is not None:
            # libyaml does not say which (PyYAML's own parser did): a tab, most often
            text_lines = text.splitlines()
            line = text_lines[mark.line] if mark.line < len(text_lines) else ""
            if mark.column < len(line):
                problem = f"found character {line[mark.column]!r} that cannot start any token"
        raise ConfigError(f"{source}{at}: invalid YAML: {problem}") from None
    except RecursionError:
        raise ConfigError(f"{source}: invalid YAML: nested too deeply") from None
    finally:
        if loader is not None:
            loader.dispose()
    lines: dict[tuple[str, ...], int] = {}
    _node_lines(node, (), lines, source)
    return raw, lines


def _check_expansion(root: Any, source: str) -> None:
    """Walk the node graph once (iteratively), computing what each node expands to with its
    aliases; refuse cycles, deep nesting and expansions far beyond what was written."""
    import yaml

    sizes: dict[int, tuple[int, int]] = {}  # id(node) → (nodes, characters) once expanded
    on_path: set[int] = set()
    written_nodes = written_chars = 0
    stack: list[tuple[Any, bool, int]] = [(root, False, 1)]
    while stack:
        node, done, depth = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            children = _children(node)
            nodes = 1 + sum(sizes[id(child)][0] for child in children)
            chars = sum(sizes[id(child)][1] for child in children)
            sizes[key] = (nodes, chars)
            if nodes > written_nodes + ALIAS_NODES or chars > written_chars + ALIAS_CHARS:
                line = node.start_mark.line + 1
                raise ConfigError(f"{source} line {line}: aliases expand to too much (a YAML 'billion laughs'?)")
            continue
        if key in on_path:
            raise ConfigError(f"{source} line {node.start_mark.line + 1}: a recursive alias (an anchor used inside itself)")
        if key in sizes:
            continue
        if depth > MAX_DEPTH:
            raise ConfigError(f"{source} line {node.start_mark.line + 1}: nested more than {MAX_DEPTH} levels deep")
        if isinstance(node, yaml.ScalarNode):
            sizes[key] = (1, len(node.value))
            written_nodes += 1
            written_chars += len(node.value)
            continue
        written_nodes += 1
        on_path.add(key)
        stack.append((node, True, depth))
        stack.extend((child, False, depth + 1) for child in _children(node))


def _children(node: Any) -> list:
    import yaml

    if isinstance(node, yaml.MappingNode):
        return [item for pair in node.value for item in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _node_lines(node: Any, path: tuple[str, ...], lines: dict[tuple[str, ...], int], source: str) -> None:
    """Record the 1-based line of every mapping key, so errors can point at it; a key given
    twice in one mapping is a ``ConfigError`` (YAML's loader would keep the last silently)::

        codebook.yaml line 5: key 'hope' given twice (first on line 2)
    """
    import yaml

    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key, line = str(key_node.value), key_node.start_mark.line + 1
            if key in seen:
                raise ConfigError(f"{source} line {line}: key '{key}' given twice (first on line {seen[key]})")
            seen[key] = line
            key_path = path + (key,)
            lines[key_path] = line
            _node_lines(value_node, key_path, lines, source)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            item_path = path + (str(index),)
            lines[item_path] = item.start_mark.line + 1
            _node_lines(item, item_path, lines, source)

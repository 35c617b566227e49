"""The package's floor plan (issue 14): no import cycles among peercorpus' modules.

Imports made when a module is loaded are read from the source (``ast``), not run; imports
inside functions (the CLI's lazy command modules) and under ``if TYPE_CHECKING:`` are not
edges, since neither runs when the module loads.
"""

import ast
from pathlib import Path

PACKAGE = Path(__file__).parents[1] / "src" / "peercorpus"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _load_time_imports(path: Path, name: str, modules: set[str]) -> set[str]:
    """The peercorpus modules that loading ``path`` (module ``name``) imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    statements = []
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        blocks = [node] if not isinstance(node, (ast.If, ast.Try)) else [*node.body, *getattr(node, "orelse", []),
                                                                          *[s for h in getattr(node, "handlers", []) for s in h.body]]
        statements += blocks
    found = set()
    for node in statements:
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else []))
            for alias in node.names:
                target = f"{base}.{alias.name}"
                found.add(target if target in modules else base)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {target for target in found if target in modules and target != name}


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Groups of modules that import one another, directly or not (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for target in sorted(edges[module]):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for module in sorted(edges):
        if module not in index:
            visit(module)
    return groups


def test_cycles_are_found_where_there_is_one():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_module_imports_itself_through_others_when_loaded():
    paths = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
    edges = {name: _load_time_imports(path, name, set(paths)) for name, path in paths.items()}
    assert sum(map(len, edges.values())) > 100  # the reading works: the package has many imports
    assert _cycles(edges) == []

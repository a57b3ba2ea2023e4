"""The package's layers only point down: no import cycle, no import hidden in a function.

Every module of ``python/ropebound`` is parsed with :mod:`ast` (nothing is imported), and
every ``import`` / ``from ... import`` in it, at module level or inside a function, becomes
an edge of the intra-package graph. Importing a name from a package counts as importing
the submodule when the name is one. A module's implicit import of its own parent packages
is not an edge (every module would then "cycle" through ``ropebound/__init__``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import ropebound

PACKAGE = Path(ropebound.__file__).resolve().parent
#: What a function may import: the optional dependencies, loaded only when a feature needs
#: them (see ropebound/_optional.py), and the optional compiled CUDA module.
OPTIONAL = {
    "matplotlib",
    "tqdm",
    "dask",
    "distributed",
    "transformers",
    "torch",
    "pyarrow",
    "huggingface_hub",
}
OPTIONAL_MODULES = {"ropebound._core_cuda"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def resolve(importer: str, node: ast.ImportFrom) -> str:
    """The absolute module a ``from X import ...`` reads from."""
    if node.level == 0:
        return node.module or ""
    is_package = MODULES[importer].name == "__init__.py"
    base = importer.split(".")
    base = base[: len(base) - node.level + (1 if is_package else 0)]
    return ".".join(base + ([node.module] if node.module else []))


def imports(name: str) -> list[tuple[str, int, bool]]:
    """``(imported module, line, inside a function)`` for every import in a module."""
    tree = ast.parse(MODULES[name].read_text("utf-8"), str(MODULES[name]))
    out: list[tuple[str, int, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        if isinstance(node, ast.Import):
            out.extend((alias.name, node.lineno, in_function) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            source = resolve(name, node)
            out.append((source, node.lineno, in_function))
            # `from . import bounds` imports the submodule ropebound.bounds.
            out.extend(
                (f"{source}.{alias.name}", node.lineno, in_function)
                for alias in node.names
                if f"{source}.{alias.name}" in MODULES
            )
        inside = in_function or isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        for child in ast.iter_child_nodes(node):
            visit(child, inside)

    visit(tree, False)
    return out


def graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for name in MODULES:
        ancestors = {".".join(name.split(".")[:k]) for k in range(1, name.count(".") + 1)}
        edges[name] = {
            target
            for target, _, _ in imports(name)
            if target in MODULES and target != name and target not in ancestors
        }
    return edges


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph (as a path back to its start), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def dfs(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := dfs(nxt)) is not None:
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (cycle := dfs(node)) is not None:
            return cycle
    return None


def test_the_whole_package_is_parsed() -> None:
    """Invariant: the graph covers the package and its subpackages (the checks see them)."""
    assert {"ropebound", "ropebound.bounds", "ropebound.scaling", "ropebound.cli"} <= set(MODULES)
    assert len(MODULES) >= 30
    edges = graph()
    assert "ropebound.scaling" in edges["ropebound.decay"]
    assert "ropebound.bounds" in edges["ropebound.cli.bound"]


def test_the_cycle_finder_finds_cycles() -> None:
    """Invariant: a cycle, also one through a function-level import, is reported."""
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"b"}}) is None
    # A made-up module that imports ropebound.bounds inside a function, imported by bounds.
    edges = graph()
    edges["ropebound.bounds"] = edges["ropebound.bounds"] | {"ropebound.fake"}
    edges["ropebound.fake"] = {"ropebound.bounds"}
    assert find_cycle(edges) is not None


def test_import_graph_has_no_cycle() -> None:
    """Invariant: the intra-package imports (module- and function-level) form a DAG."""
    cycle = find_cycle(graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


@pytest.mark.parametrize("name", sorted(MODULES))
def test_functions_import_only_optional_dependencies(name: str) -> None:
    """Invariant: an import inside a function loads an optional dependency, nothing else."""
    hidden = [
        f"{MODULES[name].relative_to(PACKAGE.parent)}:{line} imports {target}"
        for target, line, in_function in imports(name)
        if in_function and target.split(".")[0] not in OPTIONAL and target not in OPTIONAL_MODULES
    ]
    assert not hidden, "; ".join(hidden)


#: The bottom layer: argument checks, the compiled core, plain frequency tables.
BOTTOM = {"ropebound._validate", "ropebound._frequencies", "ropebound._core", "ropebound._dispatch"}


def test_bottom_layer_and_scaling_never_import_the_public_api() -> None:
    """Invariant: the bottom modules import only each other; scaling only itself and them."""
    edges = graph()
    for name, targets in edges.items():
        if name in BOTTOM:
            assert targets <= BOTTOM, f"{name} imports {sorted(targets - BOTTOM)}"
        if name.startswith("ropebound.scaling"):
            above = {
                t for t in targets if t not in BOTTOM and not t.startswith("ropebound.scaling")
            }
            assert not above, f"{name} imports {sorted(above)}"

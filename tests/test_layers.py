"""The layers stay as the folders show them (docs/architecture.md): every import of the product's code
points down, never up or sideways across the crawl/process split, and no module-level imports form a
circle. Imports inside functions are allowed only for optional heavy dependencies, each saying why."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("pantau", "models", "crawlers", "pipeline", "web", "flows")

# Lowest first. A module may import modules of its own layer and of the layers below it.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("pantau.__init__", "pantau.core"),
    ("pantau.store",),
    ("models",),
    ("crawlers", "pipeline"),
    ("pantau.read",),
    ("web", "flows"),
    ("pantau.cli",),
)
# Neighbours in one layer that must not know each other: fetching and processing meet only in the store.
APART = {("crawlers", "pipeline"), ("pipeline", "crawlers"), ("web", "flows"), ("flows", "web")}
# What an import inside a function must say on its line: why it is not at the top of the module.
DEFERRED_MARK = "noqa: PLC0415"


@dataclass(frozen=True)
class Import:
    source: str
    target: str
    line: int
    in_function: bool
    type_checking: bool


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PROJECT_ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1] if len(parts) > 1 else [parts[0], "__init__"]
    return ".".join(parts)


def project_files() -> list[Path]:
    return sorted(path for package in PACKAGES for path in (PROJECT_ROOT / package).rglob("*.py"))


def imports_of(path: Path) -> list[Import]:
    source = module_name(path)
    package = source.rsplit(".", 1)[0] if path.name != "__init__.py" else source.removesuffix(".__init__")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[Import] = []

    def visit(node: ast.AST, in_function: bool, type_checking: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                visit(child, True, type_checking)
            elif isinstance(child, ast.If) and _is_type_checking(child.test):
                visit(child, in_function, True)
            elif isinstance(child, ast.Import):
                found.extend(Import(source, alias.name, child.lineno, in_function, type_checking) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")[: len(package.split(".")) - child.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                for alias in child.names:
                    # `from pantau.store import tables` imports a module; `from x import name` imports x.
                    target = f"{base}.{alias.name}" if _is_module(f"{base}.{alias.name}") else base
                    found.append(Import(source, target, child.lineno, in_function, type_checking))
            else:
                visit(child, in_function, type_checking)

    visit(tree, False, False)
    return [item for item in found if item.target.split(".")[0] in PACKAGES]


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _is_module(dotted: str) -> bool:
    path = PROJECT_ROOT.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def layer_of(module: str) -> tuple[int, str]:
    """(layer index, the layer's package) of a module; the longest matching package wins."""
    best: tuple[int, str] | None = None
    for index, packages in enumerate(LAYERS):
        for package in packages:
            if (module == package or module.startswith(package + ".")) and (best is None or len(package) > len(best[1])):
                best = (index, package)
    if best is None:
        if module == "pantau":
            return 0, "pantau.__init__"
        raise AssertionError(f"{module} is in no layer: add its package to LAYERS in {__file__}")
    return best


ALL_IMPORTS = [item for path in project_files() for item in imports_of(path)]


def test_every_module_of_the_product_is_in_a_layer() -> None:
    for path in project_files():
        layer_of(module_name(path))


def test_imports_point_down_the_layers() -> None:
    wrong = []
    for item in ALL_IMPORTS:
        (source_layer, source_package), (target_layer, target_package) = layer_of(item.source), layer_of(item.target)
        if target_layer > source_layer or (source_package, target_package) in APART:
            wrong.append(f"{item.source}:{item.line} imports {item.target} ({source_package} -> {target_package})")
    assert not wrong, "imports against the layers (docs/architecture.md):\n" + "\n".join(wrong)


def test_no_circle_among_module_level_imports() -> None:
    graph: dict[str, set[str]] = {}
    for item in ALL_IMPORTS:
        if not item.in_function and not item.type_checking and item.target != item.source:
            graph.setdefault(item.source, set()).add(item.target)
    circles = _circles(graph)
    assert not circles, "modules importing each other at load time:\n" + "\n".join(" -> ".join(c) for c in circles)


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One circle per strongly connected group of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return groups


@pytest.mark.parametrize("path", project_files(), ids=lambda path: str(path.relative_to(PROJECT_ROOT)))
def test_imports_inside_functions_say_why(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    tree = ast.parse("\n".join(lines))
    unexplained = []
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(function):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                line = lines[node.lineno - 1]
                reason = line.split(DEFERRED_MARK, 1)[1].strip(" -:—") if DEFERRED_MARK in line else ""
                if len(reason) < 8:
                    unexplained.append(f"{path.name}:{node.lineno}: {line.strip()}")
    assert not unexplained, (
        f"imports inside functions must be optional heavy dependencies with `# {DEFERRED_MARK} - <why>`; "
        "move the others to the top of the module:\n" + "\n".join(unexplained))


def test_the_layer_check_sees_an_upward_import(tmp_path: Path) -> None:
    # The check itself: a store module importing the read side is reported.
    assert layer_of("pantau.store.db")[0] < layer_of("pantau.read.queries")[0]
    assert ("crawlers", "pipeline") in APART
    assert _circles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]

"""The package's architecture, checked: layers import one way, no cycles, short modules, a light
import, and every lazily exported name resolves."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGE = ROOT / "src" / "catchup"
# Lowest first: a part may import only parts at its own rank or below (errors and files are
# shared leaves; cli and dashboard sit on top, side by side).
RANK = {
    "errors": 0,
    "files": 0,
    "model": 1,
    "config": 2,
    "results": 3,
    "experiments": 4,
    "analysis": 5,
    "viz": 6,
    "cli": 7,
    "dashboard": 7,
    "__main__": 8,
}
MAX_LINES = 400


def _part(module: str) -> str | None:
    bits = module.split(".")
    return bits[1] if len(bits) > 1 and bits[0] == "catchup" else None


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"


def _nodes(tree: ast.AST, runtime_only: bool):
    """Every node of the tree, without the bodies of `if TYPE_CHECKING:` when `runtime_only`."""
    todo = [tree]
    while todo:
        node = todo.pop()
        yield node
        if runtime_only and _is_type_checking(node):
            todo.extend(node.orelse)
            continue
        todo.extend(ast.iter_child_nodes(node))


def import_edges(runtime_only: bool = False) -> dict[str, set[str]]:
    """Module -> catchup modules it imports (absolute imports, at any depth of the file);
    `runtime_only` leaves out imports made for annotations only (under TYPE_CHECKING)."""
    edges: dict[str, set[str]] = defaultdict(set)
    for path in PACKAGE.rglob("*.py"):
        name = _module_name(path)
        for node in _nodes(ast.parse(path.read_text()), runtime_only):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            else:
                continue
            edges[name] |= {t for t in targets if t.startswith("catchup.")}
    return edges


def test_no_layer_imports_a_layer_above_it():
    upward = []
    for module, targets in import_edges().items():
        source = _part(module)
        for target in targets:
            part = _part(target)
            if source in RANK and part in RANK and RANK[part] > RANK[source]:
                upward.append(f"{module} -> {target}")
    assert not upward, upward


def test_every_part_of_the_package_has_a_rank():
    parts = {_part(_module_name(p)) for p in PACKAGE.rglob("*.py")} - {None}
    assert parts <= set(RANK), parts - set(RANK)


def test_no_import_cycles_between_modules():
    """Annotations may name a class of a module that imports this one (agents name the model
    class, under TYPE_CHECKING); code may not."""
    found = import_edges(runtime_only=True)
    edges = {m: {t for t in ts if t in found} for m, ts in found.items()}
    allowed: set[frozenset[str]] = set()

    def reaches(a: str, b: str) -> bool:
        seen, todo = set(), [a]
        while todo:
            for n in edges.get(todo.pop(), ()):
                if n == b:
                    return True
                if n not in seen:
                    seen.add(n)
                    todo.append(n)
        return False

    cycles = {frozenset({a, b}) for a, targets in edges.items() for b in targets if a != b and reaches(b, a)}
    # a package importing its own lazily attached submodules is not a cycle of code
    cycles = {c for c in cycles if not any(x + "." in y or y + "." in x for x in c for y in c)}
    assert cycles <= allowed, sorted(sorted(c) for c in cycles - allowed)


def test_no_module_is_longer_than_the_limit():
    long = {
        str(p.relative_to(PACKAGE)): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text().splitlines())) > MAX_LINES
    }
    assert not long, long


@pytest.mark.parametrize(
    "package",
    [
        "catchup",
        "catchup.model",
        "catchup.config",
        "catchup.results",
        "catchup.experiments",
        "catchup.analysis",
        "catchup.viz",
    ],
)
def test_every_lazily_exported_name_resolves(package):
    module = importlib.import_module(package)
    for name in module.__all__:
        assert getattr(module, name) is not None, f"{package}.{name}"


def test_importing_catchup_and_its_command_line_loads_nothing_heavy():
    code = (
        "import sys, catchup, catchup.cli, catchup.config, catchup.experiments, catchup.viz\n"
        "catchup.viz.figure_kinds()\n"
        "print(' '.join(m for m in ('mesa', 'pandas', 'matplotlib', 'scipy', 'optuna', 'SALib', 'dask')"
        " if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert loaded == []

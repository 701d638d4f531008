"""The package's modules import each other without a cycle, and every one of them imports.

The import graph is read from the source with `ast`, so imports made inside
functions (deferred to keep start-up fast) count too: a cycle hidden in a
function body still ties two modules together.
"""

import ast
import importlib
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "kpi_engine"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported_modules(name: str, path: Path) -> set[str]:
    """The package modules `name` imports, relative imports resolved."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:  # `from . import backends` imports the module, `from .x import f` the module x
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base)
    return {module for module in found if module in MODULES and module != name}


def test_every_module_imports():
    for name in MODULES.keys() - {"kpi_engine.__main__"}:  # __main__ runs the command when imported
        importlib.import_module(name)


def test_the_package_has_no_import_cycle():
    graph = {name: imported_modules(name, path) for name, path in MODULES.items()}
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as error:
        pytest.fail(f"import cycle: {' -> '.join(error.args[1])}")
    assert set(order) == set(MODULES)


def test_the_graph_sees_imports_inside_functions():
    """The checker itself: cli.commands imports packtests only inside a command."""
    assert "kpi_engine.packtests" in imported_modules("kpi_engine.cli.commands", MODULES["kpi_engine.cli.commands"])

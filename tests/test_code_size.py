"""Size limits from the contributing guide, read from the source (nothing is imported):

- no Python module over 500 lines, production or test (migrations' versions excepted: they
  are generated and never edited);
- no route view over 30 lines, from its ``def`` line to its end: a view loads, checks the
  policy, runs the form and the operation, and responds; anything longer belongs in an
  operation, a query or a helper.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

MAX_MODULE_LINES = 500
MAX_VIEW_LINES = 30

#: Directories never walked: installed packages and generated migrations.
SKIPPED_DIRECTORIES = {".venv", "node_modules", ".git", "__pycache__"}
SKIPPED_PATHS = {Path("migrations/versions")}

#: The application's packages, where the blueprints and their views live.
PACKAGES = ("core", "accounts", "grants", "coalitions", "reporting")
#: Blueprint methods that register a route.
ROUTE_DECORATORS = {"route", "get", "post", "put", "patch", "delete"}


def python_modules() -> list[Path]:
    """Every .py file of the project, relative to its root."""
    found = []
    for directory, subdirectories, files in os.walk(ROOT):
        here = Path(directory).relative_to(ROOT)
        subdirectories[:] = sorted(
            name for name in subdirectories
            if name not in SKIPPED_DIRECTORIES and here / name not in SKIPPED_PATHS)
        found += [here / name for name in sorted(files) if name.endswith(".py")]
    return found


def line_count(path: Path) -> int:
    return len((ROOT / path).read_text(encoding="utf-8").splitlines())


def _module_name(path: Path) -> str:
    parts = list(path.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _trees() -> dict[str, tuple[Path, ast.Module]]:
    return {_module_name(path): (path, ast.parse((ROOT / path).read_text(encoding="utf-8")))
            for path in python_modules() if path.parts[0] in PACKAGES}


def _blueprints_defined(tree: ast.Module) -> set[str]:
    """Names bound at the top of a module to ``Blueprint(...)``."""
    names = set()
    for node in tree.body:
        if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
                and isinstance(node.value.func, ast.Name) and node.value.func.id == "Blueprint"):
            names.update(target.id for target in node.targets if isinstance(target, ast.Name))
    return names


def route_views() -> list[tuple[Path, ast.FunctionDef]]:
    """Every function decorated with ``<blueprint>.route/get/post...``, in any module of the
    packages: a blueprint is a name bound to ``Blueprint(...)`` in the module or imported from
    the module that binds it (a later stage adding pages to an earlier stage's blueprint)."""
    trees = _trees()
    defined = {module: _blueprints_defined(tree) for module, (_path, tree) in trees.items()}
    views = []
    for path, tree in trees.values():
        blueprints = set(_blueprints_defined(tree))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module in defined:
                blueprints.update(alias.asname or alias.name for alias in node.names
                                  if alias.name in defined[node.module])
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
                    _is_route(decorator, blueprints) for decorator in node.decorator_list):
                views.append((path, node))
    return views


def _is_route(decorator: ast.expr, blueprints: set[str]) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return (isinstance(target, ast.Attribute) and target.attr in ROUTE_DECORATORS
            and isinstance(target.value, ast.Name) and target.value.id in blueprints)


def view_length(view: ast.FunctionDef) -> int:
    """Lines from the ``def`` line (decorators not counted) to the view's last line."""
    return view.end_lineno - view.lineno + 1


def test_the_scans_see_the_project():
    modules = set(python_modules())
    assert {Path("app.py"), Path("core/views.py"), Path("tests/test_code_size.py")} <= modules
    assert not any(part in SKIPPED_DIRECTORIES for path in modules for part in path.parts)
    assert not any(path.is_relative_to("migrations/versions") for path in modules)
    found = {(str(path), view.name) for path, view in route_views()}
    assert ("core/views.py", "home") in found
    # Every module that makes a blueprint registers routes on it.
    assert {str(path) for path, _name in found} >= {
        str(path) for path, tree in _trees().values() if _blueprints_defined(tree)}
    assert len(found) > 100


def test_no_module_is_over_the_limit():
    long = [f"{path}: {count} lines" for path in python_modules()
            if (count := line_count(path)) > MAX_MODULE_LINES]
    assert not long, f"modules over {MAX_MODULE_LINES} lines:\n" + "\n".join(long)


def test_no_route_view_is_over_the_limit():
    long = [f"{path}:{view.lineno} {view.name}: {view_length(view)} lines"
            for path, view in route_views() if view_length(view) > MAX_VIEW_LINES]
    assert not long, f"route views over {MAX_VIEW_LINES} lines:\n" + "\n".join(long)

"""The import layers, read from the source: every module's imports, at the top of the file or
inside a function, are parsed (nothing is imported) and checked against the rules.

- Packages depend downwards only: core <- accounts <- grants <- coalitions <- reporting.
- Inside grants the pipeline order is the rule: calls -> applications -> endorsements,
  screening -> reviews -> ranking -> awards -> ledger -> monitoring. A stage imports only
  earlier stages; a later stage that adds to an earlier page registers itself with core
  (``core.navigation``, ``core.contributions``) instead.
- No cycle between subpackages (``core.audit``, ``grants.awards``, ``reporting.portal``...;
  a package's own top-level modules are units too: ``core.money``, ``core.views``).
- Coalitions reach grants' data through grants' query functions only (``grants.*.queries``).
- No package reads another package's tables by name (``metadata.tables[...]``,
  ``table("...")``): a renamed column must fail at import, not at run time.

``if TYPE_CHECKING:`` imports are exempt: they never run, so they make no dependency.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: The packages, lowest first; a package may import only itself and those before it.
LAYERS = ("core", "accounts", "grants", "coalitions", "reporting")
#: The grants pipeline; stages on the same rank (endorsements, screening) may not import
#: each other either.
PIPELINE = {"calls": 0, "applications": 1, "endorsements": 2, "screening": 2, "reviews": 3,
            "ranking": 4, "awards": 5, "ledger": 6, "monitoring": 7}

#: Backward imports allowed along the grants pipeline, (module, stage it imports), each with
#: its reason. Keep this short.
ALLOWED_BACKWARD_IMPORTS: set[tuple[str, str]] = set()

#: Cycles allowed between units, each with its reason. Keep this short.
ALLOWED_CYCLE_EDGES = {
    # `flask export workbook|360giving|iati`: reporting/cli.py defines the `export` group and
    # imports each subpackage's cli.py so that its commands attach to the group, which they
    # import from reporting/cli.py (the usual Click registration).
    ("reporting.cli", "reporting.workbook"),
    ("reporting.cli", "reporting.opendata"),
    ("reporting.cli", "reporting.iati"),
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for package in LAYERS
            for path in sorted((ROOT / package).rglob("*.py"))}


MODULES = _modules()


def unit(module: str) -> str:
    """The subpackage a module belongs to (``grants.awards``); a package's own top-level
    modules are each their own unit (``core.money``, ``core.views``): they are separate
    services, and ``core.views`` showing the audit log must not tie ``core.extensions`` to
    ``core.audit``."""
    return ".".join(module.split(".")[:2])


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    """Ids of the nodes under an ``if TYPE_CHECKING:`` block."""
    exempt = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                exempt.update(id(n) for n in ast.walk(child))
    return exempt


def _resolve(module: str, node: ast.ImportFrom) -> str:
    """The absolute name of a relative ``from . import x`` in ``module``."""
    if not node.level:
        return node.module or ""
    base = module.split(".")
    if not MODULES[module].name == "__init__.py":
        base = base[:-1]
    base = base[:len(base) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(module: str) -> list[tuple[str, int]]:
    """Every module ``module`` imports (``from a import b`` counts ``a.b`` when ``b`` is a
    module), with the line number; nothing under ``if TYPE_CHECKING``."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    exempt = _type_checking_nodes(tree)
    found = []
    for node in ast.walk(tree):
        if id(node) in exempt:
            continue
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            source = _resolve(module, node)
            for alias in node.names:
                candidate = f"{source}.{alias.name}"
                found.append((candidate if candidate in MODULES else source, node.lineno))
    return sorted({(name, line) for name, line in found if name.split(".")[0] in LAYERS})


IMPORTS = {module: imports_of(module) for module in MODULES}


def _where(module: str, line: int) -> str:
    return f"{MODULES[module].relative_to(ROOT)}:{line}"


def test_the_scan_sees_every_package_and_relative_imports():
    # The rules below are only as good as the scan: make sure it finds what it must.
    assert {"core.money", "grants.awards.views", "reporting.portal.views"} <= set(MODULES)
    # coalitions/events/operations.py imports its importer with a relative import.
    assert "coalitions.events.importer" in {name for name, _line
                                            in IMPORTS["coalitions.events.operations"]}
    assert any(name == "grants.endorsements.operations"  # the providers' registration
               for name, _line in IMPORTS["grants"])
    assert unit("core.money") == "core.money" and unit("grants.awards.models") == "grants.awards"


def test_packages_import_only_downwards():
    wrong = [f"{_where(module, line)} imports {name}"
             for module, names in IMPORTS.items() for name, line in names
             if LAYERS.index(name.split(".")[0]) > LAYERS.index(module.split(".")[0])]
    assert not wrong, "\n".join(wrong)


def _stage(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "grants" and len(parts) > 1 and parts[1] in PIPELINE else None


def test_grants_stages_import_only_earlier_stages():
    wrong = []
    for module, names in IMPORTS.items():
        stage = _stage(module)
        for name, line in names:
            target = _stage(name)
            if stage and target and target != stage and PIPELINE[target] >= PIPELINE[stage] \
                    and (module, target) not in ALLOWED_BACKWARD_IMPORTS:
                wrong.append(f"{_where(module, line)} ({stage}) imports {name} ({target})")
    assert not wrong, "\n".join(wrong)


def test_coalitions_reach_grants_through_its_queries_only():
    wrong = [f"{_where(module, line)} imports {name}"
             for module, names in IMPORTS.items() if module.startswith("coalitions")
             for name, line in names
             if name.startswith("grants") and not name.endswith(".queries")]
    assert not wrong, "\n".join(wrong)


def _graph() -> dict[str, set[str]]:
    graph = defaultdict(set)
    for module, names in IMPORTS.items():
        for name, _line in names:
            source, target = unit(module), unit(name)
            if (module, _stage(name)) in ALLOWED_BACKWARD_IMPORTS:
                continue
            if source != target and (source, target) not in ALLOWED_CYCLE_EDGES:
                graph[source].add(target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one unit (Tarjan)."""
    index, low, stack, on_stack, components = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def test_no_cycle_between_subpackages():
    graph = _graph()
    report = []
    for component in _cycles(graph):
        edges = [f"  {unit_a} -> {unit_b}: " + ", ".join(
                     _where(module, line) for module, names in IMPORTS.items()
                     if unit(module) == unit_a for name, line in names if unit(name) == unit_b)
                 for unit_a in component for unit_b in sorted(graph[unit_a])
                 if unit_b in component]
        report.append("cycle " + " ".join(component) + "\n" + "\n".join(edges))
    assert not report, "\n".join(report)


def test_the_allow_lists_are_still_needed():
    # An allowed edge that no import uses any more must leave its list.
    used = {(unit(module), unit(name)) for module, names in IMPORTS.items()
            for name, _line in names}
    assert ALLOWED_CYCLE_EDGES <= used
    backward = {(module, _stage(name)) for module, names in IMPORTS.items()
                for name, _line in names}
    assert ALLOWED_BACKWARD_IMPORTS <= backward


def _reads_by_name(tree: ast.AST):
    """(line, what) for every table looked up by name: ``metadata.tables`` in any form, and
    the lightweight ``table("name")`` constructor."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "tables" \
                and ast.unparse(node.value).endswith("metadata"):
            yield node.lineno, ast.unparse(node)
        elif (isinstance(node, ast.Call) and isinstance(node.func, (ast.Name, ast.Attribute))
              and ast.unparse(node.func) in ("table", "sa.table", "sqlalchemy.table")):
            yield node.lineno, ast.unparse(node)


def test_no_package_reads_tables_by_name():
    wrong = [f"{_where(module, line)}: {what}" for module, path in MODULES.items()
             for line, what in _reads_by_name(ast.parse(path.read_text(encoding="utf-8")))]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("source, expected", [
    ("from core.extensions import db\nx = db.metadata.tables['awards']", 1),
    ("x = metadata.tables.get('awards')", 1),
    ("from sqlalchemy import table\nt = table('awards')", 1),
    ("x = Model.__table__", 0),
])
def test_the_table_scan_can_fail(source, expected):
    assert len(list(_reads_by_name(ast.parse(source)))) == expected

"""The package layering holds, checked by reading every module's imports.

copse is layered so that each part can change without surprising the parts
below it (README "Layout"): the wire format, policies and database plumbing at
the bottom; accounts, tasks, stored-record reading, the index, patients, the
upload engine and administrators' services above them; and the three edges —
client API, web front end, command line — on top.  An import that points
upwards (or across edges) is how layers rot, so it fails here, as does an
import of another module's private (underscore) name, and SQL run by a web
view, a client-API module or a command (edges ask the layers below; they never
build statements).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "copse"

#: Rank of each top-level package or module of copse.  A module may import
#: from its own package or from a package of *lower* rank, never higher or
#: equal (equal ranks are independent of each other).
RANK = {
    "errors": 0,
    "wire": 1,
    "policy": 1,
    "config": 1,
    "logs": 1,
    "turns": 1,
    "subproc": 1,
    "db": 2,
    "extra_strings": 2,
    "schema": 3,
    "audit": 4,
    "accounts": 5,
    "tasks": 5,
    "records": 6,
    "index": 7,
    "patients": 8,
    "sync": 9,
    "services": 10,
    "ops": 10,
    # The edges: none of them imports another, and nothing below imports them.
    "api": 11,
    "web": 11,
    "cli": 11,
    "readapi": 11,
    "app": 12,
    "__main__": 13,
}
EDGES = {"api", "web", "cli", "readapi", "app", "__main__"}


def modules() -> Iterator[tuple[str, Path, ast.Module]]:
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC)
        name = ".".join(("copse", *rel.with_suffix("").parts)).removesuffix(".__init__")
        yield name, path, ast.parse(path.read_text(), str(path))


def imported(tree: ast.Module) -> Iterator[tuple[int, str, list[str]]]:
    """(line, module, names) of every ``import``/``from ... import`` (also inside functions)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module, [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            for a in node.names:
                yield node.lineno, a.name, []


def package_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "copse" and len(parts) > 1 else None


ALL = list(modules())


def test_every_package_has_a_rank() -> None:
    """A new top-level package must be placed in the layering on purpose."""
    unranked = {package_of(m) for m, _, _ in ALL} - set(RANK) - {None}
    assert not unranked, f"add these to RANK in {__file__}: {sorted(unranked)}"


def test_imports_only_point_down() -> None:
    bad = []
    for name, path, tree in ALL:
        own = package_of(name)
        if own is None:
            continue
        for line, target, names in imported(tree):
            other = package_of(target)
            if target == "copse" and names:
                # ``from copse import web``: each name is a package.
                others = [n for n in names if n in RANK]
            else:
                others = [other] if other else []
            for o in others:
                if o != own and RANK[o] >= RANK[own]:
                    bad.append(f"{path.relative_to(SRC)}:{line}: {own} imports {target} ({o})")
    assert not bad, "imports against the layering:\n" + "\n".join(bad)


def test_no_private_names_imported_across_modules() -> None:
    bad = []
    for name, path, tree in ALL:
        for line, target, names in imported(tree):
            if not target.startswith("copse"):
                continue
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            if private and target != name:
                bad.append(f"{path.relative_to(SRC)}:{line}: from {target} import {private}")
    assert not bad, "private helpers imported across modules:\n" + "\n".join(bad)


def test_lower_layers_never_import_the_edges() -> None:
    """Stated separately from the ranks because it is the rule that matters most."""
    bad = [
        f"{path.relative_to(SRC)}:{line}: {target}"
        for name, path, tree in ALL
        if package_of(name) not in EDGES
        for line, target, _ in imported(tree)
        if package_of(target) in EDGES
    ]
    assert not bad, bad


VIEWS = [
    p
    for _, p, _ in ALL
    if (p.parent.name == "web" and p.name.startswith("views_"))
    or (p.parent.name == "readapi" and p.name.startswith("ops_"))
    or p.parent.name in ("api", "cli")
]
SQL_BUILDERS = {"select", "insert", "update", "delete", "text", "union", "exists", "func"}


@pytest.mark.parametrize("path", VIEWS, ids=lambda p: p.name)
def test_views_run_no_sql(path: Path) -> None:
    tree = ast.parse(path.read_text())
    bad = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            if node.attr == "execute":
                bad.append(f"line {node.lineno}: .execute")
            elif (
                isinstance(node.value, ast.Name)
                and node.value.id == "sa"
                and node.attr in SQL_BUILDERS
            ):
                bad.append(f"line {node.lineno}: sa.{node.attr}")
    assert not bad, f"{path.name} builds or runs SQL: {bad}"


def test_the_checks_see_the_modules() -> None:
    """Guards the guards: the walk found the packages and the views it checks."""
    found = {package_of(m) for m, _, _ in ALL}
    assert {"sync", "index", "web", "api", "cli", "records", "services"} <= found
    assert len(VIEWS) >= 8

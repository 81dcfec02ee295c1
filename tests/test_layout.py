"""The package's layout keeps its promises: no import cycle between modules, no module too
large to have one job, few modules loose at the top, and the counter kinds asked only
through their protocol."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "reptrack"


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, known: set[str]) -> set[str]:
    """The reptrack modules `path` imports at its top level (TYPE_CHECKING blocks included,
    imports inside functions not: those are the lazy ones that keep start-up quick)."""
    found: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    body = list(tree.body)
    for node in tree.body:
        if isinstance(node, ast.If):  # `if TYPE_CHECKING:`
            body += node.body
    for node in body:
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        found |= {n for n in names if n in known}
    return found


def test_no_module_imports_one_that_imports_it_back():
    paths = {_module(p): p for p in PACKAGE.rglob("*.py")}
    graph = {m: _imports(p, set(paths)) - {m} for m, p in paths.items()}
    cycles = []

    def visit(m: str, trail: list[str]) -> None:
        if m in trail:
            cycles.append([*trail[trail.index(m) :], m])
            return
        if m in done:
            return
        for n in sorted(graph[m]):
            visit(n, [*trail, m])
        done.add(m)

    done: set[str] = set()
    for m in sorted(graph):
        visit(m, [])
    # a package's __init__ importing its own modules is not a cycle of two jobs
    cycles = [c for c in cycles if not all(x.startswith(c[0]) or c[0].startswith(x) for x in c)]
    assert cycles == []


def test_no_module_is_too_long_to_have_one_job():
    long = {
        str(p.relative_to(ROOT)): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400
    }
    assert long == {}


def test_at_most_eight_modules_lie_loose_at_the_top():
    loose = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(loose) <= 8, loose


def test_the_counter_kinds_are_asked_only_through_their_protocol():
    """`isinstance` on a counter kind only in its own module: elsewhere the Counting protocol
    says what a counter of reps and a hold's timer both answer."""
    kinds = ("RepCounter", "HoldTimer")
    own = {"rep_counter.py", "hold_timer.py", "counters.py"}
    found = [
        f"{p.relative_to(ROOT)}: {kind}"
        for p in PACKAGE.rglob("*.py")
        if p.name not in own
        for kind in kinds
        if f", {kind})" in p.read_text(encoding="utf-8")
        or f", {kind} |" in p.read_text(encoding="utf-8")
    ]
    assert found == []

"""The dependency DAG between KPIs, and its cycles.

A name read through a function whose reach (its registry entry) never includes
the formula's own period, such as `prev`, `lag(x, n >= 1)` or `year_ago`, is
read at an *earlier* period: it is not a same-period dependency, so a roll-forward such as
`tresorerie: prev(tresorerie) + flux` is legal. Every other reference is, and
a loop of same-period references is a cycle, reported with its path.
"""

from __future__ import annotations

import graphlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from .functions import FUNCTIONS, reads_own_period
from .model import Definitions, Formula, KpiDef
from .nodes import Call, Name, Node, children, integer_literal


@dataclass(frozen=True)
class Reference:
    """A name a formula reads, and whether at the formula's own period."""

    name: str
    node: Name
    same_period: bool


def references(node: Node, same_period: bool = True) -> Iterator[Reference]:
    """Every name a formula reads, and whether it reads it at the formula's own period."""
    if isinstance(node, Name):
        yield Reference(node.id, node, same_period)
        return
    if isinstance(node, Call) and node.func in FUNCTIONS:
        literals = [integer_literal(arg) for arg in node.args]
        own = reads_own_period(FUNCTIONS[node.func].reach, literals)
        for index, child in enumerate(node.args):
            yield from references(child, same_period and (index > 0 or own))
        return
    for child in children(node):
        yield from references(child, same_period)


def formula_dependencies(formula: Formula, kpis: Mapping[str, KpiDef], same_period_only: bool) -> list[str]:
    """KPI names the formula uses, in first-use order."""
    names = (r.name for r in references(formula.node) if r.same_period or not same_period_only)
    return list(dict.fromkeys(name for name in names if name in kpis))


def input_dependencies(formula: Formula, definitions: Definitions) -> list[str]:
    """The inputs a formula reads, in first-use order."""
    return list(dict.fromkeys(r.name for r in references(formula.node) if r.name in definitions.inputs))


def same_period_graph(definitions: Definitions) -> dict[str, list[str]]:
    """KPI -> the KPIs its formula reads at its own period: the graph whose cycles are errors."""
    return {name: formula_dependencies(kpi.formula, definitions.kpis, True) for name, kpi in definitions.kpis.items()}


def all_dependencies_graph(definitions: Definitions) -> dict[str, list[str]]:
    """Every KPI each KPI's formula reads, at its own period or an earlier one."""
    return {name: formula_dependencies(kpi.formula, definitions.kpis, False) for name, kpi in definitions.kpis.items()}


def find_cycles(graph: Mapping[str, list[str]]) -> list[list[str]]:
    """One cycle per strongly connected group of KPIs, each as a path `a, b, a` (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def connect(start: str) -> None:
        # iterative depth-first search, so a long chain of KPIs cannot overflow Python's stack
        work = [(start, iter(graph.get(start, ())))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(graph.get(successor, ()))))
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1 or node in graph.get(node, ()):
                        cycles.append(_cycle_path(node, set(group), graph))

    for name in graph:
        if name not in index:
            connect(name)
    return cycles


def _cycle_path(start: str, group: set[str], graph: Mapping[str, list[str]]) -> list[str]:
    """A shortest path from `start` back to itself inside its strongly connected group."""
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for successor in graph.get(node, ()):
                if successor not in group:
                    continue
                if successor == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [start, *reversed(path[:-1]), start] if node != start else [start, start]
                if successor not in previous:
                    previous[successor] = node
                    following.append(successor)
        frontier = following
    return [start, start]


def topological_order(graph: Mapping[str, Iterable[str]]) -> list[str]:
    """Dependencies before their users; the graph must be acyclic."""
    return list(graphlib.TopologicalSorter({k: list(v) for k, v in graph.items()}).static_order())


def prerequisites(graph: Mapping[str, Iterable[str]], name: str) -> list[str]:
    """Everything `name` reads, transitively, dependencies first (`name` itself excluded).

    Computing these in this order before `name` keeps a long chain of KPIs from
    becoming a deep recursion.
    """
    needed = closure(graph, [name]) - {name}
    # in the graph's own order, not the set's: the result (and so the order of the variables the
    # analysis lists) must not depend on string hashing, which changes from run to run
    ordered = [k for k in graph if k in needed] + sorted(needed - graph.keys())
    return [n for n in topological_order({k: graph.get(k, ()) for k in ordered}) if n in needed]


def closure(graph: Mapping[str, Iterable[str]], roots: Iterable[str]) -> set[str]:
    """The roots and everything they reach."""
    seen: set[str] = set()
    pending = list(roots)
    while pending:
        name = pending.pop()
        if name not in seen:
            seen.add(name)
            pending.extend(graph.get(name, ()))
    return seen

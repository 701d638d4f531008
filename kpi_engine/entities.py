"""Declared entities and groups: what `entities:` says, checked, and the order groups are consolidated in.

A group's members are entities or other groups. Its figures are its
members' added together (each input's `consolidation` says how), so a group
must never count an entity twice: a member cycle, or two paths from a group
down to the same entity, is a located problem. Groups are evaluated after
every member, in `consolidation_order`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from .errors import Problem
from .graph import find_cycles
from .model import EntityDef


def member_graph(entities: Mapping[str, EntityDef]) -> dict[str, list[str]]:
    """Group -> its direct members, for every declared group."""
    return {name: list(entity.members) for name, entity in entities.items() if entity.is_group}


def group_problems(entities: Mapping[str, EntityDef]) -> Iterator[Problem]:
    """Member cycles, members listed twice, and entities a group would reach by two paths."""
    graph = member_graph(entities)
    cycles = find_cycles(graph)
    for cycle in cycles:
        yield Problem(entities[cycle[0]].location, f"group '{cycle[0]}' contains itself: {' -> '.join(cycle)}")
    if cycles:
        return
    for name in graph:
        seen: dict[str, str] = {}  # entity -> the direct member it was reached through
        for member in entities[name].members:
            for reached in (member, *leaves(graph, member)):
                if reached in seen:
                    through = "twice" if seen[reached] == member else f"through both '{seen[reached]}' and '{member}'"
                    yield Problem(entities[name].location, f"group '{name}' counts '{reached}' {through}: each entity may be counted once")
                    break
                seen[reached] = member


def leaves(graph: Mapping[str, list[str]], group: str) -> list[str]:
    """Everything below `group` (entities and subgroups), depth first; the graph must be acyclic."""
    found: list[str] = []
    for member in graph.get(group, ()):
        found.append(member)
        found.extend(leaves(graph, member))
    return found


def consolidation_order(entities: Mapping[str, EntityDef]) -> tuple[str, ...]:
    """The groups, each after its member groups, otherwise in declaration order."""
    graph = member_graph(entities)
    rank = {name: index for index, name in enumerate(graph)}
    return tuple(sorted(graph, key=lambda name: (_height(graph, name), rank[name])))


def _height(graph: Mapping[str, list[str]], group: str) -> int:
    """0 for a group of entities only, 1 + the highest member group's otherwise."""
    return max((1 + _height(graph, member) for member in graph[group] if member in graph), default=0)

"""Declared entities and groups: what `entities:` says, checked, and the order groups are consolidated in.

A group's members are entities or other groups. Its figures are its
members' added together (each input's `consolidation` says how), so a group
must never count an entity twice: a member cycle, or two paths from a group
down to the same entity, is a located problem. Groups are evaluated after
every member, in `consolidation_order`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from .errors import Problem
from .facts import Entity
from .graph import closure, find_cycles
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
    looping = {name for cycle in cycles for name in cycle}
    for name in graph:
        if closure(graph, [name]) & looping:
            continue  # reported as a cycle; its members cannot be listed
        seen: dict[str, str] = {}  # entity -> the direct member it was reached through
        for member in entities[name].members:
            for reached in (member, *leaves(graph, member)):
                if reached in seen:
                    yield Problem(entities[name].location, _counted_twice(name, reached, seen[reached], member))
                    break
                seen[reached] = member


def _counted_twice(group: str, reached: str, first: str, second: str) -> str:
    if first == second == reached:
        return f"group '{group}' lists '{reached}' twice: each entity may be counted once"
    ways = " and ".join("as a member" if way == reached else f"through '{way}'" for way in (first, second))
    return f"group '{group}' counts '{reached}' twice ({ways}): each entity may be counted once"


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


def reading_order(entities: Mapping[str, EntityDef], evaluated: Sequence[Entity]) -> list[Entity]:
    """The evaluated entities as a reader lists them: each group right after its members (a member group
    after its own members), members in the order the group lists them; the others keep their order."""
    graph = member_graph(entities)
    wanted = set(evaluated)
    parent = {member: group for group, members in reversed(graph.items()) for member in members}  # the first group listing it
    ordered: dict[Entity, None] = {}

    def place(entity: Entity) -> None:
        for member in graph.get(entity or "", ()):
            place(member)
        if entity in wanted:
            ordered.setdefault(entity)

    for entity in evaluated:
        top = entity
        while top in parent and parent[top] in wanted:
            top = parent[top]
        place(top)
    return list(ordered)

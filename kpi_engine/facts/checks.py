"""Checks on facts as a whole, once every source is merged: what no single line shows.

- entity names that differ only by case, accents or spacing (`Gare`, `gare`): two entities
  where the company has one, each with part of its figures;
- an entity missing a period that the other entities have: a month not exported is not a zero.
Both are warnings: the figures may be right, but someone should look.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterator

from ..errors import Location, Problem
from ..periods import Frequency, Period
from ..reasons import Reason
from .columns import normal
from .model import Entity, Facts

SHOWN_PERIODS = 6  # missing periods listed in one warning before "and N more"


def consistency_warnings(facts: Facts, groups: Collection[str] = ()) -> list[Problem]:
    """Every warning about the facts as a whole, in a stable order. `groups` are the pack's groups: their
    own facts (eliminations) come only in the months that have some, so no missing period is said of them."""
    first_seen = _first_locations(facts)
    return [*_lookalike_entities(first_seen), *_missing_periods(facts, first_seen, frozenset(groups))]


def _first_locations(facts: Facts) -> dict[Entity, Location]:
    first: dict[Entity, Location] = {}
    for fact in facts.facts():
        first.setdefault(fact.entity, fact.location)
    return first


def _lookalike_entities(first_seen: dict[Entity, Location]) -> Iterator[Problem]:
    groups: dict[str, list[str]] = defaultdict(list)
    for entity in first_seen:  # in the order they first appear
        if entity is not None:
            groups[normal(entity)].append(entity)
    for names in groups.values():
        if len(names) > 1:
            spelled = tuple((name, str(first_seen[name])) for name in names)
            yield Problem.of(first_seen[names[1]], Reason.of("lookalike_entities", spelled=spelled, count=len(names)), "warning")


def _missing_periods(facts: Facts, first_seen: dict[Entity, Location], groups: frozenset[str]) -> Iterator[Problem]:
    named = [entity for entity in facts.entities if entity is not None and entity not in groups]
    held = {entity: set(facts.entity(entity).by_period) for entity in named}
    for frequency in Frequency:
        having = {entity: {p for p in periods if p.frequency is frequency} for entity, periods in held.items()}
        having = {entity: periods for entity, periods in having.items() if periods}
        every = set().union(*having.values()) if len(having) > 1 else set()
        for entity, periods in having.items():
            missing = sorted(every - periods, key=Period.sort_key)
            if missing:
                shown = ", ".join(str(p) for p in missing[:SHOWN_PERIODS])
                cause = Reason.of("missing_periods", name=entity, shown=shown, more=max(0, len(missing) - SHOWN_PERIODS))
                yield Problem.of(first_seen[entity], cause, "warning")

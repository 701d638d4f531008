"""What facts give, at a glance: entities x periods x inputs, and a total per input (`kpi facts`).

A controller reads this before trusting any KPI: which entities the sources
name, over which periods, which of the pack's inputs they give and which they
do not (an input declaring `missing: zero` reads 0 where the entity has
facts, one without stays undefined), and what each input adds up to, to
compare with the trial balance or the management report.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from ..periods import Frequency, Period
from .model import ACTUAL, Entity, Fact, Facts

if TYPE_CHECKING:
    from ..model import InputDef


@dataclass(frozen=True)
class EntityCoverage:
    """One entity: how many facts, over which periods, which inputs given and which of the pack's absent."""

    entity: Entity
    facts: int
    periods: tuple[Period, ...]
    given: tuple[str, ...]
    absent: tuple[str, ...]  # the pack's inputs this entity has no fact for

    @property
    def first(self) -> Period | None:
        return self.periods[0] if self.periods else None

    @property
    def last(self) -> Period | None:
        return self.periods[-1] if self.periods else None


@dataclass(frozen=True)
class InputTotal:
    """One input over every entity: its facts, its periods, and the sum of its finest facts when it is a
    flow (rolled up by `sum`: a quarter given beside its months is not counted twice), else None."""

    name: str
    facts: int
    entities: int
    first: Period
    last: Period
    total: Decimal | None


@dataclass(frozen=True)
class Coverage:
    entities: tuple[EntityCoverage, ...]
    inputs: tuple[InputTotal, ...]


def coverage(facts: Facts, inputs: Mapping[str, InputDef]) -> Coverage:
    """The coverage of `facts` for a pack's `inputs` (the facts no input reads are listed too); actual figures only."""
    by_input: dict[str, list[Fact]] = defaultdict(list)
    for fact in facts.facts():
        if fact.scenario == ACTUAL:
            by_input[fact.name].append(fact)
    entities = tuple(_entity(facts, entity, inputs) for entity in facts.entities)
    totals = tuple(_total(name, by_input[name], inputs.get(name)) for name in sorted(by_input))
    return Coverage(entities, totals)


def _entity(facts: Facts, entity: Entity, inputs: Mapping[str, InputDef]) -> EntityCoverage:
    held = facts.entity(entity)
    periods = tuple(sorted(held.by_period, key=Period.sort_key))
    count = sum(len(values) for values in held.by_period.values())
    given = tuple(sorted(held.frequencies))
    return EntityCoverage(entity, count, periods, given, tuple(name for name in inputs if name not in held.frequencies))


def _total(name: str, facts: list[Fact], definition: InputDef | None) -> InputTotal:
    periods = sorted((fact.period for fact in facts), key=Period.sort_key)
    total = None
    if definition is not None and definition.rollup == "sum":
        finest = min((fact.period.frequency for fact in facts), key=list(Frequency).index)  # Frequency: finest first
        total = sum((fact.value for fact in facts if fact.period.frequency is finest), Decimal(0))
    return InputTotal(name, len(facts), len({fact.entity for fact in facts}), periods[0], periods[-1], total)

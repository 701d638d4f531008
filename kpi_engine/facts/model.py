"""The facts model: the company's figures, per entity, input and period, as exact decimals.

`Facts` is the in-memory form every reader produces and an embedding tool
builds directly (`Facts.from_records`) with no file I/O. It also keeps the
warnings its sources raised (an equal line given twice...), so a caller that
only holds the facts can still show them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from ..errors import FactsError, Location, Problem
from ..numbers import parse_number
from ..periods import Frequency, Period

Entity = str | None


@dataclass(frozen=True)
class Fact:
    """One figure: an input's exact value for one entity (None: no entity) at one period, and where it was read."""

    entity: Entity
    name: str
    period: Period
    value: Decimal
    location: Location = field(default=Location("<memory>"), compare=False)


@dataclass
class EntityFacts:
    """One entity's figures: period -> {input: value}, and at which frequencies each input is known."""

    by_period: dict[Period, dict[str, Decimal]] = field(default_factory=dict)
    frequencies: dict[str, set[Frequency]] = field(default_factory=dict)

    def add(self, name: str, period: Period, value: Decimal) -> None:
        self.by_period.setdefault(period, {})[name] = value
        self.frequencies.setdefault(name, set()).add(period.frequency)


class Facts:
    """Figures for several entities; built once, read by any number of evaluations."""

    def __init__(self) -> None:
        self._entities: dict[Entity, EntityFacts] = {}
        self._locations: dict[tuple[Entity, str, Period], Location] = {}
        self._warnings: list[Problem] = []

    @classmethod
    def from_records(cls, records: Iterable[Fact | tuple[Any, ...]], floats: Literal["refuse", "repr"] = "refuse") -> Facts:
        """Build facts from `Fact`s or `(entity, name, period, value)` tuples.

        A value of None is a missing fact; a bad period or number, or two values for
        one fact, raise FactsError naming the record (1-based) in its location.
        A float is refused (it is rarely the number meant: 0.1 is not 1/10) unless
        `floats="repr"`: then it is read through its shortest decimal form,
        `repr(0.1)` = "0.1", the number a database or a dataframe printed.
        """
        facts = cls()
        problems: list[Problem] = []
        for number, record in enumerate(records, 1):
            try:
                fact = record if isinstance(record, Fact) else _fact_from_tuple(record, Location("<records>", number), floats)
            except (ValueError, TypeError) as error:
                problems.append(Problem(Location("<records>", number), f"record {number}: {error}"))
                continue
            problem = facts.add(fact) if fact is not None else None
            if problem:
                problems.append(problem)
        if problems:
            raise FactsError(problems)
        return facts

    def add(self, fact: Fact) -> Problem | None:
        """Record one fact; returns a problem (and keeps the first value) when it contradicts an earlier one.

        An equal value given again is agreement, not a problem here: a reader
        that knows two of its own lines repeat one fact says so itself.
        """
        key = (fact.entity, fact.name, fact.period)
        if key in self._locations:
            existing = self._entities[fact.entity].by_period[fact.period][fact.name]
            if existing != fact.value:
                return Problem(
                    fact.location,
                    f"'{fact.name}' for {fact.period}{entity_words(fact.entity)} is given twice with different values "
                    f"({existing} at {self._locations[key]}, {fact.value} here)",
                )
            return None
        self._locations[key] = fact.location
        self._entities.setdefault(fact.entity, EntityFacts()).add(fact.name, fact.period, fact.value)
        return None

    def find(self, entity: Entity, name: str, period: Period) -> Fact | None:
        """The fact recorded for this entity, input and period, if any."""
        location = self._locations.get((entity, name, period))
        if location is None:
            return None
        return Fact(entity, name, period, self._entities[entity].by_period[period][name], location)

    def merge(self, other: Facts) -> list[Problem]:
        """Add every fact of `other` (and keep its warnings); returns the contradictions found."""
        self._warnings.extend(other.warnings)
        return [p for fact in other.facts() if (p := self.add(fact))]

    def warn(self, warnings: Iterable[Problem]) -> None:
        """Keep warnings about these facts (severity "warning"), for whoever shows them."""
        self._warnings.extend(warnings)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """What the sources of these facts warned about, in the order found."""
        return tuple(self._warnings)

    @property
    def entities(self) -> list[Entity]:
        return sorted(self._entities, key=lambda e: (e is not None, e or ""))

    def entity(self, entity: Entity) -> EntityFacts:
        return self._entities.get(entity, EntityFacts())

    def names(self) -> set[str]:
        return {name for facts in self._entities.values() for name in facts.frequencies}

    def location(self, entity: Entity, name: str) -> Location | None:
        return next((loc for (e, n, _), loc in self._locations.items() if e == entity and n == name), None)

    def facts(self) -> Iterator[Fact]:
        for entity, entity_facts in self._entities.items():
            for period, values in entity_facts.by_period.items():
                for name, value in values.items():
                    yield Fact(entity, name, period, value, self._locations[(entity, name, period)])

    def span(self) -> str:
        """The periods the facts run over, in words: `2024-01 to 2025-12`."""
        periods = sorted({p for e in self._entities.values() for p in e.by_period}, key=Period.sort_key)
        return f"{periods[0]} to {periods[-1]}" if periods else "no period"

    def __len__(self) -> int:
        return len(self._locations)


def entity_words(entity: Entity) -> str:
    """` for entity 'lyon'`, or nothing for facts without an entity: the tail of messages about one fact."""
    return f" for entity '{entity}'" if entity else ""


def _fact_from_tuple(record: tuple[Any, ...], location: Location, floats: str) -> Fact | None:
    entity, name, period, value = record
    period = period if isinstance(period, Period) else Period.parse(str(period))
    if value is None:
        return None
    if isinstance(value, float) and floats == "repr" and math.isfinite(value):
        value = repr(value)
    if isinstance(value, (bool, float)):
        raise ValueError(
            f"{value!r} for '{name}' is not an exact number: pass a Decimal, an int or a string, "
            'or Facts.from_records(records, floats="repr") to read floats through their shortest decimal form'
        )
    number = value if isinstance(value, Decimal) else Decimal(value) if isinstance(value, int) else parse_number(str(value))
    return Fact(entity, name, period, number, location)

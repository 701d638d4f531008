"""The facts model: the company's figures, per entity, input and period, as exact decimals.

`Facts` is the in-memory form every reader produces and an embedding tool
builds directly (`Facts.from_records`) with no file I/O. It also keeps the
warnings its sources raised (an equal line given twice...), so a caller that
only holds the facts can still show them.
"""

from __future__ import annotations

import math
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from ..errors import FactsError, Location, Problem, Refusal
from ..numbers import NumberLimits, read_number
from ..periods import Frequency, Period
from ..reasons import Reason

Entity = str | None
ACTUAL = "actual"
"""The scenario of a figure that names none: what happened. Others (`budget`, `forecast`...) are plans."""
_SCENARIO = re.compile(r"[a-z][a-z0-9_]*")


def scenario_problem(written: str) -> Reason | None:
    """Why `written` cannot name a scenario (None when it can): scenarios are lowercase identifiers,
    `budget`, `forecast`, `revised_budget`, so that a formula can name them; `Budget 2025` is refused
    rather than read as a scenario no formula could ever reach."""
    if _SCENARIO.fullmatch(written):
        return None
    hint = normal_scenario(written)
    return Reason.of("not_a_scenario", scenario=written, hint=hint if hint and _SCENARIO.fullmatch(hint) else "")


def normal_scenario(written: str) -> str:
    """A scenario as its name would be written: `Budget révisé` -> `budget_revise`."""
    decomposed = unicodedata.normalize("NFKD", written.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[^0-9a-z]+", "_", bare).strip("_")


@dataclass(frozen=True)
class Fact:
    """One figure: an input's exact value for one entity (None: no entity) at one period, and where it was read.

    `scenario` is `actual` for what happened, else the plan it belongs to (`budget`...). A `Fact` is the
    form figures are passed in and read out; `Facts` keeps each scenario's figures in a store of its own,
    so the scenario costs nothing per figure."""

    entity: Entity
    name: str
    period: Period
    value: Decimal
    location: Location = field(default=Location("<memory>"), compare=False)
    scenario: str = ACTUAL


@dataclass(frozen=True)
class AuditLine:
    """One account's part in a fact read from a ledger: its number, its label and the amount it brought,
    signed as the fact. For a balance, `opening` is the part of the amount the opening entries
    (à-nouveaux) gave, the rest being the movements of the fiscal year so far; None for a flow."""

    account: str
    label: str
    amount: Decimal
    opening: Decimal | None = None

    @property
    def movements(self) -> Decimal:
        """What the entries of the fiscal year brought (the whole amount for a flow)."""
        return self.amount - (self.opening or 0)


@dataclass
class EntityFacts:
    """One entity's figures: period -> {input: value}, and at which frequencies each input is known.

    `details` holds, for the facts a ledger gave only, the accounts that made each one (an
    audit, read by explain); facts from other sources carry none, so they cost nothing here.

    `places` says where each figure was read, as `Facts` encodes it (one int per figure). Every period and
    name is stored once: a figure costs its `Decimal` (about 100 bytes) and under 150 bytes more (two dict
    entries and an int; `tests/test_facts_memory.py`), about 205 bytes read from a CSV where it cost 393
    with a `Location` and an (entity, name, period) key of its own.
    """

    by_period: dict[Period, dict[str, Decimal]] = field(default_factory=dict)
    frequencies: dict[str, set[Frequency]] = field(default_factory=dict)
    details: dict[tuple[str, Period], tuple[AuditLine, ...]] = field(default_factory=dict)
    places: dict[Period, dict[str, int]] = field(default_factory=dict)

    def add(self, name: str, period: Period, value: Decimal, place: int = 0) -> None:
        values = self.by_period.get(period)
        if values is None:
            values = self.by_period[period] = {}
            places = self.places[period] = {}
        else:
            places = self.places[period]
        name = sys.intern(name)
        values[name] = value
        places[name] = place
        known = self.frequencies.get(name)  # not setdefault(name, set()): a set made per figure for nothing
        if known is None:
            known = self.frequencies[name] = set()
        known.add(period.frequency)


_PLACE_BITS = 16  # an encoded place: line, then column and source number below 65,536 each (a workbook has 16,384 columns)


class Facts:
    """Figures for several entities, per scenario; built once, read by any number of evaluations.

    The `actual` figures are the facts proper (`entity`, `entities`, `find`... read them unless told
    otherwise); each other scenario has a store of the same shape beside them (`entity(e, "budget")`).
    """

    def __init__(self) -> None:
        self._scenarios: dict[str, dict[Entity, EntityFacts]] = {ACTUAL: {}}
        self._entities = self._scenarios[ACTUAL]
        self._sources: list[tuple[str, str]] = []  # (file, sheet) of the places, each once
        self._source_numbers: dict[tuple[str, str], int] = {}
        self._count = 0
        self._warnings: list[Problem] = []

    @classmethod
    def from_records(cls, records: Iterable[Fact | tuple[Any, ...]], floats: Literal["refuse", "repr"] = "refuse") -> Facts:
        """Build facts from `Fact`s, or `(entity, name, period, value)` tuples of actual figures, or
        `(entity, name, period, value, scenario)` tuples (scenario None: actual).

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
                if isinstance(record, Fact):
                    NumberLimits().checked(record.value)
                fact = record if isinstance(record, Fact) else _fact_from_tuple(record, Location("<records>", number), floats)
            except (ValueError, TypeError) as error:
                problems.append(Problem.of(Location("<records>", number), Reason.of("record", number=number, cause=Reason.of_error(error))))
                continue
            problem = facts.add(fact) if fact is not None else None
            if problem:
                problems.append(problem)
        if problems:
            raise FactsError(problems)
        return facts

    def add_detail(self, fact: Fact, lines: tuple[AuditLine, ...]) -> Problem | None:
        """Record a fact with the accounts that made it (a ledger's facts); as `add` otherwise."""
        problem = self.add(fact)
        if problem is None:
            self._scenarios[fact.scenario][fact.entity].details[(fact.name, fact.period)] = lines
        return problem

    def detail(self, entity: Entity, name: str, period: Period) -> tuple[AuditLine, ...] | None:
        """The accounts that made a fact read from a ledger; None for a fact from any other source."""
        return self.entity(entity).details.get((name, period))

    def add(self, fact: Fact) -> Problem | None:
        """Record one fact; returns a problem (and keeps the first value) when it contradicts an earlier one.

        An equal value given again is agreement, not a problem here: a reader
        that knows two of its own lines repeat one fact says so itself.
        """
        found = self.add_figure(fact.entity, fact.name, fact.period, fact.value, fact.location, fact.scenario)
        return found if isinstance(found, Problem) else None

    def add_figure(self, entity: Entity, name: str, period: Period, value: Decimal, location: Location, scenario: str = ACTUAL) -> Problem | Fact | None:
        """Record one figure, as `add` does, without a `Fact` made for it (readers add millions): None when it is
        new, a problem when it contradicts an earlier one, and the earlier fact when it gives the same value
        again (the reader says whether that is worth a warning)."""
        store = self._scenarios.get(scenario)
        if store is None:
            problem = scenario_problem(scenario)
            if problem:
                return Problem.of(location, problem)
            store = self._scenarios[sys.intern(scenario)] = {}
        entity_facts = store.get(entity)
        if entity_facts is None:
            entity_facts = store[entity] = EntityFacts()
        values = entity_facts.by_period.get(period)
        existing = None if values is None else values.get(name)
        if existing is None:
            entity_facts.add(name, period, value, self._place(location))
            self._count += 1
            return None
        where = self._location(entity_facts.places[period][name])
        if existing == value:
            return Fact(entity, name, period, existing, where, scenario)
        cause = Reason.of(
            "different_values", name=name, period=period, for_entity=entity_words(entity),
            under_scenario=scenario_words(scenario), earlier=existing, at=where, value=value,
        )
        return Problem.of(location, cause)

    def _place(self, location: Location) -> int:
        """A location as one int: line, column and the number of its (file, sheet)."""
        source = (location.file, location.sheet)
        number = self._source_numbers.get(source)
        if number is None:
            number = self._source_numbers[source] = len(self._sources)
            self._sources.append(source)
        return ((location.line << _PLACE_BITS | location.column) << _PLACE_BITS) | number

    def _location(self, place: int) -> Location:
        file, sheet = self._sources[place & (1 << _PLACE_BITS) - 1]
        position = place >> _PLACE_BITS
        return Location(file, position >> _PLACE_BITS, position & (1 << _PLACE_BITS) - 1, sheet)

    def find(self, entity: Entity, name: str, period: Period, scenario: str = ACTUAL) -> Fact | None:
        """The fact recorded for this entity, input and period (under `scenario`), if any."""
        store = self._scenarios.get(scenario)  # asked for every figure read: no dict made per call
        entity_facts = None if store is None else store.get(entity)
        places = None if entity_facts is None else entity_facts.places.get(period)
        place = None if places is None else places.get(name)
        if entity_facts is None or place is None:
            return None
        return Fact(entity, name, period, entity_facts.by_period[period][name], self._location(place), scenario)

    def merge(self, other: Facts) -> list[Problem]:
        """Add every fact of `other` (and keep its warnings); returns the contradictions found."""
        self._warnings.extend(other.warnings)
        problems = []
        for fact in other.facts():
            lines = other.detail(fact.entity, fact.name, fact.period) if fact.scenario == ACTUAL else None
            problem = self.add(fact) if lines is None else self.add_detail(fact, lines)
            if problem is not None:
                problems.append(problem)
        return problems

    def warn(self, warnings: Iterable[Problem]) -> None:
        """Keep warnings about these facts (severity "warning"), for whoever shows them."""
        self._warnings.extend(warnings)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """What the sources of these facts warned about, in the order found."""
        return tuple(self._warnings)

    @property
    def entities(self) -> list[Entity]:
        """The entities with actual figures (those evaluated)."""
        return sorted(self._entities, key=lambda e: (e is not None, e or ""))

    @property
    def scenarios(self) -> list[str]:
        """`actual`, then every other scenario the figures name, alphabetically."""
        return [ACTUAL, *sorted(s for s in self._scenarios if s != ACTUAL)]

    def entity(self, entity: Entity, scenario: str = ACTUAL) -> EntityFacts:
        return self._scenarios.get(scenario, {}).get(entity, EntityFacts())

    def names(self) -> set[str]:
        """Every input some figure gives, under any scenario."""
        return {name for store in self._scenarios.values() for facts in store.values() for name in facts.frequencies}

    def location(self, entity: Entity, name: str) -> Location | None:
        entity_facts = self._entities.get(entity)
        places = () if entity_facts is None else entity_facts.places.values()
        return next((self._location(by_name[name]) for by_name in places if name in by_name), None)

    def first_locations(self) -> dict[Entity, Location]:
        """Where each entity's first figure was read, as `facts()` first gives it (the actual figures first), in
        the order the entities first appear there: read off the places, without a `Fact` made per figure."""
        first: dict[Entity, Location] = {}
        for scenario in self.scenarios:
            for entity, entity_facts in self._scenarios[scenario].items():
                if entity not in first:
                    found = next(((period, name) for period, values in entity_facts.by_period.items() for name in values), None)
                    if found is not None:
                        first[entity] = self._location(entity_facts.places[found[0]][found[1]])
        return first

    def facts(self) -> Iterator[Fact]:
        """Every figure, the actual ones first, then each other scenario's."""
        for scenario in self.scenarios:
            for entity, entity_facts in self._scenarios[scenario].items():
                for period, values in entity_facts.by_period.items():
                    places = entity_facts.places[period]
                    for name, value in values.items():
                        yield Fact(entity, name, period, value, self._location(places[name]), scenario)

    def periods(self) -> set[Period]:
        """Every period some figure is given at, under any scenario."""
        return {p for store in self._scenarios.values() for e in store.values() for p in e.by_period}

    def span(self) -> Reason:
        """The periods the facts run over, worded in either language: `2024-01 to 2025-12` / `2024-01 à 2025-12`."""
        periods = sorted({p for e in self._entities.values() for p in e.by_period}, key=Period.sort_key)
        return Reason.of("span", first=periods[0], last=periods[-1]) if periods else Reason.of("no_period")

    def __len__(self) -> int:
        return self._count


def entity_words(entity: Entity) -> Reason | str:
    """` for entity 'lyon'`, or nothing for facts without an entity: the tail of messages about one fact."""
    return Reason.of("for_entity", name=entity) if entity else ""


def scenario_words(scenario: str) -> Reason | str:
    """` under scenario 'budget'`, or nothing for actual figures."""
    return "" if scenario == ACTUAL else Reason.of("under_scenario", scenario=scenario)


def _fact_from_tuple(record: tuple[Any, ...], location: Location, floats: str) -> Fact | None:
    if len(record) not in (4, 5):
        raise Refusal("record_length", count=len(record))
    entity, name, period, value = record[:4]
    scenario = ACTUAL if len(record) == 4 or record[4] is None else str(record[4])
    period = period if isinstance(period, Period) else Period.parse(str(period))
    if value is None:
        return None
    if isinstance(value, float) and floats == "repr" and math.isfinite(value):
        value = repr(value)
    if isinstance(value, (bool, float)):
        raise Refusal("float_value", written=value, name=name)
    number = read_number(value if isinstance(value, (int, Decimal)) else str(value))
    return Fact(entity, name, period, number, location, scenario)

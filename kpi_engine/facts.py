"""Facts: the company's figures, per entity, input and period, as exact decimals.

`Facts` is the in-memory form an embedding tool builds directly
(`Facts.from_records`) with no file I/O. The readers below turn CSV (long or
wide, including French Excel exports with `;` and decimal commas), YAML and
JSON text into the same form, reporting every bad cell as `FILE:LINE: ...`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from .errors import FactsError, Location, Problem
from .numbers import parse_number
from .periods import Frequency, Period
from .yamlsource import Document, load_document

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

    @classmethod
    def from_records(cls, records: Iterable[Fact | tuple]) -> Facts:
        """Build facts from `Fact`s or `(entity, name, period, value)` tuples.

        A value of None is a missing fact; a bad period or number, or two values for
        one fact, raise FactsError naming the record (1-based) in its location.
        """
        facts = cls()
        problems: list[Problem] = []
        for number, record in enumerate(records, 1):
            try:
                fact = record if isinstance(record, Fact) else _fact_from_tuple(record, Location("<records>", number))
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
        """Record one fact; returns a problem (and keeps the first value) when it contradicts an earlier one."""
        key = (fact.entity, fact.name, fact.period)
        if key in self._locations:
            existing = self._entities[fact.entity].by_period[fact.period][fact.name]
            if existing != fact.value:
                where = f" for entity '{fact.entity}'" if fact.entity else ""
                return Problem(
                    fact.location,
                    f"'{fact.name}' for {fact.period}{where} is given twice with different values "
                    f"({existing} at {self._locations[key]}, {fact.value} here)",
                )
            return None
        self._locations[key] = fact.location
        self._entities.setdefault(fact.entity, EntityFacts()).add(fact.name, fact.period, fact.value)
        return None

    def merge(self, other: Facts) -> list[Problem]:
        return [p for fact in other.facts() if (p := self.add(fact))]

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


def _fact_from_tuple(record: tuple, location: Location) -> Fact | None:
    entity, name, period, value = record
    period = period if isinstance(period, Period) else Period.parse(str(period))
    if value is None:
        return None
    if isinstance(value, (bool, float)):
        raise ValueError(f"{value!r} for '{name}' is not an exact number: pass a Decimal, an int or a string")
    number = value if isinstance(value, Decimal) else Decimal(value) if isinstance(value, int) else parse_number(str(value))
    return Fact(entity, name, period, number, location)


# --- readers ----------------------------------------------------------------------
def read_facts_text(text: str, name: str) -> Facts:
    """Facts from the text of a file; the format follows its name (.csv, .yaml/.yml, .json)."""
    text = text.removeprefix("\ufeff")  # Excel and Notepad write a byte-order mark
    lower = name.lower()
    if lower.endswith((".yaml", ".yml")):
        return _checked(_yaml_facts(text, name))
    if lower.endswith(".json"):
        return _checked(_json_facts(text, name))
    return _checked(_csv_facts(text, name))


def _checked(result: tuple[Facts, list[Problem]]) -> Facts:
    facts, problems = result
    if problems:
        raise FactsError(problems)
    return facts


def _csv_facts(text: str, name: str) -> tuple[Facts, list[Problem]]:
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ("\t" if "\t" in first_line else ",")
    rows = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip() for h in next(rows, [])]
    facts, problems = Facts(), []
    lowered = [_HEADER_ALIASES.get(h.lower(), h.lower()) for h in header]
    if "period" not in lowered:
        return facts, [Problem(Location(name, 1), f"the header must have a 'period' column; found: {', '.join(header) or 'nothing'}")]
    is_long = {"name", "value"} <= set(lowered)
    decimal_comma = delimiter == ";"
    for line_number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = dict(zip(lowered, row))
        if len(row) > len(header):
            problems.append(Problem(Location(name, line_number), f"{len(row)} cells but the header has {len(header)} columns"))
            continue
        location = Location(name, line_number)
        entity = (cells.get("entity") or "").strip() or None
        try:
            period = Period.parse(cells.get("period", ""))
        except ValueError as error:
            problems.append(Problem(location, f"column 'period': {error}"))
            continue
        pairs = [(cells.get("name", "").strip(), cells.get("value", ""))] if is_long else [
            (column, cells[key]) for column, key in zip(header, lowered) if key not in {"period", "entity"}
        ]
        for input_name, raw in pairs:
            problems.extend(_add_cell(facts, entity, input_name, period, raw, location, decimal_comma))
    return facts, problems


# Column names of French exports, read as the format's English ones.
_HEADER_ALIASES = {
    "période": "period", "periode": "period", "entité": "entity", "entite": "entity",
    "nom": "name", "indicateur": "name", "donnée": "name", "valeur": "value", "montant": "value",
}


def _add_cell(facts: Facts, entity: Entity, name: str, period: Period, raw: Any, location: Location, decimal_comma: bool) -> Iterator[Problem]:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return  # an empty cell is a missing fact, not zero
    if not name:
        yield Problem(location, "the 'name' cell is empty")
        return
    if isinstance(raw, bool) or not isinstance(raw, (str, int, Decimal)):
        yield Problem(location, f"'{name}' for {period}: {raw!r} is not a number")
        return
    try:
        value = raw if isinstance(raw, Decimal) else Decimal(raw) if isinstance(raw, int) else parse_number(str(raw), decimal_comma)
    except (ValueError, InvalidOperation):
        yield Problem(location, f"'{name}' for {period}: {str(raw)!r} is not a number")
        return
    problem = facts.add(Fact(entity, name, period, value, location))
    if problem:
        yield problem


def _yaml_facts(text: str, name: str) -> tuple[Facts, list[Problem]]:
    document, problems = load_document(text, name)
    if problems or document.data is None:
        return Facts(), problems
    return facts_from_document(document)


def facts_from_document(document: Document, root: tuple = (), entity: Entity = None) -> tuple[Facts, list[Problem]]:
    """Facts from the YAML mapping at `root`: period -> {input: value}, optionally under entity names.

    `entity` is the entity of facts written without entity names (pack tests use it).
    """
    facts, problems = Facts(), []
    data = document.data
    for key in root:
        data = data[key]
    if not isinstance(data, dict):
        return facts, [Problem(document.location(root), "expected a mapping of period -> {input: value}, optionally under entity names")]
    for found_entity, path, mapping in _period_mappings(data, root):
        for period_text, values in mapping.items():
            location = document.key_location((*path, period_text))
            try:
                period = Period.parse(str(period_text))
            except ValueError as error:
                problems.append(Problem(location, str(error)))
                continue
            if not isinstance(values, dict):
                problems.append(Problem(location, f"{period}: expected a mapping of input -> value"))
                continue
            for input_name, raw in values.items():
                cell = document.location((*path, period_text, input_name))
                owner = entity if found_entity is None else found_entity
                problems.extend(_add_cell(facts, owner, input_name, period, "" if raw is None else raw, cell, False))
    return facts, problems


def _period_mappings(data: dict, root: tuple) -> Iterator[tuple[Entity, tuple, Mapping]]:
    """Each top-level key is an entity (holding periods, each holding values) or a period (holding values).

    The shape decides, not the spelling, so a mistyped period is reported as
    a bad period rather than turning the whole file into entities.
    """
    periods = {key: value for key, value in data.items() if not _holds_periods(value)}
    if periods:
        yield None, root, periods
    for entity, mapping in data.items():
        if entity not in periods:
            yield str(entity), (*root, entity), mapping


def _holds_periods(value: Any) -> bool:
    """An entity holds periods, each a mapping; a period holds plain values."""
    return isinstance(value, dict) and any(isinstance(v, dict) for v in value.values())



def _json_facts(text: str, name: str) -> tuple[Facts, list[Problem]]:
    try:
        json.loads(text)  # strict JSON first, for JSON's own error messages
    except RecursionError:
        return Facts(), [Problem(Location(name, 1, 1), "the file is nested too deeply to be a facts file; refused")]
    except json.JSONDecodeError as error:
        return Facts(), [Problem(Location(name, error.lineno, error.colno), f"not valid JSON: {error.msg}")]
    return _yaml_facts(text, name)  # JSON is YAML: reuse its positions and exact decimals

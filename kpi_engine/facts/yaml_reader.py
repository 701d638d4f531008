"""YAML facts: `period: {input: value}`, optionally under entity names; also how pack tests give their facts.

Figures of another scenario than `actual` go under `scenarios: {budget: ...}`, in the same layout.

Values keep YAML's exact decimals and every value its line and column.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from ..errors import Problem, Refusal
from ..periods import Period
from ..reasons import Reason
from ..yamlsource import Document, Path, load_document
from .decoding import decode, first_line
from .model import ACTUAL, Entity, Facts, scenario_problem
from .source import Reader, ReadOptions, ReadResult
from .values import add_value

# A YAML start: a comment, a document marker or directive, or a plain `key:` (a period, an entity)
# before any CSV separator; a CSV title such as `Montant (€): HT;...` is not one.
_YAML_START = re.compile(r"#|---|%|[\w\-. \"']+:(\s|$)")


def read_yaml(data: bytes, name: str, options: ReadOptions) -> ReadResult:
    document, problems = load_document(decode(data), name)
    if problems or document.data is None:
        return ReadResult(Facts(), tuple(problems))
    facts, found = facts_from_document(document)
    return ReadResult(facts, tuple(found))


SCENARIOS = "scenarios"  # the key under which other scenarios' figures are given, each in the same layout


def facts_from_document(document: Document, root: Path = (), entity: Entity = None) -> tuple[Facts, list[Problem]]:
    """Facts from the YAML mapping at `root`: period -> {input: value}, optionally under entity names,
    and `scenarios: {budget: <the same layout>}` for figures of other scenarios.

    `entity` is the entity of facts written without entity names (pack tests use it).
    """
    facts = Facts()
    problems: list[Problem] = []
    _read_mapping(document, root, entity, ACTUAL, facts, problems)
    return facts, problems


def _read_mapping(document: Document, root: Path, entity: Entity, scenario: str, facts: Facts, problems: list[Problem]) -> None:
    data = document.data
    for key in root:
        data = data[key]
    if not isinstance(data, dict):
        problems.append(Problem.of(document.location(root), Reason.of("not_a_facts_mapping")))
        return
    if scenario == ACTUAL and isinstance(data.get(SCENARIOS), dict):
        _read_scenarios(document, (*root, SCENARIOS), data[SCENARIOS], entity, facts, problems)
        data = {key: value for key, value in data.items() if key != SCENARIOS}
    for found_entity, path, mapping in _period_mappings(data, root):
        for period_text, values in mapping.items():
            location = document.key_location((*path, period_text))
            try:
                period = Period.parse(str(period_text))
            except Refusal as error:
                problems.append(Problem.of(location, Reason.of_error(error)))
                continue
            if not isinstance(values, dict):
                problems.append(Problem.of(location, Reason.of("not_a_values_mapping", period=period)))
                continue
            owner = entity if found_entity is None else found_entity
            for input_name, raw in values.items():
                cell = document.location((*path, period_text, input_name))
                problem = add_value(facts, owner, input_name, period, "" if raw is None else raw, cell, False, scenario)
                if problem is not None:
                    problems.append(problem)


def _read_scenarios(document: Document, path: Path, scenarios: dict[Any, Any], entity: Entity, facts: Facts, problems: list[Problem]) -> None:
    """Each scenario's figures, under its name; a name that cannot be a scenario is reported where written."""
    for name in scenarios:
        problem = scenario_problem(str(name))
        if problem or name == ACTUAL:
            problems.append(Problem.of(document.key_location((*path, name)), problem or Reason.of("actual_outside_scenarios")))
            continue
        _read_mapping(document, (*path, name), entity, str(name), facts, problems)


def _period_mappings(data: dict[Any, Any], root: Path) -> Iterator[tuple[Entity, Path, Mapping[Any, Any]]]:
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


def _is_yaml(data: bytes, name: str) -> bool:
    line = first_line(data)
    if not line:
        return name.lower().endswith((".yaml", ".yml"))
    return _YAML_START.match(line) is not None


READER = Reader("yaml", _is_yaml, read_yaml)

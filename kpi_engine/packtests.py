"""Tests for packs: given facts, the expected values, statuses and alerts (`*.test.yaml`).

A KPI pack is code a whole finance team edits, so it gets tests like code.
An expected value is compared after rounding the engine's exact value to the
decimals the tester wrote: `0.075` checks three decimals, `0.3333` matches
1/3, `300000` checks whole euros. An expected alert is one that would be
notified (neither hidden by a more severe one nor silenced) unless it says
`silenced:` or `inhibited:`; a test's `as_of` is the day silences are
compared with (without it, none applies). Facts of other scenarios are given
under `scenarios:` (`scenarios: {budget: {FY2025: {...}}}`), and an expectation
with `scenario: budget` checks the KPI computed on the budget figures. Every
failing expectation is reported at its own line of the test file.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from .alerts import Alert
from .errors import FactsError, Location, Problem, did_you_mean
from .facts import Facts, facts_from_document
from .numbers import parse_number, round_half_up
from .pack import Pack
from .periods import Period
from .results import Evaluation, Result, ScenarioResults
from .schema import TESTS_SCHEMA, schema_problems
from .yamlsource import Document, Spec, load_document
from .yamlsource import Path as YamlPath


@dataclass(frozen=True)
class Failure:
    """An expectation that did not hold, located at its line of the test file."""

    location: Location
    test: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: test '{self.test}': {self.message}"


@dataclass(frozen=True)
class TestFileReport:
    """What one test file gave: tests and checks run, failures, or the problems that stopped it."""

    file: str
    tests: int
    checks: int
    failures: tuple[Failure, ...]
    problems: tuple[Problem, ...] = ()  # the file itself is invalid: nothing was run

    @property
    def passed(self) -> bool:
        return not self.failures and not self.problems


def run_test_text(pack: Pack, text: str, name: str, backend: str = "python") -> TestFileReport:
    """Run one test file's text against a loaded pack, evaluated by `backend`."""
    document, problems = load_document(text, name)
    problems += list(schema_problems(document, TESTS_SCHEMA)) if not problems else []
    if problems:
        return TestFileReport(name, 0, 0, (), tuple(problems))
    failures: list[Failure] = []
    checks = 0
    for index, test in enumerate(document.data["tests"]):
        case = _Case(pack, document, index, test, backend)
        failures.extend(case.run())
        checks += case.checks
    return TestFileReport(name, len(document.data["tests"]), checks, tuple(failures))


class _Case:
    """One test: its facts evaluated once, then each expectation checked."""

    def __init__(self, pack: Pack, document: Document, index: int, spec: dict[str, Any], backend: str) -> None:
        self.pack = pack
        self.backend = backend
        self.document = document
        self.path = ("tests", index)
        self.spec = spec
        self.name = spec["name"]
        self.entity = spec.get("entity")
        self.checks = 0

    def run(self) -> Iterator[Failure]:
        facts, problems = facts_from_document(self.document, (*self.path, "facts"), self.entity)
        problems += self._unknown_inputs(facts)
        if not problems:
            try:
                facts = self.pack.bind(facts)  # years and quarters in the pack's calendar
            except FactsError as error:
                problems += error.problems
        for problem in problems:
            yield Failure(problem.location, self.name, problem.message)
        if problems:
            return
        as_of = self._as_of()
        if isinstance(as_of, Failure):
            yield as_of
            return
        self.facts = facts
        evaluation = self.pack.evaluate(facts, as_of=as_of, backend=self.backend, lang="en")  # expectations quote the text of record
        for number, expectation in enumerate(self.spec.get("expect", [])):
            yield from self._expectation(expectation, (*self.path, "expect", number), evaluation)
        for key, should_fire in (("alerts", True), ("no_alerts", False)):
            for number, expected in enumerate(self.spec.get(key, [])):
                yield from self._alert(expected, (*self.path, key, number), evaluation, should_fire)

    def _as_of(self) -> date | Failure | None:
        if "as_of" not in self.spec:
            return None
        try:
            return date.fromisoformat(str(self.spec["as_of"]))
        except ValueError:
            return self._fail((*self.path, "as_of"), f"as_of: '{self.spec['as_of']}' is not a date: write it YYYY-MM-DD, like 2026-03-31")

    def _unknown_inputs(self, facts: Facts) -> list[Problem]:
        """A misspelt input in a test's facts would silently test nothing: each one is a failure."""
        unknown = []
        for fact in facts.facts():
            if fact.name not in self.pack.inputs:
                hint = did_you_mean(fact.name, self.pack.inputs)
                unknown.append(Problem(fact.location, f"'{fact.name}' is not an input of the pack{hint}"))
        return unknown

    def _uncovered(self, path: YamlPath, period: Period, entity: Any) -> Failure | None:
        """An expectation outside the test's facts checks nothing: it fails, saying so."""
        groups = self.pack.plan.groups
        if entity not in self.facts.entities and entity not in groups:
            known = ", ".join(str(e) for e in [*self.facts.entities, *groups] if e) or "none"
            return self._fail(path, f"the test's facts have no entity '{entity}' (entities: {known})")
        given = [p for e in self._entities_behind(entity) for p in self.facts.entity(e).by_period]
        if not any(period.contains(p) or p.contains(period) for p in given):
            return self._fail(path, f"the test's facts do not cover {period}: they run from {self.facts.span()}")
        return None

    def _entities_behind(self, entity: Any) -> list[Any]:
        """The entity, and for a group every entity and group below it: whose facts may cover a period."""
        group = self.pack.plan.groups.get(entity)
        return [entity, *(e for member in group.members for e in self._entities_behind(member))] if group else [entity]

    def _fail(self, path: YamlPath, message: str) -> Failure:
        return Failure(self.document.location(path), self.name, message)

    def _identify(self, expectation: Spec, path: YamlPath) -> tuple[str, Period, Any] | Failure:
        """The KPI, period and entity an expectation is about, or why it cannot be checked."""
        kpi = expectation["kpi"]
        if kpi not in self.pack.kpis:
            return self._fail((*path, "kpi"), f"unknown KPI '{kpi}'{did_you_mean(kpi, self.pack.kpis)}")
        try:
            period = self.pack.parse_period(str(expectation["period"]))
        except ValueError as error:
            return self._fail((*path, "period"), str(error))
        entity = expectation.get("entity", self.entity)
        return self._uncovered(path, period, entity) or (kpi, period, entity)

    def _expectation(self, expectation: Spec, path: YamlPath, evaluation: Evaluation) -> Iterator[Failure]:
        identity = self._identify(expectation, path)
        if isinstance(identity, Failure):
            yield identity
            return
        kpi, period, entity = identity
        scenario = expectation.get("scenario")
        if scenario is not None and not isinstance(evaluation, ScenarioResults):
            yield self._fail((*path, "scenario"), f"expectations under a scenario need a backend that computes scenarios, not {self.backend}")
            return
        result: Result | None
        try:
            if isinstance(evaluation, ScenarioResults) and scenario is not None:
                result = evaluation.scenario_result(kpi, period, entity, scenario)
            else:
                result = evaluation.result_at(kpi, period, entity)
        except KeyError:  # facts around it, but not covering it
            result = None
        where = f"{kpi} at {period}" + (f" for entity '{entity}'" if entity else "") + (f" under scenario '{scenario}'" if scenario else "")
        if result is None and _is_undefined(expectation.get("value")) and set(expectation) <= {"kpi", "period", "entity", "value", "scenario"}:
            self.checks += 1  # facts around it, but too few to cover it completely (a partial quarter)
            return
        if result is None:
            frequency = self.pack.kpis[kpi].frequency
            yield self._fail(path, f"{where}: no result (do the facts cover {period} completely? the KPI is {frequency})")
            return
        for field in ("value", "target", "gap"):
            if field in expectation:
                self.checks += 1
                message = _compare(expectation[field], getattr(result, field), result.error)
                if message:
                    yield self._fail((*path, field), f"{where}: {field} {message}")
        if "status" in expectation:
            self.checks += 1
            if result.status != expectation["status"]:
                because = f" ({result.error})" if result.error else ""
                yield self._fail((*path, "status"), f"{where}: status expected {expectation['status']}, got {result.status}{because}")
        if "error" in expectation:
            self.checks += 1
            if expectation["error"] not in (result.error or ""):
                yield self._fail((*path, "error"), f"{where}: reason expected to contain {expectation['error']!r}, got {result.error!r}")

    def _alert(self, expected: Spec, path: YamlPath, evaluation: Evaluation, should_fire: bool) -> Iterator[Failure]:
        identity = self._identify(expected, path)
        if isinstance(identity, Failure):
            yield identity
            return
        kpi, period, entity = identity
        self.checks += 1
        matching = [a for a in evaluation.alerts if alert_matches(a, kpi, period, entity, expected)]
        kind = _kind(expected)
        if should_fire and not matching:
            fired = [describe_alert(a) for a in evaluation.alerts if a.kpi == kpi and a.period == period and a.entity == entity]
            seen = f"; alerts that fired there: {'; '.join(fired)}" if fired else "; no alert fired there"
            unsilenced = " (the test has no as_of: no silence applies)" if expected.get("silenced") and "as_of" not in self.spec else ""
            yield self._fail(path, f"expected a {kind}alert on {kpi} at {period}{seen}{unsilenced}")
        if not should_fire and matching:
            yield self._fail(path, f"expected no {kind}alert on {kpi} at {period}, but got: {describe_alert(matching[0])}")


def alert_matches(alert: Alert, kpi: str, period: Period, entity: Any, expected: Spec) -> bool:
    """Whether `alert` is the one an expectation describes: its KPI, period and entity, and when given its
    severity, a text of its message, and whether it is silenced (true, or a text of the reason) or
    inhibited; an expectation saying neither wants an alert that would be notified."""
    return (
        alert.kpi == kpi
        and alert.period == period
        and alert.entity == entity
        and alert.severity == expected.get("severity", alert.severity)
        and expected.get("message", "") in alert.message
        and _state_matches(alert, expected)
    )


def _state_matches(alert: Alert, expected: Spec) -> bool:
    if "silenced" not in expected and "inhibited" not in expected:
        return alert.active
    silenced = expected.get("silenced")
    if isinstance(silenced, str) and (alert.silenced is None or silenced not in alert.silenced):
        return False
    if isinstance(silenced, bool) and silenced != (alert.silenced is not None):
        return False
    return "inhibited" not in expected or expected["inhibited"] == (alert.inhibited_by is not None)


def _kind(expected: Spec) -> str:
    """`critical silenced ` and the like: how the expectation names the alert it wants."""
    words = [str(expected["severity"])] if "severity" in expected else []
    words += [state for state in ("silenced", "inhibited") if expected.get(state)]
    return "".join(f"{word} " for word in words)


def describe_alert(alert: Alert) -> str:
    """`warning: message`, with `(silenced: reason)` or `(hidden by rule ...)` when it would not be notified."""
    states = ([f"silenced: {alert.silenced}"] if alert.silenced else []) + ([f"hidden by {alert.inhibited_by}"] if alert.inhibited_by else [])
    return f"{alert.severity}: {alert.message}" + (f" ({'; '.join(states)})" if states else "")


def _is_undefined(expected: Any) -> bool:
    return isinstance(expected, str) and expected.strip().lower() == "undefined"


def _compare(expected: Any, actual: Decimal | None, reason: str | None) -> str | None:
    """None when `actual` matches `expected` at the precision written, else what differs."""
    if _is_undefined(expected):
        return None if actual is None else f"expected undefined, got {actual}"
    try:
        wanted = expected if isinstance(expected, Decimal) else Decimal(expected) if isinstance(expected, int) else parse_number(str(expected))
    except ValueError:
        return f"expected {expected!r}, which is neither a number nor 'undefined'"
    if actual is None:
        return f"expected {wanted}, got undefined ({reason})" if reason else f"expected {wanted}, got nothing"
    exponent = wanted.as_tuple().exponent
    if not isinstance(exponent, int):  # NaN or infinity: no decimals written to compare at
        return f"expected {expected!r}, which is neither a number nor 'undefined'"
    rounded = round_half_up(actual, -min(exponent, 0))
    if rounded == wanted:
        return None
    return f"expected {wanted}, got {format(actual, 'f')} (rounded to the decimals written: {rounded})"

"""Tests for packs: given facts, the expected values, statuses and alerts (`*.test.yaml`).

A KPI pack is code a whole finance team edits, so it gets tests like code.
An expected value is compared after rounding the engine's exact value to the
decimals the tester wrote: `0.075` checks three decimals, `0.3333` matches
1/3, `300000` checks whole euros. An expected alert is one that would be
notified (neither hidden by a more severe one nor silenced) unless it says
`silenced:` or `inhibited:`; a test's `as_of` is the day silences are
compared with (without it, none applies). Facts of other scenarios are given
under `scenarios:` (`scenarios: {budget: {FY2025: {...}}}`), and an expectation
with `scenario: budget` checks the KPI computed on the budget figures. A
tester writes in either language: a status as tables print it (`atteint`),
an undefined reason or an alert message in English or in French. Every
failing expectation is reported at its own line of the test file.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from .alerts import Alert
from .errors import FactsError, Location, Problem, Worded, closest
from .facts import Facts, facts_from_document
from .formatting import Language, status_word
from .numbers import parse_number, round_half_up
from .pack import Pack
from .periods import Period
from .reasons import Reason
from .results import STATUSES, Evaluation, Result, ScenarioResults
from .schema import TESTS_SCHEMA, schema_problems
from .yamlsource import Document, Spec, load_document
from .yamlsource import Path as YamlPath


@dataclass(frozen=True)
class Failure:
    """An expectation that did not hold, located at its line of the test file; `cause` says what differs
    (a `reasons.Reason`), worded in the reader's language by `text(lang)`, in English in `message`."""

    location: Location
    test: str
    cause: Worded

    @classmethod
    def of_problem(cls, problem: Problem, test: str) -> Failure:
        """A problem of the test's facts as a failure of the test."""
        return cls(problem.location, test, problem.cause or Reason.of("as_written", text=problem.message))

    @property
    def message(self) -> str:
        """What differs, in English: the text of record (`kpi test --format json`)."""
        return self.cause.text("en")

    def text(self, lang: Language = "en") -> str:
        """`FILE:LINE:COL: test 'name': what differs`, in `lang`, numbers written for its reader."""
        return f"{self.location}: {Reason.of('test_failure', test=self.test, cause=self.cause).text(lang)}"

    def __str__(self) -> str:
        return self.text("en")


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
            yield Failure.of_problem(problem, self.name)
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
            return self._fail((*self.path, "as_of"), Reason.of("not_a_date", where="as_of", text=self.spec["as_of"]))

    def _unknown_inputs(self, facts: Facts) -> list[Problem]:
        """A misspelt input in a test's facts would silently test nothing: each one is a failure."""
        unknown = []
        for fact in facts.facts():
            if fact.name not in self.pack.inputs:
                hint = closest(fact.name, self.pack.inputs)
                unknown.append(Problem.of(fact.location, Reason.of("test_not_an_input", name=fact.name, hint=hint)))
        return unknown

    def _uncovered(self, path: YamlPath, period: Period, entity: Any) -> Failure | None:
        """An expectation outside the test's facts checks nothing: it fails, saying so."""
        groups = self.pack.plan.groups
        if entity not in self.facts.entities and entity not in groups:
            known = ", ".join(str(e) for e in [*self.facts.entities, *groups] if e) or Reason.of("no_entities")
            return self._fail(path, Reason.of("test_no_entity", name=entity, listed=known))
        given = [p for e in self._entities_behind(entity) for p in self.facts.entity(e).by_period]
        if not any(period.contains(p) or p.contains(period) for p in given):
            return self._fail(path, Reason.of("test_not_covered", period=period, span=self._span()))
        return None

    def _entities_behind(self, entity: Any) -> list[Any]:
        """The entity, and for a group every entity and group below it: whose facts may cover a period."""
        group = self.pack.plan.groups.get(entity)
        return [entity, *(e for member in group.members for e in self._entities_behind(member))] if group else [entity]

    def _span(self) -> Reason:
        """The periods the test's facts run over: `2024-01 to 2025-12` (never empty: the facts cover nothing else)."""
        periods = sorted(self.facts.periods(), key=Period.sort_key)
        return Reason.of("span", first=periods[0], last=periods[-1])

    def _fail(self, path: YamlPath, cause: Worded) -> Failure:
        return Failure(self.document.location(path), self.name, cause)

    def _identify(self, expectation: Spec, path: YamlPath) -> tuple[str, Period, Any] | Failure:
        """The KPI, period and entity an expectation is about, or why it cannot be checked."""
        kpi = expectation["kpi"]
        if kpi not in self.pack.kpis:
            return self._fail((*path, "kpi"), Reason.of("unknown_kpi", name=kpi, hint=closest(kpi, self.pack.kpis)))
        try:
            period = self.pack.parse_period(str(expectation["period"]))
        except ValueError as error:
            return self._fail((*path, "period"), Reason.of_error(error))
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
            yield self._fail((*path, "scenario"), Reason.of("scenario_backend", backend=self.backend))
            return
        result: Result | None
        try:
            if isinstance(evaluation, ScenarioResults) and scenario is not None:
                result = evaluation.scenario_result(kpi, period, entity, scenario)
            else:
                result = evaluation.result_at(kpi, period, entity)
        except KeyError:  # facts around it, but not covering it
            result = None
        for_entity = Reason.of("test_for_entity", name=entity) if entity else ""
        under = Reason.of("under_scenario", scenario=scenario) if scenario else ""
        where = Reason.of("test_where", name=kpi, period=period, for_entity=for_entity, under=under)
        if result is None and _is_undefined(expectation.get("value")) and set(expectation) <= {"kpi", "period", "entity", "value", "scenario"}:
            self.checks += 1  # facts around it, but too few to cover it completely (a partial quarter)
            return
        if result is None:
            frequency = self.pack.kpis[kpi].frequency
            yield self._fail(path, Reason.of("no_result", where=where, period=period, known=str(frequency)))
            return
        for field in ("value", "target", "gap"):
            if field in expectation:
                self.checks += 1
                detail = _compare(expectation[field], getattr(result, field), _why(result))
                if detail:
                    yield self._fail((*path, field), Reason.of("field_differs", where=where, field=Reason.of(f"field_{field}"), detail=detail))
        if "status" in expectation:
            self.checks += 1
            status = _FRENCH_STATUSES.get(expectation["status"], expectation["status"])
            if result.status != status:
                why = _why(result)
                because = Reason.of("because", cause=why) if why else ""
                wanted, got = (Reason.of(f"status_{status}") for status in (status, result.status))
                yield self._fail((*path, "status"), Reason.of("status_differs", where=where, wanted=wanted, got=got, because=because))
        if "error" in expectation:
            self.checks += 1
            if not any(expectation["error"] in result.reason(lang) for lang in ("en", "fr")):
                why = _why(result)
                reason = Reason.of("quoted_reason", reason=why) if why else Reason.of("no_reason")
                wanted = expectation["error"]
                cause = Reason.of("reason_differs", where=where, quoted=repr(wanted), text=wanted, reason=reason, got=repr(result.error))
                yield self._fail((*path, "error"), cause)

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
            fired = [alert_words(a) for a in evaluation.alerts if a.kpi == kpi and a.period == period and a.entity == entity]
            seen = Reason.of("alerts_fired", fired=_chain("fired_and", fired)) if fired else Reason.of("no_alert_fired")
            unsilenced = Reason.of("no_as_of") if expected.get("silenced") and "as_of" not in self.spec else ""
            yield self._fail(path, Reason.of("alert_missing", alert_kind=kind, name=kpi, period=period, seen=seen, unsilenced=unsilenced))
        if not should_fire and matching:
            yield self._fail(path, Reason.of("alert_unexpected", alert_kind=kind, name=kpi, period=period, alert=alert_words(matching[0])))


def alert_matches(alert: Alert, kpi: str, period: Period, entity: Any, expected: Spec) -> bool:
    """Whether `alert` is the one an expectation describes: its KPI, period and entity, and when given its
    severity, a text of its message (in English or French), and whether it is silenced (true, or a text of the reason) or
    inhibited; an expectation saying neither wants an alert that would be notified."""
    return (
        alert.kpi == kpi
        and alert.period == period
        and alert.entity == entity
        and alert.severity == expected.get("severity", alert.severity)
        and any(expected.get("message", "") in alert.text(lang) for lang in ("en", "fr"))
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


_FRENCH_STATUSES = {status_word(status, "fr"): status for status in STATUSES}  # `status: atteint`, as tables print it


def _kind(expected: Spec) -> Reason:
    """`critical silenced ` (`une alerte critique suspendue`) and the like: how the expectation names the alert it wants."""
    words = {"severity": Reason.of(f"kind_{expected['severity']}") if "severity" in expected else ""}
    words |= {state: Reason.of(f"kind_{state}") if expected.get(state) else "" for state in ("silenced", "inhibited")}
    return Reason.of("alert_kind", **words)


def _chain(code: str, words: list[Reason]) -> Reason:
    """`a; b; c`: words joined by `code`'s `{first} ... {second}`, in the reader's language."""
    first, *rest = words
    return Reason.of(code, first=first, second=_chain(code, rest)) if rest else first


def alert_words(alert: Alert) -> Reason:
    """`warning: message`, with `(silenced: reason)` or `(hidden by rule ...)` when it would not be notified."""
    states = ([Reason.of("silenced_by", reason=alert.silenced)] if alert.silenced else [])
    states += [Reason.of("hidden_by", rule=alert.inhibited_by)] if alert.inhibited_by else []
    shown = Reason.of("alert_states", states=_chain("fired_and", states)) if states else ""
    return Reason.of("fired_alert", level=Reason.of(f"level_{alert.severity}"), message=alert, states=shown)  # the alert words its message


def describe_alert(alert: Alert) -> str:
    """`alert_words` in English, the text of record."""
    return alert_words(alert).text("en")


def _why(result: Result) -> Worded | None:
    """Why a result is undefined (or its target is), as data when the backend gave it so, else as written."""
    return result.cause or (Reason.of("as_written", text=result.error) if result.error else None)


def _is_undefined(expected: Any) -> bool:
    return isinstance(expected, str) and expected.strip().lower() == "undefined"


def _compare(expected: Any, actual: Decimal | None, reason: Worded | None) -> Reason | None:
    """None when `actual` matches `expected` at the precision written, else what differs (numbers as data,
    written for the reader: `0.25` in English, `0,25` in French)."""
    if _is_undefined(expected):
        return None if actual is None else Reason.of("expected_undefined", got=actual)
    neither = Reason.of("expected_neither", quoted=repr(expected), text=str(expected))
    try:
        wanted = expected if isinstance(expected, Decimal) else Decimal(expected) if isinstance(expected, int) else parse_number(str(expected))
    except ValueError:
        return neither
    if actual is None:
        return Reason.of("got_undefined", wanted=wanted, cause=reason) if reason else Reason.of("got_nothing", wanted=wanted)
    exponent = wanted.as_tuple().exponent
    if not isinstance(exponent, int):  # NaN or infinity: no decimals written to compare at
        return neither
    rounded = round_half_up(actual, -min(exponent, 0))
    if rounded == wanted:
        return None
    return Reason.of("got_other", wanted=wanted, got=actual, rounded=rounded)

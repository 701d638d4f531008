"""Running a `Program` over `Facts`: entity by entity, frequency by frequency, period by period.

A `Frame` holds one entity's values at one period. KPIs are computed in
dependency order, chronologically, so `prev()` and roll-forwards always find
the earlier period already done. Inputs at a coarser period than the facts
are rolled up on first use, and only from complete data: a quarter with a
missing month is undefined, never the sum of two months.

Nothing here raises on bad data: an undefined value is recorded with its
reason and everything else goes on.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import (
    Decimal,
    localcontext,
)
from functools import cached_property

from .alerts import render_message
from .errors import Undefined
from .facts import Entity, EntityFacts, Facts
from .numbers import DECIMAL_CONTEXT
from .periods import Frequency, Period
from .program import CompiledAlert, Program
from .reasons import Reason
from .results import MET, MISSED, NO_TARGET, UNDEFINED, Alert, Result


@dataclass(frozen=True)
class Selection:
    """Which results to report: periods within `period` (itself included), one entity."""

    period: Period | None = None
    entity: Entity = None
    all_entities: bool = True

    def wants_period(self, period: Period) -> bool:
        return self.period is None or self.period.contains(period)

    def wants_entity(self, entity: Entity) -> bool:
        return self.all_entities or entity == self.entity


class _MissingFact(Undefined):
    """A fact absent at `period`, the finest period it was looked for."""

    def __init__(self, cause: Reason, period: Period) -> None:
        super().__init__(cause)
        self.period = period


class Frame(dict):
    """One entity at one period: every input and KPI value by name, and why others are undefined.

    Inputs and KPIs share one namespace (validation forbids a name used twice),
    so the compiled closures read any name with a single dict lookup; a name
    not there yet goes through `__missing__`, which rolls an input up or
    computes a KPI, once, and remembers an undefined value's reason.
    """

    __slots__ = ("run", "period", "reasons", "targets")

    def __init__(self, run: EntityRun, period: Period) -> None:
        super().__init__(run.facts.by_period.get(period, ()))
        self.run = run
        self.period = period
        self.reasons: dict[str, Reason] = {}
        self.targets: dict[str, Decimal | Reason | None] = {}  # a Reason: why the target is undefined

    def __missing__(self, name: str) -> Decimal:
        cause = self.reasons.get(name)
        if cause is not None:
            raise Undefined(cause)
        kpi = self.run.program.kpis.get(name)
        try:
            with localcontext(DECIMAL_CONTEXT):  # also when read later, by explain or analysis
                value = kpi.formula(self) if kpi else self.run.rolled_up(name, self.period)
        except Undefined as undefined:
            self.reasons[name] = undefined.cause
            raise
        except ArithmeticError as error:
            self.reasons[name] = Reason.of("arithmetic", error=type(error).__name__)
            raise Undefined(self.reasons[name]) from None
        except RecursionError:
            self.reasons[name] = Reason.of("too_deep")
            raise Undefined(self.reasons[name]) from None
        self[name] = value
        return value

    def at(self, period: Period) -> Frame:
        return self.run.frame(period)

    def back(self, steps: int) -> Frame:
        """The frame `steps` periods earlier, found by ordinal: the hot path of time functions."""
        frame = self.run.by_ordinal[self.period.frequency].get(self.period.ordinal - steps)
        return frame if frame is not None else self.run.frame(self.period.shift(-steps))

    def year_ago(self) -> Frame:
        steps = self.period.steps_per_year()
        return self.back(steps) if steps else self.run.frame(self.period.year_ago())

    def value(self, name: str) -> Decimal | None:
        """A name's value here, None when undefined (its reason is then in `reasons`).

        A KPI not computed yet (a frame opened after the evaluation) gets its
        dependencies computed first, in order, rather than by deep recursion.
        """
        if name not in self and name not in self.reasons and name in self.run.program.kpis:
            for dependency in self.run.program.prerequisites(name):
                if dependency not in self and dependency not in self.reasons:
                    self.value(dependency)
        try:
            return self[name]
        except Undefined:
            return None

    def target(self, name: str) -> Decimal | None:
        """The KPI's target here; None when it has none. Raises Undefined when it cannot be computed."""
        if name not in self.targets:
            compiled = self.run.program.kpis[name].target
            try:
                with localcontext(DECIMAL_CONTEXT):
                    self.targets[name] = compiled(self) if compiled else None
            except Undefined as undefined:
                self.targets[name] = undefined.cause
        target = self.targets[name]
        if isinstance(target, Reason):
            raise Undefined(target)
        return target


@dataclass
class EntityRun:
    """The evaluation state of one entity: its frames, and where its data starts at each frequency."""

    program: Program
    entity: Entity
    facts: EntityFacts
    frames: dict[Period, Frame] = field(default_factory=dict)
    by_ordinal: dict[Frequency, dict[int, Frame]] = field(default_factory=lambda: {f: {} for f in Frequency})
    first: dict[Frequency, Period] = field(default_factory=dict)
    reported_periods: set[Period] = field(default_factory=set)  # covered by the facts, so reported
    _covered: dict[Frequency, list[Period]] = field(default_factory=dict)  # the facts do not change: once per frequency

    def frame(self, period: Period) -> Frame:
        frame = self.frames.get(period)
        if frame is None:
            first = self.first.get(period.frequency)
            if first is None or period.ordinal < first.ordinal:
                raise Undefined(Reason.of("before_data", period=period, since=first, entity=self.entity))
            frame = self.frames[period] = Frame(self, period)
            self.by_ordinal[period.frequency][period.ordinal] = frame
        return frame

    def covered_frame(self, period: Period) -> Frame | None:
        """The frame of `period` when the facts cover it, even at a frequency no KPI is reported at."""
        if period in self.reported_periods:
            return self.frames[period]
        covered = self.covered(period.frequency)
        if period not in covered:
            return None
        self.first.setdefault(period.frequency, covered[0])
        return self.frame(period)

    def rolled_up(self, name: str, period: Period) -> Decimal:
        try:
            return self._rolled_up(name, period)
        except _MissingFact as missing:
            if missing.period == period:
                raise
            raise Undefined(Reason.of("roll_up", cause=missing.cause, name=name, period=period)) from None

    def _rolled_up(self, name: str, period: Period) -> Decimal:
        native = self.facts.by_period.get(period)
        if native is not None and name in native:
            return native[name]
        known = self.facts.frequencies.get(name, set())
        if not known & period.finer_frequencies():
            raise _MissingFact(self._missing(name, period, known), period)
        children = [self._rolled_up(name, child) for child in period.children()]
        rule = self.program.definitions.inputs[name].rollup
        if rule == "sum":
            return sum(children, Decimal(0))
        if rule == "last":
            return children[-1]
        return sum(children, Decimal(0)) / len(children)

    def _missing(self, name: str, period: Period, known: set[Frequency]) -> Reason:
        coarser = sorted(f.value for f in known if f not in period.finer_frequencies() and f is not period.frequency)
        if coarser:
            return Reason.of("not_split", name=name, period=period, entity=self.entity, known=", ".join(coarser), frequency=period.frequency.value)
        return Reason.of("missing_fact", name=name, period=period, entity=self.entity)

    def covered(self, frequency: Frequency) -> list[Period]:
        """Periods of `frequency` with at least one input known completely."""
        if frequency not in self._covered:
            self._covered[frequency] = self._find_covered(frequency)
        return self._covered[frequency]

    def _find_covered(self, frequency: Frequency) -> list[Period]:
        candidates: dict[Period, set[str]] = {}
        for period, values in self.facts.by_period.items():
            ancestor = period.ancestor(frequency)
            if ancestor is not None:
                candidates.setdefault(ancestor, set()).update(values)
        return sorted(period for period, names in candidates.items() if self._any_complete(names, period))

    def _any_complete(self, names: set[str], period: Period) -> bool:
        for name in names:
            if name not in self.program.definitions.inputs:
                continue
            try:
                self._rolled_up(name, period)
            except Undefined:
                continue
            return True
        return False


class Evaluation:
    """The outcome of evaluating a program over facts: results (built on first use) and alerts."""

    def __init__(self, program: Program, runs: list[EntityRun], selection: Selection, lang: str) -> None:
        self.program = program
        self.selection = selection
        self.lang = lang
        self._runs = runs
        self.alerts: tuple[Alert, ...] = tuple(self._all_alerts())

    def reported(self) -> Iterator[tuple[EntityRun, Frame, str]]:
        """(entity run, frame, KPI) for every result, in entity, period, definition order."""
        for run, frame in self._reported_frames():
            for name in self.program.reported.get(frame.period.frequency, ()):
                yield run, frame, name

    def _reported_frames(self) -> Iterator[tuple[EntityRun, Frame]]:
        for run in self._runs:
            periods = sorted((p for p in run.reported_periods if self.selection.wants_period(p)), key=Period.sort_key)
            for period in periods:
                yield run, run.frames[period]

    @cached_property
    def results(self) -> tuple[Result, ...]:
        with localcontext(DECIMAL_CONTEXT):
            return tuple(self._result(run.entity, frame, name) for run, frame, name in self.reported())

    def frame(self, period: Period | str, entity: Entity = None) -> Frame:
        """The values of one entity at one period the facts cover (at any frequency); KeyError otherwise."""
        period = Period.parse(period) if isinstance(period, str) else period
        for run in self._runs:
            if run.entity == entity:
                frame = run.covered_frame(period)
                if frame is not None:
                    return frame
        where = f" for entity '{entity}'" if entity is not None else ""
        raise KeyError(f"{period} was not evaluated{where}: the facts do not cover it")

    def result_at(self, kpi: str, period: Period | str, entity: Entity = None) -> Result | None:
        """`kpi` computed at any evaluated period, even one coarser than its own frequency
        (the yearly net result of a monthly KPI); None when the facts do not cover `period`."""
        if kpi not in self.program.kpis:
            raise KeyError(f"unknown KPI '{kpi}'")
        try:
            frame = self.frame(period, entity)
        except KeyError:
            return None
        with localcontext(DECIMAL_CONTEXT):
            return self._result(entity, frame, kpi)

    def value(self, kpi: str, period: Period | str, entity: Entity = None) -> Decimal | None:
        """One KPI's value, or None when undefined or not evaluated."""
        try:
            frame = self.frame(period, entity)
        except KeyError:
            return None
        with localcontext(DECIMAL_CONTEXT):
            return frame.value(kpi)

    @property
    def entities(self) -> list[Entity]:
        return [run.entity for run in self._runs]

    def _result(self, entity: Entity, frame: Frame, name: str) -> Result:
        definition = self.program.kpis[name].definition
        owner = definition.owner
        value = frame.value(name)
        if value is None:
            cause = frame.reasons.get(name)
            return Result(name, frame.period, entity, None, None, None, UNDEFINED, owner, str(cause) if cause else None, cause)
        if definition.target is None:
            return Result(name, frame.period, entity, value, None, None, NO_TARGET, owner)
        try:
            target = frame.target(name)
        except Undefined as undefined:
            cause = Reason.of("target_undefined", cause=undefined.cause)
            return Result(name, frame.period, entity, value, None, None, NO_TARGET, owner, str(cause), cause)
        if target is None:
            return Result(name, frame.period, entity, value, None, None, NO_TARGET, owner)
        met = value >= target if definition.direction != "lower_is_better" else value <= target
        return Result(name, frame.period, entity, value, target, value - target, MET if met else MISSED, owner)

    def _all_alerts(self) -> Iterator[Alert]:
        alerting = self.program.alerting
        for run, frame in self._reported_frames():
            for compiled in alerting.get(frame.period.frequency, ()):
                for alert in compiled.alerts:
                    try:
                        fired = alert.condition(frame) is True
                    except (Undefined, ArithmeticError):
                        fired = False
                    if fired:
                        yield self._alert(run.entity, frame, compiled.definition.name, alert)

    def _alert(self, entity: Entity, frame: Frame, name: str, alert: CompiledAlert) -> Alert:
        definition = self.program.kpis[name].definition
        severity = alert.rule.severity

        def lookup(field_name: str):
            return _template_value(self.program, frame, name, field_name, severity, self.lang)

        message = render_message(alert.messages[self.lang], lookup, self.lang)
        return Alert(name, frame.period, entity, severity, message, definition.owner, frame.value(name))


def _template_value(program: Program, frame: Frame, kpi: str, field_name: str, severity: str, lang: str) -> tuple[object, str]:
    """(value, unit) of a message field: this KPI's numbers, its descriptive texts, or any input or KPI here."""
    definition = program.kpis[kpi].definition
    match field_name:
        case "value":
            return frame.value(kpi), definition.unit
        case "target" | "gap":
            value = frame.value(kpi)
            try:
                target = frame.target(kpi)
            except Undefined:
                target = None
            if field_name == "target":
                return target, definition.unit
            return (None if value is None or target is None else value - target), definition.unit
        case "period":
            return str(frame.period), ""
        case "entity":
            return frame.run.entity or "", ""
        case "kpi":
            return kpi, ""
        case "owner" | "unit":
            return getattr(definition, field_name), ""
        case "severity":
            return severity, ""
        case "label":
            return definition.label.get(lang, kpi), ""
    known = program.definitions.inputs.get(field_name) or program.definitions.kpis[field_name]
    return frame.value(field_name), known.unit


def evaluate(program: Program, facts: Facts, selection: Selection = Selection(), lang: str = "en") -> Evaluation:
    """Evaluate every KPI at its frequency, for every period the facts cover, for each entity."""
    runs = []
    with localcontext(DECIMAL_CONTEXT):
        for entity in facts.entities:
            if not selection.wants_entity(entity):
                continue
            runs.append(_run_entity(program, entity, facts.entity(entity)))
        return Evaluation(program, runs, selection, lang)


def _run_entity(program: Program, entity: Entity, facts: EntityFacts) -> EntityRun:
    """Every scheduled KPI at every covered period, chronologically, dependencies first.

    This is the hot loop: each KPI is one closure call on a fresh frame, since
    its same-period dependencies were computed just before it.
    """
    run = EntityRun(program, entity, facts)
    for frequency, schedule in program.compiled_schedule.items():
        periods = run.covered(frequency)
        if not periods:
            continue
        run.first[frequency] = periods[0]
        run.reported_periods.update(periods)
        for period in periods:
            frame = run.frame(period)
            reasons = frame.reasons
            for name, formula in schedule:
                if name in frame or name in reasons:
                    continue  # computed already, as a time function reached back into this period
                try:
                    frame[name] = formula(frame)
                except Undefined as undefined:
                    reasons[name] = undefined.cause
                except (ArithmeticError, RecursionError):
                    frame.value(name)  # records the reason, worded once, in Frame.__missing__
    return run

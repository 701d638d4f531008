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
from decimal import Context, Decimal, localcontext
from functools import cached_property

from .alerts import default_message, render_message
from .errors import Undefined
from .facts import Entity, EntityFacts, Facts
from .periods import Frequency, Period
from .program import Program
from .results import MET, MISSED, NO_TARGET, UNDEFINED, Alert, Result

# 28 significant digits (the decimal default) and errors trapped rather than silently producing NaN.
DECIMAL_CONTEXT = Context(prec=28)

SEVERITY_RANK = {"info": 0, "warning": 1, "critical": 2}


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


def _where(entity: Entity) -> str:
    return f", entity '{entity}'" if entity is not None else ""


class _MissingFact(Undefined):
    """A fact absent at `period`, the finest period it was looked for."""

    def __init__(self, reason: str, period: Period) -> None:
        super().__init__(reason)
        self.period = period


class Frame:
    """One entity at one period: its input values, computed KPI values and why others are undefined."""

    __slots__ = ("run", "period", "inputs", "values", "reasons", "targets")

    def __init__(self, run: EntityRun, period: Period) -> None:
        self.run = run
        self.period = period
        self.inputs: dict[str, Decimal] = dict(run.facts.by_period.get(period, ()))
        self.values: dict[str, Decimal] = {}
        self.reasons: dict[str, str] = {}
        self.targets: dict[str, Decimal | None] = {}

    def at(self, period: Period) -> Frame:
        return self.run.frame(period)

    def resolve_input(self, name: str) -> Decimal:
        value = self.run.rolled_up(name, self.period)
        self.inputs[name] = value
        return value

    def compute(self, name: str) -> Decimal:
        if name in self.reasons:
            raise Undefined(self.reasons[name])
        try:
            value = self.run.program.kpis[name].formula(self)
        except Undefined as undefined:
            self.reasons[name] = undefined.reason
            raise
        except ArithmeticError as error:
            self.reasons[name] = f"cannot be computed: {type(error).__name__.lower()}"
            raise Undefined(self.reasons[name]) from None
        except RecursionError:
            self.reasons[name] = "cannot be computed: its definition goes back too many periods at once"
            raise Undefined(self.reasons[name]) from None
        self.values[name] = value
        return value

    def value(self, name: str) -> Decimal | None:
        try:
            return self.values[name] if name in self.values else self.compute(name)
        except Undefined:
            return None

    def target(self, name: str) -> Decimal | None:
        """The KPI's target here; None when it has none. Raises Undefined when it cannot be computed."""
        if name not in self.targets:
            compiled = self.run.program.kpis[name].target
            try:
                self.targets[name] = compiled(self) if compiled else None
            except Undefined as undefined:
                self.targets[name] = undefined
        target = self.targets[name]
        if isinstance(target, Undefined):
            raise target
        return target


@dataclass
class EntityRun:
    """The evaluation state of one entity: its frames, and where its data starts at each frequency."""

    program: Program
    entity: Entity
    facts: EntityFacts
    frames: dict[Period, Frame] = field(default_factory=dict)
    first: dict[Frequency, Period] = field(default_factory=dict)
    reported_periods: set[Period] = field(default_factory=set)  # covered by the facts, so reported

    def frame(self, period: Period) -> Frame:
        frame = self.frames.get(period)
        if frame is None:
            first = self.first.get(period.frequency)
            if first is None or period.ordinal < first.ordinal:
                since = f" (data starts at {first})" if first else ""
                raise Undefined(f"{period} is before the first period of data{since}{_where(self.entity)}")
            frame = self.frames[period] = Frame(self, period)
        return frame

    def covered_frame(self, period: Period) -> Frame | None:
        """The frame of `period` when the facts cover it, even at a frequency no KPI is reported at."""
        if period in self.reported_periods:
            return self.frames[period]
        covered = self.covered(period.frequency)
        if period not in covered:
            return None
        self.first.setdefault(period.frequency, covered[0])
        with localcontext(DECIMAL_CONTEXT):
            return self.frame(period)

    def rolled_up(self, name: str, period: Period) -> Decimal:
        try:
            return self._rolled_up(name, period)
        except _MissingFact as missing:
            if missing.period == period:
                raise
            raise Undefined(f"{missing.reason}, needed to roll {name} up to {period}") from None

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

    def _missing(self, name: str, period: Period, known: set[Frequency]) -> str:
        text = f"missing fact '{name}' for {period}{_where(self.entity)}"
        coarser = sorted(f.value for f in known if f not in period.finer_frequencies() and f is not period.frequency)
        if known and coarser:
            text += f" (it is given {', '.join(coarser)} and cannot be split into {period.frequency} periods)"
        return text

    def covered(self, frequency: Frequency) -> list[Period]:
        """Periods of `frequency` with at least one input known completely."""
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
        for run in self._runs:
            periods = sorted((p for p in run.reported_periods if self.selection.wants_period(p)), key=Period.sort_key)
            for period in periods:
                frame = run.frames[period]
                for name in self.program.reported.get(period.frequency, ()):
                    yield run, frame, name

    @cached_property
    def results(self) -> tuple[Result, ...]:
        with localcontext(DECIMAL_CONTEXT):
            return tuple(self._result(run.entity, frame, name) for run, frame, name in self.reported())

    def frame(self, period: Period, entity: Entity = None) -> Frame:
        """The values of one entity at one period the facts cover (at any frequency); KeyError otherwise."""
        for run in self._runs:
            if run.entity == entity:
                frame = run.covered_frame(period)
                if frame is not None:
                    return frame
        where = f" for entity '{entity}'" if entity is not None else ""
        raise KeyError(f"{period} was not evaluated{where}: the facts do not cover it")

    def result_at(self, kpi: str, period: Period, entity: Entity = None) -> Result | None:
        """`kpi` computed at any evaluated period, even one coarser than its own frequency
        (the yearly net result of a monthly KPI); None when the facts do not cover `period`."""
        try:
            frame = self.frame(period, entity)
        except KeyError:
            return None
        with localcontext(DECIMAL_CONTEXT):
            return self._result(entity, frame, kpi)

    def value(self, kpi: str, period: Period, entity: Entity = None) -> Decimal | None:
        """One KPI's value, or None when undefined or not evaluated."""
        try:
            return self.frame(period, entity).values.get(kpi)
        except KeyError:
            return None

    @property
    def entities(self) -> list[Entity]:
        return [run.entity for run in self._runs]

    def _result(self, entity: Entity, frame: Frame, name: str) -> Result:
        owner = self.program.kpis[name].definition.owner
        value = frame.value(name)
        if value is None:
            return Result(name, frame.period, entity, None, None, None, UNDEFINED, owner, frame.reasons.get(name))
        try:
            target = frame.target(name)
        except Undefined as undefined:
            return Result(name, frame.period, entity, value, None, None, NO_TARGET, owner, f"target undefined: {undefined.reason}")
        if target is None:
            return Result(name, frame.period, entity, value, None, None, NO_TARGET, owner)
        direction = self.program.kpis[name].definition.direction
        met = value >= target if direction != "lower_is_better" else value <= target
        return Result(name, frame.period, entity, value, target, value - target, MET if met else MISSED, owner)

    def _all_alerts(self) -> Iterator[Alert]:
        for run, frame, name in self.reported():
            compiled = self.program.kpis[name]
            for alert in compiled.alerts:
                try:
                    fired = alert.condition(frame) is True
                except (Undefined, ArithmeticError):
                    fired = False
                if fired:
                    yield self._alert(run.entity, frame, name, alert.rule)

    def _alert(self, entity: Entity, frame: Frame, name: str, rule) -> Alert:
        definition = self.program.kpis[name].definition
        value = frame.value(name)

        def lookup(field_name: str):
            return _template_value(self.program, frame, name, field_name, rule.severity, self.lang)

        template = rule.message or default_message(definition.target is not None)
        message = render_message(template, lookup, self.lang)
        return Alert(name, frame.period, entity, rule.severity, message, definition.owner, value)


def _template_value(program: Program, frame: Frame, kpi: str, field_name: str, severity: str, lang: str):
    """(value, unit) of a message field: this KPI's numbers, its descriptive texts, or any input or KPI here."""
    definition = program.kpis[kpi].definition
    texts = {
        "period": str(frame.period),
        "entity": frame.run.entity or "",
        "kpi": kpi,
        "owner": definition.owner,
        "severity": severity,
        "unit": definition.unit,
        "label": definition.label.get(lang, kpi),
    }
    if field_name in texts:
        return texts[field_name], ""
    value = frame.value(kpi)
    try:
        target = frame.target(kpi)
    except Undefined:
        target = None
    numbers = {"value": value, "target": target, "gap": None if value is None or target is None else value - target}
    if field_name in numbers:
        return numbers[field_name], definition.unit
    if field_name in program.definitions.inputs:
        try:
            return frame.inputs[field_name] if field_name in frame.inputs else frame.resolve_input(field_name), program.definitions.inputs[field_name].unit
        except Undefined:
            return None, ""
    return frame.value(field_name), program.definitions.kpis[field_name].unit


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
    run = EntityRun(program, entity, facts)
    for frequency, names in program.schedule.items():
        periods = run.covered(frequency)
        if not periods:
            continue
        run.first[frequency] = periods[0]
        run.reported_periods.update(periods)
        for period in periods:
            frame = run.frame(period)
            for name in names:
                if name not in frame.values and name not in frame.reasons:
                    try:
                        frame.compute(name)
                    except Undefined:
                        pass
    return run

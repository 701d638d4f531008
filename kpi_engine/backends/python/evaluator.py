"""Running a `Program` over `Facts`: entity by entity, frequency by frequency, period by period.

A `Frame` holds one entity's values at one period. KPIs are computed in
dependency order, chronologically, so `prev()` and roll-forwards always find
the earlier period already done. Inputs at a coarser period than the facts
are rolled up on first use, and only from complete data: a quarter with a
missing month is undefined, never the sum of two months.

Evaluation proceeds entity by entity: `evaluate_entities` yields each
entity's results and alerts and drops its frames, so an output can stream
any number of entities in bounded memory. `PythonEvaluation` keeps the
frames instead, to answer `value` and `result_at` later; it never changes
them after it is built: a value that was not computed (a monthly KPI at a
quarter) is computed on a private copy of the entity's run, so readers in
several threads see the same answers.

Scenarios: a run evaluates one scenario's figures (`actual` for the reported
results). `budget(x)` computes x on the frame of the same entity and period
in a sibling run over the budget figures, made on first use and sharing
nothing computed with the actual run: a KPI under budget is its formula on
budget inputs, rolled up by the same rules (a yearly budget reaches a
quarter only if given quarterly or monthly: never split). A sibling run
reports nothing; it starts at the period holding its earliest figure.

Nothing here raises on bad data: an undefined value is recorded with its
reason and everything else goes on.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal, localcontext
from typing import Any, assert_never

from ...alerts import Alert, Alerting
from ...comparisons import BUDGET, Compared, Reference
from ...errors import Undefined
from ...facts import ACTUAL, Entity, EntityFacts
from ...formatting import Language
from ...functions import Compiled, undefined_by
from ...model import Direction, Missing, Rollup
from ...numbers import DECIMAL_CONTEXT, difference
from ...periods import Frequency, Period
from ...plan import PlannedAlert
from ...reasons import Reason
from ...results import (
    EVERYTHING,
    MET,
    MISSED,
    NO_TARGET,
    UNDEFINED,
    EntityEvaluation,
    Result,
    Selection,
    lookup_error,
    not_evaluated,
)
from .program import Program

ZERO = Decimal(0)


class _MissingFact(Undefined):
    """A fact absent at `period`, the finest period it was looked for."""

    def __init__(self, cause: Reason, period: Period) -> None:
        super().__init__(cause)
        self.period = period


class _OutOfRange(Undefined):
    """A roll-up whose values are all there but whose total is beyond the number policy's range."""


class Frame(dict[str, Any]):
    """One entity at one period: every input and KPI value by name, and why others are undefined.

    Inputs and KPIs share one namespace (validation forbids a name used twice),
    so the compiled closures read any name with a single dict lookup; a name
    not there yet goes through `__missing__`, which rolls an input up or
    computes a KPI, once, and remembers an undefined value's reason. `memo` keeps what the time
    functions nested in another's argument computed here (`compiler._memoised`).
    """

    __slots__ = ("memo", "period", "reasons", "run", "targets")

    def __init__(self, run: EntityRun, period: Period) -> None:
        super().__init__(run.native(period))
        self.run = run
        self.period = period
        self.reasons: dict[str, Reason] = {}
        self.targets: dict[str, Decimal | Reason | None] = {}  # a Reason: why the target is undefined
        self.memo: dict[object, Any] = {}  # a nested time function's closure -> its value or Reason here

    def __missing__(self, name: str) -> Any:
        cause = self.reasons.get(name)
        if cause is not None:
            raise Undefined(cause)
        kpi = self.run.program.kpis.get(name)
        try:
            with localcontext(DECIMAL_CONTEXT):  # also when read later, by explain or analysis
                value = kpi.formula(self) if kpi else self.run.rolled_up(name, self.period)
        except Undefined as undefined:  # arithmetic errors included: formulas and roll-ups are guarded
            self.reasons[name] = undefined.cause
            raise
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

    def under(self, scenario: str, compiled: Compiled) -> Any:
        """`compiled` computed on this entity and period under `scenario` (itself when it is this frame's);
        an undefined value there says which scenario it was in."""
        if scenario == self.run.scenario:
            return compiled(self)
        run = self.run.under(scenario)
        run.check_figures()
        try:
            return compiled(run.frame(self.period))
        except Undefined as undefined:
            raise Undefined(Reason.of("in_scenario", scenario=scenario, cause=undefined.cause)) from None

    def periods_into_year(self) -> int:
        """How many periods of this frequency from the start of the (fiscal) year to this one, itself included."""
        return self.period.ordinal - self.run.program.plan.calendar.year_start(self.period).ordinal + 1

    def value(self, name: str) -> Any:
        """A name's value here, None when undefined (its reason is then in `reasons`).

        A KPI not computed yet (a frame opened after the evaluation) gets its
        dependencies computed first, in order, rather than by deep recursion.
        """
        computed = self.get(name)  # the common case, once evaluated: one lookup (`get` never computes)
        if computed is not None:
            return computed
        if not self.known(name) and name in self.run.program.kpis:
            for dependency in self.run.program.prerequisites(name):
                if not self.known(dependency):
                    self.value(dependency)
        try:
            return self[name]
        except Undefined:
            return None

    def copy_from(self, other: Frame | None) -> None:
        """Start from what `other` (the same period, another run) computed already."""
        if other is not None:
            self.update(other)
            self.reasons.update(other.reasons)
            self.targets.update(other.targets)

    def known(self, name: str) -> bool:
        """Whether `name` was computed here already (its value or its reason): reading it changes nothing."""
        return name in self or name in self.reasons

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


class YearToDateFrame(Frame):
    """One entity over the span from the start of its (fiscal) year to the end of `period`, as if that span
    were one period (`comparisons`' ytd): every input is rolled up over the span by its own rule (a flow
    summed over `Calendar.year_to_date`'s parts, a balance at the period's end, an average over the span's
    periods) and every KPI is its formula on those inputs, so a ratio is the ratio of the year-to-date
    figures. A scenario read is the same span under that scenario. A KPI that reads other periods (`prev`,
    `growth`, `ytd`..., itself or through a KPI it reads) has none: a span has no previous span to read.
    Made for one reading and dropped: nothing in the run keeps it."""

    __slots__ = ()

    def __init__(self, run: EntityRun, period: Period) -> None:
        super().__init__(run, period)
        self.clear()  # the period's own figures are not the span's

    def __missing__(self, name: str) -> Any:
        if name in self.run.program.kpis and name not in self.reasons and self.run.program.reads_other_periods(name):
            self.reasons[name] = Reason.of("ytd_other_periods", name=name)
        if name in self.run.program.kpis or name in self.reasons:
            return super().__missing__(name)
        try:
            value = self._span_input(name)
        except Undefined as undefined:
            start = self.run.program.plan.calendar.year_start(self.period)
            self.reasons[name] = Reason.of("year_to_date", cause=undefined.cause, start=start, period=self.period)
            raise Undefined(self.reasons[name]) from None
        self[name] = value
        return value

    def _span_input(self, name: str) -> Decimal:
        rule, run, period = self.run.program.plan.inputs[name].rollup, self.run, self.period
        match rule:
            case Rollup.SUM:
                return combine(rule, [run.rolled_up(name, part) for part in run.program.plan.calendar.year_to_date(period)])
            case Rollup.LAST:
                return run.rolled_up(name, period)
            case Rollup.AVG:
                first = run.program.plan.calendar.year_start(period)
                return combine(rule, [run.rolled_up(name, period.shift(-back)) for back in range(period.ordinal - first.ordinal, -1, -1)])
        assert_never(rule)

    def under(self, scenario: str, compiled: Compiled) -> Any:
        if scenario == self.run.scenario:
            return compiled(self)
        run = self.run.under(scenario)
        run.check_figures()
        try:
            return compiled(YearToDateFrame(run, self.period))
        except Undefined as undefined:
            raise Undefined(Reason.of("in_scenario", scenario=scenario, cause=undefined.cause)) from None


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
    base: EntityRun | None = None  # the run whose frames this private run copies
    scenario: str = ACTUAL  # whose figures `facts` are
    make_scenario: Callable[[str], EntityRun] | None = None  # the same entity's run under another scenario
    siblings: dict[str, EntityRun] = field(default_factory=dict)  # those made so far, shared by the siblings

    @property
    def is_group(self) -> bool:
        """Whether this run's inputs are consolidated from members' (`consolidation.GroupRun`)."""
        return False

    def under(self, scenario: str) -> EntityRun:
        """The same entity's run under `scenario`, made on first use and then shared by every sibling."""
        if scenario == self.scenario:
            return self
        run = self.siblings.get(scenario)
        if run is None:
            if self.make_scenario is None:
                raise Undefined(Reason.of("no_scenario_facts", scenario=scenario, entity=self.entity))
            self.siblings.setdefault(self.scenario, self)
            run = self.siblings[scenario] = self.make_scenario(scenario)
            run.siblings = self.siblings
        return run

    def scenario_frame(self, period: Period) -> Frame:
        """The frame of `period` in a scenario's run; undefined when the scenario has no figure for the entity,
        or none as early as `period`."""
        self.check_figures()
        return self.frame(period)

    def check_figures(self) -> None:
        """Raises Undefined when this scenario's run has no figure at all for the entity (nowhere to start)."""
        if not self.first:
            raise Undefined(Reason.of("no_scenario_facts", scenario=self.scenario, entity=self.entity))

    def earliest(self) -> Period | None:
        """The earliest period of the run's own figures."""
        return min(self.facts.by_period, key=Period.sort_key, default=None)

    def native(self, period: Period) -> dict[str, Decimal]:
        """The input values the facts give at `period` itself, which a new frame starts from."""
        return self.facts.by_period.get(period, {})

    def frame(self, period: Period) -> Frame:
        frame = self.frames.get(period)
        if frame is None:
            first = self.first.get(period.frequency)
            if first is None or period.ordinal < first.ordinal:
                raise Undefined(Reason.of("before_data", period=period, since=first, entity=self.entity))
            frame = self.frames[period] = Frame(self, period)
            self.by_ordinal[period.frequency][period.ordinal] = frame
            if self.base is not None:
                frame.copy_from(self.base.frames.get(period))
        return frame

    def covered_frame(self, period: Period) -> Frame | None:
        """The frame of `period` when the facts cover it, even at a frequency no KPI is reported at."""
        if period in self.reported_periods:
            return self.frame(period)
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
        planned = self.program.plan.inputs[name]
        known = self.facts.frequencies.get(name, set())
        finer = period.finer_frequencies()
        if not known & finer and planned.missing is Missing.ZERO:
            if native is not None:
                return ZERO  # the entity has facts at this period, none for this input: absent means none
            known = self._frequencies  # read as if given wherever the entity has facts: rolled up from those
        if not known & finer:
            raise _MissingFact(self._missing(name, period, known), period)
        return combine(planned.rollup, [self._rolled_up(name, child) for child in period.children()])

    @property
    def _frequencies(self) -> set[Frequency]:
        """Every frequency the entity has facts at (for inputs whose absence means zero)."""
        return set().union(*self.facts.frequencies.values())

    def _missing(self, name: str, period: Period, known: set[Frequency]) -> Reason:
        coarser = sorted(f.value for f in known if f not in period.finer_frequencies() and f is not period.frequency)
        if coarser:
            return Reason.of("not_split", name=name, period=period, entity=self.entity, known=", ".join(coarser), frequency=period.frequency.value)
        return Reason.of("missing_fact", name=name, period=period, entity=self.entity)

    def private(self) -> EntityRun:
        """A run of the same entity whose frames start as copies of this one's, taken when first used:
        computing on it changes nothing here, so this run can be read from other threads meanwhile."""
        return replace(self, frames={}, by_ordinal={f: {} for f in Frequency}, first=dict(self.first),
                       reported_periods=set(self.reported_periods), _covered=dict(self._covered), base=self, siblings={})

    def covered(self, frequency: Frequency) -> list[Period]:
        """Periods of `frequency` with at least one input known completely."""
        if frequency not in self._covered:
            self._covered[frequency] = self._find_covered(frequency)
        return self._covered[frequency]

    def _find_covered(self, frequency: Frequency) -> list[Period]:
        candidates: dict[Period, set[str]] = {}
        calendar = self.program.plan.calendar
        for period, values in self.facts.by_period.items():
            ancestor = calendar.ancestor(period, frequency)
            if ancestor is not None:
                candidates.setdefault(ancestor, set()).update(values)
        return sorted(period for period, names in candidates.items() if self._any_complete(names, period))

    def _any_complete(self, names: set[str], period: Period) -> bool:
        for name in names:
            if name not in self.program.plan.inputs:
                continue
            try:
                self._rolled_up(name, period)
            except _OutOfRange:
                return True  # complete, but its total is out of range: reported, undefined with that reason
            except Undefined:
                continue
            return True
        return False




def combine(rule: Rollup, children: list[Decimal]) -> Decimal:
    """A coarser period's value from its complete finer values, by the input's roll-up rule; undefined
    when the total is beyond the number policy's range."""
    try:
        match rule:
            case Rollup.SUM:
                return sum(children, Decimal(0))
            case Rollup.LAST:
                return children[-1]
            case Rollup.AVG:
                return sum(children, Decimal(0)) / len(children)
    except ArithmeticError as error:
        raise _OutOfRange(undefined_by(error).cause) from None
    assert_never(rule)


@dataclass(frozen=True)
class FrameReadings:
    """What `alerts.Alerting` reads at one frame: conditions, values and targets, by this backend's closures,
    and the frames of the same entity's earlier periods."""

    frame: Frame

    @property
    def period(self) -> Period:
        return self.frame.period

    @property
    def entity(self) -> Entity:
        return self.frame.run.entity

    def holds(self, rule: PlannedAlert) -> object:
        return self.frame.run.program.conditions[rule.id](self.frame)

    def resolves(self, rule: PlannedAlert) -> object:
        return self.frame.run.program.resolutions[rule.id](self.frame)

    def earlier(self, steps: int) -> FrameReadings | None:
        frame = self.frame.run.covered_frame(self.frame.period.shift(-steps))
        return None if frame is None else FrameReadings(frame)

    def value(self, name: str) -> Any:
        return self.frame.value(name)

    def target(self, kpi: str) -> Decimal | None:
        try:
            return self.frame.target(kpi)
        except Undefined:
            return None


class PythonEvaluation:
    """The outcome of evaluating a program over facts: results (built once, on first read), alerts, values on demand.

    Immutable once built: `results` is a memo of frames that no longer
    change, built under a lock; `value`, `result_at` and `frame` read an
    evaluated frame when what they ask was computed, and otherwise compute on
    a private run of the entity that belongs to the calling thread (kept, so
    asking every KPI at a quarter computes each dependency once per thread).
    No thread ever sees another's computations, and the evaluated frames
    never change.
    """

    def __init__(self, program: Program, runs: list[EntityRun], selection: Selection, lang: Language) -> None:
        self.program = program
        self.selection = selection
        self.lang = lang
        self._runs = runs
        self.alerts: tuple[Alert, ...] = tuple(
            alert for run in runs for alert in _alerts(run, selection, Alerting(program.plan, lang, selection.as_of))
        )
        self._results: tuple[Result, ...] | None = None
        self._lock = threading.Lock()
        self._private = threading.local()  # per thread: the runs values outside the evaluated frames are computed on

    @property
    def results(self) -> tuple[Result, ...]:
        with self._lock:
            if self._results is None:  # comparisons compute (a budget run, year-to-date frames): on a copy
                runs = [run.private() if self.selection.compare else run for run in self._runs]
                self._results = tuple(result for run in runs for result in _results(run, self.selection))
            return self._results

    @property
    def entities(self) -> Sequence[Entity]:
        return [run.entity for run in self._runs]

    def frame(self, period: Period | str, entity: Entity = None) -> Frame:
        """The values of one entity at one period the facts cover (at any frequency), on this thread's
        private run (computing on it changes nothing another thread sees); KeyError when not evaluated."""
        return covered_frame(self._private_run(self._run(entity)), period)

    def result_at(self, kpi: str, period: Period | str, entity: Entity = None) -> Result:
        """`kpi` computed at any evaluated period, even one coarser than its own frequency (the yearly net
        result of a monthly KPI), undefined with its reason when it cannot be; KeyError when not evaluated."""
        if kpi not in self.program.kpis:
            raise lookup_error("KPI", kpi, self.program.kpis)
        frame = self._reading_frame(kpi, period, entity)
        with localcontext(DECIMAL_CONTEXT):
            return _result(frame, kpi)

    def scenario_result(self, kpi: str, period: Period | str, entity: Entity = None, scenario: str = "budget") -> Result:
        """`kpi` as `result_at` gives it, computed on the figures of `scenario` (its formula on that scenario's
        inputs, rolled up by the same rules, a group's consolidated): "the same KPI under budget". Its target
        is computed under the scenario too. Undefined with its reason when the scenario cannot give it (no
        figures for the entity, a yearly budget at a month...); KeyError when the period is not evaluated."""
        if kpi not in self.program.kpis:
            raise lookup_error("KPI", kpi, self.program.kpis)
        frame = covered_frame(self._private_run(self._run(entity)), period)
        with localcontext(DECIMAL_CONTEXT):
            return scenario_result(frame, kpi, scenario)

    def value(self, kpi: str, period: Period | str, entity: Entity = None) -> Any:
        """One KPI's (or input's) value, None only when undefined; KeyError when not evaluated."""
        if kpi not in self.program.kpis and kpi not in self.program.plan.inputs:
            raise lookup_error("KPI", kpi, self.program.kpis)
        frame = self._reading_frame(kpi, period, entity)
        with localcontext(DECIMAL_CONTEXT):
            return frame.value(kpi)

    def _reading_frame(self, kpi: str, period: Period | str, entity: Entity) -> Frame:
        """The evaluated frame when it holds `kpi` (and its target) already, else a private run's; KeyError when not covered."""
        period = in_calendar(self.program, period)
        run = self._run(entity)
        shared = run.frames.get(period)
        if shared is not None and shared.known(kpi) and (kpi not in self.program.plan.kpis or kpi in shared.targets or self.program.kpis[kpi].target is None):
            return shared
        return covered_frame(self._private_run(run), period)

    def _private_run(self, run: EntityRun) -> EntityRun:
        """This thread's private run of `run`'s entity, made on first need and kept: later reads reuse what it computed."""
        runs: dict[Entity, EntityRun] | None = getattr(self._private, "runs", None)
        if runs is None:
            runs = self._private.runs = {}
        private = runs.get(run.entity)
        if private is None:
            private = runs[run.entity] = run.private()
        return private

    def _run(self, entity: Entity) -> EntityRun:
        entity = entity or None  # "" is the facts without entity, as None
        for run in self._runs:
            if run.entity == entity:
                return run
        raise lookup_error("entity", entity or "", [run.entity for run in self._runs if run.entity is not None])


def covered_frame(run: EntityRun, period: Period | str) -> Frame:
    """The frame of a covered period; KeyError saying why otherwise."""
    period = in_calendar(run.program, period)
    frame = run.covered_frame(period)
    if frame is None:
        raise not_evaluated(period, run.entity)
    return frame


def in_calendar(program: Program, period: Period | str) -> Period:
    """A period asked for, in the plan's calendar (`FY2025-Q1`, or `2025-Q2` as the fiscal quarter it is)."""
    calendar = program.plan.calendar
    return calendar.parse(period) if isinstance(period, str) else calendar.bind(period)


def scenario_result(frame: Frame, kpi: str, scenario: str) -> Result:
    """`kpi` for `frame`'s entity and period computed under `scenario` (value, target, gap and status, all
    on that scenario's figures), undefined with its reason when the scenario cannot give it. It computes
    on the frame's run's sibling for `scenario`: call it on a frame you may compute on (a private run's,
    or one of `evaluate_entities`' runs before the entity is dropped), under `DECIMAL_CONTEXT`."""
    run = frame.run.under(scenario)
    try:
        run.check_figures()
    except Undefined as undefined:
        return _result(frame, kpi, undefined.cause)
    try:
        other = run.frame(frame.period)
    except Undefined as undefined:
        return _result(frame, kpi, Reason.of("in_scenario", scenario=scenario, cause=undefined.cause))
    return _result(other, kpi)


def _reported_frames(run: EntityRun, selection: Selection) -> Iterator[Frame]:
    for period in sorted((p for p in run.reported_periods if selection.wants_period(p)), key=Period.sort_key):
        yield run.frame(period)


def _results(run: EntityRun, selection: Selection) -> Iterator[Result]:
    """Every result of one entity's run, in period then definition order, each with the comparisons asked."""
    reported = run.program.plan.reported
    with localcontext(DECIMAL_CONTEXT):
        for frame in _reported_frames(run, selection):
            references = _References(frame, selection.compare) if selection.compare else None
            for name in reported.get(frame.period.frequency, ()):
                result = _result(frame, name)
                yield result if references is None else replace(result, compared=references.of(name))


class _References:
    """What the results of one frame are compared with (`comparisons`), its year-to-date frames made once for
    all its KPIs. It computes on the frame's run (budget sibling, year-to-date frames): a run that is dropped
    after reporting (`evaluate_entities`) or a private one (`PythonEvaluation`)."""

    def __init__(self, frame: Frame, asked: Sequence[str]) -> None:
        self.frame, self.asked = frame, asked
        self._ytd: Frame | None = None
        self._ytd_budget: Frame | Reason | None = None

    def of(self, kpi: str) -> Compared:
        frame, asked = self.frame, self.asked
        ytd = "ytd" in asked
        return Compared(
            budget=_from_result(scenario_result(frame, kpi, BUDGET)) if "budget" in asked else None,
            year_ago=self._year_ago(kpi) if "year_ago" in asked else None,
            ytd=_reference(self._span(), kpi) if ytd else None,
            ytd_budget=self._span_budget(kpi) if ytd else None,
        )

    def _year_ago(self, kpi: str) -> Reference:
        try:
            earlier = self.frame.year_ago()
        except Undefined as undefined:
            return Reference(None, undefined.cause)
        return _reference(earlier, kpi)

    def _span(self) -> Frame:
        if self._ytd is None:
            self._ytd = YearToDateFrame(self.frame.run, self.frame.period)
        return self._ytd

    def _span_budget(self, kpi: str) -> Reference:
        if self._ytd_budget is None:
            try:
                run = self.frame.run.under(BUDGET)
                run.check_figures()
                self._ytd_budget = YearToDateFrame(run, self.frame.period)
            except Undefined as undefined:
                self._ytd_budget = undefined.cause
        if isinstance(self._ytd_budget, Reason):
            return Reference(None, self._ytd_budget)
        reference = _reference(self._ytd_budget, kpi)
        if reference.cause is None:
            return reference
        return Reference(None, Reason.of("in_scenario", scenario=BUDGET, cause=reference.cause))


def _reference(frame: Frame, kpi: str) -> Reference:
    value = frame.value(kpi)
    return Reference(value, frame.reasons.get(kpi) if value is None else None)


def _from_result(result: Result) -> Reference:
    return Reference(result.value, result.cause)


def _alerts(run: EntityRun, selection: Selection, alerting: Alerting) -> Iterator[Alert]:
    """Every alert fired in one entity's run, in period, definition and rule order (inhibited and silenced marked)."""
    with localcontext(DECIMAL_CONTEXT):
        for frame in _reported_frames(run, selection):
            if frame.period.frequency in run.program.plan.alerting:
                yield from alerting.at(FrameReadings(frame))


def _result(frame: Frame, name: str, cause: Reason | None = None) -> Result:
    """The result of `name` at `frame`; undefined for `cause` when one is given."""
    result = _plain_result(frame, name) if cause is None else _undefined(frame, name, cause)
    return replace(result, is_group=True) if frame.run.is_group else result


def _undefined(frame: Frame, name: str, cause: Reason | None) -> Result:
    owner = frame.run.program.plan.kpis[name].owner
    return Result(name, frame.period, frame.run.entity, None, None, None, UNDEFINED, owner, str(cause) if cause else None, cause)


def _plain_result(frame: Frame, name: str) -> Result:
    kpi = frame.run.program.plan.kpis[name]
    entity, owner = frame.run.entity, kpi.owner
    value = frame.value(name)
    if value is None:
        return _undefined(frame, name, frame.reasons.get(name))
    if kpi.target is None:
        return Result(name, frame.period, entity, value, None, None, NO_TARGET, owner)
    try:
        target = frame.target(name)
    except Undefined as undefined:
        cause = Reason.of("target_undefined", cause=undefined.cause)
        return Result(name, frame.period, entity, value, None, None, NO_TARGET, owner, str(cause), cause)
    if target is None:
        return Result(name, frame.period, entity, value, None, None, NO_TARGET, owner)
    met = value >= target if kpi.direction is not Direction.LOWER_IS_BETTER else value <= target
    return Result(name, frame.period, entity, value, target, difference(value, target), MET if met else MISSED, owner)


def evaluate(program: Program, runs: Iterable[EntityRun], selection: Selection = EVERYTHING, lang: Language = "fr") -> PythonEvaluation:
    """Evaluate every KPI at its frequency, for every period the facts cover, for each prepared run; frames kept."""
    with localcontext(DECIMAL_CONTEXT):
        return PythonEvaluation(program, [computed(run) for run in runs], selection, lang)


def evaluate_entities(runs: Iterable[EntityRun], selection: Selection = EVERYTHING, lang: Language = "fr") -> Iterator[EntityEvaluation]:
    """Each prepared run's results and alerts in turn; its frames are dropped before the next entity starts."""
    for prepared in runs:
        with localcontext(DECIMAL_CONTEXT):
            run = computed(prepared)
            alerts = tuple(_alerts(run, selection, Alerting(run.program.plan, lang, selection.as_of)))
            evaluated = EntityEvaluation(run.entity, tuple(_results(run, selection)), alerts)
        del run, prepared
        yield evaluated


def prepared(run: EntityRun) -> EntityRun:
    """`run`, told which periods its facts cover and where they start, with nothing computed yet."""
    program = run.program
    for frequency in program.schedule:
        periods = run.covered(frequency)
        if periods:
            run.first[frequency] = periods[0]
            run.reported_periods.update(periods)
    return run


def starting(run: EntityRun) -> EntityRun:
    """A scenario's run, told where its figures start at every frequency (the period holding its earliest
    figure), so that time functions under that scenario stop there; it reports nothing."""
    earliest = run.earliest()
    if earliest is not None:
        fiscal_start = run.program.plan.calendar.fiscal_year_start
        run.first.update({frequency: Period.from_date(frequency, earliest.start, fiscal_start) for frequency in Frequency})
    return run


def computed(run: EntityRun) -> EntityRun:
    """Every scheduled KPI at every covered period, chronologically, dependencies first, then reported targets.

    This is the hot loop: each KPI is one closure call on a fresh frame, since
    its same-period dependencies were computed just before it.
    """
    program = run.program
    for frequency, schedule in program.schedule.items():
        targeted = program.targeted.get(frequency, ())
        for period in run.covered(frequency):
            frame = run.frame(period)
            reasons = frame.reasons
            for name, formula in schedule:
                if name in frame or name in reasons:
                    continue  # computed already, as a time function reached back into this period
                try:
                    frame[name] = formula(frame)
                except Undefined as undefined:
                    reasons[name] = undefined.cause
                except RecursionError:
                    frame.value(name)  # records the reason, worded once, in Frame.__missing__
            for name in targeted:  # so that reading results later only reads the frame
                try:  # noqa: SIM105 - the hot loop: a try block costs less than a context manager
                    frame.target(name)
                except Undefined:
                    pass
    return run

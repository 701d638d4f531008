"""A `Plan` -> a `Program`: the plan's formulas, targets and alert conditions compiled into closures.

The order to run them in and the roll-up rules are the plan's own; this
module adds only the closures, so evaluating facts is only running them. A
Program is immutable and can evaluate any number of fact sets, from several
threads at once.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from ...errors import Undefined
from ...functions import FUNCTIONS, Compiled, ThisPeriod, guarded
from ...graph import prerequisites
from ...nodes import Call, Name, Node, walk
from ...periods import Frequency
from ...plan import Plan, PlannedKpi
from ...reasons import Reason
from .compiler import NameResolver, Tracer, compile_node


@dataclass(frozen=True)
class CompiledKpi:
    """A planned KPI with its formula and target compiled into closures."""

    plan: PlannedKpi
    formula: Compiled
    target: Compiled | None


@dataclass(frozen=True, eq=False)
class Program:
    """The closures of a plan, beside the plan itself."""

    plan: Plan
    kpis: Mapping[str, CompiledKpi]
    conditions: Mapping[str, Compiled]  # alert rule id -> its condition
    resolutions: Mapping[str, Compiled]  # alert rule id -> its resolve_when, for the rules that have one
    schedule: Mapping[Frequency, tuple[tuple[str, Compiled], ...]]  # the plan's schedule, each KPI beside its closure
    targeted: Mapping[Frequency, tuple[str, ...]]  # the KPIs reported at each frequency that have a target
    _prerequisites: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _reading_other_periods: list[frozenset[str]] = field(default_factory=list, repr=False)  # worked out once

    def prerequisites(self, kpi: str) -> tuple[str, ...]:
        """The KPIs `kpi` reads at its own period, transitively, dependencies first.

        Worked out on demand (most KPIs are never asked for outside the
        evaluation loop) and remembered, under a lock: a memo of the plan,
        the same answer for every thread.
        """
        with self._lock:
            known = self._prerequisites.get(kpi)
            if known is None:
                known = self._prerequisites[kpi] = tuple(prerequisites(self.plan.same_period, kpi))
            return known

    def reads_other_periods(self, kpi: str) -> bool:
        """Whether `kpi` reads another period than its own (a time function in its formula or in a KPI it
        reads): such a KPI has no year-to-date value (`evaluator.YearToDateFrame`)."""
        with self._lock:
            if not self._reading_other_periods:
                self._reading_other_periods.append(_reading_other_periods(self.plan))
            return kpi in self._reading_other_periods[0]

    def compile_traced(self, node: Node, tracer: Tracer) -> Compiled:
        """A formula compiled again with every node wrapped by `tracer` (for explain)."""
        return compile_node(node, _resolver(None), tracer)


def _reading_other_periods(plan: Plan) -> frozenset[str]:
    """The KPIs that read another period than their own, directly or through the KPIs they read."""
    reads: dict[str, set[str]] = {}
    found: set[str] = set()
    for name, kpi in plan.kpis.items():
        nodes = list(walk(kpi.formula))
        reads[name] = {node.id for node in nodes if isinstance(node, Name) and node.id in plan.kpis}
        if any(isinstance(node, Call) and not isinstance(getattr(FUNCTIONS.get(node.func), "reach", ThisPeriod()), ThisPeriod) for node in nodes):
            found.add(name)
    grown = True
    while grown:
        more = {name for name, names in reads.items() if name not in found and names & found}
        found |= more
        grown = bool(more)
    return frozenset(found)


def compile_program(plan: Plan) -> Program:
    """Compile a plan's formulas, targets and alert conditions."""
    kpis = {name: _compile_kpi(kpi) for name, kpi in plan.kpis.items()}
    conditions = {rule.id: compile_node(rule.condition, _resolver(kpi.name)) for kpi in plan.kpis.values() for rule in kpi.alerts}
    resolutions = {
        rule.id: compile_node(rule.resolve_when, _resolver(kpi.name))
        for kpi in plan.kpis.values()
        for rule in kpi.alerts
        if rule.resolve_when is not None
    }
    schedule = {f: tuple((name, kpis[name].formula) for name in names) for f, names in plan.schedule.items()}
    targeted = {f: tuple(n for n in names if plan.kpis[n].target is not None) for f, names in plan.reported.items()}
    return Program(
        plan, MappingProxyType(kpis), MappingProxyType(conditions), MappingProxyType(resolutions), MappingProxyType(schedule), MappingProxyType(targeted)
    )


def _compile_kpi(kpi: PlannedKpi) -> CompiledKpi:
    plain = _resolver(None)
    return CompiledKpi(kpi, compile_node(kpi.formula, plain), compile_node(kpi.target, plain) if kpi.target else None)


def _resolver(own_kpi: str | None) -> NameResolver:
    """Closures reading a name on a frame; `value`/`target`/`gap` mean `own_kpi`'s in alerts."""

    def resolve(name: str) -> str | Compiled:
        """The frame key of an input or KPI (the frame computes what is missing), or a closure."""
        if own_kpi and name == "value":
            return own_kpi
        if own_kpi and name == "target":
            return _target_reader(own_kpi)
        if own_kpi and name == "gap":
            target = _target_reader(own_kpi)
            kpi = own_kpi
            return guarded(lambda frame: frame[kpi] - target(frame))
        return name

    return resolve


def _target_reader(name: str) -> Compiled:
    """A closure reading a KPI's target on a frame (for `target` and `gap` in alerts)."""

    def read_target(frame: Any) -> Any:
        target = frame.target(name)
        if target is None:
            raise Undefined(Reason.of("no_target", name=name))
        return target

    return read_target

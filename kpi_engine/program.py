"""Validated definitions -> a `Program`: everything evaluation needs, worked out once.

Compiled closures for every formula, target and alert condition; for each
frequency, the KPIs to compute at that frequency (those reported at it and
everything they read, dependencies first), so that evaluating facts is only
running closures. A Program is immutable and can evaluate any number of
fact sets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

from .alerts import Template, default_message, parse_template
from .compiler import NameResolver, Tracer, compile_node
from .errors import Undefined
from .functions import Compiled
from .graph import (
    all_dependencies_graph,
    closure,
    prerequisites,
    same_period_graph,
    topological_order,
)
from .model import AlertRule, Definitions, Formula, KpiDef
from .periods import Frequency
from .reasons import Reason


@dataclass(frozen=True)
class CompiledAlert:
    """An alert rule with its condition compiled and its message template parsed, per language."""

    rule: AlertRule
    condition: Compiled
    messages: Mapping[str, Template]


@dataclass(frozen=True)
class CompiledKpi:
    """A KPI with its formula, target and alert conditions compiled into closures."""

    definition: KpiDef
    formula: Compiled
    target: Compiled | None
    alerts: tuple[CompiledAlert, ...]


@dataclass(frozen=True)
class Program:
    """Everything evaluation needs, worked out once per pack: closures and the order to run them in."""

    definitions: Definitions
    kpis: Mapping[str, CompiledKpi]
    schedule: Mapping[Frequency, tuple[str, ...]]  # computed at each frequency, dependencies first
    reported: Mapping[Frequency, tuple[str, ...]]  # reported at each frequency, in definition order

    @cached_property
    def _same_period(self) -> dict[str, list[str]]:
        return same_period_graph(self.definitions)

    @cached_property
    def _prerequisites(self) -> dict[str, tuple[str, ...]]:
        return {}  # filled on demand: most KPIs are never asked for outside the evaluation loop

    def prerequisites(self, kpi: str) -> tuple[str, ...]:
        """The KPIs `kpi` reads at its own period, transitively, dependencies first."""
        known = self._prerequisites.get(kpi)
        if known is None:
            known = self._prerequisites[kpi] = tuple(prerequisites(self._same_period, kpi))
        return known

    @cached_property
    def compiled_schedule(self) -> Mapping[Frequency, tuple[tuple[str, Compiled], ...]]:
        """The schedule with each KPI's closure beside its name, for the evaluation loop."""
        return {f: tuple((name, self.kpis[name].formula) for name in names) for f, names in self.schedule.items()}

    @cached_property
    def alerting(self) -> Mapping[Frequency, tuple[CompiledKpi, ...]]:
        """The KPIs that have alert rules, per frequency, in report order: the only ones alerts are looked for on."""
        return {f: tuple(self.kpis[n] for n in names if self.kpis[n].alerts) for f, names in self.reported.items()}

    def compile_traced(self, formula: Formula, tracer: Tracer) -> Compiled:
        """A formula compiled again with every node wrapped by `tracer` (for explain)."""
        return compile_node(formula.node, _resolver(self.definitions, None), tracer)


def compile_program(definitions: Definitions) -> Program:
    """Compile validated definitions into a Program."""
    kpis = {name: _compile_kpi(definitions, kpi) for name, kpi in definitions.kpis.items()}
    order = topological_order(same_period_graph(definitions))
    every = all_dependencies_graph(definitions)
    reported: dict[Frequency, tuple[str, ...]] = {}
    schedule: dict[Frequency, tuple[str, ...]] = {}
    for frequency in Frequency:
        roots = [name for name, kpi in definitions.kpis.items() if kpi.frequency is frequency]
        if roots:
            needed = closure(every, roots)
            reported[frequency] = tuple(roots)
            schedule[frequency] = tuple(name for name in order if name in needed)
    return Program(definitions, kpis, schedule, reported)


def _compile_kpi(definitions: Definitions, kpi: KpiDef) -> CompiledKpi:
    plain = _resolver(definitions, None)
    with_self = _resolver(definitions, kpi.name)
    return CompiledKpi(
        definition=kpi,
        formula=compile_node(kpi.formula.node, plain),
        target=compile_node(kpi.target.node, plain) if kpi.target else None,
        alerts=tuple(
            CompiledAlert(
                rule,
                compile_node(rule.when.node, with_self),
                {lang: parse_template(rule.message.get(lang) or default_message(kpi.target is not None)) for lang in ("fr", "en")},
            )
            for rule in kpi.alerts
        ),
    )


def _resolver(definitions: Definitions, own_kpi: str | None) -> NameResolver:
    """Closures reading a name on a frame; `value`/`target`/`gap` mean `own_kpi`'s in alerts."""

    def resolve(name: str) -> str | Compiled:
        """The frame key of an input or KPI (the frame computes what is missing), or a closure."""
        if own_kpi and name == "value":
            return own_kpi
        if own_kpi and name == "target":
            return target_reader(own_kpi)
        if own_kpi and name == "gap":
            target = target_reader(own_kpi)
            return lambda frame: frame[own_kpi] - target(frame)
        return name

    return resolve


def target_reader(name: str) -> Compiled:
    """A closure reading a KPI's target on a frame (for `target` and `gap` in alerts)."""
    def read_target(frame):
        target = frame.target(name)
        if target is None:
            raise Undefined(Reason.of("no_target", name=name))
        return target

    return read_target

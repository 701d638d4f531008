"""What a loaded pack means, worked out once, as plain frozen data: the contract every backend consumes.

A `Plan` holds no closure and no engine object: formulas stay ASTs (`nodes`),
so the Python closure backend and a SQL backend read the same meaning and
differ only in how they compute it.

The rules every backend follows:

- **Schedule.** At each frequency some KPIs are reported (`reported`, in
  definition order); `schedule` lists those and every KPI they read, at that
  period or an earlier one, dependencies first. Computing them in that order,
  chronologically, means `prev()` and roll-forwards always find the earlier
  period done.
- **Coverage.** A period of a frequency is covered for an entity when at least
  one input is known completely at it: given at that period, or rolled up from
  a complete set of finer periods. Results are reported at covered periods
  only; time functions may still read earlier covered periods outside the
  selection, never a period before the first covered one.
- **Completeness.** A coarser period rolls up only from complete finer data:
  a quarter with a missing month is undefined (with the missing month as the
  reason), never the sum of two months. Each input's `rollup` says how the
  finer values combine (`Rollup`: sum, last or average).
- **Alert rules.** Each rule has a stable id, `"<kpi>/<severity>/<digest>"`,
  the digest being the first 10 hex digits of the SHA-256 of the condition's
  canonical text (`nodes.to_text`, so spacing does not matter). Reordering a
  KPI's rules, or rewording a message, leaves the ids unchanged; changing the
  condition or the severity makes it a new rule. Two rules of one KPI with the
  same severity and condition get `#2`, `#3`... in the order written.
  `for`, `resolve_when`, `inhibit` and the message are not part of the id:
  tuning how long a condition must hold keeps the rule (and its history).
- **Silences.** Every layer's silences, bases first; `alerts` applies them.
- **Calendar.** `calendar.fiscal_year_start` is the month the pack's years
  start in. Yearly and quarterly periods are then fiscal (`Period.fiscal_start`):
  a month rolls up into the quarter and year of that calendar
  (`Calendar.ancestor`), `ytd` runs from the first period of the fiscal year
  (`Calendar.year_start`), and `prev`, `lag` and `year_ago` step by the KPI's
  own period as always (a fiscal quarter's `year_ago` is the same quarter of
  the previous fiscal year). Facts, selections and pack tests are read in the
  pack's calendar (`Calendar.bind`: `FY2025` gets its months, `2025-Q2`
  becomes the fiscal quarter it coincides with) before any backend sees them.
- **Groups.** `groups` lists the declared groups, each after its member
  groups. Every entity and group of the facts is evaluated on its own as
  before; then each group (even without facts of its own), marked
  `Result.is_group`. A group's input at a period, at any frequency, is its
  consolidation (`PlannedInput.consolidation`): `sum` adds each member's
  value at that period (a member's value found as for any entity: given, or
  rolled up from complete finer data; a member group's, consolidated) and the
  group's own value when its own facts hold that input within the period
  (eliminations as negative amounts; own facts that cover only part of the
  period make it undefined, as any incomplete roll-up). A member without the
  value makes the group's value undefined, with the reason `member_missing`
  naming the member. `none`: the group's own facts only, as for any entity.
  KPIs are then computed by their formulas on these inputs, so a group margin
  is the margin of the summed figures. A group is reported at every period
  that one of its members covers, or its own facts do.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from .entities import consolidation_order
from .graph import all_dependencies_graph, closure, same_period_graph, topological_order
from .model import (
    LANGUAGES,
    AlertRule,
    Consolidation,
    Definitions,
    Direction,
    KpiDef,
    Label,
    Missing,
    Rollup,
    Severity,
    Silence,
)
from .nodes import Node, to_text
from .periods import GREGORIAN, Calendar, Frequency
from .templates import Template, default_message, parse_template, template_fields


@dataclass(frozen=True)
class PlannedAlert:
    """An alert rule: its stable id, severity, condition AST and message template per language."""

    id: str
    kpi: str
    severity: Severity
    condition: Node
    templates: tuple[tuple[str, Template], ...]  # (language, template), for every language in LANGUAGES
    fields: tuple[str, ...]  # the names its templates read, in first-use order
    for_periods: int = 1  # consecutive periods the condition must hold, this one included
    resolve_when: Node | None = None  # once firing, firing until this holds; None: while the condition holds
    inhibit: bool = True  # False: shown even when a more severe alert of the same KPI, entity and period fires

    def template(self, lang: str) -> Template:
        """The message template in `lang` (English when the language is unknown)."""
        by_lang = dict(self.templates)
        return by_lang.get(lang, by_lang["en"])


@dataclass(frozen=True)
class PlannedKpi:
    """A KPI as a backend computes it: formula and target ASTs, and what results and alerts show."""

    name: str
    frequency: Frequency
    formula: Node
    target: Node | None
    direction: Direction
    unit: str
    owner: str
    label: Label
    alerts: tuple[PlannedAlert, ...]


@dataclass(frozen=True)
class PlannedInput:
    """An input: how its finer-period values roll up, how a group's value is made, its unit (for alert
    messages), and what its absence means.

    `missing` ZERO: at a period where the entity has at least one fact of any input, the input
    reads 0 when not given there (see `model.Missing`); every backend must do the same.
    """

    name: str
    rollup: Rollup
    unit: str
    consolidation: Consolidation = Consolidation.SUM
    missing: Missing = Missing.UNDEFINED


@dataclass(frozen=True)
class PlannedGroup:
    """A group of entities: its direct members (entities or groups), consolidated as the module says."""

    name: str
    label: Label
    members: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class Plan:
    """Everything a backend needs to evaluate a pack. Read-only mappings; compared by identity."""

    inputs: Mapping[str, PlannedInput]
    kpis: Mapping[str, PlannedKpi]  # in definition order
    schedule: Mapping[Frequency, tuple[str, ...]]  # computed at each frequency, dependencies first
    reported: Mapping[Frequency, tuple[str, ...]]  # reported at each frequency, in definition order
    same_period: Mapping[str, tuple[str, ...]]  # KPI -> the KPIs its formula reads at its own period
    alerting: Mapping[Frequency, tuple[PlannedKpi, ...]]  # reported KPIs with alert rules, in report order
    silences: tuple[Silence, ...] = ()  # every layer's, bases first
    calendar: Calendar = GREGORIAN  # when years (and so quarters) start
    groups: Mapping[str, PlannedGroup] = field(default_factory=lambda: MappingProxyType({}))  # each group after its member groups

    def unit(self, name: str) -> str:
        """The unit of an input or a KPI."""
        known = self.inputs.get(name)
        return known.unit if known is not None else self.kpis[name].unit


def build_plan(definitions: Definitions) -> Plan:
    """The plan of validated definitions (semantics checked: no cycle, every name known)."""
    same_period = same_period_graph(definitions)
    order = topological_order(same_period)
    every = all_dependencies_graph(definitions)
    reported: dict[Frequency, tuple[str, ...]] = {}
    schedule: dict[Frequency, tuple[str, ...]] = {}
    for frequency in Frequency:
        roots = [name for name, kpi in definitions.kpis.items() if kpi.frequency is frequency]
        if roots:
            needed = closure(every, roots)
            reported[frequency] = tuple(roots)
            schedule[frequency] = tuple(name for name in order if name in needed)
    kpis = {name: _planned_kpi(kpi) for name, kpi in definitions.kpis.items()}
    return Plan(
        inputs=MappingProxyType(
            {name: PlannedInput(name, Rollup(i.rollup), i.unit, i.consolidation, Missing(i.missing)) for name, i in definitions.inputs.items()}
        ),
        kpis=MappingProxyType(kpis),
        schedule=MappingProxyType(schedule),
        reported=MappingProxyType(reported),
        same_period=MappingProxyType({k: tuple(v) for k, v in same_period.items()}),
        alerting=MappingProxyType({f: tuple(kpis[n] for n in names if kpis[n].alerts) for f, names in reported.items()}),
        silences=definitions.silences,
        calendar=definitions.calendar,
        groups=MappingProxyType({name: _planned_group(definitions, name) for name in consolidation_order(definitions.entities)}),
    )


def _planned_group(definitions: Definitions, name: str) -> PlannedGroup:
    group = definitions.entities[name]
    return PlannedGroup(name, group.label, group.members)


def _planned_kpi(kpi: KpiDef) -> PlannedKpi:
    return PlannedKpi(
        name=kpi.name,
        frequency=kpi.frequency,
        formula=kpi.formula.node,
        target=kpi.target.node if kpi.target else None,
        direction=Direction(kpi.direction),
        unit=kpi.unit,
        owner=kpi.owner,
        label=kpi.label,
        alerts=_planned_alerts(kpi),
    )


def _planned_alerts(kpi: KpiDef) -> tuple[PlannedAlert, ...]:
    planned: list[PlannedAlert] = []
    for identifier, rule in zip(rule_ids(kpi), kpi.alerts, strict=True):
        templates = tuple((lang, parse_template(rule.message.get(lang) or default_message(kpi.target is not None))) for lang in LANGUAGES)
        fields = tuple(dict.fromkeys(name for _, template in templates for name in template_fields(template)))
        resolve_when = rule.resolve_when.node if rule.resolve_when else None
        planned.append(
            PlannedAlert(identifier, kpi.name, Severity(rule.severity), rule.when.node, templates, fields, rule.for_periods, resolve_when, rule.inhibit)
        )
    return tuple(planned)


def rule_ids(kpi: KpiDef) -> tuple[str, ...]:
    """The stable id of each of the KPI's rules, in order: `#2`, `#3`... for repeats of one severity and condition."""
    ids: list[str] = []
    seen: dict[str, int] = {}
    for rule in kpi.alerts:
        base = rule_id(kpi.name, rule)
        seen[base] = seen.get(base, 0) + 1
        ids.append(base if seen[base] == 1 else f"{base}#{seen[base]}")
    return tuple(ids)


def rule_id(kpi: str, rule: AlertRule) -> str:
    """`<kpi>/<severity>/<digest of the condition>`: stable when rules are reordered or reworded."""
    digest = hashlib.sha256(to_text(rule.when.node).encode()).hexdigest()[:10]
    return f"{kpi}/{rule.severity}/{digest}"

"""What the SQL needs from a pack's `Plan`, and what it refuses: the one adapter over the plan.

`sql_plan` reads the backend-neutral `kpi_engine.plan.Plan` (formulas,
targets and alert conditions as ASTs). Constructs the SQL backend cannot
compute yet are refused here, when the backend is made: a refused pack is
never computed differently. Given the pack's definitions, each refusal is
located at the formula text that uses it; from a plan alone, at the KPI.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from ...errors import Location, PackError, Problem
from ...functions import FUNCTIONS, SCENARIOS, ThisPeriod
from ...graph import closure, find_cycles, references, topological_order
from ...model import Consolidation, Definitions, Formula, Missing
from ...nodes import Binary, Call, Node, Number, integer_literal, walk
from ...periods import UNBOUND, Frequency, Period
from ...plan import Plan, PlannedAlert, PlannedKpi
from .dialect import SCALE
from .expressions import MAX_POWER, whole_exponent

ALERT_WORDS = ("value", "target", "gap")  # names an alert condition reads as its own KPI's
RECURSIVE_TIME = ("prev", "lag")  # how a roll-forward may read its own past: one period back
OWN_FIELDS = frozenset({"value", "target", "gap", "period", "entity", "kpi", "owner", "unit", "severity", "label"})


@dataclass(frozen=True)
class KpiSpec:
    """A KPI as the SQL computes it: the plan's KPI, and the names its alert messages read."""

    planned: PlannedKpi

    @property
    def name(self) -> str:
        return self.planned.name

    @property
    def formula(self) -> Node:
        return self.planned.formula

    @property
    def target(self) -> Node | None:
        return self.planned.target

    @property
    def alerts(self) -> tuple[PlannedAlert, ...]:
        return self.planned.alerts

    def fields(self) -> list[str]:
        """Every name its alert messages show that is not one of the KPI's own fields."""
        found = (name for alert in self.alerts for name in alert.fields)
        return list(dict.fromkeys(f for f in found if f not in OWN_FIELDS))


@dataclass(frozen=True)
class SqlPlan:
    """Inputs and their roll-up rules, KPIs in definition order, what is reported at each frequency."""

    source: Plan
    inputs: Mapping[str, str]  # input -> roll-up rule
    kpis: Mapping[str, KpiSpec]
    reported: Mapping[Frequency, tuple[str, ...]]
    order: tuple[str, ...]  # every KPI, same-period dependencies first
    groups: tuple[frozenset[str], ...]  # KPIs that read each other's past (roll-forwards), one group each
    every: Mapping[str, list[str]]  # KPI -> KPIs it reads at any period
    zero: frozenset[str] = frozenset()  # inputs whose absence is zero (`missing: zero`)
    consolidated: frozenset[str] = frozenset()  # inputs a group adds up from its members (`consolidation: sum`)
    groups_of_entities: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # group -> members, each after its member groups

    @property
    def month_shift(self) -> int:
        """Months a fiscal year starts before the calendar year it is named after ends: 0 for calendar years, 6 from July."""
        return (13 - self.source.calendar.fiscal_year_start) % 12

    def period(self, frequency: Frequency, ordinal: int) -> Period:
        """The period of `frequency` numbered `ordinal` in the pack's calendar (fiscal years and quarters)."""
        if frequency in (Frequency.QUARTERLY, Frequency.YEARLY):
            return self.source.calendar.bind(Period(frequency, ordinal, UNBOUND))
        return Period(frequency, ordinal)

    def needed(self, kpis: list[str]) -> set[str]:
        """These KPIs and every KPI their formulas, targets, alert conditions and messages read."""
        roots = set(kpis)
        for name in kpis:
            spec = self.kpis[name]
            extra = [spec.target] if spec.target else []
            extra += [node for alert in spec.alerts for node in (alert.condition, alert.resolve_when) if node is not None]
            roots |= {r.name for node in extra for r in references(node) if r.name in self.kpis}
            roots |= {field for field in spec.fields() if field in self.kpis}
        return closure(self.every, roots)


def sql_plan(plan: Plan, definitions: Definitions | None = None) -> SqlPlan:
    """The SQL plan of `plan`; PackError listing every construct the SQL backend refuses (located with `definitions`)."""
    every = {name: list(dict.fromkeys(r.name for r in references(kpi.formula) if r.name in plan.kpis)) for name, kpi in plan.kpis.items()}
    groups = tuple(frozenset(cycle) for cycle in find_cycles(every))
    problems = [p for kpi in plan.kpis.values() for p in _refusals(kpi, groups, definitions)]
    if problems:
        raise PackError(problems)
    return SqlPlan(
        source=plan,
        inputs={name: spec.rollup.value for name, spec in plan.inputs.items()},
        kpis={name: KpiSpec(kpi) for name, kpi in plan.kpis.items()},
        reported=dict(plan.reported),
        order=tuple(topological_order({k: list(v) for k, v in plan.same_period.items()})),
        groups=groups,
        every=every,
        zero=frozenset(name for name, spec in plan.inputs.items() if spec.missing is Missing.ZERO),
        consolidated=frozenset(name for name, spec in plan.inputs.items() if spec.consolidation is Consolidation.SUM),
        groups_of_entities={name: group.members for name, group in plan.groups.items()},
    )


def _refusals(kpi: PlannedKpi, groups: tuple[frozenset[str], ...], definitions: Definitions | None) -> list[Problem]:
    problems = []
    defined = definitions.kpis[kpi.name] if definitions is not None else None
    group = next((g for g in groups if kpi.name in g), frozenset())
    formulas: list[tuple[Node, Formula | None]] = [(kpi.formula, defined.formula if defined else None)]
    if kpi.target is not None:
        formulas.append((kpi.target, defined.target if defined else None))
    for index, rule in enumerate(kpi.alerts):
        written = defined.alerts[index] if defined else None
        formulas.append((rule.condition, written.when if written else None))
        if rule.resolve_when is not None:
            formulas.append((rule.resolve_when, written.resolve_when if written else None))
    for root, formula in formulas:
        for node in walk(root):
            problem = _refusal(node, group if root is kpi.formula else frozenset())
            if problem:
                where = formula.locate(node.span.start) if formula is not None else Location(f"KPI '{kpi.name}'")
                problems.append(Problem(where, f"{problem}: the SQL backend refuses it (use the python backend)"))
    return problems


def _refusal(node: Node, group: frozenset[str]) -> str | None:
    """Why the SQL backend cannot compute `node` yet, or None."""
    if isinstance(node, Number) and not _fits(node.value):
        return f"the number {node.text} has more than {SCALE} decimals or is too large"
    if isinstance(node, Binary) and node.op == "^" and whole_exponent(node.right) is None:
        return f"a power whose exponent is not a constant whole number between -{MAX_POWER} and {MAX_POWER}"
    if isinstance(node, Call) and node.func in SCENARIOS and group:
        return f"the scenario read {node.func}() in a KPI that reads its own previous value"
    if isinstance(node, Call) and node.func == "round" and len(node.args) > 1 and (integer_literal(node.args[1]) or 0) < SCALE - 38:
        return f"round to fewer than {SCALE - 38} decimals"
    if isinstance(node, Call) and _is_time(node):
        reads_group = group and any(r.name in group for r in references(node.args[0]))
        steps = integer_literal(node.args[1]) if node.func == "lag" else 1
        if group and (node.func not in RECURSIVE_TIME or steps != 1 or not reads_group):
            return f"the time function {node.func}() in a KPI that reads its own previous value (only prev() or lag(x, 1) of it)"
    return None


def _is_time(node: Call) -> bool:
    function = FUNCTIONS.get(node.func)
    return function is not None and not isinstance(function.reach, ThisPeriod)


def _fits(value: Decimal) -> bool:
    scaled = value.scaleb(SCALE)
    return scaled == scaled.to_integral_value() and abs(scaled) < 10**38


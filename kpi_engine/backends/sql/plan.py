"""What the SQL needs from a loaded pack, and what it refuses: the one adapter over engine internals.

`sql_plan` reads today's `Program` (definitions, dependency graph, parsed
alert templates). When the backend-neutral plan lands, only this function
changes. Constructs the SQL backend cannot compute yet are refused here, at
load time, each located at the formula text that uses it: a refused pack is
never computed differently.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from ...alerts import Template
from ...errors import PackError, Problem
from ...functions import FUNCTIONS
from ...graph import (
    all_dependencies_graph,
    closure,
    find_cycles,
    references,
    same_period_graph,
    topological_order,
)
from ...model import KpiDef
from ...nodes import Binary, Call, Node, Number, integer_literal, walk
from ...periods import Frequency
from ...program import Program
from .dialect import SCALE

SUPPORTED_FREQUENCIES = (Frequency.MONTHLY, Frequency.QUARTERLY, Frequency.YEARLY)
ALERT_WORDS = ("value", "target", "gap")  # names an alert condition reads as its own KPI's
RECURSIVE_TIME = ("prev", "lag")  # how a roll-forward may read its own past: one period back
MAX_POWER = 64


@dataclass(frozen=True)
class AlertSpec:
    """One alert rule: its condition, severity and message template per language."""

    condition: Node
    severity: str
    messages: Mapping[str, Template]


@dataclass(frozen=True)
class KpiSpec:
    """A KPI as the SQL computes it."""

    name: str
    formula: Node
    frequency: Frequency
    target: Node | None
    direction: str
    owner: str
    unit: str
    definition: KpiDef  # for its label in messages
    alerts: tuple[AlertSpec, ...]

    def fields(self) -> list[str]:
        """Every name its alert messages show that is not one of the KPI's own fields."""
        own = {"value", "target", "gap", "period", "entity", "kpi", "owner", "unit", "severity", "label"}
        found = (field for alert in self.alerts for template in alert.messages.values() for _, field, _ in template if field)
        return list(dict.fromkeys(f for f in found if f not in own))


@dataclass(frozen=True)
class SqlPlan:
    """Inputs and their roll-up rules, KPIs in definition order, what is reported at each frequency."""

    inputs: Mapping[str, str]  # input -> roll-up rule
    input_units: Mapping[str, str]
    kpis: Mapping[str, KpiSpec]
    reported: Mapping[Frequency, tuple[str, ...]]
    order: tuple[str, ...]  # every KPI, same-period dependencies first
    groups: tuple[frozenset[str], ...]  # KPIs that read each other's past (roll-forwards), one group each
    every: Mapping[str, list[str]]  # KPI -> KPIs it reads at any period

    def needed(self, kpis: list[str]) -> set[str]:
        """These KPIs and every KPI their formulas, targets, alert conditions and messages read."""
        roots = set(kpis)
        for name in kpis:
            spec = self.kpis[name]
            extra = [spec.target] if spec.target else []
            extra += [alert.condition for alert in spec.alerts]
            roots |= {r.name for node in extra for r in references(node) if r.name in self.kpis}
            roots |= {field for field in spec.fields() if field in self.kpis}
        return closure(self.every, roots)


def sql_plan(program: Program) -> SqlPlan:
    """The plan of `program`; PackError listing every construct the SQL backend refuses, located."""
    definitions = program.definitions
    every = all_dependencies_graph(definitions)
    groups = tuple(frozenset(cycle) for cycle in find_cycles(every))
    problems = [p for kpi in definitions.kpis.values() for p in _refusals(kpi, groups, set(definitions.kpis))]
    if problems:
        raise PackError(problems)
    kpis = {
        name: KpiSpec(
            name,
            kpi.formula.node,
            kpi.frequency,
            kpi.target.node if kpi.target else None,
            kpi.direction,
            kpi.owner,
            kpi.unit,
            kpi,
            tuple(AlertSpec(c.rule.when.node, c.rule.severity, c.messages) for c in program.kpis[name].alerts),
        )
        for name, kpi in definitions.kpis.items()
    }
    return SqlPlan(
        inputs={name: spec.rollup for name, spec in definitions.inputs.items()},
        input_units={name: spec.unit for name, spec in definitions.inputs.items()},
        kpis=kpis,
        reported=dict(program.reported),
        order=tuple(topological_order(same_period_graph(definitions))),
        groups=tuple(frozenset(group) for group in groups),
        every=every,
    )


def _refusals(kpi: KpiDef, groups: tuple[frozenset[str], ...], kpis: set[str]) -> list[Problem]:
    problems = []
    if kpi.frequency not in SUPPORTED_FREQUENCIES:
        problems.append(Problem(kpi.location, f"KPI '{kpi.name}': the SQL backend does not compute {kpi.frequency} KPIs yet (monthly, quarterly and yearly only)"))
    group = next((g for g in groups if kpi.name in g), frozenset())
    formulas = [kpi.formula] + ([kpi.target] if kpi.target else []) + [rule.when for rule in kpi.alerts]
    for formula in formulas:
        for node in walk(formula.node):
            problem = _refusal(node, group if formula is kpi.formula else frozenset(), kpis)
            if problem:
                problems.append(Problem(formula.locate(node.span.start), f"{problem}: the SQL backend refuses it (use the python backend)"))
    return problems


def _refusal(node: Node, group: frozenset[str], kpis: set[str]) -> str | None:
    """Why the SQL backend cannot compute `node` yet, or None."""
    if isinstance(node, Number) and not _fits(node.value):
        return f"the number {node.text} has more than {SCALE} decimals or is too large"
    if isinstance(node, Binary) and node.op == "^":
        exponent = integer_literal(node.right)
        if exponent is None or abs(exponent) > MAX_POWER:
            return f"a power whose exponent is not a whole number between -{MAX_POWER} and {MAX_POWER} written literally"
    if isinstance(node, Call) and node.func == "round" and len(node.args) > 1 and (integer_literal(node.args[1]) or 0) < SCALE - 38:
        return f"round to fewer than {SCALE - 38} decimals"
    if isinstance(node, Call) and _is_time(node):
        if any(_is_time(inner) for arg in node.args for inner in walk(arg) if isinstance(inner, Call)):
            return f"the time function {node.func}() applied to another time function"
        reads_group = group and any(r.name in group for r in references(node.args[0]))
        steps = integer_literal(node.args[1]) if node.func == "lag" else 1
        if group and (node.func not in RECURSIVE_TIME or steps != 1 or not reads_group):
            return f"the time function {node.func}() in a KPI that reads its own previous value (only prev() or lag(x, 1) of it)"
    return None


def _is_time(node: Call) -> bool:
    function = FUNCTIONS.get(node.func)
    return bool(function and function.is_time)


def _fits(value: Decimal) -> bool:
    scaled = value.scaleb(SCALE)
    return scaled == scaled.to_integral_value() and abs(scaled) < 10**38


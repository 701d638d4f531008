"""The explain trace of the Python backend: a KPI's formula run again with a tracer around every node.

The formula is compiled again with a tracer and run on a frame of a run of
its own (nothing shared is computed or changed), so the values shown are
produced by the same closures as the evaluation itself, not by a second
interpreter. KPIs used by the formula are expanded in turn, down to the
inputs; an input read from a ledger down to its accounts and amounts, and a
group's consolidated input down to each member's value (a member group's in
turn) and the group's own entries, which sum to it. Inside a scenario read
(`budget(x)`), x is expanded on the frame of that scenario, and each KPI and
input there is marked with the scenario.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal, localcontext
from typing import Any

from ...errors import Undefined
from ...explain import ExplainNode, Observation
from ...facts import ACTUAL, AuditLine, EntityFacts
from ...functions import SCENARIOS, Compiled
from ...model import Consolidation, Missing, Rollup
from ...nodes import Call, Name, Node, Number, children, to_text
from ...numbers import DECIMAL_CONTEXT
from ...periods import Period
from ...plan import PlannedInput
from .consolidation import GroupRun
from .evaluator import EntityRun, Frame

Records = dict[int, list[Observation]]  # id(node) -> what it gave, at each period it was computed


def trace(frame: Frame, kpi: str, max_depth: int = 8) -> ExplainNode:
    """The computation tree of `kpi` at `frame` (a frame of a private run: tracing computes on it)."""
    with localcontext(DECIMAL_CONTEXT):
        return _explain_kpi(frame, kpi, max_depth)


def _explain_kpi(frame: Frame, kpi: str, depth: int) -> ExplainNode:
    program = frame.run.program
    planned = program.plan.kpis[kpi]
    records: Records = defaultdict(list)

    def tracer(node: Node, compiled: Compiled) -> Compiled:
        def traced(current: Any) -> Any:
            try:
                value = compiled(current)
            except Undefined as undefined:
                records[id(node)].append(Observation(current.period, None, undefined.cause))
                raise
            records[id(node)].append(Observation(current.period, value))
            return value

        return traced

    with contextlib.suppress(Undefined):  # an undefined formula is traced too: the tree says why
        program.compile_traced(planned.formula, tracer)(frame)
    formula = _tree(frame, planned.formula, records, depth)
    own = Observation(frame.period, frame.value(kpi), frame.reasons.get(kpi))
    return ExplainNode(kpi, "kpi", (own,), (formula,), planned.unit, _scenario(frame))


def _scenario(frame: Frame) -> str | None:
    return None if frame.run.scenario == ACTUAL else frame.run.scenario


def _tree(frame: Frame, node: Node, records: Records, depth: int) -> ExplainNode:
    plan = frame.run.program.plan
    observations = tuple(records.get(id(node), ()))
    match node:
        case Name(id=name) if name in plan.kpis:
            here = all(o.period == frame.period for o in observations)
            if depth > 1 and observations and here:
                return _explain_kpi(frame, name, depth - 1)
            return ExplainNode(name, "kpi", observations, (), plan.kpis[name].unit, _scenario(frame))
        case Name(id=name):
            unit = plan.inputs[name].unit
            return ExplainNode(name, "input", observations, _parts(frame.run, name, observations, frame.period, unit), unit, _scenario(frame))
        case Number():
            return ExplainNode(to_text(node), "number", observations)
        case Call(func=func) if func in SCENARIOS:
            frame = _under(frame, func)
    kind = "function" if isinstance(node, Call) else "operation"
    subtrees = tuple(_tree(frame, child, records, depth) for child in children(node))
    return ExplainNode(to_text(node), kind, observations, subtrees)


def _under(frame: Frame, scenario: str) -> Frame:
    """The frame of the same period under `scenario`, where its argument was computed (itself when the
    scenario has no figures: the argument was then never computed, and shows as not evaluated)."""
    try:
        return frame.run.under(scenario).scenario_frame(frame.period)
    except Undefined:
        return frame


def _parts(run: EntityRun, name: str, observations: tuple[Observation, ...], period: Period, unit: str) -> tuple[ExplainNode, ...]:
    """What made an input read at `period` (the frame's): a group's members and own entries, a ledger's accounts, or nothing."""
    if not observations or observations[-1].period != period:
        return ()
    planned = run.program.plan.inputs[name]
    if isinstance(run, GroupRun) and planned.consolidation is not Consolidation.NONE:
        return _members(run, name, period, unit)
    return _accounts(run.facts, name, planned, observations[-1], unit)


def _members(group: GroupRun, name: str, period: Period, unit: str) -> tuple[ExplainNode, ...]:
    """Each member's value of a consolidated input, then the group's own entries when they add something (or
    cannot be read at this period): they sum to the group's value."""
    nodes = [_member(member, name, period, unit) for member in group.members]
    own = _observed(lambda: group.adjustment(name, period), period)
    if own.value != 0:
        nodes.append(ExplainNode("", "group_entries", (own,), (), unit))
    return tuple(nodes)


def _member(member: EntityRun, name: str, period: Period, unit: str) -> ExplainNode:
    observation = _observed(lambda: member.rolled_up(name, period), period)
    parts = _parts(member, name, (observation,), period, unit)
    return ExplainNode(member.entity or "", "member", (observation,), parts, unit, entity=member.entity, is_group=member.is_group)


def _observed(read: Callable[[], Decimal], period: Period) -> Observation:
    try:
        return Observation(period, read())
    except Undefined as undefined:
        return Observation(period, None, undefined.cause)


def _accounts(facts: EntityFacts, name: str, planned: PlannedInput, observation: Observation, unit: str) -> tuple[ExplainNode, ...]:
    """The accounts that made an input read at the observation's period, when a ledger gave it (else nothing)."""
    period = observation.period
    lines = _audit(facts, name, planned.rollup, period)
    if lines is None:
        given = name in facts.by_period.get(period, {})
        zero = planned.missing is Missing.ZERO and not given and observation.value == 0
        return (ExplainNode("", "zero_by_default", (observation,), (), unit),) if zero else ()
    if not lines:
        return (ExplainNode("", "no_entry", (Observation(period, Decimal(0)),), (), unit),)
    return tuple(_account(line, period, unit) for line in lines)


def _account(line: AuditLine, period: Period, unit: str) -> ExplainNode:
    parts = () if line.opening is None else (
        ExplainNode("", "opening", (Observation(period, line.opening),), (), unit),
        ExplainNode("", "movements", (Observation(period, line.movements),), (), unit),
    )
    return ExplainNode(f"{line.account} {line.label}".strip(), "account", (Observation(period, line.amount),), parts, unit)


def _audit(facts: EntityFacts, name: str, rollup: Rollup, period: Period) -> tuple[AuditLine, ...] | None:
    """The accounts of a ledger fact at `period`, or of the months it is rolled up from (summed per
    account for a flow, the last month's for a balance); None when any part did not come from a ledger."""
    lines = facts.details.get((name, period))
    if lines is not None or name in facts.by_period.get(period, {}):
        return lines
    children = period.children()
    if not children or rollup is Rollup.AVG:
        return None
    if rollup is Rollup.LAST:
        return _audit(facts, name, rollup, children[-1])
    parts = [_audit(facts, name, rollup, child) for child in children]
    if any(part is None for part in parts):
        return None
    totals: dict[tuple[str, str], Decimal] = {}
    for part in parts:
        for line in part or ():
            totals[(line.account, line.label)] = totals.get((line.account, line.label), Decimal(0)) + line.amount
    return tuple(AuditLine(account, label, amount) for (account, label), amount in sorted(totals.items()) if amount)

"""How a number was obtained: a KPI's formula as a tree, each node with its value.

The formula is compiled again with a tracer around every node and run on the
evaluated frame, so the values shown are produced by the same closures as the
evaluation itself, not by a second interpreter. KPIs used by the formula are
expanded in turn, down to the inputs, so a controller can audit every step.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import localcontext
from typing import Any

from .errors import Undefined
from .evaluator import Evaluation, Frame
from .nodes import Call, Name, Node, Number, children, to_text
from .numbers import DECIMAL_CONTEXT
from .periods import Period
from .reasons import Reason


@dataclass(frozen=True)
class Observation:
    """A node's value at one period, or why it is undefined."""

    period: Period
    value: Any  # Decimal, bool, or None when undefined
    reason: Reason | None = None  # why the value is undefined


@dataclass(frozen=True)
class ExplainNode:
    """One step of a computation: `kind` is kpi, input, number, operation or function."""

    text: str
    kind: str
    observations: tuple[Observation, ...]
    children: tuple[ExplainNode, ...] = ()
    unit: str = ""

    @property
    def value(self) -> Any:
        return self.observations[-1].value if self.observations else None


def explain(evaluation: Evaluation, kpi: str, period: Period, entity: str | None = None, max_depth: int = 8) -> ExplainNode:
    """The computation tree of `kpi` at `period` for `entity`; KeyError when that was not evaluated."""
    frame = evaluation.frame(period, entity)
    with localcontext(DECIMAL_CONTEXT):
        return _explain_kpi(evaluation, frame, kpi, max_depth)


def _explain_kpi(evaluation: Evaluation, frame: Frame, kpi: str, depth: int) -> ExplainNode:
    program = evaluation.program
    definition = program.kpis[kpi].definition
    records: dict[int, list[Observation]] = defaultdict(list)

    def tracer(node: Node, compiled):
        def traced(current):
            try:
                value = compiled(current)
            except Undefined as undefined:
                records[id(node)].append(Observation(current.period, None, undefined.cause))
                raise
            records[id(node)].append(Observation(current.period, value))
            return value

        return traced

    try:
        program.compile_traced(definition.formula, tracer)(frame)
    except Undefined:
        pass
    formula = _tree(evaluation, frame, definition.formula.node, records, depth)
    own = Observation(frame.period, frame.value(kpi), frame.reasons.get(kpi))
    return ExplainNode(kpi, "kpi", (own,), (formula,), definition.unit)


def _tree(evaluation: Evaluation, frame: Frame, node: Node, records, depth: int) -> ExplainNode:
    definitions = evaluation.program.definitions
    observations = tuple(records.get(id(node), ()))
    match node:
        case Name(id=name) if name in definitions.kpis:
            here = all(o.period == frame.period for o in observations)
            if depth > 1 and observations and here:
                return _explain_kpi(evaluation, frame, name, depth - 1)
            return ExplainNode(name, "kpi", observations, (), definitions.kpis[name].unit)
        case Name(id=name):
            return ExplainNode(name, "input", observations, (), definitions.inputs[name].unit)
        case Number():
            return ExplainNode(to_text(node), "number", observations)
    kind = "function" if isinstance(node, Call) else "operation"
    subtrees = tuple(_tree(evaluation, frame, child, records, depth) for child in children(node))
    return ExplainNode(to_text(node), kind, observations, subtrees)

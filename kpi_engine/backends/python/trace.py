"""The explain trace of the Python backend: a KPI's formula run again with a tracer around every node.

The formula is compiled again with a tracer and run on a frame of a run of
its own (nothing shared is computed or changed), so the values shown are
produced by the same closures as the evaluation itself, not by a second
interpreter. KPIs used by the formula are expanded in turn, down to the
inputs.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from decimal import localcontext
from typing import Any

from ...errors import Undefined
from ...explain import ExplainNode, Observation
from ...functions import Compiled
from ...nodes import Call, Name, Node, Number, children, to_text
from ...numbers import DECIMAL_CONTEXT
from .evaluator import Frame

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
    return ExplainNode(kpi, "kpi", (own,), (formula,), planned.unit)


def _tree(frame: Frame, node: Node, records: Records, depth: int) -> ExplainNode:
    plan = frame.run.program.plan
    observations = tuple(records.get(id(node), ()))
    match node:
        case Name(id=name) if name in plan.kpis:
            here = all(o.period == frame.period for o in observations)
            if depth > 1 and observations and here:
                return _explain_kpi(frame, name, depth - 1)
            return ExplainNode(name, "kpi", observations, (), plan.kpis[name].unit)
        case Name(id=name):
            return ExplainNode(name, "input", observations, (), plan.inputs[name].unit)
        case Number():
            return ExplainNode(to_text(node), "number", observations)
    kind = "function" if isinstance(node, Call) else "operation"
    subtrees = tuple(_tree(frame, child, records, depth) for child in children(node))
    return ExplainNode(to_text(node), kind, observations, subtrees)

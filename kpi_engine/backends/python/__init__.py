"""The Python backend: the plan's formulas compiled into closures and run frame by frame.

`compiler` turns an AST into closures, `program` compiles a whole plan,
`evaluator` runs a program over facts, `consolidation` makes a group's
inputs from its members', `trace` reruns one formula with a tracer for
explain. Exact decimals throughout (`numbers.DECIMAL_CONTEXT`).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal, localcontext

from ...explain import ExplainNode
from ...facts import Entity, Facts
from ...formatting import Language
from ...numbers import DECIMAL_CONTEXT
from ...periods import Period
from ...plan import Plan
from ...results import EVERYTHING, EntityEvaluation, Selection, lookup_error
from .consolidation import entity_run, entity_runs
from .evaluator import (
    Frame,
    PythonEvaluation,
    computed,
    covered_frame,
    evaluate,
    evaluate_entities,
)
from .program import Program, compile_program
from .trace import trace


class PythonBackend:
    """The `Backend` of closures: the plan is compiled once, when the backend is made (at pack load)."""

    name = "python"

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.program: Program = compile_program(plan)

    def evaluate(self, facts: Facts, selection: Selection = EVERYTHING, lang: Language = "fr") -> PythonEvaluation:
        return evaluate(self.program, entity_runs(self.program, facts, selection), selection, lang)

    def evaluate_iter(self, facts: Facts, selection: Selection = EVERYTHING, lang: Language = "fr") -> Iterator[EntityEvaluation]:
        return evaluate_entities(entity_runs(self.program, facts, selection), selection, lang)

    def value(self, facts: Facts, kpi: str, period: Period, entity: Entity = None) -> Decimal | bool | None:
        with localcontext(DECIMAL_CONTEXT):
            value: Decimal | bool | None = self._frame(facts, kpi, period, entity).value(kpi)
            return value

    def trace(self, facts: Facts, kpi: str, period: Period, entity: Entity = None, max_depth: int = 8) -> ExplainNode:
        return trace(self._frame(facts, kpi, period, entity), kpi, max_depth)

    def _frame(self, facts: Facts, kpi: str, period: Period, entity: Entity) -> Frame:
        """`entity` at `period` in a run of its own, every scheduled KPI computed; KeyError for an unknown KPI or entity, or a period not covered."""
        if entity not in facts.entities and entity not in self.plan.groups:
            raise lookup_error("entity", entity or "", [e for e in [*facts.entities, *self.plan.groups] if e is not None])
        if kpi not in self.plan.kpis and kpi not in self.plan.inputs:
            raise lookup_error("KPI", kpi, self.plan.kpis)
        with localcontext(DECIMAL_CONTEXT):
            return covered_frame(computed(entity_run(self.program, facts, entity)), period)

"""What every question starts from: the KPI asked about, evaluated at the period asked.

The analyses read their values off the engine's own evaluation (a frame), and check
that each exact answer agrees with what the engine computes.
"""

from __future__ import annotations

from decimal import Decimal, localcontext
from fractions import Fraction

from ..backends.python.evaluator import Frame, PythonEvaluation
from ..errors import did_you_mean
from ..facts import Entity, Facts
from ..model import Definitions, KpiDef
from ..numbers import DECIMAL_CONTEXT
from ..pack import Pack
from ..periods import Period
from ..results import Selection
from . import rationals
from .errors import AnalysisError, PeriodError
from .symbolic import Expansion

CHECK_TOLERANCE = Decimal("1e-15")  # relative: a solution's re-evaluated KPI may differ by rounding only


def evaluated(pack: Pack, facts: Facts, kpi: str, period: Period, entity: Entity) -> tuple[PythonEvaluation, Frame]:
    """The pack evaluated by the python backend, whose frames `symbolic` reads with the engine's closures,
    and the frame of `entity` at `period` (a period of the KPI's frequency)."""
    definition = known_kpi(pack.definitions, kpi)
    evaluation = pack.backend("python").evaluate(facts, Selection(entity=entity, all_entities=False), "en")
    if not isinstance(evaluation, PythonEvaluation):
        raise TypeError("the python backend gives a PythonEvaluation")
    return evaluation, frame_at(evaluation, definition, period, entity, facts)


def frame_at(evaluation: PythonEvaluation, definition: KpiDef, period: Period, entity: Entity, facts: Facts) -> Frame:
    """The evaluated frame at `period`; PeriodError when the KPI is not evaluated there."""
    if period.frequency is not definition.frequency:
        raise PeriodError(f"{definition.name} is {definition.frequency}: give a {definition.frequency} period, not {period}", period)
    try:
        return evaluation.frame(period, entity)
    except KeyError:
        raise PeriodError(f"the facts do not cover {period}: they run from {facts.span()}", period) from None


def known_kpi(definitions: Definitions, kpi: str) -> KpiDef:
    """The definition of `kpi`; an unknown name is an AnalysisError with a suggestion."""
    if kpi not in definitions.kpis:
        raise AnalysisError(f"unknown KPI '{kpi}'{did_you_mean(kpi, definitions.kpis)}")
    return definitions.kpis[kpi]


def refuse_opaque(expansion: Expansion) -> None:
    """Refuse a question that needs an exact form when a function in the expansion has none, saying why."""
    if expansion.opaque:
        raise AnalysisError("; ".join(f"{expansion.kpi}: {reason}" for reason in expansion.opaque.values()))


def agrees(exact: Fraction, engine_value: Decimal | None, kpi: str, period: Period) -> None:
    """Nothing silently wrong: an exact value that the engine does not confirm is an AnalysisError."""
    if engine_value is None:
        raise AnalysisError(f"{kpi} is undefined at {period}: nothing to explain")
    with localcontext(DECIMAL_CONTEXT):
        if abs(rationals.fraction_to_decimal(exact) - engine_value) > CHECK_TOLERANCE * max(abs(engine_value), Decimal(1)):
            raise AnalysisError(f"{kpi} at {period}: the expanded formula gives {rationals.fraction_to_decimal(exact)}, the engine {engine_value}")

"""Sensitivity: which lever matters most, as partial derivatives and elasticities at a period."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from ..facts import Entity, Facts
from ..limits import Limits
from ..pack import Pack
from ..periods import Period
from . import algebra, printing, rationals, symbolic
from .budget import deadline
from .errors import AnalysisError, Said
from .frames import agrees, evaluated, group_notes, in_calendar, refuse_opaque

Point = Mapping[Any, Decimal]  # a sympy symbol -> its value at the period asked


@dataclass(frozen=True)
class Lever:
    """One variable of a KPI: its value, ∂KPI/∂variable there and the elasticity (∂K/∂x · x/K)."""

    name: str
    kind: str  # "input", or "earlier period" for a value held from an earlier period
    value: Decimal
    derivative: Decimal | None
    elasticity: Decimal | None
    formula: str  # the partial derivative as a formula
    note: Said = field(default_factory=Said)


@dataclass(frozen=True)
class Sensitivity:
    """A KPI's levers at one period, ranked by the size of their elasticity."""

    kpi: str
    period: Period
    entity: Entity
    value: Decimal
    levers: tuple[Lever, ...]  # by decreasing |elasticity|, those without one last
    notes: tuple[Said, ...] = ()


def sensitivity(pack: Pack, facts: Facts, kpi: str, period: Period, entity: Entity = None, limits: Limits = Limits()) -> Sensitivity:
    """Partial derivative and elasticity of `kpi` for each variable it depends on, at `period`;
    TooComplex beyond the analysis budget of `limits`."""
    definitions = pack.definitions
    period = in_calendar(pack, period)
    _, frame = evaluated(pack, facts, kpi, period, entity)
    with deadline(limits, f"the sensitivity of {kpi}", f"la sensibilité de {kpi}"):
        expansion = symbolic.expand(definitions, kpi, frame, limits)
        refuse_opaque(expansion)
        values = symbolic.values_at(expansion, definitions, frame)
        point = {expansion.symbol(n): v for n, v in values.items()}
        value = _exact_value(expansion, point, frame, kpi)
        levers = [_lever(expansion, name, values[name], point, value) for name in expansion.variables]
    levers.sort(key=_rank)
    return Sensitivity(kpi, period, entity, rationals.fraction_to_decimal(value), tuple(levers), (*group_notes(pack, entity), *expansion.notes))


def _lever(expansion: symbolic.Expansion, name: str, x: Decimal, point: Point, value: Fraction) -> Lever:
    kind = "input" if name in expansion.inputs else "earlier period"
    slope = algebra.derivative(expansion.expr, expansion.symbol(name))
    formula = printing.formula_text(slope)
    exact = rationals.to_fraction(rationals.substitute(slope, point))
    if exact is None:
        return Lever(name, kind, x, None, None, formula, Said("not differentiable at these values", "non dérivable en ces valeurs"))
    if not value:
        no_elasticity = Said("no elasticity: the KPI is 0", "pas d'élasticité : l'indicateur vaut 0")
        return Lever(name, kind, x, rationals.fraction_to_decimal(exact), None, formula, no_elasticity)
    elasticity = exact * Fraction(x) / value
    return Lever(name, kind, x, rationals.fraction_to_decimal(exact), rationals.fraction_to_decimal(elasticity), formula)


def _rank(lever: Lever) -> tuple[int, Decimal, str]:
    if lever.elasticity is not None:
        return (0, -abs(lever.elasticity), lever.name)
    return (1, -abs(lever.derivative or Decimal(0)), lever.name)


def _exact_value(expansion: symbolic.Expansion, point: Point, frame: Any, kpi: str) -> Fraction:
    value = rationals.to_fraction(rationals.substitute(expansion.expr, point))
    if value is None:
        cause = frame.reasons.get(kpi)
        raise AnalysisError(
            f"{kpi} is undefined at {frame.period} with these values: {cause or 'division by zero'}",
            french=f"{kpi} est indéfini pour {frame.period} avec ces valeurs : {cause.text('fr') if cause else 'division par zéro'}",
        )
    agrees(value, frame.value(kpi), kpi, frame.period)
    return value

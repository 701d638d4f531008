"""Variance bridges: a KPI's change between two periods split into exact Shapley contributions.

The contributions add up to the change exactly, as fractions; docs/analysis.md gives the method.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from math import factorial
from typing import Any

from ..facts import Entity, Facts
from ..formatting import frequency_word
from ..limits import Limits
from ..model import Definitions
from ..pack import Pack
from ..periods import Period
from . import algebra, printing, rationals, symbolic
from .budget import check_terms, deadline
from .errors import AnalysisError, PeriodError, Said
from .frames import agrees, evaluated, frame_at, group_notes, in_calendar

MAX_PLAYERS = 20  # a Shapley group of n changed variables costs 2^n exact evaluations


@dataclass(frozen=True)
class Contribution:
    """One input's exact share of a KPI's change between two periods (its Shapley value)."""

    name: str
    kind: str  # "input" or "earlier period"
    before: Decimal
    after: Decimal
    exact: Fraction  # the Shapley value: contributions sum exactly to the change

    @property
    def value(self) -> Decimal:
        return rationals.fraction_to_decimal(self.exact)


@dataclass(frozen=True)
class Bridge:
    """A KPI's change between two periods, split into contributions that add up exactly to it."""

    kpi: str
    entity: Entity
    start: Period
    end: Period
    before: Fraction
    after: Fraction
    contributions: tuple[Contribution, ...]  # in formula order
    notes: tuple[Said, ...] = ()

    @property
    def change(self) -> Fraction:
        return self.after - self.before


def explain_change(
    pack: Pack, facts: Facts, kpi: str, start: Period, end: Period, entity: Entity = None, limits: Limits = Limits()
) -> Bridge:
    """`kpi`'s change from `start` to `end`, split exactly into one Shapley contribution per variable;
    TooComplex beyond the analysis budget of `limits`."""
    definitions = pack.definitions
    start, end = in_calendar(pack, start), in_calendar(pack, end)
    if start.frequency is not end.frequency:  # a quarter against a month compares amounts of different lengths
        raise PeriodError(
            f"compare periods of one length: {start} is {start.frequency}, {end} is {end.frequency}",
            end,
            f"comparez des périodes de même durée : {start} est {frequency_word(start.frequency, 'fr')}, {end} est {frequency_word(end.frequency, 'fr')}",
        )
    evaluation, before_frame = evaluated(pack, facts, kpi, start, entity)
    after_frame = frame_at(evaluation, definitions.kpis[kpi], end, entity, facts)
    with deadline(limits, f"the change of {kpi}", f"la variation de {kpi}"):
        bridge = _bridge(definitions, kpi, (start, before_frame), (end, after_frame), entity, limits)
    return replace(bridge, notes=(*group_notes(pack, entity), *bridge.notes))


def _bridge(definitions: Definitions, kpi: str, earlier: tuple[Period, Any], later: tuple[Period, Any], entity: Entity, limits: Limits) -> Bridge:
    (start, before_frame), (end, after_frame) = earlier, later
    first, second = symbolic.expand(definitions, kpi, before_frame, limits), symbolic.expand(definitions, kpi, after_frame, limits)
    if first.expr != second.expr:
        notes = (*first.notes, *second.notes)
        why, pourquoi = "; ".join(str(n) for n in notes) or "its expansion differs", " ; ".join(n.fr for n in notes) or "son développement diffère"
        raise AnalysisError(
            f"{kpi} is not the same formula at {start} and {end}: {why}", french=f"{kpi} n'a pas la même formule pour {start} et pour {end} : {pourquoi}"
        )
    old, new = symbolic.values_at(first, definitions, before_frame), symbolic.values_at(second, definitions, after_frame)
    symbols = tuple(first.symbol(n) for n in first.variables)
    evaluate = rationals.exact_function(first.expr, symbols)
    before = _at(evaluate, [Fraction(old[n]) for n in first.variables], start)
    after = _at(evaluate, [Fraction(new[n]) for n in first.variables], end)
    agrees(before, before_frame.value(kpi), kpi, start)
    agrees(after, after_frame.value(kpi), kpi, end)
    check_terms(first.expr, limits, f"the change of {kpi}", f"la variation de {kpi}")
    shares = shapley(first.expr, symbols, [Fraction(old[n]) for n in first.variables], [Fraction(new[n]) for n in first.variables])
    contributions = tuple(
        Contribution(name, "input" if name in first.inputs else "earlier period", old[name], new[name], shares[index])
        for index, name in enumerate(first.variables)
    )
    if sum((c.exact for c in contributions), Fraction(0)) != after - before:  # Shapley efficiency holds exactly
        raise ArithmeticError("the contributions do not add up to the change")
    return Bridge(kpi, entity, start, end, before, after, contributions, (*first.notes, *second.notes))


def shapley(expr: Any, symbols: tuple[Any, ...], before: list[Fraction], after: list[Fraction]) -> list[Fraction]:
    """Exact Shapley values of each symbol moving from `before` to `after`.

    The game: v(S) = expr with the symbols in S at `after` and the others at
    `before`. Variables that do not change are null players (share 0) and are
    fixed; the expression is split into additive terms (the Shapley value is
    linear in the game) and each term is attributed among its own variables only,
    with the subset formula  φ_i = Σ_{S ⊆ N∖{i}} |S|! (n−|S|−1)! / n! · (v(S ∪ {i}) − v(S)).
    """
    moving = [i for i in range(len(symbols)) if before[i] != after[i]]
    fixed = {symbols[i]: before[i] for i in range(len(symbols)) if before[i] == after[i]}
    shares = [Fraction(0)] * len(symbols)
    groups: dict[tuple[int, ...], Any] = {}
    for term in algebra.additive_parts(rationals.substitute(expr, fixed) if fixed else expr):
        players = tuple(i for i in moving if symbols[i] in term.free_symbols)
        groups[players] = groups.get(players, 0) + term
    for players, term in groups.items():
        if not players:
            continue
        if len(players) > MAX_PLAYERS:
            raise AnalysisError(
                f"{len(players)} variables change together in one term: an exact attribution needs 2^{len(players)} evaluations",
                french=f"{len(players)} variables changent ensemble dans un même terme : une attribution exacte demande 2^{len(players)} évaluations",
            )
        for index, share in zip(players, _group_shapley(term, [symbols[i] for i in players], [before[i] for i in players], [after[i] for i in players])):
            shares[index] += share
    return shares


def _group_shapley(term: Any, symbols: list[Any], before: list[Fraction], after: list[Fraction]) -> list[Fraction]:
    n = len(symbols)
    evaluate = rationals.exact_function(term, tuple(symbols))
    worth = []
    for mask in range(1 << n):
        point = [after[j] if mask >> j & 1 else before[j] for j in range(n)]
        try:
            worth.append(Fraction(evaluate(point)))
        except ZeroDivisionError:
            mixed = ", ".join(f"{symbols[j]} at the {'later' if mask >> j & 1 else 'earlier'} value" for j in range(n))
            mixte = ", ".join(f"{symbols[j]} à sa valeur {'finale' if mask >> j & 1 else 'initiale'}" for j in range(n))
            term_text = printing.formula_text(term)
            raise AnalysisError(
                f"{term_text} divides by zero with {mixed}: no attribution", french=f"{term_text} divise par zéro avec {mixte} : pas d'attribution"
            ) from None
    weight = [Fraction(factorial(size) * factorial(n - size - 1), factorial(n)) for size in range(n)]
    shares = []
    for i in range(n):
        bit = 1 << i
        shares.append(sum((weight[mask.bit_count()] * (worth[mask | bit] - worth[mask]) for mask in range(1 << n) if not mask & bit), Fraction(0)))
    return shares


def _at(evaluate: rationals.ExactFunction, point: list[Fraction], period: Period) -> Fraction:
    try:
        return Fraction(evaluate(point))
    except ZeroDivisionError:
        raise AnalysisError(f"the formula divides by zero at {period}", french=f"la formule divise par zéro pour {period}") from None

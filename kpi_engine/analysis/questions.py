"""Questions a spreadsheet cannot answer: goal seek, sensitivities and variance bridges (lint is in `lint`).

Each answer is worked on a KPI's formula expanded down to inputs (`symbolic`),
with the other variables taken from the normal evaluation at the period asked,
and returned as a frozen dataclass. Goal seeking is checked by evaluating the
changed facts through the normal evaluator. A variance bridge is an exact
Shapley attribution whose contributions add up to the change as fractions.
See docs/analysis.md for the methods. `AnalysisError` says why a question
cannot be answered; nothing here prints or reads files.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, localcontext
from fractions import Fraction
from math import factorial
from typing import Any, NamedTuple

from ..backends.python.evaluator import Frame, PythonEvaluation
from ..errors import Undefined, did_you_mean
from ..facts import Entity, Fact, Facts
from ..model import Definitions, InputDef, KpiDef
from ..numbers import DECIMAL_CONTEXT
from ..pack import Pack
from ..periods import Period
from ..results import Selection
from . import symbolic as sym

MAX_PLAYERS = 20  # a Shapley group of n changed variables costs 2^n exact evaluations
CHECK_TOLERANCE = Decimal("1e-15")  # relative: a solution's re-evaluated KPI may differ by rounding only


class AnalysisError(sym.SymbolicError):
    """The question has no answer here; `reason` says why, in user words."""


class PeriodError(AnalysisError):
    """The question was asked about a period it cannot be asked about (wrong frequency, not covered)."""

    def __init__(self, reason: str, period: Period) -> None:
        super().__init__(reason)
        self.period = period


# --- formulas for humans -------------------------------------------------------------
class ExpandedFormula(NamedTuple):
    """A KPI's formula expanded down to inputs: plain text (formula language) and LaTeX."""

    text: str
    latex: str


def expanded_formula(pack: Pack, kpi: str) -> ExpandedFormula:
    """`kpi`'s formula through its same-period KPIs, down to inputs and values held from earlier periods."""
    _known_kpi(pack.definitions, kpi)
    expr = sym.expand(pack.definitions, kpi).expr
    return ExpandedFormula(sym.formula_text(expr), sym.formula_latex(expr))


# --- goal seek -------------------------------------------------------------------------
@dataclass(frozen=True)
class Solution:
    """One value of the varied input that meets the target, whether it is admissible, and its re-evaluation check."""

    value: Decimal
    exact: str  # sympy's exact value, e.g. "300000" or "200*sqrt(2)"
    admissible: bool  # within the input's declared min/max
    bound_note: str  # why not admissible
    checked_value: Decimal | None  # the KPI evaluated by the engine with the input at `value`
    check_ok: bool
    check_note: str = ""


SOLVED, SEVERAL, NO_SOLUTION, OUT_OF_BOUNDS, RANGE = "solved", "several", "no_solution", "out_of_bounds", "range"


@dataclass(frozen=True)
class GoalSeek:
    """The answer to 'what would it take': the solutions found, their status and how they were checked."""

    kpi: str
    input: str
    period: Period
    entity: Entity
    target: Decimal
    current_input: Decimal
    current_value: Decimal | None
    status: str  # solved, several, no_solution, out_of_bounds, range
    solutions: tuple[Solution, ...]
    solution_set: str  # sympy's set of real solutions, e.g. {300000} or Interval(5, oo)
    general: tuple[str, ...]  # the input as a formula of the other variables (no branches only)
    distribution: str  # how the value was written into the facts for the check
    notes: tuple[str, ...] = ()

    @property
    def found(self) -> bool:
        return any(s.admissible and s.check_ok for s in self.solutions)


def goal_seek(pack: Pack, facts: Facts, kpi: str, vary: str, period: Period, entity: Entity = None, target: Decimal | None = None) -> GoalSeek:
    """The value of input `vary` making `kpi` equal `target` (default: the KPI's own target) at `period`."""
    definitions = pack.definitions
    evaluation, frame = _evaluated(pack, facts, kpi, period, entity)
    if vary not in definitions.inputs:
        raise AnalysisError(f"'{vary}' is not an input: goal seek varies an input{did_you_mean(vary, definitions.inputs)}")
    expansion = sym.expand(definitions, kpi, frame)
    if vary not in expansion.inputs:
        raise AnalysisError(f"{kpi} does not depend on {vary} at its own period; it reads: {', '.join(expansion.variables)}")
    _refuse_opaque(expansion)
    if target is None:
        target = _own_target(frame, kpi)
    values = sym.values_at(expansion, definitions, frame)
    others = {expansion.symbol(n): v for n, v in values.items() if n != vary}
    symbol = sym.input_symbol(vary)
    found = sym.solve_at(sym.substitute(expansion.expr, others), symbol, target)
    general = tuple(f"{vary} = {sym.formula_text(g)}" for g in sym.solve_general(expansion, vary, target) if g.free_symbols)
    exact = sym.finite_values(found)
    if exact is None and not sym.is_interval_like(found):
        raise AnalysisError(f"sympy cannot solve {kpi} = {target} for {vary}: {sym.set_text(found)}")
    solutions, distribution = _checked_solutions(pack, facts, kpi, vary, period, entity, target, values[vary], exact or ())
    status = _status(exact, solutions)
    return GoalSeek(kpi, vary, period, entity, target, values[vary], frame.value(kpi), status, solutions,
                    sym.set_text(found), general, distribution, expansion.notes)


def _status(exact, solutions: tuple[Solution, ...]) -> str:
    if exact is None:
        return RANGE
    admissible = [s for s in solutions if s.admissible]
    if not solutions:
        return NO_SOLUTION
    if not admissible:
        return OUT_OF_BOUNDS
    return SOLVED if len(admissible) == 1 else SEVERAL


def _checked_solutions(pack, facts, kpi, vary, period, entity, target, current, exact) -> tuple[tuple[Solution, ...], str]:
    solutions, distribution = [], ""
    for value in exact:
        decimal = sym.to_decimal(value)
        if decimal is None:
            continue  # not a real number
        admissible, bound_note = _within(pack.inputs[vary], decimal)
        changed, distribution = with_input(facts, pack.definitions, entity, vary, period, decimal, current)
        checked = pack.evaluate(changed, entity=entity).value(kpi, period, entity)
        ok, note = _check(checked, target)
        solutions.append(Solution(decimal, sym.set_text(value), admissible, bound_note, checked, ok, note))
    return tuple(solutions), distribution


def _within(definition: InputDef, value: Decimal) -> tuple[bool, str]:
    if definition.minimum is not None and value < Decimal(str(definition.minimum)):
        return False, f"below the declared min {definition.minimum} of {definition.name}"
    if definition.maximum is not None and value > Decimal(str(definition.maximum)):
        return False, f"above the declared max {definition.maximum} of {definition.name}"
    return True, ""


def _check(checked: Decimal | None, target: Decimal) -> tuple[bool, str]:
    if checked is None:
        return False, "the KPI is undefined when re-evaluated with this value"
    with localcontext(DECIMAL_CONTEXT):
        gap = abs(checked - target)
        if gap <= CHECK_TOLERANCE * max(abs(target), Decimal(1)):
            return True, ""
        return False, f"re-evaluated at {checked}, {gap} away from the target"


def with_input(facts: Facts, definitions: Definitions, entity: Entity, name: str, period: Period, value: Decimal, current: Decimal) -> tuple[Facts, str]:
    """Facts where `name` rolls up to `value` at `period`, and how the change was spread.

    A fact given at `period` itself is replaced. Otherwise the finer facts it is
    rolled up from change: for `sum` and `avg` they are scaled proportionally
    (the month mix is kept; when they sum to 0 they are spread evenly), for `last`
    the last one is set. The last scaled fact absorbs rounding, so a sum is exact.
    `current` is the value `name` rolls up to now.
    """
    entity_facts = facts.entity(entity)
    leaves = _leaves(entity_facts.by_period, definitions, name, period)
    old = [entity_facts.by_period[leaf][name] for leaf in leaves]
    rule = definitions.inputs[name].rollup
    if len(leaves) == 1:
        new, how = [value], f"{name} set to {value:f} for {leaves[0]}"
    else:
        with localcontext(DECIMAL_CONTEXT):
            new, spread = _spread(old, current, value, rule)
        how = f"{name}'s {len(leaves)} {leaves[0].frequency} facts within {period} {spread} ({rule} roll-up)"
    replaced = dict(zip(leaves, new))
    records = (
        Fact(f.entity, f.name, f.period, replaced[f.period], f.location) if f.entity == entity and f.name == name and f.period in replaced else f
        for f in facts.facts()
    )
    return Facts.from_records(records), how


def _spread(old: list[Decimal], current: Decimal, value: Decimal, rule: str) -> tuple[list[Decimal], str]:
    """New leaf values rolling up to `value`; `current` is what they roll up to now."""
    if current:
        new = [o * value / current for o in old]
        how = "scaled proportionally"
    else:
        new = [value / len(old) if rule == "sum" else value] * len(old)
        how = "spread evenly"
    if rule == "sum":
        new[-1] = value - sum(new[:-1], Decimal(0))
    return new, how


def _leaves(by_period: Mapping[Period, Mapping[str, Decimal]], definitions: Definitions, name: str, period: Period) -> list[Period]:
    """The facts `name` at `period` is rolled up from, as the evaluator reads them."""
    if name in by_period.get(period, {}):
        return [period]
    children = period.children()
    if not children:
        raise AnalysisError(f"no fact of {name} makes up {period}")
    if definitions.inputs[name].rollup == "last":
        return _leaves(by_period, definitions, name, children[-1])
    return [leaf for child in children for leaf in _leaves(by_period, definitions, name, child)]


# --- sensitivity --------------------------------------------------------------------------
@dataclass(frozen=True)
class Lever:
    """One variable of a KPI: its value, ∂KPI/∂variable there and the elasticity (∂K/∂x · x/K)."""

    name: str
    kind: str  # "input", or "earlier period" for a value held from an earlier period
    value: Decimal
    derivative: Decimal | None
    elasticity: Decimal | None
    formula: str  # the partial derivative as a formula
    note: str = ""


@dataclass(frozen=True)
class Sensitivity:
    """A KPI's levers at one period, ranked by the size of their elasticity."""

    kpi: str
    period: Period
    entity: Entity
    value: Decimal
    levers: tuple[Lever, ...]  # by decreasing |elasticity|, those without one last
    notes: tuple[str, ...] = ()


def sensitivity(pack: Pack, facts: Facts, kpi: str, period: Period, entity: Entity = None) -> Sensitivity:
    """Partial derivative and elasticity of `kpi` for each variable it depends on, at `period`."""
    definitions = pack.definitions
    _, frame = _evaluated(pack, facts, kpi, period, entity)
    expansion = sym.expand(definitions, kpi, frame)
    _refuse_opaque(expansion)
    values = sym.values_at(expansion, definitions, frame)
    point = {expansion.symbol(n): v for n, v in values.items()}
    value = _exact_value(expansion, point, frame, kpi)
    levers = [_lever(expansion, name, values[name], point, value) for name in expansion.variables]
    levers.sort(key=_rank)
    return Sensitivity(kpi, period, entity, sym.fraction_to_decimal(value), tuple(levers), expansion.notes)


def _lever(expansion: sym.Expansion, name: str, x: Decimal, point, value: Fraction) -> Lever:
    kind = "input" if name in expansion.inputs else "earlier period"
    slope = sym.derivative(expansion.expr, expansion.symbol(name))
    formula = sym.formula_text(slope)
    exact = sym.to_fraction(sym.substitute(slope, point))
    if exact is None:
        return Lever(name, kind, x, None, None, formula, "not differentiable at these values")
    if not value:
        return Lever(name, kind, x, sym.fraction_to_decimal(exact), None, formula, "no elasticity: the KPI is 0")
    elasticity = exact * Fraction(x) / value
    return Lever(name, kind, x, sym.fraction_to_decimal(exact), sym.fraction_to_decimal(elasticity), formula)


def _rank(lever: Lever) -> tuple:
    if lever.elasticity is not None:
        return (0, -abs(lever.elasticity), lever.name)
    return (1, -abs(lever.derivative or 0), lever.name)


# --- variance bridge (Shapley attribution) --------------------------------------------------
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
        return sym.fraction_to_decimal(self.exact)


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
    notes: tuple[str, ...] = ()

    @property
    def change(self) -> Fraction:
        return self.after - self.before


def explain_change(pack: Pack, facts: Facts, kpi: str, start: Period, end: Period, entity: Entity = None) -> Bridge:
    """`kpi`'s change from `start` to `end`, split exactly into one Shapley contribution per variable."""
    definitions = pack.definitions
    evaluation, before_frame = _evaluated(pack, facts, kpi, start, entity)
    after_frame = _frame(evaluation, definitions.kpis[kpi], end, entity, facts)
    first, second = sym.expand(definitions, kpi, before_frame), sym.expand(definitions, kpi, after_frame)
    if first.expr != second.expr:
        notes = "; ".join((*first.notes, *second.notes)) or "its expansion differs"
        raise AnalysisError(f"{kpi} is not the same formula at {start} and {end}: {notes}")
    old, new = sym.values_at(first, definitions, before_frame), sym.values_at(second, definitions, after_frame)
    symbols = tuple(first.symbol(n) for n in first.variables)
    evaluate = sym.exact_function(first.expr, symbols)
    before = _at(evaluate, [Fraction(old[n]) for n in first.variables], start)
    after = _at(evaluate, [Fraction(new[n]) for n in first.variables], end)
    _agrees(before, before_frame.value(kpi), kpi, start)
    _agrees(after, after_frame.value(kpi), kpi, end)
    shares = shapley(first.expr, symbols, [Fraction(old[n]) for n in first.variables], [Fraction(new[n]) for n in first.variables])
    contributions = tuple(
        Contribution(name, "input" if name in first.inputs else "earlier period", old[name], new[name], shares[index])
        for index, name in enumerate(first.variables)
    )
    assert sum((c.exact for c in contributions), Fraction(0)) == after - before  # Shapley efficiency, exact
    return Bridge(kpi, entity, start, end, before, after, contributions, (*first.notes, *second.notes))


def shapley(expr: Any, symbols: tuple, before: list[Fraction], after: list[Fraction]) -> list[Fraction]:
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
    for term in sym.additive_parts(sym.substitute(expr, fixed) if fixed else expr):
        players = tuple(i for i in moving if symbols[i] in term.free_symbols)
        groups[players] = groups.get(players, 0) + term
    for players, term in groups.items():
        if not players:
            continue
        if len(players) > MAX_PLAYERS:
            raise AnalysisError(f"{len(players)} variables change together in one term: an exact attribution needs 2^{len(players)} evaluations")
        for index, share in zip(players, _group_shapley(term, [symbols[i] for i in players], [before[i] for i in players], [after[i] for i in players])):
            shares[index] += share
    return shares


def _group_shapley(term: Any, symbols: list, before: list[Fraction], after: list[Fraction]) -> list[Fraction]:
    n = len(symbols)
    evaluate = sym.exact_function(term, tuple(symbols))
    worth = []
    for mask in range(1 << n):
        point = [after[j] if mask >> j & 1 else before[j] for j in range(n)]
        try:
            worth.append(Fraction(evaluate(point)))
        except ZeroDivisionError:
            mixed = ", ".join(f"{symbols[j]} at the {'later' if mask >> j & 1 else 'earlier'} value" for j in range(n))
            raise AnalysisError(f"{sym.formula_text(term)} divides by zero with {mixed}: no attribution") from None
    weight = [Fraction(factorial(size) * factorial(n - size - 1), factorial(n)) for size in range(n)]
    shares = []
    for i in range(n):
        bit = 1 << i
        shares.append(sum((weight[bin(mask).count("1")] * (worth[mask | bit] - worth[mask]) for mask in range(1 << n) if not mask & bit), Fraction(0)))
    return shares


def _at(evaluate, point: list[Fraction], period: Period) -> Fraction:
    try:
        return Fraction(evaluate(point))
    except ZeroDivisionError:
        raise AnalysisError(f"the formula divides by zero at {period}") from None


def _agrees(exact: Fraction, evaluated: Decimal | None, kpi: str, period: Period) -> None:
    if evaluated is None:
        raise AnalysisError(f"{kpi} is undefined at {period}: nothing to explain")
    with localcontext(DECIMAL_CONTEXT):
        if abs(sym.fraction_to_decimal(exact) - evaluated) > CHECK_TOLERANCE * max(abs(evaluated), Decimal(1)):
            raise AnalysisError(f"{kpi} at {period}: the expanded formula gives {sym.fraction_to_decimal(exact)}, the engine {evaluated}")


# --- shared -------------------------------------------------------------------------------
def _evaluated(pack: Pack, facts: Facts, kpi: str, period: Period, entity: Entity) -> tuple[PythonEvaluation, Frame]:
    """An evaluation by the python backend, whose frames `symbolic` reads with the engine's closures, and the frame asked."""
    definition = _known_kpi(pack.definitions, kpi)
    evaluation = pack.backend("python").evaluate(facts, Selection(entity=entity, all_entities=False), "en")
    assert isinstance(evaluation, PythonEvaluation)  # the python backend's own evaluation, frames included
    return evaluation, _frame(evaluation, definition, period, entity, facts)


def _frame(evaluation: PythonEvaluation, definition: KpiDef, period: Period, entity: Entity, facts: Facts) -> Frame:
    if period.frequency is not definition.frequency:
        raise PeriodError(f"{definition.name} is {definition.frequency}: give a {definition.frequency} period, not {period}", period)
    try:
        return evaluation.frame(period, entity)
    except KeyError:
        raise PeriodError(f"the facts do not cover {period}: they run from {facts.span()}", period) from None


def _known_kpi(definitions: Definitions, kpi: str) -> KpiDef:
    if kpi not in definitions.kpis:
        raise AnalysisError(f"unknown KPI '{kpi}'{did_you_mean(kpi, definitions.kpis)}")
    return definitions.kpis[kpi]



def _refuse_opaque(expansion: sym.Expansion) -> None:
    if expansion.opaque:
        raise AnalysisError("; ".join(f"{expansion.kpi}: {reason}" for reason in expansion.opaque.values()))


def _own_target(frame, kpi: str) -> Decimal:
    try:
        target = frame.target(kpi)
    except Undefined as undefined:
        raise AnalysisError(f"{kpi} has a target that is undefined at {frame.period}: {undefined.reason}") from None
    if target is None:
        raise AnalysisError(f"{kpi} has no target: give one with --target")
    return target


def _exact_value(expansion: sym.Expansion, point, frame, kpi: str) -> Fraction:
    value = sym.to_fraction(sym.substitute(expansion.expr, point))
    if value is None:
        raise AnalysisError(f"{kpi} is undefined at {frame.period} with these values: {frame.reasons.get(kpi, 'division by zero')}")
    _agrees(value, frame.value(kpi), kpi, frame.period)
    return value

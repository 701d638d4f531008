"""Questions a spreadsheet cannot answer: goal seek, sensitivities, variance bridges, algebraic lint.

Each answer is worked on a KPI's formula expanded down to inputs (`symbolic`),
with the other variables taken from the normal evaluation at the period asked,
and returned as a frozen dataclass. Goal seeking is checked by evaluating the
changed facts through the normal evaluator. A variance bridge is an exact
Shapley attribution whose contributions add up to the change as fractions.
See docs/analysis.md for the methods. `AnalysisError` says why a question
cannot be answered; nothing here prints or reads files.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, localcontext
from fractions import Fraction
from math import factorial
from typing import Any, NamedTuple

from . import symbolic as sym
from .errors import Problem, Undefined, did_you_mean
from .evaluator import DECIMAL_CONTEXT, Evaluation
from .facts import Entity, Fact, Facts
from .graph import references
from .model import Definitions, Formula, InputDef, KpiDef
from .nodes import Binary, Call, Compare, Name, Node, Number, Unary, to_text, walk
from .pack import Pack
from .periods import Period

MAX_PLAYERS = 20  # a Shapley group of n changed variables costs 2^n exact evaluations
CHECK_TOLERANCE = Decimal("1e-15")  # relative: a solution's re-evaluated KPI may differ by rounding only


class AnalysisError(sym.SymbolicError):
    """The question has no answer here; `reason` says why, in user words."""


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
        raise AnalysisError(f"'{vary}' is not an input: goal seek varies an input{_hint(vary, definitions.inputs)}")
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
    after_frame = _frame(evaluation, definitions.kpis[kpi], end, entity)
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
def _evaluated(pack: Pack, facts: Facts, kpi: str, period: Period, entity: Entity) -> tuple[Evaluation, Any]:
    definition = _known_kpi(pack.definitions, kpi)
    evaluation = pack.evaluate(facts, entity=entity)
    return evaluation, _frame(evaluation, definition, period, entity)


def _frame(evaluation: Evaluation, definition: KpiDef, period: Period, entity: Entity):
    if period.frequency is not definition.frequency:
        raise AnalysisError(f"{definition.name} is {definition.frequency}: give a {definition.frequency} period, not {period}")
    try:
        return evaluation.frame(period, entity)
    except KeyError as error:
        raise AnalysisError(str(error.args[0])) from None


def _known_kpi(definitions: Definitions, kpi: str) -> KpiDef:
    if kpi not in definitions.kpis:
        raise AnalysisError(f"unknown KPI '{kpi}'{_hint(kpi, definitions.kpis)}")
    return definitions.kpis[kpi]


def _hint(word: str, choices) -> str:
    return did_you_mean(word, choices)


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


# --- lint with algebra ----------------------------------------------------------------------
def lint(pack: Pack) -> tuple[Problem, ...]:
    """Warnings the algebra finds, in file order: duplicates, formulas that simplify, divisions by an
    input declared able to be 0, and unit mismatches. Rules and their limits: docs/analysis.md."""
    definitions = pack.definitions
    expansions = {}
    for name in definitions.kpis:
        try:
            expansions[name] = sym.expand(definitions, name)
        except sym.SymbolicError:
            continue
    problems = [
        *_duplicates(definitions, expansions),
        *_simplifiable(definitions),
        *_zero_divisions(definitions),
        *_unit_problems(definitions),
    ]
    return tuple(sorted(dict.fromkeys(problems), key=lambda p: (p.location.file, p.location.line, p.location.column, p.message)))


def _warning(formula: Formula, offset: int, width: int, message: str) -> Problem:
    return Problem(formula.locate(offset), message, formula.snippet(offset, width), severity="warning")


def _duplicates(definitions: Definitions, expansions: Mapping[str, sym.Expansion]) -> Iterator[Problem]:
    """KPIs of one frequency equal once expanded. A random exact point groups candidates; simplify confirms."""
    generator = random.Random(20250101)  # fixed seed: lint is deterministic
    names = sorted({s for e in expansions.values() for s in e.expr.free_symbols}, key=str)
    points = [{s: Fraction(generator.randint(1, 10**6), generator.randint(1, 997)) for s in names} for _ in range(2)]
    groups: dict[tuple, list[str]] = {}
    for name, expansion in expansions.items():
        frequency = definitions.kpis[name].frequency
        fingerprint = tuple(str(sym.sample(expansion.expr, point)) for point in points)
        groups.setdefault((frequency, fingerprint), []).append(name)
    for members in groups.values():
        for index, later in enumerate(members[1:], start=1):
            first = next((m for m in members[:index] if sym.same_expression(expansions[m].expr, expansions[later].expr)), None)
            if first is not None:
                kpi = definitions.kpis[later]
                yield _warning(kpi.formula, 0, len(kpi.formula.text), f"KPI '{later}' is algebraically the same as '{first}' ({definitions.kpis[first].location}): a duplicate under another name?")


def _simplifiable(definitions: Definitions) -> Iterator[Problem]:
    """A formula, as written (KPIs it names kept as names), where a name cancels out (`a*b/b`, which
    sympy already reduces on conversion) or that `simplify` writes with fewer operations (count_ops)."""
    for name, kpi in definitions.kpis.items():
        try:
            written = sym.expand_node(_as_symbols(definitions), kpi.formula.node)
        except sym.SymbolicError:
            continue
        simpler = sym.simplified(written)
        lost = _names(kpi.formula.node) - {str(s) for s in simpler.free_symbols}
        if lost or sym.operation_count(simpler) < sym.operation_count(written):
            why = f" ({', '.join(sorted(lost))} cancel{'s' if len(lost) == 1 else ''} out)" if lost else ""
            yield _warning(kpi.formula, 0, len(kpi.formula.text), f"formula of '{name}' simplifies to {sym.formula_text(simpler)}{why}")


def _as_symbols(definitions: Definitions) -> Definitions:
    """Definitions where every KPI is an input, so a formula is converted as written, not expanded."""
    every = {**definitions.inputs, **{name: InputDef(name, "sum") for name in definitions.kpis}}
    return Definitions(every, {}, definitions.audiences, definitions.files)


def _names(node: Node) -> set[str]:
    """Names read at the formula's own period (a name inside prev() is a held value, not this one)."""
    return {r.name for r in references(node) if r.same_period}


def _zero_divisions(definitions: Definitions) -> Iterator[Problem]:
    """`x / input` where the input is declared able to be negative and so to cross 0 (see _may_be_zero)."""
    for name, kpi in definitions.kpis.items():
        for node in walk(kpi.formula.node):
            if isinstance(node, Binary) and node.op == "/" and isinstance(node.right, Name) and node.right.id in definitions.inputs:
                denominator = definitions.inputs[node.right.id]
                if _may_be_zero(denominator):
                    span = node.right.span
                    yield _warning(kpi.formula, span.start, span.end - span.start, f"'{name}' divides by {denominator.name}, declared {_range_text(denominator)}: it can be 0, and '{name}' is then undefined")


def _may_be_zero(definition: InputDef) -> bool:
    """A declared range with 0 inside it: min < 0 and max absent or >= 0, or exactly [0, 0].

    Not flagged: no declared min (nothing is known), and `min: 0` (a count or an
    amount whose 0 is its lower bound: a quiet month, which the evaluator already
    reports as "division by zero: x is 0"). A denominator that can be negative
    crosses 0, where the ratio explodes and flips sign: that is a design problem.
    """
    if definition.minimum is None:
        return False
    low = Decimal(str(definition.minimum))
    high = None if definition.maximum is None else Decimal(str(definition.maximum))
    return (low < 0 and (high is None or high >= 0)) or (low == 0 and high == 0)


def _range_text(definition: InputDef) -> str:
    high = "" if definition.maximum is None else f", max {definition.maximum}"
    return f"min {definition.minimum}{high}"


# --- units ------------------------------------------------------------------------------------
DIMENSIONLESS_UNITS = frozenset({"percent", "ratio", "count", "%", ""})
Unit = tuple[tuple[str, int], ...]  # base unit -> exponent, sorted; () is a pure number
ANY: Unit | None = None  # unknown: never reported


def unit_of(text: str) -> Unit | None:
    """A declared unit as a dimension: `EUR/m2`, `EUR*days`; percent, ratio and count are pure numbers.

    No unit declared is unknown (never reported).
    """
    if not text:
        return ANY
    unit: Unit = ()
    for index, part in enumerate(text.replace(" ", "").split("/")):
        for factor in part.split("*"):
            base, _, power = factor.partition("^")
            if base and base not in DIMENSIONLESS_UNITS and base != "1":
                exponent = int(power) if power.lstrip("-").isdigit() else 1
                unit = _combine(unit, ((base, exponent),), 1 if index == 0 else -1)
    return unit


def _combine(a: Unit, b: Unit, sign: int) -> Unit:
    powers = dict(a)
    for base, power in b:
        powers[base] = powers.get(base, 0) + sign * power
    return tuple(sorted((k, v) for k, v in powers.items() if v))


def unit_text(unit: Unit | None) -> str:
    if unit is None:
        return "unknown"
    if not unit:
        return "a pure number (ratio, percent or count)"
    top = "*".join(b if p == 1 else f"{b}^{p}" for b, p in unit if p > 0) or "1"
    bottom = "*".join(b if p == -1 else f"{b}^{-p}" for b, p in unit if p < 0)
    return f"{top}/{bottom}" if bottom else top


class _Units:
    """Infers the unit of a formula through + - * / ^ and functions; collects mismatches."""

    def __init__(self, definitions: Definitions, formula: Formula) -> None:
        self.definitions = definitions
        self.formula = formula
        self.problems: list[Problem] = []

    def of(self, node: Node) -> Unit | None | str:
        """A Unit, None (unknown) or "number" (a literal: takes the unit its context needs)."""
        match node:
            case Number():
                return "number"
            case Name(id=name) if name in self.definitions.inputs:
                return unit_of(self.definitions.inputs[name].unit)
            case Name(id=name) if name in self.definitions.kpis:
                return unit_of(self.definitions.kpis[name].unit)
            case Unary(op="-", operand=operand):
                return self.of(operand)
            case Binary(op="+" | "-", left=left, right=right) | Compare(left=left, right=right):
                return self.same(node, [left, right], "adds" if isinstance(node, Binary) else "compares")
            case Binary(op="*" | "/" as op, left=left, right=right):
                return self.product(self.of(left), self.of(right), 1 if op == "*" else -1)
            case Binary(op="^", left=left, right=right):
                base = self.of(left)
                return base if base in ((), "number") else ANY
            case Call(func="if", args=args):
                self.of(args[0])
                return self.same(node, list(args[1:]), "mixes")
            case Call(func="min" | "max" | "coalesce", args=args):
                return self.same(node, list(args), "mixes")
            case Call(func="growth"):
                return ()
            case Call(args=args):
                return self.of(args[0])  # abs, round and time functions keep the unit of their value
        return ANY

    def same(self, node: Node, operands: list[Node], verb: str) -> Unit | None | str:
        units = [self.of(o) for o in operands]
        known = [(o, u) for o, u in zip(operands, units) if u not in (None, "number")]
        for operand, unit in known[1:]:
            if unit != known[0][1]:
                first, other = known[0][0], operand
                span = node.span
                self.problems.append(_warning(self.formula, span.start, span.end - span.start, f"unit mismatch: {verb} {to_text(first)} ({unit_text(known[0][1])}) and {to_text(other)} ({unit_text(unit)})"))
                return ANY
        if isinstance(node, Compare):
            return ANY
        return known[0][1] if known else ("number" if all(u == "number" for u in units) else ANY)

    @staticmethod
    def product(left, right, sign: int) -> Unit | None | str:
        if left is None or right is None:
            return ANY
        if left == "number" and right == "number":
            return "number"
        if "number" in (left, right):
            other = right if left == "number" else left
            # a literal times a pure number may be a unit conversion (x 360 days in a year): unknown
            return ANY if other == () else (other if sign == 1 or right == "number" else _combine((), other, -1))
        return _combine(left, right, sign)


def _unit_problems(definitions: Definitions) -> Iterator[Problem]:
    for name, kpi in definitions.kpis.items():
        units = _Units(definitions, kpi.formula)
        found = units.of(kpi.formula.node)
        yield from units.problems
        declared = unit_of(kpi.unit)
        if found not in (None, "number") and declared is not None and found != declared:
            yield _warning(kpi.formula, 0, len(kpi.formula.text), f"'{name}' is declared in {kpi.unit} but its formula yields {unit_text(found)}")

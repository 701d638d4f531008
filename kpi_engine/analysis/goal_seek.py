"""Goal seeking: the value of an input that makes a KPI reach a target.

Solved exactly on the KPI's formula expanded down to inputs (`symbolic`), the
other variables taken from the normal evaluation at the period asked, then
checked by evaluating the changed facts through the normal evaluator. When the
input is given at a finer period, its facts are scaled (`with_input`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Any

from ..errors import Undefined, did_you_mean
from ..facts import Entity, Fact, Facts
from ..limits import Limits
from ..model import Definitions, InputDef
from ..numbers import DECIMAL_CONTEXT
from ..pack import Pack
from ..periods import Period
from . import algebra, printing, rationals, symbolic
from .budget import deadline
from .errors import AnalysisError
from .frames import CHECK_TOLERANCE, evaluated, refuse_opaque


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


def goal_seek(pack: Pack, facts: Facts, kpi: str, vary: str, period: Period, entity: Entity = None, target: Decimal | None = None,
              limits: Limits = Limits()) -> GoalSeek:
    """The value of input `vary` making `kpi` equal `target` (default: the KPI's own target) at `period`;
    TooComplex beyond the analysis budget of `limits`."""
    definitions = pack.definitions
    _, frame = evaluated(pack, facts, kpi, period, entity)
    if vary not in definitions.inputs:
        raise AnalysisError(f"'{vary}' is not an input: goal seek varies an input{did_you_mean(vary, definitions.inputs)}")
    with deadline(limits, f"solving {kpi} for {vary}"):  # the algebra, not the evaluation of the facts, is budgeted
        expansion = symbolic.expand(definitions, kpi, frame, limits)
        if vary not in expansion.inputs:
            raise AnalysisError(f"{kpi} does not depend on {vary} at its own period; it reads: {', '.join(expansion.variables)}")
        refuse_opaque(expansion)
        if target is None:
            target = _own_target(frame, kpi)
        values = symbolic.values_at(expansion, definitions, frame)
        others = {expansion.symbol(n): v for n, v in values.items() if n != vary}
        symbol = symbolic.input_symbol(vary)
        found = algebra.solve_at(rationals.substitute(expansion.expr, others), symbol, target)
        general = tuple(f"{vary} = {printing.formula_text(g)}" for g in algebra.solve_general(expansion, vary, target) if g.free_symbols)
        exact = algebra.finite_values(found)
        if exact is None and not algebra.is_interval_like(found):
            raise AnalysisError(f"sympy cannot solve {kpi} = {target} for {vary}: {printing.set_text(found)}")
        solutions, distribution = _checked_solutions(pack, facts, kpi, vary, period, entity, target, values[vary], exact or ())
        status = _status(exact, solutions)
        return GoalSeek(kpi, vary, period, entity, target, values[vary], frame.value(kpi), status, solutions,
                        printing.set_text(found), general, distribution, expansion.notes)


def _status(exact: tuple[Any, ...] | None, solutions: tuple[Solution, ...]) -> str:
    if exact is None:
        return RANGE
    admissible = [s for s in solutions if s.admissible]
    if not solutions:
        return NO_SOLUTION
    if not admissible:
        return OUT_OF_BOUNDS
    return SOLVED if len(admissible) == 1 else SEVERAL


def _checked_solutions(
    pack: Pack, facts: Facts, kpi: str, vary: str, period: Period, entity: Entity, target: Decimal, current: Decimal, exact: tuple[Any, ...]
) -> tuple[tuple[Solution, ...], str]:
    solutions: list[Solution] = []
    distribution = ""
    for value in exact:
        decimal = rationals.to_decimal(value)
        if decimal is None:
            continue  # not a real number
        admissible, bound_note = _within(pack.inputs[vary], decimal)
        changed, distribution = with_input(facts, pack.definitions, entity, vary, period, decimal, current)
        checked = pack.evaluate(changed, entity=entity).value(kpi, period, entity)
        ok, note = _check(checked, target)
        solutions.append(Solution(decimal, printing.set_text(value), admissible, bound_note, checked, ok, note))
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


def _own_target(frame: Any, kpi: str) -> Decimal:
    try:
        target = frame.target(kpi)
    except Undefined as undefined:
        raise AnalysisError(f"{kpi} has a target that is undefined at {frame.period}: {undefined.reason}") from None
    if not isinstance(target, Decimal):
        raise AnalysisError(f"{kpi} has no target: give one with --target")
    return target

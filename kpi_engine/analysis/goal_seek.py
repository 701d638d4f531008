"""Goal seeking: the value of an input that makes a KPI reach a target.

Solved exactly on the KPI's formula expanded down to inputs (`symbolic`), the
other variables taken from the normal evaluation at the period asked, then
checked by evaluating the changed facts through the normal evaluator. When the
input is given at a finer period, its facts are scaled (`with_input`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from typing import Any

from ..entities import leaves, member_graph
from ..errors import Undefined, closest
from ..facts import ACTUAL, Entity, Fact, Facts
from ..formatting import frequency_word
from ..limits import Limits
from ..model import Consolidation, Definitions, InputDef
from ..numbers import DECIMAL_CONTEXT
from ..pack import Pack
from ..periods import Period
from ..reasons import hint_text
from . import algebra, printing, rationals, symbolic
from .budget import deadline
from .errors import AnalysisError, Said
from .frames import CHECK_TOLERANCE, evaluated, group_notes, in_calendar, refuse_opaque


@dataclass(frozen=True)
class Solution:
    """One value of the varied input that meets the target, whether it is admissible, and its re-evaluation check."""

    value: Decimal
    exact: str  # sympy's exact value, e.g. "300000" or "200*sqrt(2)"
    admissible: bool  # within the input's declared min/max
    bound_note: Said  # why not admissible
    checked_value: Decimal | None  # the KPI evaluated by the engine with the input at `value`
    check_ok: bool
    check_note: Said = field(default_factory=Said)


@dataclass(frozen=True)
class Spread:
    """How a solution was written into the facts: one fact set, or the finer facts of the period changed together."""

    name: str
    period: Period
    value: Decimal
    leaves: tuple[Period, ...]  # the facts changed
    rule: str  # the input's roll-up
    proportional: bool  # scaled by one factor (the mix kept), else spread evenly
    entities: tuple[str, ...] = ()  # for a group: whose facts changed (its members', its own entries)

    def __str__(self) -> str:
        return self.text("en")

    def text(self, lang: str = "en") -> str:
        """`cost's 3 monthly facts within 2025-Q2 scaled proportionally (sum roll-up)`, in English or French;
        for a group, whose facts they are (`of lyon, bordeaux`)."""
        first, count = self.leaves[0], len(self.leaves)
        whose = f" {'de' if lang == 'fr' else 'of'} {', '.join(self.entities)}" if self.entities else ""
        if count == 1:
            return f"{self.name}{whose} mis à {_french(self.value)} pour {first}" if lang == "fr" else f"{self.name}{whose} set to {self.value:f} for {first}"
        if lang == "fr":
            how = "ajustés dans la même proportion" if self.proportional else "répartis également"
            return f"les {count} chiffres {frequency_word(first.frequency, 'fr')}s de {self.name}{whose} dans {self.period} {how} (agrégation {self.rule})"
        how = "scaled proportionally" if self.proportional else "spread evenly"
        return f"{self.name}'s {count} {first.frequency} facts{whose} within {self.period} {how} ({self.rule} roll-up)"


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
    distribution: Spread | None  # how the value was written into the facts for the check
    notes: tuple[Said, ...] = ()
    interval: tuple[Decimal | None, Decimal | None] | None = None  # status range over one interval: its ends (None: infinite)

    @property
    def found(self) -> bool:
        return any(s.admissible and s.check_ok for s in self.solutions)


def goal_seek(pack: Pack, facts: Facts, kpi: str, vary: str, period: Period, entity: Entity = None, target: Decimal | None = None,
              limits: Limits = Limits()) -> GoalSeek:
    """The value of input `vary` making `kpi` equal `target` (default: the KPI's own target) at `period`;
    TooComplex beyond the analysis budget of `limits`."""
    definitions = pack.definitions
    period = in_calendar(pack, period)
    _, frame = evaluated(pack, facts, kpi, period, entity)
    if vary not in definitions.inputs:
        near = closest(vary, definitions.inputs)
        french = f"« {vary} » n'est pas une donnée d'entrée : on fait varier une donnée d'entrée{hint_text(near, 'fr')}"
        raise AnalysisError(f"'{vary}' is not an input: goal seek varies an input{hint_text(near, 'en')}", french=french)
    with deadline(limits, f"solving {kpi} for {vary}", f"la résolution de {kpi} en {vary}"):  # the algebra, not the evaluation of the facts, is budgeted
        expansion = symbolic.expand(definitions, kpi, frame, limits)
        if vary not in expansion.inputs:
            reads = ", ".join(expansion.variables)
            raise AnalysisError(
                f"{kpi} does not depend on {vary} at its own period; it reads: {reads}",
                french=f"{kpi} ne dépend pas de {vary} à sa propre période ; il lit : {reads}",
            )
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
            found_text = printing.set_text(found)
            raise AnalysisError(
                f"sympy cannot solve {kpi} = {target} for {vary}: {found_text}", french=f"sympy ne sait pas résoudre {kpi} = {target} en {vary} : {found_text}"
            )
        solutions, distribution = _checked_solutions(pack, facts, kpi, vary, period, entity, target, values[vary], exact or ())
        status = _status(exact, solutions)
        ends = algebra.interval_ends(found)
        interval = None if ends is None else (rationals.to_decimal(ends[0]), rationals.to_decimal(ends[1]))
        return GoalSeek(kpi, vary, period, entity, target, values[vary], frame.value(kpi), status, solutions,
                        printing.set_text(found), general, distribution, (*group_notes(pack, entity), *expansion.notes), interval)


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
) -> tuple[tuple[Solution, ...], Spread | None]:
    solutions: list[Solution] = []
    distribution = None
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


def _within(definition: InputDef, value: Decimal) -> tuple[bool, Said]:
    low, high, name = definition.minimum, definition.maximum, definition.name
    if low is not None and value < Decimal(str(low)):
        return False, Said(f"below the declared min {low} of {name}", f"sous le minimum déclaré {low} de {name}")
    if high is not None and value > Decimal(str(high)):
        return False, Said(f"above the declared max {high} of {name}", f"au-dessus du maximum déclaré {high} de {name}")
    return True, Said()


def _check(checked: Decimal | None, target: Decimal) -> tuple[bool, Said]:
    if checked is None:
        return False, Said("the KPI is undefined when re-evaluated with this value", "l'indicateur est indéfini une fois recalculé avec cette valeur")
    with localcontext(DECIMAL_CONTEXT):
        gap = abs(checked - target)
        if gap <= CHECK_TOLERANCE * max(abs(target), Decimal(1)):
            return True, Said()
        return False, Said(f"re-evaluated at {checked}, {gap} away from the target", f"recalculé à {_french(checked)}, à {_french(gap)} de la cible")


def _french(value: Decimal) -> str:
    """An exact figure with the French decimal comma."""
    return format(value, "f").replace(".", ",")


def with_input(facts: Facts, definitions: Definitions, entity: Entity, name: str, period: Period, value: Decimal, current: Decimal) -> tuple[Facts, Spread]:
    """Facts where `name` rolls up to `value` at `period`, and how the change was spread.

    A fact given at `period` itself is replaced. Otherwise the finer facts it is
    rolled up from change: for `sum` and `avg` they are scaled proportionally
    (the month mix is kept; when they sum to 0 they are spread evenly), for `last`
    the last one is set. For a group, the facts changed are those its value is
    consolidated from: every member's (down to the entities of member groups)
    and the group's own entries, all scaled by one factor, so each member's
    share is kept. The last scaled fact absorbs rounding, so a sum is exact.
    `current` is the value `name` rolls up to now.
    """
    holders = _holders(definitions, entity, name)
    parts = [(holder, leaf) for holder in holders for leaf in _leaves(facts.entity(holder).by_period, definitions, name, period)]
    if not parts:
        raise AnalysisError(f"no fact of {name} makes up {period}", french=f"aucun fait de {name} ne compose {period}")
    old = [facts.entity(holder).by_period[leaf][name] for holder, leaf in parts]
    rule = definitions.inputs[name].rollup
    if len(parts) == 1:
        new, proportional = [value], False
    else:
        with localcontext(DECIMAL_CONTEXT):
            new, proportional = _spread(old, current, value, rule, len({holder for holder, _ in parts}))
    replaced = dict(zip(parts, new))
    records = (  # the actual figures only: the same fact under a budget stays
        Fact(f.entity, f.name, f.period, replaced[(f.entity, f.period)], f.location)
        if f.name == name and f.scenario == ACTUAL and (f.entity, f.period) in replaced
        else f
        for f in facts.facts()
    )
    group = entity in member_graph(definitions.entities)
    changed = tuple(str(holder) for holder in dict.fromkeys(holder for holder, _ in parts)) if group else ()
    return Facts.from_records(records), Spread(name, period, value, tuple(leaf for _, leaf in parts), rule, proportional, changed)


def _holders(definitions: Definitions, entity: Entity, name: str) -> list[Entity]:
    """Whose facts make `name` for `entity`: the entity itself, or a group and everything below it (a `none` input: the group alone)."""
    graph = member_graph(definitions.entities)
    if entity not in graph or definitions.inputs[name].consolidation is Consolidation.NONE:
        return [entity]
    return [*leaves(graph, entity), entity]


def _spread(old: list[Decimal], current: Decimal, value: Decimal, rule: str, holders: int) -> tuple[list[Decimal], bool]:
    """New leaf values rolling up to `value`, and whether they are scaled (else spread evenly); `current` is what they roll up
    to now. The value is the sum of the leaves for a `sum` roll-up, and for `last` (one leaf per entity), so the last absorbs rounding."""
    evenly = value / len(old) if rule in ("sum", "last") else value / holders
    new = [o * value / current for o in old] if current else [evenly] * len(old)
    if rule in ("sum", "last"):
        new[-1] = value - sum(new[:-1], Decimal(0))
    return new, bool(current)


def _leaves(by_period: Mapping[Period, Mapping[str, Decimal]], definitions: Definitions, name: str, period: Period) -> list[Period]:
    """The facts `name` at `period` is rolled up from, as the evaluator reads them (none when the entity gives none)."""
    if name in by_period.get(period, {}):
        return [period]
    children = period.children()
    if definitions.inputs[name].rollup == "last":
        return _leaves(by_period, definitions, name, children[-1]) if children else []
    return [leaf for child in children for leaf in _leaves(by_period, definitions, name, child)]


def _own_target(frame: Any, kpi: str) -> Decimal:
    try:
        target = frame.target(kpi)
    except Undefined as undefined:
        raise AnalysisError(
            f"{kpi} has a target that is undefined at {frame.period}: {undefined.reason}",
            french=f"la cible de {kpi} est indéfinie pour {frame.period} : {undefined.cause.text('fr')}",
        ) from None
    if not isinstance(target, Decimal):
        raise AnalysisError(f"{kpi} has no target: give one with --target", french=f"{kpi} n'a pas de cible : donnez-en une avec --target")
    return target

"""Lint with algebra: what validation cannot see but the formulas' algebra can.

Two KPIs of one frequency that are the same formula under different names; a
formula that simplifies (`a * b / b`); a division by an input whose declared
range contains 0; unit mismatches, inferred through + - * / with a small
unit algebra (EUR / EUR is a ratio, EUR + days is a mistake); and the
spreadsheet habit `a / b * 100` in a percent KPI (percents are fractions here).
Every finding is a located warning worded in both languages (`Problem.text(lang)`, the catalogue
`formula_messages`); see docs/analysis.md for the rules.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Literal, assert_never

from ..errors import Location, Problem
from ..formatting import is_percent
from ..functions import FUNCTIONS, Kind, UnitRule
from ..graph import references
from ..limits import Limits
from ..model import Definitions, Formula, InputDef, Rollup
from ..nodes import Binary, Call, Compare, Name, Node, Number, Unary, to_text, walk
from ..pack import Pack
from ..reasons import Reason
from . import algebra, printing, symbolic
from .budget import OutOfTime, TooComplex, deadline
from .errors import SymbolicError


def lint(pack: Pack, limits: Limits = Limits()) -> tuple[Problem, ...]:
    """Warnings the algebra finds, in file order, each worded in any language by `text(lang)`: duplicates, formulas that simplify, divisions
    by an input declared able to be 0, unit mismatches and `* 100` in a percent KPI. Rules and their
    limits: docs/analysis.md.

    A KPI too complex to analyse within `limits` is a warning of its own; when the time budget is
    spent, the warnings found so far are kept and one more says where lint stopped.
    """
    definitions = pack.definitions
    problems: list[Problem] = [
        *_zero_divisions(definitions),
        *_unit_problems(definitions),
        *_percent_times_100(definitions),
    ]
    progress: list[str] = []  # the KPIs reached, so a spent budget can say where lint stopped
    try:
        with deadline(limits, "lint", "l'analyse (lint)"):
            expansions = {}
            for name, kpi in definitions.kpis.items():
                progress.append(name)
                try:
                    expansions[name] = symbolic.expand(definitions, name, limits=limits)
                except OutOfTime:
                    raise
                except TooComplex as error:
                    problems.append(_warning(kpi.formula, 0, len(kpi.formula.text), Reason.of("lint_too_complex", kpi=name, cause=error)))
                except SymbolicError:
                    continue
            problems.extend(_duplicates(definitions, expansions))
            problems.extend(_simplifiable(definitions, limits, progress))
    except OutOfTime as error:
        problems.append(_stopped(definitions, progress[-1] if progress else None, error))
    return tuple(sorted(dict.fromkeys(problems), key=lambda p: (p.location.file, p.location.line, p.location.column, p.message)))


def _stopped(definitions: Definitions, kpi: str | None, reason: OutOfTime) -> Problem:
    """The warning that lint ran out of time, at the KPI it was analysing; the KPIs after it were not linted."""
    if kpi is None:
        where = Location(definitions.files[0] if definitions.files else "pack")
        return Problem.of(where, Reason.of("lint_stopped", cause=reason), severity="warning")
    formula = definitions.kpis[kpi].formula
    return _warning(formula, 0, len(formula.text), Reason.of("lint_stopped_at", kpi=kpi, cause=reason))


def _warning(formula: Formula, offset: int, width: int, cause: Reason) -> Problem:
    return Problem.of(formula.locate(offset), cause, severity="warning", snippet=formula.snippet(offset, width))


def _duplicates(definitions: Definitions, expansions: Mapping[str, symbolic.Expansion]) -> Iterator[Problem]:
    """KPIs of one frequency equal once expanded. A random exact point groups candidates; simplify confirms."""
    generator = random.Random(20250101)  # noqa: S311 - sample points, not secrets; fixed seed: lint is deterministic
    names = sorted({s for e in expansions.values() for s in e.expr.free_symbols}, key=str)
    points = [{s: Fraction(generator.randint(1, 10**6), generator.randint(1, 997)) for s in names} for _ in range(2)]
    groups: dict[tuple[object, tuple[object, ...]], list[str]] = {}
    for name, expansion in expansions.items():
        frequency = definitions.kpis[name].frequency
        fingerprint = tuple(algebra.sample(expansion.expr, point) for point in points)  # exact values: hashable, never printed
        groups.setdefault((frequency, fingerprint), []).append(name)
    for members in groups.values():
        for index, later in enumerate(members[1:], start=1):
            first = next((m for m in members[:index] if algebra.same_expression(expansions[m].expr, expansions[later].expr)), None)
            if first is not None:
                kpi = definitions.kpis[later]
                where = str(definitions.kpis[first].location)
                duplicate = Reason.of("lint_duplicate", kpi=later, first=first, where=where)
                yield _warning(kpi.formula, 0, len(kpi.formula.text), duplicate)


def _simplifiable(definitions: Definitions, limits: Limits, progress: list[str]) -> Iterator[Problem]:
    """A formula, as written (KPIs it names kept as names), where a name cancels out (`a*b/b`, which
    sympy already reduces on conversion) or that `simplify` writes with fewer operations (count_ops)."""
    for name, kpi in definitions.kpis.items():
        progress.append(name)
        try:
            written = symbolic.expand_node(_as_symbols(definitions), kpi.formula.node, limits=limits)
        except OutOfTime:
            raise
        except SymbolicError:  # TooComplex included: the expansion already said so
            continue
        simpler = algebra.simplified(written)
        lost = _names(kpi.formula.node) - {str(s) for s in simpler.free_symbols}
        if lost or algebra.operation_count(simpler) < algebra.operation_count(written):
            cancelled = Reason.of("lint_cancels" if len(lost) == 1 else "lint_cancel", lost=", ".join(sorted(lost))) if lost else ""
            simplifies = Reason.of("lint_simplifies", kpi=name, formula=printing.formula_text(simpler), cancelled=cancelled)
            yield _warning(kpi.formula, 0, len(kpi.formula.text), simplifies)


def _as_symbols(definitions: Definitions) -> Definitions:
    """Definitions where every KPI is an input, so a formula is converted as written, not expanded."""
    every = {**definitions.inputs, **{name: InputDef(name, Rollup.SUM) for name in definitions.kpis}}
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
                    declared = _declared_range(denominator)
                    division = Reason.of("lint_zero_division", kpi=name, input=denominator.name, declared=declared)
                    yield _warning(kpi.formula, span.start, span.end - span.start, division)


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


def _declared_range(definition: InputDef) -> Reason:
    """`min -50000` or `min -5, max 100`, numbers as the reader writes them."""
    low = Decimal(str(definition.minimum))
    if definition.maximum is None:
        return Reason.of("lint_declared_min", minimum=low)
    return Reason.of("lint_declared_range", minimum=low, maximum=Decimal(str(definition.maximum)))


# --- units ------------------------------------------------------------------------------------
DIMENSIONLESS_UNITS = frozenset({"percent", "ratio", "count", "%", ""})
Unit = tuple[tuple[str, int], ...]  # base unit -> exponent, sorted; () is a pure number
ANY: Unit | None = None  # unknown: never reported
Inferred = Unit | None | Literal["number"]  # "number": a literal, which takes the unit its context needs


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


def unit_words(unit: Unit | None) -> Reason | str:
    """A unit as written in messages (`EUR/hours`), in words (any language) when unknown or a pure number."""
    if unit is None:
        return Reason.of("unit_unknown")
    if not unit:
        return Reason.of("unit_pure_number")
    top = "*".join(b if p == 1 else f"{b}^{p}" for b, p in unit if p > 0) or "1"
    bottom = "*".join(b if p == -1 else f"{b}^{-p}" for b, p in unit if p < 0)
    return f"{top}/{bottom}" if bottom else top


class _Units:
    """Infers the unit of a formula through + - * / ^ and functions; collects mismatches."""

    def __init__(self, definitions: Definitions, formula: Formula) -> None:
        self.definitions = definitions
        self.formula = formula
        self.problems: list[Problem] = []

    def of(self, node: Node) -> Inferred:
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
                return self.same(node, [left, right], "lint_adds" if isinstance(node, Binary) else "lint_compares")
            case Binary(op="*" | "/" as op, left=left, right=right):
                return self.product(self.of(left), self.of(right), 1 if op == "*" else -1)
            case Binary(op="^", left=left, right=right):
                base = self.of(left)
                return base if base in ((), "number") else ANY
            case Call():
                return self.call(node)
            case Name() | Unary() | Binary():  # an unknown name, `not`, `and`, `or`: no unit
                return ANY
            case _:
                assert_never(node)

    def call(self, node: Call) -> Inferred:
        """The unit its registry entry's rule gives; a condition argument is checked on its own."""
        function = FUNCTIONS.get(node.func)
        if function is None:
            return ANY
        match function.unit:
            case UnitRule.OF_FIRST:
                return self.of(node.args[0])
            case UnitRule.DIMENSIONLESS:
                return ()
            case UnitRule.SAME:
                kinds = list(function.kinds(len(node.args)))
                for position, argument in kinds:
                    if argument is Kind.CONDITION:
                        self.of(node.args[position])
                valued = [node.args[p] for p, argument in kinds if argument in (Kind.NUMBER, Kind.BRANCH)]
                return self.same(node, valued, "lint_mixes")
            case _:
                assert_never(function.unit)

    def same(self, node: Node, operands: list[Node], verb: str) -> Inferred:
        units = [self.of(o) for o in operands]
        known = [(o, u) for o, u in zip(operands, units) if isinstance(u, tuple)]
        for operand, unit in known[1:]:
            if unit != known[0][1]:
                first, other = known[0][0], operand
                span = node.span
                one = Reason.of("lint_operand_unit", formula=to_text(first), unit=unit_words(known[0][1]))
                two = Reason.of("lint_operand_unit", formula=to_text(other), unit=unit_words(unit))
                mismatch = Reason.of("lint_unit_mismatch", verb=Reason.of(verb), one=one, two=two)
                self.problems.append(_warning(self.formula, span.start, span.end - span.start, mismatch))
                return ANY
        if isinstance(node, Compare):
            return ANY
        return known[0][1] if known else ("number" if all(u == "number" for u in units) else ANY)

    @staticmethod
    def product(left: Inferred, right: Inferred, sign: int) -> Inferred:
        if isinstance(left, tuple) and isinstance(right, tuple):
            return _combine(left, right, sign)
        if left is None or right is None:
            return ANY
        # a literal times a pure number may be a unit conversion (x 360 days in a year): unknown
        if isinstance(left, tuple):  # divided or multiplied by a literal
            return ANY if left == () else left
        if isinstance(right, tuple):  # a literal times or over a unit
            return ANY if right == () else (right if sign == 1 else _combine((), right, -1))
        return "number"


def _unit_problems(definitions: Definitions) -> Iterator[Problem]:
    for name, kpi in definitions.kpis.items():
        units = _Units(definitions, kpi.formula)
        found = units.of(kpi.formula.node)
        yield from units.problems
        declared = unit_of(kpi.unit)
        if isinstance(found, tuple) and declared is not None and found != declared:
            declared_unit = Reason.of("lint_declared_unit", kpi=name, unit=kpi.unit, found=unit_words(found))
            yield _warning(kpi.formula, 0, len(kpi.formula.text), declared_unit)


# --- percents -----------------------------------------------------------------------------------
def _percent_times_100(definitions: Definitions) -> Iterator[Problem]:
    """`a / b * 100` (or `100 * a / b`) in a KPI declared in percent: the spreadsheet habit shows 8 600,0 %,
    since a percent value here is a fraction that the display multiplies by 100."""
    for name, kpi in definitions.kpis.items():
        if not is_percent(kpi.unit):
            continue
        for node in walk(kpi.formula.node):
            if isinstance(node, Binary) and node.op == "*":
                hundred = next((side for side in (node.left, node.right) if isinstance(side, Number) and side.value == 100), None)
                if hundred is not None:
                    times_100 = Reason.of("lint_percent_times_100", kpi=name)
                    yield _warning(kpi.formula, hundred.span.start, hundred.span.end - hundred.span.start, times_100)

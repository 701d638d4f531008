"""Algebra on expanded formulas: solving, derivatives, simplification and solution sets."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

import sympy  # type: ignore[import-untyped]  # sympy ships no type information

from .rationals import rational
from .symbolic import Expansion, input_symbol


def solve_general(expansion: Expansion, vary: str, target: Decimal) -> tuple[Any, ...]:
    """Closed forms of `vary` making the KPI equal `target`, in terms of the other variables.

    Empty when sympy finds none or when the formula has branches (min, max, abs, if),
    whose closed forms depend on which branch holds: solve at a period instead.
    """
    expr = expansion.expr
    if expr.has(sympy.Min, sympy.Max, sympy.Abs, sympy.Piecewise) or expansion.opaque:
        return ()
    try:
        return tuple(sympy.solve(sympy.Eq(expr, rational(target)), input_symbol(vary)))
    except (NotImplementedError, ValueError, TypeError):
        return ()


def solve_at(expr: Any, symbol: sympy.Symbol, target: Decimal) -> Any:
    """The set of real values of `symbol` where `expr` equals `target` (a sympy Set)."""
    equation = sympy.Eq(expr, rational(target))
    found = sympy.solveset(equation, symbol, sympy.S.Reals)
    if isinstance(found, sympy.ConditionSet) and expr.has(sympy.Min, sympy.Max, sympy.Abs):
        found = sympy.solveset(sympy.Eq(expr.rewrite(sympy.Piecewise), rational(target)), symbol, sympy.S.Reals)
    return found


def derivative(expr: Any, symbol: sympy.Symbol) -> Any:
    """∂expr/∂symbol; min, max and abs are rewritten as branches first, so kinks give one-sided slopes."""
    if expr.has(sympy.Min, sympy.Max, sympy.Abs):
        expr = expr.rewrite(sympy.Piecewise)
    slope = sympy.piecewise_fold(sympy.diff(expr, symbol))
    return slope if slope.has(sympy.Piecewise) else sympy.cancel(slope)  # a rational function, reduced


def additive_parts(expr: Any) -> tuple[Any, ...]:
    """`expr` as a sum of terms, products distributed (a Shapley value is additive over them)."""
    return tuple(sympy.Add.make_args(sympy.expand_mul(expr)))


def same_expression(a: Any, b: Any) -> bool:
    """True when `a - b` simplifies to 0 (sympy's `simplify`; exact on rational functions)."""
    try:
        return bool(sympy.simplify(a - b) == 0)
    except (TypeError, ValueError, NotImplementedError):
        return False


def simplified(expr: Any) -> Any:
    """An expression simplified by sympy."""
    return sympy.simplify(expr)


def operation_count(expr: Any) -> int:
    """How many operations an expression has (to tell whether a formula simplifies)."""
    return int(sympy.count_ops(expr))


def sample(expr: Any, values: Mapping[sympy.Symbol, Fraction]) -> Any:
    """The value of `expr` with every symbol replaced (used to fingerprint formulas quickly)."""
    return expr.xreplace({s: rational(v) for s, v in values.items()})


def finite_values(found: Any) -> tuple[Any, ...] | None:
    """The values of a finite set, in increasing order; None when the set is not finite."""
    if isinstance(found, sympy.FiniteSet):
        return tuple(sorted(found.args, key=lambda v: float(sympy.re(v))))
    if found is sympy.S.EmptySet:
        return ()
    return None


def interval_ends(found: Any) -> tuple[Any, Any] | None:
    """The two ends of a solution set that is one interval (None for an infinite end); None for any other set."""
    if not isinstance(found, sympy.Interval):
        return None
    return (None if found.start.is_infinite else found.start), (None if found.end.is_infinite else found.end)


def is_interval_like(found: Any) -> bool:
    """Whether a solution set is a continuum (an interval) rather than isolated values."""
    return isinstance(found, (sympy.Interval, sympy.Union)) and not isinstance(found, sympy.ConditionSet)

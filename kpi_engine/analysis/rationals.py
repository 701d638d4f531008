"""Exact numbers between Decimal, Fraction and sympy, and fast exact evaluation of an expression.

A Shapley attribution evaluates one expression at 2^n points: `exact_function`
compiles it once into Python closures over Fractions instead of asking sympy each time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import Any

import sympy  # type: ignore[import-untyped]  # sympy ships no type information
from sympy.logic.boolalg import BooleanFalse, BooleanTrue  # type: ignore[import-untyped]  # sympy ships no type information

from ..functions import FUNCTIONS, NotSymbolic
from ..numbers import DECIMAL_CONTEXT, MAX_EXPONENT
from .errors import AnalysisError, SymbolicError

ExactFunction = Callable[[Sequence[Fraction]], Any]  # a point (one Fraction per symbol) -> the value there


def rational(value: Decimal | int | Fraction) -> sympy.Rational:
    """The exact sympy number of a Decimal (every finite Decimal is a fraction)."""
    numerator, denominator = Fraction(value).as_integer_ratio()
    return sympy.Rational(numerator, denominator)


def to_fraction(value: Any) -> Fraction | None:
    """A sympy number as an exact Fraction; None when it is not a finite rational."""
    value = sympy.nsimplify(value) if isinstance(value, sympy.Float) else value
    if isinstance(value, sympy.Rational):
        return Fraction(int(value.p), int(value.q))
    return None


def to_decimal(value: Any) -> Decimal | None:
    """A sympy number as a Decimal with the engine's 28 significant digits; None when not a real number."""
    exact = to_fraction(value)
    if exact is not None:
        return fraction_to_decimal(exact)
    if isinstance(value, sympy.Expr) and value.is_number and value.is_real and value.is_finite:
        return _quotient(Decimal(str(sympy.N(value, 30))), Decimal(1))
    return None


def fraction_to_decimal(value: Fraction) -> Decimal:
    """An exact fraction as a Decimal (rounded only beyond 28 significant digits); AnalysisError when it is
    beyond the range the engine computes in (`numbers.DECIMAL_CONTEXT`)."""
    return _quotient(Decimal(value.numerator), Decimal(value.denominator))


def _quotient(top: Decimal, bottom: Decimal) -> Decimal:
    """top / bottom with the engine's digits, in the engine's range (else AnalysisError)."""
    with localcontext(DECIMAL_CONTEXT):
        try:
            return (top / bottom).normalize()
        except ArithmeticError:
            raise AnalysisError(
                f"the exact answer is beyond the numbers the engine computes with, from 1E-{MAX_EXPONENT} to 9.99E+{MAX_EXPONENT} in size",
                french=f"la réponse exacte sort des nombres que le moteur calcule, de 1E-{MAX_EXPONENT} à 9,99E+{MAX_EXPONENT} en valeur absolue",
            ) from None


def substitute(expr: Any, values: Mapping[sympy.Symbol, Any]) -> Any:
    """An expression with values put in for its symbols, exactly."""
    return expr.xreplace({symbol: rational(value) if not isinstance(value, sympy.Basic) else value for symbol, value in values.items()})


# --- fast exact evaluation (for the 2^n coalitions of a Shapley attribution) --------
def exact_function(expr: Any, symbols: tuple[sympy.Symbol, ...]) -> ExactFunction:
    """A Python closure computing `expr` exactly over Fractions; ZeroDivisionError on a division by 0.

    Handles + * ^ (whole exponents), Min, Max, Abs, Piecewise, comparisons, and/or/not,
    and the opaque functions whose registry entry gives an exact rule (`NotSymbolic.exact`,
    e.g. `round`, halves away from zero as the evaluator); anything else raises SymbolicError.
    """
    position = {symbol: index for index, symbol in enumerate(symbols)}
    return _fraction_closure(expr, position)


def _fraction_closure(expr: Any, position: Mapping[sympy.Symbol, int]) -> ExactFunction:
    if expr.is_Symbol:
        index = position[expr]
        return lambda v: v[index]
    if isinstance(expr, sympy.Rational):
        constant = Fraction(int(expr.p), int(expr.q))
        return lambda v: constant
    if isinstance(expr, (BooleanTrue, BooleanFalse)):
        truth = bool(expr)
        return lambda v: truth
    if isinstance(expr, sympy.Piecewise):
        pairs = [(_fraction_closure(p.expr, position), _fraction_closure(p.cond, position)) for p in expr.args]
        return lambda v: next(value(v) for value, condition in pairs if condition(v))
    sub = [_fraction_closure(arg, position) for arg in expr.args]
    if expr.is_Add:
        return lambda v: sum((f(v) for f in sub), Fraction(0))
    if expr.is_Mul:
        return lambda v: _product(f(v) for f in sub)
    if expr.is_Pow:
        return _power(expr, sub)
    return _special(expr, sub)


def _product(values: Iterable[Fraction]) -> Fraction:
    result = Fraction(1)
    for value in values:
        result *= value
    return result


def _power(expr: Any, sub: list[ExactFunction]) -> ExactFunction:
    base, exponent = sub
    if not expr.exp.is_Integer:
        raise SymbolicError(f"{expr} has a power that is not a whole number: its value need not be a fraction")
    return lambda v: base(v) ** int(exponent(v))


_ORDERS: dict[type, Callable[[Any, Any], bool]] = {sympy.StrictLessThan: lambda a, b: a < b, sympy.LessThan: lambda a, b: a <= b,
           sympy.StrictGreaterThan: lambda a, b: a > b, sympy.GreaterThan: lambda a, b: a >= b,
           sympy.Equality: lambda a, b: a == b, sympy.Unequality: lambda a, b: a != b}


def _special(expr: Any, sub: list[ExactFunction]) -> ExactFunction:
    if isinstance(expr, sympy.Min):
        return lambda v: min(f(v) for f in sub)
    if isinstance(expr, sympy.Max):
        return lambda v: max(f(v) for f in sub)
    if isinstance(expr, sympy.Abs):
        return lambda v: abs(sub[0](v))
    if type(expr) in _ORDERS:
        compare, (left, right) = _ORDERS[type(expr)], sub
        return lambda v: compare(left(v), right(v))
    if isinstance(expr, sympy.And):
        return lambda v: all(f(v) for f in sub)
    if isinstance(expr, sympy.Or):
        return lambda v: any(f(v) for f in sub)
    if isinstance(expr, sympy.Not):
        return lambda v: not sub[0](v)
    name = str(expr.func)
    function = FUNCTIONS.get(name)
    if function is not None and isinstance(function.symbolic, NotSymbolic):
        exact = function.symbolic.exact
        if exact is not None:
            return lambda v: exact([f(v) for f in sub])
        raise SymbolicError(f"{name}() cannot be evaluated exactly: {function.symbolic.reason}")
    raise SymbolicError(f"{name}() cannot be evaluated exactly: it has no exact evaluation here")

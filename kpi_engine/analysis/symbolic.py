"""Formulas as sympy expressions: the one module that imports sympy.

A KPI's formula is expanded through the KPIs it reads *at its own period*
down to inputs, and each AST node becomes the sympy expression with the same
meaning: numbers become exact `Rational`s (a Decimal is a fraction), `min`,
`max`, `abs` and `if` become `Min`, `Max`, `Abs` and `Piecewise`.

Values read at *earlier* periods cannot move when this period's inputs move,
so time functions become symbols held at their evaluated value (`Held`):
`prev(x)`, `lag(x, n)` and `year_ago(x)` are one symbol each; the functions
that also read this period keep the current part live:

    rolling_sum(x, n)  ->  x + [rolling_sum(prev(x), n - 1)]
    rolling_avg(x, n)  ->  (x + [rolling_sum(prev(x), n - 1)]) / n
    ytd(x)             ->  x + [ytd(x) - x]
    growth(x)          ->  x / [prev(x)] - 1

where `[...]` is a held symbol named by the formula that gives its value.
`coalesce` is resolved at a frame (its first argument defined there); with no
frame, it and `round` stay opaque functions, printable but not solvable
(`Expansion.opaque` says why). Nothing here reads files or prints.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import Any

import sympy
from sympy.logic.boolalg import BooleanFalse, BooleanTrue
from sympy.printing.str import StrPrinter

from ..backends.python.compiler import compile_node
from ..errors import Undefined
from ..functions import FUNCTIONS
from ..graph import prerequisites, same_period_graph
from ..model import Definitions
from ..nodes import (
    Binary,
    Call,
    Compare,
    Name,
    Node,
    Number,
    Span,
    Unary,
    integer_literal,
    to_text,
)
from ..numbers import DECIMAL_CONTEXT

_RELATIONS = {"<": sympy.Lt, "<=": sympy.Le, ">": sympy.Gt, ">=": sympy.Ge, "==": sympy.Eq, "!=": sympy.Ne}
_NOWHERE = Span(0, 0)

ROUND_REASON = (
    "round() is a step function: it has no inverse to solve through and its derivative is 0 almost everywhere"
)
COALESCE_REASON = "coalesce() depends on which facts exist; it can only be expanded at a given period and entity"


class SymbolicError(Exception):
    """A formula cannot be handled symbolically; `reason` says why, in user words."""

    def __init__(self, reason: str, kpi: str | None = None, offset: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.kpi = kpi
        self.offset = offset  # character offset in the KPI's formula, when known


@dataclass(frozen=True)
class Held:
    """A value read at an earlier period, held constant: its symbol and the formula that gives it."""

    symbol: sympy.Symbol
    node: Node

    @property
    def name(self) -> str:
        return self.symbol.name


@dataclass(frozen=True)
class Expansion:
    """A KPI's formula expanded down to inputs and held values, as one sympy expression."""

    kpi: str
    expr: sympy.Expr
    inputs: tuple[str, ...]  # inputs read at this period, first use first
    held: tuple[Held, ...] = ()  # values read at earlier periods
    opaque: Mapping[str, str] = field(default_factory=dict)  # function -> why it blocks analysis
    notes: tuple[str, ...] = ()  # choices made at the frame (coalesce)

    def symbol(self, name: str) -> sympy.Symbol:
        return input_symbol(name) if name in self.inputs else next(h.symbol for h in self.held if h.name == name)

    @property
    def variables(self) -> tuple[str, ...]:
        """Inputs then held values: everything the expression's value depends on."""
        return (*self.inputs, *(h.name for h in self.held))


def input_symbol(name: str) -> sympy.Symbol:
    """The sympy symbol standing for an input."""
    return sympy.Symbol(name, real=True)


def rational(value: Decimal | int | Fraction) -> sympy.Rational:
    """The exact sympy number of a Decimal (every finite Decimal is a fraction)."""
    numerator, denominator = Fraction(value).as_integer_ratio()
    return sympy.Rational(numerator, denominator)


def expand(definitions: Definitions, kpi: str, frame: Any = None) -> Expansion:
    """`kpi`'s formula through its same-period KPIs; with an evaluated `frame`, coalesce is resolved there."""
    expander = _Expander(definitions, frame)
    for dependency in prerequisites(same_period_graph(definitions), kpi):
        expander.kpi(dependency)  # bottom-up, so a long chain of KPIs is no deep recursion
    expr = expander.kpi(kpi)
    return Expansion(
        kpi,
        expr,
        tuple(expander.inputs),
        tuple(expander.held.values()),
        dict(expander.opaque),
        tuple(dict.fromkeys(expander.notes)),
    )


def expand_node(definitions: Definitions, node: Node, frame: Any = None) -> sympy.Basic:
    """One formula as written, KPIs it names expanded (used by lint on unexpanded formulas too)."""
    return _Expander(definitions, frame).node(node)


class _Expander:
    def __init__(self, definitions: Definitions, frame: Any) -> None:
        self.definitions = definitions
        self.frame = frame
        self.memo: dict[str, sympy.Expr] = {}
        self.inputs: dict[str, None] = {}
        self.held: dict[str, Held] = {}
        self.opaque: dict[str, str] = {}
        self.notes: list[str] = []
        self.current: list[str] = []

    def kpi(self, name: str) -> sympy.Expr:
        if name not in self.memo:
            self.current.append(name)
            try:
                self.memo[name] = self.node(self.definitions.kpis[name].formula.node)
            finally:
                self.current.pop()
        return self.memo[name]

    def node(self, node: Node) -> Any:
        match node:
            case Number(value=value):
                return rational(value)
            case Name(id=name) if name in self.definitions.inputs:
                self.inputs.setdefault(name)
                return input_symbol(name)
            case Name(id=name) if name in self.definitions.kpis:
                return self.kpi(name)
            case Name(id=name):
                raise SymbolicError(f"'{name}' is neither an input nor a KPI", self._here(), node.span.start)
            case Unary(op="-", operand=operand):
                return -self.node(operand)
            case Unary(operand=operand):
                return sympy.Not(self.node(operand))
            case Binary(op="and", left=left, right=right):
                return sympy.And(self.node(left), self.node(right))
            case Binary(op="or", left=left, right=right):
                return sympy.Or(self.node(left), self.node(right))
            case Binary(op=op, left=left, right=right):
                return _ARITHMETIC[op](self.node(left), self.node(right))
            case Compare(op=op, left=left, right=right):
                return _RELATIONS[op](self.node(left), self.node(right))
            case Call():
                return self.call(node)
        raise TypeError(node)

    def call(self, node: Call) -> Any:
        func, args = node.func, node.args
        if func == "abs":
            return sympy.Abs(self.node(args[0]))
        if func in ("min", "max"):
            return (sympy.Min if func == "min" else sympy.Max)(*(self.node(a) for a in args))
        if func == "if":
            return sympy.Piecewise((self.node(args[1]), self.node(args[0])), (self.node(args[2]), True))
        if func == "round":
            self.opaque["round"] = ROUND_REASON
            return sympy.Function("round")(*(self.node(a) for a in args))
        if func == "coalesce":
            return self.coalesce(node)
        if FUNCTIONS[func].is_time:
            return self.time(node)
        raise SymbolicError(f"{func}() has no symbolic form", self._here(), node.span.start)

    def coalesce(self, node: Call) -> Any:
        if self.frame is None:
            self.opaque["coalesce"] = COALESCE_REASON
            return sympy.Function("coalesce")(*(self.node(a) for a in node.args))
        reasons = []
        for index, arg in enumerate(node.args):
            try:
                evaluate_node(self.definitions, arg, self.frame)
            except Undefined as undefined:
                reasons.append(undefined.reason)
                continue
            if index:
                self.notes.append(f"{to_text(node)} is taken as {to_text(arg)} at {self.frame.period}: {'; '.join(reasons)}")
            return self.node(arg)
        raise SymbolicError(f"{to_text(node)} is undefined at {self.frame.period}: {'; '.join(reasons)}", self._here(), node.span.start)

    def time(self, node: Call) -> Any:
        func, args = node.func, node.args
        x = args[0]
        if func in ("prev", "year_ago"):
            return self.hold(node)
        if func == "lag":
            return self.node(x) if integer_literal(args[1]) == 0 else self.hold(node)
        if func in ("rolling_sum", "rolling_avg"):
            count = integer_literal(args[1]) or 1
            total = self.node(x)
            if count > 1:
                earlier = Call("rolling_sum", (Call("prev", (x,), _NOWHERE, _NOWHERE), _number(count - 1)), _NOWHERE, _NOWHERE)
                total = total + self.hold(earlier)
            return total if func == "rolling_sum" else total / count
        if func == "ytd":
            return self.node(x) + self.hold(Binary("-", node, x, _NOWHERE), f"[{to_text(node)} - {to_text(x)}]")
        if func == "growth":
            return self.node(x) / self.hold(Call("prev", (x,), _NOWHERE, _NOWHERE)) - 1
        raise SymbolicError(f"{func}() has no symbolic form", self._here(), node.span.start)

    def hold(self, node: Node, name: str | None = None) -> sympy.Symbol:
        name = name or to_text(node)
        if name not in self.held:
            self.held[name] = Held(sympy.Symbol(name, real=True), node)
        return self.held[name].symbol

    def _here(self) -> str | None:
        return self.current[-1] if self.current else None


def _number(value: int) -> Number:
    return Number(Decimal(value), str(value), _NOWHERE)


def _divide(a: Any, b: Any) -> Any:
    return a / b


_ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": _divide,
    "^": lambda a, b: a**b,
}


# --- values at a frame -----------------------------------------------------------
def evaluate_node(definitions: Definitions, node: Node, frame: Any) -> Any:
    """The value of any formula node on an evaluated frame, by the engine's own compiled closures."""

    with localcontext(DECIMAL_CONTEXT):
        return compile_node(node, str)(frame)  # every name is read off the frame under its own name


def values_at(expansion: Expansion, definitions: Definitions, frame: Any) -> dict[str, Decimal]:
    """The value of every variable of `expansion` at `frame`; SymbolicError names the first undefined one."""
    values: dict[str, Decimal] = {}
    for name in expansion.inputs:
        try:
            values[name] = frame[name]
        except Undefined as undefined:
            raise SymbolicError(f"{name} is undefined at {frame.period}: {undefined.reason}", expansion.kpi) from None
    for held in expansion.held:
        try:
            values[held.name] = evaluate_node(definitions, held.node, frame)
        except Undefined as undefined:
            raise SymbolicError(f"{held.name} is undefined at {frame.period}: {undefined.reason}", expansion.kpi) from None
    return values


# --- exact numbers -----------------------------------------------------------------
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
        return Decimal(str(sympy.N(value, 30)))
    return None


def fraction_to_decimal(value: Fraction) -> Decimal:
    """An exact fraction as a Decimal (rounded only beyond 28 significant digits)."""
    with localcontext(DECIMAL_CONTEXT):
        return (Decimal(value.numerator) / Decimal(value.denominator)).normalize()


def substitute(expr: Any, values: Mapping[sympy.Symbol, Any]) -> Any:
    """An expression with values put in for its symbols, exactly."""
    return expr.xreplace({symbol: rational(value) if not isinstance(value, sympy.Basic) else value for symbol, value in values.items()})


# --- fast exact evaluation (for the 2^n coalitions of a Shapley attribution) --------
def exact_function(expr: Any, symbols: tuple[sympy.Symbol, ...]) -> Callable[[tuple[Fraction, ...]], Any]:
    """A Python closure computing `expr` exactly over Fractions; ZeroDivisionError on a division by 0.

    Handles + * ^ (whole exponents), Min, Max, Abs, Piecewise, comparisons, and/or/not
    and `round` (halves away from zero, as the evaluator); anything else raises SymbolicError.
    """
    position = {symbol: index for index, symbol in enumerate(symbols)}
    return _fraction_closure(expr, position)


def _fraction_closure(expr: Any, position: Mapping[sympy.Symbol, int]) -> Callable[[tuple], Any]:
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


def _product(values) -> Fraction:
    result = Fraction(1)
    for value in values:
        result *= value
    return result


def _power(expr: Any, sub: list) -> Callable[[tuple], Any]:
    base, exponent = sub
    if not expr.exp.is_Integer:
        raise SymbolicError(f"{expr} has a power that is not a whole number: its value need not be a fraction")
    return lambda v: base(v) ** int(exponent(v))


_ORDERS = {sympy.StrictLessThan: lambda a, b: a < b, sympy.LessThan: lambda a, b: a <= b,
           sympy.StrictGreaterThan: lambda a, b: a > b, sympy.GreaterThan: lambda a, b: a >= b,
           sympy.Equality: lambda a, b: a == b, sympy.Unequality: lambda a, b: a != b}


def _special(expr: Any, sub: list) -> Callable[[tuple], Any]:
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
    if name == "round":
        return _round(sub)
    reason = COALESCE_REASON if name == "coalesce" else "it has no exact evaluation here"
    raise SymbolicError(f"{name}() cannot be evaluated exactly: {reason}")


def _round(sub: list) -> Callable[[tuple], Any]:
    places = sub[1] if len(sub) > 1 else (lambda v: 0)

    def rounded(v):
        x, scale = sub[0](v), Fraction(10) ** int(places(v))
        halves = abs(x) * scale + Fraction(1, 2)
        magnitude = Fraction(halves.numerator // halves.denominator) / scale
        return magnitude if x >= 0 else -magnitude

    return rounded


# --- printing ------------------------------------------------------------------------
class _FormulaPrinter(StrPrinter):
    """Prints sympy in the engine's formula language: ^, min, max, abs, if, and, or, ==."""

    def _print_Pow(self, expr, rational=False):
        return super()._print_Pow(expr, rational).replace("**", "^")

    def _print_Min(self, expr):
        return f"min({', '.join(self._print(a) for a in expr.args)})"

    def _print_Max(self, expr):
        return f"max({', '.join(self._print(a) for a in expr.args)})"

    def _print_Abs(self, expr):
        return f"abs({self._print(expr.args[0])})"

    def _print_Piecewise(self, expr):
        *pieces, (last, condition) = expr.args
        text = self._print(last) if condition == sympy.true else f"if({self._print(condition)}, {self._print(last)}, undefined)"
        for value, condition in reversed(pieces):
            text = f"if({self._print(condition)}, {self._print(value)}, {text})"
        return text

    def _print_Equality(self, expr):
        return f"{self._print(expr.lhs)} == {self._print(expr.rhs)}"

    def _print_Unequality(self, expr):
        return f"{self._print(expr.lhs)} != {self._print(expr.rhs)}"

    def _print_And(self, expr):
        return " and ".join(f"({self._print(a)})" for a in expr.args)

    def _print_Or(self, expr):
        return " or ".join(f"({self._print(a)})" for a in expr.args)

    def _print_Not(self, expr):
        return f"not ({self._print(expr.args[0])})"


def formula_text(expr: Any) -> str:
    """`expr` written in the formula language (held values keep their bracketed names)."""
    return _FormulaPrinter().doprint(expr)


def formula_latex(expr: Any) -> str:
    """`expr` as LaTeX, names upright and whole (sympy would read `_` as a subscript)."""
    names = {symbol: r"\mathrm{" + _latex_escape(symbol.name) + "}" for symbol in expr.free_symbols}
    return sympy.latex(expr, symbol_names=names)


def _latex_escape(name: str) -> str:
    return name.replace("\\", r"\backslash ").replace("_", r"\_").replace("%", r"\%").replace(" ", r"\ ")


# --- solving ---------------------------------------------------------------------------
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
    return sympy.Add.make_args(sympy.expand_mul(expr))


def is_number(value: Any) -> bool:
    """Whether a sympy result is a plain number."""
    return isinstance(value, sympy.Expr) and bool(value.is_number) and value.is_finite is not False and value.is_real is not False


def same_expression(a: Any, b: Any) -> bool:
    """True when `a - b` simplifies to 0 (sympy's `simplify`; exact on rational functions)."""
    try:
        return sympy.simplify(a - b) == 0
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


def set_text(found: Any) -> str:
    """A sympy solution set in words."""
    return formula_text(found) if not isinstance(found, sympy.Set) else str(found)


def finite_values(found: Any) -> tuple[Any, ...] | None:
    """The values of a finite set, in increasing order; None when the set is not finite."""
    if isinstance(found, sympy.FiniteSet):
        return tuple(sorted(found.args, key=lambda v: float(sympy.re(v))))
    if found is sympy.S.EmptySet:
        return ()
    return None


def is_interval_like(found: Any) -> bool:
    """Whether a solution set is a continuum (an interval) rather than isolated values."""
    return isinstance(found, (sympy.Interval, sympy.Union)) and not isinstance(found, sympy.ConditionSet)

"""Formulas as sympy expressions: a KPI expanded down to inputs and held values.

A KPI's formula is expanded through the KPIs it reads *at its own period*
down to inputs, and each AST node becomes the sympy expression with the same
meaning: numbers become exact `Rational`s (a Decimal is a fraction); a call
becomes the symbolic form its registry entry builds (`functions.Symbolic`).

Values read at *earlier* periods cannot move when this period's inputs move,
so time functions build symbols held at their evaluated value (`Held`), named
by the formula that gives the value (`prev(x)`, `[ytd(x) - x]`).
A first-defined function (`coalesce`) is resolved at a frame (its first
argument defined there); otherwise a function whose entry is `NotSymbolic`
stays an opaque function, printable but not solvable (`Expansion.opaque` says
why). Nothing here reads files or prints.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from typing import Any, assert_never

import sympy  # type: ignore[import-untyped]  # sympy ships no type information

from ..backends.python.compiler import compile_node
from ..errors import Undefined
from ..functions import FUNCTIONS, NotSymbolic, Propagation, Symbolic
from ..graph import prerequisites, same_period_graph
from ..limits import Limits
from ..model import Definitions
from ..nodes import (
    Binary,
    Call,
    Compare,
    Name,
    Node,
    Number,
    Unary,
    to_text,
)
from ..numbers import DECIMAL_CONTEXT
from .budget import TooComplex, power_problem
from .errors import Said, SymbolicError
from .rationals import rational

_RELATIONS = {"<": sympy.Lt, "<=": sympy.Le, ">": sympy.Gt, ">=": sympy.Ge, "==": sympy.Eq, "!=": sympy.Ne}


@dataclass(frozen=True)
class Held:
    """A value read at an earlier period, held constant: its symbol and the formula that gives it."""

    symbol: sympy.Symbol
    node: Node

    @property
    def name(self) -> str:
        return str(self.symbol.name)


@dataclass(frozen=True)
class Expansion:
    """A KPI's formula expanded down to inputs and held values, as one sympy expression."""

    kpi: str
    expr: sympy.Expr
    inputs: tuple[str, ...]  # inputs read at this period, first use first
    held: tuple[Held, ...] = ()  # values read at earlier periods
    opaque: Mapping[str, str] = field(default_factory=dict)  # function -> why it blocks analysis
    notes: tuple[Said, ...] = ()  # choices made at the frame (coalesce)

    def symbol(self, name: str) -> sympy.Symbol:
        return input_symbol(name) if name in self.inputs else next(h.symbol for h in self.held if h.name == name)

    @property
    def variables(self) -> tuple[str, ...]:
        """Inputs then held values: everything the expression's value depends on."""
        return (*self.inputs, *(h.name for h in self.held))


def input_symbol(name: str) -> sympy.Symbol:
    """The sympy symbol standing for an input."""
    return sympy.Symbol(name, real=True)


def expand(definitions: Definitions, kpi: str, frame: Any = None, limits: Limits = Limits()) -> Expansion:
    """`kpi`'s formula through its same-period KPIs; with an evaluated `frame`, coalesce is resolved there.

    TooComplex when a power would build a number beyond `limits` (checked before it is built)."""
    expander = _Expander(definitions, frame, limits)
    for dependency in prerequisites(same_period_graph(definitions), kpi):
        expander.kpi(dependency)  # bottom-up, so a long chain of KPIs is no deep recursion
    expr = expander.kpi(kpi)
    return Expansion(
        kpi,
        expr,
        tuple(expander.inputs),
        tuple(expander.held_values.values()),
        dict(expander.opaque),
        tuple(dict.fromkeys(expander.notes)),
    )


def expand_node(definitions: Definitions, node: Node, frame: Any = None, limits: Limits = Limits()) -> sympy.Basic:
    """One formula as written, KPIs it names expanded (used by lint on unexpanded formulas too)."""
    return _Expander(definitions, frame, limits).node(node)


class _Expander:
    def __init__(self, definitions: Definitions, frame: Any, limits: Limits) -> None:
        self.definitions = definitions
        self.frame = frame
        self.limits = limits
        self.memo: dict[str, sympy.Expr] = {}
        self.inputs: dict[str, None] = {}
        self.held_values: dict[str, Held] = {}
        self.opaque: dict[str, str] = {}
        self.notes: list[Said] = []
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
            case Binary(op="^", left=left, right=right):
                return self.power(node, self.node(left), self.node(right))
            case Binary(op=op, left=left, right=right):
                return _ARITHMETIC[op](self.node(left), self.node(right))
            case Compare(op=op, left=left, right=right):
                return _RELATIONS[op](self.node(left), self.node(right))
            case Call():
                return self.call(node)
            case _:
                assert_never(node)

    def power(self, node: Binary, base: Any, exponent: Any) -> Any:
        """`base ^ exponent`, refused (TooComplex) before sympy builds a number beyond the limits."""
        problem = power_problem(base, exponent, self.limits)
        if problem:
            text = to_text(node)
            raise TooComplex(
                f"{text} is too complex to analyse: {problem.en}", self._here(), node.span.start, french=f"{text} est trop complexe à analyser : {problem.fr}"
            )
        return base**exponent

    def call(self, node: Call) -> Any:
        """The call's sympy form, from its registry entry.

        A first-defined function (coalesce) is, at a frame, the first of its arguments
        defined there; elsewhere a function without a symbolic form stays opaque, its
        reason recorded so the analyses that need an exact form refuse it.
        """
        function = FUNCTIONS.get(node.func)
        if function is None:
            raise SymbolicError(f"{node.func}() has no symbolic form", self._here(), node.span.start)
        if function.undefined is Propagation.FIRST_DEFINED and self.frame is not None:
            return self.first_defined(node)
        match function.symbolic:
            case Symbolic(build=build):
                return build(self, node)
            case NotSymbolic(reason=reason):
                self.opaque[node.func] = reason
                return sympy.Function(node.func)(*(self.node(a) for a in node.args))
            case _:
                assert_never(function.symbolic)

    def first_defined(self, node: Call) -> Any:
        causes: list[Any] = []
        for index, arg in enumerate(node.args):
            try:
                evaluate_node(self.definitions, arg, self.frame)
            except Undefined as undefined:
                causes.append(undefined.cause)
                continue
            if index:
                why, pourquoi = "; ".join(str(c) for c in causes), " ; ".join(c.text("fr") for c in causes)
                call, taken, period = to_text(node), to_text(arg), self.frame.period
                self.notes.append(Said(f"{call} is taken as {taken} at {period}: {why}", f"{call} vaut ici {taken} pour {period} : {pourquoi}"))
            return self.node(arg)
        why, pourquoi = "; ".join(str(c) for c in causes), " ; ".join(c.text("fr") for c in causes)
        raise SymbolicError(
            f"{to_text(node)} is undefined at {self.frame.period}: {why}",
            self._here(),
            node.span.start,
            french=f"{to_text(node)} est indéfini pour {self.frame.period} : {pourquoi}",
        )

    @property
    def sympy(self) -> Any:
        return sympy

    def value(self, node: Node) -> Any:
        return self.node(node)

    def held(self, node: Node, name: str | None = None) -> Any:
        name = name or to_text(node)
        if name not in self.held_values:
            self.held_values[name] = Held(sympy.Symbol(name, real=True), node)
        return self.held_values[name].symbol

    def _here(self) -> str | None:
        return self.current[-1] if self.current else None


def _divide(a: Any, b: Any) -> Any:
    return a / b


_ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": _divide,
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
            raise _undefined(name, frame.period, undefined, expansion.kpi) from None
    for held in expansion.held:
        try:
            values[held.name] = evaluate_node(definitions, held.node, frame)
        except Undefined as undefined:
            raise _undefined(held.name, frame.period, undefined, expansion.kpi) from None
    return values


def _undefined(name: str, period: Any, undefined: Undefined, kpi: str) -> SymbolicError:
    """Why a variable has no value at the period asked, in both languages."""
    return SymbolicError(
        f"{name} is undefined at {period}: {undefined.reason}", kpi, french=f"{name} est indéfini pour {period} : {undefined.cause.text('fr')}"
    )

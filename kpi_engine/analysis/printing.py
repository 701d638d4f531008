"""Sympy expressions written for people: the formula language, LaTeX and solution sets."""

from __future__ import annotations

from typing import Any, NamedTuple

import sympy  # type: ignore[import-untyped]  # sympy ships no type information
from sympy.printing.str import StrPrinter  # type: ignore[import-untyped]  # sympy ships no type information

from ..limits import Limits
from ..pack import Pack
from . import symbolic
from .budget import deadline
from .frames import known_kpi


class _FormulaPrinter(StrPrinter):  # type: ignore[misc]  # sympy is untyped, so its printer is Any
    """Prints sympy in the engine's formula language: ^, min, max, abs, if, and, or, ==."""

    def _print_Pow(self, expr: Any, rational: bool = False) -> str:
        return str(super()._print_Pow(expr, rational)).replace("**", "^")

    def _print_Min(self, expr: Any) -> str:
        return f"min({', '.join(self._print(a) for a in expr.args)})"

    def _print_Max(self, expr: Any) -> str:
        return f"max({', '.join(self._print(a) for a in expr.args)})"

    def _print_Abs(self, expr: Any) -> str:
        return f"abs({self._print(expr.args[0])})"

    def _print_Piecewise(self, expr: Any) -> str:
        *pieces, (last, condition) = expr.args
        text = str(self._print(last)) if condition == sympy.true else f"if({self._print(condition)}, {self._print(last)}, undefined)"
        for value, condition in reversed(pieces):
            text = f"if({self._print(condition)}, {self._print(value)}, {text})"
        return text

    def _print_Equality(self, expr: Any) -> str:
        return f"{self._print(expr.lhs)} == {self._print(expr.rhs)}"

    def _print_Unequality(self, expr: Any) -> str:
        return f"{self._print(expr.lhs)} != {self._print(expr.rhs)}"

    def _print_And(self, expr: Any) -> str:
        return " and ".join(f"({self._print(a)})" for a in expr.args)

    def _print_Or(self, expr: Any) -> str:
        return " or ".join(f"({self._print(a)})" for a in expr.args)

    def _print_Not(self, expr: Any) -> str:
        return f"not ({self._print(expr.args[0])})"


def formula_text(expr: Any) -> str:
    """`expr` written in the formula language (held values keep their bracketed names)."""
    return str(_FormulaPrinter().doprint(expr))


def formula_latex(expr: Any) -> str:
    """`expr` as LaTeX, names upright and whole (sympy would read `_` as a subscript)."""
    names = {symbol: r"\mathrm{" + _latex_escape(symbol.name) + "}" for symbol in expr.free_symbols}
    return str(sympy.latex(expr, symbol_names=names))


def _latex_escape(name: str) -> str:
    return name.replace("\\", r"\backslash ").replace("_", r"\_").replace("%", r"\%").replace(" ", r"\ ")


def set_text(found: Any) -> str:
    """A sympy solution set in words."""
    return formula_text(found) if not isinstance(found, sympy.Set) else str(found)


class ExpandedFormula(NamedTuple):
    """A KPI's formula expanded down to inputs: plain text (formula language) and LaTeX."""

    text: str
    latex: str


def expanded_formula(pack: Pack, kpi: str, limits: Limits = Limits()) -> ExpandedFormula:
    """`kpi`'s formula through its same-period KPIs, down to inputs and values held from earlier periods;
    TooComplex beyond the analysis budget of `limits`."""
    known_kpi(pack.definitions, kpi)
    with deadline(limits, f"the expanded formula of {kpi}", f"la formule développée de {kpi}"):
        expr = symbolic.expand(pack.definitions, kpi, limits=limits).expr
        return ExpandedFormula(formula_text(expr), formula_latex(expr))

"""Formula AST -> SQL: a value expression and, beside it, why it is undefined.

Every expression compiles to a pair: `value` (a HUGEINT in units of 1e-24 (`dialect.SCALE`),
or a BOOLEAN for conditions; NULL when undefined) and `why` (the reason as
JSON text, NULL when the value is defined). The pair follows the Python
backend's undefined rules, which differ from SQL's: `LEAST(1, NULL)` is 1 in
SQL but undefined here, `CASE WHEN NULL` takes the ELSE branch in SQL but an
undefined condition makes `if` undefined here. The first undefined operand,
left to right, gives the reason (as the Python backend raises it first).

`FUNCTION_SQL` renders each function of `kpi_engine.functions.FUNCTIONS`, one
entry per name. Time functions read other rows through window functions,
which a `Scope` places in a step of their own (DuckDB's `TRY` refuses them);
so do scenario reads (`budget(x)`: x on the row of the same entity and period
under that scenario).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from ...functions import SCENARIOS
from ...nodes import (
    Binary,
    Call,
    Compare,
    Name,
    Node,
    Number,
    Unary,
    integer_literal,
    to_text,
)
from ...periods import Frequency
from .dialect import SCALE, UNIT

NULL = "NULL"
MAX_POWER = 64


def whole_exponent(node: Node) -> int | None:
    """The whole number between -MAX_POWER and MAX_POWER a constant exponent comes to (`2`, `-1`, `3 ^ 2`), else None.

    Folded here, exactly, so `2 ^ 3 ^ 2` is rendered as `2 ^ 9`: SQL has no exact power of a decimal to a
    computed or fractional exponent.
    """
    value = _constant(node)
    if value is None or value != value.to_integral_value() or abs(value) > MAX_POWER:
        return None
    return int(value)


def _constant(node: Node) -> Decimal | None:
    match node:
        case Number() if "%" not in node.text:
            return node.value
        case Unary(op="-", operand=operand):
            inner = _constant(operand)
            return None if inner is None else -inner
        case Binary(op="+" | "-" | "*" | "^" as op, left=left, right=right):
            a, b = _constant(left), _constant(right)
            if a is None or b is None:
                return None
            if op == "^":
                whole = whole_exponent(right)
                return None if whole is None or (a == 0 and whole < 0) or abs(a) > 10**6 else a**whole
            return a + b if op == "+" else a - b if op == "-" else a * b
    return None


@dataclass(frozen=True)
class Sql:
    """A value expression and the expression of its reason (JSON text, NULL when defined)."""

    value: str
    why: str = NULL


# --- reasons as JSON text ------------------------------------------------------------
# A parameter: its key, its JSON text when constant, the SQL giving its JSON text otherwise. The JSON is
# concatenated text (`||`), spelled the same in every engine; the texts SQL computes are names (identifiers) and
# frequency words, which need no JSON escaping.
Param = tuple[str, str | None, str]


def text(key: str, value: str) -> Param:
    constant = json.dumps(value, ensure_ascii=False)
    return key, constant, literal_text(constant)


def sql_text(key: str, expression: str) -> Param:
    """A text computed by SQL."""
    return key, None, f"'\"' || {expression} || '\"'"


def period(key: str, frequency: Frequency, ordinal: str) -> Param:
    return key, None, f"'[\"{frequency.value}\",' || CAST({ordinal} AS STRING) || ']'"


def nested(key: str, why: str) -> Param:
    return key, None, why


def entity() -> Param:
    """The row's entity: filled in when the reason is read back (the SQL does not repeat it)."""
    return "entity", "null", "'null'"


def who(expression: str) -> Param:
    """An entity computed by SQL (a group's member): kept when the reason is read back; NULL is the row's entity."""
    escaped = f"replace(replace({expression}, '\\', '\\\\'), '\"', '\\\"')"  # an entity's name is any text: JSON-escaped
    return "entity", None, f"coalesce('\"' || {escaped} || '\"', 'null')"


def reason(code: str, *params: Param) -> str:
    """SQL giving the JSON text `{"code": ..., params in order}`: a literal when every parameter is constant."""
    parts, constant = [], '{"code":"' + code + '"'
    for key, value, sql in params:
        constant += f',"{key}":'
        if value is not None:
            constant += value
            continue
        parts += [literal_text(constant), sql]
        constant = ""
    parts.append(literal_text(constant + "}"))
    return parts[0] if len(parts) == 1 else "(" + " || ".join(parts) + ")"


def literal_text(text_value: str) -> str:
    """A SQL string literal."""
    return "'" + text_value.replace("'", "''") + "'"


def first_why(*whys: str) -> str:
    """The first reason that is not NULL (the first undefined operand, left to right)."""
    present = [w for w in whys if w != NULL]
    if not present:
        return NULL
    return present[0] if len(present) == 1 else f"COALESCE({', '.join(present)})"


def scaled(value: object) -> str:
    """A literal number in units of 1e-24 (`dialect.SCALE`)."""
    number = Decimal(str(value)).scaleb(SCALE)
    return f"{int(number)}::HUGEINT"


# --- scopes: where names and other periods are read ---------------------------------
class Scope(Protocol):
    """Resolves names at the current row, time functions at other periods' rows, scenario reads at other scenarios' rows."""

    def name(self, name: str) -> Sql: ...

    def time(self, call: Call, compiler: Compiler) -> Sql: ...

    def scenario(self, call: Call, compiler: Compiler) -> Sql: ...


class Compiler:
    """Compiles formula nodes in one scope."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope

    def compile(self, node: Node) -> Sql:
        match node:
            case Number(value=value):
                return Sql(scaled(value))
            case Name(id=name):
                return self.scope.name(name)
            case Unary(op="-", operand=operand):
                inner = self.compile(operand)
                return Sql(f"(-({inner.value}))", inner.why)
            case Unary(operand=operand):
                inner = self.compile(operand)
                return Sql(f"(NOT ({inner.value}))", inner.why)
            case Binary(op="and" | "or" as op, left=left, right=right):
                return _logical(op, self.compile(left), self.compile(right))
            case Binary(op=op, left=left, right=right):
                return _arithmetic(op, self.compile(left), self.compile(right), left, right)
            case Compare(op=op, left=left, right=right):
                first, second = self.compile(left), self.compile(right)
                sql_op = {"==": "=", "!=": "<>"}.get(op, op)
                return Sql(f"({first.value} {sql_op} {second.value})", first_why(first.why, second.why))
            case Call() as call if call.func in TIME_FUNCTIONS:
                return self.scope.time(call, self)
            case Call() as call if call.func in SCENARIOS:
                return self.scope.scenario(call, self)
            case Call(func=func, args=args):
                render: Renderer = FUNCTION_SQL[func]  # type: ignore[assignment]
                return render([self.compile(arg) for arg in args], [integer_literal(arg) for arg in args])
        raise TypeError(f"unknown node {node!r}")


def _arithmetic(op: str, left: Sql, right: Sql, left_node: Node, right_node: Node) -> Sql:
    why = first_why(left.why, right.why)
    match op:
        case "+" | "-":
            return Sql(f"({left.value} {op} {right.value})", why)
        case "*":
            whole = integer_literal(right_node)
            if whole is not None:  # x * 12: exact on the scaled integer, and readable
                return Sql(f"({left.value} * {whole})", why)
            whole = integer_literal(left_node)
            if whole is not None:
                return Sql(f"({whole} * {right.value})", why)
            return Sql(f"kpi_mul({left.value}, {right.value})", why)
        case "/":
            zero = reason("division_by_zero", text("denominator", to_text(right_node)))
            return Sql(
                f"CASE WHEN {right.value} <> 0 THEN kpi_div({left.value}, {right.value}) END",
                first_why(why, f"CASE WHEN {right.value} = 0 THEN {zero} END"),
            )
        case "^":
            return _power(left, whole_exponent(right_node) or 0, why)
    raise TypeError(op)


def _power(base: Sql, exponent: int, why: str) -> Sql:
    """base ^ n for a literal whole n (the plan refuses any other exponent)."""
    if exponent == 0:  # 0 ^ 0 has no defined result, as in Python's decimals
        no_result = reason("power", text("error", "InvalidOperation"))
        return Sql(f"CASE WHEN {base.value} <> 0 THEN {scaled(1)} END", first_why(why, f"CASE WHEN {base.value} = 0 THEN {no_result} END"))
    product = base.value
    for _ in range(abs(exponent) - 1):
        product = f"kpi_mul({product}, {base.value})"
    if exponent > 0:
        return Sql(product, why)
    return Sql(
        f"CASE WHEN {base.value} <> 0 THEN kpi_div({scaled(1)}, {product}) END",
        first_why(why, f"CASE WHEN {base.value} = 0 THEN {reason('negative_power')} END"),
    )


def _logical(op: str, left: Sql, right: Sql) -> Sql:
    """Kleene logic, as SQL's AND/OR already are; undefined: the right side's reason, else the left's."""
    value = f"({left.value} {op.upper()} {right.value})"
    return Sql(value, f"CASE WHEN {value} IS NULL THEN {first_why(right.why, left.why)} END")


# --- scalar functions ----------------------------------------------------------------
Renderer = Callable[[Sequence[Sql], Sequence[int | None]], Sql]


def _all_defined(args: Sequence[Sql], then: str) -> str:
    checks = " OR ".join(f"{arg.value} IS NULL" for arg in args)
    return f"CASE WHEN {checks} THEN NULL ELSE {then} END"


def _abs(args: Sequence[Sql], _: Sequence[int | None]) -> Sql:
    return Sql(f"abs({args[0].value})", args[0].why)


def _extreme(sql_function: str) -> Renderer:
    def render(args: Sequence[Sql], _: Sequence[int | None]) -> Sql:
        picked = f"{sql_function}({', '.join(arg.value for arg in args)})"
        return Sql(_all_defined(args, picked), first_why(*(arg.why for arg in args)))

    return render


def _round(args: Sequence[Sql], literals: Sequence[int | None]) -> Sql:
    places = literals[1] if len(args) > 1 and literals[1] is not None else 0
    if places >= SCALE:
        return args[0]
    return Sql(f"kpi_round({args[0].value}, {10 ** (SCALE - places)}::HUGEINT)", args[0].why)


def _coalesce(args: Sequence[Sql], _: Sequence[int | None]) -> Sql:
    value = f"COALESCE({', '.join(arg.value for arg in args)})"
    return Sql(value, f"CASE WHEN {value} IS NULL THEN {args[-1].why} END")


def _if(args: Sequence[Sql], _: Sequence[int | None]) -> Sql:
    condition, yes, no = args
    return Sql(
        f"CASE WHEN {condition.value} THEN {yes.value} WHEN NOT ({condition.value}) THEN {no.value} END",
        f"CASE WHEN {condition.value} IS NULL THEN {condition.why} WHEN {condition.value} THEN {yes.why} ELSE {no.why} END",
    )


# --- time functions ------------------------------------------------------------------
class Window(Protocol):
    """Reads other rows of the same entity, chronologically; results become columns of a time step."""

    frequency: Frequency

    def lag(self, arg: Sql, steps: int) -> Sql: ...

    def year_ago(self, arg: Sql) -> Sql: ...  # the same period a year before

    def total(self, arg: Sql, count: int | None) -> Sql: ...  # None: from the start of the year

    def ordinal(self) -> str: ...


TimeRenderer = Callable[[Sql, Sequence[int | None], Window], Sql]


def _prev(arg: Sql, _: Sequence[int | None], window: Window) -> Sql:
    return window.lag(arg, 1)


def _lag(arg: Sql, literals: Sequence[int | None], window: Window) -> Sql:
    return window.lag(arg, literals[1] or 0)


def _year_ago(arg: Sql, _: Sequence[int | None], window: Window) -> Sql:
    return window.year_ago(arg)


def _rolling_sum(arg: Sql, literals: Sequence[int | None], window: Window) -> Sql:
    return window.total(arg, literals[1])


def _rolling_avg(arg: Sql, literals: Sequence[int | None], window: Window) -> Sql:
    total = window.total(arg, literals[1])
    return Sql(f"kpi_div({total.value}, {scaled(literals[1])})", total.why)


def _ytd(arg: Sql, _: Sequence[int | None], window: Window) -> Sql:
    return window.total(arg, None)


def _growth(arg: Sql, _: Sequence[int | None], window: Window) -> Sql:
    previous = window.lag(arg, 1)
    zero = reason("growth_from_zero", period("period", window.frequency, window.ordinal()))
    return Sql(
        f"CASE WHEN {previous.value} <> 0 THEN kpi_div({arg.value}, {previous.value}) - {UNIT}::HUGEINT END",
        first_why(arg.why, previous.why, f"CASE WHEN {previous.value} = 0 THEN {zero} END"),
    )


# One entry per function of `kpi_engine.functions.FUNCTIONS` (a test checks none is missing): a renderer of
# compiled arguments, or for a time function a renderer of its argument read through a `Window`.
FUNCTION_SQL: dict[str, Renderer | TimeRenderer] = {
    "abs": _abs,
    "min": _extreme("LEAST"),
    "max": _extreme("GREATEST"),
    "round": _round,
    "coalesce": _coalesce,
    "if": _if,
    "prev": _prev,
    "lag": _lag,
    "year_ago": _year_ago,
    "rolling_sum": _rolling_sum,
    "rolling_avg": _rolling_avg,
    "ytd": _ytd,
    "growth": _growth,
}
TIME_FUNCTIONS = frozenset(("prev", "lag", "year_ago", "rolling_sum", "rolling_avg", "ytd", "growth"))

"""AST -> a tree of Python closures, built once when a pack is loaded.

No text is ever handed to `eval`/`exec`: each node becomes a small closure
over its children's closures, so evaluating a KPI is a few calls per node with
no parsing or dispatch left at run time. Names are resolved by a callback (the
evaluator knows which are inputs, KPIs, or an alert's `value`/`target`), and
functions come from the registry in `functions.py`.

Undefined values travel as the `Undefined` exception, arithmetic errors (a result
out of the number policy's range) included: every operation that computes a
number is `guarded`, so they are undefined where they arise. `and`/`or` follow
three-valued logic (false and undefined = false; true or undefined = true),
so an alert whose condition cannot be decided does not fire.

A time function inside another one's argument (`rolling_sum(rolling_sum(x, 1000), 1000)`) is read
at many periods, each of them again by the next period's outer call: its closure remembers its value
(or its reason) on each frame it is computed at, in `frame.memo`, so each such node is computed once
per period and nested time functions cost linear time, not a product of their windows (issue 14,
case 18). A time function read at its own period only, as most are, is not remembered: its KPI's
value is, on the frame.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from ...errors import Undefined
from ...functions import FUNCTIONS, Compiled, ThisPeriod, guarded
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
from ...reasons import Reason

# A name resolves to the key it is read under on a frame (`frame[key]`), or to a closure of its own.
NameResolver = Callable[[str], str | Compiled]
Tracer = Callable[[Node, Compiled], Compiled]

_ARITHMETIC = {"+": operator.add, "-": operator.sub, "*": operator.mul}
_COMPARISONS = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}


def compile_node(node: Node, names: NameResolver, tracer: Tracer | None = None, *, across_periods: bool = False) -> Compiled:
    """Closure computing `node` on a frame; `tracer` may wrap each node's closure (used by explain).

    `across_periods`: the node is inside a time function's argument, so it is read at other periods
    than the formula's own, and a time function there remembers its values (see the module's doc).
    """
    compiled = _compile(node, names, tracer, across_periods)
    return tracer(node, compiled) if tracer else compiled


def _compile(node: Node, names: NameResolver, tracer: Tracer | None, across_periods: bool) -> Compiled:
    def sub(child: Node) -> Compiled:
        return compile_node(child, names, tracer, across_periods=across_periods)

    match node:
        case Number(value=value):
            return lambda frame: value
        case Name(id=name):
            resolved = names(name)
            return (lambda frame: frame[resolved]) if isinstance(resolved, str) else resolved
        case Unary(op="-", operand=operand):
            inner = sub(operand)
            return lambda frame: -inner(frame)
        case Unary(operand=operand):
            inner = sub(operand)
            return lambda frame: not inner(frame)
        case Binary(op="and" | "or" as op, left=left, right=right):
            return _logical(op == "and", sub(left), sub(right))
        case Binary(op="/", left=left, right=right):
            return guarded(_binary(_divider(to_text(right)), left, right, names, tracer, across_periods))
        case Binary(op="^", left=left, right=right):
            return guarded(_binary(_power, left, right, names, tracer, across_periods), "power")
        case Binary(op=op, left=left, right=right):
            return guarded(_binary(_ARITHMETIC[op], left, right, names, tracer, across_periods))
        case Compare(op=op, left=left, right=right):
            return _binary(_COMPARISONS[op], left, right, names, tracer, across_periods)
        case Call(func=func, args=args):
            function = FUNCTIONS[func]
            if isinstance(function.reach, ThisPeriod):
                return guarded(function.build([sub(arg) for arg in args], [integer_literal(arg) for arg in args]))
            arguments = [compile_node(arg, names, tracer, across_periods=True) for arg in args]
            compiled = guarded(function.build(arguments, [integer_literal(arg) for arg in args]))
            return _memoised(compiled) if across_periods and tracer is None else compiled
    raise TypeError(f"unknown node {node!r}")


def _memoised(compiled: Compiled) -> Compiled:
    """`compiled`, computed once per frame: its value, or the reason it is undefined, kept in `frame.memo`.

    An arithmetic error is not kept: it goes on to the KPI, which words it once (`Frame.__missing__`).
    Traced closures (explain) are never memoised, so every step of a trace shows its own reads.
    """

    def memoised(frame: Any) -> Any:
        memo = frame.memo
        known = memo.get(compiled)
        if known is None:
            try:
                known = memo[compiled] = compiled(frame)
            except Undefined as undefined:
                memo[compiled] = undefined.cause
                raise
        elif isinstance(known, Reason):
            raise Undefined(known)
        return known

    return memoised


# How an operation reads its two operands, by their shape: a name is read straight off the
# frame and a literal is a constant, so `a / b` or `x * 1.2` costs one call, not three.
Operation = Callable[[Any, Any], Any]
_SHAPES: dict[tuple[str, str], Callable[[Operation, Any, Any], Compiled]] = {
    ("key", "key"): lambda op, a, b: lambda frame: op(frame[a], frame[b]),
    ("key", "const"): lambda op, a, b: lambda frame: op(frame[a], b),
    ("const", "key"): lambda op, a, b: lambda frame: op(a, frame[b]),
    ("key", "call"): lambda op, a, b: lambda frame: op(frame[a], b(frame)),
    ("call", "key"): lambda op, a, b: lambda frame: op(a(frame), frame[b]),
    ("call", "const"): lambda op, a, b: lambda frame: op(a(frame), b),
    ("const", "call"): lambda op, a, b: lambda frame: op(a, b(frame)),
    ("call", "call"): lambda op, a, b: lambda frame: op(a(frame), b(frame)),
}


def _binary(op: Operation, left: Node, right: Node, names: NameResolver, tracer: Tracer | None, across_periods: bool) -> Compiled:
    """A closure applying `op` to both operands, left first; each traced node stays a call of its own."""
    shape_left, first = _operand(left, names, tracer, across_periods)
    shape_right, second = _operand(right, names, tracer, across_periods)
    if (shape_left, shape_right) == ("const", "const"):
        shape_left, first = "call", _constant(first)
    return _SHAPES[shape_left, shape_right](op, first, second)


def _operand(node: Node, names: NameResolver, tracer: Tracer | None, across_periods: bool) -> tuple[str, Any]:
    if tracer is None and isinstance(node, Number):
        return "const", node.value
    if tracer is None and isinstance(node, Name):
        resolved = names(node.id)
        if isinstance(resolved, str):
            return "key", resolved
    return "call", compile_node(node, names, tracer, across_periods=across_periods)


def _constant(value: Any) -> Compiled:
    return lambda frame: value


def _divider(denominator_text: str) -> Operation:
    def divide(top: Any, bottom: Any) -> Any:
        if not bottom:
            raise Undefined(Reason.of("division_by_zero", denominator=denominator_text))
        return top / bottom

    return divide


def _power(base: Any, exponent: Any) -> Any:
    result = base**exponent  # beyond the number policy's range, or no result: the guard says why
    if not result.is_finite():
        raise Undefined(Reason.of("negative_power"))
    return result


def _logical(is_and: bool, left: Compiled, right: Compiled) -> Compiled:
    decisive = not is_and  # `False` decides an `and`, `True` decides an `or`

    def logical(frame: Any) -> Any:
        try:
            first = left(frame)
        except Undefined:
            if right(frame) is decisive:
                return decisive
            raise
        if first is decisive:
            return decisive
        return right(frame)

    return logical

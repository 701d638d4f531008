"""The formula AST: a small closed set of frozen dataclasses.

Every node carries its `Span` inside the formula text, so any later stage
(name resolution, type checks, the explain tree) can point at the exact
characters a user wrote. Nothing from Lark leaves the parser module.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Span:
    """Characters [start, end) of the formula text, with 1-based line/column of the start."""

    start: int
    end: int
    line: int = 1
    column: int = 1


@dataclass(frozen=True)
class Number:
    """A number literal (`8%` is stored as 0.08, its text kept for display)."""

    value: Decimal
    text: str
    span: Span


@dataclass(frozen=True)
class Name:
    """The name of an input or a KPI."""

    id: str
    span: Span


@dataclass(frozen=True)
class Unary:
    """`-x` or `not x`."""

    op: str  # "-" or "not"
    operand: Node
    span: Span


@dataclass(frozen=True)
class Binary:
    """An arithmetic (`+ - * / ^`) or logical (`and`, `or`) operation."""

    op: str  # + - * / ^ and or
    left: Node
    right: Node
    span: Span


@dataclass(frozen=True)
class Compare:
    """A comparison, which makes a condition."""

    op: str  # < <= > >= == !=
    left: Node
    right: Node
    span: Span


@dataclass(frozen=True)
class Call:
    """A function call; `func_span` locates the function name."""

    func: str
    args: tuple[Node, ...]
    span: Span
    func_span: Span


Node = Number | Name | Unary | Binary | Compare | Call



def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-expressions of a node."""
    match node:
        case Unary(operand=operand):
            return (operand,)
        case Binary(left=left, right=right) | Compare(left=left, right=right):
            return (left, right)
        case Call(args=args):
            return args
        case _:
            return ()


def walk(node: Node) -> Iterator[Node]:
    """Every node of the tree, parents before children."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))


def depth(node: Node) -> int:
    """Height of the tree (a lone number is 1); computed without recursion."""
    best = 0
    stack = [(node, 1)]
    while stack:
        current, level = stack.pop()
        best = max(best, level)
        stack.extend((child, level + 1) for child in children(current))
    return best


def to_text(node: Node) -> str:
    """A canonical, fully readable rendering of the formula (used by explain and graph)."""
    match node:
        case Number(text=text):
            return text
        case Name(id=name):
            return name
        case Unary(op="-", operand=operand):
            return f"-{_wrapped(operand)}"
        case Unary(op=op, operand=operand):
            return f"{op} {_wrapped(operand)}"
        case Binary(op="^", left=left, right=right):
            base = to_text(left)
            return f"{f'({base})' if isinstance(left, (Unary, Binary, Compare)) else base} ^ {_wrapped(right)}"
        case Binary(op=op, left=left, right=right) | Compare(op=op, left=left, right=right):
            return f"{_wrapped(left)} {op} {_wrapped(right)}"
        case Call(func=func, args=args):
            return f"{func}({', '.join(to_text(arg) for arg in args)})"
    raise TypeError(node)


def _wrapped(node: Node) -> str:
    text = to_text(node)
    return f"({text})" if isinstance(node, (Binary, Compare)) else text


def integer_literal(node: Node) -> int | None:
    """The whole number a node spells literally (`4`, `-2`), else None."""
    if isinstance(node, Unary) and node.op == "-":
        inner = integer_literal(node.operand)
        return -inner if inner is not None else None
    if isinstance(node, Number) and node.value == node.value.to_integral_value() and "%" not in node.text:
        return int(node.value)
    return None

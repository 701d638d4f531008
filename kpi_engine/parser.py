"""Formula text -> AST (`nodes`), with errors a finance user can act on.

The grammar lives in `formula.lark`. Lark's parse tree is turned into frozen
dataclasses here and never leaves this module. Syntax errors are reported as
`FormulaSyntaxError` with a position *inside the formula*; the caller maps it
to a file position (it knows where the formula sits in the YAML).
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import (
    UnexpectedCharacters,
    UnexpectedEOF,
    UnexpectedInput,
    UnexpectedToken,
    VisitError,
)
from lark.tree import Meta

from . import nodes
from .errors import name_without_accents
from .limits import Limits
from .nodes import Binary, Call, Compare, Name, Number, Span, Unary

__all__ = ["FormulaSyntaxError", "Limits", "parse_formula"]  # Limits lives in `limits`; re-exported for existing callers


class FormulaSyntaxError(Exception):
    """A formula that cannot be parsed; `offset`/`width` point into the formula text."""

    def __init__(self, message: str, offset: int, width: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset
        self.width = width


@cache
def _lark() -> Lark:
    grammar = resources.files(__package__).joinpath("formula.lark").read_text(encoding="utf-8")
    return Lark(grammar, parser="lalr", propagate_positions=True, maybe_placeholders=False)


def parse_formula(text: str, limits: Limits = Limits()) -> nodes.Node:
    """Parse one formula; raises FormulaSyntaxError with the offending offset."""
    if len(text) > limits.max_formula_length:
        raise FormulaSyntaxError(
            f"formula is {len(text)} characters long; the limit is {limits.max_formula_length}: "
            "split it into intermediate KPIs",
            limits.max_formula_length,
        )
    if not text.strip():
        raise FormulaSyntaxError("formula is empty", 0)
    try:
        tree = _lark().parse(text)
        node = _ToNodes().transform(tree)
    except UnexpectedInput as error:
        raise _friendly(error, text) from None
    except (RecursionError, VisitError):
        raise FormulaSyntaxError("formula is nested too deeply: split it into intermediate KPIs", 0) from None
    if nodes.depth(node) > limits.max_formula_depth:
        raise FormulaSyntaxError(
            f"formula is nested more than {limits.max_formula_depth} levels deep: split it into intermediate KPIs", 0
        )
    return node


def _span(meta_or_token: object) -> Span:
    return Span(
        start=meta_or_token.start_pos,  # type: ignore[attr-defined]
        end=meta_or_token.end_pos,  # type: ignore[attr-defined]
        line=meta_or_token.line,  # type: ignore[attr-defined]
        column=meta_or_token.column,  # type: ignore[attr-defined]
    )


def _decimal(token: Token) -> Decimal:
    return Decimal(str(token).rstrip("%").replace("_", ""))


@v_args(meta=True)
class _ToNodes(Transformer[Token, nodes.Node]):
    """Lark tree -> frozen dataclasses; one method per grammar alias."""

    def number(self, meta: Meta, children: list[Any]) -> Number:
        (token,) = children
        return Number(_decimal(token), str(token), _span(token))

    def percent(self, meta: Meta, children: list[Any]) -> Number:
        (token,) = children
        return Number(_decimal(token) / 100, str(token), _span(token))

    def name(self, meta: Meta, children: list[Any]) -> Name:
        (token,) = children
        return Name(str(token), _span(token))

    def call(self, meta: Meta, children: list[Any]) -> Call:
        func = children[0]
        args = tuple(children[1].children) if len(children) > 1 else ()
        return Call(str(func), args, _span(meta), _span(func))

    def negate(self, meta: Meta, children: list[Any]) -> Unary:
        return Unary("-", children[0], _span(meta))

    def not_op(self, meta: Meta, children: list[Any]) -> Unary:
        return Unary("not", children[0], _span(meta))

    def binary(self, meta: Meta, children: list[Any]) -> Binary:
        left, op, right = children
        return Binary(str(op), left, right, _span(meta))

    def power(self, meta: Meta, children: list[Any]) -> Binary:
        left, right = children
        return Binary("^", left, right, _span(meta))

    def and_op(self, meta: Meta, children: list[Any]) -> Binary:
        return Binary("and", children[0], children[1], _span(meta))

    def or_op(self, meta: Meta, children: list[Any]) -> Binary:
        return Binary("or", children[0], children[1], _span(meta))

    def compare(self, meta: Meta, children: list[Any]) -> Compare:
        left, op, right = children
        return Compare(str(op), left, right, _span(meta))


_CHARACTER_HINTS = {
    ",": " (decimals use a dot: 12.5)",
    ";": " (separate a function's arguments with ',': max(a, b))",
    "\u2212": " (a typographic minus: write '-')",
    "\u2013": " (a dash: write '-' for minus)",
    "\u00d7": " (write '*' to multiply)",
    "\u00f7": " (write '/' to divide)",
    "'": " (names are written without quotes)",
    '"': " (names are written without quotes)",
}
_CHARACTER_HINTS |= {"&": " (write 'and': a > 0 and b > 0)", "|": " (write 'or': a > 0 or b > 0)", "!": " (write 'not': not a > 0)"}
_TOKEN_WORDS = {"NAME": "name", "NUMBER": "number", "PERCENT": "percentage"}
# Words a French spreadsheet user writes for the logical operators, and uppercase operators, lowercased here.
_OPERATOR_WORDS = {"et": "and", "ou": "or", "non": "not", "and": "and", "or": "or", "not": "not"}


def _friendly(error: UnexpectedInput, text: str) -> FormulaSyntaxError:
    """Turn Lark's parser vocabulary into the words of someone writing a spreadsheet formula."""
    if isinstance(error, UnexpectedEOF) or (isinstance(error, UnexpectedToken) and error.token.type == "$END"):
        if text.count("(") > text.count(")"):
            return FormulaSyntaxError("a parenthesis is not closed: add ')'", len(text.rstrip()))
        return FormulaSyntaxError("formula ends too early: an operand is missing at the end", len(text.rstrip()))
    if isinstance(error, UnexpectedCharacters):
        position = error.pos_in_stream or 0  # always set for UnexpectedCharacters
        char = text[position]
        if char == "=" and not text[:position].strip():
            return FormulaSyntaxError("a formula is written without the leading '=' of a spreadsheet", position)
        if char == "=":
            return FormulaSyntaxError("unexpected '=': write '==' to compare two values", position)
        if char == "%" and text[:position].rstrip()[-1:].isdigit():
            return FormulaSyntaxError("write a percentage without a space: 6%", position)
        if char.isalpha():
            written = name_without_accents(_word_at(text, position))
            return FormulaSyntaxError(f"unexpected {char!r}: names use letters without accents, digits and '_'; write '{written}'", position)
        hint = _CHARACTER_HINTS.get(char, "")
        return FormulaSyntaxError(f"unexpected character {char!r}{hint}", position)
    if not isinstance(error, UnexpectedToken):  # Lark's three kinds of UnexpectedInput are handled above and here
        raise TypeError(f"unexpected Lark error {type(error).__name__}") from error
    token = error.token
    offset = token.start_pos or 0
    width = max(1, len(str(token)))
    if token.type == "NAME" and re.fullmatch(r"[eE]\d+", str(token)) and text[:offset].rstrip()[-1:].isdigit():
        return FormulaSyntaxError("scientific notation is not supported: write the number in full (1e3 is 1000)", offset, width)
    if token.type == "RPAR" and text[: offset].count("(") <= text[: offset].count(")"):
        return FormulaSyntaxError("unbalanced parenthesis: this ')' has no matching '('", offset)
    if token.type in {"NAME", "NUMBER", "PERCENT", "LPAR"} and _ends_operand(text[:offset]):
        return _operator_word(text, token) or FormulaSyntaxError(f"missing operator before {str(token)!r}", offset, width)
    if token.type == "COMPARATOR" and str(token) == ">" and text[:offset].endswith("<"):
        return FormulaSyntaxError("write '!=' for 'different from' ('<>' is a spreadsheet's)", offset - 1, 2)
    if token.type == "COMPARATOR":
        return FormulaSyntaxError(
            "comparisons cannot be chained: write 'a < b and b < c' instead of 'a < b < c'", offset, width
        )
    if token.type == "COMMA" and text[:offset].rstrip()[-1:].isdigit():
        return FormulaSyntaxError("unexpected ',': decimals use a dot (12.5)", offset)
    return FormulaSyntaxError(f"unexpected {_describe(token)}: an operand is missing before it", offset, width)


def _operator_word(text: str, token: Token) -> FormulaSyntaxError | None:
    """`a et b`, `non a`, `a AND b`: the logical operator is written `and`, `or`, `not` (lowercase, in English)."""
    offset = token.start_pos or 0
    previous = re.search(r"(\w+)\s*$", text[:offset])
    for word, start in ((str(token), offset), (previous.group(1), previous.start(1)) if previous else ("", 0)):
        operator = _OPERATOR_WORDS.get(word.lower())
        if operator and operator != word:
            return FormulaSyntaxError(f"write '{operator}' for '{word}': the logical operators are and, or, not", start, len(word))
    return None


def _word_at(text: str, position: int) -> str:
    """The word (letters, digits, '_') around `position`."""
    start, end = position, position
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
        start -= 1
    while end < len(text) and (text[end].isalnum() or text[end] == "_"):
        end += 1
    return text[start:end]


def _ends_operand(before: str) -> bool:
    stripped = before.rstrip()
    return bool(stripped) and (stripped[-1].isalnum() or stripped[-1] in "_)%")


def _describe(token: Token) -> str:
    word = _TOKEN_WORDS.get(token.type)
    return f"{word} {str(token)!r}" if word else repr(str(token))

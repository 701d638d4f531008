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
from .reasons import Reason

__all__ = ["FormulaSyntaxError", "Limits", "parse_formula"]  # Limits lives in `limits`; re-exported for existing callers


class FormulaSyntaxError(Exception):
    """A formula that cannot be parsed; `offset`/`width` point into the formula text.

    `cause` says what is wrong as data (`reasons.Reason`), worded in the reader's language at
    the edge; `message` is its English, the text of record.
    """

    def __init__(self, cause: Reason, offset: int, width: int = 1) -> None:
        super().__init__(cause.text("en"))
        self.cause = cause
        self.message = cause.text("en")
        self.offset = offset
        self.width = width


def _refused(code: str, offset: int, width: int = 1, **params: Any) -> FormulaSyntaxError:
    return FormulaSyntaxError(Reason.of(code, **params), offset, width)


@cache
def _lark() -> Lark:
    grammar = resources.files(__package__).joinpath("formula.lark").read_text(encoding="utf-8")
    return Lark(grammar, parser="lalr", propagate_positions=True, maybe_placeholders=False)


def parse_formula(text: str, limits: Limits = Limits()) -> nodes.Node:
    """Parse one formula; raises FormulaSyntaxError with the offending offset."""
    if len(text) > limits.max_formula_length:
        raise _refused("formula_too_long", limits.max_formula_length, count=len(text), limit=limits.max_formula_length)
    if not text.strip():
        raise _refused("formula_empty", 0)
    try:
        tree = _lark().parse(text)
        node = _ToNodes().transform(tree)
    except UnexpectedInput as error:
        raise _friendly(error, text) from None
    except (RecursionError, VisitError):
        raise _refused("formula_too_nested", 0) from None
    if nodes.depth(node) > limits.max_formula_depth:
        raise _refused("formula_depth_limit", 0, limit=limits.max_formula_depth)
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


# Characters a spreadsheet user types, and the catalogue's hint on what to write instead.
_CHARACTER_HINTS = {
    ",": "hint_decimal_dot",
    ";": "hint_argument_comma",
    "\u2212": "hint_typographic_minus",
    "\u2013": "hint_dash",
    "\u00d7": "hint_times",
    "\u00f7": "hint_divide",
    "'": "hint_no_quotes",
    '"': "hint_no_quotes",
    "&": "hint_and",
    "|": "hint_or",
    "!": "hint_not",
}
_TOKEN_WORDS = {"NAME": "token_name", "NUMBER": "token_number", "PERCENT": "token_percentage"}
# Words a French spreadsheet user writes for the logical operators, and uppercase operators, lowercased here.
_OPERATOR_WORDS = {"et": "and", "ou": "or", "non": "not", "and": "and", "or": "or", "not": "not"}


def _friendly(error: UnexpectedInput, text: str) -> FormulaSyntaxError:
    """Turn Lark's parser vocabulary into the words of someone writing a spreadsheet formula."""
    if isinstance(error, UnexpectedEOF) or (isinstance(error, UnexpectedToken) and error.token.type == "$END"):
        if text.count("(") > text.count(")"):
            return _refused("parenthesis_not_closed", len(text.rstrip()))
        return _refused("ends_too_early", len(text.rstrip()))
    if isinstance(error, UnexpectedCharacters):
        position = error.pos_in_stream or 0  # always set for UnexpectedCharacters
        char = text[position]
        if char == "=" and not text[:position].strip():
            return _refused("leading_equals", position)
        if char == "=":
            return _refused("single_equals", position)
        if char == "%" and text[:position].rstrip()[-1:].isdigit():
            return _refused("percent_with_space", position)
        if char.isalpha():
            written = name_without_accents(_word_at(text, position))
            return _refused("accented_letter", position, quoted=repr(char), char=char, spelling=written)
        hint = _CHARACTER_HINTS.get(char)
        return _refused("unexpected_character", position, quoted=repr(char), char=char, advice=Reason.of(hint) if hint else "")
    if not isinstance(error, UnexpectedToken):  # Lark's three kinds of UnexpectedInput are handled above and here
        raise TypeError(f"unexpected Lark error {type(error).__name__}") from error
    token = error.token
    offset = token.start_pos or 0
    width = max(1, len(str(token)))
    if token.type == "NAME" and re.fullmatch(r"[eE]\d+", str(token)) and text[:offset].rstrip()[-1:].isdigit():
        return _refused("scientific_notation", offset, width)
    if token.type == "RPAR" and text[: offset].count("(") <= text[: offset].count(")"):
        return _refused("unmatched_parenthesis", offset)
    if token.type in {"NAME", "NUMBER", "PERCENT", "LPAR"} and _ends_operand(text[:offset]):
        return _operator_word(text, token) or _refused("missing_operator", offset, width, quoted=repr(str(token)), token=str(token))
    if token.type == "COMPARATOR" and str(token) == ">" and text[:offset].endswith("<"):
        return _refused("spreadsheet_different", offset - 1, 2)
    if token.type == "COMPARATOR":
        return _refused("chained_comparison", offset, width)
    if token.type == "COMMA" and text[:offset].rstrip()[-1:].isdigit():
        return _refused("decimal_comma", offset)
    return _refused("operand_missing", offset, width, token=_described(token))


def _operator_word(text: str, token: Token) -> FormulaSyntaxError | None:
    """`a et b`, `non a`, `a AND b`: the logical operator is written `and`, `or`, `not` (lowercase, in English)."""
    offset = token.start_pos or 0
    previous = re.search(r"(\w+)\s*$", text[:offset])
    for word, start in ((str(token), offset), (previous.group(1), previous.start(1)) if previous else ("", 0)):
        operator = _OPERATOR_WORDS.get(word.lower())
        if operator and operator != word:
            return _refused("operator_word", start, len(word), operator=operator, word=word)
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


def _described(token: Token) -> Reason:
    """`name 'x'`, `number '3'`, `'*'`: the unexpected token, in words."""
    return Reason.of(_TOKEN_WORDS.get(token.type, "token_symbol"), quoted=repr(str(token)), token=str(token))

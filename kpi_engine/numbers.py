"""Exact numbers: the decimal context every computation runs in, rounding, and reading numbers people write.

The bottom of the pipeline: evaluation, display, facts readers and pack tests
all take their arithmetic rules from here, so there is one answer to "how many
digits", "which way does a half round" and "is `1,500` a number".
"""

from __future__ import annotations

import re
from decimal import (
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)

# 28 significant digits, banker's rounding for intermediate results, and errors trapped rather than
# silently producing NaN or Infinity; spelled out, so the caller's own decimal settings never leak in.
DECIMAL_CONTEXT = Context(prec=28, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow])


def round_half_up(value: Decimal, places: int) -> Decimal:
    """`value` rounded to `places` decimals (negative: tens, hundreds...), halves away from zero, as
    accountants do; exact whatever the magnitude (the precision grows with the number's digits)."""
    digits = max(28, value.adjusted() + max(places, 0) + 2)
    with localcontext(Context(prec=digits)):
        rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        return rounded if places >= 0 else rounded.quantize(Decimal(1))



_SPACES = re.compile(r"[\s\u00a0\u202f']")
_AMBIGUOUS = re.compile(r"[-+]?[1-9]\d{0,2},\d{3}")  # 1,500: thousands, or one and a half?
_GROUPED = re.compile(r"[-+]?\d{1,3}(,\d{3}){2,}")  # 1,234,567: thousands for sure
_NUMBER = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")


def parse_number(text: str, decimal_comma: bool = False) -> Decimal:
    """Read `1234.56`, `1 234,56`, `-12,5 %`, `(1 234,56)` (accounting negative) as an exact decimal.

    `decimal_comma` says which mark the file uses for decimals (French `;` exports: the
    comma). A number whose one separator could be either (`1,500` in a dot-decimal file,
    `1.500` in a comma-decimal one: 1500 or 1.5?) is refused rather than guessed: a
    factor of 1000 is not a rounding error.
    """
    raw = _SPACES.sub("", text.strip())
    negative = raw.startswith("(") and raw.endswith(")")
    raw = raw.strip("()")
    percent = raw.endswith("%")
    raw = raw.rstrip("%").replace("€", "")
    if "," in raw and "." in raw:
        thousands, decimal = (".", ",") if raw.rfind(",") > raw.rfind(".") else (",", ".")
        raw = raw.replace(thousands, "").replace(decimal, ".")
    else:
        foreign = "," if not decimal_comma else "."  # the mark that is not this file's decimal mark
        if _AMBIGUOUS.fullmatch(raw.replace(foreign, ",")) and raw.count(foreign) == 1:
            whole, _, part = raw.partition(foreign)
            raise ValueError(f"{text!r} is ambiguous: write {whole}{part} or {whole}{'.' if foreign == ',' else ','}{part} without a thousands separator")
        if foreign in raw and _GROUPED.fullmatch(raw.replace(foreign, ",")):
            raw = raw.replace(foreign, "")  # 1,234,567: only thousands repeat
        raw = raw.replace(",", ".")
    if not _NUMBER.fullmatch(raw):
        raise ValueError(f"{text!r} is not a number")
    value = Decimal(raw)
    value = -value if negative else value
    return value / 100 if percent else value

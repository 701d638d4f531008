"""Exact numbers: the decimal context every computation runs in, rounding, and reading numbers people write.

The bottom of the pipeline: evaluation, display, facts readers and pack tests
all take their arithmetic rules from here, so there is one answer to "how many
digits", "which way does a half round", "is `1,500` a number" and "is this
number one the engine accepts" (`NumberLimits`: the one number policy).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import (
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    Subnormal,
    Underflow,
    localcontext,
)

PRECISION = 28
"""Significant digits of every computation, and of every number read (`NumberLimits.max_digits`)."""
MAX_EXPONENT = 100
"""The magnitude of every number read and computed: from 1E-100 to 9.99E+100 (`NumberLimits.max_exponent`)."""

# 28 significant digits, banker's rounding for intermediate results, and errors trapped rather than
# silently producing NaN or Infinity; spelled out, so the caller's own decimal settings never leak in.
# Results stay in the number policy's range: one beyond 9.99E+100 traps `Overflow`, one below 1E-100
# (other than 0) traps `Subnormal` or `Underflow`, instead of an exact zero or a million-digit exponent;
# the evaluator turns each into an undefined value with its reason (`functions.guarded`).
DECIMAL_CONTEXT = Context(
    prec=PRECISION,
    rounding=ROUND_HALF_EVEN,
    Emax=MAX_EXPONENT,
    Emin=-MAX_EXPONENT,
    traps=[InvalidOperation, DivisionByZero, Overflow, Underflow, Subnormal],
)


def difference(a: Decimal, b: Decimal) -> Decimal | None:
    """a - b in the number policy's range; None beyond it (the gap of 9E+100 and -9E+100 is not shown)."""
    try:
        return DECIMAL_CONTEXT.subtract(a, b)
    except ArithmeticError:
        return None


def round_half_up(value: Decimal, places: int) -> Decimal:
    """`value` rounded to `places` decimals (negative: tens, hundreds...), halves away from zero, as
    accountants do; exact whatever the magnitude (the precision grows with the number's digits)."""
    digits = max(28, value.adjusted() + max(places, 0) + 2)
    with localcontext(Context(prec=digits)):
        rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        return rounded if places >= 0 else rounded.quantize(Decimal(1))


@dataclass(frozen=True)
class NumberLimits:
    """The number policy: which decimals the engine accepts from any source (packs, pack tests, facts, API records).

    A number is accepted when it is finite, written with at most `max_digits` digits, and its magnitude
    (its adjusted exponent, the power of ten of its first digit) lies within +-`max_exponent`. Anything
    else is refused with a reason where it is read, so no reader lets through a number that would later be
    silently rounded, print a million digits, or raise a raw `decimal` exception.

    Readers call `checked(value)` on a Decimal they built, or `read_decimal(text)` on plain decimal text
    (`-12.5`, `1.5e3`), which refuses overlong text before building anything; `parse_number` applies the
    policy too. Each raises ValueError with a message a user can act on; the reader adds the location.
    """

    max_digits: int = PRECISION
    """Significant digits (from the first to the last that is not 0): 28, the precision every computation
    runs at, so a number read is never rounded by the first operation that uses it. What the engine writes
    itself is read back whole: its repeating results (`0.3333333333333333333333333333`, 28 digits) and its
    largest ones, written without an exponent (9.99E+100 is `999` followed by 98 zeros: 3 digits)."""

    max_exponent: int = MAX_EXPONENT
    """Magnitude: from 1E-100 to 9.99E+100 (and zero). No amount, count or rate a finance team reads is near
    either end (world GDP is about 1E+14 euros), and every accepted number prints in full (no exponent) in
    under 130 characters, where `1e999999999` printed 1 GB. It also keeps Python's int conversions far below
    their 4,300-digit limit. Results are computed in the same range (`DECIMAL_CONTEXT`), so what the engine
    writes is always a number it reads back."""

    @property
    def max_text_length(self) -> int:
        """The longest plain text of an accepted number: its digits, the zeros before the smallest magnitude,
        sign, point and an exponent; longer text is refused before being converted."""
        return self.max_digits + self.max_exponent + 16

    def checked(self, value: Decimal, written: str | None = None) -> Decimal:
        """`value` itself when the policy accepts it; ValueError saying why not (quoting `written`, the
        number as the user wrote it, when given)."""
        shown = _shown(str(value) if written is None else written)
        if not value.is_finite():
            raise ValueError(f"{shown} is not a finite number")
        digits = _significant_digits(value)
        if digits > self.max_digits:
            raise ValueError(f"{shown} has {digits} digits; at most {self.max_digits} are read, the precision the engine computes with")
        if not -self.max_exponent <= value.adjusted() <= self.max_exponent:
            raise ValueError(self._out_of_range(shown))
        return value

    def _out_of_range(self, shown: str) -> str:
        return f"{shown} is out of range: numbers are read from 1E-{self.max_exponent} to 9.99E+{self.max_exponent} in size"

    def read_decimal(self, text: str) -> Decimal:
        """Plain decimal text (`-12.5`, `1_000`, `1.5e3`) as an accepted Decimal; ValueError saying why not."""
        cleaned = text.strip().replace("_", "")
        if len(cleaned) > self.max_text_length:
            raise ValueError(f"{_shown(cleaned)} is {len(cleaned)} characters long: too long to be a number the engine reads")
        try:
            value = Decimal(cleaned)
        except InvalidOperation:  # an exponent beyond what `decimal` itself holds, or not a number at all
            raise ValueError(self._out_of_range(_shown(cleaned)) if _NUMBER.fullmatch(cleaned) else f"{_shown(cleaned)} is not a number") from None
        return self.checked(value, text.strip())


def _significant_digits(value: Decimal) -> int:
    """Digits from the first to the last that is not 0: what `1.50`, `1500` and `0.0015` all have 2 of."""
    digits = value.as_tuple().digits
    return len(bytes(digits).rstrip(b"\0").lstrip(b"\0"))


def _shown(text: str) -> str:
    """A number's text quoted for a message, shortened when long (a 5,000-digit number is not repeated whole)."""
    return repr(text) if len(text) <= 40 else repr(f"{text[:20]}...{text[-10:]}")


_SPACES = re.compile(r"[\s\u00a0\u202f']")
_AMBIGUOUS = re.compile(r"[-+]?[1-9]\d{0,2},\d{3}", re.ASCII)  # 1,500: thousands, or one and a half?
_GROUPED = re.compile(r"[-+]?\d{1,3}(,\d{3}){2,}", re.ASCII)  # 1,234,567: thousands for sure
_NUMBER = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?", re.ASCII)  # ASCII: "２０２５" is no number


def read_number(raw: str | int | Decimal, decimal_comma: bool = False, limits: NumberLimits = NumberLimits()) -> Decimal:
    """A number as a reader found it, typed (an int or Decimal from JSON, YAML, a workbook or a program) or
    written (`parse_number`), under the number policy: `Decimal('Infinity')` is refused like `'1e999999999'`."""
    if isinstance(raw, str):
        return parse_number(raw, decimal_comma, limits)
    return limits.checked(raw if isinstance(raw, Decimal) else Decimal(raw))


def parse_number(text: str, decimal_comma: bool = False, limits: NumberLimits = NumberLimits()) -> Decimal:
    """Read `1234.56`, `1 234,56`, `-12,5 %`, `(1 234,56)` (accounting negative) as an exact decimal.

    `decimal_comma` says which mark the file uses for decimals (French `;` exports: the
    comma). A number whose one separator could be either (`1,500` in a dot-decimal file,
    `1.500` in a comma-decimal one: 1500 or 1.5?) is refused rather than guessed: a
    factor of 1000 is not a rounding error. The result follows the number policy (`limits`).
    """
    if len(text) > 2 * limits.max_text_length:  # room for separators, currency and spaces
        raise ValueError(f"{_shown(text.strip())} is {len(text)} characters long: too long to be a number the engine reads")
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
    value = limits.read_decimal(raw)
    value = -value if negative else value
    return limits.checked(value / 100) if percent else value

"""What differs between SQL engines: types, exact arithmetic helpers, identifiers.

Every number is a HUGEINT (a 128-bit integer) counting units of 10^-24
(`SCALE`): additions, subtractions and comparisons are exact integer
operations; products and quotients are computed exactly and rounded once,
half away from zero, at the 24th decimal (`kpi_mul`, `kpi_div`, below), so a
quotient of at least 1e-6 is within 1e-18 of the Python backend's relative
to its size. Magnitudes reach 1.7e14; a denominator is at most 1.7e12 in
absolute value (the long division works two digits at a time within 128
bits). Beyond either, the engine raises an overflow that `TRY` turns into an
undefined value with the arithmetic reason: never a wrong number.

DuckDB's own `/` on DECIMAL returns a binary DOUBLE, and its
`decimal_division(x, y, scale)` refuses operands whose declared widths do not
fit 38 digits after scaling (any two DECIMAL(38, 18) values), so neither is
used.
"""

from __future__ import annotations

from dataclasses import dataclass

SCALE = 24
UNIT = 10**SCALE
HALF = 10 ** (SCALE // 2)  # products split each fractional part in two halves so partial products fit 128 bits
STEP_DIGITS = 2  # digits of a quotient found per long-division step
MAX_DENOMINATOR = (2**127 - 1) // (UNIT * 10**STEP_DIGITS)


@dataclass(frozen=True)
class Dialect:
    """How one engine spells the few things that differ."""

    name: str
    number_type: str
    text_type: str
    helpers: str  # statements defining the arithmetic helpers, run before the queries
    month_of_day: str  # the month ordinal (year * 12 + month - 1) of the day ordinal {day} (1 is 0001-01-01)
    first_day: str  # the day ordinal of the first day of the month ordinal {month}
    day_of_date: str  # the day ordinal of a 'YYYY-MM-DD' text {text}, NULL when it is no date

    def quote(self, name: str) -> str:
        return '"' + name.replace('"', '""') + '"'


_S = f"{UNIT}::HUGEINT"
_H = f"{HALF}::HUGEINT"
_STEP = 10**STEP_DIGITS
_DUCKDB_HELPERS = f"""\
-- Each helper reads its operands once (bound in a one-element list), so nested formulas stay small once expanded.
-- a * b in units of 1e-{SCALE}, exact then rounded half away from zero: whole and fractional parts multiplied
-- separately, the fractional ones in halves of {SCALE // 2} digits, so no partial product exceeds 128 bits
CREATE OR REPLACE TEMP MACRO kpi_mul(a, b) AS list_transform(
    [{{'ah': abs(a) // {_S}, 'al': abs(a) % {_S}, 'bh': abs(b) // {_S}, 'bl': abs(b) % {_S}, 's': sign(a) * sign(b)}}],
    lambda x: x.s * (
        x.ah * x.bh * {_S} + x.ah * x.bl + x.al * x.bh
        + (x.al // {_H}) * (x.bl // {_H})
        + (((x.al // {_H}) * (x.bl % {_H}) + (x.al % {_H}) * (x.bl // {_H})) * {_H}
           + (x.al % {_H}) * (x.bl % {_H}) + {_S} // 2) // {_S}))[1];
-- {SCALE} decimals of r / q (0 <= r < q) by long division, {STEP_DIGITS} digits at a time; the rest decides the rounding
CREATE OR REPLACE TEMP MACRO kpi_fraction(r, q) AS list_reduce(
    range({SCALE // STEP_DIGITS}),
    lambda acc, step: {{'digits': acc.digits * {_STEP} + (acc.rest * {_STEP}) // q, 'rest': (acc.rest * {_STEP}) % q}},
    {{'digits': 0::HUGEINT, 'rest': r}});
-- a / b in units of 1e-{SCALE} (b is not 0): whole part, then the decimals, rounded half away from zero
CREATE OR REPLACE TEMP MACRO kpi_div(a, b) AS list_transform([{{'a': abs(a), 'b': abs(b), 's': sign(a) * sign(b)}}], lambda x: x.s * (
    (x.a // x.b) * {_S}
    + list_transform([kpi_fraction(x.a % x.b, x.b)], lambda f: f.digits + CASE WHEN 2 * f.rest >= x.b THEN 1 ELSE 0 END)[1]))[1];
-- x rounded to `unit` (a power of ten in units of 1e-{SCALE}), halves away from zero
CREATE OR REPLACE TEMP MACRO kpi_round(x, unit) AS sign(x) * ((abs(x) + unit // 2) // unit) * unit;
"""

_DAY_ONE = "DATE '0001-01-01'"
DUCKDB = Dialect(
    "duckdb",
    "HUGEINT",
    "VARCHAR",
    _DUCKDB_HELPERS,
    month_of_day=f"(year({_DAY_ONE} + CAST({{day}} - 1 AS INTEGER)) * 12 + month({_DAY_ONE} + CAST({{day}} - 1 AS INTEGER)) - 1)",
    first_day=f"(make_date(CAST(({{month}}) // 12 AS INTEGER), CAST(({{month}}) % 12 + 1 AS INTEGER), 1) - {_DAY_ONE} + 1)",
    day_of_date=f"(TRY_CAST({{text}} AS DATE) - {_DAY_ONE} + 1)",
)
DIALECTS = {"duckdb": DUCKDB}

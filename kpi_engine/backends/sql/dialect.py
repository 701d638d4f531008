"""What differs between SQL engines: types, exact arithmetic helpers, identifiers.

Every number is a HUGEINT (a 128-bit integer) counting units of 10^-18:
additions, subtractions and comparisons are exact integer operations;
products and quotients are computed exactly and rounded once, half away from
zero, at the 18th decimal (`kpi_mul`, `kpi_div`, below). Magnitudes reach
1.7e20; a denominator is at most 1.7e17 in absolute value (the long division
works in steps of three digits within 128 bits). Beyond either, the engine
raises an overflow that `TRY` turns into an undefined value with the
arithmetic reason: never a wrong number.

DuckDB's own `/` on DECIMAL returns a binary DOUBLE, and its
`decimal_division(x, y, scale)` refuses operands whose declared widths do not
fit 38 digits after scaling (any two DECIMAL(38, 18) values), so neither is
used.
"""

from __future__ import annotations

from dataclasses import dataclass

SCALE = 18
UNIT = 10**SCALE


@dataclass(frozen=True)
class Dialect:
    """How one engine spells the few things that differ."""

    name: str
    number_type: str
    text_type: str
    helpers: str  # statements defining the arithmetic helpers, run before the queries

    def quote(self, name: str) -> str:
        return '"' + name.replace('"', '""') + '"'


_S = f"{UNIT}::HUGEINT"
_DUCKDB_HELPERS = f"""\
-- Each helper reads its operands once (bound in a one-element list), so nested formulas stay small once expanded.
-- a * b in units of 1e-18, exact then rounded half away from zero: both split into whole and fractional parts
CREATE OR REPLACE TEMP MACRO kpi_mul(a, b) AS list_transform([{{'a': abs(a), 'b': abs(b), 's': sign(a) * sign(b)}}], lambda x: x.s * (
    (x.a // {_S}) * (x.b // {_S}) * {_S}
    + (x.a // {_S}) * (x.b % {_S})
    + (x.a % {_S}) * (x.b // {_S})
    + ((x.a % {_S}) * (x.b % {_S}) + {_S} // 2) // {_S}))[1];
-- 18 decimals of r / q (0 <= r < q) by long division, three digits at a time, rounded half away from zero
CREATE OR REPLACE TEMP MACRO kpi_fraction(r, q) AS list_reduce(
    [0, 1, 2, 3, 4, 5],
    lambda acc, step: {{'digits': acc.digits * 1000 + (acc.rest * 1000) // q, 'rest': (acc.rest * 1000) % q}},
    {{'digits': 0::HUGEINT, 'rest': r}});
-- a / b in units of 1e-18 (b is not 0): whole part, then 18 decimals by long division
CREATE OR REPLACE TEMP MACRO kpi_div(a, b) AS list_transform([{{'a': abs(a), 'b': abs(b), 's': sign(a) * sign(b)}}], lambda x: x.s * (
    (x.a // x.b) * {_S}
    + list_transform([kpi_fraction(x.a % x.b, x.b)], lambda f: f.digits + CASE WHEN 2 * f.rest >= x.b THEN 1 ELSE 0 END)[1]))[1];
-- x rounded to `unit` (a power of ten in units of 1e-18), halves away from zero
CREATE OR REPLACE TEMP MACRO kpi_round(x, unit) AS sign(x) * ((abs(x) + unit // 2) // unit) * unit;
"""

DUCKDB = Dialect("duckdb", "HUGEINT", "VARCHAR", _DUCKDB_HELPERS)
DIALECTS = {"duckdb": DUCKDB}

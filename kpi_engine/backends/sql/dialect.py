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
-- a * b in units of 1e-18, exact then rounded half away from zero: both split into whole and fractional parts
CREATE OR REPLACE TEMP MACRO kpi_mul(a, b) AS sign(a) * sign(b) * (
    (abs(a) // {_S}) * (abs(b) // {_S}) * {_S}
    + (abs(a) // {_S}) * (abs(b) % {_S})
    + (abs(a) % {_S}) * (abs(b) // {_S})
    + ((abs(a) % {_S}) * (abs(b) % {_S}) + {_S} // 2) // {_S});
-- one step of long division: the next three digits of r / q, and what remains
CREATE OR REPLACE TEMP MACRO kpi_digits(r, q) AS (r * 1000) // q;
CREATE OR REPLACE TEMP MACRO kpi_rest(r, q) AS (r * 1000) % q;
CREATE OR REPLACE TEMP MACRO kpi_fraction(r, q) AS
    kpi_digits(r, q) * 1000000000000000
    + kpi_digits(kpi_rest(r, q), q) * 1000000000000
    + kpi_digits(kpi_rest(kpi_rest(r, q), q), q) * 1000000000
    + kpi_digits(kpi_rest(kpi_rest(kpi_rest(r, q), q), q), q) * 1000000
    + kpi_digits(kpi_rest(kpi_rest(kpi_rest(kpi_rest(r, q), q), q), q), q) * 1000
    + kpi_digits(kpi_rest(kpi_rest(kpi_rest(kpi_rest(kpi_rest(r, q), q), q), q), q), q)
    + CASE WHEN 2 * kpi_rest(kpi_rest(kpi_rest(kpi_rest(kpi_rest(kpi_rest(r, q), q), q), q), q), q) >= q THEN 1 ELSE 0 END;
-- a / b in units of 1e-18 (b is not 0): whole part, then 18 decimals by long division, rounded half away from zero
CREATE OR REPLACE TEMP MACRO kpi_div(a, b) AS sign(a) * sign(b) * (
    (abs(a) // abs(b)) * {_S} + kpi_fraction(abs(a) % abs(b), abs(b)));
-- x rounded to `unit` (a power of ten in units of 1e-18), halves away from zero
CREATE OR REPLACE TEMP MACRO kpi_round(x, unit) AS sign(x) * ((abs(x) + unit // 2) // unit) * unit;
"""

DUCKDB = Dialect("duckdb", "HUGEINT", "VARCHAR", _DUCKDB_HELPERS)
DIALECTS = {"duckdb": DUCKDB}

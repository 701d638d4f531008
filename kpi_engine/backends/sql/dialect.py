"""What differs between SQL engines: types, exact arithmetic helpers, identifiers, a few constructs.

Every number is an integer counting units of 10^-24 (`SCALE`): additions,
subtractions and comparisons are exact integer operations; products and
quotients are computed exactly and rounded once, half away from zero, at the
24th decimal (`kpi_mul`, `kpi_div`, below), so a quotient of at least 1e-6 is
within 1e-18 of the Python backend's relative to its size. Beyond the
engine's integer range the engine gives an overflow that becomes an undefined
value with the arithmetic reason: never a wrong number.

DuckDB: a HUGEINT (128 bits). Magnitudes reach 1.7e14; a denominator is at
most 1.7e12 in absolute value (the long division works two digits at a time
within 128 bits); `TRY` turns an overflow into NULL. DuckDB's own `/` on
DECIMAL returns a binary DOUBLE, and its `decimal_division(x, y, scale)`
refuses operands whose declared widths do not fit 38 digits after scaling
(any two DECIMAL(38, 18) values), so neither is used.

Spark: a DECIMAL(38, 0) (38 decimal digits). Magnitudes stay below 1e14, a
denominator below 1e12. Spark types a decimal operation's result from its
operands' declared types, not their values: DECIMAL(38, 24) * DECIMAL(38, 24)
is typed DECIMAL(38, 9) (or DECIMAL(38, 36), which overflows past 100, with
`spark.sql.decimalOperations.allowPrecisionLoss=false`), so no declared scale
keeps 24 decimals through a product or a quotient. On whole numbers the
types are exact: sums, differences and products of DECIMAL(38, 0) are
DECIMAL(38, 0), and an exact whole quotient fits the DECIMAL(38, 6) Spark
gives `/` (`kpi_quot`). The session runs with `spark.sql.ansi.enabled=false`,
where a decimal overflow (in an operation, a `sum` or a cast) is NULL, the
role `TRY` has in DuckDB. The helpers are SQL functions (`CREATE TEMPORARY
FUNCTION ... RETURN`, Spark 4), the same computations as DuckDB's macros.

What differs by one word (identifier quotes, type names, `TRY`, `//`,
`arg_max`, temporary tables) `SparkDialect.render` translates token by token,
outside string literals and comments; what differs in shape is a method of
`Dialect` the query calls (`series`, `ordered_list`, `item`,
`first_non_null`, `window_step`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SCALE = 24
UNIT = 10**SCALE
HALF = 10 ** (SCALE // 2)  # products split each fractional part in two halves so partial products fit 128 bits
STEP_DIGITS = 2  # digits of a quotient found per long-division step
MAX_DENOMINATOR = (2**127 - 1) // (UNIT * 10**STEP_DIGITS)


@dataclass(frozen=True)
class Dialect:
    """How one engine spells the few things that differ: DuckDB's spelling, which the queries are written in."""

    name: str
    number_type: str
    text_type: str
    helpers: str  # statements defining the arithmetic helpers, run before the queries

    def quote(self, name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    def render(self, sql: str) -> str:
        """`sql` (written in DuckDB's spelling) in this engine's."""
        return sql

    def series(self, first: str, last: str) -> str:
        """One row per whole number from `first` to `last`, as a select-list item."""
        return f"unnest(range({first}, {last} + 1))"

    def ordered_list(self, value: str, order: str) -> str:
        """An aggregate: the group's `value`s as a list ordered by `order` (NULL values kept)."""
        return f"list({value} ORDER BY {order})"

    def item(self, items: str, position: int) -> str:
        """The `position`th element (from 1) of a list."""
        return f"{items}[{position}]"

    def first_non_null(self, value: str, over: str) -> str:
        """The first non-NULL `value` of a window frame."""
        return f"first_value({value} IGNORE NULLS) {over}"

    def window_step(self, source: str, body: str, columns: list[str]) -> str:
        """A step adding window columns (`body`, defining the quoted `columns`) to the rows of `source`.

        DuckDB computes them over the few columns they read and joins them back by `grid_row`: sorting whole rows
        costs more.
        """
        added = ", ".join(f"w.{column}" for column in columns)
        return f"SELECT p.*, {added}\n    FROM {source} p JOIN (SELECT grid_row,\n        {body}\n    FROM {source}) w ON w.grid_row = p.grid_row"


@dataclass(frozen=True)
class SparkDialect(Dialect):
    """Spark SQL (4.x): backquoted identifiers, DECIMAL(38, 0) numbers, arrays, views where DuckDB has tables."""

    def quote(self, name: str) -> str:
        return "`" + name.replace("`", "``") + "`"

    def render(self, sql: str) -> str:
        return _TOKENS.sub(self._token, sql)

    def _token(self, match: re.Match[str]) -> str:
        token = match.group(0)
        if token.startswith("'"):  # Spark reads backslash escapes in literals, and no doubled quote
            return "'" + token[1:-1].replace("\\", "\\\\").replace("''", "\\'") + "'"
        if token.startswith("--"):
            return token
        if token.startswith('"'):
            return self.quote(token[1:-1].replace('""', '"'))
        return {"HUGEINT": self.number_type, "VARCHAR": self.text_type, "TRY(": "(", " // ": " div ", "arg_max(": "max_by(", "arg_min(": "min_by(",
                "TEMP TABLE": "TEMP VIEW"}[token]

    def series(self, first: str, last: str) -> str:
        return f"explode(sequence({first}, {last}))"

    def ordered_list(self, value: str, order: str) -> str:
        return f"transform(array_sort(collect_list(named_struct('o', {order}, 'v', {value}))), e -> e.v)"

    def item(self, items: str, position: int) -> str:
        return f"{items}[{position - 1}]"

    def first_non_null(self, value: str, over: str) -> str:
        return f"first_value({value}) IGNORE NULLS {over}"

    def window_step(self, source: str, body: str, columns: list[str]) -> str:
        """Over the whole rows: Spark inlines a step read twice (every step is), so a join back would double the
        plan at each window step."""
        return f"SELECT *,\n        {body}\n    FROM {source}"


# String literals and comments (kept whole, so nothing inside them is translated), quoted identifiers, then the words
_TOKENS = re.compile(r"'(?:[^']|'')*'|--[^\n]*|\"(?:[^\"]|\"\")*\"|\bHUGEINT\b|\bVARCHAR\b|\bTRY\(| // |\barg_max\(|\barg_min\(|\bTEMP TABLE\b")

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

# The same computations as DuckDB's macros, on DECIMAL(38, 0). Spark has no integer division of decimals beyond
# BIGINT (`div` casts to it), so kpi_quot divides exactly: x - x % y is a multiple of y. Spark refuses a SQL function
# called inside a lambda, so kpi_fraction spells kpi_quot out and reads no parameter in its lambdas.
_N = "DECIMAL(38, 0)"
_SIGN = "CASE WHEN (a < 0) = (b < 0) THEN 1 ELSE -1 END"
_SPARK_HELPERS = f"""\
-- x div y for 0 <= x and 0 < y, exact: x - x % y is a whole multiple of y (NULL past 1e32, an overflow for every caller)
CREATE OR REPLACE TEMPORARY FUNCTION kpi_quot(x {_N}, y {_N}) RETURNS {_N} RETURN CAST((x - x % y) / y AS {_N});
-- the product of the magnitudes ah.al and bh.bl (whole and fractional parts), exact then rounded half up
CREATE OR REPLACE TEMPORARY FUNCTION kpi_mul_parts(ah {_N}, al {_N}, bh {_N}, bl {_N}) RETURNS {_N} RETURN
    ah * bh * {UNIT} + ah * bl + al * bh
    + kpi_quot(al, {HALF}) * kpi_quot(bl, {HALF})
    + kpi_quot((kpi_quot(al, {HALF}) * (bl % {HALF}) + (al % {HALF}) * kpi_quot(bl, {HALF})) * {HALF}
        + (al % {HALF}) * (bl % {HALF}) + {UNIT // 2}, {UNIT});
-- a * b in units of 1e-{SCALE}, exact then rounded half away from zero
CREATE OR REPLACE TEMPORARY FUNCTION kpi_mul(a {_N}, b {_N}) RETURNS {_N} RETURN
    {_SIGN} * kpi_mul_parts(kpi_quot(abs(a), {UNIT}), abs(a) % {UNIT}, kpi_quot(abs(b), {UNIT}), abs(b) % {UNIT});
-- {SCALE} decimals of r / q (0 <= r < q) by long division, {STEP_DIGITS} digits at a time, rounded half up by the rest;
-- q rides in the accumulator: a lambda reading a parameter would read the caller's expression, which may call a SQL function
CREATE OR REPLACE TEMPORARY FUNCTION kpi_fraction(r {_N}, q {_N}) RETURNS {_N} RETURN aggregate(
    sequence(1, {SCALE // STEP_DIGITS}),
    named_struct('digits', CAST(0 AS {_N}), 'rest', r, 'q', q),
    (acc, step) -> named_struct(
        'digits', CAST(acc.digits * {_STEP} + CAST((acc.rest * {_STEP} - (acc.rest * {_STEP}) % acc.q) / acc.q AS {_N}) AS {_N}),
        'rest', CAST((acc.rest * {_STEP}) % acc.q AS {_N}),
        'q', acc.q),
    acc -> acc.digits + CASE WHEN 2 * acc.rest >= acc.q THEN 1 ELSE 0 END);
-- a / b in units of 1e-{SCALE} (b is not 0): whole part, then the decimals, rounded half away from zero
CREATE OR REPLACE TEMPORARY FUNCTION kpi_div(a {_N}, b {_N}) RETURNS {_N} RETURN
    {_SIGN} * (kpi_quot(abs(a), abs(b)) * {UNIT} + kpi_fraction(abs(a) % abs(b), abs(b)));
-- x rounded to `unit` (a power of ten in units of 1e-{SCALE}), halves away from zero
CREATE OR REPLACE TEMPORARY FUNCTION kpi_round(x {_N}, unit {_N}) RETURNS {_N} RETURN
    CASE WHEN x < 0 THEN -1 ELSE 1 END * kpi_quot(abs(x) + kpi_quot(unit, 2), unit) * unit;
"""

DUCKDB = Dialect("duckdb", "HUGEINT", "VARCHAR", _DUCKDB_HELPERS)
SPARK = SparkDialect("spark", _N, "STRING", _SPARK_HELPERS)
DIALECTS: dict[str, Dialect] = {"duckdb": DUCKDB, "spark": SPARK}

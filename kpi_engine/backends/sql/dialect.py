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
gives `/` (`_quot`). The session runs with `spark.sql.ansi.enabled=false`,
where a decimal overflow (in an operation, a `sum` or a cast) is NULL, the
role `TRY` has in DuckDB. `kpi_mul`, `kpi_div` and `kpi_round` are DuckDB's
macros' computations written inline (`_expand`): Spark refuses a SQL
function (`CREATE TEMPORARY FUNCTION`) whose argument holds a lambda, as a
quotient's long division does.

What differs by one word (identifier quotes, type names, `TRY`, `//`,
`arg_max`, temporary tables) `SparkDialect.render` translates token by token,
outside string literals and comments, after expanding the arithmetic helpers; what differs in shape is a method of
`Dialect` the query calls (`series`, `ordered_list`, `item`,
`first_non_null`, `window_step`, `full_match`).
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
    month_of_day: str  # the month ordinal (year * 12 + month - 1) of the day ordinal {day} (1 is 0001-01-01)
    first_day: str  # the day ordinal of the first day of the month ordinal {month}
    day_of_date: str  # the day ordinal of a 'YYYY-MM-DD' text {text}, NULL when it is no date

    def quote(self, name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    def render(self, sql: str) -> str:
        """`sql` (written in DuckDB's spelling) in this engine's."""
        return sql

    def full_match(self, text: str, pattern: str) -> str:
        """Whether the whole of `text` matches the regular expression `pattern` (written as in a DuckDB literal)."""
        return f"regexp_full_match({text}, '{pattern}')"

    def series(self, first: str, last: str) -> str:
        """One row per whole number from `first` to `last`, as a select-list item."""
        return f"unnest(range({first}, {last} + 1))"

    def positions(self, count: str) -> str:
        """One row per whole number from 0 to `count` - 1, as a select-list item."""
        return f"unnest(range({count}))"

    def ordered_list(self, value: str, order: str) -> str:
        """An aggregate: the group's `value`s as a list ordered by `order` (NULL values kept)."""
        return f"list({value} ORDER BY {order})"

    def item(self, items: str, position: int) -> str:
        """The `position`th element (from 1) of a list."""
        return f"{items}[{position}]"

    def first_non_null(self, value: str, over: str) -> str:
        """The first non-NULL `value` of a window frame."""
        return f"first_value({value} IGNORE NULLS) {over}"

    def lag(self, value: str, steps: str, offsets: tuple[int, ...], over: str) -> str:
        """`value` at the row `steps` (SQL giving one of `offsets`) rows before, in the window `over`."""
        return f"LAG({value}, {steps}) {over}"

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
        return _TOKENS.sub(self._token, _expand(sql))

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

    def full_match(self, text: str, pattern: str) -> str:
        return f"{text} RLIKE '^(?:{pattern})$'"

    def series(self, first: str, last: str) -> str:
        return f"explode(sequence({first}, {last}))"

    def positions(self, count: str) -> str:
        return self.series("0", f"{count} - 1")

    def ordered_list(self, value: str, order: str) -> str:
        return f"transform(array_sort(collect_list(named_struct('o', {order}, 'v', {value}))), e -> e.v)"

    def item(self, items: str, position: int) -> str:
        return f"{items}[{position - 1}]"

    def first_non_null(self, value: str, over: str) -> str:
        return f"first_value({value}) IGNORE NULLS {over}"

    def lag(self, value: str, steps: str, offsets: tuple[int, ...], over: str) -> str:
        """Spark's LAG takes a constant offset only: one LAG per offset the row's `steps` can be (a year ago of a day is
        365 or 366 days back)."""
        if len(offsets) == 1:
            return f"LAG({value}, {offsets[0]}) {over}"
        cases = " ".join(f"WHEN {offset} THEN LAG({value}, {offset}) {over}" for offset in offsets)
        return f"CASE ({steps}) {cases} END"

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

# The same computations as DuckDB's macros, on DECIMAL(38, 0), expanded inline by `SparkDialect.render` (Spark
# refuses a SQL function whose argument holds a lambda, as a quotient's does): each binds its operands once, in a
# one-element array it transforms, as DuckDB's macros do. Spark has no integer division of decimals beyond BIGINT
# (`div` casts to it), so a quotient of whole numbers is (x - x % y) / y, exact (`_quot`).
def _quot(x: str, y: str) -> str:
    return f"CAST((({x}) - ({x}) % {y}) / {y} AS HUGEINT)"


def _bind(fields: dict[str, str], variable: str, body: str) -> str:
    struct = ", ".join(f"'{name}', {value}" for name, value in fields.items())
    return f"transform(array(named_struct({struct})), {variable} -> {body})[0]"


_U, _HF = str(UNIT), str(HALF)
_AL1, _BL1 = _quot("x.al", _HF), _quot("x.bl", _HF)  # the first halves of the fractional parts
_CROSS = f"({_AL1} * (x.bl % {_HF}) + (x.al % {_HF}) * {_BL1}) * {_HF} + (x.al % {_HF}) * (x.bl % {_HF}) + {UNIT // 2}"
_MUL = _bind(
    {"a": "{0}", "b": "{1}"}, "v", _bind(
        {"ah": _quot("abs(v.a)", _U), "al": f"abs(v.a) % {_U}", "bh": _quot("abs(v.b)", _U), "bl": f"abs(v.b) % {_U}",
         "s": "CASE WHEN (v.a < 0) = (v.b < 0) THEN 1 ELSE -1 END"},
        "x",
        f"x.s * (x.ah * x.bh * {_U} + x.ah * x.bl + x.al * x.bh + {_AL1} * {_BL1} + {_quot(_CROSS, _U)})",
    ),
)
_DIGITS = _quot(f"acc.rest * {_STEP}", "acc.q")
_STEP_SQL = (
    f"(acc, step) -> named_struct('digits', CAST(acc.digits * {_STEP} + {_DIGITS} AS HUGEINT),"
    f" 'rest', CAST((acc.rest * {_STEP}) % acc.q AS HUGEINT), 'q', acc.q)"
)
_FRACTION = (
    f"aggregate(sequence(1, {SCALE // STEP_DIGITS}), named_struct('digits', CAST(0 AS HUGEINT), 'rest', CAST(x.a % x.b AS HUGEINT), 'q', x.b), "
    f"{_STEP_SQL}, acc -> acc.digits + CASE WHEN 2 * acc.rest >= acc.q THEN 1 ELSE 0 END)"
)
_DIV = _bind(
    {"a": "{0}", "b": "{1}"}, "v", _bind(
        {"a": "abs(v.a)", "b": "abs(v.b)", "s": "CASE WHEN (v.a < 0) = (v.b < 0) THEN 1 ELSE -1 END"}, "x",
        f"x.s * ({_quot('x.a', 'x.b')} * {_U} + {_FRACTION})",
    ),
)
_HALF_UNIT = _quot("r.u", "2")
_ROUND = _bind({"x": "{0}", "u": "{1}"}, "r", f"CASE WHEN r.x < 0 THEN -1 ELSE 1 END * {_quot(f'abs(r.x) + {_HALF_UNIT}', 'r.u')} * r.u")
_SPARK_MACROS = {"kpi_mul": _MUL, "kpi_div": _DIV, "kpi_round": _ROUND}
_SPARK_HELPERS = """\
-- kpi_mul(a, b), kpi_div(a, b) and kpi_round(x, unit) are written inline, each binding its operands once in a
-- one-element array: exact products rounded once at the 24th decimal, long division two digits at a time
"""


def _expand(sql: str) -> str:
    """`sql` with every kpi_mul, kpi_div and kpi_round call replaced by its inline expression (arguments first)."""
    out, at = [], 0
    for match in _CALLS.finditer(sql):
        if match.start() < at or match.group(1) is None:
            continue
        args, end = _arguments(sql, match.end())
        out += [sql[at : match.start()], "(" + _SPARK_MACROS[match.group(1)].format(*map(_expand, args)) + ")"]
        at = end
    return "".join(out) + sql[at:]


_CALLS = re.compile(r"'(?:[^']|'')*'|--[^\n]*|\"(?:[^\"]|\"\")*\"|\b(kpi_mul|kpi_div|kpi_round)\(")


def _arguments(sql: str, start: int) -> tuple[list[str], int]:
    """The top-level arguments of a call whose parenthesis opens before `start`, and where the call ends."""
    args, depth, begin, at = [], 0, start, start
    while True:
        token = _ARGUMENT_TOKENS.match(sql, at)
        assert token is not None  # noqa: S101  # the SQL is generated: its parentheses balance
        text, at = token.group(0), token.end()
        if text == "(":
            depth += 1
        elif text in (")", ",") and depth == 0:
            args.append(sql[begin : at - 1].strip())
            begin = at
            if text == ")":
                return args, at
        elif text == ")":
            depth -= 1


_ARGUMENT_TOKENS = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|[(),]|[^'\"(),]+")


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
_SPARK_DAY = "CAST({day} - 1 AS INT)"
SPARK = SparkDialect(
    "spark",
    "DECIMAL(38, 0)",
    "STRING",
    _SPARK_HELPERS,
    month_of_day=f"(year(date_add({_DAY_ONE}, {_SPARK_DAY})) * 12 + month(date_add({_DAY_ONE}, {_SPARK_DAY})) - 1)",
    first_day=f"(datediff(make_date(CAST(floor(({{month}}) / 12) AS INT), CAST(pmod({{month}}, 12) + 1 AS INT), 1), {_DAY_ONE}) + 1)",
    # Spark's CAST reads '2024' or '2024-1' as dates too: only YYYY-MM-DD is one, as for DuckDB
    day_of_date=(f"(CASE WHEN {{text}} RLIKE '^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]$'"
                 f" THEN datediff(CAST({{text}} AS DATE), {_DAY_ONE}) + 1 END)"),
)
DIALECTS: dict[str, Dialect] = {"duckdb": DUCKDB, "spark": SPARK}

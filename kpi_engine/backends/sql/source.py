"""Long-format facts an engine reads itself (CSV, Parquet, a table) as `kpi_facts` rows: one text for every engine.

The query is written once, in DuckDB's spelling, and rendered for the engine
(`Dialect.render`: identifier quotes, `VARCHAR`, `TRY`, `//`, literals), its
regular expressions matched by `Dialect.full_match`: DuckDB's
`regexp_full_match`, Spark's anchored `RLIKE`. It keeps the texts read
(`value_text`, `period_text`) beside what it made of them, so the backend's
checks (`duckdb.source_problems`) can say which periods and values it could
not read.
"""

from __future__ import annotations

from collections.abc import Mapping

from ...facts import ACTUAL, Entity
from .calendar import SqlCalendar
from .dialect import SCALE, UNIT, Dialect
from .expressions import literal_text
from .query import q


def facts_from_long(dialect: Dialect, relation: str, columns: Mapping[str, str], wanted: set[Entity] | None, shift: int) -> str:
    """A query of the rows of `relation` (long format) -> (entity, scenario, input, frequency, ordinal, value in units
    of 1e-24, value_text, period_text), the value NULL when it is no plain number that fits.

    `columns` maps the lower-case column names of the source to their spelling: `entity` and `scenario`
    (`scénario`; a blank cell is `actual`) are optional, the input's column is `input` or `name`. `wanted` keeps
    those entities only (None: all); `shift` is the pack's fiscal shift, which decides how years and quarters read.
    """

    def column(name: str) -> str:
        return q(columns[name])

    entity = f"NULLIF(trim(CAST({column('entity')} AS VARCHAR)), '')" if "entity" in columns else "CAST(NULL AS VARCHAR)"
    written = next((column(name) for name in ("scenario", "scénario") if name in columns), None)
    scenario = f"COALESCE(NULLIF(trim(CAST({written} AS VARCHAR)), ''), '{ACTUAL}')" if written else f"'{ACTUAL}'"
    name = column("input" if "input" in columns else "name")
    kept = ("NULL" if e is None else literal_text(e) for e in sorted(wanted or (), key=str))
    where = "" if wanted is None else " WHERE " + " OR ".join(f"entity IS NOT DISTINCT FROM {e}" for e in kept)
    number = dialect.full_match("value", f"[-+]?\\d+(\\.\\d{{0,{SCALE}}})?")
    return dialect.render(f"""WITH source AS (
    SELECT {entity} AS entity, {scenario} AS scenario, trim(CAST({name} AS VARCHAR)) AS input,
        trim(CAST({column('period')} AS VARCHAR)) AS period, trim(CAST({column('value')} AS VARCHAR)) AS value
    FROM {relation}
)
SELECT entity, scenario, input,
{period_columns(dialect, shift)}
    TRY(CASE WHEN {number} THEN
        (CASE WHEN left(value, 1) = '-' THEN -1 ELSE 1 END)
        * (CAST(split_part(regexp_replace(value, '^[-+]', ''), '.', 1) AS HUGEINT) * CAST({UNIT} AS HUGEINT)
           + CAST(rpad(split_part(value, '.', 2), {SCALE}, '0') AS HUGEINT))
    END) AS value,
    value AS value_text,
    period AS period_text
FROM source{where}""")


def period_columns(dialect: Dialect, shift: int) -> str:
    """The frequency and ordinal of a period text, in DuckDB's spelling: months, days, ISO weeks, the pack's years
    and quarters (`FY2025`, `FY2025-Q1`), calendar ones when they are the pack's (a calendar quarter that is a fiscal
    one is read as that one); else NULL."""
    calendar = SqlCalendar(shift, dialect)
    year, week = "CAST(substr(period, 1, 4) AS BIGINT)", "CAST(substr(period, 7, 2) AS BIGINT)"
    weeks = f"{calendar.iso_week_one(f'{year} + 1')} - {calendar.iso_week_one(year)}"
    patterns = [
        ("\\d{4}-(0[1-9]|1[0-2])", "monthly", f"{year} * 12 + CAST(substr(period, 6, 2) AS BIGINT) - 1"),
        ("\\d{4}-\\d{2}-\\d{2}", "daily", dialect.day_of_date.format(text="period")),
        ("\\d{4}-W\\d{2}", "weekly", f"CASE WHEN {week} BETWEEN 1 AND {weeks} THEN {calendar.iso_week_one(year)} + {week} - 1 END"),
        ("(?i)FY\\d{4}", "yearly", "CAST(substr(period, 3, 4) AS BIGINT)"),
        ("(?i)FY\\d{4}-Q[1-4]", "quarterly", "CAST(substr(period, 3, 4) AS BIGINT) * 4 + CAST(substr(period, 9, 1) AS BIGINT) - 1"),
    ]
    if shift == 0:
        patterns.append(("\\d{4}", "yearly", "CAST(period AS BIGINT)"))
    if shift % 3 == 0:
        quarter = f"CAST(substr(period, 1, 4) AS BIGINT) * 4 + CAST(substr(period, 7, 1) AS BIGINT) - 1 + {shift // 3}"
        patterns.append(("\\d{4}-[Qq][1-4]", "quarterly", quarter))
    ordinal = " ".join(f"WHEN {dialect.full_match('period', pattern)} THEN {sql}" for pattern, _, sql in patterns)
    frequency = " ".join(f"WHEN {dialect.full_match('period', pattern)} THEN '{name}'" for pattern, name, _ in patterns)
    return f"    CASE WHEN (CASE {ordinal} END) IS NOT NULL THEN CASE {frequency} END END AS frequency,\n    CASE {ordinal} END AS ordinal,"


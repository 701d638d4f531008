"""The DuckDB backend: the pack's SQL run in embedded DuckDB, results and alerts read back.

`evaluate(program, facts, selection, lang)` has the Python backend's
signature and gives the same results, statuses, reasons and alerts. Facts
come from a `Facts` object (written once to a temporary file DuckDB reads in
bulk), or straight from long-format CSV or Parquet files or a table of a
DuckDB database (`evaluate_source`). Alert messages are rendered here, in
Python, from the values the SQL returns, by the same renderer as the Python
backend. `duckdb` is imported only here, so it costs nothing to other commands.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from collections.abc import Iterator, Sequence
from decimal import Context, Decimal
from typing import Any

import duckdb

from ..alerts import render_message
from ..errors import FactsError, Location, Problem
from ..evaluator import Selection
from ..facts import Entity, Facts
from ..periods import Frequency, Period
from ..program import Program
from ..reasons import Reason
from ..results import MET, MISSED, NO_TARGET, UNDEFINED, Alert, Result
from .sql.dialect import DUCKDB, SCALE, UNIT
from .sql.plan import SUPPORTED_FREQUENCIES, SqlPlan, sql_plan
from .sql.query import FrequencyQuery, statements

EVERYTHING = Selection()  # every period and entity
_EXACT = Context(prec=60)  # more digits than 128 bits hold: converting never rounds
_LIMIT = 10**38  # a value in units of 1e-24 must stay below this to fit a HUGEINT
FACTS_COLUMNS = "entity VARCHAR, input VARCHAR, frequency VARCHAR, ordinal BIGINT, value HUGEINT"


def evaluate(program: Program, facts: Facts, selection: Selection = EVERYTHING, lang: str = "en") -> SqlEvaluation:
    """Every KPI at its frequency for every period and entity the facts cover, computed by DuckDB."""
    plan = sql_plan(program)
    connection = duckdb.connect()
    _load_facts(connection, facts, selection)
    return SqlEvaluation(program, plan, connection, selection, lang, facts.entities)


def evaluate_source(program: Program, source: str, selection: Selection = EVERYTHING, lang: str = "en") -> SqlEvaluation:
    """Evaluate facts DuckDB reads itself: CSV or Parquet paths (globs too), or `database.duckdb:table`.

    The source is in long format: entity, input (or name), period, value.
    """
    plan = sql_plan(program)
    connection = duckdb.connect()
    database, _, table = source.rpartition(":") if ".duckdb:" in source else ("", "", "")
    if database:
        connection.execute(f"ATTACH '{_escape(database)}' AS kpi_source (READ_ONLY)")
        relation = 'kpi_source."' + table.replace('"', '""') + '"'
    else:
        reader = "read_parquet" if source.lower().endswith(".parquet") else "read_csv"
        options = "" if reader == "read_parquet" else ", all_varchar = true"
        relation = f"{reader}('{_escape(source)}'{options})"
    columns = {row[0].lower(): row[0] for row in connection.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()}
    connection.execute(_facts_from_long(relation, columns, selection))
    _check_source(connection, source)
    entities = [row[0] for row in connection.execute("SELECT DISTINCT entity FROM kpi_facts ORDER BY entity NULLS FIRST").fetchall()]
    return SqlEvaluation(program, plan, connection, selection, lang, entities)


def _escape(text: str) -> str:
    return text.replace("'", "''")


def _facts_from_long(relation: str, columns: dict[str, str], selection: Selection) -> str:
    """Long-format rows -> kpi_facts: the period text read into a frequency and an ordinal, the value scaled.

    `columns` maps the lower-case column names of the source to their spelling: `entity` is optional,
    the input's column is `input` or `name`.
    """
    missing = [c for c in ("period", "value") if c not in columns] + ([] if {"input", "name"} & set(columns) else ["input"])
    if missing:
        raise FactsError([Problem(Location(relation), f"the facts need columns entity (optional), input (or name), period and value; missing: {', '.join(missing)}")])

    def column(name: str) -> str:
        return '"' + columns[name].replace('"', '""') + '"'

    entity = f"NULLIF(trim(CAST({column('entity')} AS VARCHAR)), '')" if "entity" in columns else "CAST(NULL AS VARCHAR)"
    name = column("input" if "input" in columns else "name")
    where = "" if selection.all_entities else f" WHERE entity IS NOT DISTINCT FROM {_quote_value(selection.entity)}"
    return f"""CREATE OR REPLACE TEMP TABLE kpi_facts AS
WITH source AS (
    SELECT {entity} AS entity, trim(CAST({name} AS VARCHAR)) AS input,
        trim(CAST({column('period')} AS VARCHAR)) AS period, trim(CAST({column('value')} AS VARCHAR)) AS value
    FROM {relation}
)
SELECT entity, input,
    CASE WHEN regexp_full_match(period, '\\d{{4}}') THEN 'yearly' WHEN regexp_full_match(period, '\\d{{4}}-[Qq][1-4]') THEN 'quarterly'
         WHEN regexp_full_match(period, '\\d{{4}}-(0[1-9]|1[0-2])') THEN 'monthly' END AS frequency,
    CASE WHEN regexp_full_match(period, '\\d{{4}}') THEN CAST(period AS BIGINT)
         WHEN regexp_full_match(period, '\\d{{4}}-[Qq][1-4]') THEN CAST(period[1:4] AS BIGINT) * 4 + CAST(period[7:7] AS BIGINT) - 1
         WHEN regexp_full_match(period, '\\d{{4}}-(0[1-9]|1[0-2])') THEN CAST(period[1:4] AS BIGINT) * 12 + CAST(period[6:7] AS BIGINT) - 1 END AS ordinal,
    TRY(CASE WHEN regexp_full_match(value, '[-+]?\\d+(\\.\\d{{0,{SCALE}}})?') THEN
        (CASE WHEN starts_with(value, '-') THEN -1 ELSE 1 END)
        * (CAST(split_part(ltrim(value, '-+'), '.', 1) AS HUGEINT) * {UNIT}::HUGEINT + CAST(rpad(split_part(value, '.', 2), {SCALE}, '0') AS HUGEINT))
    END) AS value,
    value AS value_text,
    period AS period_text
FROM source{where}"""


def _check_source(connection: duckdb.DuckDBPyConnection, source: str) -> None:
    """Every period a monthly, quarterly or yearly one, every value a plain number that fits: else FactsError."""
    problems = []
    periods = connection.execute("SELECT DISTINCT period_text FROM kpi_facts WHERE frequency IS NULL ORDER BY 1 LIMIT 5").fetchall()
    if periods:
        found = ", ".join(repr(row[0]) for row in periods)
        problems.append(Problem(Location(source), f"the SQL backend reads monthly, quarterly and yearly periods only; found {found}"))
    values = connection.execute("SELECT DISTINCT value_text FROM kpi_facts WHERE value IS NULL AND value_text <> '' ORDER BY 1 LIMIT 5").fetchall()
    if values:
        found = ", ".join(repr(row[0]) for row in values)
        problems.append(Problem(Location(source), f"values must be plain numbers (-1234.5) of at most {SCALE} decimals and below 1.7e14; found {found}"))
    if problems:
        raise FactsError(problems)
    connection.execute("DELETE FROM kpi_facts WHERE value IS NULL")  # empty cells: missing facts


def _quote_value(value: Entity) -> str:
    return "NULL" if value is None else "'" + value.replace("'", "''") + "'"


def _load_facts(connection: duckdb.DuckDBPyConnection, facts: Facts, selection: Selection) -> None:
    """Facts -> the kpi_facts table, in bulk: written once as tab-separated text DuckDB reads in one pass."""
    lines, refused = [], []
    for entity in facts.entities:
        if not selection.wants_entity(entity):
            continue
        written = "\\N" if entity is None else entity
        for period, values in facts.entity(entity).by_period.items():
            if period.frequency not in SUPPORTED_FREQUENCIES:
                refused += [(entity, name, period) for name in values]
                continue
            where = f"\t{period.frequency.value}\t{period.ordinal}\t"
            for name, value in values.items():
                units = value.scaleb(SCALE, _EXACT)
                if units != units.to_integral_value() or abs(units) >= _LIMIT:
                    refused.append((entity, name, period))
                    continue
                lines.append(f"{written}\t{name}{where}{int(units)}\n")
    if refused:
        raise FactsError(_refusals(facts, set(refused)))
    connection.execute(f"CREATE TEMP TABLE kpi_facts ({FACTS_COLUMNS})")
    if not lines:
        return
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False, encoding="utf-8") as file:
        file.writelines(lines)
    try:
        connection.execute(
            f"INSERT INTO kpi_facts SELECT * FROM read_csv('{_escape(file.name)}', delim = '\t', header = false, quote = '', escape = '', "
            "nullstr = '\\N', columns = {'entity': 'VARCHAR', 'input': 'VARCHAR', 'frequency': 'VARCHAR', 'ordinal': 'BIGINT', 'value': 'HUGEINT'})"
        )
    finally:
        os.unlink(file.name)


def _refusals(facts: Facts, refused: set[tuple[Entity, str, Period]]) -> list[Problem]:
    """Each fact the SQL backend cannot read, located where it was read."""
    problems = []
    for fact in facts.facts():
        if (fact.entity, fact.name, fact.period) not in refused:
            continue
        if fact.period.frequency not in SUPPORTED_FREQUENCIES:
            problems.append(Problem(fact.location, f"'{fact.name}' for {fact.period}: the SQL backend reads monthly, quarterly and yearly facts only"))
        else:
            problems.append(Problem(fact.location, f"'{fact.name}' for {fact.period}: {fact.value} has more than {SCALE} decimals or is too large for the SQL backend"))
    return problems




def to_decimal(units: int | None) -> Decimal | None:
    """A value in units of 1e-24 as an exact Decimal, without trailing zeros (`40000`, `0.5`)."""
    if units is None:
        return None
    whole, fraction = divmod(units, UNIT)
    return Decimal(whole) if not fraction else Decimal(units).scaleb(-SCALE, _EXACT).normalize(_EXACT)


def to_reason(text: str | None, entity: Entity) -> Reason | None:
    """The JSON reason the SQL wrote, as the Reason the Python backend gives (the entity filled in)."""
    if text is None:
        return None
    return _reason(json.loads(text), entity)


def _reason(data: dict[str, Any], entity: Entity) -> Reason:
    params: dict[str, Any] = {}
    for key, value in data.items():
        if key == "code":
            continue
        if key == "entity":
            params[key] = entity
        elif key in ("period", "since"):
            params[key] = Period(Frequency(value[0]), int(value[1]))
        elif key == "cause":
            params[key] = _reason(value, entity)
        else:
            params[key] = value
    return Reason.of(data["code"], **params)


class SqlEvaluation:
    """Results and alerts of a DuckDB evaluation; KPIs at other frequencies computed on first request."""

    def __init__(self, program: Program, plan: SqlPlan, connection: duckdb.DuckDBPyConnection, selection: Selection, lang: str, entities: Sequence[Entity]) -> None:
        self.program, self.plan, self.selection, self.lang = program, plan, selection, lang
        self._connection = connection
        self._lock = threading.Lock()
        self._everything: dict[Frequency, dict[tuple[Entity, int], dict[str, Any]]] = {}
        self.entities = list(entities)
        prepared, queries = statements(plan, DUCKDB, {f: list(names) for f, names in plan.reported.items()})
        for statement in prepared:
            connection.execute(statement)
        self._rows = {f: self._run(query) for f, query in queries.items()}
        self.results: tuple[Result, ...] = tuple(self._results())
        self.alerts: tuple[Alert, ...] = tuple(self._alerts())

    def _run(self, query: FrequencyQuery) -> dict[tuple[Entity, int], dict[str, Any]]:
        cursor = self._connection.execute(query.sql())
        names = [d[0] for d in cursor.description]
        return {(row[0], row[1]): dict(zip(names, row)) for row in cursor.fetchall()}

    def _frames(self) -> Iterator[tuple[Entity, Period, Frequency, dict[str, Any]]]:
        """Reported rows in the Python backend's order: entity, then period (chronological, finer first)."""
        rows = [
            (entity, Period(frequency, ordinal), frequency, row)
            for frequency, table in self._rows.items()
            for (entity, ordinal), row in table.items()
            if self.selection.wants_period(Period(frequency, ordinal))
        ]
        order = {entity: index for index, entity in enumerate(self.entities)}
        rows.sort(key=lambda r: (order.get(r[0], len(order)), r[1].sort_key()))
        yield from rows

    def _results(self) -> Iterator[Result]:
        for entity, period, frequency, row in self._frames():
            for name in self.plan.reported[frequency]:
                yield self._result(name, entity, period, row)

    def _result(self, name: str, entity: Entity, period: Period, row: dict[str, Any]) -> Result:
        spec = self.plan.kpis[name]
        value = to_decimal(row[name])
        if value is None:
            cause = to_reason(row[f"why:{name}"], entity)
            return Result(name, period, entity, None, None, None, UNDEFINED, spec.owner, str(cause) if cause else None, cause)
        if spec.target is None:
            return Result(name, period, entity, value, None, None, NO_TARGET, spec.owner)
        target = to_decimal(row[f"target:{name}"])
        if target is None:
            inner = to_reason(row[f"why:target:{name}"], entity)
            cause = Reason.of("target_undefined", cause=inner)
            return Result(name, period, entity, value, None, None, NO_TARGET, spec.owner, str(cause), cause)
        met = value >= target if spec.direction != "lower_is_better" else value <= target
        return Result(name, period, entity, value, target, value - target, MET if met else MISSED, spec.owner)

    def _alerts(self) -> Iterator[Alert]:
        for entity, period, frequency, row in self._frames():
            for name in self.plan.reported[frequency]:
                spec = self.plan.kpis[name]
                for index, alert in enumerate(spec.alerts, 1):
                    if row[f"alert:{name}:{index}"]:
                        message = render_message(alert.messages[self.lang], self._lookup(name, entity, period, row, alert.severity), self.lang)
                        yield Alert(name, period, entity, alert.severity, message, spec.owner, to_decimal(row[name]))

    def _lookup(self, name: str, entity: Entity, period: Period, row: dict[str, Any], severity: str) -> Any:
        spec = self.plan.kpis[name]

        def lookup(field: str) -> tuple[object, str]:
            value = to_decimal(row[name])
            target = to_decimal(row.get(f"target:{name}"))
            match field:
                case "value":
                    return value, spec.unit
                case "target":
                    return target, spec.unit
                case "gap":
                    return (None if value is None or target is None else value - target), spec.unit
                case "period":
                    return str(period), ""
                case "entity":
                    return entity or "", ""
                case "kpi":
                    return name, ""
                case "owner" | "unit":
                    return getattr(spec, field), ""
                case "severity":
                    return severity, ""
                case "label":
                    return spec.definition.label.get(self.lang, name), ""
            unit = self.plan.input_units.get(field) if field in self.plan.inputs else self.plan.kpis[field].unit
            return to_decimal(row[field]), unit or ""

        return lookup

    def result_at(self, kpi: str, period: Period | str, entity: Entity = None) -> Result | None:
        """`kpi` at any period the facts cover, even at a frequency it is not reported at; None otherwise."""
        if kpi not in self.plan.kpis:
            raise KeyError(f"unknown KPI '{kpi}'")
        period = Period.parse(period) if isinstance(period, str) else period
        row = self._row(period, entity, kpi)
        return None if row is None else self._result(kpi, entity, period, row)

    def value(self, kpi: str, period: Period | str, entity: Entity = None) -> Decimal | None:
        result = self.result_at(kpi, period, entity)
        return None if result is None else result.value

    def _row(self, period: Period, entity: Entity, kpi: str) -> dict[str, Any] | None:
        frequency = period.frequency
        if frequency not in SUPPORTED_FREQUENCIES:
            return None
        if kpi in self.plan.reported.get(frequency, ()):
            return self._rows[frequency].get((entity, period.ordinal))
        with self._lock:  # every KPI at this frequency, once, for questions about coarser periods
            if frequency not in self._everything:
                self._everything[frequency] = self._run(FrequencyQuery(self.plan, DUCKDB, frequency, list(self.plan.kpis)))
        return self._everything[frequency].get((entity, period.ordinal))

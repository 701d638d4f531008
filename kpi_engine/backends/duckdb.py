"""The DuckDB backend: the pack's SQL run in embedded DuckDB, results read back, alerts fired by `alerts.Alerting`.

`DuckDBBackend` follows `backends.Backend` and gives the Python backend's
results, statuses, reasons and alerts. Facts come from a `Facts` object
(written once to a temporary file DuckDB reads in bulk), or straight from
long-format CSV or Parquet files or a table of a DuckDB database
(`evaluate_source`). Every value an alert reads, its condition and its
`resolve_when` at each period come from the SQL's columns; `alerts.Alerting`
applies `for`, `resolve_when`, inhibition and silences over them
(`SqlReadings`), as for every backend. `duckdb` is imported only here, so it
costs nothing to other commands.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Context, Decimal
from typing import Any, Protocol

import duckdb

from ..alerts import Alert, Alerting
from ..errors import FactsError, Location, Problem
from ..explain import ExplainNode
from ..facts import Entity, Facts
from ..formatting import Language
from ..model import Definitions, Direction
from ..periods import Frequency, Period
from ..plan import Plan, PlannedAlert
from ..reasons import Reason
from ..results import EVERYTHING, MET, MISSED, NO_TARGET, UNDEFINED, EntityEvaluation, Result, Selection
from .sql.dialect import DUCKDB, SCALE, UNIT, Dialect
from .sql.plan import SUPPORTED_FREQUENCIES, SqlPlan, sql_plan
from .sql.query import FrequencyQuery, statements

BATCH = 1000  # entities evaluated by one query in `evaluate_iter`: memory grows with a batch, not with all entities
_EXACT = Context(prec=60)  # more digits than 128 bits hold: converting never rounds
_LIMIT = 10**38  # a value in units of 1e-24 must stay below this to fit a HUGEINT
_NULL = "\\N"  # how the facts file spells a NULL entity
FACTS_COLUMNS = "entity VARCHAR, input VARCHAR, frequency VARCHAR, ordinal BIGINT, value HUGEINT"


class DuckDBBackend:
    """The `Backend` of SQL: the plan compiled into DuckDB statements when the backend is made; refusals then."""

    name = "duckdb"

    def __init__(self, plan: Plan, definitions: Definitions | None = None) -> None:
        self.plan = plan
        self.sql = sql_plan(plan, definitions)

    def evaluate(self, facts: Facts, selection: Selection = EVERYTHING, lang: Language = "en") -> SqlEvaluation:
        connection = duckdb.connect()
        _load_facts(connection, facts, selection)
        return SqlEvaluation(self.sql, connection, selection, lang, [e for e in facts.entities if selection.wants_entity(e)])

    def evaluate_iter(self, facts: Facts, selection: Selection = EVERYTHING, lang: Language = "en") -> Iterator[EntityEvaluation]:
        """Entities in batches of `BATCH`, one query each: what is kept is one batch's rows."""
        entities = [e for e in facts.entities if selection.wants_entity(e)]
        for start in range(0, len(entities), BATCH):
            batch = entities[start : start + BATCH]
            connection = duckdb.connect()
            _load_facts(connection, facts, selection, batch)
            yield from SqlEvaluation(self.sql, connection, selection, lang, batch).by_entity()
            connection.close()

    def value(self, facts: Facts, kpi: str, period: Period, entity: Entity = None) -> Decimal | bool | None:
        result = self._result(facts, kpi, period, entity)
        return result.value

    def trace(self, facts: Facts, kpi: str, period: Period, entity: Entity = None, max_depth: int = 8) -> ExplainNode:
        raise NotImplementedError(f"explain traces run on the python backend: the {self.name} backend computes whole columns, not one value's tree")

    def _result(self, facts: Facts, kpi: str, period: Period, entity: Entity) -> Result:
        if entity not in facts.entities:
            raise KeyError(_not_covered(period, entity))
        result = self.evaluate(facts, Selection(entity=entity, all_entities=False)).result_at(kpi, period, entity)
        if result is None:
            raise KeyError(_not_covered(period, entity))
        return result


def _not_covered(period: Period, entity: Entity) -> str:
    where = f" for entity '{entity}'" if entity is not None else ""
    return f"{period} was not evaluated{where}: the facts do not cover it"


def evaluate_source(
    backend: DuckDBBackend, sources: Sequence[str | Facts], selection: Selection = EVERYTHING, lang: Language = "en"
) -> SqlEvaluation:
    """Evaluate facts DuckDB reads itself, with facts read by Python: each source a CSV or Parquet path (globs
    too) or `database.duckdb:table`, in long format (entity, input or name, period, value), or a `Facts`.

    Entities come sorted, None first, as `Facts.entities` gives them.
    """
    connection = duckdb.connect()
    connection.execute(f"CREATE TEMP TABLE kpi_facts ({FACTS_COLUMNS})")
    entities: set[Entity] = set()
    for source in sources:
        if isinstance(source, Facts):
            _load_facts(connection, source, selection, table="kpi_python_facts")
            connection.execute("INSERT INTO kpi_facts SELECT * FROM kpi_python_facts")
            entities.update(e for e in source.entities if selection.wants_entity(e))
            continue
        connection.execute(_facts_from_long(_relation(connection, source), selection))
        _check_source(connection, source)
        entities.update(row[0] for row in connection.execute("SELECT DISTINCT entity FROM kpi_source_facts").fetchall())
        connection.execute("INSERT INTO kpi_facts SELECT entity, input, frequency, ordinal, value FROM kpi_source_facts")
    return SqlEvaluation(backend.sql, connection, selection, lang, sorted(entities, key=lambda e: (e is not None, e or "")))


def _relation(connection: duckdb.DuckDBPyConnection, source: str) -> tuple[str, dict[str, str]]:
    """The relation DuckDB reads `source` as, and its columns' spelling by lower-case name."""
    database, _, table = source.rpartition(":") if ".duckdb:" in source else ("", "", "")
    if database:
        connection.execute("DETACH DATABASE IF EXISTS kpi_source")
        connection.execute(f"ATTACH '{_escape(database)}' AS kpi_source (READ_ONLY)")
        relation = 'kpi_source."' + table.replace('"', '""') + '"'
    else:
        reader = "read_parquet" if source.lower().endswith(".parquet") else "read_csv"
        options = "" if reader == "read_parquet" else ", all_varchar = true"
        relation = f"{reader}('{_escape(source)}'{options})"
    columns = {row[0].lower(): row[0] for row in connection.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()}
    return relation, columns


def _escape(text: str) -> str:
    return text.replace("'", "''")


def _facts_from_long(read: tuple[str, dict[str, str]], selection: Selection) -> str:
    """Long-format rows -> kpi_source_facts (checked before they join kpi_facts): the period text read into a frequency and an ordinal, the value scaled.

    `columns` maps the lower-case column names of the source to their spelling: `entity` is optional,
    the input's column is `input` or `name`.
    """
    relation, columns = read
    missing = [c for c in ("period", "value") if c not in columns] + ([] if {"input", "name"} & set(columns) else ["input"])
    if missing:
        needed = "the facts need columns entity (optional), input (or name), period and value"
        raise FactsError([Problem(Location(relation), f"{needed}; missing: {', '.join(missing)}")])

    def column(name: str) -> str:
        return '"' + columns[name].replace('"', '""') + '"'

    entity = f"NULLIF(trim(CAST({column('entity')} AS VARCHAR)), '')" if "entity" in columns else "CAST(NULL AS VARCHAR)"
    name = column("input" if "input" in columns else "name")
    where = "" if selection.all_entities else f" WHERE entity IS NOT DISTINCT FROM {_quote_value(selection.entity)}"
    return f"""CREATE OR REPLACE TEMP TABLE kpi_source_facts AS
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
    periods = connection.execute("SELECT DISTINCT period_text FROM kpi_source_facts WHERE frequency IS NULL ORDER BY 1 LIMIT 5").fetchall()
    if periods:
        found = ", ".join(repr(row[0]) for row in periods)
        problems.append(Problem(Location(source), f"the SQL backend reads monthly, quarterly and yearly periods only; found {found}"))
    values = connection.execute("SELECT DISTINCT value_text FROM kpi_source_facts WHERE value IS NULL AND value_text <> '' ORDER BY 1 LIMIT 5").fetchall()
    if values:
        found = ", ".join(repr(row[0]) for row in values)
        problems.append(Problem(Location(source), f"values must be plain numbers (-1234.5) of at most {SCALE} decimals and below 1.7e14; found {found}"))
    if problems:
        raise FactsError(problems)
    connection.execute("DELETE FROM kpi_source_facts WHERE value IS NULL")  # empty cells: missing facts


def _quote_value(value: Entity) -> str:
    return "NULL" if value is None else "'" + value.replace("'", "''") + "'"


def _load_facts(
    connection: duckdb.DuckDBPyConnection, facts: Facts, selection: Selection, entities: Sequence[Entity] | None = None, table: str = "kpi_facts"
) -> None:
    """Facts of the selected `entities` (all by default) -> `table`, in bulk: written once as tab-separated
    text DuckDB reads in one pass."""
    rows = fact_rows(facts, selection, entities)
    lines = [f"{_NULL if entity is None else entity}\t{name}\t{frequency}\t{ordinal}\t{units}\n" for entity, name, frequency, ordinal, units in rows]
    connection.execute(f"CREATE OR REPLACE TEMP TABLE {table} ({FACTS_COLUMNS})")
    if not lines:
        return
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False, encoding="utf-8") as file:
        file.writelines(lines)
    try:
        connection.execute(
            f"INSERT INTO {table} SELECT * FROM read_csv('{_escape(file.name)}', delim = '\t', header = false, quote = '', escape = '', "
            "nullstr = '\\N', columns = {'entity': 'VARCHAR', 'input': 'VARCHAR', 'frequency': 'VARCHAR', 'ordinal': 'BIGINT', 'value': 'HUGEINT'})"
        )
    finally:
        os.unlink(file.name)


def fact_rows(facts: Facts, selection: Selection, entities: Sequence[Entity] | None = None) -> list[tuple[Entity, str, str, int, int]]:
    """The facts of the selected `entities` (all by default) as rows (entity, input, frequency, ordinal, value in
    units of 1e-24); FactsError locating every fact the SQL backend cannot read (a daily one, or a value that has
    more than 24 decimals or does not stay below 1e38 units: HUGEINT and DECIMAL(38, 0) hold it)."""
    rows: list[tuple[Entity, str, str, int, int]] = []
    refused: list[tuple[Entity, str, Period]] = []
    for entity in facts.entities if entities is None else entities:
        if not selection.wants_entity(entity):
            continue
        for period, values in facts.entity(entity).by_period.items():
            if period.frequency not in SUPPORTED_FREQUENCIES:
                refused += [(entity, name, period) for name in values]
                continue
            for name, value in values.items():
                units = value.scaleb(SCALE, _EXACT)
                if units != units.to_integral_value() or abs(units) >= _LIMIT:
                    refused.append((entity, name, period))
                    continue
                rows.append((entity, name, period.frequency.value, period.ordinal, int(units)))
    if refused:
        raise FactsError(_refusals(facts, set(refused)))
    return rows


def _refusals(facts: Facts, refused: set[tuple[Entity, str, Period]]) -> list[Problem]:
    """Each fact the SQL backend cannot read, located where it was read."""
    problems = []
    for fact in facts.facts():
        if (fact.entity, fact.name, fact.period) not in refused:
            continue
        if fact.period.frequency not in SUPPORTED_FREQUENCIES:
            problems.append(Problem(fact.location, f"'{fact.name}' for {fact.period}: the SQL backend reads monthly, quarterly and yearly facts only"))
        else:
            too_large = f"has more than {SCALE} decimals or is too large for the SQL backend"
            problems.append(Problem(fact.location, f"'{fact.name}' for {fact.period}: {fact.value} {too_large}"))
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


class Cursor(Protocol):
    """What `SqlEvaluation` reads of a query's result: DuckDB's cursor, or an engine's adapter."""

    @property
    def description(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


class Connection(Protocol):
    """Runs one SQL text (a statement or a query) in the engine's spelling: DuckDB's connection, or an engine's adapter."""

    def execute(self, query: str, /) -> Cursor: ...


@dataclass(frozen=True)
class SqlReadings:
    """What `alerts.Alerting` reads at one row of the SQL results: conditions, values and targets as DuckDB computed them."""

    evaluation: SqlEvaluation
    entity: Entity
    period: Period
    row: dict[str, Any]

    def _column(self, prefix: str, rule: PlannedAlert) -> object:
        index = self.evaluation.plan.kpis[rule.kpi].alerts.index(rule) + 1
        return self.row[f"{prefix}:{rule.kpi}:{index}"]

    def holds(self, rule: PlannedAlert) -> object:
        return self._column("alert", rule)

    def resolves(self, rule: PlannedAlert) -> object:
        return self._column("resolve", rule)

    def earlier(self, steps: int) -> SqlReadings | None:
        period = self.period.shift(-steps)
        row = self.evaluation.rows[period.frequency].get((self.entity, period.ordinal))
        return None if row is None else SqlReadings(self.evaluation, self.entity, period, row)

    def value(self, name: str) -> Decimal | None:
        return to_decimal(self.row[name])

    def target(self, kpi: str) -> Decimal | None:
        return to_decimal(self.row.get(f"target:{kpi}"))


class SqlEvaluation:
    """Results and alerts of a DuckDB evaluation; KPIs at other frequencies computed on first request."""

    dialect: Dialect = DUCKDB

    def __init__(self, plan: SqlPlan, connection: Connection, selection: Selection, lang: Language, entities: Sequence[Entity]) -> None:
        self.plan, self.selection, self.lang = plan, selection, lang
        self._connection = connection
        self._lock = threading.Lock()
        self._everything: dict[Frequency, dict[tuple[Entity, int], dict[str, Any]]] = {}
        self.entities = list(entities)
        prepared, queries = statements(plan, self.dialect, {f: list(names) for f, names in plan.reported.items()})
        for statement in prepared:
            connection.execute(statement)
        self.rows = {f: self._run(query) for f, query in queries.items()}
        alerting = Alerting(plan.source, lang, selection.as_of)
        frames = list(self._frames())
        self.results: tuple[Result, ...] = tuple(r for frame in frames for r in self._frame_results(*frame))
        self.alerts: tuple[Alert, ...] = tuple(a for frame in frames for a in self._frame_alerts(alerting, *frame))

    def by_entity(self) -> Iterator[EntityEvaluation]:
        """Each entity's results and alerts, in entity order."""
        results: dict[Entity, list[Result]] = {e: [] for e in self.entities}
        alerts: dict[Entity, list[Alert]] = {e: [] for e in self.entities}
        for result in self.results:
            results[result.entity].append(result)
        for alert in self.alerts:
            alerts[alert.entity].append(alert)
        for entity in self.entities:
            yield EntityEvaluation(entity, tuple(results[entity]), tuple(alerts[entity]))

    def _run(self, query: FrequencyQuery) -> dict[tuple[Entity, int], dict[str, Any]]:
        cursor = self._connection.execute(query.sql())
        names = [d[0] for d in cursor.description or ()]
        return {(row[0], row[1]): dict(zip(names, row, strict=True)) for row in cursor.fetchall()}

    def _frames(self) -> Iterator[tuple[Entity, Period, dict[str, Any]]]:
        """Reported rows in the Python backend's order: entity, then period (chronological, finer first)."""
        rows = [
            (entity, Period(frequency, ordinal), row)
            for frequency, table in self.rows.items()
            for (entity, ordinal), row in table.items()
            if self.selection.wants_period(Period(frequency, ordinal))
        ]
        order = {entity: index for index, entity in enumerate(self.entities)}
        rows.sort(key=lambda r: (order.get(r[0], len(order)), r[1].sort_key()))
        yield from rows

    def _frame_results(self, entity: Entity, period: Period, row: dict[str, Any]) -> Iterator[Result]:
        for name in self.plan.reported[period.frequency]:
            yield self._result(name, entity, period, row)

    def _frame_alerts(self, alerting: Alerting, entity: Entity, period: Period, row: dict[str, Any]) -> tuple[Alert, ...]:
        if period.frequency not in self.plan.source.alerting:
            return ()
        return alerting.at(SqlReadings(self, entity, period, row))

    def _result(self, name: str, entity: Entity, period: Period, row: dict[str, Any]) -> Result:
        spec = self.plan.kpis[name].planned
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
        met = value >= target if spec.direction is not Direction.LOWER_IS_BETTER else value <= target
        return Result(name, period, entity, value, target, value - target, MET if met else MISSED, spec.owner)

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
            return self.rows[frequency].get((entity, period.ordinal))
        with self._lock:  # every KPI at this frequency, once, for questions about coarser periods
            if frequency not in self._everything:
                self._everything[frequency] = self._run(FrequencyQuery(self.plan, self.dialect, frequency, list(self.plan.kpis)))
        return self._everything[frequency].get((entity, period.ordinal))

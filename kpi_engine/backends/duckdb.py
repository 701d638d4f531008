"""The DuckDB backend: the pack's SQL run in embedded DuckDB, results read back, alerts fired by `alerts.Alerting`.

`DuckDBBackend` follows `backends.Backend` and gives the Python backend's
results, statuses, reasons and alerts. Facts come from a `Facts` object
(written once to a temporary file DuckDB reads in bulk, every scenario's
figures), or straight from long-format CSV or Parquet files or a table of a
DuckDB database (`evaluate_source`, an optional `scenario` column). Only the
entities with actual figures are reported; `SqlEvaluation.scenario_result`
gives a KPI computed on another scenario's figures, as the Python backend's. Every value an alert reads, its condition and its
`resolve_when` at each period come from the SQL's columns; `alerts.Alerting`
applies `for`, `resolve_when`, inhibition and silences over them
(`SqlReadings`), as for every backend. `duckdb` is imported only here, so it
costs nothing to other commands.
"""

from __future__ import annotations

import gc
import json
import os
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from decimal import Context, Decimal
from typing import Any, Protocol

import duckdb

from ..alerts import Alert, Alerting
from ..comparisons import BUDGET, Compared, CompareName, Reference
from ..errors import FactsError, Location, PackError, Problem, Worded
from ..explain import ExplainNode
from ..facts import ACTUAL, Entity, Facts, scenario_problem
from ..formatting import Language
from ..model import Definitions, Direction
from ..numbers import difference
from ..periods import Calendar, Frequency, Period
from ..plan import Plan, PlannedAlert
from ..reasons import Reason
from ..results import EVERYTHING, MET, MISSED, NO_TARGET, UNDEFINED, EntityEvaluation, Result, Selection, lookup_error, not_evaluated
from .sql.dialect import DUCKDB, SCALE, Dialect
from .sql.expressions import literal_text
from .sql.plan import SqlPlan, sql_plan
from .sql.query import FrequencyQuery, q, statements
from .sql.source import facts_from_long

BATCH_CELLS = 2_000_000  # cells of results (rows x columns) read back into Python at once by `SqlEvaluation.by_entity`
_EXACT = Context(prec=60)  # more digits than 128 bits hold: converting never rounds
_LIMIT = 10**38  # a value in units of 1e-24 must stay below this to fit a HUGEINT
_WHOLE = "0" * SCALE  # how a whole number's count of 1e-24 ends
_KEYS, _NOT_NUMBERS = ("entity", "ordinal"), ("why:", "alert:", "resolve:")  # a query's columns that hold no count of 1e-24
_NULL = "\\N"  # how the facts file spells a NULL entity
FACTS_COLUMNS = "entity VARCHAR, scenario VARCHAR, input VARCHAR, frequency VARCHAR, ordinal BIGINT, value HUGEINT"


class DuckDBBackend:
    """The `Backend` of SQL: the plan compiled into DuckDB statements when the backend is made; refusals then."""

    name = "duckdb"

    def __init__(self, plan: Plan, definitions: Definitions | None = None) -> None:
        self.plan = plan
        self.sql = sql_plan(plan, definitions)

    def evaluate(self, facts: Facts, selection: Selection = EVERYTHING, lang: Language = "fr") -> SqlEvaluation:
        entities = self._entities(facts.entities, selection)
        connection = duckdb.connect()
        _load_facts(connection, facts, self._read(entities))
        return SqlEvaluation(self.sql, connection, selection, lang, entities)

    def evaluate_iter(self, facts: Facts, selection: Selection = EVERYTHING, lang: Language = "fr") -> Iterator[EntityEvaluation]:
        """Every entity computed by one set of queries, read back a batch of entities at a time (`by_entity`)."""
        yield from self.evaluate(facts, selection, lang).by_entity()

    def _entities(self, entities: Iterable[Entity], selection: Selection) -> list[Entity]:
        """The entities reported, in the Python backend's order: those of the facts that are not groups, then each group."""
        groups = self.sql.groups_of_entities
        return [e for e in [*(e for e in entities if e not in groups), *groups] if selection.wants_entity(e)]

    def _read(self, entities: Sequence[Entity]) -> set[Entity]:
        """The entities whose facts evaluating `entities` reads: themselves and every member of a group among them, down."""
        read, pending = set(), list(entities)
        while pending:
            entity = pending.pop()
            if entity not in read:
                read.add(entity)
                pending += self.sql.groups_of_entities.get(entity or "", ())
        return read

    def value(self, facts: Facts, kpi: str, period: Period, entity: Entity = None) -> Decimal | bool | None:
        result = self._result(facts, kpi, period, entity)
        return result.value

    def trace(self, facts: Facts, kpi: str, period: Period, entity: Entity = None, max_depth: int = 8) -> ExplainNode:
        """Refused, as a located problem: the SQL computes whole columns, so it keeps no tree of one value's steps."""
        raise PackError([Problem.of(Location(f"KPI '{kpi}'"), Reason.of("sql_no_trace", backend=self.name))])

    def _result(self, facts: Facts, kpi: str, period: Period, entity: Entity) -> Result:
        if entity not in facts.entities and entity not in self.sql.groups_of_entities:
            raise lookup_error("entity", entity or "", [e for e in [*facts.entities, *self.sql.groups_of_entities] if e is not None])
        return self.evaluate(facts, Selection(entity=entity, all_entities=False)).result_at(kpi, period, entity)


def evaluate_source(
    backend: DuckDBBackend, sources: Sequence[str | Facts], selection: Selection = EVERYTHING, lang: Language = "fr"
) -> SqlEvaluation:
    """Evaluate facts DuckDB reads itself, with facts read by Python: each source a CSV or Parquet path (globs
    too) or `database.duckdb:table`, in long format (entity, scenario, input or name, period, value), or a `Facts`.

    Entities come sorted, None first, as `Facts.entities` gives them.
    """
    connection = duckdb.connect()
    connection.execute(f"CREATE TEMP TABLE kpi_facts ({FACTS_COLUMNS})")
    found: set[Entity] = set()
    wanted = None if selection.all_entities else backend._read([selection.entity])
    for source in sources:
        if isinstance(source, Facts):
            _load_facts(connection, source, wanted or backend._read(backend._entities(source.entities, EVERYTHING)), table="kpi_python_facts")
            connection.execute("INSERT INTO kpi_facts SELECT * FROM kpi_python_facts")
            found.update(source.entities)
            continue
        relation, columns = _relation(connection, source)
        missing_columns(columns, relation)
        connection.execute(f"CREATE OR REPLACE TEMP TABLE kpi_source_facts AS\n{facts_from_long(DUCKDB, relation, columns, wanted, backend.sql.month_shift)}")
        _check_source(connection, source, backend.sql.source.calendar)
        actual = f"SELECT DISTINCT entity FROM kpi_source_facts WHERE scenario = '{ACTUAL}'"
        found.update(row[0] for row in connection.execute(actual).fetchall())
        connection.execute("INSERT INTO kpi_facts SELECT entity, scenario, input, frequency, ordinal, value FROM kpi_source_facts")
    entities = backend._entities(sorted(found, key=lambda e: (e is not None, e or "")), selection)
    return SqlEvaluation(backend.sql, connection, selection, lang, entities)


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


def _check_source(connection: duckdb.DuckDBPyConnection, source: str, calendar: Calendar) -> None:
    """Every period one of the pack's calendar, every scenario a name (`budget`), every value a plain number that fits: else FactsError."""
    problems = source_problems(lambda query: connection.execute(query).fetchall(), "kpi_source_facts", source, calendar, "1.7e14")
    if problems:
        raise FactsError(problems)
    connection.execute("DELETE FROM kpi_source_facts WHERE value IS NULL")  # empty cells: missing facts


def source_problems(rows: Callable[[str], Sequence[Sequence[Any]]], relation: str, source: str, calendar: Calendar, largest: str) -> list[Problem]:
    """What is wrong with facts an engine read itself into `relation` (period_text, frequency, scenario, value_text,
    value), as `rows(query)` returns it: periods no period of the pack's calendar, scenarios that are no names, values
    that are no plain numbers of at most SCALE decimals below `largest` (the engine's range)."""
    where = Location(source)
    texts = [row[0] for row in rows(f"SELECT DISTINCT period_text FROM {relation} WHERE frequency IS NULL ORDER BY 1 LIMIT 5")]
    refused = dict(calendar_problems(texts, calendar))
    others = [text for text in texts if text not in refused]
    problems = [Problem.of(where, Reason.of("sql_periods", names=others))] if others else []
    problems += [Problem.of(where, cause) for cause in refused.values()]
    scenarios = rows(f"SELECT DISTINCT scenario FROM {relation} ORDER BY 1")
    problems += [Problem.of(where, problem) for (scenario,) in scenarios if (problem := scenario_problem(scenario))]
    values = [row[0] for row in rows(f"SELECT DISTINCT value_text FROM {relation} WHERE value IS NULL AND value_text <> '' ORDER BY 1 LIMIT 5")]
    if values:
        problems.append(Problem.of(where, Reason.of("sql_values", digits=SCALE, largest=largest, names=values)))
    return problems


def missing_columns(columns: Mapping[str, str], source: str) -> None:
    """FactsError when a long-format source lacks a column the SQL reads (`columns`: lower-case name -> spelling)."""
    missing = [c for c in ("period", "value") if c not in columns] + ([] if {"input", "name"} & set(columns) else ["input"])
    if missing:
        raise FactsError([Problem.of(Location(source), Reason.of("sql_columns", missing=", ".join(missing)))])


def calendar_problems(texts: list[str], calendar: Calendar) -> Iterator[tuple[str, Worded]]:
    """Each period text that is no period of the pack's calendar, and why (`'2025' is a calendar year, but...`)."""
    for text in texts:
        try:
            calendar.parse(text)
        except ValueError as error:
            yield text, Reason.of_error(error)


def _results_table(frequency: Frequency) -> str:
    """The table of the KPIs reported at `frequency`, one row per entity and covered period."""
    return f"kpi_results_{frequency.value}"


def _load_facts(connection: duckdb.DuckDBPyConnection, facts: Facts, entities: Iterable[Entity], table: str = "kpi_facts") -> None:
    """Facts of `entities`, under every scenario, -> `table`, in bulk: written once as tab-separated text DuckDB reads in one pass."""
    lines = [
        f"{_NULL if entity is None else entity}\t{scenario}\t{name}\t{frequency}\t{ordinal}\t{units}\n"
        for entity, scenario, name, frequency, ordinal, units in fact_rows(facts, entities)
    ]
    connection.execute(f"CREATE OR REPLACE TEMP TABLE {table} ({FACTS_COLUMNS})")
    if not lines:
        return
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False, encoding="utf-8") as file:
        file.writelines(lines)
    try:
        connection.execute(
            f"INSERT INTO {table} SELECT * FROM read_csv('{_escape(file.name)}', delim = '\t', header = false, quote = '', escape = '', "
            "nullstr = '\\N', columns = {'entity': 'VARCHAR', 'scenario': 'VARCHAR', 'input': 'VARCHAR', "
            "'frequency': 'VARCHAR', 'ordinal': 'BIGINT', 'value': 'HUGEINT'})"
        )
    finally:
        os.unlink(file.name)


def fact_rows(facts: Facts, entities: Iterable[Entity]) -> list[tuple[Entity, str, str, str, int, int]]:
    """The facts of `entities`, under every scenario, as rows (entity, scenario, input, frequency, ordinal, value in
    units of 1e-24); FactsError locating every value the SQL backend cannot hold (more than 24 decimals, or not
    below 1e38 units: HUGEINT and DECIMAL(38, 0) hold the others)."""
    rows: list[tuple[Entity, str, str, str, int, int]] = []
    refused: list[tuple[Entity, str, Period, str]] = []
    for entity in entities:
        for scenario in facts.scenarios:
            for period, values in facts.entity(entity, scenario).by_period.items():
                for name, value in values.items():
                    units = value.scaleb(SCALE, _EXACT)
                    if units != units.to_integral_value() or abs(units) >= _LIMIT:
                        refused.append((entity, name, period, scenario))
                        continue
                    rows.append((entity, scenario, name, period.frequency.value, period.ordinal, int(units)))
    if refused:
        raise FactsError(_refusals(facts, set(refused)))
    return rows


def _refusals(facts: Facts, refused: set[tuple[Entity, str, Period, str]]) -> list[Problem]:
    """Each fact the SQL backend cannot read, located where it was read."""
    problems = []
    for fact in facts.facts():
        if (fact.entity, fact.name, fact.period, fact.scenario) not in refused:
            continue
        problems.append(Problem.of(fact.location, Reason.of("sql_fact_too_precise", name=fact.name, period=fact.period, amount=fact.value, digits=SCALE)))
    return problems


def refuse_compare(asked: Sequence[CompareName]) -> None:
    """DuckDB computes every comparison but the year to date: the KPI's formula on inputs rolled up over the span
    from the fiscal year's start, a row the SQL grid does not have (a ratio of the summed figures is no sum of
    the KPI's results at the span's parts). ValueError when it is asked."""
    if "ytd" in asked:
        raise ValueError(YTD_REFUSAL)


YTD_REFUSAL = "the year to date (--compare ytd) is computed by the python engine only: leave out ytd, or --engine"


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while rows and results are read back, restored as it was after.

    Reading back makes millions of objects that hold no cycle (row dicts, Decimals, `Result`s); every
    collection walks all those alive in vain: about 30% of the read-back's time at a million values.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def to_decimal(units: str | int | None) -> Decimal | None:
    """A value in units of 1e-24 (as DuckDB writes it out, `SqlEvaluation._run`) as an exact Decimal, without
    trailing zeros (`40000`, `0.5`)."""
    if units is None:
        return None
    text = units if isinstance(units, str) else str(units)
    if text.endswith(_WHOLE):  # a whole number: its digits without the scale's zeros, never an exponent (`4E+4`)
        return Decimal(text[:-SCALE])
    return Decimal(text).scaleb(-SCALE, _EXACT).normalize(_EXACT)


def to_reason(text: str | None, entity: Entity, plan: SqlPlan) -> Reason | None:
    """The JSON reason the SQL wrote, as the Reason the Python backend gives (the entity filled in)."""
    if text is None:
        return None
    return _reason(json.loads(text), entity, plan)


def _reason(data: dict[str, Any], entity: Entity, plan: SqlPlan) -> Reason:
    params: dict[str, Any] = {}
    for key, value in data.items():
        if key == "code":
            continue
        if key == "entity":  # NULL: the row's own entity; a group's member is named
            params[key] = entity if value is None else value
        elif key in ("period", "since"):
            params[key] = plan.period(Frequency(value[0]), int(value[1]))
        elif key == "cause":
            params[key] = _reason(value, entity, plan)
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
class _ReportedKpi:
    """What reading a reported KPI's result from a row needs that does not change from row to row."""

    name: str
    owner: str
    has_target: bool

    @classmethod
    def of(cls, plan: SqlPlan, name: str) -> _ReportedKpi:
        spec = plan.kpis[name].planned
        return cls(name, spec.owner, spec.target is not None)


@dataclass(frozen=True)
class SqlReadings:
    """What `alerts.Alerting` reads at one row of the SQL results: conditions, values and targets as the engine
    computed them; `rows` holds the entity's other rows (its earlier periods)."""

    evaluation: SqlEvaluation
    rows: Rows
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
        row = self.rows[period.frequency].get((self.entity, period.ordinal))
        return None if row is None else SqlReadings(self.evaluation, self.rows, self.entity, period, row)

    def value(self, name: str) -> Decimal | None:
        return to_decimal(self.row[name])

    def target(self, kpi: str) -> Decimal | None:
        return to_decimal(self.row.get(f"target:{kpi}"))


Table = dict[tuple[Entity, int], dict[str, Any]]
"""Rows of results by entity and ordinal, each a dict by column."""
Rows = dict[Frequency, Table]
"""A `Table` per frequency."""


class SqlEvaluation:
    """Results and alerts of an evaluation in SQL (DuckDB, or an engine's `Connection`).

    The engine computes every reported KPI into one table per frequency (`kpi_results_<frequency>`) when the
    evaluation is made; rows come back to Python a batch of entities at a time (`by_entity`), so what Python
    holds grows with a batch (`BATCH_CELLS`), not with the entities. KPIs at other frequencies are computed on
    first request.
    """

    dialect: Dialect = DUCKDB

    def __init__(self, plan: SqlPlan, connection: Connection, selection: Selection, lang: Language, entities: Sequence[Entity]) -> None:
        refuse_compare(selection.compare)
        self.plan, self.selection, self.lang = plan, selection, lang
        self._firsts: dict[Frequency, dict[Entity, int]] = {}  # each entity's first covered period, for year_ago
        self._gaps: Rows = {}  # every actual period, for year_ago
        self._starts: dict[tuple[Entity, str], int] | None = None  # the first day of each entity's figures per scenario
        self._connection = connection
        self._lock = threading.Lock()
        self._everything: Rows = {}
        self._scenarios: dict[tuple[Frequency, str], Table] = {}
        self._held: tuple[frozenset[Entity], Rows] = (frozenset(), {})  # the rows read last, for `result_at`
        self._evaluated: tuple[tuple[Result, ...], tuple[Alert, ...]] | None = None
        self._reading_all = threading.Lock()
        self.entities = list(entities)
        prepared, queries = statements(plan, self.dialect, {f: list(names) for f, names in plan.reported.items()})
        for statement in prepared:
            connection.execute(statement)
        for frequency, query in queries.items():
            connection.execute(f"CREATE OR REPLACE TEMP TABLE {_results_table(frequency)} AS\n{query.sql()}")
        self._columns = {frequency: query.columns for frequency, query in queries.items()}
        self._reported = {f: tuple(_ReportedKpi.of(plan, name) for name in names) for f, names in plan.reported.items()}

    @property
    def results(self) -> tuple[Result, ...]:
        """Every result, read back once on first request (all of them held: `by_entity` streams)."""
        return self._all()[0]

    @property
    def alerts(self) -> tuple[Alert, ...]:
        return self._all()[1]

    def _all(self) -> tuple[tuple[Result, ...], tuple[Alert, ...]]:
        with self._reading_all:  # once, whichever thread asks first (`by_entity` takes `_lock` itself)
            if self._evaluated is None:
                evaluated = list(self.by_entity())
                self._evaluated = (tuple(r for e in evaluated for r in e.results), tuple(a for e in evaluated for a in e.alerts))
            return self._evaluated

    def by_entity(self) -> Iterator[EntityEvaluation]:
        """Each entity's results and alerts, in entity order, read back a batch of entities at a time: only one
        batch's rows are held (alerts read an entity's earlier periods, which its batch has)."""
        for batch in self._batches():
            rows = self._rows_of(batch)
            with self._lock:
                self._held = (frozenset(batch), rows)
            yield from self._evaluated_batch(batch, rows)

    def _evaluated_batch(self, batch: Sequence[Entity], rows: Rows) -> list[EntityEvaluation]:
        results: dict[Entity, list[Result]] = {e: [] for e in batch}
        alerts: dict[Entity, list[Alert]] = {e: [] for e in batch}
        alerting = Alerting(self.plan.source, self.lang, self.selection.as_of)
        with _collector_paused():
            for entity, period, row in self._frames(batch, rows):
                results[entity].extend(self._frame_results(entity, period, row))
                alerts[entity].extend(self._frame_alerts(alerting, rows, entity, period, row))
            if self.selection.compare:
                for entity in batch:
                    results[entity] = [replace(r, compared=self._compared(r)) for r in results[entity]]
        return [EntityEvaluation(e, tuple(results[e]), tuple(alerts[e])) for e in batch]

    def _batches(self) -> Iterator[list[Entity]]:
        """The entities in order, in batches of about `BATCH_CELLS` cells of results (rows times columns)."""
        if not self.entities:
            return
        counts = {f: self._connection.execute(f"SELECT count(*) FROM {_results_table(f)}").fetchall()[0][0] for f in self._columns}
        cells = sum(int(counts[f]) * len(columns) for f, columns in self._columns.items())
        size = max(1, BATCH_CELLS * len(self.entities) // max(cells, 1))
        for start in range(0, len(self.entities), size):
            yield self.entities[start : start + size]

    def _rows_of(self, entities: Sequence[Entity]) -> Rows:
        """The reported rows of `entities`, read from the results tables."""
        named = [e for e in entities if e is not None]
        where = " OR ".join((["entity IS NULL"] if None in entities else []) + ([f"entity IN ({', '.join(map(literal_text, named))})"] if named else []))
        return {f: self._select(columns, _results_table(f), f"WHERE {where or 'false'}") for f, columns in self._columns.items()}

    def _run(self, query: FrequencyQuery) -> Table:
        """Every row of a query computed on request (another scenario, other KPIs, the periods between)."""
        return self._select(query.columns, f"(\n{query.sql()}\n) AS kpi_query")

    def _select(self, columns: Sequence[str], source: str, where: str = "") -> Table:
        """Rows of `source` by entity and ordinal, each a dict by column; counts of 1e-24 fetched as their text:
        DuckDB hands a VARCHAR to Python in half the time of a HUGEINT, and `to_decimal` reads either alike."""
        selected = ", ".join(q(c) if c in _KEYS or c.startswith(_NOT_NUMBERS) else f"CAST({q(c)} AS VARCHAR) AS {q(c)}" for c in columns)
        cursor = self._connection.execute(f"SELECT {selected} FROM {source} {where}")
        return {(row[0], row[1]): dict(zip(columns, row, strict=True)) for row in cursor.fetchall()}

    def _frames(self, entities: Sequence[Entity], rows: Rows) -> Iterator[tuple[Entity, Period, dict[str, Any]]]:
        """`rows` (those of `entities`) in the Python backend's order: entity, then period (chronological, finer
        first); periods outside the selection left out."""
        order = {entity: index for index, entity in enumerate(entities)}
        frames = [
            (entity, period, row)
            for frequency, table in rows.items()
            for (entity, ordinal), row in table.items()
            if self.selection.wants_period(period := self.plan.period(frequency, ordinal))
        ]
        frames.sort(key=lambda r: (order[r[0]], r[1].sort_key()))
        yield from frames

    def _frame_results(self, entity: Entity, period: Period, row: dict[str, Any]) -> Iterator[Result]:
        """Every reported KPI of one row: the common case (a value, no target) built directly, with what does not
        change per row worked out once per KPI (`_ReportedKpi`); the others as `_result` builds them."""
        is_group = entity in self.plan.groups_of_entities
        for kpi in self._reported[period.frequency]:
            units = row[kpi.name]
            if units is None or kpi.has_target:
                yield self._result(kpi.name, entity, period, row)
            else:
                yield Result(kpi.name, period, entity, to_decimal(units), None, None, NO_TARGET, kpi.owner, None, None, is_group)

    def _frame_alerts(self, alerting: Alerting, rows: Rows, entity: Entity, period: Period, row: dict[str, Any]) -> tuple[Alert, ...]:
        if period.frequency not in self.plan.source.alerting:
            return ()
        return alerting.at(SqlReadings(self, rows, entity, period, row))

    def _result(self, name: str, entity: Entity, period: Period, row: dict[str, Any]) -> Result:
        result = self._plain_result(name, entity, period, row)
        return replace(result, is_group=True) if entity in self.plan.groups_of_entities else result

    def _plain_result(self, name: str, entity: Entity, period: Period, row: dict[str, Any]) -> Result:
        spec = self.plan.kpis[name].planned
        value = to_decimal(row[name])
        if value is None:
            cause = to_reason(row[f"why:{name}"], entity, self.plan)
            return Result(name, period, entity, None, None, None, UNDEFINED, spec.owner, str(cause) if cause else None, cause)
        if spec.target is None:
            return Result(name, period, entity, value, None, None, NO_TARGET, spec.owner)
        target = to_decimal(row[f"target:{name}"])
        if target is None:
            inner = to_reason(row[f"why:target:{name}"], entity, self.plan)
            cause = Reason.of("target_undefined", cause=inner)
            return Result(name, period, entity, value, None, None, NO_TARGET, spec.owner, str(cause), cause)
        met = value >= target if spec.direction is not Direction.LOWER_IS_BETTER else value <= target
        return Result(name, period, entity, value, target, difference(value, target), MET if met else MISSED, spec.owner)

    def result_at(self, kpi: str, period: Period | str, entity: Entity = None) -> Result:
        """`kpi` at any period the facts cover, even at a frequency it is not reported at; KeyError otherwise."""
        if kpi not in self.plan.kpis:
            raise lookup_error("KPI", kpi, self.plan.kpis)
        calendar = self.plan.source.calendar
        period = calendar.parse(period) if isinstance(period, str) else calendar.bind(period)
        row = self._row(period, entity, kpi)
        if row is None:
            raise not_evaluated(period, entity)
        return self._result(kpi, entity, period, row)

    def value(self, kpi: str, period: Period | str, entity: Entity = None) -> Decimal | None:
        return self.result_at(kpi, period, entity).value

    def scenario_result(self, kpi: str, period: Period | str, entity: Entity = None, scenario: str = "budget") -> Result:
        """`kpi` at a covered period computed on the figures of `scenario` (value, target and status there), as the
        Python backend's `scenario_result`: undefined when the entity has no figure of it, or none as early."""
        period = self.result_at(kpi, period, entity).period  # KeyError when not covered
        with self._lock:
            key = (period.frequency, scenario)
            if key not in self._scenarios:
                query = FrequencyQuery(self.plan, self.dialect, period.frequency, list(self.plan.kpis), report=scenario)
                self._scenarios[key] = self._run(query)
            row = self._scenarios[key].get((entity, period.ordinal))
            if self._starts is None:  # read once: asked for every result when comparing with the budget
                self._starts = {(e, s): start for e, s, start in self._connection.execute("SELECT entity, scenario, start FROM kpi_starts").fetchall()}
            start = self._starts.get((entity, scenario))
        if row is not None:
            return self._result(kpi, entity, period, row)
        cause = Reason.of("no_scenario_facts", scenario=scenario, entity=entity)
        if start is not None:  # figures from a later period on
            calendar = self.plan.source.calendar
            since = calendar.bind(Period.from_date(period.frequency, date.fromordinal(start), calendar.fiscal_year_start))
            cause = Reason.of("in_scenario", scenario=scenario, cause=Reason.of("before_data", period=period, since=since, entity=entity))
        owner = self.plan.kpis[kpi].planned.owner
        undefined = Result(kpi, period, entity, None, None, None, UNDEFINED, owner, str(cause), cause)
        return replace(undefined, is_group=True) if entity in self.plan.groups_of_entities else undefined

    def _compared(self, result: Result) -> Compared:
        """What `result` is compared with (`Selection.compare`), as the Python backend gives it: its budget, the same
        SQL on the budget figures, and its value a year earlier. The year to date is refused (`refuse_compare`)."""
        asked = self.selection.compare
        budget = self.scenario_result(result.kpi, result.period, result.entity, BUDGET) if "budget" in asked else None
        return Compared(
            budget=Reference(budget.value, budget.cause) if budget is not None else None,
            year_ago=self._year_ago(result) if "year_ago" in asked else None,
        )

    def _year_ago(self, result: Result) -> Reference:
        """The KPI's value a year before `result`, as the Python backend reads it: at a period the facts cover or
        between two (`_gap_row`), undefined with its reason; before the first one undefined, saying where data starts."""
        earlier, frequency = result.period.year_ago(), result.period.frequency
        with self._lock:
            if frequency not in self._firsts:  # a reported frequency: its rows are every covered period
                firsts = f"SELECT entity, min(ordinal) FROM {_results_table(frequency)} GROUP BY entity"
                self._firsts[frequency] = {entity: int(first) for entity, first in self._connection.execute(firsts).fetchall()}
        first = self._firsts[frequency][result.entity]
        if earlier.ordinal < first:
            since = self.plan.period(frequency, first)
            return Reference(None, Reason.of("before_data", period=earlier, since=since, entity=result.entity))
        try:
            found = self.result_at(result.kpi, earlier, result.entity)
        except KeyError:
            found = self._result(result.kpi, result.entity, earlier, self._gap_row(earlier, result.entity))
        return Reference(found.value, found.cause if found.value is None else None)

    def _gap_row(self, period: Period, entity: Entity) -> dict[str, Any]:
        """Every KPI at an actual period between two the facts cover, on the grid the time functions read; the
        whole frequency computed once, on first need."""
        with self._lock:
            if period.frequency not in self._gaps:
                query = FrequencyQuery(self.plan, self.dialect, period.frequency, list(self.plan.kpis), gaps=True)
                self._gaps[period.frequency] = self._run(query)
        return self._gaps[period.frequency][(entity, period.ordinal)]

    def _row(self, period: Period, entity: Entity, kpi: str) -> dict[str, Any] | None:
        frequency = period.frequency
        if kpi in self.plan.reported.get(frequency, ()):
            with self._lock:  # the entity's rows: those read last when they hold them (a batch being read back)
                held, rows = self._held
                if entity not in held:
                    rows = self._rows_of([entity])
                    self._held = (frozenset([entity]), rows)
            return rows[frequency].get((entity, period.ordinal))
        with self._lock:  # every KPI at this frequency, once, for questions about coarser periods
            if frequency not in self._everything:
                self._everything[frequency] = self._run(FrequencyQuery(self.plan, self.dialect, frequency, list(self.plan.kpis)))
        return self._everything[frequency].get((entity, period.ordinal))

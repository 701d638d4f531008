"""The Spark backend: the pack's SQL rendered for Spark SQL and run on a Spark session, results read back as DuckDB's.

`SparkBackend` follows `backends.Backend` and gives the Python backend's
results, statuses, reasons and alerts: the same plan, the same statements
(`sql.query`) in Spark's spelling (`sql.dialect.SPARK`), the same reading of
the rows and firing of alerts (`duckdb.SqlEvaluation`). It runs on a local
Spark (`local[*]`) by default, on the cluster `start` is given
(`--spark-master`), or through Spark Connect when `SPARK_REMOTE` is set.
Facts come from a `Facts` object (handed to Spark as rows), or straight from
long-format CSV or Parquet paths or a table (`evaluate_source`), read by
Spark itself, on the cluster.

Each evaluation has a Spark session of its own (`newSession()`: its views,
functions and settings, on the shared SparkContext), so evaluations in one
process do not see each other's views. `pyspark` is imported only here.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from pyspark.sql import DataFrame, SparkSession

from ..errors import FactsError
from ..facts import ACTUAL, Entity, Facts
from ..formatting import Language
from ..periods import Calendar
from ..results import EVERYTHING, Selection
from .duckdb import DuckDBBackend, SqlEvaluation, fact_rows, missing_columns, source_problems
from .sql.dialect import SPARK, Dialect
from .sql.source import facts_from_long

FACTS_SCHEMA = "entity STRING, scenario STRING, input STRING, frequency STRING, ordinal BIGINT, value DECIMAL(38, 0)"
# Settings of every evaluation's session: overflow is NULL, not an error (the reason says why); names differing by
# case are different KPIs; roll-forwards recurse once per period; literals read as the dialect writes them; the
# analyzer resolves a 100-KPI pack's nested steps.
SESSION_SETTINGS = {
    "spark.sql.ansi.enabled": "false",
    "spark.sql.caseSensitive": "true",
    "spark.sql.decimalOperations.allowPrecisionLoss": "true",
    "spark.sql.cteRecursionLevelLimit": "100000",
    "spark.sql.parser.escapedStringLiterals": "false",
    "spark.sql.analyzer.maxIterations": "1000",  # a wide pack's queries need more than the default 100 to resolve
}
# A local Spark for one machine: no web UI, no progress bars on the terminal, few shuffle partitions, a bounded heap
# (the driver is the executor too; Spark's default is 1 GiB, which a pack with groups outgrows).
LOCAL_SETTINGS = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "4",
    "spark.driver.memory": "2g",
}
TABLE_PREFIX = "table:"  # a facts source naming a table of the Spark catalog: table:finance.facts


def start(master: str | None = None) -> SparkSession:
    """This process's Spark, started on `master` (`local[*]` by default) unless it runs already: Spark keeps one
    SparkContext per process, so the first start decides the cluster (`kpi evaluate --spark-master` calls it first)."""
    running = SparkSession.getActiveSession()
    if running is not None:
        return running
    builder = SparkSession.builder.appName("kpi-engine").master(master or "local[*]")
    for key, value in (LOCAL_SETTINGS if (master or "local").startswith("local") else {}).items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def spark_session() -> SparkSession:
    """A new session for one evaluation (its own views, functions and settings): on Spark Connect when
    SPARK_REMOTE is set, else on this process's Spark (`start`)."""
    remote = os.environ.get("SPARK_REMOTE")
    session = SparkSession.builder.remote(remote).create() if remote else start().newSession()
    for key, value in SESSION_SETTINGS.items():
        session.conf.set(key, value)
    return session


class _Rows:
    """A collected Spark result as `duckdb.Cursor`: decimals (counts of 1e-24) as Python integers."""

    def __init__(self, frame: DataFrame | None) -> None:
        self.description = [(name,) for name in frame.columns] if frame is not None else None
        self._rows = frame.collect() if frame is not None else []

    def fetchall(self) -> list[tuple[Any, ...]]:
        return [tuple(int(v) if isinstance(v, Decimal) else v for v in row) for row in self._rows]


class SparkConnection:
    """`duckdb.Connection` on a Spark session: SQL in DuckDB's spelling rendered for Spark, run statement by
    statement. What DuckDB makes a table Spark computes once and keeps as a checkpointed view: later statements and
    every frequency's query read it as stored rows, so Spark never analyses the statements that made it again (a
    view of views of SQL text is analysed whole at each use, minutes for a pack with groups). DuckDB's views stay
    plain views."""

    def __init__(self, session: SparkSession, dialect: Dialect = SPARK) -> None:
        self.session, self.dialect = session, dialect

    def execute(self, query: str, /) -> _Rows:
        result = None
        for statement in _statements(query):
            code = _without_comments(statement)
            table = _TABLE.match(code)
            if table:
                self.session.sql(self.dialect.render(table.group(2))).localCheckpoint().createOrReplaceTempView(table.group(1))
                continue
            frame = self.session.sql(self.dialect.render(statement))
            if _QUERY.match(code):
                result = frame
        return _Rows(result)


_TABLE = re.compile(r"\s*CREATE OR REPLACE TEMP TABLE (\w+) AS\s(.*)", re.DOTALL)
_QUERY = re.compile(r"\s*(WITH|SELECT)\b", re.IGNORECASE)


def _statements(sql: str) -> list[str]:
    """The statements of a script (each ends with `;` at the end of a line), comment-only parts left out."""
    parts = re.split(r";[ \t]*(?:\n|$)", sql)
    return [part for part in parts if _without_comments(part).strip()]


def _without_comments(sql: str) -> str:
    return "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))


class SparkEvaluation(SqlEvaluation):
    """Results and alerts of a Spark evaluation: DuckDB's reading of the same columns, on Spark's rows."""

    dialect = SPARK


class SparkBackend(DuckDBBackend):
    """The `Backend` of Spark SQL: the plan compiled when the backend is made (refusals then), run on Spark."""

    name = "spark"

    def evaluate(self, facts: Facts, selection: Selection = EVERYTHING, lang: Language = "en") -> SparkEvaluation:
        entities = self._entities(facts.entities, selection)
        session = spark_session()
        _facts_view(session, fact_rows(facts, self._read(entities)))
        return SparkEvaluation(self.sql, SparkConnection(session), selection, lang, entities)


def _facts_view(session: SparkSession, rows: list[tuple[Entity, str, str, str, int, int]], view: str = "kpi_facts") -> None:
    """Facts read by Python -> the view `kpi_facts` (rows shipped to Spark: they reach a cluster's executors too)."""
    frame = session.createDataFrame([(e, s, n, f, o, Decimal(v)) for e, s, n, f, o, v in rows], FACTS_SCHEMA)
    frame.createOrReplaceTempView(view)


def evaluate_source(
    backend: SparkBackend, sources: Sequence[str | Facts], selection: Selection = EVERYTHING, lang: Language = "en"
) -> SparkEvaluation:
    """Evaluate facts Spark reads itself, with facts read by Python: each source a CSV or Parquet path (globs and
    directories of parts too, on any file system Spark reads) or `table:NAME` (a table of the catalog), in long format
    (entity, scenario, input or name, period, value), or a `Facts`.

    Entities come sorted, None first, as `Facts.entities` gives them.
    """
    session = spark_session()
    parts: list[str] = []
    wanted = None if selection.all_entities else backend._read([selection.entity])
    for index, source in enumerate(sources):
        view = f"kpi_source_{index}"
        if isinstance(source, Facts):
            _facts_view(session, fact_rows(source, wanted or backend._read(backend._entities(source.entities, EVERYTHING))), view)
        else:
            _read(session, source).createOrReplaceTempView(f"{view}_raw")
            columns = _columns(session, f"{view}_raw", source)
            session.sql(facts_from_long(SPARK, f"{view}_raw", columns, wanted, backend.sql.month_shift)).createOrReplaceTempView(f"{view}_checked")
            _check_source(session, f"{view}_checked", source, backend.sql.source.calendar)
            checked = f"SELECT entity, scenario, input, frequency, ordinal, value FROM {view}_checked WHERE value IS NOT NULL"
            session.sql(checked).createOrReplaceTempView(view)
        parts.append(f"SELECT * FROM {view}")
    (session.sql(" UNION ALL ".join(parts)) if parts else session.createDataFrame([], FACTS_SCHEMA)).createOrReplaceTempView("kpi_facts")
    session.sql("CACHE TABLE kpi_facts")
    found = [row[0] for row in session.sql(f"SELECT DISTINCT entity FROM kpi_facts WHERE scenario = '{ACTUAL}'").collect()]
    entities = backend._entities(sorted(found, key=lambda e: (e is not None, e or "")), selection)
    return SparkEvaluation(backend.sql, SparkConnection(session), selection, lang, entities)


def _read(session: SparkSession, source: str) -> DataFrame:
    if source.startswith(TABLE_PREFIX):
        return session.table(source[len(TABLE_PREFIX) :])
    if source.lower().endswith(".parquet"):
        return session.read.parquet(source)
    return session.read.option("header", "true").option("inferSchema", "false").csv(source)


def _columns(session: SparkSession, view: str, source: str) -> dict[str, str]:
    """The source's columns by lower-case name; FactsError when a needed one is missing."""
    columns = {name.lower(): name for name in session.table(view).columns}
    missing_columns(columns, source)
    return columns


def _check_source(session: SparkSession, view: str, source: str, calendar: Calendar) -> None:
    """Every period one of the pack's calendar, every scenario a name, every value a plain number that fits: else FactsError."""
    problems = source_problems(lambda query: session.sql(query).collect(), view, source, calendar, "1e14")
    if problems:
        raise FactsError(problems)

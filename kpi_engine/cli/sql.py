"""`kpi sql`: the SQL a pack compiles to, for review; and the load-time check of a SQL engine."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import click

from ..comparisons import CompareName
from ..errors import FactsError, PackError
from ..facts import Facts
from ..formatting import Language
from ..pack import Pack
from ..periods import Period
from ..results import Selection
from .common import (
    EXIT_FACTS,
    EXIT_INVALID,
    PACK,
    Exit,
    open_facts,
    open_pack,
    print_problems,
    summary,
)

if TYPE_CHECKING:
    from ..backends.duckdb import SqlEvaluation

DIALECT_NAMES = ("duckdb", "spark")
DIRECT_ENGINES = ("duckdb", "spark")  # engines that read facts files themselves


def check_engine(pack: Pack, engine: str, lang: Language = "fr") -> None:
    """Refuse, before any fact is read, a pack the SQL engine cannot compute exactly as the Python one."""
    if engine == "python":
        return
    from ..backends.sql.plan import sql_plan

    try:
        sql_plan(pack.plan, pack.definitions)
    except PackError as error:
        print_problems(error.problems, lang=lang)
        click.echo(summary("problems_for_engine", len(error.problems), lang, engine=engine), err=True)
        raise Exit(EXIT_INVALID) from None


def evaluate_on(engine: str, pack: Pack, facts: Facts, lang: Language, **selection: Any) -> SqlEvaluation:
    """`pack.evaluate` on a SQL `engine` (its results read back on request); facts the engine cannot read (a daily
    fact for SQL) exit with code 3, located."""
    try:
        return cast("SqlEvaluation", pack.evaluate(facts, backend=engine, lang=lang, **selection))  # what a SQL engine gives
    except FactsError as error:
        print_problems(error.problems, lang=lang)
        click.echo(summary("problems_in_facts_for_engine", len(error.problems), lang, engine=engine), err=True)
        raise Exit(EXIT_FACTS) from None


def read_directly(path: str, engine: str = "duckdb") -> bool:
    """Whether the engine reads this facts file itself: Parquet, a comma-separated long CSV (columns period, value,
    and input or name; entity optional), `FILE.duckdb:table` for DuckDB, `table:NAME` (a catalog's table) for Spark.
    Anything else goes through the Python readers."""
    if engine == "spark" and path.startswith("table:"):
        return True
    if (engine == "duckdb" and ".duckdb:" in path) or path.lower().endswith(".parquet"):
        return True
    if not path.lower().endswith(".csv"):
        return False
    with Path(path).open(encoding="utf-8", errors="replace") as file:
        header = {cell.strip().lower() for cell in file.readline().split(",")}
    return {"period", "value"} <= header and bool({"input", "name"} & header)


def evaluate_directly(
    loaded: Pack, files: Sequence[str], period: Period | None, entity: str | None, lang: Language, as_of: date,
    engine: str = "duckdb", compare: tuple[CompareName, ...] = (),
) -> SqlEvaluation:
    """`kpi evaluate --engine duckdb|spark`: files the engine can read it reads itself, the others through the
    Python readers, in the order given; unreadable facts exit with code 3, located."""
    if engine == "spark":
        from ..backends.spark import evaluate_source
    else:
        from ..backends.duckdb import evaluate_source  # type: ignore[assignment]  # the same signature, DuckDB's backend

    backend = loaded.backend(engine)
    others = [f for f in files if not read_directly(f, engine)]
    facts = open_facts(others, loaded, lang=lang) if others else None
    sources: list[str | Facts] = []
    for file in files:
        if read_directly(file, engine):
            sources.append(file)
        elif facts is not None and facts not in sources:
            sources.append(facts)
    selection = Selection(period, entity, entity is None, as_of, compare)
    try:
        return evaluate_source(backend, sources, selection, lang)  # type: ignore[arg-type]  # what BACKENDS names for engine
    except FactsError as error:
        print_problems(error.problems, lang=lang)
        click.echo(summary("problems_in_facts_for_engine", len(error.problems), lang, engine=engine), err=True)
        raise Exit(EXIT_FACTS) from None


@click.command(name="sql")
@PACK
@click.option("--dialect", type=click.Choice(DIALECT_NAMES), default="duckdb", show_default=True, help="The SQL engine to write for.")
def sql_command(pack: str, dialect: str) -> None:
    """Print the SQL that evaluates a pack: roll-ups, then one named step per KPI layer.

    \b
    Examples:
      kpi sql examples/company --dialect duckdb > company.sql
      kpi sql examples/company --dialect spark > company.spark.sql
    """
    from ..backends.sql.dialect import DIALECTS
    from ..backends.sql.plan import sql_plan
    from ..backends.sql.query import script

    loaded = open_pack(pack)
    check_engine(loaded, dialect)
    click.echo(script(sql_plan(loaded.plan), DIALECTS[dialect]), nl=False)


def start_spark(master: str | None) -> None:
    """Start this process's Spark on `master` (`--spark-master`) before any evaluation makes its session."""
    if master is None:
        return
    from ..backends.spark import start

    start(master)

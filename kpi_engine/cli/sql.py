"""`kpi sql`: the SQL a pack compiles to, for review; and the load-time check of a SQL engine."""

from __future__ import annotations

from typing import Any

import click

from ..errors import FactsError, PackError
from ..facts import Facts
from ..pack import Pack
from ..results import Evaluation
from .common import (
    EXIT_FACTS,
    EXIT_INVALID,
    PACK,
    Exit,
    count,
    open_pack,
    print_problems,
)

DIALECT_NAMES = ("duckdb",)


def check_engine(pack: Pack, engine: str) -> None:
    """Refuse, before any fact is read, a pack the SQL engine cannot compute exactly as the Python one."""
    if engine == "python":
        return
    from ..backends.sql.plan import sql_plan

    try:
        sql_plan(pack.plan, pack.definitions)
    except PackError as error:
        print_problems(error.problems)
        click.echo(count(error.problems, "problem") + f" for --engine {engine}", err=True)
        raise Exit(EXIT_INVALID) from None


def evaluate_on(engine: str, pack: Pack, facts: Facts, **selection: Any) -> Evaluation:
    """`pack.evaluate` on `engine`; facts the engine cannot read (a daily fact for SQL) exit with code 3, located."""
    try:
        return pack.evaluate(facts, backend=engine, **selection)
    except FactsError as error:
        print_problems(error.problems)
        click.echo(count(error.problems, "problem") + f" in the facts for --engine {engine}", err=True)
        raise Exit(EXIT_FACTS) from None


@click.command(name="sql")
@PACK
@click.option("--dialect", type=click.Choice(DIALECT_NAMES), default="duckdb", show_default=True, help="The SQL engine to write for.")
def sql_command(pack: str, dialect: str) -> None:
    """Print the SQL that evaluates a pack: roll-ups, then one named step per KPI layer.

    \b
    Example:
      kpi sql examples/company --dialect duckdb > company.sql
    """
    from ..backends.sql.dialect import DIALECTS
    from ..backends.sql.plan import sql_plan
    from ..backends.sql.query import script

    loaded = open_pack(pack)
    check_engine(loaded, dialect)
    click.echo(script(sql_plan(loaded.plan), DIALECTS[dialect]), nl=False)

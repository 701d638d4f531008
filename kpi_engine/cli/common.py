"""What every `kpi` command shares: exit codes, common options, and opening packs and facts.

Exit codes are stable, for CI pipelines:
    0  success
    1  the pack is invalid, or pack tests failed
    2  the command line is wrong (unknown option, missing argument, a period the facts do not cover)
    3  a facts file cannot be read
    4  an alert at or above --fail-on fired
    5  no answer: no admissible solution, or a formula that cannot be handled symbolically
    70 internal error (a bug in kpi-engine: one line is printed, KPI_DEBUG=1 shows the traceback)
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, get_args

import click

from ..errors import FactsError, PackError, Problem, did_you_mean
from ..facts import Facts, read_facts_text
from ..formatting import Language
from ..loader import display_name, load_pack, read_text
from ..pack import Pack
from ..periods import Period

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_FACTS, EXIT_ALERT, EXIT_NO_ANSWER, EXIT_INTERNAL = 0, 1, 2, 3, 4, 5, 70

TextOrJson = Literal["text", "json"]
"""`--format` of the commands that print a message or a record: text for people, json for CI and editors."""
TEXT_OR_JSON: tuple[TextOrJson, ...] = get_args(TextOrJson)

LANG = click.option(
    "--lang",
    type=click.Choice(get_args(Language)),
    default=lambda: os.environ.get("KPI_LANG", "fr"),
    show_default="fr, or $KPI_LANG",
    help="Language of labels and number formats.",
)
FACTS = click.option(
    "--facts",
    "facts_files",
    multiple=True,
    required=True,
    type=click.Path(dir_okay=False),
    help="Facts file (.csv long or wide, French ';' exports, .yaml, .json); repeat to merge several.",
)
PACK = click.argument("pack", type=click.Path())
STRICT = click.option("--strict", is_flag=True, help="Fail (exit 3) on facts warnings: a fact no input reads, a value outside its input's bounds.")


class _PeriodType(click.ParamType[Period]):
    name = "PERIOD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Period:
        if isinstance(value, Period):
            return value
        try:
            return Period.parse(value)
        except ValueError as error:
            self.fail(str(error), param, ctx)


PERIOD = _PeriodType()


class Exit(Exception):
    """Raised by a command to end with an exit code; the `kpi` group turns it into that code."""

    def __init__(self, code: int) -> None:
        self.code = code


def print_problems(problems: Sequence[Problem], err: bool = True) -> None:
    """Every problem as `FILE:LINE:COL: message` (and its caret lines), on stderr unless told otherwise."""
    for problem in problems:
        click.echo(str(problem), err=err)


def open_pack(path: str) -> Pack:
    """The loaded pack, or every problem printed and exit code 1."""
    try:
        return load_pack(path)
    except PackError as error:
        print_problems(error.problems)
        click.echo(count(error.problems, "problem") + " in the pack", err=True)
        raise Exit(EXIT_INVALID) from None


def open_facts(files: Sequence[str], pack: Pack | None = None, strict: bool = False) -> Facts:
    """The facts of every file merged, or every problem printed and exit code 3.

    Facts the pack does not read, or outside their input's bounds, are warned about;
    `strict` (for CI) makes those warnings fail with exit code 3 too.
    """
    facts, problems = Facts(), []
    for name in files:
        path = Path(name)
        text = read_text(path, fallback_encoding="cp1252")
        if isinstance(text, Problem):
            problems.append(text)
            continue
        try:
            problems.extend(facts.merge(read_facts_text(text, display_name(path))))
        except FactsError as error:
            problems.extend(error.problems)
    if pack is not None and not problems:
        try:
            facts = pack.bind(facts)  # years and quarters in the pack's calendar
        except FactsError as error:
            problems.extend(error.problems)
    if problems:
        print_problems(problems)
        click.echo(count(problems, "problem") + " in the facts", err=True)
        raise Exit(EXIT_FACTS)
    warnings = pack.fact_warnings(facts) if pack is not None else []
    print_problems(warnings)
    if strict and warnings:
        click.echo(f"{count(warnings, 'warning')} in the facts, refused by --strict", err=True)
        raise Exit(EXIT_FACTS)
    return facts


def count(items: Sequence[object], word: str) -> str:
    """`3 problems`, `1 problem`."""
    return f"{len(items)} {word}{'s' if len(items) != 1 else ''}"

def problem_record(problem: Problem) -> dict[str, Any]:
    """A problem as a JSON object, for CI and editors."""
    location = problem.location
    return {"file": location.file, "line": location.line, "column": location.column, "severity": problem.severity, "message": problem.message}


def pack_period(pack: Pack, period: Period | None, option: str = "--period") -> Period | None:
    """`period` in the pack's calendar (`2025-Q2` as the fiscal quarter it is), or a usage error (exit 2)."""
    try:
        return None if period is None else pack.plan.calendar.bind(period)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint=option) from None


def check_entity(facts: Facts, entity: str | None, required: bool, pack: Pack | None = None) -> None:
    """A usage error (exit 2) for an entity the facts do not have (nor the pack as a group), or none chosen
    when one is `required`."""
    groups = list(pack.plan.groups) if pack is not None else []
    named = [e for e in facts.entities if e and e not in groups] + groups
    if required and entity is None and None not in facts.entities and named:
        raise click.BadParameter(f"the facts have entities; choose one of: {', '.join(named)}", param_hint="--entity")
    if entity is not None and entity not in facts.entities and entity not in groups:
        raise click.BadParameter(f"no facts for entity '{entity}'{did_you_mean(entity, named)}; entities: {', '.join(named) or 'none'}", param_hint="--entity")


def open_for_kpi(pack: str, kpi: str, facts_files: Sequence[str], entity: str | None) -> tuple[Pack, Facts]:
    """The pack and facts for a question about one KPI of one entity, or a located error."""
    loaded = open_pack(pack)
    if kpi not in loaded.kpis:
        raise click.BadParameter(f"unknown KPI '{kpi}'{did_you_mean(kpi, loaded.kpis)}", param_hint="KPI")
    facts = open_facts(facts_files, loaded)
    check_entity(facts, entity, required=True, pack=loaded)
    return loaded, facts

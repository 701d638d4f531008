"""The `solve`, `sensitivity`, `explain-change` and `lint` commands, thin over `analysis`.

Registered on the `kpi` group by `cli.py` (`main.add_command(...)`). sympy is
imported only when one of these commands runs: `analysis` is imported inside
each command, so `kpi validate` and `kpi evaluate` never pay for it.

Exit codes, as for the other commands, plus one:
    0  answered (solve: an admissible solution, checked by re-evaluation; lint: no warning)
    1  the pack is invalid; lint: warnings were found
    2  the command line is wrong (unknown KPI or input, wrong period or entity)
    3  a facts file cannot be read
    5  no answer: no admissible solution, or the formula cannot be handled symbolically (the reason is printed)
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ..errors import did_you_mean
from ..formatting import Language, format_value, plain
from ..pack import Pack
from ..periods import Period
from .common import (
    EXIT_INVALID,
    EXIT_NO_ANSWER,
    FACTS,
    LANG,
    PACK,
    PERIOD,
    TEXT_OR_JSON,
    Exit,
    TextOrJson,
    open_for_kpi,
    open_pack,
)
from .output import align

if TYPE_CHECKING:  # sympy stays unloaded until an analysis runs
    from ..analysis.bridge import Bridge
    from ..analysis.goal_seek import GoalSeek
    from ..analysis.sensitivity import Sensitivity

_ENTITY = click.option("--entity", help="The entity (when the facts have entities).")
_FORMAT = click.option("--format", "fmt", type=click.Choice(TEXT_OR_JSON), default="text", show_default=True)


class _Number(click.ParamType[Decimal]):
    name = "NUMBER"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Decimal:
        if isinstance(value, Decimal):
            return value
        from ..numbers import parse_number

        try:
            return parse_number(str(value))
        except (ValueError, InvalidOperation):
            self.fail(f"{value!r} is not a number (write 0, 300000, -12.5 or 6%)", param, ctx)


NUMBER = _Number()


T = TypeVar("T")


def _answer(question: Callable[[], T], options: dict[Period, str]) -> T:
    """Run an analysis. A period it cannot be asked about (wrong frequency, not covered) is a usage
    error on its option (exit 2); any other question without an answer ends with exit code 5."""
    from ..analysis.errors import PeriodError, SymbolicError

    try:
        return question()
    except PeriodError as error:
        raise click.BadParameter(error.reason, param_hint=options.get(error.period, "--period")) from None
    except SymbolicError as error:  # AnalysisError included: every reason a question has no answer
        raise _no_answer(error.reason) from None


def _no_answer(reason: str) -> Exit:
    click.echo(f"no answer: {reason}", err=True)
    return Exit(EXIT_NO_ANSWER)


def _where(period: Period, entity: str | None) -> str:
    return f"{period}" + (f", {entity}" if entity else "")


def _exact(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


# --- solve ------------------------------------------------------------------------------
@click.command(name="solve")
@PACK
@click.argument("kpi")
@click.option("--target", type=NUMBER, help="The value to reach (default: the KPI's own target). 6% and 0.06 are the same.")
@click.option("--vary", required=True, help="The input to solve for; every other fact stays as it is.")
@FACTS
@click.option("--period", type=PERIOD, required=True, help="A period of the KPI's frequency.")
@_ENTITY
@_FORMAT
@LANG
def solve_command(
    pack: str, kpi: str, target: Decimal | None, vary: str, facts_files: Sequence[str], period: Period, entity: str | None, fmt: TextOrJson, lang: Language
) -> None:
    """Goal seek: the value of an input that makes a KPI reach a target.

    Solved exactly on the KPI's formula expanded down to inputs, then checked by
    evaluating the changed facts through the engine. When the input is given at
    a finer period (months of a quarter), its facts are scaled proportionally.

    \b
    Example (break-even revenue):
      kpi solve examples/company resultat_exploitation --target 0 --vary production_vendue \\
          --facts examples/facts/monthly.csv --period 2025-10 --entity lyon
    """
    from ..analysis.goal_seek import goal_seek

    loaded, facts = open_for_kpi(pack, kpi, facts_files, entity)
    if vary not in loaded.inputs:
        raise click.BadParameter(f"'{vary}' is not an input{did_you_mean(vary, loaded.inputs)}", param_hint="--vary")
    result = _answer(lambda: goal_seek(loaded, facts, kpi, vary, period, entity, target), {period: "--period"})
    if fmt == "json":
        click.echo(json.dumps(_solve_record(result), ensure_ascii=False, indent=2))
    else:
        click.echo(_solve_text(result, loaded, lang))
    if not result.found:
        raise Exit(EXIT_NO_ANSWER)


def _solve_text(result: GoalSeek, pack: Pack, lang: Language) -> str:
    unit, input_unit = pack.kpis[result.kpi].unit, pack.inputs[result.input].unit
    lines = [
        f"{result.kpi} = {plain(result.target)} ({format_value(result.target, unit, lang)}) at {_where(result.period, result.entity)}, varying {result.input}",
        f"  now: {result.input} = {plain(result.current_input)}, {result.kpi} = {plain(result.current_value) or 'undefined'}",
    ]
    if result.status == "range":
        lines.append(f"  every value in {result.solution_set} reaches the target (a flat part of min/max/if): no single answer")
    elif not result.solutions:
        lines.append(f"  no solution: no real value of {result.input} gives {result.kpi} = {plain(result.target)}")
    for solution in result.solutions:
        status = "" if solution.admissible else f"  OUTSIDE what the input can be: {solution.bound_note}"
        lines.append(f"  solution: {result.input} = {plain(solution.value)} ({format_value(solution.value, input_unit, lang)}), exact {solution.exact}{status}")
        verdict = "ok" if solution.check_ok else f"FAILED: {solution.check_note}"
        lines.append(f"    check: {result.kpi} re-evaluated = {plain(solution.checked_value) or 'undefined'}: {verdict}")
    if len([s for s in result.solutions if s.admissible]) > 1:
        lines.append(f"  several solutions: choose the one that makes sense for {result.input}")
    if result.distribution:
        lines.append(f"  written into the facts as: {result.distribution}")
    lines.extend(f"  in general: {general}" for general in result.general)
    lines.extend(f"  note: {note}" for note in result.notes)
    return "\n".join(lines)


def _solve_record(result: GoalSeek) -> dict[str, Any]:
    return {
        "kpi": result.kpi,
        "input": result.input,
        "period": str(result.period),
        "entity": result.entity,
        "target": plain(result.target),
        "current_input": plain(result.current_input),
        "current_value": plain(result.current_value),
        "status": result.status,
        "solution_set": result.solution_set,
        "solutions": [
            {
                "value": plain(s.value),
                "exact": s.exact,
                "admissible": s.admissible,
                "bound_note": s.bound_note or None,
                "checked_value": plain(s.checked_value),
                "check_ok": s.check_ok,
                "check_note": s.check_note or None,
            }
            for s in result.solutions
        ],
        "general": list(result.general),
        "distribution": result.distribution,
        "notes": list(result.notes),
    }


# --- sensitivity ------------------------------------------------------------------------------
@click.command(name="sensitivity")
@PACK
@click.argument("kpi")
@FACTS
@click.option("--period", type=PERIOD, required=True, help="A period of the KPI's frequency.")
@_ENTITY
@_FORMAT
@LANG
def sensitivity_command(pack: str, kpi: str, facts_files: Sequence[str], period: Period, entity: str | None, fmt: TextOrJson, lang: Language) -> None:
    """Which lever matters most: ∂KPI/∂input and the elasticity for each input, ranked.

    The elasticity is the % change of the KPI for a 1 % change of the input
    (∂K/∂x · x/K). Values read at earlier periods (prev, year_ago, the earlier
    months of a rolling sum) are listed too, marked "earlier period".

    \b
    Example:
      kpi sensitivity examples/company taux_marge_nette --facts examples/facts/monthly.csv \\
          --period 2025-10 --entity lyon
    """
    from ..analysis.sensitivity import sensitivity

    loaded, facts = open_for_kpi(pack, kpi, facts_files, entity)
    result = _answer(lambda: sensitivity(loaded, facts, kpi, period, entity), {period: "--period"})
    if fmt == "json":
        click.echo(json.dumps(_sensitivity_record(result), ensure_ascii=False, indent=2))
        return
    unit = loaded.kpis[kpi].unit
    lines = [f"{kpi} = {plain(result.value)} ({format_value(result.value, unit, lang)}) at {_where(period, entity)}", ""]
    rows = [("rank", "variable", "value", "∂KPI/∂x", "elasticity")]
    for rank, lever in enumerate(result.levers, start=1):
        name = lever.name + (" (earlier period)" if lever.kind != "input" else "")
        rows.append((str(rank), name, plain(lever.value), _short(lever.derivative), _short(lever.elasticity) if lever.elasticity is not None else lever.note))
    lines.extend(align(rows[0], rows[1:], numeric=(0, 2, 3, 4), rule=False).split("\n"))
    lines.extend(f"note: {note}" for note in result.notes)
    click.echo("\n".join(lines))


def _sensitivity_record(result: Sensitivity) -> dict[str, Any]:
    return {
        "kpi": result.kpi,
        "period": str(result.period),
        "entity": result.entity,
        "value": plain(result.value),
        "levers": [
            {
                "name": lever.name,
                "kind": lever.kind,
                "value": plain(lever.value),
                "derivative": plain(lever.derivative),
                "elasticity": plain(lever.elasticity),
                "formula": lever.formula,
                "note": lever.note or None,
            }
            for lever in result.levers
        ],
        "notes": list(result.notes),
    }


def _short(value: Decimal | None, digits: int = 6) -> str:
    """`digits` significant digits, never in exponent notation."""
    if value is None:
        return "-"
    return format(Decimal(f"{value:.{digits}g}"), "f") if value else "0"


# --- explain-change ------------------------------------------------------------------------------
@click.command(name="explain-change")
@PACK
@click.argument("kpi")
@click.option("--from", "start", type=PERIOD, required=True, help="The earlier period.")
@click.option("--to", "end", type=PERIOD, required=True, help="The later period.")
@FACTS
@_ENTITY
@_FORMAT
@LANG
def explain_change_command(
    pack: str, kpi: str, start: Period, end: Period, facts_files: Sequence[str], entity: str | None, fmt: TextOrJson, lang: Language
) -> None:
    """Why a KPI moved: its change split into one contribution per input (a bridge).

    Exact Shapley attribution: each input's contribution is its average effect
    over every order of switching the inputs from their --from to their --to
    values; the contributions add up exactly to the change (docs/analysis.md).

    \b
    Example:
      kpi explain-change examples/company taux_marge_nette --from 2025-09 --to 2025-10 \\
          --facts examples/facts/monthly.csv --entity lyon
    """
    from ..analysis.bridge import explain_change

    loaded, facts = open_for_kpi(pack, kpi, facts_files, entity)
    bridge = _answer(lambda: explain_change(loaded, facts, kpi, start, end, entity), {start: "--from", end: "--to"})
    if fmt == "json":
        click.echo(json.dumps(_bridge_record(bridge), ensure_ascii=False, indent=2))
        return
    from ..analysis.rationals import fraction_to_decimal

    unit = loaded.kpis[kpi].unit
    before, after, change = (fraction_to_decimal(v) for v in (bridge.before, bridge.after, bridge.change))
    lines = [
        f"{kpi}{' (' + entity + ')' if entity else ''}: {plain(before)} at {start} -> {plain(after)} at {end}",
        f"  change: {plain(change)} ({format_value(change, unit, lang)})",
        "",
    ]
    rows = [("variable", str(start), str(end), "contribution", "share")]
    for c in bridge.contributions:
        share = f"{float(c.exact / bridge.change):.1%}" if bridge.change else "-"
        name = c.name + (" (earlier period)" if c.kind != "input" else "")
        rows.append((name, plain(c.before), plain(c.after), _short(c.value, 10), share))
    rows.append(("total", _short(before, 10), _short(after, 10), _short(change, 10), "100.0%" if bridge.change else "-"))
    lines.extend(align(rows[0], rows[1:], numeric=(1, 2, 3, 4), rule=False).split("\n"))
    lines.append("")
    lines.append("contributions add up exactly to the change (exact Shapley values; --format json gives them as fractions)")
    lines.extend(f"note: {note}" for note in bridge.notes)
    click.echo("\n".join(lines))


def _bridge_record(bridge: Bridge) -> dict[str, Any]:
    from ..analysis.rationals import fraction_to_decimal

    return {
        "kpi": bridge.kpi,
        "entity": bridge.entity,
        "from": str(bridge.start),
        "to": str(bridge.end),
        "before": plain(fraction_to_decimal(bridge.before)),
        "after": plain(fraction_to_decimal(bridge.after)),
        "change": plain(fraction_to_decimal(bridge.change)),
        "change_exact": _exact(bridge.change),
        "method": "shapley",
        "contributions": [
            {"name": c.name, "kind": c.kind, "from": plain(c.before), "to": plain(c.after), "contribution": plain(c.value), "exact": _exact(c.exact)}
            for c in bridge.contributions
        ],
        "notes": list(bridge.notes),
    }


# --- lint -----------------------------------------------------------------------------------------
@click.command(name="lint")
@PACK
def lint_command(pack: str) -> None:
    """Algebraic checks: duplicate KPIs, formulas that simplify, risky divisions, unit mismatches.

    Prints each warning as FILE:LINE:COL: warning: message. Exit code 0 when
    there is none, 1 otherwise (an invalid pack is reported as by validate).

    \b
    Example:
      kpi lint examples/company
    """
    from ..analysis.lint import lint

    loaded = open_pack(pack)
    problems = lint(loaded)
    for problem in problems:
        click.echo(str(problem))
    if problems:
        click.echo(f"{len(problems)} warning{'s' if len(problems) != 1 else ''}", err=True)
        raise Exit(EXIT_INVALID)
    click.echo(f"{pack}: no algebraic problem found")

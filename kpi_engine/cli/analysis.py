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
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ..errors import closest
from ..formatting import UNDEFINED_WORD, Language, format_value, period_name, plain
from ..pack import Pack
from ..periods import Period
from ..reasons import hint_text
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
    pack_period,
)
from .output import align

if TYPE_CHECKING:  # sympy stays unloaded until an analysis runs
    from ..analysis.bridge import Bridge
    from ..analysis.goal_seek import GoalSeek
    from ..analysis.sensitivity import Sensitivity

_ENTITY = click.option("--entity", help="The entity (when the facts have entities), or a group of the pack: its consolidated inputs are analysed.")
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


def answer(question: Callable[[], T], options: dict[Period, str], lang: Language) -> T:
    """Run an analysis. A period it cannot be asked about (wrong frequency, not covered) is a usage
    error on its option (exit 2); any other question without an answer ends with exit code 5."""
    from ..analysis.errors import PeriodError, SymbolicError

    try:
        return question()
    except PeriodError as error:
        raise click.BadParameter(error.text(lang), param_hint=options.get(error.period, "--period")) from None
    except SymbolicError as error:  # AnalysisError included: every reason a question has no answer
        raise _no_answer(error.text(lang), lang) from None


def _no_answer(reason: str, lang: Language) -> Exit:
    click.echo(f"{'pas de réponse :' if lang == 'fr' else 'no answer:'} {reason}", err=True)
    return Exit(EXIT_NO_ANSWER)


def _where(period: Period, entity: str | None) -> str:
    return f"{period}" + (f", {entity}" if entity else "")


_DETAIL_WORDS = {  # word -> (French, English), for the exact figures behind --details
    "at": ("pour", "at"),
    "varying": ("en faisant varier", "varying"),
    "now": ("actuellement", "now"),
    "solution": ("solution", "solution"),
    "exact": ("exact", "exact"),
    "check": ("vérification", "check"),
    "re-evaluated": ("recalculé", "re-evaluated"),
    "ok": ("ok", "ok"),
    "failed": ("ÉCHEC", "FAILED"),
    "outside": ("HORS de ce que la donnée peut valoir", "OUTSIDE what the input can be"),
    "written": ("écrit dans les données", "written into the facts as"),
    "general": ("en général", "in general"),
    "range": (
        "toutes les valeurs de {set} atteignent la cible (partie plate de min/max/if) : pas de réponse unique",
        "every value in {set} reaches the target (a flat part of min/max/if): no single answer",
    ),
    "none": ("pas de solution : aucune valeur réelle de {input} ne donne {kpi} = {target}", "no solution: no real value of {input} gives {kpi} = {target}"),
    "several": ("plusieurs solutions : choisissez celle qui a du sens pour {input}", "several solutions: choose the one that makes sense for {input}"),
    "rank": ("rang", "rank"),
    "variable": ("variable", "variable"),
    "value": ("valeur", "value"),
    "elasticity": ("élasticité", "elasticity"),
    "earlier": ("période antérieure", "earlier period"),
    "contribution": ("contribution", "contribution"),
    "exact_fraction": ("fraction exacte", "exact fraction"),
    "total": ("total", "total"),
    "add_up": (
        "Les contributions s'additionnent exactement à la variation (valeurs de Shapley exactes) ; --details et --format json donnent les fractions.",
        "Contributions add up exactly to the change (exact Shapley values); --details and --format json give the fractions.",
    ),
}


def _words(lang: Language) -> dict[str, str]:
    """The words of --details in `lang`."""
    return {key: pair[0] if lang == "fr" else pair[1] for key, pair in _DETAIL_WORDS.items()}


def _colon(lang: Language) -> str:
    """French puts a space before a colon."""
    return " :" if lang == "fr" else ":"


_DETAILS = click.option("--details", is_flag=True, help="Also print the exact figures and the algebra behind the answer.")


# --- solve ------------------------------------------------------------------------------
@click.command(name="solve")
@PACK
@click.argument("kpi")
@click.option("--target", type=NUMBER, help="The value to reach (default: the KPI's own target). 6% and 0.06 are the same.")
@click.option("--vary", required=True, help="The input to solve for; every other fact stays as it is.")
@FACTS
@click.option("--period", type=PERIOD, required=True, help="A period of the KPI's frequency, or a coarser one (a quarter of a monthly KPI).")
@_ENTITY
@_FORMAT
@_DETAILS
@LANG
def solve_command(
    pack: str,
    kpi: str,
    target: Decimal | None,
    vary: str,
    facts_files: Sequence[str],
    period: Period,
    entity: str | None,
    fmt: TextOrJson,
    details: bool,
    lang: Language,
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
    from ..analysis.wording import note_lines, solve_sentence

    loaded, facts, entity = open_for_kpi(pack, kpi, facts_files, entity, lang)
    if vary not in loaded.inputs:
        hint = hint_text(closest(vary, loaded.inputs), lang)
        reason = f"« {vary} » n'est pas une donnée d'entrée du pack{hint}" if lang == "fr" else f"'{vary}' is not an input{hint}"
        raise click.BadParameter(reason, param_hint="--vary")
    period = pack_period(loaded, period) or period
    result = answer(lambda: goal_seek(loaded, facts, kpi, vary, period, entity, target), {period: "--period"}, lang)
    sentence = "\n".join([solve_sentence(result, loaded, lang), *note_lines(result.notes, lang)])
    if fmt == "json":
        click.echo(json.dumps({**_solve_record(result), "text": sentence}, ensure_ascii=False, indent=2))
    else:
        click.echo("\n".join([sentence, *(["", *_solve_details(result, loaded, lang)] if details else [])]))
    if not result.found:
        raise Exit(EXIT_NO_ANSWER)


def _solve_details(result: GoalSeek, pack: Pack, lang: Language) -> list[str]:
    """The exact figures: current values, each solution exactly, its check, and the closed form."""
    words, colon = _words(lang), _colon(lang)
    unit, input_unit = pack.kpis[result.kpi].unit, pack.inputs[result.input].unit
    where = _where(result.period, result.entity)
    lines = [
        f"{result.kpi} = {_exact(result.target, lang)} ({format_value(result.target, unit, lang)}) {words['at']} {where}, {words['varying']} {result.input}",
        f"  {words['now']}{colon} {result.input} = {_exact(result.current_input, lang)}, {result.kpi} = {_exact(result.current_value, lang)}",
    ]
    if result.status == "range":
        lines.append("  " + words["range"].format(set=result.solution_set))
    elif not result.solutions:
        lines.append("  " + words["none"].format(input=result.input, kpi=result.kpi, target=_exact(result.target, lang)))
    for solution in result.solutions:
        status = "" if solution.admissible else f"  {words['outside']}{colon} {solution.bound_note.text(lang)}"
        value = format_value(solution.value, input_unit, lang)
        lines.append(f"  {words['solution']}{colon} {result.input} = {_exact(solution.value, lang)} ({value}), {words['exact']} {solution.exact}{status}")
        verdict = words["ok"] if solution.check_ok else f"{words['failed']}{colon} {solution.check_note.text(lang)}"
        lines.append(f"    {words['check']}{colon} {result.kpi} {words['re-evaluated']} = {_exact(solution.checked_value, lang)}{colon} {verdict}")
    if len([s for s in result.solutions if s.admissible]) > 1:
        lines.append("  " + words["several"].format(input=result.input))
    if result.distribution:
        lines.append(f"  {words['written']}{colon} {result.distribution.text(lang)}")
    lines.extend(f"  {words['general']}{colon} {general}" for general in result.general)
    return lines


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
                "bound_note": str(s.bound_note) or None,
                "checked_value": plain(s.checked_value),
                "check_ok": s.check_ok,
                "check_note": str(s.check_note) or None,
            }
            for s in result.solutions
        ],
        "general": list(result.general),
        "distribution": str(result.distribution) if result.distribution else "",
        "notes": [str(note) for note in result.notes],
    }


# --- sensitivity ------------------------------------------------------------------------------
@click.command(name="sensitivity")
@PACK
@click.argument("kpi")
@FACTS
@click.option("--period", type=PERIOD, required=True, help="A period of the KPI's frequency, or a coarser one (a quarter of a monthly KPI).")
@_ENTITY
@_FORMAT
@_DETAILS
@LANG
def sensitivity_command(
    pack: str, kpi: str, facts_files: Sequence[str], period: Period, entity: str | None, fmt: TextOrJson, details: bool, lang: Language
) -> None:
    """Which lever matters most: the effect of a 1 % rise of each input on the KPI, ranked.

    --details adds ∂KPI/∂input and the elasticity (∂K/∂x · x/K, the % change of
    the KPI for a 1 % change of the input). Values read at earlier periods (prev,
    year_ago, the earlier months of a rolling sum) are listed too.

    \b
    Example:
      kpi sensitivity examples/company taux_marge_nette --facts examples/facts/monthly.csv \\
          --period 2025-10 --entity lyon
    """
    from ..analysis.sensitivity import sensitivity
    from ..analysis.wording import sensitivity_lines

    loaded, facts, entity = open_for_kpi(pack, kpi, facts_files, entity, lang)
    period = pack_period(loaded, period) or period
    result = answer(lambda: sensitivity(loaded, facts, kpi, period, entity), {period: "--period"}, lang)
    lines = sensitivity_lines(result, loaded, lang)
    if fmt == "json":
        click.echo(json.dumps({**_sensitivity_record(result), "text": "\n".join(lines)}, ensure_ascii=False, indent=2))
        return
    click.echo("\n".join([*lines, *(["", *_sensitivity_details(result, lang)] if details else [])]))


def _sensitivity_details(result: Sensitivity, lang: Language) -> list[str]:
    """Every lever with its exact value, ∂KPI/∂x and elasticity, ranked."""
    words = _words(lang)
    rows = [(words["rank"], words["variable"], words["value"], "∂KPI/∂x", words["elasticity"])]
    for rank, lever in enumerate(result.levers, start=1):
        name = lever.name + (f" ({words['earlier']})" if lever.kind != "input" else "")
        elasticity = _short(lever.elasticity, lang) if lever.elasticity is not None else lever.note.text(lang)
        rows.append((str(rank), name, _exact(lever.value, lang), _short(lever.derivative, lang), elasticity))
    lines = [f"{result.kpi} = {_exact(result.value, lang)} {words['at']} {_where(result.period, result.entity)}"]
    lines.extend(align(rows[0], rows[1:], numeric=(0, 2, 3, 4), rule=False).split("\n"))
    return lines


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
                "note": str(lever.note) or None,
            }
            for lever in result.levers
        ],
        "notes": [str(note) for note in result.notes],
    }


def _exact(value: Decimal | None, lang: Language) -> str:
    """An exact figure of --details, in full, with the reader's decimal mark."""
    if value is None:
        return UNDEFINED_WORD[lang]
    return plain(value).replace(".", ",") if lang == "fr" else plain(value)


def _short(value: Decimal | None, lang: Language, digits: int = 6) -> str:
    """`digits` significant digits, never in exponent notation, with the reader's decimal mark."""
    if value is None:
        return "-"
    text = format(Decimal(f"{value:.{digits}g}"), "f") if value else "0"
    return text.replace(".", ",") if lang == "fr" else text


# --- explain-change ------------------------------------------------------------------------------
@click.command(name="explain-change")
@PACK
@click.argument("kpi")
@click.option("--from", "start", type=PERIOD, required=True, help="The earlier period (of the KPI's frequency, or a coarser one: 2024-Q2).")
@click.option("--to", "end", type=PERIOD, required=True, help="The later period.")
@FACTS
@_ENTITY
@_FORMAT
@_DETAILS
@LANG
def explain_change_command(
    pack: str, kpi: str, start: Period, end: Period, facts_files: Sequence[str], entity: str | None, fmt: TextOrJson, details: bool, lang: Language
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
    from ..analysis.wording import bridge_sentence, note_lines

    loaded, facts, entity = open_for_kpi(pack, kpi, facts_files, entity, lang)
    start, end = pack_period(loaded, start, "--from") or start, pack_period(loaded, end, "--to") or end
    bridge = answer(lambda: explain_change(loaded, facts, kpi, start, end, entity), {start: "--from", end: "--to"}, lang)
    sentence = "\n".join([bridge_sentence(bridge, loaded, lang), *note_lines(bridge.notes, lang)])
    if fmt == "json":
        click.echo(json.dumps({**_bridge_record(bridge), "text": sentence}, ensure_ascii=False, indent=2))
        return
    click.echo("\n".join([sentence, "", *_bridge_table(bridge, loaded, lang), *(["", *_bridge_details(bridge, lang)] if details else [])]))


def _bridge_table(bridge: Bridge, pack: Pack, lang: Language) -> list[str]:
    """The bridge for readers: labels, values, contributions in the KPI's unit and shares, largest first."""
    from ..analysis.wording import bridge_rows

    rows, still = bridge_rows(bridge, pack, lang)
    words = _words(lang)
    headers = ("Variable", period_name(bridge.start, lang), period_name(bridge.end, lang), "Contribution", "Part" if lang == "fr" else "Share")
    lines = align(headers, [(r.label, r.before, r.after, r.contribution, r.share) for r in rows], numeric=(1, 2, 3, 4)).split("\n")
    if still:
        lines.append(
            f"{still} autre{'s' if still > 1 else ''} variable{'s' if still > 1 else ''} sans changement."
            if lang == "fr"
            else f"{still} other variable{'s' if still > 1 else ''} did not change."
        )
    lines.append(words["add_up"])
    return lines


def _bridge_details(bridge: Bridge, lang: Language) -> list[str]:
    """Every contribution exactly: decimal and fraction, in formula order."""
    from ..analysis.rationals import fraction_to_decimal
    from ..analysis.wording import exact_text

    words = _words(lang)
    rows = [(words["variable"], str(bridge.start), str(bridge.end), words["contribution"], words["exact_fraction"])]
    for c in bridge.contributions:
        name = c.name + (f" ({words['earlier']})" if c.kind != "input" else "")
        rows.append((name, _exact(c.before, lang), _exact(c.after, lang), _exact(c.value, lang), exact_text(c.exact)))
    before, after, change = (fraction_to_decimal(v) for v in (bridge.before, bridge.after, bridge.change))
    rows.append((words["total"], _exact(before, lang), _exact(after, lang), _exact(change, lang), exact_text(bridge.change)))
    return align(rows[0], rows[1:], numeric=(1, 2, 3), rule=False).split("\n")


def _bridge_record(bridge: Bridge) -> dict[str, Any]:
    from ..analysis.rationals import fraction_to_decimal
    from ..analysis.wording import exact_text

    return {
        "kpi": bridge.kpi,
        "entity": bridge.entity,
        "from": str(bridge.start),
        "to": str(bridge.end),
        "before": plain(fraction_to_decimal(bridge.before)),
        "after": plain(fraction_to_decimal(bridge.after)),
        "change": plain(fraction_to_decimal(bridge.change)),
        "change_exact": exact_text(bridge.change),
        "method": "shapley",
        "contributions": [
            {"name": c.name, "kind": c.kind, "from": plain(c.before), "to": plain(c.after), "contribution": plain(c.value), "exact": exact_text(c.exact)}
            for c in bridge.contributions
        ],
        "notes": [str(note) for note in bridge.notes],
    }


# --- lint -----------------------------------------------------------------------------------------
@click.command(name="lint")
@PACK
@LANG
def lint_command(pack: str, lang: Language) -> None:
    """Algebraic checks: duplicate KPIs, formulas that simplify, risky divisions, unit mismatches, `* 100` in a percent KPI.

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
        click.echo(problem.text(lang))
    if problems:
        many = len(problems) != 1
        click.echo(f"{len(problems)} avertissement{'s' if many else ''}" if lang == "fr" else f"{len(problems)} warning{'s' if many else ''}", err=True)
        raise Exit(EXIT_INVALID)
    click.echo(f"{pack} : aucun problème algébrique trouvé" if lang == "fr" else f"{pack}: no algebraic problem found")

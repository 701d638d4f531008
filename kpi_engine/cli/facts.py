"""`kpi facts`: what facts sources give, before any KPI is trusted.

Coverage (entities x periods x inputs), a total per input, and every check
of the sources (errors and warnings, each located), as a table for people or
JSON for machines; `--format csv` writes the facts themselves, one line each
with where it was read, in the reader's convention (French: `;` and decimal
comma), which `kpi evaluate --facts` reads back.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, get_args

import click

from ..errors import Problem
from ..escaping import csv_cell
from ..facts import Facts, survey_facts
from ..facts.columns import near_miss
from ..facts.coverage import Coverage, EntityCoverage, coverage
from ..formatting import Language, format_value, plain
from ..model import Missing
from ..pack import Pack
from ..periods import Period
from ..reasons import Reason
from .common import EXIT_FACTS, FACTS, FORCE, LANG, PACK, STRICT, Exit, echo_text, open_pack, problem_record, summary, write_files
from .output import align

FactsFormat = Literal["table", "csv", "json"]

_WORDS: dict[Language, dict[str, str]] = {
    "fr": {
        "summary": "{files} : {entities}, {facts}, périodes {span}",
        "absent": "données d'entrée du pack absentes pour {entity} ({count}) : {names}",
        "zero": " (0 par défaut)",
        "checks": "Contrôles ({count})",
        "clean": "Contrôles : aucun problème",
        "none": "(sans entité)",
    },
    "en": {
        "summary": "{files}: {entities}, {facts}, periods {span}",
        "absent": "the pack's inputs absent for {entity} ({count}): {names}",
        "zero": " (0 by default)",
        "checks": "Checks ({count})",
        "clean": "Checks: no problem",
        "none": "(no entity)",
    },
}

_HEADERS: dict[Language, dict[str, tuple[str, ...]]] = {
    "fr": {"entities": ("Entité", "Faits", "Périodes", "Première", "Dernière", "Données fournies", "Données absentes"),
           "inputs": ("Donnée", "Faits", "Entités", "Première", "Dernière", "Total"),
           "csv": ("période", "entité", "indicateur", "valeur", "source")},
    "en": {"entities": ("Entity", "Facts", "Periods", "First", "Last", "Inputs given", "Inputs absent"),
           "inputs": ("Input", "Facts", "Entities", "First", "Last", "Total"),
           "csv": ("period", "entity", "name", "value", "source")},
}


@click.command(name="facts")
@PACK
@FACTS
@click.option("--format", "fmt", type=click.Choice(get_args(FactsFormat)), default="table", show_default=True,
              help="table: coverage, totals and checks for people; json: the same for machines; csv: the facts, one line each, with their source.")
@click.option("--output", type=click.Path(dir_okay=False), help="Write to this file instead of the terminal.")
@FORCE
@STRICT
@LANG
def facts_command(pack: str, facts_files: Sequence[str], fmt: FactsFormat, output: str | None, force: bool, strict: bool, lang: Language) -> None:
    """Show what facts sources give: entities x periods x inputs, totals, and every check.

    Every problem is listed, located, errors and warnings alike. Exit code 3
    when a source has errors (or, with --strict, warnings), 0 otherwise.

    \b
    Example:
      kpi facts definitions --facts examples/fec/812345676FEC20241231.txt
      kpi facts definitions --facts export.csv --format csv --output revue.csv
    """
    loaded = open_pack(pack, lang)
    facts, errors = survey_facts(facts_files, loaded, lang=lang)
    problems = [*errors, *facts.warnings]
    survey = coverage(facts, loaded.inputs)
    if fmt == "csv":
        text = facts_csv(facts, lang)
    elif fmt == "json":
        text = json.dumps(_record(survey, problems), ensure_ascii=False, indent=2) + "\n"
    else:
        text = coverage_text(survey, facts, loaded, problems, len(facts_files), lang) + "\n"
    if output is None:
        echo_text(text.rstrip("\n")) if fmt == "table" else click.echo(text, nl=False)
    else:
        write_files({Path(output): text}, [Path(f) for f in facts_files], lang, force=force)
    if errors or (strict and problems):
        click.echo(f"{summary('errors', len(errors), lang)}, {summary('warnings_in_facts', len(facts.warnings), lang)}", err=True)
        raise Exit(EXIT_FACTS)


def coverage_text(survey: Coverage, facts: Facts, pack: Pack, problems: Sequence[Problem], files: int, lang: Language) -> str:
    """The coverage as text: a summary line, a table per entity and per input, the absent inputs, the checks."""
    words = _WORDS[lang]
    counts = {name: summary(name, number, lang) for name, number in (("files", files), ("entities", len(survey.entities)), ("facts", len(facts)))}
    heading = words["summary"].format(**counts, span=facts.span().text(lang))
    entities = align(_HEADERS[lang]["entities"], [_entity_row(e, lang) for e in survey.entities], numeric=(1, 2, 5, 6))
    inputs = align(_HEADERS[lang]["inputs"], [
        (t.name, str(t.facts), str(t.entities), str(t.first), str(t.last),
         "" if t.total is None else format_value(t.total, pack.inputs[t.name].unit if t.name in pack.inputs else "", lang))
        for t in survey.inputs
    ], numeric=(1, 2, 5))
    absent = [_absent_line(e, pack, lang) for e in survey.entities if e.absent]
    checks = f"{words['checks'].format(count=len(problems))}\n" + "\n".join(p.text(lang) for p in problems) if problems else words["clean"]
    return "\n\n".join(part for part in (heading, entities, inputs, "\n".join(absent), checks) if part)


def facts_csv(facts: Facts, lang: Language) -> str:
    """Every fact, one line each (period, entity, input, exact value, where it was read), sorted; French
    with `;` and the decimal comma; a last column names the scenario when some facts are not actual.
    Every cell passes through `csv_cell` (no formula injection)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if lang == "fr" else ",", lineterminator="\n")
    scenarios = len(facts.scenarios) > 1
    writer.writerow([*_HEADERS[lang]["csv"], *(["scénario" if lang == "fr" else "scenario"] if scenarios else [])])
    ordered = sorted(facts.facts(), key=lambda f: (f.entity or "", f.period.sort_key(), f.name, f.scenario))
    for fact in ordered:
        value = plain(fact.value).replace(".", ",") if lang == "fr" else plain(fact.value)
        cells = (str(fact.period), fact.entity or "", fact.name, value, str(fact.location), *([fact.scenario] if scenarios else []))
        writer.writerow([csv_cell(cell) for cell in cells])
    return buffer.getvalue()


def _entity_row(entity: EntityCoverage, lang: Language) -> tuple[str, ...]:
    first, last = entity.first, entity.last
    return (entity.entity or _WORDS[lang]["none"], str(entity.facts), str(len(entity.periods)),
            str(first or ""), str(last or ""), str(len(entity.given)), str(len(entity.absent)))


def _absent_line(entity: EntityCoverage, pack: Pack, lang: Language) -> str:
    words = _WORDS[lang]
    names = ", ".join(name + (words["zero"] if pack.inputs[name].missing is Missing.ZERO else "") for name in entity.absent)
    return words["absent"].format(entity=entity.entity or words["none"], count=len(entity.absent), names=names)


def _record(survey: Coverage, problems: Sequence[Problem]) -> dict[str, Any]:
    return {
        "entities": [
            {"entity": e.entity, "facts": e.facts, "periods": [str(p) for p in e.periods], "inputs_given": list(e.given), "inputs_absent": list(e.absent)}
            for e in survey.entities
        ],
        "inputs": [
            {"input": t.name, "facts": t.facts, "entities": t.entities, "first": str(t.first), "last": str(t.last), "total": plain(t.total)}
            for t in survey.inputs
        ],
        "problems": [problem_record(p) for p in problems],
    }


def refuse_no_result(facts: Facts, pack: Pack, period: Period | None, lang: Language = "en") -> None:
    """An evaluation with no result is never an empty success. When no fact is read as an input of the
    pack (every column ignored), that is the facts' fault: exit 3, with the closest inputs of each column.
    Otherwise the facts cover no period at a KPI's frequency (exit 3), or none within `--period` (exit 2)."""
    read = facts.names() & set(pack.inputs)
    if period is not None and read:
        raise click.BadParameter(_NOT_WITHIN[lang].format(period=period, span=facts.span().text(lang)), param_hint="--period")
    if not read:
        unread = sorted(facts.names())
        hints = "; ".join(f"'{name}'{_hint(near_miss(name, pack.inputs), lang)}" for name in unread[:_SHOWN])
        more = f" (+{len(unread) - _SHOWN})" if len(unread) > _SHOWN else ""
        echo_text(_NOTHING_READ[lang].format(hints=hints + more or "-"), err=True)
    else:
        echo_text(_NO_PERIOD[lang].format(span=facts.span().text(lang), inputs=", ".join(sorted(read))), err=True)
    raise Exit(EXIT_FACTS)


_NOTHING_READ: dict[Language, str] = {
    "fr": "kpi : rien n'est évalué : aucun nom lu dans les données n'est une donnée d'entrée du pack, donc aucune période "
          "n'a de quoi calculer un indicateur ; renommez les colonnes d'après les données d'entrée ou leurs libellés. Noms lus : {hints}",
    "en": "kpi: nothing evaluated: no name read in the facts is an input of the pack, so no period has anything "
          "to compute a KPI from; rename the columns after the inputs or their labels. Names read: {hints}",
}
_NOT_WITHIN: dict[Language, str] = {
    "fr": "aucun indicateur n'est évalué dans {period} : les données vont de {span}",
    "en": "no KPI is evaluated within {period}: the facts run from {span}",
}
_NO_PERIOD: dict[Language, str] = {
    "fr": "kpi : rien n'est évalué : les données ({span}) donnent {inputs}, mais aucun indicateur du pack n'a tout ce qu'il lit à une même période",
    "en": "kpi: nothing evaluated: the facts ({span}) give {inputs}, but no KPI of the pack has all it reads at any period",
}
_SHOWN = 8  # unread names listed before "and N more"


def _hint(reason: Reason | None, lang: Language) -> str:
    return reason.text(lang) if reason is not None else ""

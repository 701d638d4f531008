"""What every `kpi` command shares: exit codes, common options, and opening packs and facts.

Exit codes are stable, for CI pipelines:
    0  success
    1  the pack is invalid, or pack tests failed
    2  the command line is wrong (unknown option, missing argument, a period the facts do not cover)
    3  a facts file cannot be read
    4  an alert at or above --fail-on fired
    5  no answer: no admissible solution, or a formula that cannot be handled symbolically
    6  something could not be delivered (kept pending for the next run)
    7  the alert store cannot be read or written
    8  no Chromium to print a PDF with, or it could not print
    70 internal error (a bug in kpi-engine: one line is printed, KPI_DEBUG=1 shows the traceback)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, BinaryIO, Literal, get_args

import click

from ..comparisons import CompareName, parse_compare
from ..errors import FactsError, PackError, Problem, closest
from ..escaping import terminal_text
from ..facts import Facts, load_facts
from ..files import FileRefusal, OutputRefused, output_refusals, write_output, write_outputs
from ..formatting import Language, is_singular, period_from_words
from ..loader import load_pack
from ..pack import Pack
from ..periods import Period
from ..reasons import Reason, hint_text
from .language import message_text, reader_language

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_FACTS, EXIT_ALERT, EXIT_NO_ANSWER, EXIT_INTERNAL = 0, 1, 2, 3, 4, 5, 70
EXIT_DELIVERY, EXIT_STORE, EXIT_NO_BROWSER = 6, 7, 8

TextOrJson = Literal["text", "json"]
"""`--format` of the commands that print a message or a record: text for people, json for CI and editors."""
TEXT_OR_JSON: tuple[TextOrJson, ...] = get_args(TextOrJson)

LANG = click.option(
    "--lang",
    type=click.Choice(get_args(Language)),
    default=reader_language,  # `kpi --lang en evaluate ...` too
    show_default="$KPI_LANG, else the system's language (LC_ALL, LC_MESSAGES, LANG), else fr",
    help="Language of labels, messages and number formats.",
)
FACTS = click.option(
    "--facts",
    "facts_files",
    multiple=True,
    required=True,
    type=click.Path(dir_okay=False),
    help="Facts file (.csv long or wide, French ';' exports, .xlsx/.xlsm/.ods workbooks, FILE#Sheet for one sheet, .yaml, .json); repeat to merge several.",
)
PACK = click.argument("pack", type=click.Path())
FORCE = click.option("--force", is_flag=True, help="Replace output files that already exist (an input of the command is never replaced).")
STRICT = click.option(
    "--strict",
    is_flag=True,
    help="Fail (exit 3) on facts warnings: a fact no input reads, a value outside its input's bounds, "
    "a line given twice, entity names differing only by case or accents, an entity missing a period the others have.",
)


class _PeriodType(click.ParamType[Period]):
    name = "PERIOD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Period:
        if isinstance(value, Period):
            return value
        try:
            return _read_period(value)
        except ValueError as error:
            self.fail(Reason.of_error(error).text(reader_language()), param, ctx)


def _read_period(text: str) -> Period:
    """A period in the engine's form (`2025-Q1`) or in the words the tables and messages show (`T1 2025`,
    `mars 2025`, `T4 exercice 2025`, in either language); the engine form's refusal when it is neither."""
    try:
        return Period.parse(text)
    except ValueError:
        spoken = period_from_words(text)
        if spoken is None:
            raise
        return spoken


PERIOD = _PeriodType()


class Exit(Exception):
    """Raised by a command to end with an exit code; the `kpi` group turns it into that code."""

    def __init__(self, code: int) -> None:
        self.code = code


def print_problems(problems: Sequence[Problem], err: bool = True, lang: Language = "en") -> None:
    """Every problem as `FILE:LINE:COL: message` (and its caret lines), on stderr unless told otherwise;
    in `lang` when the problem is data (`Problem.of`), else in English.

    A message may quote the user's files: `echo_text` shows its control characters instead of sending them.
    """
    for problem in problems:
        echo_text(problem.text(lang), err=err)


def echo_text(text: str, err: bool = False) -> None:
    """Print text meant for people that may quote the user's files: each line's control characters shown, never sent."""
    click.echo("\n".join(terminal_text(line) for line in text.split("\n")), err=err)


def open_pack(path: str, lang: Language = "en") -> Pack:
    """The loaded pack, or every problem printed and exit code 1 (problems finding and reading files worded in `lang`)."""
    try:
        return load_pack(path)
    except PackError as error:
        print_problems(error.problems, lang=lang)
        click.echo(summary("problems_in_pack", len(error.problems), lang), err=True)
        raise Exit(EXIT_INVALID) from None


def open_facts(files: Sequence[str], pack: Pack | None = None, strict: bool = False, lang: Language = "en") -> Facts:
    """The facts of every file merged, or every problem printed and exit code 3.

    Only regular files of at most `files.MAX_INPUT_BYTES` are read: `--facts /dev/zero`
    or a FIFO is refused at once instead of reading forever or blocking.
    Warnings (a line given twice, a fact the pack does not read, a value outside
    its input's bounds...) are printed; `strict` (for CI) makes them fail with
    exit code 3 too.
    """
    try:
        facts = load_facts(files, pack, lang=lang)
        if pack is not None:
            facts = pack.bind(facts)  # years and quarters in the pack's calendar
    except FactsError as error:
        print_problems(error.problems, lang=lang)
        click.echo(summary("problems_in_facts", len(error.problems), lang), err=True)
        raise Exit(EXIT_FACTS) from None
    print_problems(facts.warnings, lang=lang)
    if strict and facts.warnings:
        click.echo(summary("warnings_strict", len(facts.warnings), lang), err=True)
        raise Exit(EXIT_FACTS)
    return facts


def check_outputs(outputs: Sequence[Path], inputs: Sequence[Path], lang: Language, folder: Path | None = None, force: bool = False) -> None:
    """Refuse, before any work, outputs that `write_files` would refuse (exit code 2, every reason printed)."""
    _refuse(output_refusals(outputs, inputs, folder, force), lang)


def write_files(texts: dict[Path, str | bytes], inputs: Sequence[Path], lang: Language, folder: Path | None = None, force: bool = False) -> None:
    """Write command outputs with `files.write_outputs`: no input overwritten, no link followed, `--force` to replace.

    Every refusal is printed in the reader's language, with exit code 2 and nothing written.
    """
    try:
        write_outputs(texts, inputs, folder, force)
    except OutputRefused as refused:
        _refuse(refused.refusals, lang)


def write_stream(path: Path, inputs: Sequence[Path], fill: Callable[[BinaryIO], None], lang: Language, force: bool = False) -> None:
    """Write one output as `fill` streams it, under the same rules as `write_files` (`files.write_output`)."""
    try:
        write_output(path, inputs, fill, force)
    except OutputRefused as refused:
        _refuse(refused.refusals, lang)


def _refuse(refusals: Sequence[FileRefusal], lang: Language) -> None:
    for refusal in refusals:
        echo_text(f"kpi: {refusal.text(lang)}", err=True)
    if refusals:
        raise Exit(EXIT_USAGE)


# The summaries commands end with: code -> (English, French), singular and plural, `{n}` the number.
SUMMARIES: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "problems": (("{n} problem", "{n} problems"), ("{n} problème", "{n} problèmes")),
    # the counts of `kpi validate` and `kpi test`
    "kpis": (("{n} KPI", "{n} KPIs"), ("{n} indicateur", "{n} indicateurs")),
    "inputs": (("{n} input", "{n} inputs"), ("{n} donnée d'entrée", "{n} données d'entrée")),
    "files": (("{n} file", "{n} files"), ("{n} fichier", "{n} fichiers")),
    # the counts of `kpi facts` and `kpi notify`
    "entities": (("{n} entity", "{n} entities"), ("{n} entité", "{n} entités")),
    "facts": (("{n} fact", "{n} facts"), ("{n} fait", "{n} faits")),
    "items": (("{n} item", "{n} items"), ("{n} élément", "{n} éléments")),
    "attempts": (("{n} attempt", "{n} attempts"), ("{n} essai", "{n} essais")),
    "tests": (("{n} test", "{n} tests"), ("{n} test", "{n} tests")),
    "checks": (("{n} check", "{n} checks"), ("{n} vérification", "{n} vérifications")),
    "passed": (("{n} passed", "{n} passed"), ("{n} réussie", "{n} réussies")),
    "failed": (("{n} failed", "{n} failed"), ("{n} en échec", "{n} en échec")),
    "problems_in_pack": (("{n} problem in the pack", "{n} problems in the pack"), ("{n} problème dans le pack", "{n} problèmes dans le pack")),
    "problems_in_facts": (("{n} problem in the facts", "{n} problems in the facts"), ("{n} problème dans les données", "{n} problèmes dans les données")),
    "warnings_strict": (
        ("{n} warning in the facts, refused by --strict", "{n} warnings in the facts, refused by --strict"),
        ("{n} avertissement dans les données, refusé par --strict", "{n} avertissements dans les données, refusés par --strict"),
    ),
    "errors": (("{n} error", "{n} errors"), ("{n} erreur", "{n} erreurs")),
    "warnings_in_facts": (
        ("{n} warning in the facts", "{n} warnings in the facts"),
        ("{n} avertissement dans les données", "{n} avertissements dans les données"),
    ),
    "problems_for_engine": (
        ("{n} problem for --engine {engine}", "{n} problems for --engine {engine}"),
        ("{n} problème pour --engine {engine}", "{n} problèmes pour --engine {engine}"),
    ),
    "problems_in_facts_for_engine": (
        ("{n} problem in the facts for --engine {engine}", "{n} problems in the facts for --engine {engine}"),
        ("{n} problème dans les données pour --engine {engine}", "{n} problèmes dans les données pour --engine {engine}"),
    ),
    "hidden_alerts": (
        (
            "{n} lesser alert hidden by a more severe alert of the same KPI, entity and period",
            "{n} lesser alerts hidden by a more severe alert of the same KPI, entity and period",
        ),
        (
            "{n} alerte moins grave masquée par une alerte plus grave du même indicateur, de la même entité et de la même période",
            "{n} alertes moins graves masquées par une alerte plus grave du même indicateur, de la même entité et de la même période",
        ),
    ),
    "hidden_kpis": (
        ("{n} KPI hidden: it reads inputs the facts never give ({inputs})", "{n} KPIs hidden: they read inputs the facts never give ({inputs})"),
        (
            "{n} indicateur masqué : il lit des données d'entrée absentes des fichiers ({inputs})",
            "{n} indicateurs masqués : ils lisent des données d'entrée absentes des fichiers ({inputs})",
        ),
    ),
}


def summary(code: str, number: int, lang: Language, **fields: str) -> str:
    """`3 problems in the facts` / `3 problèmes dans les données`: a command's closing count in the reader's language
    (French puts 0 and 1 in the singular)."""
    english, french = SUMMARIES[code]
    singular, plural = french if lang == "fr" else english
    return (singular if is_singular(number, lang) else plural).format(n=number, **fields)

def problem_record(problem: Problem) -> dict[str, Any]:
    """A problem as a JSON object, for CI and editors."""
    location = problem.location
    return {"file": location.file, "line": location.line, "column": location.column, "severity": problem.severity, "message": problem.message}


def pack_period(pack: Pack, period: Period | None, option: str = "--period") -> Period | None:
    """`period` in the pack's calendar (`2025-Q2` as the fiscal quarter it is), or a usage error (exit 2)."""
    try:
        return None if period is None else pack.plan.calendar.bind(period)
    except ValueError as error:
        raise click.BadParameter(Reason.of_error(error).text(reader_language()), param_hint=option) from None


def check_entity(facts: Facts, entity: str | None, required: bool, pack: Pack | None = None) -> str | None:
    """The entity to use: the one chosen, else the only one there is when one is `required` (a question
    about one entity of one-entity facts needs no --entity). A usage error (exit 2) for an entity the facts
    do not have (nor the pack as a group), or none chosen when one is `required` among several."""
    groups = list(pack.plan.groups) if pack is not None else []
    named = [e for e in facts.entities if e and e not in groups] + groups
    if required and entity is None and None not in facts.entities and len(named) == 1:
        return named[0]
    if required and entity is None and None not in facts.entities and named:
        raise click.BadParameter(message_text("the facts have entities; choose one of: {entities}", entities=", ".join(named)), param_hint="--entity")
    if entity is not None and (entity or None) not in facts.entities and entity not in groups:  # "" is the facts without entity
        lang = reader_language()
        hint = hint_text(closest(entity, named), lang)
        listed = ", ".join(named) or message_text("none", lang)
        text = message_text("no facts for entity '{entity}'{hint}; entities: {entities}", lang, entity=entity, hint=hint, entities=listed)
        raise click.BadParameter(text, param_hint="--entity")
    return entity


def open_for_kpi(
    pack: str, kpi: str, facts_files: Sequence[str], entity: str | None, lang: Language = "en"
) -> tuple[Pack, Facts, str | None]:
    """The pack, facts and entity for a question about one KPI of one entity, or a located error."""
    loaded = open_pack(pack, lang)
    if kpi not in loaded.kpis:
        hint = hint_text(closest(kpi, loaded.kpis), lang)
        raise click.BadParameter(message_text("unknown KPI '{kpi}'{hint}", lang, kpi=kpi, hint=hint), param_hint="KPI")
    facts = open_facts(facts_files, loaded, lang=lang)
    return loaded, facts, check_entity(facts, entity, required=True, pack=loaded)


def _compare_names(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[CompareName, ...]:
    if not value:
        return ()
    try:
        return parse_compare(value)
    except ValueError as error:
        raise click.BadParameter(Reason.of_error(error).text(reader_language()), ctx, param) from None


COMPARE = click.option(
    "--compare",
    callback=_compare_names,
    metavar="budget,year_ago,ytd",
    help="Also give each result's budget and the gap to it, its value a year earlier (N-1) and the change (in points "
    "for a percent KPI), its year to date (from the fiscal year's start) with its budget: any of them, comma-separated "
    "(kpi report: N-1, and the budget when the facts have one, unless told).",
)
"""`--compare`: the comparisons each result carries (`comparisons.COMPARE_NAMES`), validated as a usage error."""

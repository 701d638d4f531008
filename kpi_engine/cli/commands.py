"""The `kpi` command: a thin layer over the library (exit codes: see `cli_common`)."""

from __future__ import annotations

import json
import os
import shlex
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args

import click

from ..alerts import alert_order
from ..errors import PackError, Problem
from ..formatting import Language
from ..graph import all_dependencies_graph, input_dependencies
from ..loader import display_name, load_pack, read_text
from ..model import SEVERITIES, SEVERITY_RANK
from ..periods import PERIOD_FORMATS, Period
from . import output
from .analysis import (
    explain_change_command,
    lint_command,
    sensitivity_command,
    solve_command,
)
from .common import (
    EXIT_ALERT,
    EXIT_INTERNAL,
    EXIT_INVALID,
    FACTS,
    FORCE,
    LANG,
    PACK,
    PERIOD,
    STRICT,
    TEXT_OR_JSON,
    Exit,
    TextOrJson,
    check_entity,
    echo_text,
    open_facts,
    open_for_kpi,
    open_pack,
    print_problems,
    problem_record,
    summary,
    write_files,
)
from .language import LocalizedGroup, environment_language
from .notify import alerts_command, notify_command, run_command
from .report import report

if TYPE_CHECKING:
    from ..packtests import TestFileReport

_INTERNAL = {
    "en": "kpi: internal error: {error} (set KPI_DEBUG=1 for details, and please report it)",
    "fr": "kpi : erreur interne : {error} (KPI_DEBUG=1 donne le détail ; merci de la signaler)",
}
_VALID = {"en": "{pack}: valid ({kpis} KPIs, {inputs} inputs, {files} files)", "fr": "{pack} : valide ({kpis} indicateurs, {inputs} entrées, {files} fichiers)"}
_NO_TEST = {"en": "{pack}: no test file (*.test.yaml) found", "fr": "{pack} : aucun fichier de tests (*.test.yaml) trouvé"}
_TESTS_DONE = {
    "en": "{files} files, {tests} tests, {checks} checks: {passed} passed, {failed} failed",
    "fr": "{files} fichiers, {tests} tests, {checks} vérifications : {passed} réussies, {failed} en échec",
}
_INIT_DONE = {"en": "created {files}\nnext: kpi test {directory}", "fr": "créé {files}\nensuite : kpi test {directory}"}

ResultsFormat = Literal["table", "json", "csv"]
"""`kpi evaluate --format`: table for people, json for results and alerts, csv for the results."""


class _Group(LocalizedGroup):
    """Turns `Exit` into the exit code, and any unexpected error into one line instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except Exit as stop:
            ctx.exit(stop.code)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as error:  # a bug of ours: one line for the user, the traceback on request
            if os.environ.get("KPI_DEBUG"):
                raise
            echo_text(_INTERNAL[environment_language()].format(error=f"{type(error).__name__}: {error}"), err=True)
            ctx.exit(EXIT_INTERNAL)


@click.group(cls=_Group)
@click.version_option(package_name="kpi-rules")
def main() -> None:
    """Declarative financial KPIs: validate, test and evaluate KPI packs.

    \b
    Example:
      kpi validate definitions/
      kpi evaluate examples/company --facts examples/facts/monthly.csv --period 2025-Q4
    """


@main.command()
@PACK
@click.option("--format", "fmt", type=click.Choice(TEXT_OR_JSON), default="text", help="json: for CI and editors.")
@LANG
def validate(pack: str, fmt: TextOrJson, lang: Language) -> None:
    """Check a pack and print every problem as FILE:LINE:COL: message.

    Exit code 0 when the pack is valid, 1 otherwise.

    \b
    Example:
      kpi validate examples/company
    """
    try:
        loaded = load_pack(pack, lang=lang)
    except PackError as error:
        if fmt == "json":
            click.echo(json.dumps({"valid": False, "problems": [problem_record(p) for p in error.problems]}, ensure_ascii=False, indent=2))
        else:
            print_problems(error.problems, err=False, lang=lang)
            click.echo(summary("problems", len(error.problems), lang), err=True)
        raise Exit(EXIT_INVALID) from None
    counts = {"valid": True, "inputs": len(loaded.inputs), "kpis": len(loaded.kpis), "files": len(loaded.definitions.files)}
    if fmt == "json":
        click.echo(json.dumps({**counts, "problems": []}, indent=2))
    else:
        click.echo(_VALID[lang].format(pack=pack, **{k: v for k, v in counts.items() if k != "valid"}))




@main.command()
@PACK
@FACTS
@click.option("--period", type=PERIOD, help=f"Only results within this period ({PERIOD_FORMATS}).")
@click.option("--entity", help="Only this entity (\"\" for the facts without entity).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(get_args(ResultsFormat)),
    default="table",
    show_default=True,
    help="table: for people; json: results and alerts; csv: the results, one row each (alerts: use json).",
)
@click.option(
    "--fail-on", type=click.Choice(SEVERITIES), help="Exit with code 4 when an alert of this severity or worse fires (silenced and hidden alerts do not count)."
)
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The day the pack's silences are compared with, YYYY-MM-DD [default: today].",
)
@STRICT
@LANG
def evaluate(
    pack: str,
    facts_files: Sequence[str],
    period: Period | None,
    entity: str | None,
    fmt: ResultsFormat,
    fail_on: str | None,
    as_of: datetime | None,
    strict: bool,
    lang: Language,
) -> None:
    """Evaluate every KPI for every period and entity the facts cover.

    Values are exact; undefined values say why. JSON and CSV give exact
    decimal text and null for undefined. Alerts the pack silences until
    --as-of (today by default) or later, and alerts hidden by a more severe
    one of the same KPI, are counted apart (JSON: `silenced`, `inhibited_by`).

    \b
    Example:
      kpi evaluate examples/company --facts examples/facts/monthly.csv \\
          --facts examples/facts/budget_fr.csv --period 2025-Q4 --fail-on critical
    """
    loaded = open_pack(pack, lang)
    facts = open_facts(facts_files, loaded, strict, lang)
    check_entity(facts, entity, required=False)
    day = as_of.date() if as_of is not None else date.today()  # the edge reads the clock; the core is given the day
    evaluation = loaded.evaluate(facts, period=period, **({"entity": entity} if entity is not None else {}), lang=lang, as_of=day)
    if period is not None and not evaluation.results:
        raise click.BadParameter(f"no KPI is evaluated within {period}: the facts run from {facts.span()}", param_hint="--period")
    alerts = sorted(evaluation.alerts, key=alert_order)
    if fmt == "json":
        click.echo(output.to_json(evaluation, alerts))
    elif fmt == "csv":
        click.echo(output.to_csv(evaluation), nl=False)
    else:
        click.echo(output.to_table(evaluation, alerts, loaded.definitions, lang))
    if fail_on and any(a.active and SEVERITY_RANK[a.severity] >= SEVERITY_RANK[fail_on] for a in alerts):
        raise Exit(EXIT_ALERT)


@main.command()
@PACK
@click.option("--format", "fmt", type=click.Choice(get_args(output.DiagramLanguage)), default="mermaid", show_default=True)
@LANG
def graph(pack: str, fmt: output.DiagramLanguage, lang: Language) -> None:
    """Print the dependency graph of a pack: inputs -> KPIs -> KPIs.

    \b
    Example:
      kpi graph definitions/ --format dot | dot -Tsvg > kpis.svg
    """
    loaded = open_pack(pack, lang)
    definitions = loaded.definitions
    edges = all_dependencies_graph(definitions)
    full = {name: input_dependencies(kpi.formula, definitions) + edges[name] for name, kpi in definitions.kpis.items()}
    click.echo(output.to_diagram(definitions, full, lang, fmt), nl=False)


@main.command(name="explain")
@PACK
@click.argument("kpi")
@FACTS
@click.option("--period", type=PERIOD, required=True, help="The period to explain.")
@click.option("--entity", help="The entity to explain (when the facts have entities).")
@click.option("--expanded", type=click.Choice(["text", "latex"]), help="Also print the formula expanded down to the inputs.")
@LANG
def explain_command(pack: str, kpi: str, facts_files: Sequence[str], period: Period, entity: str | None, expanded: str | None, lang: Language) -> None:
    """Show how a KPI's value was obtained: its formula as a tree, each node with its value.

    \b
    Example:
      kpi explain examples/company taux_marge_nette --facts examples/facts/monthly.csv \\
          --period 2025-Q4 --entity lyon
    """
    loaded, facts = open_for_kpi(pack, kpi, facts_files, entity, lang)
    try:
        tree = loaded.explain(facts, kpi, period, entity)
    except KeyError as error:
        raise click.BadParameter(error.args[0], param_hint="--period") from None
    click.echo(output.explain_text(tree, lang))
    if expanded:
        from ..analysis.printing import (
            expanded_formula,  # sympy: loaded only when asked for
        )

        formula = expanded_formula(loaded, kpi)
        click.echo(f"\n{kpi} = {formula.latex if expanded == 'latex' else formula.text}")


@main.command(name="test")
@PACK
@click.option("--format", "fmt", type=click.Choice(TEXT_OR_JSON), default="text", help="json: for CI.")
@LANG
def test_command(pack: str, fmt: TextOrJson, lang: Language) -> None:
    """Run the tests kept beside a pack (files ending in .test.yaml).

    Each failing expectation is printed as FILE:LINE:COL with what was
    expected and what the engine computed. Exit code 0 when all pass, 1 otherwise.

    \b
    Example:
      kpi test definitions/
    """
    from ..loader import test_files
    from ..packtests import TestFileReport, run_test_text

    loaded = open_pack(pack, lang)
    files = test_files(Path(pack))
    if not files:
        click.echo(_NO_TEST[lang].format(pack=pack), err=True)
        raise Exit(EXIT_INVALID)
    reports = []
    for file in files:
        text = read_text(file)
        reports.append(TestFileReport(display_name(file), 0, 0, (), (text,)) if isinstance(text, Problem) else run_test_text(loaded, text, display_name(file)))
    if fmt == "json":
        click.echo(json.dumps([_test_record(r) for r in reports], ensure_ascii=False, indent=2))
    else:
        for file_report in reports:
            print_problems(file_report.problems, err=False, lang=lang)
            for failure in file_report.failures:
                echo_text(str(failure))
        tests, checks = sum(r.tests for r in reports), sum(r.checks for r in reports)
        failed = sum(len(r.failures) + len(r.problems) for r in reports)
        passed = checks - failed if failed <= checks else 0
        click.echo(_TESTS_DONE[lang].format(files=len(files), tests=tests, checks=checks, passed=passed, failed=failed))
    if not all(r.passed for r in reports):
        raise Exit(EXIT_INVALID)


@main.command(name="init")
@click.argument("directory", type=click.Path(file_okay=False))
@FORCE
@LANG
def init_command(directory: str, force: bool, lang: Language) -> None:
    """Create a starter company pack that extends the standard library.

    It holds a few overrides (targets, owners, alerts), two company KPIs and
    a test file; it validates and passes its tests as created. Existing files
    are replaced only with --force; nothing is written through a symbolic link
    or outside DIRECTORY.

    \b
    Example:
      kpi init mon-entreprise && kpi test mon-entreprise
    """
    from importlib import resources

    target = Path(directory)
    template = resources.files(__package__).joinpath("init_template")
    names = ("pack.yaml", "tests/pack.test.yaml")
    write_files({target / name: template.joinpath(name).read_text(encoding="utf-8") for name in names}, [], lang, folder=target, force=force)
    files = (" et " if lang == "fr" else " and ").join(f"{directory}/{name}" for name in names)
    click.echo(_INIT_DONE[lang].format(files=files, directory=shlex.quote(directory)))  # a command to paste: quoted


def _test_record(report: TestFileReport) -> dict[str, Any]:
    return {
        "file": report.file,
        "tests": report.tests,
        "checks": report.checks,
        "passed": report.passed,
        "failures": [
            {"file": f.location.file, "line": f.location.line, "column": f.location.column, "test": f.test, "message": f.message} for f in report.failures
        ],
        "problems": [problem_record(p) for p in report.problems],
    }


for _command in (report, solve_command, sensitivity_command, explain_change_command, lint_command):
    main.add_command(_command)
main.add_command(notify_command)  # with alerts and run: delivery of alerts to their owners (cli/notify.py)
main.add_command(alerts_command)
main.add_command(run_command)

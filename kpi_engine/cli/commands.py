"""The `kpi` command: a thin layer over the library (exit codes: see `cli_common`)."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

import click

from ..backends import BACKENDS
from ..errors import PackError
from ..graph import all_dependencies_graph, input_dependencies
from ..loader import display_name, load_pack, read_text
from ..model import SEVERITIES, SEVERITY_RANK
from ..periods import PERIOD_FORMATS, Period
from ..results import alert_order
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
    LANG,
    PACK,
    PERIOD,
    STRICT,
    Exit,
    check_entity,
    count,
    open_facts,
    open_for_kpi,
    open_pack,
    print_problems,
    problem_record,
)
from .report import report
from .sql import check_engine, evaluate_on, sql_command


class _Group(click.Group):
    """Turns `Exit` into the exit code, and any unexpected error into one line instead of a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except Exit as stop:
            ctx.exit(stop.code)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as error:  # a bug of ours: one line for the user, the traceback on request
            if os.environ.get("KPI_DEBUG"):
                raise
            click.echo(f"kpi: internal error: {type(error).__name__}: {error} (set KPI_DEBUG=1 for details, and please report it)", err=True)
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
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="json: for CI and editors.")
def validate(pack: str, fmt: str) -> None:
    """Check a pack and print every problem as FILE:LINE:COL: message.

    Exit code 0 when the pack is valid, 1 otherwise.

    \b
    Example:
      kpi validate examples/company
    """
    try:
        loaded = load_pack(pack)
    except PackError as error:
        if fmt == "json":
            click.echo(json.dumps({"valid": False, "problems": [problem_record(p) for p in error.problems]}, ensure_ascii=False, indent=2))
        else:
            print_problems(error.problems, err=False)
            click.echo(count(error.problems, "problem"), err=True)
        raise Exit(EXIT_INVALID) from None
    summary = {"valid": True, "inputs": len(loaded.inputs), "kpis": len(loaded.kpis), "files": len(loaded.definitions.files)}
    if fmt == "json":
        click.echo(json.dumps({**summary, "problems": []}, indent=2))
    else:
        click.echo(f"{pack}: valid ({summary['kpis']} KPIs, {summary['inputs']} inputs, {summary['files']} files)")




@main.command()
@PACK
@FACTS
@click.option("--period", type=PERIOD, help=f"Only results within this period ({PERIOD_FORMATS}).")
@click.option("--entity", help="Only this entity.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="table: for people; json: results and alerts; csv: the results, one row each (alerts: use json).",
)
@click.option("--fail-on", type=click.Choice(SEVERITIES), help="Exit with code 4 when an alert of this severity or worse fires.")
@click.option("--engine", type=click.Choice(sorted(BACKENDS)), default="python", show_default=True, help="What computes: python, or duckdb (SQL).")
@STRICT
@LANG
def evaluate(
    pack: str, facts_files: Sequence[str], period: Period | None, entity: str | None, fmt: str, fail_on: str | None, engine: str, strict: bool, lang: str
) -> None:
    """Evaluate every KPI for every period and entity the facts cover.

    Values are exact; undefined values say why. JSON and CSV give exact
    decimal text and null for undefined.

    \b
    Example:
      kpi evaluate examples/company --facts examples/facts/monthly.csv \\
          --facts examples/facts/budget_fr.csv --period 2025-Q4 --fail-on critical
    """
    loaded = open_pack(pack)
    check_engine(loaded, engine)
    facts = open_facts(facts_files, loaded, strict)
    check_entity(facts, entity, required=False)
    evaluation = evaluate_on(engine, loaded, facts, period=period, **({"entity": entity} if entity is not None else {}), lang=lang)
    if period is not None and not evaluation.results:
        raise click.BadParameter(f"no KPI is evaluated within {period}: the facts run from {facts.span()}", param_hint="--period")
    alerts = sorted(evaluation.alerts, key=alert_order)
    if fmt == "json":
        click.echo(output.to_json(evaluation, alerts))
    elif fmt == "csv":
        click.echo(output.to_csv(evaluation), nl=False)
    else:
        click.echo(output.to_table(evaluation, alerts, loaded.definitions, lang))
    if fail_on and any(SEVERITY_RANK[a.severity] >= SEVERITY_RANK[fail_on] for a in alerts):
        raise Exit(EXIT_ALERT)


@main.command()
@PACK
@click.option("--format", "fmt", type=click.Choice(["dot", "mermaid"]), default="mermaid", show_default=True)
@LANG
def graph(pack: str, fmt: str, lang: str) -> None:
    """Print the dependency graph of a pack: inputs -> KPIs -> KPIs.

    \b
    Example:
      kpi graph definitions/ --format dot | dot -Tsvg > kpis.svg
    """
    loaded = open_pack(pack)
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
def explain_command(pack: str, kpi: str, facts_files: Sequence[str], period: Period, entity: str | None, expanded: str | None, lang: str) -> None:
    """Show how a KPI's value was obtained: its formula as a tree, each node with its value.

    \b
    Example:
      kpi explain examples/company taux_marge_nette --facts examples/facts/monthly.csv \\
          --period 2025-Q4 --entity lyon
    """
    from ..explain import explain

    loaded, facts = open_for_kpi(pack, kpi, facts_files, entity)
    evaluation = loaded.evaluate(facts, entity=entity, lang=lang)
    try:
        tree = explain(evaluation, kpi, period, entity)
    except KeyError as error:
        raise click.BadParameter(error.args[0], param_hint="--period") from None
    click.echo(output.explain_text(tree, lang))
    if expanded:
        from ..analysis.questions import (
            expanded_formula,  # sympy: loaded only when asked for
        )

        formula = expanded_formula(loaded, kpi)
        click.echo(f"\n{kpi} = {formula.latex if expanded == 'latex' else formula.text}")


@main.command(name="test")
@PACK
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="json: for CI.")
def test_command(pack: str, fmt: str) -> None:
    """Run the tests kept beside a pack (files ending in .test.yaml).

    Each failing expectation is printed as FILE:LINE:COL with what was
    expected and what the engine computed. Exit code 0 when all pass, 1 otherwise.

    \b
    Example:
      kpi test definitions/
    """
    from ..loader import test_files
    from ..packtests import TestFileReport, run_test_text

    loaded = open_pack(pack)
    files = test_files(Path(pack))
    if not files:
        click.echo(f"{pack}: no test file (*.test.yaml) found", err=True)
        raise Exit(EXIT_INVALID)
    reports = []
    for file in files:
        text, problem = read_text(file)
        reports.append(run_test_text(loaded, text, display_name(file)) if text is not None else TestFileReport(display_name(file), 0, 0, (), (problem,)))
    if fmt == "json":
        click.echo(json.dumps([_test_record(r) for r in reports], ensure_ascii=False, indent=2))
    else:
        for file_report in reports:
            print_problems(file_report.problems, err=False)
            for failure in file_report.failures:
                click.echo(str(failure))
        tests, checks = sum(r.tests for r in reports), sum(r.checks for r in reports)
        failed = sum(len(r.failures) + len(r.problems) for r in reports)
        click.echo(f"{len(files)} files, {tests} tests, {checks} checks: {checks - failed if failed <= checks else 0} passed, {failed} failed")
    if not all(r.passed for r in reports):
        raise Exit(EXIT_INVALID)


@main.command(name="init")
@click.argument("directory", type=click.Path(file_okay=False))
def init_command(directory: str) -> None:
    """Create a starter company pack that extends the standard library.

    It holds a few overrides (targets, owners, alerts), two company KPIs and
    a test file; it validates and passes its tests as created.

    \b
    Example:
      kpi init mon-entreprise && kpi test mon-entreprise
    """
    from importlib import resources

    target = Path(directory)
    template = resources.files(__package__).joinpath("init_template")
    files = {"pack.yaml": template.joinpath("pack.yaml"), "tests/pack.test.yaml": template.joinpath("tests/pack.test.yaml")}
    existing = [name for name in files if (target / name).exists()]
    if existing:
        raise click.UsageError(f"{directory} already has {', '.join(existing)}; choose an empty folder")
    try:
        for name, source in files.items():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            (target / name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    except OSError as error:
        raise click.BadParameter(f"{directory} cannot be written: {error.strerror}", param_hint="DIRECTORY") from None
    click.echo(f"created {directory}/pack.yaml and {directory}/tests/pack.test.yaml\nnext: kpi test {directory}")


def _test_record(report) -> dict:
    return {
        "file": report.file,
        "tests": report.tests,
        "checks": report.checks,
        "passed": report.passed,
        "failures": [{"file": f.location.file, "line": f.location.line, "column": f.location.column, "test": f.test, "message": f.message} for f in report.failures],
        "problems": [problem_record(p) for p in report.problems],
    }


for _command in (report, solve_command, sensitivity_command, explain_change_command, lint_command, sql_command):
    main.add_command(_command)

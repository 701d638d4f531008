"""The core `kpi` commands: validate, evaluate, graph, explain, test, init (the group: `cli.group`; exit codes: `cli.common`)."""

from __future__ import annotations

import io
import json
import shlex
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Literal, TextIO, assert_never, get_args

import click

from ..alerts import Alert, alert_order
from ..backends import BACKENDS
from ..comparisons import CompareName
from ..errors import PackError, Problem
from ..facts import Entity, Facts
from ..formatting import Language, severity_word
from ..graph import all_dependencies_graph, input_dependencies
from ..loader import display_name, load_pack, read_text
from ..model import SEVERITIES, SEVERITY_RANK
from ..pack import Pack
from ..periods import PERIOD_FORMATS, Period
from ..results import EntityEvaluation
from . import output
from .common import (
    COMPARE,
    EXIT_ALERT,
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
    check_outputs,
    echo_text,
    open_facts,
    open_for_kpi,
    open_pack,
    pack_period,
    print_problems,
    problem_record,
    summary,
    write_files,
    write_stream,
)
from .facts import refuse_no_result
from .language import message_text
from .sql import DIRECT_ENGINES, check_engine, evaluate_directly, evaluate_on, read_directly, start_spark

if TYPE_CHECKING:
    from ..packtests import TestFileReport

_VALID = {"en": "{pack}: valid ({kpis}, {inputs}, {files})", "fr": "{pack} : valide ({kpis}, {inputs}, {files})"}
_NO_TEST = {"en": "{pack}: no test file (*.test.yaml) found", "fr": "{pack} : aucun fichier de tests (*.test.yaml) trouvé"}
_TESTS_DONE = {
    "en": "{files}, {tests}, {checks}: {passed}, {failed}",
    "fr": "{files}, {tests}, {checks} : {passed}, {failed}",
}
_INIT_DONE = {"en": "created {files}\nnext: kpi test {directory}", "fr": "créé {files}\nensuite : kpi test {directory}"}

_FAIL_ON = {word: severity for severity in SEVERITIES for word in (severity, severity_word(severity, "fr"))}
"""`--fail-on` words: each severity in English and as French tables print it (`critique`, `attention`)."""

ResultsFormat = Literal["table", "json", "jsonl", "csv", "xlsx"]
"""`kpi evaluate --format`: table for people; json and jsonl (one object per line) for results and alerts;
csv (the results) and xlsx (results and alerts) for spreadsheets, in the reader's convention."""


@click.command()
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
        loaded = load_pack(pack)
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
        click.echo(_VALID[lang].format(pack=pack, **{k: summary(k, v, lang) for k, v in counts.items() if k != "valid"}))




@click.command()
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
    help="table: for people; json: results and alerts; jsonl: the same, one object per line with its 'type'; "
    "csv: the results, in the reader's convention (--lang fr: ';' and decimal commas for French Excel); "
    "xlsx: a workbook of results and alerts (needs --output).",
)
@click.option(
    "--output", "-o", "destination", default="-", show_default=True, type=click.Path(dir_okay=False, allow_dash=True),
    help="File to write ('-' for standard output); never the pack or the facts.",
)
@FORCE
@click.option(
    "--fail-on",
    type=click.Choice(tuple(_FAIL_ON), case_sensitive=False),
    help="Exit with code 4 when an alert of this severity or worse fires; the severity in English or in French "
    "(critique = critical, attention = warning; silenced and hidden alerts do not count).",
)
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The day the pack's silences are compared with, YYYY-MM-DD [default: today].",
)
@click.option("--hide-absent", is_flag=True, help="Leave out the KPIs that have no value because they read inputs the facts never give (said on stderr).")
@click.option(
    "--engine", type=click.Choice(sorted(BACKENDS)), default="python", show_default=True, help="What computes: python, duckdb (SQL) or spark (Spark SQL)."
)
@click.option(
    "--spark-master",
    metavar="URL",
    help="With --engine spark: the cluster to run on (spark://HOST:7077, yarn, k8s://...) [default: local[*]; SPARK_REMOTE for Spark Connect].",
)
@COMPARE
@STRICT
@LANG
def evaluate(
    pack: str,
    facts_files: Sequence[str],
    period: Period | None,
    entity: str | None,
    fmt: ResultsFormat,
    destination: str,
    force: bool,
    fail_on: str | None,
    as_of: datetime | None,
    hide_absent: bool,
    engine: str,
    spark_master: str | None,
    compare: tuple[CompareName, ...],
    strict: bool,
    lang: Language,
) -> None:
    """Evaluate every KPI for every period and entity the facts cover.

    Values are exact; undefined values say why. JSON and CSV give exact
    decimal text and null (or an empty cell) for undefined. Alerts the pack
    silences until --as-of (today by default) or later, and alerts hidden by
    a more severe one of the same KPI, are counted apart (JSON: `silenced`,
    `inhibited_by`). Results are written entity by entity as they are
    computed, so memory does not grow with the number of entities.

    \b
    Example:
      kpi evaluate examples/company --facts examples/facts/monthly.csv \\
          --facts examples/facts/budget_fr.csv --period 2025-Q4 --fail-on critical
      kpi evaluate examples/company --facts examples/facts/monthly.csv --format xlsx -o kpis.xlsx
    """
    if fmt == "xlsx" and destination == "-":
        raise click.BadParameter(message_text("a workbook is written to a file: add --output FILE.xlsx", lang), param_hint="--output")
    if spark_master is not None and engine != "spark":
        raise click.BadParameter(message_text("--spark-master goes with --engine spark", lang), param_hint="--spark-master")
    if "ytd" in compare and engine != "python":
        refusal = message_text("the year to date (ytd) is computed by the python engine only, not by {engine}: leave out ytd or --engine", lang, engine=engine)
        raise click.BadParameter(refusal, param_hint="--compare")
    loaded = open_pack(pack, lang)
    check_engine(loaded, engine, lang)
    start_spark(spark_master)
    period = pack_period(loaded, period)
    inputs = [Path(pack), *map(Path, facts_files), *map(Path, loaded.definitions.files)]
    if destination != "-":
        check_outputs([Path(destination)], inputs, lang, force=force)
    day = as_of.date() if as_of is not None else date.today()  # the edge reads the clock; the core is given the day
    selection: dict[str, Any] = {"period": period, **({"entity": entity} if entity is not None else {}), "lang": lang, "as_of": day,
                                 **({"compare": compare} if compare else {})}
    unfed: Mapping[str, Sequence[str]] = {}
    evaluations: Iterable[EntityEvaluation]
    if engine in DIRECT_ENGINES and not strict and not hide_absent and any(read_directly(f, engine) for f in facts_files):
        direct = evaluate_directly(loaded, facts_files, period, entity, lang, day, engine, compare)  # the engine reads the files itself
        if entity is not None and entity not in direct.entities:
            raise click.BadParameter(message_text("no facts for entity '{entity}'", lang, entity=entity), param_hint="--entity")
        entities, evaluations = direct.entities, direct.by_entity()  # read back a batch of entities at a time

        def refuse() -> None:
            if period is not None:
                raise click.BadParameter(message_text("no KPI is evaluated within {period}", lang, period=period), param_hint="--period")
            raise click.BadParameter(message_text("no KPI is evaluated", lang), param_hint="--facts")
    else:
        facts = open_facts(facts_files, loaded, strict, lang)
        check_entity(facts, entity, required=False, pack=loaded)
        entities = facts.entities
        # streamed entity by entity; a SQL engine's facts are checked when it is given them (exit 3), then read back by batches
        evaluations = loaded.evaluate_iter(facts, **selection) if engine == "python" else evaluate_on(engine, loaded, facts, **selection).by_entity()
        unfed = loaded.unfed(facts) if hide_absent else {}

        def refuse() -> None:
            refuse_no_result(facts, loaded, period, lang)
    valued: set[str] = set()
    alerts: list[Alert] = []

    def write(writer: output.ResultsWriter) -> None:
        shown = _without_absent(evaluations, unfed, valued) if hide_absent else evaluations
        alerts.extend(_stream_results(writer, shown, refuse))

    if destination == "-":
        write(_results_writer(fmt, sys.stdout, loaded, entities, lang, compare))
    else:
        write_stream(Path(destination), inputs, lambda stream: _write_to(stream, fmt, loaded, entities, lang, compare, write), lang, force)
    if hide_absent:
        _say_hidden(unfed, valued, lang)
    if fail_on and any(a.active and SEVERITY_RANK[a.severity] >= SEVERITY_RANK[_FAIL_ON[fail_on]] for a in alerts):
        raise Exit(EXIT_ALERT)


def _without_absent(evaluations: Iterable[EntityEvaluation], unfed: Mapping[str, Sequence[str]], valued: set[str]) -> Iterator[EntityEvaluation]:
    """Each entity's results without the undefined ones of KPIs that read inputs the facts never give
    (streamed: `valued` collects the KPIs that had a value, for `_say_hidden` at the end)."""
    for evaluated in evaluations:
        valued.update(r.kpi for r in evaluated.results if r.value is not None)
        kept = tuple(r for r in evaluated.results if r.value is not None or r.kpi not in unfed)
        yield replace(evaluated, results=kept)


def _say_hidden(unfed: Mapping[str, Sequence[str]], valued: set[str], lang: Language) -> None:
    """How many KPIs --hide-absent left out, and which inputs they lack, on stderr."""
    hidden = [name for name in unfed if name not in valued]
    if hidden:
        inputs = sorted({i for name in hidden for i in unfed[name]})
        shown = ", ".join(inputs[:5]) + (", ..." if len(inputs) > 5 else "")
        click.echo(summary("hidden_kpis", len(hidden), lang, inputs=shown), err=True)


def _stream_results(writer: output.ResultsWriter, evaluations: Iterable[EntityEvaluation], refuse_empty: Callable[[], None]) -> list[Alert]:
    """Write each entity's results as they come, then the alerts, most severe first; returns the alerts.

    Only alerts are kept until the end (to sort them): their number grows with the alerts, not with the values.
    Nothing is written before the first result, so an evaluation with no result is refused (`refuse_empty`,
    which raises: never an empty success) with an empty output.
    """
    alerts: list[Alert] = []
    started = False
    for evaluated in evaluations:
        if evaluated.results and not started:
            writer.start()
            started = True
        writer.results(evaluated.results)
        alerts.extend(evaluated.alerts)
    if not started:
        refuse_empty()
    alerts.sort(key=alert_order)
    writer.finish(alerts)
    return alerts


def _results_writer(
    fmt: ResultsFormat, stream: TextIO, loaded: Pack, entities: Sequence[Entity], lang: Language, compare: tuple[CompareName, ...] = ()
) -> output.ResultsWriter:
    """The writer of a text format, with the columns (or the keys) of the comparisons asked."""
    match fmt:
        case "json":
            return output.JsonWriter(stream, loaded.definitions, compare)
        case "jsonl":
            return output.JsonLinesWriter(stream, loaded.definitions, compare)
        case "csv":
            return output.CsvWriter(stream, loaded.definitions, lang, compare)
        case "table" | "xlsx":  # xlsx is binary: `_write_to` gives it its own writer
            return output.TableWriter(stream, loaded.definitions, entities, lang, compare)
    assert_never(fmt)


def _write_to(
    stream: BinaryIO, fmt: ResultsFormat, loaded: Pack, entities: Sequence[Entity], lang: Language, compare: tuple[CompareName, ...],
    write: Callable[[output.ResultsWriter], None],
) -> None:
    """Write the results in `fmt` to a file being written (`--output`): a workbook, or UTF-8 text."""
    if fmt == "xlsx":
        from .workbook import WorkbookWriter

        write(WorkbookWriter(stream, loaded.definitions, lang, compare))
        return
    text = io.TextIOWrapper(stream, encoding="utf-8", newline="")
    write(_results_writer(fmt, text, loaded, entities, lang, compare))
    text.flush()
    text.detach()  # the file is closed by its owner


@click.command()
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


@click.command(name="explain")
@PACK
@click.argument("kpi")
@FACTS
@click.option("--period", type=PERIOD, required=True, help="The period to explain.")
@click.option("--entity", help="The entity to explain (when the facts have entities), or a group of the pack.")
@click.option("--expanded", type=click.Choice(["text", "latex"]), help="Also print the formula expanded down to the inputs.")
@click.option("--format", "fmt", type=click.Choice(TEXT_OR_JSON), default="text", show_default=True, help="json: the tree as data, exact decimal strings.")
@click.option("--engine", type=click.Choice(sorted(BACKENDS)), default="python", show_default=True, help="What computes: only python keeps one value's tree.")
@LANG
def explain_command(
    pack: str,
    kpi: str,
    facts_files: Sequence[str],
    period: Period,
    entity: str | None,
    expanded: str | None,
    fmt: TextOrJson,
    engine: str,
    lang: Language,
) -> None:
    """Show how a KPI's value was obtained: its formula as a tree, each node with its value.

    For a group, each consolidated input lists its members' values and the
    group's own entries (eliminations), which sum to it.

    \b
    Example:
      kpi explain examples/company taux_marge_nette --facts examples/facts/monthly.csv \\
          --period 2025-Q4 --entity lyon
    """
    loaded, facts, entity = open_for_kpi(pack, kpi, facts_files, entity, lang)
    check_engine(loaded, engine, lang)
    bound = pack_period(loaded, period) or period
    try:
        tree = loaded.explain(facts, kpi, bound, entity, backend=engine)
    except KeyError as error:
        raise click.BadParameter(error.args[0], param_hint="--period") from None
    except PackError as error:  # an engine that keeps no tree of one value says so, at the KPI
        print_problems(error.problems, lang=lang)
        raise Exit(EXIT_INVALID) from None
    formula = None
    if expanded:
        from ..analysis.printing import expanded_formula  # sympy: loaded only when asked for
        from .analysis import answer

        formula = answer(lambda: expanded_formula(loaded, kpi), {}, lang)  # too complex: exit 5, like solve
    if fmt == "json":
        record = output.explain_record(tree, bound, entity or None, entity in loaded.plan.groups, lang)
        if formula is not None:
            record["expanded"] = formula.latex if expanded == "latex" else formula.text
        click.echo(json.dumps(record, ensure_ascii=False, indent=2))
        return
    click.echo(output.explain_text(tree, lang, _target(loaded, facts, kpi, bound, entity)))
    if formula is not None:
        click.echo(f"\n{kpi} = {formula.latex if expanded == 'latex' else formula.text}")


def _target(pack: Pack, facts: Facts, kpi: str, period: Period, entity: str | None) -> Decimal | None:
    """The KPI's target where it is explained, so that its value shows the decimals that tell them apart; None
    when it has none there (a monthly KPI explained on a quarter has no result there)."""
    if pack.kpis[kpi].target is None:
        return None
    try:
        return pack.evaluate(facts, period=period, entity=entity or None).result_at(kpi, period, entity or None).target
    except KeyError:
        return None


@click.command(name="test")
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
                echo_text(failure.text(lang))
        tests, checks = sum(r.tests for r in reports), sum(r.checks for r in reports)
        failed = sum(len(r.failures) + len(r.problems) for r in reports)
        passed = checks - failed if failed <= checks else 0
        counts = {"files": len(files), "tests": tests, "checks": checks, "passed": passed, "failed": failed}
        click.echo(_TESTS_DONE[lang].format(**{code: summary(code, count, lang) for code, count in counts.items()}))
    if not all(r.passed for r in reports):
        raise Exit(EXIT_INVALID)


@click.command(name="init")
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
    target = Path(directory)
    names = ("pack.yaml", "tests/pack.test.yaml")
    write_files({target / name: text for name, text in _init_texts(names, lang).items()}, [], lang, folder=target, force=force)
    files = (" et " if lang == "fr" else " and ").join(f"{directory}/{name}" for name in names)
    click.echo(_INIT_DONE[lang].format(files=files, directory=shlex.quote(directory)))  # a command to paste: quoted


def _init_texts(names: Sequence[str], lang: Language) -> dict[str, str]:
    """The starter files in the reader's language: one template, its comments and test names in init_template/comments.yaml."""
    from importlib import resources
    from string import Template

    import yaml

    template = resources.files(__package__).joinpath("init_template")
    comments = yaml.safe_load(template.joinpath("comments.yaml").read_text(encoding="utf-8"))
    words = {name: texts[lang] for name, texts in comments.items()}
    return {name: Template(template.joinpath(name).read_text(encoding="utf-8")).substitute(words) for name in names}


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

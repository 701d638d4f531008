"""The `kpi` command through click's CliRunner: exit codes, output formats, no tracebacks.

Files: tests/data/cli/ (pack.yaml, facts.csv, a French budget export...).
"""

from __future__ import annotations

import csv
import io
import json
import os
from decimal import Decimal, localcontext
from pathlib import Path

import pytest
from click.testing import CliRunner

from kpi_engine.cli import main
from kpi_engine.numbers import DECIMAL_CONTEXT

CLI = Path(__file__).parent / "data" / "cli"
BAD = Path(__file__).parent / "data" / "bad"

RESULT_KEYS = ["kpi", "period", "entity", "value", "target", "gap", "status", "owner", "error", "is_group"]
ALERT_KEYS = ["kpi", "period", "entity", "severity", "message", "owner", "value", "rule", "silenced", "silenced_until", "inhibited_by"]


def run(*args: str, cwd: Path = CLI):
    """Run `kpi ARGS` in `cwd`; asserts no traceback and no unexpected exception, whatever the exit code."""
    runner = CliRunner()
    previous = os.getcwd()
    os.chdir(cwd)
    try:
        result = runner.invoke(main, list(args), env={"KPI_LANG": "en"}, catch_exceptions=True)
    finally:
        os.chdir(previous)
    assert "Traceback" not in result.output + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


# --- exit codes --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["validate", "pack.yaml"], 0),
        (["validate", "invalid.yaml"], 1),
        (["validate", "nowhere"], 1),
        (["evaluate", "pack.yaml", "--facts", "facts.csv"], 0),
        (["evaluate", "invalid.yaml", "--facts", "facts.csv"], 1),
        (["evaluate", "pack.yaml", "--facts", "facts.csv", "--period", "2025-13"], 2),
        (["evaluate", "pack.yaml", "--facts", "facts.csv", "--period", "janvier"], 2),
        (["evaluate", "pack.yaml"], 2),  # --facts is required
        (["evaluate", "pack.yaml", "--facts", "facts.csv", "--format", "xml"], 2),
        (["evaluate", "pack.yaml", "--facts", "facts.csv", "--fail-on", "fatal"], 2),
        (["evaluate", "pack.yaml", "--facts", "facts.csv", "--entity", "lyom"], 2),
        (["evaluate", "pack.yaml", "--facts", "missing.csv"], 3),
        (["evaluate", "pack.yaml", "--facts", "bad_facts.csv"], 3),
        (["evaluate", "pack.yaml", "--facts", "facts.csv", "--facts", "conflict.csv"], 3),
        (["evaluate", "pack.yaml", "--facts", "facts.csv", "--facts", "budget_fr.csv", "--fail-on", "critical"], 4),
        (["evaluate", "pack.yaml", "--facts", "facts.csv", "--facts", "budget_fr.csv", "--fail-on", "info"], 4),
        (["evaluate", "pack.yaml", "--facts", "info_only.csv", "--fail-on", "warning"], 0),
        (["evaluate", "pack.yaml", "--facts", "info_only.csv", "--fail-on", "critical"], 0),
        (["evaluate", "pack.yaml", "--facts", "info_only.csv", "--fail-on", "info"], 4),
        (["evaluate", "pack.yaml", "--facts", "facts.csv", "--facts", "budget_fr.csv", "--fail-on", "critique"], 4),  # as French tables say
        (["evaluate", "pack.yaml", "--facts", "facts.csv", "--facts", "budget_fr.csv", "--fail-on", "CRITIQUE"], 4),
        (["evaluate", "pack.yaml", "--facts", "info_only.csv", "--fail-on", "attention"], 0),
        (["evaluate", "pack.yaml", "--facts", "info_only.csv", "--fail-on", "critique"], 0),
        (["evaluate", "pack.yaml", "--facts", "facts.csv", "--facts", "budget_fr.csv"], 0),  # alerts, no --fail-on
        (["graph", "pack.yaml"], 0),
        (["graph", "invalid.yaml"], 1),
        (["graph", "pack.yaml", "--format", "png"], 2),
        (["explain", "pack.yaml", "taux", "--facts", "facts.csv", "--period", "2025-01", "--entity", "lyon"], 0),
        (["explain", "pack.yaml", "tau", "--facts", "facts.csv", "--period", "2025-01", "--entity", "lyon"], 2),
        (["explain", "pack.yaml", "taux", "--facts", "facts.csv", "--period", "2025-01"], 2),  # entity needed
        (["explain", "pack.yaml", "taux", "--facts", "facts.csv", "--period", "2025-05", "--entity", "lyon"], 2),
        (["explain", "pack.yaml", "taux", "--facts", "facts.csv", "--entity", "lyon"], 2),  # --period required
        (["explain", "pack.yaml", "taux", "--facts", "bad_facts.csv", "--period", "2025-01", "--entity", "lyon"], 3),
        (["nonsense"], 2),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else None,
)
def test_exit_code(args, code):
    assert run(*args).exit_code == code


def test_bad_period_message():
    result = run("evaluate", "pack.yaml", "--facts", "facts.csv", "--period", "2025-13")
    assert (
        "Invalid value for '--period': '2025-13' is not a valid monthly period: "
        "write 2025, 2025-Q1, 2025-03, 2025-W07 or 2025-03-15" in result.output
    )


def test_invalid_pack_prints_every_problem_located():
    result = run("validate", "invalid.yaml")
    assert result.stdout.splitlines()[0] == "invalid.yaml:5:17: kpis.k.formula: formula ends too early: an operand is missing at the end"
    assert result.stderr.strip() == "1 problem"


def test_bad_facts_are_reported_located_on_stderr():
    result = run("evaluate", "pack.yaml", "--facts", "bad_facts.csv")
    assert result.stderr.splitlines() == ["bad_facts.csv:2: 'ca' for 2025-01: 'douze' is not a number", "1 problem in the facts"]
    assert result.stdout == ""


def test_unreadable_facts_file():
    result = run("evaluate", "pack.yaml", "--facts", "missing.csv")
    assert result.stderr.splitlines() == ["missing.csv: cannot be read: No such file or directory", "1 problem in the facts"]


def test_conflicting_facts_across_files():
    result = run("evaluate", "pack.yaml", "--facts", "facts.csv", "--facts", "conflict.csv")
    assert result.stderr.splitlines()[0] == (
        "conflict.csv:2: 'ca' for 2025-01 for entity 'lyon' is given twice with different values (1000 at facts.csv:2, 999 here)"
    )


def test_unknown_fact_is_a_warning():
    result = run("evaluate", "pack.yaml", "--facts", "unknown_input.csv")
    assert result.exit_code == 0
    assert "unknown_input.csv:2: warning: 'ventes' is not an input of the pack, ignored" in result.stderr


# --- evaluate: JSON and CSV ----------------------------------------------------------------


def evaluate_json(*extra: str) -> dict:
    result = run("evaluate", "pack.yaml", "--facts", "facts.csv", "--facts", "budget_fr.csv", "--format", "json", "--lang", "en", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _taux_paris() -> str:
    with localcontext(DECIMAL_CONTEXT):
        return format(Decimal("150.50") / Decimal("200.50"), "f")


def test_evaluate_json_structure_and_exact_values():
    document = evaluate_json()
    assert list(document) == ["results", "alerts"]
    for record in document["results"]:
        assert list(record) == RESULT_KEYS
    for record in document["alerts"]:
        assert list(record) == ALERT_KEYS
    results = {(r["kpi"], r["period"], r["entity"]): r for r in document["results"]}
    assert len(results) == 9  # 3 KPIs x (lyon 2025-01, lyon 2025-02, paris 2025-01)
    assert results[("marge", "2025-01", "lyon")] == {
        "kpi": "marge", "period": "2025-01", "entity": "lyon", "value": "-100", "target": None,
        "gap": None, "status": "no_target", "owner": "daf", "error": None, "is_group": False,
    }
    assert results[("taux", "2025-01", "lyon")] == {
        "kpi": "taux", "period": "2025-01", "entity": "lyon", "value": "-0.1", "target": "0.5",
        "gap": "-0.6", "status": "missed", "owner": "", "error": None, "is_group": False,
    }
    assert results[("taux", "2025-02", "lyon")] == {
        "kpi": "taux", "period": "2025-02", "entity": "lyon", "value": None, "target": None,
        "gap": None, "status": "undefined", "owner": "", "error": "division by zero: ca is 0", "is_group": False,
    }
    assert results[("marge", "2025-01", "paris")]["value"] == "150.50"
    assert results[("ecart_budget", "2025-01", "lyon")]["value"] == "-100.00"
    paris = results[("taux", "2025-01", "paris")]
    assert (paris["value"], paris["status"]) == ("0.750623441396508728179551", "met")  # 24 decimals at most (cli.output.machine_number)
    assert Decimal(paris["value"]) == Decimal(_taux_paris()).quantize(Decimal("1e-24"))


def test_evaluate_json_alerts_sorted_by_severity():
    alerts = evaluate_json()["alerts"]
    assert [(a["severity"], a["kpi"], a["period"], a["entity"], a["message"], a["owner"], a["value"]) for a in alerts] == [
        # most severe first, then the latest period (as in reports)
        ("critical", "marge", "2025-02", "lyon", "marge -50.00 au February 2025", "daf", "-50"),
        ("critical", "marge", "2025-01", "lyon", "marge -100.00 au January 2025", "daf", "-100"),
        ("warning", "marge", "2025-02", "lyon", "marge faible", "daf", "-50"),
        ("warning", "marge", "2025-01", "lyon", "marge faible", "daf", "-100"),
        ("info", "ecart_budget", "2025-01", "lyon", "sous le budget de -100", "", "-100.00"),
    ]


def test_evaluate_json_filters():
    by_entity = evaluate_json("--entity", "paris")
    assert {r["entity"] for r in by_entity["results"]} == {"paris"} and by_entity["alerts"] == []
    by_period = evaluate_json("--period", "2025-02")
    assert {(r["period"], r["entity"]) for r in by_period["results"]} == {("2025-02", "lyon")}
    assert {a["period"] for a in by_period["alerts"]} == {"2025-02"}
    both = evaluate_json("--period", "2025-01", "--entity", "lyon")
    assert [r["kpi"] for r in both["results"]] == ["marge", "taux", "ecart_budget"]
    by_quarter = evaluate_json("--period", "2025-Q1")
    assert len(by_quarter["results"]) == 9


def test_evaluate_csv_in_english_keeps_comma_and_dot():
    result = run("evaluate", "pack.yaml", "--facts", "facts.csv", "--facts", "budget_fr.csv", "--format", "csv", "--entity", "lyon", "--period", "2025-02")
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows == [
        ["kpi", "label", "period", "entity", "value", "unit", "target", "gap", "status", "owner", "reason", "is_group"],
        ["marge", "marge", "2025-02", "lyon", "-50", "EUR", "", "", "no target", "daf", "", "false"],
        ["taux", "taux", "2025-02", "lyon", "", "", "", "", "undefined", "", "division by zero: ca is 0", "false"],
        ["ecart_budget", "ecart_budget", "2025-02", "lyon", "0", "", "", "", "no target", "", "", "false"],
    ]


def test_evaluate_csv_in_french_opens_in_french_excel():
    result = run("evaluate", "pack.yaml", "--facts", "facts.csv", "--facts", "budget_fr.csv", "--format", "csv", "--lang", "fr", "--entity", "paris")
    assert result.stdout.startswith("\ufeffkpi;libellé;période;entité;valeur;unité;cible;écart;statut;responsable;raison;groupe\n")
    rows = list(csv.reader(io.StringIO(result.stdout.removeprefix("\ufeff")), delimiter=";"))
    assert rows[1:] == [
        ["marge", "marge", "2025-01", "paris", "150,50", "EUR", "", "", "sans cible", "daf", "", "non"],
        ["taux", "taux", "2025-01", "paris", _taux_paris().replace(".", ","), "", "0,5", "0,2506234413965087281795511222", "atteint", "", "", "non"],
        ["ecart_budget", "ecart_budget", "2025-01", "paris", "100,50", "", "", "", "sans cible", "", "", "non"],
    ]


def test_evaluate_json_is_the_same_document_streamed_one_record_a_line():
    result = run("evaluate", "pack.yaml", "--facts", "facts.csv", "--facts", "budget_fr.csv", "--format", "json", "--lang", "en")
    lines = result.stdout.splitlines()
    assert lines[0] == '{"results": [' and lines[10] == "]," and lines[11] == '"alerts": [' and lines[-1] == "]}"
    assert len(lines) == 1 + 9 + 2 + 5 + 1  # one record a line: 9 results, 5 alerts
    assert json.loads(lines[1].rstrip(",")) == json.loads(result.stdout)["results"][0]


def test_evaluate_json_with_no_alert_and_no_result_is_valid():
    assert evaluate_json("--entity", "paris")["alerts"] == []
    result = run("evaluate", "pack.yaml", "--facts", "facts.csv", "--format", "json", "--period", "2024")
    assert result.exit_code == 2 and result.stdout == "" and "no KPI is evaluated within 2024" in result.stderr


def test_evaluate_jsonl_one_typed_object_per_line_results_then_alerts():
    document = evaluate_json()
    result = run("evaluate", "pack.yaml", "--facts", "facts.csv", "--facts", "budget_fr.csv", "--format", "jsonl", "--lang", "en")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r.pop("type") for r in records] == ["result"] * 9 + ["alert"] * 5
    assert records == document["results"] + document["alerts"]


def test_evaluate_table_streams_with_the_widths_known_before_evaluating():
    result = run("evaluate", "pack.yaml", "--facts", "facts.csv", "--facts", "budget_fr.csv", "--lang", "en")
    lines = result.stdout.splitlines()
    header, rule = lines[0], lines[1]
    assert header.split() == ["KPI", "Period", "Entity", "Value", "Target", "Gap", "Status", "Owner", "Reason"]
    # labels, entities, statuses and owners sized from the pack and the facts; numbers from the first entity's rows
    assert [len(dashes) for dashes in rule.split()] == [len("ecart_budget"), len("2025-01"), len("Entity"), len("undefined"), 6, 5, len("no target"), 5]
    rows = lines[2:11]
    status = header.index("Status")
    assert {row[status:].split("  ")[0] for row in rows} == {"no target", "missed", "undefined", "met"}  # aligned for every entity
    assert all(row[status - 2 : status] == "  " and row[status] != " " for row in rows)
    assert lines[11:13] == ["", "Alerts (3)"]


def test_evaluate_table_words_severities_in_the_readers_language_as_the_report_does():
    french = run("evaluate", "pack.yaml", "--facts", "facts.csv", "--facts", "budget_fr.csv", "--lang", "fr").stdout.split("Alertes (3)\n")[1]
    english = run("evaluate", "pack.yaml", "--facts", "facts.csv", "--facts", "budget_fr.csv", "--lang", "en").stdout.split("Alerts (3)\n")[1]
    assert [line.split()[0] for line in french.splitlines()[:4]] == ["Gravité", "--------", "CRITIQUE", "CRITIQUE"]
    assert [line.split()[0] for line in english.splitlines()[:4]] == ["Severity", "--------", "CRITICAL", "CRITICAL"]


def test_evaluate_table_shows_undefined_with_reason_never_zero():
    result = run("evaluate", "pack.yaml", "--facts", "facts.csv", "--facts", "budget_fr.csv", "--lang", "en", "--period", "2025-02")
    line = next(line for line in result.stdout.splitlines() if line.startswith("taux"))
    assert "undefined" in line and "division by zero: ca is 0" in line
    assert "Alerts (1)" in result.stdout  # marge < 0: critical; its warning (marge < 100) is hidden by it
    assert "1 lesser alert hidden by a more severe alert of the same KPI, entity and period" in result.stdout
    french = run("evaluate", "pack.yaml", "--facts", "facts.csv", "--facts", "budget_fr.csv", "--period", "2025-02", "--lang", "fr")
    assert "1 alerte moins grave masquée par une alerte plus grave du même indicateur, de la même entité et de la même période" in french.stdout


@pytest.mark.parametrize(
    ("code", "numbers", "french", "english"),
    [
        ("files", (0, 1, 2), ("0 fichier", "1 fichier", "2 fichiers"), ("0 files", "1 file", "2 files")),
        ("entities", (1, 3), ("1 entité", "3 entités"), ("1 entity", "3 entities")),
        ("items", (1, 2), ("1 élément", "2 éléments"), ("1 item", "2 items")),
        ("attempts", (1, 3), ("1 essai", "3 essais"), ("1 attempt", "3 attempts")),
        ("hidden_alerts", (2,), ("2 alertes moins graves masquées par une alerte plus grave du même indicateur, de la même entité et de la même période",),
         ("2 lesser alerts hidden by a more severe alert of the same KPI, entity and period",)),
    ],
)
def test_counts_take_the_singular_or_the_plural_of_the_readers_language(code, numbers, french, english):
    from kpi_engine.cli.common import summary

    assert tuple(summary(code, n, "fr") for n in numbers) == french  # French: 0 and 1 in the singular
    assert tuple(summary(code, n, "en") for n in numbers) == english


# --- validate, graph, explain --------------------------------------------------------------------


def test_validate_text():
    result = run("validate", "pack.yaml")
    assert result.stdout == "pack.yaml: valid (3 KPIs, 3 inputs, 1 file)\n"


def test_validate_json_valid():
    result = run("validate", "pack.yaml", "--format", "json")
    assert json.loads(result.stdout) == {"valid": True, "inputs": 3, "kpis": 3, "files": 1, "problems": []}


def test_validate_json_invalid():
    result = run("validate", "several_semantic.yaml", "--format", "json", cwd=BAD)
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["valid"] is False
    assert document["problems"][0] == {
        "file": "several_semantic.yaml", "line": 11, "column": 19, "severity": "error",
        "message": "KPI 'a': formula: unknown name 'cout'",
    }
    assert len(document["problems"]) == 5
    for problem in document["problems"]:
        assert list(problem) == ["file", "line", "column", "severity", "message"]


@pytest.mark.parametrize(
    ("fmt", "edges"),
    [
        ("dot", ["  ca -> marge;", "  cout -> marge;", "  ca -> taux;", "  marge -> taux;", "  ca -> ecart_budget;", "  budget -> ecart_budget;"]),
        ("mermaid", ["  ca --> marge", "  cout --> marge", "  ca --> taux", "  marge --> taux", "  ca --> ecart_budget", "  budget --> ecart_budget"]),
    ],
)
def test_graph(fmt, edges):
    result = run("graph", "pack.yaml", "--format", fmt)
    lines = result.stdout.splitlines()
    for edge in edges:
        assert edge in lines
    assert len([line for line in lines if "->" in line or "-->" in line]) == len(edges)
    assert lines[0] == ("digraph kpis {" if fmt == "dot" else "flowchart LR")


def test_explain_prints_the_tree_with_values():
    result = run("explain", "pack.yaml", "taux", "--facts", "facts.csv", "--period", "2025-01", "--entity", "lyon", "--lang", "en")
    assert result.stdout.splitlines() == [
        "taux = -0.10",
        "└─ marge / ca = -0.10",
        "   ├─ marge [KPI] = -€100.00",
        "   │  └─ ca - cout = -€100.00",
        "   │     ├─ ca [input] = €1,000.00",
        "   │     └─ cout [input] = €1,100.00",
        "   └─ ca [input] = €1,000.00",
    ]


def test_explain_undefined_shows_the_reason():
    result = run("explain", "pack.yaml", "taux", "--facts", "facts.csv", "--period", "2025-02", "--entity", "lyon", "--lang", "en")
    assert result.stdout.splitlines()[:2] == [
        "taux = undefined (division by zero: ca is 0)",
        "└─ marge / ca = undefined (division by zero: ca is 0)",
    ]


@pytest.mark.parametrize(
    "args",
    [
        ["evaluate", "yaml_syntax.yaml", "--facts", "x.csv"],
        ["validate", "python_tag.yaml"],
        ["validate", "duplicate_kpi"],
        ["graph", "cycles.yaml"],
        ["validate", "tab_indent.yaml", "--format", "json"],
    ],
    ids=" ".join,
)
def test_bad_input_never_shows_a_traceback(args):
    result = run(*args, cwd=BAD)
    assert result.exit_code == 1


def test_strict_turns_facts_warnings_into_exit_3(tmp_path):
    pack = tmp_path / "pack.yaml"
    pack.write_text("inputs:\n  ca: {rollup: sum, min: 0}\nkpis:\n  k: {formula: ca, frequency: monthly}\n")
    facts = tmp_path / "facts.csv"
    facts.write_text("period,name,value\n2025-01,ca,-5\n2025-01,caa,1\n")
    runner = CliRunner()
    lenient = runner.invoke(main, ["evaluate", str(pack), "--facts", str(facts), "--format", "csv", "--lang", "en"])
    assert lenient.exit_code == 0
    assert "warning: 'caa' is not an input of the pack, ignored (did you mean 'ca', a revenue?)" in lenient.stderr
    assert "warning: 'ca' is -5 for 2025-01; it should be at least 0" in lenient.stderr
    strict = runner.invoke(main, ["evaluate", str(pack), "--facts", str(facts), "--strict", "--lang", "en"])
    assert strict.exit_code == 3 and "2 warnings in the facts, refused by --strict" in strict.stderr
    locale = {"KPI_LANG": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": "fr_FR.UTF-8"}  # French from the locale
    french = runner.invoke(main, ["evaluate", str(pack), "--facts", str(facts), "--strict"], env=locale)
    assert french.stderr.splitlines() == [
        f"{facts}:3: attention : « caa » n'est pas une donnée d'entrée du pack : ignorée (vouliez-vous dire « ca », un produit ?)",
        f"{facts}:2: attention : « ca » vaut -5 en 2025-01 ; elle devrait être au moins 0",
        "2 avertissements dans les données, refusés par --strict",
    ]


# --- silences and inhibition -------------------------------------------------------------------------


def _silenced_run(*extra: str):
    return run("evaluate", "silenced.yaml", "--facts", "facts.csv", "--facts", "budget_fr.csv", *extra)


def test_evaluate_marks_silenced_and_inhibited_alerts_in_json():
    # silenced.yaml silences marge at lyon until 2025-03-31: on that day it still applies
    alerts = json.loads(_silenced_run("--format", "json", "--as-of", "2025-03-31").stdout)["alerts"]
    states = [(a["severity"], a["kpi"], a["period"], a["silenced"], a["silenced_until"], a["inhibited_by"] is not None) for a in alerts]
    assert states == [
        ("critical", "marge", "2025-02", "écritures de clôture en attente", "2025-03-31", False),
        ("critical", "marge", "2025-01", "écritures de clôture en attente", "2025-03-31", False),
        # marge < 100 is hidden by marge < 0 at the same period (and silenced too)
        ("warning", "marge", "2025-02", "écritures de clôture en attente", "2025-03-31", True),
        ("warning", "marge", "2025-01", "écritures de clôture en attente", "2025-03-31", True),
        ("info", "ecart_budget", "2025-01", None, None, False),
    ]
    assert alerts[2]["inhibited_by"] == alerts[0]["rule"] and alerts[0]["rule"].startswith("marge/critical/")


def test_evaluate_counts_silenced_alerts_in_the_table_and_fail_on_ignores_them():
    silenced = _silenced_run("--as-of", "2025-03-31", "--lang", "en", "--fail-on", "critical")
    assert silenced.exit_code == 0
    assert "Alerts (1)" in silenced.stdout and "Silenced alerts (2)" in silenced.stdout
    assert "31 March 2025   écritures de clôture en attente" in silenced.stdout
    french = _silenced_run("--as-of", "2025-03-31", "--lang", "fr")
    assert "Alertes en silence (2)" in french.stdout and "31 mars 2025      écritures de clôture en attente" in french.stdout
    expired = _silenced_run("--as-of", "2025-04-01", "--lang", "en", "--fail-on", "critical")
    assert expired.exit_code == 4
    assert "Alerts (3)" in expired.stdout and "Silenced" not in expired.stdout


def test_evaluate_as_of_defaults_to_today():
    # today is after 2025-03-31: the silence has expired, so the critical margin alerts count
    assert _silenced_run("--fail-on", "critical").exit_code == 4


def test_evaluate_refuses_a_malformed_as_of():
    result = _silenced_run("--as-of", "31/03/2025")
    assert result.exit_code == 2 and "--as-of" in result.output

"""The solve, sensitivity, explain-change and lint commands through click's CliRunner: output and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kpi_engine.cli import main
from kpi_engine.cli.analysis import EXIT_NO_ANSWER, explain_change_command, lint_command, sensitivity_command, solve_command

for _command in (solve_command, sensitivity_command, explain_change_command, lint_command):
    if _command.name not in main.commands:
        main.add_command(_command)

DATA = Path(__file__).parent / "data" / "symbolic"
ROOT = Path(__file__).parent.parent
PACK, FACTS = str(DATA / "good"), str(DATA / "facts.yaml")
COMPANY, MONTHLY = str(ROOT / "examples" / "company"), str(ROOT / "examples" / "facts" / "monthly.csv")


def run(*args: str):
    return CliRunner().invoke(main, [*args, "--lang", "en"] if args[0] != "lint" else list(args))


# --- solve ---------------------------------------------------------------------------
def test_solve_break_even():
    # resultat = ca * 0.4 - 120000 = 0  =>  ca = 300000
    result = run("solve", PACK, "resultat", "--vary", "ca", "--facts", FACTS, "--period", "2025-01")
    assert result.exit_code == 0, result.output
    assert "solution: ca = 300000 (€300,000.00), exact 300000" in result.stdout
    assert "check: resultat re-evaluated = 0: ok" in result.stdout
    assert "in general: ca = charges_fixes/taux_mcv" in result.stdout


def test_solve_json():
    result = run("solve", PACK, "margin", "--target", "50%", "--vary", "cost", "--facts", FACTS, "--period", "2025-01", "--format", "json")
    # (1000 - cost) / 1000 = 0.5  =>  cost = 500
    record = json.loads(result.stdout)
    assert result.exit_code == 0
    assert record["status"] == "solved" and record["solutions"][0]["value"] == "500"


def test_solve_out_of_bounds_exits_5():
    result = run("solve", PACK, "resultat", "--target", "-200000", "--vary", "ca", "--facts", FACTS, "--period", "2025-01")
    assert result.exit_code == EXIT_NO_ANSWER
    assert "OUTSIDE what the input can be: below the declared min 0 of ca" in result.stdout


def test_solve_no_solution_exits_5():
    result = run("solve", PACK, "capped", "--target", "5000", "--vary", "ca", "--facts", FACTS, "--period", "2025-01")
    assert result.exit_code == EXIT_NO_ANSWER and "no solution" in result.stdout


def test_solve_round_says_why_not():
    result = run("solve", PACK, "arrondi", "--target", "10", "--vary", "ca", "--facts", FACTS, "--period", "2025-01")
    assert result.exit_code == EXIT_NO_ANSWER
    assert "no answer: arrondi: round() is a step function" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("margn", "--vary", "ca"), "unknown KPI 'margn' (did you mean 'margin'?)"),
        (("margin", "--vary", "margin"), "'margin' is not an input"),
    ],
)
def test_solve_usage_errors_exit_2(args, message):
    kpi, *rest = args
    result = run("solve", PACK, kpi, *rest, "--target", "1", "--facts", FACTS, "--period", "2025-01")
    assert result.exit_code == 2 and message in result.output


def test_solve_invalid_pack_exits_1(tmp_path):
    (tmp_path / "pack.yaml").write_text("kpis:\n  x: {formula: 'a +', frequency: monthly}\n")
    result = run("solve", str(tmp_path), "x", "--vary", "a", "--facts", FACTS, "--period", "2025-01")
    assert result.exit_code == 1


def test_solve_unreadable_facts_exit_3(tmp_path):
    result = run("solve", PACK, "resultat", "--vary", "ca", "--facts", str(tmp_path / "missing.csv"), "--period", "2025-01")
    assert result.exit_code == 3


def test_solve_on_the_example_company_quarterly_break_even():
    # the contribution-margin rate at 2025-Q4 brought to 50% by the variable costs; checked by re-evaluation
    result = run("solve", COMPANY, "taux_marge_cout_variable", "--target", "50%", "--vary", "charges_variables",
                 "--facts", MONTHLY, "--period", "2025-Q4", "--entity", "lyon")
    assert result.exit_code == 0, result.output
    assert "scaled proportionally (sum roll-up)" in result.stdout and ": ok" in result.stdout


# --- sensitivity ------------------------------------------------------------------------
def test_sensitivity_table():
    # margin at ca 1000, cost 600: elasticities 1.5 and -1.5
    result = run("sensitivity", PACK, "margin", "--facts", FACTS, "--period", "2025-01")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "margin = 0.4 (40.0%) at 2025-01"
    assert lines[3].split() == ["1", "ca", "1000", "0.0006", "1.5"]
    assert lines[4].split() == ["2", "cost", "600", "-0.001", "-1.5"]


def test_sensitivity_json_and_wrong_period():
    record = json.loads(run("sensitivity", PACK, "margin", "--facts", FACTS, "--period", "2025-01", "--format", "json").stdout)
    assert record["levers"][0] == {
        "name": "ca",
        "kind": "input",
        "value": "1000",
        "derivative": "0.0006",
        "elasticity": "1.5",
        "formula": "cost/ca^2",
        "note": None,
    }
    result = run("sensitivity", PACK, "margin", "--facts", FACTS, "--period", "2025-Q1")
    assert result.exit_code == 2 and "margin is monthly: give a monthly period" in result.stderr  # a usage error


# --- explain-change -------------------------------------------------------------------------
def test_explain_change_price_volume():
    # 1000 -> 1320: price 210, volume 110
    result = run("explain-change", PACK, "revenue", "--from", "2025-01", "--to", "2025-02", "--facts", FACTS)
    assert result.exit_code == 0
    rows = {line.split()[0]: line.split() for line in result.stdout.splitlines() if line.split()}
    assert rows["price"][1:] == ["10", "12", "210", "65.6%"]
    assert rows["volume"][1:] == ["100", "110", "110", "34.4%"]
    assert rows["total"][3] == "320"


def test_explain_change_json_gives_exact_fractions():
    result = run("explain-change", PACK, "croissance", "--from", "2025-02", "--to", "2025-03", "--facts", FACTS, "--format", "json")
    record = json.loads(result.stdout)
    assert record["change_exact"] == "-8/15"
    assert [(c["name"], c["exact"]) for c in record["contributions"]] == [("ca", "-11/30"), ("prev(ca)", "-1/6")]


def test_explain_change_needs_an_entity_when_the_facts_have_some():
    result = run("explain-change", COMPANY, "taux_marge_brute", "--from", "2025-09", "--to", "2025-10", "--facts", MONTHLY)
    assert result.exit_code == 2 and "choose one of: bordeaux, lyon" in result.output


def test_explain_change_on_the_example_company():
    result = run("explain-change", COMPANY, "taux_marge_brute", "--from", "2025-09", "--to", "2025-10", "--facts", MONTHLY, "--entity", "lyon")
    assert result.exit_code == 0 and "add up exactly" in result.stdout


# --- lint ---------------------------------------------------------------------------------------
def test_lint_clean_exits_0():
    result = run("lint", PACK)
    assert result.exit_code == 0, result.output
    assert "no algebraic problem found" in result.stdout


def test_lint_warnings_exit_1():
    result = run("lint", str(DATA / "lint"))
    assert result.exit_code == 1
    first = result.stdout.splitlines()[0]
    assert (
        first.endswith(
            "warning: KPI 'marge_bis' is algebraically the same as 'marge' (" + str(DATA / "lint" / "pack.yaml") + ":9:3): a duplicate under another name?"
        )
        or "marge_bis" in first
    )
    assert ":22:19: warning: 'par_solde' divides by solde" in result.stdout
    assert "5 warnings" in result.stderr


def test_a_period_the_facts_do_not_cover_is_a_usage_error_on_its_option():
    result = run("explain-change", PACK, "margin", "--from", "2025-01", "--to", "2030-01", "--facts", FACTS)
    assert result.exit_code == 2 and "Invalid value for --to: the facts do not cover 2030-01" in result.stderr

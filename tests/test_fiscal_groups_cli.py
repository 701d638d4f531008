"""The command line with a fiscal calendar, groups and hidden KPIs: periods in the pack's calendar,
groups as entities, facts the calendar refuses, `--hide-absent`."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kpi_engine.cli import main

PACK = """
calendar: {fiscal_year_start: 7}
entities:
  groupe: {members: [centre, gare]}
inputs:
  ca: {rollup: sum}
  achats: {rollup: sum}
  leads: {rollup: sum}
kpis:
  marge: {formula: (ca - achats) / ca, frequency: quarterly}
  ca_par_lead: {formula: ca / leads, frequency: monthly}
"""
FACTS = """period,entity,ca,achats
2025-04,centre,100,60
2025-05,centre,100,60
2025-06,centre,100,60
2025-04,gare,50,10
2025-05,gare,50,10
2025-06,gare,50,10
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "pack.yaml").write_text(PACK, encoding="utf-8")
    (tmp_path / "facts.csv").write_text(FACTS, encoding="utf-8")
    return tmp_path


def run(folder: Path, *args: str) -> Result:
    previous = os.getcwd()
    os.chdir(folder)
    try:
        result = CliRunner().invoke(main, list(args), env={"KPI_LANG": "en"}, catch_exceptions=False)
    finally:
        os.chdir(previous)
    assert "Traceback" not in result.output + result.stderr
    return result


def test_a_calendar_quarter_selects_the_fiscal_quarter_and_groups_follow_their_members(folder: Path) -> None:
    result = run(folder, "evaluate", "pack.yaml", "--facts", "facts.csv", "--period", "2025-Q2", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = [(r["kpi"], r["period"], r["entity"], r["value"], r["is_group"]) for r in csv.DictReader(io.StringIO(result.stdout)) if r["kpi"] == "marge"]
    # centre 120 / 300 = 0.4; gare 120 / 150 = 0.8; the group (420 - 210) / 450, not (0.4 + 0.8) / 2
    assert rows == [
        ("marge", "FY2025-Q4", "centre", "0.4", "false"),
        ("marge", "FY2025-Q4", "gare", "0.8", "false"),
        ("marge", "FY2025-Q4", "groupe", "0.5333333333333333333333333333", "true"),
    ]


def test_a_group_is_an_entity_of_the_command_line(folder: Path) -> None:
    result = run(folder, "evaluate", "pack.yaml", "--facts", "facts.csv", "--period", "FY2025-Q4", "--entity", "groupe", "--format", "json")
    assert result.exit_code == 0, result.output
    results = json.loads(result.stdout)["results"]
    assert {(r["entity"], r["is_group"]) for r in results} == {("groupe", True)}
    table = run(folder, "evaluate", "pack.yaml", "--facts", "facts.csv", "--period", "FY2025-Q4", "--entity", "groupe")
    assert "FY2025 Q4   groupe (group)" in table.stdout  # a fiscal pack's table says its periods in words
    french = run(folder, "evaluate", "pack.yaml", "--facts", "facts.csv", "--period", "FY2025-Q4", "--entity", "groupe", "--lang", "fr")
    assert "T4 exercice 2025  groupe (groupe)" in french.stdout


def test_a_calendar_year_is_a_usage_error_in_a_fiscal_pack(folder: Path) -> None:
    result = run(folder, "evaluate", "pack.yaml", "--facts", "facts.csv", "--period", "2025")
    assert result.exit_code == 2
    assert "'2025' is a calendar year, but this pack's years are fiscal, starting in month 7: write a fiscal period such as FY2025" in result.output


def test_facts_for_a_calendar_year_are_located_errors_in_a_fiscal_pack(folder: Path) -> None:
    (folder / "budget.csv").write_text("period,entity,ca\n2025,centre,1000\n", encoding="utf-8")
    result = run(folder, "evaluate", "pack.yaml", "--facts", "facts.csv", "--facts", "budget.csv")
    assert result.exit_code == 3
    assert "budget.csv:2: '2025' is a calendar year" in result.stderr


def test_a_member_without_facts_is_a_warning(folder: Path) -> None:
    (folder / "pack.yaml").write_text(PACK.replace("[centre, gare]", "[centre, gare, halles]"), encoding="utf-8")
    result = run(folder, "evaluate", "pack.yaml", "--facts", "facts.csv", "--period", "FY2025-Q4", "--format", "csv")
    assert result.exit_code == 0
    assert "member 'halles' of group 'groupe' has no facts: the group's values will be undefined" in result.stderr
    group = [r for r in csv.DictReader(io.StringIO(result.stdout)) if r["entity"] == "groupe" and r["kpi"] == "marge"]
    assert group[0]["reason"].startswith("member 'halles' of group 'groupe' has no 'ca' for FY2025-Q4")


def test_hide_absent_leaves_out_kpis_reading_inputs_never_given(folder: Path) -> None:
    shown = run(folder, "evaluate", "pack.yaml", "--facts", "facts.csv", "--format", "csv", "--hide-absent")
    assert shown.exit_code == 0
    assert {r["kpi"] for r in csv.DictReader(io.StringIO(shown.stdout))} == {"marge"}
    assert "1 KPI hidden: it reads inputs the facts never give (leads)" in shown.stderr
    everything = run(folder, "evaluate", "pack.yaml", "--facts", "facts.csv", "--format", "csv")
    assert {r["kpi"] for r in csv.DictReader(io.StringIO(everything.stdout))} == {"marge", "ca_par_lead"}
    assert "hidden" not in everything.stderr

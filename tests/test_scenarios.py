"""Scenarios: facts carry one (a `scenario` column, a `scenarios:` key, a fifth record item), formulas read
it with budget(x), a target may be the KPI's own budget, explain marks what was read under a scenario.

The evaluation rules themselves (roll-ups never split, groups, reasons) are cases of
tests/data/evaluation/scenarios.yaml, run on every backend."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_workbook_reader import xlsx

from kpi_engine import Facts, FactsError, Pack, read_facts_text
from kpi_engine.cli import main
from kpi_engine.facts import ACTUAL, Fact, read_facts
from kpi_engine.periods import Period

PACK = """
entities:
  groupe: {members: [centre, gare]}
inputs:
  ca: {rollup: sum}
  achats: {rollup: sum}
kpis:
  marge: {formula: ca - achats, frequency: quarterly, target: budget, direction: higher_is_better}
  ecart_marge: {formula: marge - budget(marge), frequency: quarterly}
"""


def by_scenario(facts: Facts) -> set[tuple[str, str | None, str, str, Decimal]]:
    return {(f.scenario, f.entity, f.name, str(f.period), f.value) for f in facts.facts()}


def test_a_long_csv_gives_each_row_its_scenario_and_a_blank_one_is_actual() -> None:
    facts = read_facts_text("entity,scenario,period,name,value\nlyon,,2025-01,ca,10\nlyon,budget,2025-01,ca,12\nlyon,forecast,2025,ca,150\n", "f.csv")
    assert by_scenario(facts) == {
        (ACTUAL, "lyon", "ca", "2025-01", Decimal(10)),
        ("budget", "lyon", "ca", "2025-01", Decimal(12)),
        ("forecast", "lyon", "ca", "2025", Decimal(150)),
    }
    assert facts.scenarios == ["actual", "budget", "forecast"]
    assert facts.entity("lyon", "budget").by_period[Period.parse("2025-01")] == {"ca": Decimal(12)}
    assert facts.find("lyon", "ca", Period.parse("2025-01")) == Fact("lyon", "ca", Period.parse("2025-01"), Decimal(10))


def test_a_wide_workbook_reads_the_scenario_column() -> None:
    data = xlsx({"Budget": [["Période", "Scénario", "ca"], ["2025", "budget", 1200], ["2025-01", None, 90]]})
    facts = read_facts(data, "b.xlsx").facts
    assert by_scenario(facts) == {("budget", None, "ca", "2025", Decimal(1200)), (ACTUAL, None, "ca", "2025-01", Decimal(90))}


def test_a_scenario_that_cannot_be_named_in_a_formula_is_reported_where_written() -> None:
    with pytest.raises(FactsError) as raised:
        read_facts_text("period;scenario;ca\n2025;Budget révisé;10\n2025;budget;12\n", "b.csv")
    assert [str(p) for p in raised.value.problems] == [
        (
            "b.csv:2: column 'scenario': 'Budget révisé' is not a scenario name: write it in lowercase letters, digits and underscores, "
            "as 'budget' or 'revised_budget' (did you mean 'budget_revise'?)"
        )
    ]


def test_yaml_facts_give_other_scenarios_under_scenarios() -> None:
    text = "lyon:\n  2025-01: {ca: 10}\nscenarios:\n  budget:\n    lyon:\n      2025: {ca: 100}\n  Plan B:\n    2025: {ca: 1}\n"
    with pytest.raises(FactsError) as raised:
        read_facts_text(text, "f.yaml")
    assert [str(p) for p in raised.value.problems] == [
        (
            "f.yaml:7:3: 'Plan B' is not a scenario name: write it in lowercase letters, digits and underscores, "
            "as 'budget' or 'revised_budget' (did you mean 'plan_b'?)"
        )
    ]
    facts = read_facts_text(text.split("  Plan B")[0], "f.yaml")
    assert by_scenario(facts) == {(ACTUAL, "lyon", "ca", "2025-01", Decimal(10)), ("budget", "lyon", "ca", "2025", Decimal(100))}


def test_records_take_a_fifth_item_the_scenario_and_the_same_fact_under_two_scenarios_is_no_conflict() -> None:
    facts = Facts.from_records([("lyon", "ca", "2025-01", 10), ("lyon", "ca", "2025-01", 12, "budget"), ("lyon", "ca", "2025-02", 3, None)])
    assert by_scenario(facts) == {
        (ACTUAL, "lyon", "ca", "2025-01", Decimal(10)), ("budget", "lyon", "ca", "2025-01", Decimal(12)), (ACTUAL, "lyon", "ca", "2025-02", Decimal(3)),
    }
    assert facts.entities == ["lyon"] and len(facts) == 3
    with pytest.raises(FactsError) as raised:
        Facts.from_records([("lyon", "ca", "2025-01", 12, "budget"), ("lyon", "ca", "2025-01", 13, "budget"), ("lyon", "ca", "2025-01", 1, "Budget")])
    assert [p.message for p in raised.value.problems] == [
        "'ca' for 2025-01 for entity 'lyon' under scenario 'budget' is given twice with different values (12 at <records>:1, 13 here)",
        "'Budget' is not a scenario name: write it in lowercase letters, digits and underscores, as 'budget' or 'revised_budget' (did you mean 'budget'?)",
    ]


FACTS = """entity,scenario,period,ca,achats
centre,,2025-01,100,60
centre,,2025-02,110,60
centre,,2025-03,120,60
gare,,2025-01,50,20
gare,,2025-02,50,20
gare,,2025-03,50,20
centre,budget,2025-Q1,300,170
gare,budget,2025-Q1,160,70
"""


def test_scenario_result_is_the_same_kpi_under_another_scenario() -> None:
    pack = Pack.from_texts({"pack.yaml": PACK})
    evaluation = pack.evaluate(read_facts_text(FACTS, "f.csv"), lang="en")
    # budget margin 300 - 170 = 130; its target is its own budget: gap 0
    result = evaluation.scenario_result("marge", "2025-Q1", "centre", "budget")
    assert (result.value, result.target, result.gap, result.status) == (Decimal(130), Decimal(130), Decimal(0), "met")
    # the group: (300 + 160) - (170 + 70) = 220
    assert evaluation.scenario_result("marge", "2025-Q1", "groupe", "budget").value == Decimal(220)
    assert evaluation.scenario_result("marge", "2025-Q1", "groupe", "budget").is_group
    missing = evaluation.scenario_result("marge", "2025-Q1", "centre", "forecast")
    assert (missing.value, missing.error) == (None, "no figures under scenario 'forecast', entity 'centre'")
    assert evaluation.result_at("marge", "2025-Q1", "centre").value == Decimal(150)  # the actual result is unchanged
    with pytest.raises(KeyError):
        evaluation.scenario_result("marge", "2025-Q2", "centre", "budget")


def test_target_budget_reads_an_input_named_budget_when_there_is_one() -> None:
    kpi = "ventes: {formula: ca, frequency: monthly, target: budget, direction: higher_is_better}"
    pack = Pack.from_texts({"pack.yaml": f"inputs:\n  ca: {{rollup: sum}}\n  budget: {{rollup: sum}}\nkpis:\n  {kpi}\n"})
    result = pack.evaluate(Facts.from_records([(None, "ca", "2025-01", 10), (None, "budget", "2025-01", 8)])).result_at("ventes", "2025-01")
    assert result.target == Decimal(8)


def test_explain_marks_what_was_read_under_a_scenario() -> None:
    pack = Pack.from_texts({"pack.yaml": PACK})
    tree = pack.explain(read_facts_text(FACTS, "f.csv"), "ecart_marge", "2025-Q1", "centre")
    read = tree.children[0].children[1]  # budget(marge)
    budget_marge = read.children[0]
    assert (budget_marge.text, budget_marge.scenario, budget_marge.value) == ("marge", "budget", Decimal(130))
    assert [(leaf.text, leaf.scenario, leaf.value) for leaf in budget_marge.children[0].children] == [
        ("ca", "budget", Decimal(300)), ("achats", "budget", Decimal(170)),
    ]
    actual = tree.children[0].children[0]
    assert (actual.text, actual.scenario, actual.value) == ("marge", None, Decimal(150))


def test_figures_under_a_near_miss_of_budget_are_a_located_warning() -> None:
    pack = Pack.from_texts({"pack.yaml": PACK})
    facts = read_facts_text("period,scenario,ca\n2025-01,,1\n2025-01,budjet,2\n2025-01,revised_budget,3\n", "f.csv")
    assert [(str(w.location), w.message, w.severity) for w in pack.fact_warnings(facts) if "scenario" in w.message] == [
        ("f.csv:3", "figures under scenario 'budjet' are read by no formula (did you mean 'budget'?)", "warning"),
    ]


def test_the_standard_librarys_retired_budget_input_says_where_its_figures_now_go() -> None:
    """A pack upgrading from `chiffre_affaires_previsionnel` is told to give the budget as a scenario, not offered a
    look-alike input (`tresorerie_initiale`, labelled "... du prévisionnel"); given so, the variance is computed."""
    pack = Pack.from_texts({"pack.yaml": "extends: standard\n"})
    before = read_facts_text("period,ventes_marchandises,production_vendue,chiffre_affaires_previsionnel\n2025-01,40,60,110\n", "old.csv")
    (warning,) = [w for w in pack.fact_warnings(before) if "previsionnel" in w.message]
    assert (str(warning.location), warning.message) == ("old.csv:2", (
        "'chiffre_affaires_previsionnel' is not an input of the pack, ignored (a budget is now the 'budget' scenario of the"
        " actual inputs: give ventes_marchandises, production_vendue on lines whose scenario column says budget)"))
    after = read_facts_text("period,scenario,ventes_marchandises,production_vendue\n2025-01,,40,60\n2025-01,budget,50,60\n", "new.csv")
    assert not pack.fact_warnings(after)
    evaluation = pack.evaluate(after, lang="en")
    assert evaluation.result_at("ecart_ca_previsionnel", "2025-01").value == Decimal(-10)  # (40 + 60) - (50 + 60)


def test_a_period_before_the_scenarios_first_figure_says_which_scenario() -> None:
    pack = Pack.from_texts({"pack.yaml": "inputs:\n  ca: {rollup: sum}\nkpis:\n  ecart: {formula: ca - budget(ca), frequency: monthly}\n"})
    facts = Facts.from_records([(None, "ca", "2024-12", 5), (None, "ca", "2025-01", 10), (None, "ca", "2025-01", 8, "budget")])
    evaluation = pack.evaluate(facts, lang="en")
    assert evaluation.result_at("ecart", "2025-01").value == Decimal(2)  # 10 - 8
    before = "under scenario 'budget': 2024-12 is before the first period of data (data starts at 2025-01)"
    assert evaluation.result_at("ecart", "2024-12").error == before
    assert evaluation.scenario_result("ecart", "2024-12", None, "budget").error == before


def test_kpi_facts_and_explain_name_the_scenario(tmp_path: Path) -> None:
    (tmp_path / "pack.yaml").write_text(PACK, encoding="utf-8")
    (tmp_path / "f.csv").write_text(FACTS, encoding="utf-8")
    runner = CliRunner()
    listed = runner.invoke(main, ["facts", str(tmp_path / "pack.yaml"), "--facts", str(tmp_path / "f.csv"), "--format", "csv", "--lang", "en"])
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert lines[0] == "period,entity,name,value,source,scenario"
    assert f"2025-Q1,centre,ca,300,{tmp_path / 'f.csv'}:8,budget" in lines
    assert f"2025-01,centre,ca,100,{tmp_path / 'f.csv'}:2,actual" in lines
    explained = runner.invoke(main, ["explain", str(tmp_path / "pack.yaml"), "ecart_marge", "--facts", str(tmp_path / "f.csv"),
                                     "--period", "2025-Q1", "--entity", "centre", "--lang", "en"])
    assert explained.exit_code == 0, explained.output
    assert "ca [input] [scenario budget] = 300" in explained.output
    assert "marge [KPI] [scenario budget] = 130" in explained.output

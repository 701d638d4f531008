"""Groups and fiscal periods in explain, the report and the analyses: the members behind a consolidated
value, the group's row after its members, questions asked of a group's consolidated inputs.

The pack has a group of a group (`groupe` = `centre` + `sud`, `sud` = `gare` + `halles`), labels from
`entities:`, an intercompany elimination given for `groupe` itself, and years starting in July. Every
number below is computed by hand from FACTS.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kpi_engine import Facts, load_pack
from kpi_engine.cli import main
from kpi_engine.entities import reading_order
from kpi_engine.explain import ExplainNode
from kpi_engine.model import EntityDef
from kpi_engine.report.build import ReportOptions, build_report, render

PACK = """
calendar: {fiscal_year_start: 7}
entities:
  centre: {label: {fr: "Boutique du centre", en: "Centre shop"}}
  gare: {label: {fr: "Boutique de la gare", en: "Station shop"}}
  sud: {label: {fr: "Pôle sud", en: "South hub"}, members: [gare, halles]}
  groupe: {label: {fr: "Groupe Martin", en: "Martin group"}, members: [centre, sud]}
inputs:
  ca: {rollup: sum, unit: EUR}
  achats: {rollup: sum, unit: EUR}
kpis:
  marge: {formula: (ca - achats) / ca, frequency: monthly, unit: percent, target: 30%, direction: higher_is_better}
"""
# per month: centre ca 100 achats 60 (0.4), gare 50/10 (0.8), halles 30/20 (1/3); sud = 80/30 (0.625);
# groupe = 180/90 (0.5), and in June with its own elimination of -10 on both: 170/80 = 9/17
FACTS = """period,entity,ca,achats
2025-04,centre,100,60
2025-05,centre,100,60
2025-06,centre,100,60
2025-07,centre,100,60
2025-04,gare,50,10
2025-05,gare,50,10
2025-06,gare,50,10
2025-07,gare,50,10
2025-04,halles,30,20
2025-05,halles,30,20
2025-06,halles,30,20
2025-06,groupe,-10,-10
"""
JUNE_MARGIN = "0.5294117647058823529411764706"  # 90 / 170


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "pack.yaml").write_text(PACK, encoding="utf-8")
    (tmp_path / "facts.csv").write_text(FACTS, encoding="utf-8")
    return tmp_path


def run(folder: Path, *args: str, lang: str = "en") -> Result:
    previous = os.getcwd()
    os.chdir(folder)
    try:
        result = CliRunner().invoke(main, list(args), env={"KPI_LANG": lang}, catch_exceptions=False)
    finally:
        os.chdir(previous)
    assert "Traceback" not in result.output + result.stderr
    return result


def _input(tree: ExplainNode, name: str) -> ExplainNode:
    """The first node of `tree` reading input `name`."""
    found = [node for node in _walk(tree) if node.kind == "input" and node.text == name]
    return found[0]


def _walk(node: ExplainNode) -> list[ExplainNode]:
    return [node, *(below for child in node.children for below in _walk(child))]


# --- explain ------------------------------------------------------------------------------
def test_explain_lists_the_members_and_the_groups_own_entries_that_sum_to_a_consolidated_input(folder: Path) -> None:
    pack = load_pack(folder)
    facts = Facts.from_records([(e, n, p, v) for p, e, n, v in _records()])
    tree = pack.explain(facts, "marge", "2025-06", "groupe")
    assert str(tree.value) == JUNE_MARGIN
    ca = _input(tree, "ca")
    parts = [(child.kind, child.entity, child.is_group, str(child.value)) for child in ca.children]
    # 100 (centre) + 80 (sud) - 10 (the group's elimination) = 170
    assert parts == [("member", "centre", False, "100"), ("member", "sud", True, "80"), ("group_entries", None, False, "-10")]
    assert [(child.entity, str(child.value)) for child in ca.children[1].children] == [("gare", "50"), ("halles", "30")]
    # a member's own input is read as given: nothing below it
    assert ca.children[0].children == ()


def test_explain_names_the_member_that_misses_a_month(folder: Path) -> None:
    pack = load_pack(folder)
    facts = Facts.from_records([(e, n, p, v) for p, e, n, v in _records()])
    ca = _input(pack.explain(facts, "marge", "2025-07", "groupe"), "ca")
    assert ca.value is None
    centre, sud = ca.children
    assert (centre.entity, str(centre.value)) == ("centre", "100")
    assert sud.value is None and sud.observations[0].reason is not None
    assert "member 'halles' of group 'sud' has no 'ca' for 2025-07" in str(sud.observations[0].reason)
    assert [(child.entity, child.value is None) for child in sud.children] == [("gare", False), ("halles", True)]


def test_explain_command_text_and_json_show_the_members(folder: Path) -> None:
    text = run(folder, "explain", "pack.yaml", "marge", "--facts", "facts.csv", "--period", "2025-06", "--entity", "groupe", lang="fr")
    assert text.exit_code == 0, text.output
    lines = text.stdout.splitlines()
    assert any(line.endswith("ca [donnée] = 170 (170,00 €)") for line in lines)
    assert any(line.endswith("centre [membre] = 100 (100,00 €)") for line in lines)
    assert any(line.endswith("sud (groupe) [membre] = 80 (80,00 €)") for line in lines)
    assert any(line.endswith("halles [membre] = 30 (30,00 €)") for line in lines)
    assert any(line.endswith("écritures propres du groupe (éliminations, coûts de groupe) = -10 (-10,00 €)") for line in lines)
    data = json.loads(run(folder, "explain", "pack.yaml", "marge", "--facts", "facts.csv", "--period", "2025-06", "--entity", "groupe",
                          "--format", "json").stdout)
    assert (data["kpi"], data["period"], data["entity"], data["is_group"]) == ("marge", "2025-06", "groupe", True)
    assert data["tree"]["observations"] == [{"period": "2025-06", "value": JUNE_MARGIN, "reason": None}]
    ca = next(node for node in _json_nodes(data["tree"]) if node["kind"] == "input" and node["text"] == "ca")
    members = [(c["kind"], c.get("entity"), c.get("is_group"), c["observations"][0]["value"]) for c in ca["children"]]
    assert members == [("member", "centre", False, "100"), ("member", "sud", True, "80"), ("group_entries", None, None, "-10")]
    alone = json.loads(run(folder, "explain", "pack.yaml", "marge", "--facts", "facts.csv", "--period", "2025-06", "--entity", "centre",
                           "--format", "json", "--expanded", "text").stdout)
    assert (alone["is_group"], alone["tree"]["observations"][0]["value"], alone["expanded"]) == (False, "0.4", "(-achats + ca)/ca")


def _json_nodes(node: dict[str, object]) -> list[dict[str, object]]:
    children = node["children"]
    assert isinstance(children, list)
    return [node, *(below for child in children for below in _json_nodes(child))]


def _records() -> list[tuple[str, str, str, str]]:
    rows = [line.split(",") for line in FACTS.strip().splitlines()[1:]]
    return [(period, entity, name, value) for period, entity, ca, achats in rows for name, value in (("ca", ca), ("achats", achats))]


# --- the report ---------------------------------------------------------------------------
def test_entities_are_read_each_group_after_its_members() -> None:
    entities = {"sud": EntityDef("sud", members=("gare", "halles")), "groupe": EntityDef("groupe", members=("centre", "sud"))}
    assert reading_order(entities, ["halles", "autre", "centre", "gare", "sud", "groupe"]) == ["centre", "gare", "halles", "sud", "groupe", "autre"]
    # a group not evaluated leaves its members where they were
    assert reading_order(entities, ["halles", "gare", "centre"]) == ["halles", "gare", "centre"]


def test_the_scorecard_puts_each_group_row_after_its_members_with_labels(folder: Path) -> None:
    pack = load_pack(folder)
    facts = Facts.from_records([(e, n, p, v) for p, e, n, v in _records()])
    report = build_report(pack.evaluate(facts, period="2025-06"), pack.definitions, ReportOptions(lang="fr"))
    lines = report.themes[0].lines
    assert [(line.entity, line.entity_label, line.is_group, str(line.current.value) if line.current else None) for line in lines] == [
        ("centre", "Boutique du centre", False, "0.4"),
        ("gare", "Boutique de la gare", False, "0.8"),
        ("halles", "halles", False, "0.3333333333333333333333333333"),
        ("sud", "Pôle sud", True, "0.625"),
        ("groupe", "Groupe Martin", True, JUNE_MARGIN),
    ]
    markdown = render(report, "markdown")
    assert "| marge | Pôle sud | juin 2025 |" not in markdown  # a group's row is marked
    assert "| marge | **Pôle sud** (groupe) | juin 2025 | 30,0 % | 62,5 % | +32,5 pt | atteint |" in markdown
    assert "| marge | **Groupe Martin** (groupe) | juin 2025 | 30,0 % | 52,9 % | +22,9 pt | atteint |" in markdown
    html = render(report, "html")
    assert 'class="line group-total" data-kpi="marge" data-entity="groupe" data-group="true"' in html
    assert '<strong>Groupe Martin</strong> <span class="group-mark">groupe</span>' in html


def test_report_entity_writes_one_report_for_a_group_or_a_shop(folder: Path) -> None:
    group = run(folder, "report", "pack.yaml", "--facts", "facts.csv", "--period", "2025-06", "--entity", "groupe", "--format", "markdown", "-o", "-")
    assert group.exit_code == 0, group.output
    assert "**All KPIs · Martin group (group)** · As of **June 2025**" in group.stdout
    assert "| KPI | Period | Target | Actual | Gap | Status | Trend |" in group.stdout  # one entity: no entity column
    assert "| marge | June 2025 | 30.0% | 52.9% | +22.9 pts | met |" in group.stdout
    shop = run(folder, "report", "pack.yaml", "--facts", "facts.csv", "--period", "2025-06", "--entity", "centre", "--format", "markdown", "-o", "-")
    assert "· Centre shop**" in shop.stdout and "| marge | June 2025 | 30.0% | 40.0% | +10.0 pts | met |" in shop.stdout
    unknown = run(folder, "report", "pack.yaml", "--facts", "facts.csv", "--entity", "groupee", "--format", "markdown", "-o", "-")
    assert unknown.exit_code == 2 and "did you mean 'groupe'?" in unknown.stderr


# --- the analyses -------------------------------------------------------------------------
def test_solve_on_a_group_finds_its_consolidated_total_and_spreads_it_over_the_members(folder: Path) -> None:
    # (ca - 80) / ca = 0.6 for ca = 200: the group's 170 scaled by 200/170 in every member's fact and its own entry
    result = run(folder, "solve", "pack.yaml", "marge", "--target", "0.6", "--vary", "ca", "--facts", "facts.csv", "--period", "2025-06",
                 "--entity", "groupe", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["entity"], data["current_input"], [s["value"] for s in data["solutions"]]) == ("groupe", "170", ["200"])
    assert data["solutions"][0]["check_ok"] is True
    assert data["distribution"] == "ca's 4 monthly facts of centre, gare, halles, groupe within 2025-06 scaled proportionally (sum roll-up)"
    assert data["notes"][0].startswith("groupe is a group: each input is the sum of its members' (centre, gare, halles) and of the group's own entries")
    french = run(folder, "solve", "pack.yaml", "marge", "--target", "0.6", "--vary", "ca", "--facts", "facts.csv", "--period", "2025-06",
                 "--entity", "groupe", lang="fr")
    assert french.stdout.splitlines()[:2] == [
        "Pour atteindre 60,0 % de marge en juin 2025 (groupe), il faudrait 200 € de ca, soit +30 € par rapport à aujourd'hui.",
        ("Note : groupe est un groupe : chaque entrée y est la somme de celles de ses membres (centre, gare, halles) et des écritures propres "
        "du groupe ; ce sont ces chiffres consolidés qui sont analysés"),
    ]


def test_sensitivity_of_a_group_at_a_fiscal_quarter(folder: Path) -> None:
    # FY2025-Q4 is April to June 2025: ca 3 x 180 - 10 = 530, achats 3 x 90 - 10 = 260, margin 270 / 530
    result = run(folder, "sensitivity", "pack.yaml", "marge", "--facts", "facts.csv", "--period", "FY2025-Q4", "--entity", "groupe", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["period"], data["entity"], data["value"]) == ("FY2025-Q4", "groupe", "0.5094339622641509433962264151")
    # d(1 - achats/ca)/d ca = achats / ca² = 260 / 280900
    assert {lever["name"]: lever["derivative"] for lever in data["levers"]}["ca"] == "0.0009255962976148095407618369527"
    calendar_quarter = run(folder, "sensitivity", "pack.yaml", "marge", "--facts", "facts.csv", "--period", "2025-Q2", "--entity", "groupe",
                           "--format", "json")
    assert json.loads(calendar_quarter.stdout)["period"] == "FY2025-Q4"  # the same months, named in the pack's calendar
    year = run(folder, "sensitivity", "pack.yaml", "marge", "--facts", "facts.csv", "--period", "2025", "--entity", "groupe")
    assert year.exit_code == 2 and "'2025' is a calendar year" in year.stderr and "FY2025" in year.stderr


def test_explain_change_of_a_group_adds_up_to_its_consolidated_change(folder: Path) -> None:
    # May 180/90 -> June 170/80: 1/2 -> 9/17, +1/34; Shapley: ca -1/2 (90/170 - 90/180 + 80/170 - 80/180) = -1/36,
    # achats the rest, 1/34 + 1/36 = 35/612
    result = run(folder, "explain-change", "pack.yaml", "marge", "--from", "2025-05", "--to", "2025-06", "--facts", "facts.csv", "--entity", "groupe",
                 "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["entity"], data["change_exact"]) == ("groupe", "1/34")
    assert {c["name"]: (c["from"], c["to"], c["exact"]) for c in data["contributions"]} == {"ca": ("180", "170", "-1/36"), "achats": ("90", "80", "35/612")}
    french = run(folder, "explain-change", "pack.yaml", "marge", "--from", "FY2025-Q4", "--to", "FY2026-Q1", "--facts", "facts.csv", "--entity", "centre",
                 lang="fr")
    assert french.exit_code == 2 and "--to: les faits ne couvrent pas FY2026-Q1 : ils vont de 2025-04 à 2025-07" in french.stderr

"""`kpi facts`: the coverage, totals and checks of facts sources, and the facts as CSV for review; an
evaluation that evaluates nothing is an error; a near miss never proposes an input of another kind silently."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from kpi_engine import Pack, load_facts
from kpi_engine.cli import main
from kpi_engine.facts.columns import near_miss

ROOT = Path(__file__).resolve().parents[1]
BOOKS = ["examples/fec/812345676FEC20241231.txt", "examples/fec/812345676FEC20251231.txt"]
PACK = "inputs:\n  ca: {rollup: sum}\n  stock: {rollup: last}\n  subventions: {rollup: sum, missing: zero}\nkpis:\n  k: {formula: ca * 2, frequency: monthly}\n"
EXPORT = "Mois;Boutique;ca;stock\n01/2024;Gare;1 000,50;7\n02/2024;Gare;2 000;8\n01/2024;gare;5;1\n01/2024;Centre;=1+1;2\n"


def run(*arguments: str):
    return CliRunner().invoke(main, list(arguments))


def setup(folder: Path) -> tuple[str, str]:
    (folder / "pack.yaml").write_text(PACK)
    (folder / "export.csv").write_bytes(EXPORT.encode("cp1252"))
    return str(folder / "pack.yaml"), str(folder / "export.csv")


def test_the_tutorial_shows_what_the_example_fec_gives() -> None:
    tutorial = (ROOT / "docs" / "tutorial.md").read_text(encoding="utf-8")
    block = re.search(r"```console\n(\$ kpi facts definitions .*?)```", tutorial, re.S)
    assert block is not None, "the tutorial shows kpi facts on the example FEC"
    lines = block.group(1).splitlines()
    shown = lines[next(i for i, line in enumerate(lines) if not line.rstrip().endswith("\\")) + 1:]
    import os

    here = os.getcwd()
    os.chdir(ROOT)  # the tutorial names the files from the repository's root
    try:
        result = run("facts", "definitions", "--facts", BOOKS[0], "--facts", BOOKS[1], "--lang", "fr")  # as the tutorial shows it (a French reader)
    finally:
        os.chdir(here)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == shown


def test_coverage_totals_and_every_check_located(tmp_path: Path) -> None:
    pack, export = setup(tmp_path)
    result = run("facts", pack, "--facts", export, "--lang", "en")
    assert result.exit_code == 3  # a bad cell: shown with everything else, and the exit code says so
    assert result.stdout.replace(f"{tmp_path}/", "").splitlines() == [
        "1 file: 3 entities, 7 facts, periods 2024-01 to 2024-02",
        "",
        "Entity  Facts  Periods  First    Last     Inputs given  Inputs absent",
        "------  -----  -------  -------  -------  ------------  -------------",
        "Centre      1        1  2024-01  2024-01             1              2",
        "Gare        4        2  2024-01  2024-02             2              1",
        "gare        2        1  2024-01  2024-01             2              1",
        "",
        "Input  Facts  Entities  First    Last        Total",
        "-----  -----  --------  -------  -------  --------",
        "ca         3         2  2024-01  2024-02  3,005.50",  # 1 000.50 + 2 000 + 5; stock is a balance: no total
        "stock      4         3  2024-01  2024-02",
        "",
        "the pack's inputs absent for Centre (2): ca, subventions (0 by default)",
        "the pack's inputs absent for Gare (1): subventions (0 by default)",
        "the pack's inputs absent for gare (1): subventions (0 by default)",
        "",
        "Checks (4)",
        "export.csv:5: 'ca' for 2024-01: '=1+1' is not a number",
        ("export.csv:4: warning: entities 'Gare' (export.csv:2), 'gare' (export.csv:4) differ only by case, accents or spacing: "
         "they are read as 2 different entities; write them alike"),
        "export.csv:5: warning: entity 'Centre' has no facts for 2024-02, which other entities have: a missing period is not a zero",
        "export.csv:4: warning: entity 'gare' has no facts for 2024-02, which other entities have: a missing period is not a zero",
    ]
    assert result.stderr.splitlines() == ["1 error, 3 warnings in the facts"]
    french = run("facts", pack, "--facts", export)
    assert french.stdout.splitlines()[0] == "1 fichier : 3 entités, 7 faits, périodes 2024-01 à 2024-02"


def test_the_facts_as_csv_in_the_readers_convention_read_back(tmp_path: Path) -> None:
    pack, export = setup(tmp_path)
    (tmp_path / "export.csv").write_bytes(EXPORT.replace("=1+1", "3").encode("cp1252"))
    result = run("facts", pack, "--facts", export, "--format", "csv", "--output", str(tmp_path / "revue.csv"))
    assert result.exit_code == 0, result.output
    written = (tmp_path / "revue.csv").read_text(encoding="utf-8").replace(f"{tmp_path}/", "")
    assert written.splitlines()[:4] == [
        "période;entité;indicateur;valeur;source",
        "2024-01;Centre;ca;3;export.csv:5",
        "2024-01;Centre;stock;2;export.csv:5",
        "2024-01;Gare;ca;1000,50;export.csv:2",
    ]
    again = load_facts([tmp_path / "revue.csv"])  # the review file is a facts file again
    def figures(facts):
        return sorted((f.entity, f.name, str(f.period), f.value) for f in facts.facts())

    assert figures(again) == figures(load_facts([export]))
    english = run("facts", pack, "--facts", export, "--format", "csv", "--lang", "en")
    assert english.stdout.splitlines()[:2] == ["period,entity,name,value,source", f"2024-01,Centre,ca,3,{export}:5"]


def test_csv_cells_cannot_be_formulas(tmp_path: Path) -> None:
    pack, export = setup(tmp_path)
    (tmp_path / "export.csv").write_text("Mois;Boutique;ca\n01/2024;=HYPERLINK(1);5\n")
    result = run("facts", pack, "--facts", export, "--format", "csv")
    assert result.stdout.splitlines()[1].startswith("2024-01;'=HYPERLINK(1);ca;5;")


def test_json_gives_the_same_for_machines(tmp_path: Path) -> None:
    pack, export = setup(tmp_path)
    document = json.loads(run("facts", pack, "--facts", export, "--format", "json").stdout)
    assert document["inputs"][0] == {"input": "ca", "facts": 3, "entities": 2, "first": "2024-01", "last": "2024-02", "total": "3005.50"}
    assert document["entities"][1]["periods"] == ["2024-01", "2024-02"]
    assert [p["severity"] for p in document["problems"]] == ["error", "warning", "warning", "warning"]


def test_a_near_miss_of_another_kind_is_never_proposed_silently() -> None:
    pack = Pack.from_texts({"pack.yaml": "inputs:\n  cout_production: {label: Coût de production, rollup: sum}\n"
                                         "  production_vendue: {label: CA production, rollup: sum, accounts: {flow: credit, include: ['70']}}\n"})
    def hint(title: str, inputs, lang="en") -> str:
        reason = near_miss(title, inputs)
        return reason.text(lang) if reason else ""

    assert hint("CA production HT", pack.inputs) == " (did you mean 'production_vendue', a revenue?)"
    assert hint("CA production HT", pack.inputs, "fr") == " (vouliez-vous dire « production_vendue », un produit ?)"
    costs_only = {"cout_production": pack.inputs["cout_production"]}
    assert hint("CA production HT", costs_only) == (
        " (the closest input, 'cout_production', is a cost, but 'CA production HT' reads as a revenue: not proposed; "
        "rename the column after the input it holds)"
    )
    assert hint("CA production HT", costs_only, "fr") == (
        " (la donnée la plus proche, « cout_production », est une charge, mais « CA production HT » se lit comme un produit : "
        "non proposée ; renommez la colonne d'après la donnée qu'elle contient)"
    )
    assert hint("Coût production", costs_only) == " (did you mean 'cout_production', a cost?)"
    assert hint("zzz", costs_only) == ""


def test_french_columns_all_ignored_is_an_error_that_says_so(tmp_path: Path) -> None:
    (tmp_path / "pack.yaml").write_text("inputs:\n  cout_production: {label: Coût de production, rollup: sum}\n"
                                        "  ventes: {rollup: sum}\nkpis:\n  k: {formula: ventes - cout_production, frequency: monthly}\n")
    (tmp_path / "export.csv").write_bytes("Mois;Boutique;CA production HT;Remarque\n01/2024;Gare;12 500,50;1\n".encode("cp1252"))
    result = run("evaluate", str(tmp_path / "pack.yaml"), "--facts", str(tmp_path / "export.csv"), "--lang", "en")
    assert result.exit_code == 3
    assert result.stderr.splitlines()[-1] == (
        "kpi: nothing evaluated: no name read in the facts is an input of the pack, so no period has anything to compute "
        "a KPI from; rename the columns after the inputs or their labels. Names read: 'CA production HT' (the closest input, "
        "'cout_production', is a cost, but 'CA production HT' reads as a revenue: not proposed; rename the column after "
        "the input it holds); 'Remarque'"
    )
    assert "--period" not in result.stderr


def test_an_evaluation_with_no_result_is_never_an_empty_success(tmp_path: Path) -> None:
    (tmp_path / "pack.yaml").write_text("inputs:\n  ca: {rollup: sum}\n  cout: {rollup: sum}\nkpis:\n  k: {formula: ca - cout, frequency: quarterly}\n")
    (tmp_path / "f.csv").write_text("period,ca\n2024-01,1\n")
    result = run("evaluate", str(tmp_path / "pack.yaml"), "--facts", str(tmp_path / "f.csv"), "--lang", "fr")
    assert result.exit_code == 3
    assert result.stderr.splitlines()[-1] == (
        "kpi : rien n'est évalué : les données (2024-01 à 2024-01) donnent ca, mais aucun indicateur du pack n'a tout ce qu'il lit à une même période"
    )


def test_the_readme_shows_the_standard_library_evaluated_from_the_fec(monkeypatch) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```console\n\$ kpi evaluate definitions --facts examples/fec/.*?\n(.*?)```", readme, re.S)
    assert block is not None
    shown = [line for line in block.group(1).splitlines()[2:] if line != "..."]  # after the command's 2nd line and the header
    monkeypatch.chdir(ROOT)
    result = run("evaluate", "definitions", "--facts", BOOKS[0], "--facts", BOOKS[1], "--period", "2025-12")
    assert result.exit_code == 0, result.output
    assert shown and all(line in result.stdout.splitlines() for line in shown)

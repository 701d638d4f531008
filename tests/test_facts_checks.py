"""Nothing silently wrong: repeated lines, look-alike entities and missing periods are located warnings,
and `--strict` refuses them."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from kpi_engine import load_facts
from kpi_engine.cli import main
from kpi_engine.facts import read_facts


def write(folder: Path, files: dict[str, str]) -> list[Path]:
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return [folder / name for name in files]


def warnings(folder: Path, files: dict[str, str]) -> list[str]:
    facts = load_facts(write(folder, files))
    return [str(w).replace(f"{folder}/", "") for w in facts.warnings]


def test_an_equal_line_given_twice_in_one_file_is_a_warning_with_both_places():
    text = "period,entity,name,value\n2024-01,gare,achats,100\n2024-01,gare,ventes,300\n2024-01,gare,achats,100.0\n"
    result = read_facts(text.encode(), "f.csv")
    assert [str(p) for p in result.problems] == [
        "f.csv:4: warning: 'achats' for 2024-01 for entity 'gare' is given twice with the same value (100 at f.csv:2, 100.0 here): counted once"
    ]
    assert result.errors == ()


def test_two_files_agreeing_on_a_fact_is_no_warning(tmp_path):
    assert warnings(tmp_path, {"a.csv": "period,ca\n2024-01,1\n", "b.csv": "period,ca\n2024-01,1.00\n"}) == []


def test_entities_differing_by_case_or_accents(tmp_path):
    files = {
        "a.csv": "period,entity,ca\n2024-01,Gare,1\n2024-01,Centre,2\n",
        "b.csv": "period,entity,ca\n2024-02,gare,1\n2024-02,Garé,3\n2024-02,Centre,2\n",
    }
    assert warnings(tmp_path, files) == [
        ("b.csv:2: warning: entities 'Gare' (a.csv:2), 'gare' (b.csv:2), 'Garé' (b.csv:3) differ only by case, accents "
        "or spacing: they are read as 3 different entities; write them alike"),
        "a.csv:2: warning: entity 'Gare' has no facts for 2024-02, which other entities have: a missing period is not a zero",
        "b.csv:3: warning: entity 'Garé' has no facts for 2024-01, which other entities have: a missing period is not a zero",
        "b.csv:2: warning: entity 'gare' has no facts for 2024-01, which other entities have: a missing period is not a zero",
    ]


def test_an_entity_missing_periods_the_others_have(tmp_path):
    months = "".join(f"2024-{m:02d},centre,1\n" for m in range(1, 13))
    files = {"a.csv": "period,entity,ca\n2024-01,gare,1\n2024-Q1,gare,5\n" + months}
    assert warnings(tmp_path, files) == [  # the quarter is another frequency: centre gives none, so none is missing
        ("a.csv:2: warning: entity 'gare' has no facts for 2024-02, 2024-03, 2024-04, 2024-05, 2024-06, 2024-07 "
        "and 5 more, which other entities have: a missing period is not a zero")
    ]


def test_strict_refuses_facts_warnings(tmp_path):
    pack = tmp_path / "pack.yaml"
    pack.write_text("inputs:\n  ca: {rollup: sum}\nkpis:\n  double: {formula: ca * 2, frequency: monthly}\n")
    (facts,) = write(tmp_path, {"f.csv": "period,entity,ca\n2024-01,gare,1\n2024-02,gare,1\n2024-01,centre,1\n"})
    runner = CliRunner()
    lenient = runner.invoke(main, ["evaluate", str(pack), "--facts", str(facts), "--format", "csv", "--lang", "en"])
    assert lenient.exit_code == 0
    expected = f"{facts}:4: warning: entity 'centre' has no facts for 2024-02, which other entities have: a missing period is not a zero"
    assert lenient.stderr.splitlines() == [expected]
    strict = runner.invoke(main, ["evaluate", str(pack), "--facts", str(facts), "--strict", "--lang", "en"])
    assert strict.exit_code == 3
    assert strict.stderr.splitlines() == [expected, "1 warning in the facts, refused by --strict"]
    french = runner.invoke(main, ["evaluate", str(pack), "--facts", str(facts), "--strict", "--lang", "fr"])
    assert french.stderr.splitlines() == [
        (
            f"{facts}:4: attention : l'entité « centre » n'a pas de données pour 2024-02, que les autres entités ont : "
            "une période manquante n'est pas un zéro"
        ),
        "1 avertissement dans les données, refusé par --strict",
    ]

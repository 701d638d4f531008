"""Comparisons (issue 10): each result's budget and the gap to it, its value a year earlier and the change (in
points for a percent KPI), its fiscal year to date with its budget, in every output (`kpi evaluate --compare`:
table, JSON, JSON lines, CSV, xlsx; the report's scorecard; the web's), on the example company (fiscal year
from July). Every expected number is worked out by hand in tests/data/comparisons/durand.yaml."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from kpi_engine import load_pack
from kpi_engine.cli import main
from kpi_engine.comparisons import Reference, change, change_text, parse_compare
from kpi_engine.facts import load_facts
from kpi_engine.formatting import plain
from kpi_engine.periods import Calendar
from kpi_engine.report.build import ReportOptions, build_report, render
from kpi_engine.web.pages import scorecards

ROOT = Path(__file__).parent.parent
COMPANY = str(ROOT / "examples" / "company")
FACTS = str(Path(__file__).parent / "data" / "comparisons" / "durand.yaml")
ALL = "budget,year_ago,ytd"


def kpi(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, result.stdout, result.stderr


def records(*extra: str, facts: str = FACTS, compare: str = ALL) -> dict[tuple[str, str, str], dict[str, Any]]:
    code, out, err = kpi("evaluate", COMPANY, "--facts", facts, "--compare", compare, "--format", "json", "--lang", "en", *extra)
    assert code == 0, err
    return {(r["kpi"], r["period"], r["entity"]): r for r in json.loads(out)["results"]}


# --- the numbers ---------------------------------------------------------------------------------


def test_the_year_ago_change_of_a_percent_kpi_is_in_points_and_of_an_amount_in_percent() -> None:
    found = records()
    rate = found["taux_marge_brute", "2025-07", "lyon"]["compare"]["year_ago"]
    assert rate == {"value": "0.6", "reason": None, "change": "2.5", "change_unit": "pt"}  # 62.5 % against 60 %: +2.5 points
    revenue = found["chiffre_affaires_ht", "2025-07", "lyon"]["compare"]["year_ago"]
    assert revenue == {"value": "30000", "reason": None, "change": "20", "change_unit": "%"}  # 36 000 against 30 000
    first = found["chiffre_affaires_ht", "2024-07", "lyon"]["compare"]["year_ago"]
    assert first["value"] is None and first["reason"] == "2023-07 is before the first period of data (data starts at 2024-06), entity 'lyon'"


def test_the_year_to_date_starts_in_july_and_a_ratio_is_the_ratio_of_the_summed_figures() -> None:
    found = records()
    kpis, periods = ("chiffre_affaires_ht", "taux_marge_brute"), ("2024-07", "2024-08", "2025-08")
    ytd = {(k, p): found[k, p, "lyon"]["compare"]["ytd"]["value"] for k in kpis for p in periods}
    assert ytd == {
        ("chiffre_affaires_ht", "2024-07"): "30000",  # June 2024 belongs to FY2024: not counted
        ("chiffre_affaires_ht", "2024-08"): "50000",
        ("chiffre_affaires_ht", "2025-08"): "60000",
        ("taux_marge_brute", "2024-07"): "0.6",
        ("taux_marge_brute", "2024-08"): "0.56",  # (18 000 + 10 000) / 50 000, not the mean of 60 % and 50 %
        ("taux_marge_brute", "2025-08"): "0.575",  # 34 500 / 60 000
    }
    june = found["chiffre_affaires_ht", "2024-06", "lyon"]["compare"]["ytd"]
    assert june["value"] is None and june["reason"].startswith("missing fact 'ventes_marchandises' for 2023-07, entity 'lyon'")
    assert june["reason"].endswith("needed for the year to date from 2023-07 to 2024-06")


def test_a_kpi_reading_other_periods_has_no_year_to_date() -> None:
    found = records()
    growth = found["evolution_ca_mois", "2024-08", "lyon"]["compare"]["ytd"]
    assert growth["value"] is None and growth["reason"].startswith("no year to date: 'evolution_ca_mois' reads other periods")


def test_a_budget_voted_for_the_year_only_gives_the_years_gap_and_no_quarters() -> None:
    found = records()
    year = found["ca_exercice", "FY2025", "bordeaux"]["compare"]
    assert year["budget"] == {"value": "150000", "reason": None, "gap": "10000"}  # 160 000 against 150 000
    assert year["ytd"] == {"value": "160000", "reason": None, "budget": {"value": "150000", "reason": None, "gap": "10000"}}
    quarter = found["ecart_ca_budget_trimestre", "FY2025-Q2", "bordeaux"]["compare"]["budget"]
    assert quarter["value"] is None and quarter["gap"] is None
    assert quarter["reason"] == (
        "missing fact 'ventes_marchandises' for FY2025-Q2, entity 'bordeaux' (it is given yearly and cannot be split into quarterly periods)"
    )
    lyon = found["chiffre_affaires_ht", "2024-07", "lyon"]["compare"]["budget"]
    assert lyon == {"value": None, "reason": "no figures under scenario 'budget', entity 'lyon'", "gap": None}


def test_the_year_to_date_budget_reaches_the_last_quarter_of_a_year_voted_whole() -> None:
    """At FY2025-Q4 the year to date is the whole fiscal year, which the yearly budget covers; at Q2 it is not."""
    found = records()
    q4 = found["ecart_ca_budget_trimestre", "FY2025-Q4", "bordeaux"]["compare"]["ytd"]
    assert q4["value"] == "10000"  # 160 000 - 150 000 over the year
    q2 = found["ecart_ca_budget_trimestre", "FY2025-Q2", "bordeaux"]["compare"]["ytd"]
    assert q2["value"] is None and "given yearly and cannot be split into quarterly periods" in q2["reason"]


def test_without_compare_the_records_are_unchanged() -> None:
    code, out, _ = kpi("evaluate", COMPANY, "--facts", FACTS, "--format", "json", "--entity", "lyon")
    assert code == 0 and all("compare" not in r for r in json.loads(out)["results"])


# --- every format ----------------------------------------------------------------------------------


def test_json_lines_carry_the_same_comparisons() -> None:
    code, out, _ = kpi("evaluate", COMPANY, "--facts", FACTS, "--compare", "year_ago", "--format", "jsonl", "--entity", "lyon", "--period", "2025-07")
    rows = [json.loads(line) for line in out.splitlines()]
    rate = next(r for r in rows if r.get("kpi") == "taux_marge_brute")
    assert code == 0 and rate["compare"] == {"year_ago": {"value": "0.6", "reason": None, "change": "2.5", "change_unit": "pt"}}


def test_csv_adds_the_columns_in_the_readers_convention() -> None:
    code, out, _ = kpi("evaluate", COMPANY, "--facts", FACTS, "--compare", ALL, "--format", "csv", "--lang", "fr", "--period", "2025-07", "--entity", "lyon")
    rows = list(csv.reader(io.StringIO(out.lstrip("\ufeff")), delimiter=";"))
    header = rows[0]
    added = ["budget", "écart_budget", "n_1", "évol_n_1", "unité_évol_n_1", "cumul_exercice", "budget_cumulé", "écart_budget_cumulé"]
    assert code == 0 and header[12:] == added
    rate = dict(zip(header, next(r for r in rows if r[0] == "taux_marge_brute"), strict=True))
    assert (rate["n_1"], rate["évol_n_1"], rate["unité_évol_n_1"], rate["cumul_exercice"], rate["budget"]) == ("0,6", "2,5", "pt", "0,625", "")
    code, out, _ = kpi("evaluate", COMPANY, "--facts", FACTS, "--compare", "budget", "--format", "csv", "--lang", "en", "--period", "FY2025",
                       "--entity", "bordeaux")
    rows = list(csv.reader(io.StringIO(out)))
    year = dict(zip(rows[0], next(r for r in rows if r[0] == "ca_exercice"), strict=True))
    assert (year["budget"], year["budget_gap"]) == ("150000", "10000")


def test_the_table_shows_points_and_percents_in_words_of_each_language() -> None:
    code, out, _ = kpi("evaluate", COMPANY, "--facts", FACTS, "--compare", "year_ago,ytd", "--lang", "fr", "--period", "2025-07", "--entity", "lyon")
    header, _, *lines = out.splitlines()
    headings = [h.strip() for h in header.split("  ") if h.strip()]
    assert code == 0 and headings[6:11] == ["N-1", "Évol. N-1", "Cumul exercice", "Budget cumulé", "Écart budget cumulé"]
    rate = next(line for line in lines if line.startswith("Taux de marge brute"))
    assert "60,0 %" in rate and "+2,5 pt" in rate
    revenue = next(line for line in lines if line.startswith("Chiffre d'affaires HT "))
    assert "30 000,00 €" in revenue and "+20,0 %" in revenue
    code, out, _ = kpi("evaluate", COMPANY, "--facts", FACTS, "--compare", "year_ago", "--lang", "en", "--period", "2025-07", "--entity", "lyon")
    assert "Prior year" in out and "YoY change" in out and "+2.5 pts" in out and "+20.0%" in out


def test_the_workbook_holds_the_comparisons_as_numbers(tmp_path: Path) -> None:
    book = tmp_path / "kpis.xlsx"
    code, _, err = kpi("evaluate", COMPANY, "--facts", FACTS, "--compare", ALL, "--format", "xlsx", "-o", str(book), "--lang", "en", "--entity", "lyon")
    assert code == 0, err
    rows = CalamineWorkbook.from_path(str(book)).get_sheet_by_name("Results").to_python()
    header = rows[0]
    assert header[12:] == ["budget", "budget_gap", "year_ago", "year_ago_change", "year_ago_change_unit", "ytd", "ytd_budget", "ytd_budget_gap"]
    rate = dict(zip(header, next(r for r in rows if r[0] == "taux_marge_brute" and r[2] == "2025-07"), strict=True))
    assert (rate["year_ago"], rate["year_ago_change"], rate["year_ago_change_unit"], rate["ytd"], rate["budget"]) == (0.6, 2.5, "pt", 0.625, "")


def test_compare_is_validated_and_the_year_to_date_refused_by_duckdb() -> None:
    code, _, err = kpi("evaluate", COMPANY, "--facts", FACTS, "--compare", "budget,last_year")
    assert code == 2 and "Valeur invalide pour '--compare' : « last_year » n'est pas une comparaison : écrivez une ou plusieurs de budget, year_ago, ytd" in err
    code, _, err = kpi("evaluate", COMPANY, "--facts", FACTS, "--compare", "budget,ytd", "--engine", "duckdb")
    assert code == 2 and "le cumul de l'exercice (ytd) n'est calculé que par le moteur python, pas par duckdb : retirez ytd ou --engine" in err


def test_duckdb_refuses_the_year_to_date_before_any_query() -> None:
    pack = load_pack(COMPANY)
    with pytest.raises(ValueError, match=r"the year to date \(--compare ytd\) is computed by the python engine only"):
        pack.evaluate(pack.bind(load_facts([FACTS], pack)), compare=("budget", "ytd"), backend="duckdb")


def test_duckdb_gives_the_same_budget_and_year_ago_as_the_python_engine(tmp_path: Path) -> None:
    """Every record alike on both engines, and N-1 in a gap of the facts (lyon without July 2024) computed there
    as the Python engine does: undefined for the missing fact, not "before the first period of data"."""
    gap = tmp_path / "gap.yaml"
    gap.write_text("".join(line for line in Path(FACTS).read_text(encoding="utf-8").splitlines(keepends=True) if '"2024-07"' not in line))
    engines = ((), ("--engine", "duckdb"))
    (python, duckdb), (python_gap, duckdb_gap) = ([records(*e, facts=f, compare="budget,year_ago") for e in engines] for f in (FACTS, str(gap)))
    assert duckdb == python and duckdb_gap == python_gap
    assert duckdb_gap["chiffre_affaires_ht", "2025-07", "lyon"]["compare"]["year_ago"] == {
        "value": None, "reason": "missing fact 'ventes_marchandises' for 2024-07, entity 'lyon'", "change": None, "change_unit": None}
    budget, before = duckdb["ca_exercice", "FY2025", "bordeaux"]["compare"]["budget"], duckdb["chiffre_affaires_ht", "2024-07", "lyon"]["compare"]["year_ago"]
    assert budget == {"value": "150000", "reason": None, "gap": "10000"}  # the budget voted for the year, on the same SQL
    assert before["reason"] == "2023-07 is before the first period of data (data starts at 2024-06), entity 'lyon'"


# --- the scorecards --------------------------------------------------------------------------------


def evaluation(**options: Any) -> Any:
    pack = load_pack(COMPANY)
    facts = pack.bind(load_facts([FACTS], pack))
    return pack, pack.evaluate(facts, **options)


def test_the_report_scorecard_shows_budget_and_n_1_columns_in_a_dafs_words() -> None:
    code, out, err = kpi("report", COMPANY, "--facts", FACTS, "--format", "markdown", "--output", "-", "--entity", "bordeaux", "--lang", "fr")
    assert code == 0, err
    header = next(line for line in out.splitlines() if line.startswith("| Indicateur") and "Budget" in line)
    assert "| Budget | Écart budget |" in header  # the facts have a budget: its columns come without asking
    row = next(line for line in out.splitlines() if line.startswith("| Chiffre d'affaires HT de l'exercice"))
    assert "| 150 000,00 € | +10 000,00 € |" in row
    code, out, _ = kpi("report", COMPANY, "--facts", FACTS, "--format", "markdown", "--output", "-", "--entity", "lyon", "--lang", "en",
                       "--compare", "year_ago")
    header = next(line for line in out.splitlines() if line.startswith("| KPI") and "Prior year" in line)
    assert "Budget" not in header and "| Prior year | YoY change |" in header
    row = next(line for line in out.splitlines() if line.startswith("| Gross margin rate"))
    assert "| 50.0% | 0.0 pts |" in row  # August 2025 against August 2024: 50 % both


def test_the_html_report_and_the_web_scorecard_judge_the_budget_gap_by_direction() -> None:
    pack, evaluated = evaluation(entity="bordeaux", compare=("budget", "year_ago"))
    report = build_report(evaluated, pack.definitions, ReportOptions(lang="en"))
    html = render(report, "html")
    assert '<td class="num gap-good" data-compare="budget_change">+€10,000.00</td>' in html
    table = next(t for t in scorecards(report) if any(line.kpi == "ca_exercice" for line, _ in t.rows))
    assert table.comparisons == ("target", "budget")  # nothing a year before: no N-1 column
    cells = next(cells for line, cells in table.rows if line.kpi == "ca_exercice")
    assert [(c.reference, c.change, c.judgement) for c in cells] == [("€150,000.00", "+€10,000.00", "better"), ("€150,000.00", "+€10,000.00", "better")]


# --- the core ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actual", "reference", "unit", "relative", "expected"),
    [
        ("0.625", "0.6", "percent", True, ("2.5", "pt", "+2,5 pt")),  # a rate's change is in points
        ("36000", "30000", "EUR", True, ("20", "%", "+20,0 %")),
        ("-500", "1000", "EUR", True, ("-1500", "EUR", "-1 500,00 €")),  # across zero: the difference, not -150 %
        ("200", "0", "EUR", True, ("200", "EUR", "+200,00 €")),  # from zero
        ("160000", "150000", "EUR", False, ("10000", "EUR", "+10 000,00 €")),  # a budget's gap
    ],
)
def test_a_change_is_said_as_a_reader_expects(actual: str, reference: str, unit: str, relative: bool, expected: tuple[str, str, str]) -> None:
    found = change(Decimal(actual), Reference(Decimal(reference)), unit, relative)
    assert found is not None and (plain(found.value), found.unit, change_text(found, "fr")) == expected
    assert change(None, Reference(Decimal(reference)), unit) is None and change(Decimal(actual), Reference(None), unit) is None


def test_compare_names_are_read_in_one_order() -> None:
    assert parse_compare(" ytd , budget") == ("budget", "ytd")
    with pytest.raises(ValueError, match="no comparison named"):
        parse_compare(" , ")


def test_the_year_to_date_is_the_fewest_whole_periods_from_the_fiscal_years_start() -> None:
    july = Calendar(7)
    assert [str(p) for p in july.year_to_date(july.parse("2024-10"))] == ["FY2025-Q1", "2024-10"]
    assert [str(p) for p in july.year_to_date(july.parse("2025-06"))] == ["FY2025"]
    assert [str(p) for p in july.year_to_date(july.parse("2024-07"))] == ["2024-07"]
    assert [str(p) for p in Calendar().year_to_date(Calendar().parse("2025-05"))] == ["2025-Q1", "2025-04", "2025-05"]

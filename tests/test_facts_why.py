"""Issue 9's "Why" cases, each as a new user met it, end to end through `kpi evaluate` with its exact message.

The other cases have their tests beside the mechanism that handles them:
.xlsx workbook (test_workbook_reader.py::test_cli_evaluates_a_workbook), CR-only export
(test_facts_sources.py::test_cli_reads_a_cr_only_export), `Gare`/`gare` and a missing month
(test_facts_checks.py), an equal line given twice (test_facts_checks.py), French columns all ignored
(test_facts_cli.py::test_french_columns_all_ignored_is_an_error_that_says_so), the FEC (test_ledger*.py).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from click.testing import CliRunner

from kpi_engine import standard_library_path
from kpi_engine.cli import main

STANDARD = str(standard_library_path())


def evaluate(facts: Path, *options: str):
    return CliRunner().invoke(main, ["evaluate", STANDARD, "--facts", str(facts), "--format", "csv", "--lang", "en", *options])


def values(output: str, *kpis: str) -> dict[tuple[str, str], str]:
    rows = csv.DictReader(io.StringIO(output))
    return {(row["kpi"], row["period"]): row["value"] for row in rows if row["kpi"] in kpis}


def test_a_management_export_cp1252_with_month_numbers_and_shops(tmp_path: Path) -> None:
    export = tmp_path / "export.csv"
    export.write_bytes("Mois;Boutique;CA production HT;Charges de personnel\r\n01/2024;Gare;12 500,50;4 000,00\r\n".encode("cp1252"))
    result = evaluate(export)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [  # the revenue column is never suggested a cost input
        f"{export}:2: warning: 'CA production HT' is not an input of the pack, ignored (did you mean 'production_vendue', a revenue?)"
    ]
    assert "2024-01,Gare," in result.stdout  # `Boutique` is the entity, `01/2024` the month: no problem about either


def test_periods_written_as_first_of_month_dates_are_months(tmp_path: Path) -> None:
    facts = tmp_path / "excel.csv"
    facts.write_text("period,charges_personnel,production_vendue\n2024-01-01,3000,12000\n2024-02-01,3100,12500\n")
    result = evaluate(facts, "--strict", "--fail-on", "warning")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert values(result.stdout, "production_exercice") == {("production_exercice", "2024-01"): "12000", ("production_exercice", "2024-02"): "12500"}


def test_absent_lines_of_a_small_company_mean_zero(tmp_path: Path) -> None:
    books = tmp_path / "books.csv"
    books.write_text(
        "period,ventes_marchandises,cout_achat_marchandises_vendues,production_vendue,achats_matieres_consommes,"
        "charges_externes,impots_taxes,charges_personnel,dotations_amortissements_provisions\n"
        "2025-01,10000,4000,2000,500,1500,200,3000,300\n"
    )
    result = evaluate(books, "--strict")
    assert result.exit_code == 0, result.output
    # EBE: (10000 - 4000) + (2000 + 0 stocked) - (500 + 1500) + 0 grants - 200 - 3000 = 2800
    # operating result: 2800 + 0 - 0 - 300 = 2500; net result: 2500 + 0 - 0 (financial) + 0 - 0 (exceptional) - 0 (tax) = 2500
    assert values(result.stdout, "ebe", "resultat_exploitation", "resultat_net") == {
        ("ebe", "2025-01"): "2800", ("resultat_exploitation", "2025-01"): "2500", ("resultat_net", "2025-01"): "2500",
    }
    explained = CliRunner().invoke(main, ["explain", STANDARD, "ebe", "--facts", str(books), "--period", "2025-01", "--lang", "en"])
    assert explained.exit_code == 0, explained.output
    assert "   │  │  └─ subventions_exploitation [input] = €0.00\n   │  │     └─ absent from the facts: 0 (missing: zero) = €0.00" in explained.stdout

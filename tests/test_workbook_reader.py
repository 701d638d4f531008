"""Workbooks as facts (.xlsx, .ods): sheet choice, long and wide layouts, date cells, exact numbers, cell locations.

The workbooks are written in each test with openpyxl (xlsx) and odfpy (ods),
well-kept writers, and read by the engine with python-calamine.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import Table, TableCell, TableRow
from odf.text import P

from kpi_engine import FactsError, load_facts
from kpi_engine.cli import main
from kpi_engine.facts import ReadResult, detect_format, read_facts

Sheets = dict[str, list[list[object]]]
WIDE = [
    ["Chiffres clés 2025"],  # a title row above the header is skipped
    [],
    ["period", "entity", "chiffre_affaires_ht", "charges"],
    [date(2025, 1, 1), "lyon", 0.1, 3],
    [date(2025, 2, 1), "lyon", 1234.56, None],
    [datetime(2025, 3, 1), "lyon", 0.30000000000000004, -2.5],
]


def xlsx(sheets: Sheets) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def ods(sheets: Sheets) -> bytes:
    document = OpenDocumentSpreadsheet()
    for title, rows in sheets.items():
        table = Table(name=title)
        for row in rows:
            line = TableRow()
            for value in row:
                line.addElement(_ods_cell(value))
            table.addElement(line)
        document.spreadsheet.addElement(table)
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


def _ods_cell(value: object) -> TableCell:
    if isinstance(value, date):
        cell = TableCell(valuetype="date", datevalue=value.isoformat())
    elif isinstance(value, (int, float)):
        cell = TableCell(valuetype="float", value=repr(value))
    else:
        cell = TableCell(valuetype="string")
    if value is not None:
        cell.addElement(P(text=str(value)))
    return cell


def facts_of(result: ReadResult) -> list[tuple[str | None, str, str, str, str]]:
    return [(f.entity, f.name, str(f.period), str(f.value), str(f.location)) for f in result.facts.facts()]


@pytest.mark.parametrize("write", [xlsx, ods], ids=["xlsx", "ods"])
def test_wide_sheet_with_date_cells_and_exact_numbers(write):
    data = write({"Notes": [["Lisez-moi"]], "Ventes": WIDE})
    assert detect_format(data, "chiffres.bin") == "workbook"  # by content, not by extension
    result = read_facts(data, "chiffres.xlsx")
    assert result.problems == ()
    assert facts_of(result) == [  # the first sheet that looks like facts; first-of-month dates are months
        ("lyon", "chiffre_affaires_ht", "2025-01", "0.1", "chiffres.xlsx:Ventes!C4"),
        ("lyon", "charges", "2025-01", "3", "chiffres.xlsx:Ventes!D4"),
        ("lyon", "chiffre_affaires_ht", "2025-02", "1234.56", "chiffres.xlsx:Ventes!C5"),
        ("lyon", "chiffre_affaires_ht", "2025-03", "0.3", "chiffres.xlsx:Ventes!C6"),
        ("lyon", "charges", "2025-03", "-2.5", "chiffres.xlsx:Ventes!D6"),
    ]
    assert all(isinstance(f.value, Decimal) for f in result.facts.facts())


@pytest.mark.parametrize("write", [xlsx, ods], ids=["xlsx", "ods"])
def test_numbers_are_read_as_displayed(write):
    stored = [0.1, 0.1 + 0.2, 3.0, 2 / 3, 1e20, -0.0, 123456.789, 7]
    data = write({"S": [["period", *[f"n{i}" for i in range(len(stored))]], ["2025", *stored]]})
    values = {f.name: str(f.value) for f in read_facts(data, "b.xlsx").facts.facts()}
    assert [values[f"n{i}"] for i in range(len(stored))] == ["0.1", "0.3", "3", "0.666666666666667", "1E+20", "0", "123456.789", "7"]


def test_long_sheet_with_days_and_text_periods():
    data = xlsx({"Faits": [
        ["Période", "Entité", "Indicateur", "Valeur"],
        [date(2025, 1, 15), "lyon", "ventes", 10],
        [date(2025, 1, 16), "lyon", "ventes", 12.25],
    ]})
    assert facts_of(read_facts(data, "b.xlsx")) == [  # not every date is a first of month: days
        ("lyon", "ventes", "2025-01-15", "10", "b.xlsx:Faits!D2"),
        ("lyon", "ventes", "2025-01-16", "12.25", "b.xlsx:Faits!D3"),
    ]


def test_a_sheet_is_named_after_a_hash(tmp_path: Path):
    book = tmp_path / "budget.xlsx"
    book.write_bytes(xlsx({"Réel": WIDE, "Budget 2025": [["period", "budget"], ["2025-Q1", 900]]}))
    facts = load_facts([f"{book}#Budget 2025"])
    assert [(f.name, str(f.period), str(f.value), str(f.location)) for f in facts.facts()] == [
        ("budget", "2025-Q1", "900", f"{book}:'Budget 2025'!B2")
    ]


@pytest.mark.parametrize(
    ("sheets", "part", "expected"),
    [
        (
            {"Notes": [["Lisez-moi"]], "Ventes": WIDE},
            "vente",
            "b.xlsx: no sheet 'vente' (did you mean 'Ventes'?); sheets: Notes, Ventes",
        ),
        (
            {"Notes": [["Lisez-moi"]], "Vide": []},
            None,
            ("b.xlsx: no sheet has a header row naming a period column in its first 20 rows (sheets: Notes, Vide); "
            "name the sheet to read as b.xlsx#Sheet"),
        ),
        ({"Notes": [[None, "Lisez-moi"]]}, "Notes", "b.xlsx:Notes!A1: the header must have a 'period' column; found: , Lisez-moi"),
    ],
    ids=["unknown sheet", "no facts sheet", "named sheet without a period column"],
)
def test_sheet_problems(sheets, part, expected):
    assert [str(p) for p in read_facts(xlsx(sheets), "b.xlsx", part=part).problems] == [expected]


def test_bad_cells_are_located_by_sheet_and_cell():
    data = xlsx({"Ventes": [
        ["period", "ca", "cout"],
        ["2025-01", "douze", True],
        [datetime(2025, 2, 1, 14, 30), 1, 2],
        ["2025-03", date(2025, 3, 1), 4, "note"],
    ]})
    assert [str(p) for p in read_facts(data, "b.xlsx").problems] == [
        "b.xlsx:Ventes!B2: 'ca' for 2025-01: 'douze' is not a number",
        "b.xlsx:Ventes!C2: 'cout' for 2025-01: True is not a number",
        "b.xlsx:Ventes!A3: column 'period': 2025-02-01 14:30:00 has a time of day: a period is a date",
        "b.xlsx:Ventes!A4: 4 cells but the header has 3 columns",
    ]


def test_a_file_that_is_not_a_workbook(tmp_path: Path):
    (tmp_path / "book.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(FactsError) as caught:
        load_facts([tmp_path / "book.xlsx"])
    assert [str(p) for p in caught.value.problems] == [f"{tmp_path / 'book.xlsx'}: cannot be read as a workbook: Cannot detect file format"]


def test_cli_evaluates_a_workbook(tmp_path: Path):
    (tmp_path / "pack.yaml").write_text("inputs:\n  ca: {rollup: sum}\nkpis:\n  double: {formula: ca * 2, frequency: monthly}\n")
    (tmp_path / "book.xlsx").write_bytes(xlsx({"Feuil1": [["Mois", "ca"], [date(2025, 1, 1), 0.1]]}))
    result = CliRunner().invoke(main, ["evaluate", str(tmp_path / "pack.yaml"), "--facts", str(tmp_path / "book.xlsx"), "--format", "csv", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "2025-01" in result.stdout and "0.2" in result.stdout

"""The FEC ledger: recognised by its header, read as ledger lines, checked as an accountant checks it.

Each test writes a small FEC as the accounting software would (tab or `|`,
UTF-8 or ISO-8859-15, CR/LF/CRLF) and checks the lines or the exact messages.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from kpi_engine import FactsError, load_facts
from kpi_engine.facts import detect_format
from kpi_engine.facts.fec_reader import FEC_COLUMNS, LedgerLine, read_ledger

# JournalCode, JournalLib, EcritureNum, EcritureDate, CompteNum, CompteLib, EcritureLib, Debit, Credit
LINES = [
    ("AN", "A nouveaux", "1", "20240101", "512000", "Banque", "Report", "1000,00", "0,00"),
    ("AN", "A nouveaux", "1", "20240101", "101000", "Capital", "Report", "0,00", "1000,00"),
    ("VE", "Ventes", "VE1", "20240115", "411000", "Clients", "Facture 1", "1200,00", ""),
    ("VE", "Ventes", "VE1", "20240115", "706000", "Prestations", "Facture 1", "", "1000,00"),
    ("VE", "Ventes", "VE1", "20240115", "445710", "TVA collectée", "Facture 1", "", "200,00"),
    ("OD", "Opérations diverses", "OD1", "20240101", "512000", "Banque", "Extourne", "5,50", ""),
    ("OD", "Opérations diverses", "OD1", "20240101", "622000", "Honoraires", "Extourne", "", "5,50"),
]


def fec(lines=LINES, separator="\t", newline="\r\n", extra="") -> str:
    rows = [list(FEC_COLUMNS) + ([extra] if extra else [])]
    for journal, journal_label, entry, day, account, account_label, label, debit, credit in lines:
        rows.append([journal, journal_label, entry, day, account, account_label, "", "", "P1", day, label, debit, credit,
                     "", "", day, "", "EUR"] + (["x"] if extra else []))
    return newline.join(separator.join(row) for row in rows) + newline


@pytest.mark.parametrize("separator", ["\t", "|"])
@pytest.mark.parametrize("newline", ["\r\n", "\n", "\r"])
@pytest.mark.parametrize("encoding", ["utf-8", "iso-8859-15", "utf-8-sig"])
def test_an_fec_in_any_of_its_real_shapes(separator, newline, encoding):
    data = fec(separator=separator, newline=newline).encode(encoding)
    assert detect_format(data, "export.csv") == "fec"  # whatever its name
    result = read_ledger(data, "FEC.txt")
    assert result.problems == ()
    assert [(line.journal, line.account, line.debit, line.credit, line.opening) for line in result.ledger.lines][:3] == [
        ("AN", "512000", Decimal("1000.00"), Decimal("0.00"), True),
        ("AN", "101000", Decimal("0.00"), Decimal("1000.00"), True),
        ("VE", "411000", Decimal("1200.00"), Decimal(0), False),
    ]
    assert result.ledger.lines[4] == LedgerLine(6, "VE", "VE1", date(2024, 1, 15), "445710", "", "Facture 1", Decimal(0), Decimal("200.00"), False)


def test_opening_entries_by_journal_code_or_label_never_by_date():
    text = fec(LINES + [
        ("RAN", "Reprise", "R1", "20240101", "512000", "Banque", "", "1", ""),
        ("RAN", "Reprise", "R1", "20240101", "101000", "Capital", "", "", "1"),
        ("X9", "Journal des à-nouveaux", "X1", "20240101", "512000", "Banque", "", "1", ""),
        ("X9", "Journal des à-nouveaux", "X1", "20240101", "101000", "Capital", "", "", "1"),
    ])
    lines = read_ledger(text.encode(), "FEC.txt").ledger.lines
    assert [(line.journal, line.opening) for line in lines] == [
        ("AN", True), ("AN", True), ("VE", False), ("VE", False), ("VE", False),
        ("OD", False), ("OD", False),  # a reversal booked on the first day is not an opening entry
        ("RAN", True), ("RAN", True), ("X9", True), ("X9", True),
    ]


def test_montant_and_sens_instead_of_debit_and_credit():
    header = "JournalCode|JournalLib|EcritureNum|EcritureDate|CompteNum|CompteLib|CompAuxNum|CompAuxLib|PieceRef|PieceDate|EcritureLib|Montant|Sens|EcritureLet|DateLet|ValidDate|Montantdevise|Idevise"
    rows = ["VE|Ventes|1|20240301|411000|Clients||||20240301|F1|120,00|D||||| ",
            "VE|Ventes|1|20240301|706000|Ventes||||20240301|F1|120,00|C|||||"]
    result = read_ledger("\n".join([header, *rows]).encode(), "FEC.txt")
    assert result.problems == ()
    assert [(line.debit, line.credit) for line in result.ledger.lines] == [(Decimal("120.00"), 0), (0, Decimal("120.00"))]


def test_extra_trailing_columns_are_fine():
    assert read_ledger(fec(extra="Analytique").encode(), "FEC.txt").problems == ()


def test_the_legal_file_name_gives_the_company_and_closing_date():
    ledger = read_ledger(fec().encode(), "exports/123456789FEC20241231.txt").ledger
    assert (ledger.siren, ledger.closing) == ("123456789", date(2024, 12, 31))
    assert read_ledger(fec().encode(), "grand-livre.txt").ledger.siren is None


def test_problems_are_located_and_every_other_line_read():
    lines = [
        ("VE", "Ventes", "1", "20240115", "411000", "Clients", "F1", "100,00", ""),
        ("VE", "Ventes", "1", "20240115", "706000", "Ventes", "F1", "", "90,00"),
        ("VE", "Ventes", "2", "2024-01-16", "411000", "Clients", "F2", "10,00", ""),
        ("VE", "Ventes", "3", "20240117", "411000", "Clients", "F3", "dix", ""),
        ("VE", "Ventes", "4", "20240117", "", "Clients", "F4", "1,00", ""),
        ("VE", "Ventes", "5", "20240231", "411000", "Clients", "F5", "1,00", ""),
    ]
    text = fec(lines) + "VE\tVentes\t6\n"
    result = read_ledger(text.encode(), "FEC.txt")
    assert [str(p) for p in result.problems] == [
        "FEC.txt:4: EcritureDate '2024-01-16' is not a date written AAAAMMJJ",
        "FEC.txt:5: Debit 'dix' is not an amount",
        "FEC.txt:6: CompteNum is empty",
        "FEC.txt:7: EcritureDate '20240231' is not a date written AAAAMMJJ",
        "FEC.txt:8: 3 cells but the FEC header has 13 columns up to the last one read",
        "FEC.txt:2: entry 1 of journal VE does not balance: debits 100.00, credits 90.00 (2 lines)",
        "FEC.txt: the ledger does not balance: debits 100.00, credits 90.00",
    ]
    assert len(result.ledger.lines) == 2


def test_a_header_without_amounts():
    header = "\t".join(FEC_COLUMNS[:11])
    assert [str(p) for p in read_ledger((header + "\n").encode(), "FEC.txt").problems] == [
        "FEC.txt:1: the FEC header lacks Debit, Credit (or Montant and Sens in place of Debit and Credit)"
    ]


def test_an_fec_given_as_facts_says_what_it_cannot_do_yet(tmp_path: Path):
    path = tmp_path / "123456789FEC20241231.txt"
    path.write_bytes(fec().encode("iso-8859-15"))
    with pytest.raises(FactsError) as caught:
        load_facts([path])
    assert [str(p) for p in caught.value.problems] == [
        f"{path}: an FEC ledger (7 lines, 2024-01-01 to 2024-01-15): reading inputs from accounts is not supported yet; "
        "give the inputs as a CSV, workbook, YAML or JSON file"
    ]

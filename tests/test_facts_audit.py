"""Audit down to the accounts: `kpi explain` continues below an input read from an FEC to the accounts and
amounts that made it (a balance: its opening entries and the movements of the fiscal year), at a month and
at a quarter rolled up from months. Facts from other sources carry no audit."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner

from kpi_engine import Period, load_facts, load_pack, standard_library_path
from kpi_engine.cli import main
from kpi_engine.facts import AuditLine

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "fec"
BOOKS = [str(path) for path in sorted(EXAMPLE.glob("*FEC*.txt"))]
ENTITY = "812345676"


def explain(kpi: str, period: str, lang: str = "en") -> list[str]:
    arguments = ["explain", str(standard_library_path()), kpi, "--period", period, "--entity", ENTITY, "--lang", lang]
    result = CliRunner().invoke(main, [*arguments, *(a for book in BOOKS for a in ("--facts", book))])
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def test_an_input_from_the_books_shows_its_accounts() -> None:
    lines = explain("tresorerie_nette", "2025-03")
    # the reference shows this output (the tutorial shows it in French, run by test_docs_outputs)
    assert "\n".join(lines) in (EXAMPLE.parents[1] / "docs" / "reference.md").read_text(encoding="utf-8")
    assert lines == [
        "tresorerie_nette = 8017.40 (€8,017.40)",
        "└─ disponibilites - concours_bancaires_courants = 8017.40",
        "   ├─ disponibilites [input] = 8017.40 (€8,017.40)",
        "   │  └─ 512000 Banque Populaire [account] = 8017.40 (€8,017.40)",
        "   │     ├─ opening balance (start of the fiscal year) = 9841.62 (€9,841.62)",
        "   │     └─ movements of the fiscal year to the period's end = -1824.22 (-€1,824.22)",
        "   └─ concours_bancaires_courants [input] = 0 (€0.00)",
        "      └─ no amount on its accounts = 0 (€0.00)",
    ]


def test_a_quarter_sums_the_accounts_of_its_months() -> None:
    facts = load_facts(BOOKS, load_pack(standard_library_path()))
    months = [facts.detail(ENTITY, "charges_personnel", Period.parse(f"2025-0{m}")) for m in (1, 2, 3)]
    salaries = sum(line.amount for lines in months for line in lines or () if line.account == "641100")
    lines = explain("ebe", "2025-Q1", lang="fr")
    assert salaries == Decimal("76320.00")  # 3 x 25 440.00
    assert "      ├─ 641100 Salaires, appointements [compte] = 76320,00 (76 320,00 €)" in lines  # exact, with the French decimal mark


def test_facts_from_other_sources_carry_no_audit(tmp_path: Path) -> None:
    (tmp_path / "f.csv").write_text("period,charges_personnel\n2025-01,10\n")
    facts = load_facts([tmp_path / "f.csv"])
    assert facts.detail(None, "charges_personnel", Period.parse("2025-01")) is None
    assert facts.entity(None).details == {}


def test_an_audit_line_of_a_balance_splits_opening_and_movements() -> None:
    line = AuditLine("512000", "Banque", Decimal("80"), opening=Decimal("100"))
    assert line.movements == Decimal("-20")
    assert AuditLine("707000", "Ventes", Decimal("5")).movements == Decimal("5")

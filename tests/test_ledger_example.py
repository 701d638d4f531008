"""The example bakery: the standard library evaluated straight from its FEC gives the same values as
evaluated from the same figures typed as a long CSV (worked out by the generator from a hand-written
chart of accounts, not from the engine's account rules)."""

from __future__ import annotations

import importlib.util
import sys
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import pytest

from kpi_engine import (
    Facts,
    Pack,
    Period,
    load_pack,
    read_facts_text,
    standard_library_path,
)
from kpi_engine.ledger import AuditLine, LedgerFacts, ledger_facts, read_fec

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "fec"
FEC_FILES = sorted(EXAMPLE.glob("*FEC*.txt"))
ENTITY = "812345676"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_fec", EXAMPLE / "generate_fec.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def standard() -> Pack:
    return load_pack(standard_library_path())


@pytest.fixture(scope="module")
def from_books(standard: Pack) -> LedgerFacts:
    ledgers = []
    for path in FEC_FILES:
        ledger, problems = read_fec(path.read_bytes(), path.name)
        assert problems == []
        ledgers.append(ledger)
    mapped, problems = ledger_facts(ledgers, standard.inputs)
    assert problems == []
    return mapped


@pytest.fixture(scope="module")
def typed() -> Facts:
    return read_facts_text((EXAMPLE / "monthly_inputs.csv").read_text(encoding="utf-8"), "monthly_inputs.csv")


def test_the_generator_wrote_the_committed_files(tmp_path: Path) -> None:
    written = _generator().generate(tmp_path)
    assert [p.name for p in written] == [*(p.name for p in FEC_FILES), "monthly_inputs.csv"]
    for path in written:
        assert path.read_bytes() == (EXAMPLE / path.name).read_bytes(), path.name


def test_two_fiscal_years_with_opening_entries() -> None:
    ledgers = [read_fec(path.read_bytes(), path.name)[0] for path in FEC_FILES]
    spans = [(str(ledger.months[0]), str(ledger.months[-1]), ledger.entity) for ledger in ledgers]
    assert spans == [("2024-01", "2024-12", ENTITY), ("2025-01", "2025-12", ENTITY)]
    assert all(ledger.opening for ledger in ledgers)
    assert ledgers[1].opening["129000"] > 0  # the 2024 loss, carried to 2025 in account 129


def test_every_accounting_input_of_the_standard_library_is_fed(standard: Pack, from_books: LedgerFacts) -> None:
    fed = {name for name, definition in standard.inputs.items() if definition.accounts}
    assert from_books.facts.names() == fed
    assert len(from_books.facts) == len(fed) * 24  # every month, zeros included


def test_the_books_give_the_typed_figures(from_books: LedgerFacts, typed: Facts) -> None:
    assert sorted(map(_key, from_books.facts.facts())) == sorted(map(_key, typed.facts()))


def _key(fact: object) -> tuple:
    return fact.entity, fact.name, str(fact.period), fact.value  # type: ignore[attr-defined]


def test_every_kpi_is_the_same_from_the_books_and_from_the_csv(standard: Pack, from_books: LedgerFacts, typed: Facts) -> None:
    books, csv = standard.evaluate(from_books.facts), standard.evaluate(typed)
    by_key = {(r.kpi, r.period, r.entity): r for r in csv.results}
    assert len(books.results) == len(csv.results)
    for result in books.results:
        other = by_key[(result.kpi, result.period, result.entity)]
        assert (result.value, result.status) == (other.value, other.status), (result.kpi, str(result.period))
    defined = {r.kpi for r in books.results if r.value is not None}
    assert {"ebe", "resultat_net", "bfr", "tresorerie_nette", "dscr", "controle_equilibre_bilan"} <= defined
    assert sorted((a.kpi, str(a.period), a.message) for a in books.alerts) == sorted((a.kpi, str(a.period), a.message) for a in csv.alerts)


def test_the_balance_sheet_from_the_books_balances(standard: Pack, from_books: LedgerFacts) -> None:
    evaluation = standard.evaluate(from_books.facts)
    gaps = {r.value for r in evaluation.results if r.kpi == "controle_equilibre_bilan"}
    assert gaps == {Decimal("0.00")}


def test_the_audit_names_the_accounts_of_a_figure(from_books: LedgerFacts) -> None:
    lines = from_books.audit[("ventes_marchandises", ENTITY, Period.parse("2025-12"))]
    rebate = AuditLine("709700", "Rabais, remises et ristournes accordés sur marchandises", Decimal("-600.00"))
    assert rebate in lines
    assert sum(line.amount for line in lines) == from_books.facts.entity(ENTITY).by_period[Period.parse("2025-12")]["ventes_marchandises"]
    overdraft = from_books.audit[("concours_bancaires_courants", ENTITY, Period.parse("2024-08"))]
    assert [line.account for line in overdraft] == ["512000"]
    assert from_books.audit[("concours_bancaires_courants", ENTITY, Period.parse("2024-07"))] == ()

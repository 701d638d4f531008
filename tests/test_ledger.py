"""The FEC reader and account rules: each file of tests/data/ledger/ against its case in cases.yaml."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from kpi_engine import Pack, PackError, Period, load_pack, standard_library_path
from kpi_engine.ledger import AccountRule, fec_facts, is_fec, ledger_facts, read_fec
from kpi_engine.ledger.fec import LEGAL_COLUMNS, MAX_LINE_PROBLEMS

DATA = Path(__file__).parent / "data" / "ledger"
CASES: dict[str, dict[str, Any]] = yaml.safe_load((DATA / "cases.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def standard() -> Pack:
    return load_pack(standard_library_path())


def test_every_file_has_a_case() -> None:
    files = {p.name for p in DATA.glob("*.txt")} - {"not_fec.txt"}
    assert files == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_fec_case(name: str, standard: Pack) -> None:
    case = CASES[name]
    data = (DATA / name).read_bytes()
    assert is_fec(data)
    ledger, problems = read_fec(data, name)
    assert [str(p) for p in problems] == case["problems"]
    if "entity" in case:
        assert ledger.entity == case["entity"]
    if "months" in case:
        assert [str(m) for m in ledger.months[:1] + ledger.months[-1:]] == case["months"]
    if "opening" in case:
        assert dict(ledger.opening) == {account: Decimal(v) for account, v in case["opening"].items()}
    for account, label in case.get("labels", {}).items():
        assert ledger.labels[account] == label
    mapped, mapping_problems = ledger_facts([ledger], standard.inputs)
    assert [str(p) for p in mapping_problems] == case.get("mapping", [])
    facts = mapped.facts.entity(ledger.entity).by_period
    for period, values in case.get("inputs", {}).items():
        got = facts[Period.parse(period)]
        assert {n: got.get(n) for n in values} == {n: Decimal(v) for n, v in values.items()}, period


def test_a_file_that_is_not_an_fec_is_named_so() -> None:
    data = (DATA / "not_fec.txt").read_bytes()
    assert not is_fec(data)
    ledger, problems = read_fec(data, "not_fec.txt")
    assert ledger.months == ()
    assert [str(p) for p in problems] == [(
        "not_fec.txt:1: not an FEC: the header lacks JournalCode, JournalLib, EcritureNum, EcritureDate, CompteNum, "
        f"CompteLib, Debit, Credit; an FEC has the legal columns {', '.join(LEGAL_COLUMNS)} (found: period,entity,name,value)"
    )]


def test_a_pack_without_account_rules_is_told_the_fec_gives_nothing() -> None:
    pack = Pack.from_texts({"pack.yaml": "inputs:\n  ventes: {rollup: sum}\nkpis:\n  ca: {formula: ventes, frequency: monthly}\n"})
    mapped, problems = ledger_facts([read_fec((DATA / "good.txt").read_bytes(), "good.txt")[0]], pack.inputs)
    assert len(mapped.facts) == 0
    assert [str(p) for p in problems] == ["good.txt: warning: no input of the pack has account rules ('accounts:'), so the FEC gives no figure"]


def test_the_user_names_the_entity() -> None:
    data = (DATA / "812345676FEC20241231.txt").read_bytes()
    assert read_fec(data, "812345676FEC20241231.txt", entity="martin")[0].entity == "martin"


def test_two_companies_are_two_entities(standard: Pack) -> None:
    data = (DATA / "812345676FEC20241231.txt").read_bytes()
    ledgers = [read_fec(data, name)[0] for name in ("812345676FEC20241231.txt", "d/552100554FEC20241231.txt")]
    facts, problems = ledger_facts(ledgers, standard.inputs)
    assert problems == []
    assert facts.facts.entities == ["552100554", "812345676"]


def test_overlapping_fiscal_years_of_one_entity_are_reported(standard: Pack) -> None:
    first = read_fec((DATA / "812345676FEC20241231.txt").read_bytes(), "812345676FEC20241231.txt")[0]
    second = read_fec((DATA / "812345676FEC20250630.txt").read_bytes(), "812345676FEC20250630.txt")[0]
    mapped, problems = ledger_facts([first, second], standard.inputs)
    assert [str(p) for p in problems] == [(
        "812345676FEC20250630.txt: the fiscal year 2024-07 to 2025-06 overlaps the fiscal year 2024-01 to 2024-12 of entity "
        "'812345676' read from 812345676FEC20241231.txt: give each fiscal year once; this file is not read"
    )]
    assert len(mapped.facts) == len(mapped.audit) == 12 * sum(1 for i in standard.inputs.values() if i.accounts)


def test_a_wholly_unreadable_file_is_summed_up() -> None:
    header = "\t".join(LEGAL_COLUMNS)
    line = "VE\tVentes\t1\t2024-01-15\t707000\tVentes\t\t\t\t\t\t0\t1\t\t\t\t\t"
    problems = read_fec("".join(f"{row}\n" for row in [header, *[line] * 150]).encode(), "bad.txt")[1]
    assert len(problems) == MAX_LINE_PROBLEMS + 1
    assert str(problems[-1]) == "bad.txt: 50 more lines cannot be read (the first 100 are listed)"


def test_the_reader_maps_with_the_packs_account_rules() -> None:
    facts, problems = fec_facts((DATA / "good.txt").read_bytes(), "good.txt", Pack.from_texts({"pack.yaml": "extends: standard"}))
    assert problems == []
    assert facts.entity(None).by_period[Period.parse("2024-01")]["ventes_marchandises"] == Decimal("100.00")


def test_without_a_pack_an_fec_has_no_rules_to_be_read_with() -> None:
    facts, problems = fec_facts((DATA / "good.txt").read_bytes(), "good.txt", None)
    assert not list(facts.facts())
    assert [str(p) for p in problems] == [
        "good.txt: an FEC is turned into facts by a pack's account rules: read it with the pack (kpi evaluate PACK --facts FILE)"
    ]


# --- account rules -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("account", "covered"),
    [("707000", False), ("701000", True), ("709100", True), ("709700", False), ("709710", True), ("601000", False)],
)
def test_the_longest_prefix_decides(account: str, covered: bool) -> None:
    rule = AccountRule("flow", "credit", include=("70", "70971"), exclude=("707", "7097"))
    assert rule.covers(account) is covered


def _pack_problems(accounts: str, rollup: str = "sum") -> list[str]:
    text = f"inputs:\n  ventes:\n    rollup: {rollup}\n    accounts: {accounts}\nkpis:\n  ca: {{formula: ventes, frequency: monthly}}\n"
    with pytest.raises(PackError) as raised:
        Pack.from_texts({"pack.yaml": text})
    return [str(p) for p in raised.value.problems]


@pytest.mark.parametrize(
    ("accounts", "rollup", "expected"),
    [
        ('{flow: credit, balance: debit, include: ["707"]}', "sum",
         ("pack.yaml:4:15: inputs.ventes.accounts: give either 'flow' (movements of the month) or 'balance' "
          "(balance at the end of the month), found both")),
        ('{include: ["707"]}', "sum",
         ("pack.yaml:4:15: inputs.ventes.accounts: give either 'flow' (movements of the month) or 'balance' "
          "(balance at the end of the month), found neither")),
        ('{flow: credit, include: ["707"]}', "last",
         "pack.yaml:3:13: inputs.ventes.rollup: an input fed by a flow of accounts rolls up with 'sum', not 'last'"),
        ('{balance: debit, include: ["512"]}', "sum",
         "pack.yaml:3:13: inputs.ventes.rollup: an input fed by a balance of accounts rolls up with 'last', not 'sum'"),
        ('{flow: credit, include: ["707"], exclude: ["707"]}', "sum",
         "pack.yaml:4:15: inputs.ventes.accounts: account '707' is both included and excluded"),
        ('{flow: crédit, include: ["707"]}', "sum",
         "pack.yaml:4:22: inputs.ventes.accounts.flow: 'crédit' is not one of debit, credit (did you mean 'credit'?)"),
        ('{flow: credit, include: []}', "sum", "pack.yaml:4:39: inputs.ventes.accounts.include: must not be empty"),
        ('{flow: credit, include: ["70 7"]}', "sum", (
             "pack.yaml:4:40: inputs.ventes.accounts.include[1]: '70 7' is not an account number or prefix: letters and digits only, like 707")),
        ('{flow: credit, comptes: ["707"]}', "sum",
         "pack.yaml:4:30: inputs.ventes.accounts: unknown key 'comptes'; allowed keys: balance, exclude, flow, gross, include"),
    ],
)
def test_account_rule_problems_are_located(accounts: str, rollup: str, expected: str) -> None:
    assert expected in _pack_problems(accounts, rollup)


def test_account_prefixes_may_be_written_as_numbers() -> None:
    text = "inputs:\n  ventes:\n    rollup: sum\n    accounts: {flow: credit, include: [707, 7097]}\nkpis:\n  ca: {formula: ventes, frequency: monthly}\n"
    rule = Pack.from_texts({"pack.yaml": text}).inputs["ventes"].accounts
    assert rule is not None and rule.include == ("707", "7097")
    assert rule.describe() == "flow credit 707 7097"


def test_a_company_pack_gives_an_extended_input_its_own_accounts() -> None:
    text = 'extends: standard\ninputs:\n  ventes_marchandises:\n    rollup: sum\n    accounts: {flow: credit, include: ["707", "7088"]}\n'
    redefined = Pack.from_texts({"pack.yaml": text}).inputs["ventes_marchandises"]
    assert redefined.accounts is not None and redefined.accounts.include == ("707", "7088")
    assert (redefined.unit, redefined.minimum, redefined.label.en) == ("EUR", Decimal(0), "Sales of goods for resale")  # kept
    assert str(redefined.location) == "pack.yaml:3:3"


def test_a_redefinition_keeps_the_rollup_and_comes_once() -> None:
    text = "extends: standard\ninputs:\n  stocks: {rollup: sum}\n  disponibilites: {rollup: last}\n"
    with pytest.raises(PackError) as raised:
        Pack.from_texts({"pack.yaml": text, "more.yaml": "inputs:\n  disponibilites: {rollup: last}\n"})
    redefined, twice = sorted(str(p) for p in raised.value.problems)[::-1]
    assert redefined.startswith("pack.yaml:3:3: input 'stocks' redefines the input of the extended pack at ")
    assert "inputs.yaml:" in redefined and redefined.endswith(": keep its rollup 'last', not 'sum'")
    assert twice == "more.yaml:2:3: input 'disponibilites' is defined twice: an input of that name is already defined at pack.yaml:4:3"

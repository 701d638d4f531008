"""Facts files: CSV long and wide, French exports, YAML, JSON; exact decimals; located errors.

The files are in tests/data/facts/ and what each must give is in
tests/data/facts/expected.yaml.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from kpi_engine import Fact, Facts, FactsError, Period, read_facts_text
from kpi_engine.facts import ReadResult, read_facts
from kpi_engine.numbers import parse_number

FACTS = Path(__file__).parent / "data" / "facts"
EXPECTED = yaml.safe_load((FACTS / "expected.yaml").read_text(encoding="utf-8"))


def _params(kind: str) -> list:
    params = []
    for name, case in EXPECTED.items():
        if kind in case:
            marks = [pytest.mark.xfail(reason=case["xfail"], strict=True)] if "xfail" in case else []
            params.append(pytest.param(name, case[kind], id=name, marks=marks))
    return params


def read_result(name: str) -> ReadResult:
    return read_facts((FACTS / name).read_bytes(), name)


def read(name: str) -> Facts:
    result = read_result(name)
    if result.errors:
        raise FactsError(result.errors)
    return result.facts


def test_every_data_file_has_an_expectation():
    files = {p.name for p in FACTS.iterdir() if p.name != "expected.yaml"} - {"conflict_a.csv", "conflict_b.csv"}
    assert files == set(EXPECTED)


@pytest.mark.parametrize(("name", "expected"), _params("facts"))
def test_facts_file(name, expected):
    result = read_result(name)
    assert [str(p) for p in result.problems] == EXPECTED[name].get("warnings", [])
    facts = result.facts
    found = sorted(
        (fact.entity or "", fact.name, str(fact.period), str(fact.value), str(fact.location)) for fact in facts.facts()
    )
    wanted = sorted((e or "", n, p, v, loc[0] if loc else None) for e, n, p, v, *loc in expected)
    if all(row[4] is None for row in wanted):
        found = [(*row[:4], None) for row in found]
    assert found == wanted
    for fact in facts.facts():
        assert isinstance(fact.value, Decimal)


@pytest.mark.parametrize(("name", "expected"), _params("problems"))
def test_bad_facts_file(name, expected):
    assert [str(p) for p in read_result(name).problems] == expected


def test_json_number_is_an_exact_decimal():
    (fact,) = [f for f in read("plain.json").facts() if f.name == "chiffre_affaires_ht"]
    assert fact.value == Decimal("1234.56") and str(fact.value) == "1234.56"
    assert fact.value != Decimal(1234.56)  # noqa: RUF032 - on purpose: the float would be 1234.55999999999994543031789362430572509765625


def test_empty_cell_is_missing_not_zero():
    wide = read("wide.csv")
    periods = wide.entity("lyon").by_period
    assert "chiffre_affaires_ht" not in periods[Period.parse("2025-02")]
    assert "charges" not in read("long.csv").entity("lyon").by_period[Period.parse("2025-01")]
    assert "charges" not in read("plain.yaml").entity(None).by_period[Period.parse("2025-01")]
    assert "charges" not in read("entities.json").entity("lyon").by_period[Period.parse("2025-01")]


def test_entities_are_found_in_csv_yaml_and_json():
    assert read("long.csv").entities == [None, "lyon", "paris"]
    assert read("entities.yaml").entities == ["lyon", "paris"]
    assert read("entities.json").entities == ["lyon", "paris"]
    assert read("plain.yaml").entities == [None]


def test_conflicting_duplicates_across_two_files():
    facts = read("conflict_a.csv")
    problems = facts.merge(read("conflict_b.csv"))
    # 2025-01 is 100 in both (100.00 == 100): not a conflict; 2025-02 is 200 then 250
    assert [str(p) for p in problems] == [
        "conflict_b.csv:3: 'chiffre_affaires_ht' for 2025-02 is given twice with different values (200 at conflict_a.csv:3, 250 here)"
    ]
    assert facts.entity(None).by_period[Period.parse("2025-02")]["chiffre_affaires_ht"] == Decimal(200)  # the first is kept


def test_conflicting_records_raise_with_entity():
    with pytest.raises(FactsError) as caught:
        Facts.from_records([("lyon", "ca", "2025-01", "1"), ("lyon", "ca", "2025-01", "2")])
    assert [str(p) for p in caught.value.problems] == [
        "<records>:2: 'ca' for 2025-01 for entity 'lyon' is given twice with different values (1 at <records>:1, 2 here)"
    ]


def test_from_records_accepts_facts_and_tuples():
    facts = Facts.from_records(
        [Fact("lyon", "ca", Period.parse("2025-01"), Decimal("1.10")), ("lyon", "ca", "2025-02", "2,5"), ("lyon", "cout", Period.parse("2025-01"), 3)]
    )
    assert len(facts) == 3
    assert facts.entity("lyon").by_period[Period.parse("2025-02")]["ca"] == Decimal("2.5")
    assert facts.names() == {"ca", "cout"}


@pytest.mark.parametrize(
    ("text", "decimal_comma", "expected"),
    [
        ("1234.56", False, "1234.56"),
        ("1 234,56", True, "1234.56"),
        ("1\u00a0234,56", True, "1234.56"),
        ("1\u202f234,56", True, "1234.56"),
        ("(1 234,56)", True, "-1234.56"),
        ("-12,5 %", True, "-0.125"),
        ("8%", False, "0.08"),
        ("1.234,5", True, "1234.5"),
        ("1,234.5", False, "1234.5"),
        ("1 000 €", True, "1000"),
        ("+7", False, "7"),
        (".5", False, "0.5"),
        ("0.30", False, "0.30"),
    ],
)
def test_parse_number(text, decimal_comma, expected):
    value = parse_number(text, decimal_comma)
    assert str(value) == expected


@pytest.mark.parametrize("text", ["", "abc", "NaN", "inf", "Infinity", "1_000", "12O", "1..2", "--1", "1 2 3,4,5"])
def test_parse_number_refuses(text):
    with pytest.raises(ValueError):
        parse_number(text, True)


def test_digits_of_other_scripts_are_neither_periods_nor_numbers() -> None:
    """Issue 14, case 5: `２０２５-０１` (full width) and `٢٠` (Arabic-Indic) look like figures to a regex's `\\d`
    and to `Decimal`, but no export writes them: they are refused, located, never read as 2025-01 or 20."""
    with pytest.raises(FactsError) as raised:
        read_facts_text("period,ventes\n２０２５-０１,5\n2025-02,٢٠\n", "faits.csv")
    assert [str(p) for p in raised.value.problems] == [
        "faits.csv:2: column 'period': '２０２５-０１' is not a period: write 2025, 2025-Q1, 2025-03, 2025-W07 or 2025-03-15",
        "faits.csv:3: 'ventes' for 2025-02: '٢٠' is not a number",
    ]

"""Everyday exports: periods in the forms people write, columns named as people name them.

A management export is read as it comes out of the software: `Mois;Boutique;
CA production HT;...`, cp1252, periods `01/2024`, columns named by the pack's
labels, ignoring case, accents and spacing.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from kpi_engine import Pack, Period
from kpi_engine.facts import read_facts
from kpi_engine.facts.columns import normal

PACK = Pack.from_texts({"pack.yaml": """
inputs:
  production_vendue: {label: {fr: CA production HT, en: Sold production}, rollup: sum}
  charges_personnel: {label: {fr: Charges de personnel, en: Staff costs}, rollup: sum}
  effectif: {label: {fr: Effectif moyen}, rollup: last}
  loyer: {label: {fr: Loyer}, rollup: sum}
  loyer_siege: {label: {fr: Loyer}, rollup: sum}
kpis:
  masse_salariale: {formula: charges_personnel / production_vendue, frequency: monthly}
"""})


def problems(text: str, **options) -> list[str]:
    return [str(p) for p in read_facts(text.encode("utf-8"), "f.csv", **options).problems]


def periods(text: str) -> list[str]:
    result = read_facts(text.encode("utf-8"), "f.csv")
    assert result.problems == ()
    return sorted({str(f.period) for f in result.facts.facts()})


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (["01/2024", "2/2024", "12-2024"], ["2024-01", "2024-02", "2024-12"]),
        (["2024-01-01", "2024-02-01"], ["2024-01", "2024-02"]),  # first-of-month dates: a monthly file
        (["01/01/2024", "01/02/2024"], ["2024-01", "2024-02"]),
        (["2024-01-01 00:00:00", "2024-02-01 00:00:00"], ["2024-01", "2024-02"]),
        (["2024-01-01", "2024-01-15"], ["2024-01-01", "2024-01-15"]),  # not all firsts: days
        (["15/03/2025"], ["2025-03-15"]),  # day first, as in France
        (["janv. 2024", "Févr. 2024", "mars 2024", "avr 2024", "juil.-24", "août 2024", "Déc. 2024"],
         ["2024-01", "2024-02", "2024-03", "2024-04", "2024-07", "2024-08", "2024-12"]),
        (["mars 2025", "January 2025", "sept. 2025"], ["2025-01", "2025-03", "2025-09"]),
        (["T1 2025", "t2-2025", "2025 T3"], ["2025-Q1", "2025-Q2", "2025-Q3"]),
        (["Q1 2025", "Q4/2025"], ["2025-Q1", "2025-Q4"]),
        (["2025-01", "2025-Q1", "2025"], ["2025", "2025-01", "2025-Q1"]),  # the engine's own forms mix freely
    ],
)
def test_period_forms(cells, expected):
    text = "Mois,ca\n" + "".join(f'"{cell}",1\n' for cell in cells)
    assert periods(text) == expected


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (
            ["01/2024", "janv. 2024", "2024-03"],
            ("f.csv:3: period 'janv. 2024' is written as a month name (janv. 2025), but '01/2024' at f.csv:2 "
            "is a month number (01/2025): write every period of a file one way (1 more like it)"),
        ),
        (
            ["2024-01", "2024-02-01"],
            ("f.csv:2: period '2024-01' is written as the engine's form (2025-01), but '2024-02-01' at f.csv:3 "
            "is a date: write every period of a file one way"),
        ),
        ("13/2024", "f.csv:2: column 'period': '13/2024' is not a valid period: it reads as a month number (01/2025), but there is no such one"),
        ("brumaire 2024", "f.csv:2: column 'period': 'brumaire 2024' is not a valid period: it reads as a month name (janv. 2025), but there is no such one"),
        ("31/02/2024", "f.csv:2: column 'period': '31/02/2024' is not a valid period: it reads as a date, but there is no such one"),
        ("T5 2024", "f.csv:2: column 'period': 'T5 2024' is not a period: write 2025, 2025-Q1, 2025-03, 2025-W07 or 2025-03-15"),
    ],
)
def test_period_form_problems(cells, expected):
    cells = [cells] if isinstance(cells, str) else cells
    assert problems("period,ca\n" + "".join(f'"{cell}",1\n' for cell in cells)) == [expected]


EXPORT = (
    "Mois;Boutique;CA production HT;CHARGES DE PERSONNEL;effectif_moyen;Commentaire\r\n"
    "01/2024;Gare;12 500,50;4 000,00;3;RAS\r\n"
    "02/2024;Gare;11 000,00;4 100,00;3;travaux\r\n"
    "01/2024;Centre;9 000,00;3 000,00;2;\r\n"
)


def test_a_management_export_reads_as_it_comes():
    result = read_facts(EXPORT.encode("cp1252"), "export.csv", pack=PACK)
    assert [str(p) for p in result.problems] == [
        "export.csv:1: warning: column 'Commentaire' is not an input of the pack and holds text ('RAS' at export.csv:2), not figures: ignored"
    ]
    assert result.facts.entities == ["Centre", "Gare"]
    assert result.facts.entity("Gare").by_period[Period.parse("2024-01")] == {
        "production_vendue": Decimal("12500.50"),
        "charges_personnel": Decimal("4000.00"),
        "effectif": Decimal("3"),
    }


def test_without_a_pack_columns_keep_their_names_and_text_is_an_error():
    assert problems(EXPORT) == [
        "f.csv:2: 'Commentaire' for 2024-01: 'RAS' is not a number",
        "f.csv:3: 'Commentaire' for 2024-02: 'travaux' is not a number",
    ]
    facts = read_facts(EXPORT.encode(), "f.csv").facts
    assert facts.names() == {"CA production HT", "CHARGES DE PERSONNEL", "effectif_moyen"}


def test_a_label_two_inputs_share_names_neither():
    result = read_facts(b"period,Loyer\n2024-01,100\n", "f.csv", pack=PACK)
    assert result.facts.names() == {"Loyer"}  # the pack then warns that no input reads it


def test_columns_renamed_by_the_caller():
    text = "Date de fin;Magasin;CA boutique\n01/2024;Gare;10\n"
    renames = {"date de fin": "period", "MAGASIN": "entity", "CA boutique": "production_vendue"}
    result = read_facts(text.encode(), "f.csv", pack=PACK, columns=renames)
    assert result.problems == ()
    assert [(f.entity, f.name, str(f.period)) for f in result.facts.facts()] == [("Gare", "production_vendue", "2024-01")]


def test_long_names_match_labels_too():
    text = "période;entité;indicateur;valeur\n2024-01;Gare;Charges de personnel;1\n"
    assert read_facts(text.encode(), "f.csv", pack=PACK).facts.names() == {"charges_personnel"}


def test_a_label_and_a_name_for_one_input_are_repeated_columns():
    assert problems("period,production_vendue,CA production HT\n2024-01,1,1\n", pack=PACK) == [
        "f.csv:1: column 3 'CA production HT' repeats column 2 'production_vendue': rename or remove one; neither is read"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Chiffre d'affaires HT", "chiffre_d_affaires_ht"), ("  Période ", "periode"), ("CA-production  HT", "ca_production_ht")],
)
def test_normal_names(text, expected):
    assert normal(text) == expected

"""Undefined reasons are data: every code renders in English (the text of record) and French."""

from decimal import Decimal

import pytest

from kpi_engine import Facts, Pack
from kpi_engine.periods import Period
from kpi_engine.reasons import CATALOG, Reason

SAMPLE = {
    "name": "stocks",
    "period": Period.parse("2025-03"),
    "entity": "lyon",
    "known": "yearly",
    "frequency": "monthly",
    "since": Period.parse("2025-01"),
    "start": Period.parse("2024-07"),
    "denominator": "chiffre_affaires_ht",
    "error": "Overflow",
    "member": "gare",
    "group": "groupe_martin",
    "hint": "stock",
    "value": Decimal("-2400.00"),
    "bounds": (0, None),
    "spelled": (("Lyon", "a.csv:2"), ("lyon", "a.csv:3")),
    "count": 2,
    "shown": "2025-01, 2025-02",
    "more": 3,
    "limit": 10000,
    "names": ("colonne_1", "colonne_2"),
    "input": "chiffre_affaires_ht",
    "kind": "income",
    "input_kind": "charge",
    "title": "CA production",
    "title_kind": None,
    "scenario": "budget",
    "closest": "budget",
    "inputs": "ventes_marchandises, production_vendue",
}


@pytest.mark.parametrize("code", sorted(CATALOG))
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_reason_renders_without_a_placeholder_left(code, lang):
    params = dict(SAMPLE, cause=Reason.of("missing_fact", name="ca", period=Period.parse("2025-02"), entity=None))
    text = Reason.of(code, **params).text(lang)
    assert text and "{" not in text and "None" not in text


def test_the_same_undefined_value_reads_in_both_languages():
    pack = Pack.from_texts({"p.yaml": "inputs:\n  ca: {rollup: sum}\n  stocks: {rollup: last}\nkpis:\n  k: {formula: stocks / ca, frequency: quarterly}\n"})
    facts = Facts.from_records([("lyon", "ca", f"2025-{m:02d}", 10) for m in (1, 2, 3)] + [("lyon", "stocks", "2025-01", 5)])
    (result,) = pack.evaluate(facts).results
    assert result.error == "missing fact 'stocks' for 2025-02, entity 'lyon', needed to roll stocks up to 2025-Q1"
    assert result.reason("fr") == "donnée manquante « stocks » pour 2025-02, entité « lyon », nécessaire pour cumuler stocks sur 2025-Q1"
    assert result.reason("en") == result.error


def test_facts_warnings_read_in_both_languages_with_numbers_for_the_reader():
    inputs = "inputs:\n  disponibilites: {rollup: last, min: 0}\n  ca: {rollup: sum, min: -0.5, max: 100000}\n"
    pack = Pack.from_texts({"p.yaml": inputs + "kpis:\n  k: {formula: disponibilites, frequency: monthly}\n"})
    records = [("lyon", "disponibilites", "2025-01", Decimal("-2400.00")), ("lyon", "disponibilite", "2025-01", 1), (None, "ca", "2025-01", -1)]
    facts = Facts.from_records(records)
    warnings = pack.fact_warnings(facts)
    assert [w.text("en") for w in warnings] == [
        "<records>:2: warning: 'disponibilite' is not an input of the pack, ignored (did you mean 'disponibilites'?)",
        "<records>:1: warning: 'disponibilites' is -2400.00 for 2025-01, entity 'lyon'; it should be at least 0",
        "<records>:3: warning: 'ca' is -1 for 2025-01; it should be at least -0.5 and at most 100000",
    ]
    assert [w.text("fr") for w in warnings] == [
        "<records>:2: attention : « disponibilite » n'est pas une donnée d'entrée du pack : ignorée (vouliez-vous dire « disponibilites » ?)",
        "<records>:1: attention : « disponibilites » vaut -2 400,00 en 2025-01, entité « lyon » ; elle devrait être au moins 0",
        "<records>:3: attention : « ca » vaut -1 en 2025-01 ; elle devrait être au moins -0,5 et au plus 100 000",
    ]
    assert str(warnings[1]) == warnings[1].text("en")

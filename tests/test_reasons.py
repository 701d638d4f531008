"""Undefined reasons are data: every code renders in English (the text of record) and French."""

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
    "denominator": "chiffre_affaires_ht",
    "error": "Overflow",
    "member": "gare",
    "group": "groupe_martin",
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

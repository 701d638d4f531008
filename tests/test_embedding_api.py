"""The embedding API: floats on request, French by default, lookups alike, undefined vs not evaluated, records."""

from decimal import Decimal

import pytest

import kpi_engine
from kpi_engine import Facts, FactsError, Pack, format_value
from kpi_engine.formatting import plain

PACK = """
inputs:
  ca: {rollup: sum}
  achats: {rollup: sum}
kpis:
  marge:
    label: {fr: Taux de marge, en: Margin rate}
    formula: (ca - achats) / ca
    unit: percent
    frequency: monthly
    target: 30%
    direction: higher_is_better
  arrondi: {formula: round(achats - ca), frequency: monthly}
"""


def _evaluation():
    pack = Pack.from_texts({"p.yaml": PACK})
    facts = Facts.from_records([("lyon", "ca", "2025-01", 100), ("lyon", "achats", "2025-01", 60), ("paris", "achats", "2025-01", 1)])
    return pack, facts, pack.evaluate(facts)


def test_floats_are_refused_with_the_option_named_or_read_through_their_shortest_form():
    with pytest.raises(FactsError) as refused:
        Facts.from_records([("lyon", "ca", "2025-01", 0.1)])
    assert str(refused.value) == (
        "<records>:1: record 1: 0.1 for 'ca' is not an exact number: pass a Decimal, an int or a string, "
        'or Facts.from_records(records, floats="repr") to read floats through their shortest decimal form'
    )
    facts = Facts.from_records([("lyon", "ca", "2025-01", 0.1), ("lyon", "achats", "2025-01", 1e-7)], floats="repr")
    assert sorted(f.value for f in facts.facts()) == [Decimal("1E-7"), Decimal("0.1")]


def test_unknown_kpi_and_unknown_entity_both_raise_keyerror_with_a_did_you_mean():
    _, _, evaluation = _evaluation()
    with pytest.raises(KeyError) as kpi:
        evaluation.result_at("marges", "2025-01", "lyon")
    assert kpi.value.args[0] == "unknown KPI 'marges' (did you mean 'marge'?); KPIs: arrondi, marge"
    with pytest.raises(KeyError) as entity:
        evaluation.value("marge", "2025-01", "lyom")
    assert entity.value.args[0] == "unknown entity 'lyom' (did you mean 'lyon'?); entities: lyon, paris"


def test_undefined_is_a_result_and_not_evaluated_is_a_keyerror():
    pack, facts, evaluation = _evaluation()
    undefined = evaluation.result_at("marge", "2025-01", "paris")
    assert undefined.status == "undefined" and undefined.value is None
    assert undefined.reason() == "donnée manquante « ca » pour 2025-01, entité « paris »"
    assert evaluation.value("marge", "2025-01", "paris") is None
    with pytest.raises(KeyError) as missing:
        evaluation.result_at("marge", "2025-02", "lyon")
    assert missing.value.args[0] == "2025-02 was not evaluated for entity 'lyon': the facts do not cover it"
    with pytest.raises(KeyError):
        pack.value(facts, "marge", "2025-02", "lyon")


def test_a_result_as_a_record_with_label_unit_and_text():
    pack, _, evaluation = _evaluation()
    result = evaluation.result_at("marge", "2025-01", "lyon")
    kpi = pack.kpis["marge"]
    record = result.to_dict(kpi.label.get("fr", "marge"), kpi.unit, "fr")
    assert record == {
        "kpi": "marge", "label": "Taux de marge", "period": "2025-01", "entity": "lyon", "value": "0.4", "target": "0.3",
        "gap": "0.1", "unit": "percent", "status": "met", "owner": "", "text": "40,0 %", "target_text": "30,0 %",
        "status_text": "atteint", "reason": None,
    }  # fmt: skip
    assert result.to_dict(unit="percent", lang="en")["text"] == "40.0%"


def test_french_is_the_default_language_of_the_api_and_negative_zero_never_shows():
    assert format_value(Decimal("1234.5"), "EUR") == "1 234,50 €"
    assert format_value(Decimal("-0.001"), "EUR") == "0,00 €"
    _, _, evaluation = _evaluation()
    assert plain(evaluation.value("arrondi", "2025-01", "lyon")) == "-40"
    assert plain(Decimal("-0")) == "0" and plain(Decimal("-0.00")) == "0.00"


def test_the_version_is_the_installed_distributions():
    from importlib.metadata import version

    assert kpi_engine.__version__ == version("kpi-rules")


def test_entity_empty_selects_the_facts_without_entity():
    pack = Pack.from_texts({"p.yaml": PACK})
    facts = Facts.from_records([(None, "ca", "2025-01", 100), (None, "achats", "2025-01", 50), ("lyon", "ca", "2025-01", 1)])
    assert {r.entity for r in pack.evaluate(facts, entity="").results} == {None}
    assert pack.value(facts, "marge", "2025-01", "") == Decimal("0.5")


def test_init_prints_a_next_command_that_can_be_pasted(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from kpi_engine.cli import main

    monkeypatch.chdir(tmp_path)
    created = CliRunner().invoke(main, ["init", "Boulangerie Martin", "--lang", "fr"])
    assert created.exit_code == 0
    assert created.output.splitlines()[-1] == "ensuite : kpi test 'Boulangerie Martin'"


def test_french_keys_and_severity_words_get_the_english_to_write():
    from kpi_engine import PackError

    text = "inputs:\n  ca: {rollup: sum}\nkpis:\n  k:\n    formula: ca\n    frequency: monthly\n    cible: 3\n    responsable: daf\n"
    text += "    alerts:\n      - {when: value < 1, severity: attention, message: x}\n"
    with pytest.raises(PackError) as raised:
        Pack.from_texts({"p.yaml": text})
    keys = "allowed keys: alerts, description, direction, formula, frequency, label, owner, tags, target, unit"
    assert [str(p) for p in raised.value.problems] == [
        f"p.yaml:7:5: kpis.k: unknown key 'cible' (in English: 'target'); {keys}",
        f"p.yaml:8:5: kpis.k: unknown key 'responsable' (in English: 'owner'); {keys}",
        "p.yaml:10:37: kpis.k.alerts[1].severity: 'attention' is not one of info, warning, critical (in English: 'warning')",
    ]

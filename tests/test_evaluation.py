"""Evaluation: roll-ups, time functions, undefined values, targets and alerts, by hand.

Packs are written inline with `Pack.from_texts` and facts built with
`Facts.from_records`; every expected number below is computed by hand in
the comments next to it.
"""

from __future__ import annotations

from decimal import Decimal, localcontext

import pytest

from kpi_engine import Facts, Pack, Period
from kpi_engine.numbers import DECIMAL_CONTEXT

D = Decimal


def pack(text: str) -> Pack:
    return Pack.from_texts({"pack.yaml": text})


def monthly(entity, name, values: dict[int, object], year: int = 2025) -> list[tuple]:
    return [(entity, name, f"{year}-{month:02d}", value) for month, value in values.items()]


def results(evaluation, kpi=None) -> dict:
    """{(kpi, period, entity): Result} (kpi left out of the key when one is asked for)."""
    table = {}
    for r in evaluation.results:
        if kpi is None:
            table[(r.kpi, str(r.period), r.entity)] = r
        elif r.kpi == kpi:
            table[(str(r.period), r.entity)] = r
    return table


def values(evaluation, kpi, entity=None) -> dict[str, Decimal | None]:
    return {str(r.period): r.value for r in evaluation.results if r.kpi == kpi and r.entity == entity}


# --- roll-ups -----------------------------------------------------------------------

ROLLUPS = pack(
    """
inputs:
  ca: {rollup: sum}
  cout: {rollup: sum}
  stock: {rollup: last}
  effectif: {rollup: avg}
kpis:
  ca_trimestre: {formula: ca, frequency: quarterly}
  ca_annee: {formula: ca, frequency: yearly}
  stock_trimestre: {formula: stock, frequency: quarterly}
  stock_annee: {formula: stock, frequency: yearly}
  effectif_trimestre: {formula: effectif, frequency: quarterly}
  effectif_annee: {formula: effectif, frequency: yearly}
  marge: {formula: (ca - cout) / ca, frequency: monthly}
  marge_trimestre: {formula: marge, frequency: quarterly}
"""
)

# Month m of 2025: ca = 100 m, cout = 50 m + 10, stock = 1000 + m, effectif = m.
FULL_YEAR = (
    monthly(None, "ca", {m: 100 * m for m in range(1, 13)})
    + monthly(None, "cout", {m: 50 * m + 10 for m in range(1, 13)})
    + monthly(None, "stock", {m: 1000 + m for m in range(1, 13)})
    + monthly(None, "effectif", {m: m for m in range(1, 13)})
)


@pytest.mark.parametrize(
    ("kpi", "expected"),
    [
        # sum: Q1 = 100 + 200 + 300, Q2 = 400 + 500 + 600 ...; year = 100 * 78
        ("ca_trimestre", {"2025-Q1": D(600), "2025-Q2": D(1500), "2025-Q3": D(2400), "2025-Q4": D(3300)}),
        ("ca_annee", {"2025": D(7800)}),
        # last: the last month of each quarter
        ("stock_trimestre", {"2025-Q1": D(1003), "2025-Q2": D(1006), "2025-Q3": D(1009), "2025-Q4": D(1012)}),
        ("stock_annee", {"2025": D(1012)}),
        # avg: (1 + 2 + 3) / 3 = 2 ...; the year is the average of the quarters' averages = 6.5
        ("effectif_trimestre", {"2025-Q1": D(2), "2025-Q2": D(5), "2025-Q3": D(8), "2025-Q4": D(11)}),
        ("effectif_annee", {"2025": D("6.5")}),
    ],
)
def test_rollups_from_months(kpi, expected):
    assert values(ROLLUPS.evaluate(Facts.from_records(FULL_YEAR)), kpi) == expected


def test_kpi_inside_a_quarterly_kpi_is_evaluated_by_its_formula_at_the_quarter():
    evaluation = ROLLUPS.evaluate(Facts.from_records(FULL_YEAR))
    # Q1: ca = 600, cout = 60 + 110 + 160 = 330 -> (600 - 330) / 600 = 0.45
    assert values(evaluation, "marge_trimestre")["2025-Q1"] == D("0.45")
    # ...not the sum of the monthly margins 0.4 + 0.45 + 0.4666... (1.3166...)
    monthly_margins = values(evaluation, "marge")
    assert [monthly_margins[m] for m in ("2025-01", "2025-02")] == [D("0.4"), D("0.45")]
    # Q2: ca = 1500, cout = 210 + 260 + 310 = 780 -> 720 / 1500 = 0.48
    assert values(evaluation, "marge_trimestre")["2025-Q2"] == D("0.48")


def test_incomplete_quarter_is_not_reported():
    records = [r for r in FULL_YEAR if r[2] <= "2025-07"]  # January to July
    evaluation = ROLLUPS.evaluate(Facts.from_records(records))
    periods = {str(r.period) for r in evaluation.results}
    assert "2025-Q3" not in periods and "2025" not in periods
    assert {"2025-Q1", "2025-Q2", "2025-07"} <= periods
    assert values(evaluation, "ca_trimestre") == {"2025-Q1": D(600), "2025-Q2": D(1500)}


def test_year_with_a_missing_month_is_undefined_and_names_the_month():
    records = [r for r in FULL_YEAR if not (r[1] == "ca" and r[2] == "2025-05")]
    table = results(ROLLUPS.evaluate(Facts.from_records(records)))
    # the year is reported (cout, stock, effectif are complete) but ca cannot be rolled up
    ca_year = table[("ca_annee", "2025", None)]
    assert (ca_year.status, ca_year.value) == ("undefined", None)
    assert "missing fact 'ca' for 2025-05" in ca_year.error
    ca_q2 = table[("ca_trimestre", "2025-Q2", None)]
    assert ca_q2.error == "missing fact 'ca' for 2025-05, needed to roll ca up to 2025-Q2"
    assert table[("ca_trimestre", "2025-Q1", None)].value == D(600)
    assert table[("stock_annee", "2025", None)].value == D(1012)


def test_year_with_a_missing_month_reason_is_worded_like_the_quarter():
    records = [r for r in FULL_YEAR if not (r[1] == "ca" and r[2] == "2025-05")]
    table = results(ROLLUPS.evaluate(Facts.from_records(records)))
    assert table[("ca_annee", "2025", None)].error == "missing fact 'ca' for 2025-05, needed to roll ca up to 2025"


def test_input_given_quarterly_cannot_be_split_into_months():
    p = pack("inputs:\n  ca: {rollup: sum}\n  cout: {rollup: sum}\nkpis:\n  k: {formula: ca - cout, frequency: monthly}\n")
    facts = Facts.from_records([("x", "ca", "2025-Q1", 300), ("x", "cout", "2025-01", 10)])
    (result,) = p.evaluate(facts).results
    assert result.error == (
        "missing fact 'ca' for 2025-01, entity 'x' (it is given quarterly and cannot be split into monthly periods)"
    )


# --- time functions -------------------------------------------------------------------

TIME = pack(
    """
inputs:
  ca: {rollup: sum}
kpis:
  precedent: {formula: prev(ca), frequency: monthly}
  lag2: {formula: "lag(ca, 2)", frequency: monthly}
  lag0: {formula: "lag(ca, 0)", frequency: monthly}
  an_passe: {formula: year_ago(ca), frequency: monthly}
  cumul3: {formula: "rolling_sum(ca, 3)", frequency: monthly}
  moyenne2: {formula: "rolling_avg(ca, 2)", frequency: monthly}
  cumul_annee: {formula: ytd(ca), frequency: monthly}
  croissance: {formula: growth(ca), frequency: monthly}
  precedent_t: {formula: prev(ca), frequency: quarterly}
  an_passe_t: {formula: year_ago(ca), frequency: quarterly}
  cumul2_t: {formula: "rolling_sum(ca, 2)", frequency: quarterly}
  cumul_annee_t: {formula: ytd(ca), frequency: quarterly}
  croissance_t: {formula: growth(ca), frequency: quarterly}
"""
)
# ca: 2024-12 = 50, then 2025 month m = 100 m (January to June).
TIME_FACTS = Facts.from_records(
    [(None, "ca", "2024-10", 10), (None, "ca", "2024-11", 20), (None, "ca", "2024-12", 50)]
    + monthly(None, "ca", {m: 100 * m for m in range(1, 7)})
)


def _before(period: str, first: str) -> str:
    return f"{period} is before the first period of data (data starts at {first})"


def _div(a, b, minus=0):
    with localcontext(DECIMAL_CONTEXT):
        return D(a) / D(b) - minus


@pytest.mark.parametrize(
    ("kpi", "expected"),
    [
        ("precedent", {"2024-10": _before("2024-09", "2024-10"), "2024-11": D(10), "2025-01": D(50), "2025-06": D(500)}),
        ("lag2", {"2024-11": _before("2024-09", "2024-10"), "2024-12": D(10), "2025-01": D(20), "2025-06": D(400)}),
        ("lag0", {"2024-10": D(10), "2025-06": D(600)}),
        ("an_passe", {"2025-01": _before("2024-01", "2024-10"), "2024-10": _before("2023-10", "2024-10")}),
        # 20 + 50 + 100; 50 + 100 + 200; 400 + 500 + 600
        ("cumul3", {"2024-11": _before("2024-09", "2024-10"), "2025-01": D(170), "2025-02": D(350), "2025-06": D(1500)}),
        # (50 + 100) / 2; (500 + 600) / 2
        ("moyenne2", {"2024-10": _before("2024-09", "2024-10"), "2025-01": D(75), "2025-06": D(550)}),
        # the calendar year restarts in January: 100; 100 + 200 + 300; 2100; 2024: 10 + 20 + 50... 2024-01 is before the data
        ("cumul_annee", {"2025-01": D(100), "2025-03": D(600), "2025-06": D(2100), "2024-12": _before("2024-01", "2024-10")}),
        # 100 / 50 - 1 = 1; 200 / 100 - 1 = 1; 400 / 300 - 1
        ("croissance", {"2024-10": _before("2024-09", "2024-10"), "2024-11": D(1), "2025-01": D(1), "2025-04": _div(400, 300, 1)}),
        # quarters: 2024-Q4 = 80, 2025-Q1 = 600, 2025-Q2 = 1500
        ("precedent_t", {"2024-Q4": _before("2024-Q3", "2024-Q4"), "2025-Q1": D(80), "2025-Q2": D(600)}),
        ("an_passe_t", {"2025-Q1": _before("2024-Q1", "2024-Q4")}),
        ("cumul2_t", {"2024-Q4": _before("2024-Q3", "2024-Q4"), "2025-Q1": D(680), "2025-Q2": D(2100)}),
        ("cumul_annee_t", {"2025-Q1": D(600), "2025-Q2": D(2100), "2024-Q4": _before("2024-Q1", "2024-Q4")}),
        ("croissance_t", {"2025-Q1": _div(600, 80, 1), "2025-Q2": D("1.5")}),
    ],
)
def test_time_functions(kpi, expected):
    table = results(TIME.evaluate(TIME_FACTS), kpi)
    for period, value in expected.items():
        result = table[(period, None)]
        if isinstance(value, str):
            assert (result.status, result.value, result.error) == ("undefined", None, value), period
        else:
            assert (result.status, result.value) == ("no_target", value), period


def test_year_ago_with_a_full_previous_year():
    p = pack("inputs:\n  ca: {rollup: sum}\nkpis:\n  evolution: {formula: ca / year_ago(ca) - 1, frequency: monthly}\n  evolution_t: {formula: ca / year_ago(ca) - 1, frequency: quarterly}\n")
    facts = Facts.from_records(monthly(None, "ca", {m: 100 for m in range(1, 13)}, 2024) + monthly(None, "ca", {1: 150, 2: 80, 3: 100}))
    evaluation = p.evaluate(facts)
    assert values(evaluation, "evolution")["2025-01"] == D("0.5")  # 150 / 100 - 1
    assert values(evaluation, "evolution")["2025-02"] == D("-0.2")  # 80 / 100 - 1
    assert values(evaluation, "evolution_t")["2025-Q1"] == D("0.1")  # 330 / 300 - 1


def test_growth_from_zero_is_undefined_with_reason():
    p = pack("inputs:\n  ca: {rollup: sum}\nkpis:\n  g: {formula: growth(ca), frequency: monthly}\n")
    (first, second) = p.evaluate(Facts.from_records(monthly(None, "ca", {1: 0, 2: 10}))).results
    assert second.error == "growth cannot be computed at 2025-02: the previous period's value is 0"


def test_roll_forward():
    p = pack(
        """
inputs:
  tresorerie_initiale: {rollup: last}
  encaissements: {rollup: sum}
  decaissements: {rollup: sum}
kpis:
  tresorerie:
    formula: coalesce(prev(tresorerie), tresorerie_initiale) + encaissements - decaissements
    frequency: monthly
  tresorerie_t:
    formula: tresorerie
    frequency: quarterly
"""
    )
    facts = Facts.from_records(
        [("lyon", "tresorerie_initiale", "2025-01", 1000)]
        + monthly("lyon", "encaissements", {1: 500, 2: 300, 3: 200, 4: 100})
        + monthly("lyon", "decaissements", {1: 200, 2: 400, 3: 100, 4: 600})
    )
    evaluation = p.evaluate(facts)
    # 1000 + 500 - 200 = 1300; 1300 + 300 - 400 = 1200; 1200 + 200 - 100 = 1300; 1300 + 100 - 600 = 800
    assert values(evaluation, "tresorerie", "lyon") == {"2025-01": D(1300), "2025-02": D(1200), "2025-03": D(1300), "2025-04": D(800)}


# --- undefined values -------------------------------------------------------------------

UNDEF = pack(
    """
inputs:
  ca: {rollup: sum}
  cout: {rollup: sum}
kpis:
  marge: {formula: (ca - cout) / ca, frequency: monthly}
  couts: {formula: cout * 2, frequency: monthly}
  resultat: {formula: ca - cout, frequency: monthly}
"""
)


def test_division_by_zero_is_undefined_and_other_kpis_are_still_evaluated():
    table = results(UNDEF.evaluate(Facts.from_records([("lyon", "ca", "2025-01", 0), ("lyon", "cout", "2025-01", 40)])))
    marge = table[("marge", "2025-01", "lyon")]
    assert (marge.value, marge.status, marge.error) == (None, "undefined", "division by zero: ca is 0")
    assert table[("couts", "2025-01", "lyon")].value == D(80)
    assert table[("resultat", "2025-01", "lyon")].value == D(-40)


def test_missing_fact_reason_names_input_period_and_entity():
    table = results(UNDEF.evaluate(Facts.from_records([("lyon", "cout", "2025-03", 40)])))
    marge = table[("marge", "2025-03", "lyon")]
    assert (marge.value, marge.status, marge.error) == (None, "undefined", "missing fact 'ca' for 2025-03, entity 'lyon'")
    assert table[("couts", "2025-03", "lyon")].value == D(80)


def test_missing_fact_reason_without_entity():
    table = results(UNDEF.evaluate(Facts.from_records([(None, "cout", "2025-03", 40)])))
    assert table[("resultat", "2025-03", None)].error == "missing fact 'ca' for 2025-03"


def test_undefined_is_never_zero():
    evaluation = UNDEF.evaluate(Facts.from_records([("lyon", "cout", "2025-03", 40)]))
    undefined = [r for r in evaluation.results if r.status == "undefined"]
    assert {r.kpi for r in undefined} == {"marge", "resultat"}
    for r in undefined:
        assert r.value is None and r.target is None and r.gap is None and r.error
    assert evaluation.value("resultat", Period.parse("2025-03"), "lyon") is None


def test_zero_fact_is_a_value_not_missing():
    table = results(UNDEF.evaluate(Facts.from_records([(None, "ca", "2025-01", "0"), (None, "cout", "2025-01", "0")])))
    assert table[("resultat", "2025-01", None)].value == D(0)


def test_zero_to_a_negative_power_is_undefined():
    p = pack("inputs:\n  ca: {rollup: sum}\nkpis:\n  inverse: {formula: ca ^ -1, frequency: monthly}\n")
    (result,) = p.evaluate(Facts.from_records([(None, "ca", "2025-01", 0)])).results
    assert (result.status, result.value) == ("undefined", None)


# --- targets ---------------------------------------------------------------------------

TARGETS = pack(
    """
inputs:
  ca: {rollup: sum}
  cout: {rollup: sum}
  budget: {rollup: sum}
kpis:
  taux_marge:
    formula: (ca - cout) / ca
    frequency: monthly
    target: 40%
    direction: higher_is_better
    owner: daf
  couts:
    formula: cout
    frequency: monthly
    target: budget * 110%
    direction: lower_is_better
  ventes:
    formula: ca
    frequency: monthly
"""
)


@pytest.mark.parametrize(
    ("kpi", "ca", "cout", "budget", "expected"),
    [
        # higher is better: (1000 - 600) / 1000 = 0.4 meets 0.4 exactly; gap 0
        ("taux_marge", 1000, 600, 0, ("0.4", "0.4", "0.0", "met")),
        ("taux_marge", 1000, 500, 0, ("0.5", "0.4", "0.1", "met")),
        ("taux_marge", 1000, 700, 0, ("0.3", "0.4", "-0.1", "missed")),
        # lower is better, target an expression over an input: 500 * 1.10 = 550.0
        ("couts", 1000, 550, 500, ("550", "550.0", "0.0", "met")),
        ("couts", 1000, 500, 500, ("500", "550.0", "-50.0", "met")),
        ("couts", 1000, 600, 500, ("600", "550.0", "50.0", "missed")),
    ],
)
def test_targets(kpi, ca, cout, budget, expected):
    facts = Facts.from_records([(None, "ca", "2025-01", ca), (None, "cout", "2025-01", cout), (None, "budget", "2025-01", budget)])
    result = results(TARGETS.evaluate(facts))[(kpi, "2025-01", None)]
    value, target, gap, status = expected
    assert (result.value, result.target, result.gap, result.status) == (D(value), D(target), D(gap), status)
    assert str(result.gap) == gap  # exact decimal text


def test_target_undefined_keeps_the_value_with_reason():
    facts = Facts.from_records([(None, "ca", "2025-01", 1000), (None, "cout", "2025-01", 600)])
    table = results(TARGETS.evaluate(facts))
    couts = table[("couts", "2025-01", None)]
    assert (couts.value, couts.target, couts.gap, couts.status) == (D(600), None, None, "no_target")
    assert couts.error == "target undefined: missing fact 'budget' for 2025-01"
    assert table[("ventes", "2025-01", None)].status == "no_target"
    assert table[("taux_marge", "2025-01", None)].owner == "daf"


# --- alerts ----------------------------------------------------------------------------

ALERTS = pack(
    """
inputs:
  ca: {rollup: sum, unit: EUR}
  cout: {rollup: sum, unit: EUR}
  budget: {rollup: sum}
kpis:
  resultat:
    formula: ca - cout
    frequency: monthly
    unit: EUR
    owner: daf
    target: budget
    direction: higher_is_better
    alerts:
      - when: value < target
        severity: warning
        message: "{kpi} {period} {entity}: {value} < {target} (gap {gap}), ca {ca}, taux {taux:.1%}"
      - when: value < 0
        severity: critical
        message: "perte de {value:,.2f}"
      - when: gap > 0 and ca > 1000
        severity: info
        message: "kleene-left"
      - when: ca > 1000 and gap > 0
        severity: info
        message: "kleene-right"
      - when: ca < 1000 or gap > 0
        severity: info
        message: "kleene-or"
  taux:
    formula: (ca - cout) / ca
    frequency: monthly
    alerts:
      - when: value < 10%
        severity: warning
        message: "taux {value:.1%} / {value}"
"""
)


def _alerts(records, **selection):
    evaluation = ALERTS.evaluate(Facts.from_records(records), lang="en", **selection)
    return [(a.kpi, str(a.period), a.entity, a.severity, a.message) for a in evaluation.alerts]


def test_alerts_fire_with_templates():
    fired = _alerts([("lyon", "ca", "2025-01", 500), ("lyon", "cout", "2025-01", 600), ("lyon", "budget", "2025-01", 50)])
    assert fired == [
        # -100 < 50; gap = -150; taux = -100 / 500 = -0.2
        ("resultat", "2025-01", "lyon", "warning", "resultat 2025-01 lyon: -€100.00 < €50.00 (gap -€150.00), ca €500.00, taux -20.0%"),
        ("resultat", "2025-01", "lyon", "critical", "perte de -100.00"),
        ("resultat", "2025-01", "lyon", "info", "kleene-or"),
        ("taux", "2025-01", "lyon", "warning", "taux -20.0% / -0.20"),
    ]


def test_alert_with_undefined_condition_does_not_fire():
    # no budget: target and gap undefined; ca = 2000, resultat = 1900, taux = 0.95
    fired = _alerts([("lyon", "ca", "2025-01", 2000), ("lyon", "cout", "2025-01", 100)])
    # `value < target` undefined: no warning; `gap > 0 and ca > 1000` undefined: no kleene-left/right;
    # `ca < 1000 or gap > 0` is false or undefined: undefined, no kleene-or
    assert fired == []


def test_kleene_false_and_undefined_is_false():
    # ca = 500: `ca > 1000` is false, so `ca > 1000 and gap > 0` is false whatever gap;
    # `ca < 1000 or gap > 0` is true or undefined = true
    fired = _alerts([("lyon", "ca", "2025-01", 500), ("lyon", "cout", "2025-01", 100)])
    assert [a[4] for a in fired] == ["kleene-or"]


def test_alert_when_value_undefined_does_not_fire_and_never_reads_zero():
    fired = _alerts([("lyon", "ca", "2025-01", 0), ("lyon", "cout", "2025-01", 100), ("lyon", "budget", "2025-01", 0)])
    # taux undefined (division by zero): its alert does not fire; resultat = -100
    assert ("taux", "2025-01", "lyon", "warning", "taux -20.0% / -0.20") not in fired
    assert [a[0] for a in fired if a[0] == "taux"] == []
    warning = next(a for a in fired if a[3] == "warning")
    assert warning[4] == "resultat 2025-01 lyon: -€100.00 < €0.00 (gap -€100.00), ca €0.00, taux undefined"


def test_alert_fields():
    evaluation = ALERTS.evaluate(Facts.from_records([(None, "ca", "2025-01", 500), (None, "cout", "2025-01", 600)]), lang="en")
    critical = next(a for a in evaluation.alerts if a.severity == "critical")
    assert (critical.kpi, str(critical.period), critical.entity, critical.owner, critical.value) == ("resultat", "2025-01", None, "daf", D(-100))


def test_default_message_and_french_formatting():
    p = pack("inputs:\n  ca: {rollup: sum}\nkpis:\n  k:\n    formula: ca\n    frequency: monthly\n    unit: EUR\n    label: {fr: Ventes, en: Sales}\n    alerts:\n      - {when: value > 0, severity: info}\n")
    facts = Facts.from_records([(None, "ca", "2025-01", "1234.5")])
    assert [a.message for a in p.evaluate(facts, lang="en").alerts] == ["Sales: €1,234.50"]
    assert [a.message for a in p.evaluate(facts, lang="fr").alerts] == ["Ventes: 1 234,50 €"]


# --- entities and selection --------------------------------------------------------------


def test_entities_are_evaluated_independently():
    facts = Facts.from_records(
        monthly("lyon", "ca", {1: 100, 2: 200}) + monthly("lyon", "cout", {1: 10, 2: 20})
        + monthly("paris", "ca", {2: 1000}) + monthly("paris", "cout", {2: 400})
    )
    evaluation = UNDEF.evaluate(facts)
    assert evaluation.entities == ["lyon", "paris"]
    assert values(evaluation, "resultat", "lyon") == {"2025-01": D(90), "2025-02": D(180)}
    assert values(evaluation, "resultat", "paris") == {"2025-02": D(600)}


def test_prev_does_not_cross_entities():
    facts = Facts.from_records(monthly("lyon", "ca", {1: 100, 2: 200}) + monthly("paris", "ca", {2: 1000}))
    table = results(TIME.evaluate(facts), "precedent")
    assert table[("2025-02", "lyon")].value == D(100)
    assert table[("2025-02", "paris")].error == _before("2025-01", "2025-02") + ", entity 'paris'"


def test_selection_by_period_and_entity():
    facts = Facts.from_records(FULL_YEAR + [("x", "ca", "2025-01", 1)])
    by_quarter = ROLLUPS.evaluate(facts, period="2025-Q2", entity=None)
    assert {str(r.period) for r in by_quarter.results} == {"2025-04", "2025-05", "2025-06", "2025-Q2"}
    assert {r.entity for r in by_quarter.results} == {None}
    by_month = ROLLUPS.evaluate(facts, period=Period.parse("2025-05"))
    assert {(str(r.period), r.entity) for r in by_month.results} == {("2025-05", None)}
    only_x = ROLLUPS.evaluate(facts, entity="x")
    assert {(r.kpi, str(r.period), r.entity) for r in only_x.results} == {("marge", "2025-01", "x")}
    everything = ROLLUPS.evaluate(facts)
    assert {r.entity for r in everything.results} == {None, "x"}


def test_period_selection_still_reads_earlier_periods():
    evaluation = TIME.evaluate(TIME_FACTS, period="2025-03")
    table = results(evaluation, "cumul3")
    assert list(table) == [("2025-03", None)]
    assert table[("2025-03", None)].value == D(600)  # 100 + 200 + 300


def test_results_are_in_entity_period_definition_order():
    evaluation = ROLLUPS.evaluate(Facts.from_records(FULL_YEAR), period="2025-Q1")
    assert [(r.kpi, str(r.period)) for r in evaluation.results] == [
        ("marge", "2025-01"),
        ("marge", "2025-02"),
        ("marge", "2025-03"),
        ("ca_trimestre", "2025-Q1"),
        ("stock_trimestre", "2025-Q1"),
        ("effectif_trimestre", "2025-Q1"),
        ("marge_trimestre", "2025-Q1"),
    ]


def test_a_pack_evaluates_many_fact_sets():
    a = UNDEF.evaluate(Facts.from_records([(None, "ca", "2025-01", 10), (None, "cout", "2025-01", 5)]))
    b = UNDEF.evaluate(Facts.from_records([(None, "ca", "2025-01", 20), (None, "cout", "2025-01", 5)]))
    assert values(a, "resultat") == {"2025-01": D(5)} and values(b, "resultat") == {"2025-01": D(15)}


def test_alert_message_written_per_language_follows_the_readers_language():
    pack = Pack.from_texts(
        {
            "p.yaml": (
                "inputs:\n  ca: {rollup: sum}\nkpis:\n  k:\n    formula: ca\n    frequency: monthly\n    alerts:\n"
                "      - when: value < 0\n        severity: warning\n"
                '        message: {fr: "CA négatif : {value}", en: "Negative revenue: {value}"}\n'
            )
        }
    )
    facts = Facts.from_records([(None, "ca", "2025-01", "-1234.5")])
    assert [a.message for a in pack.evaluate(facts, lang="fr").alerts] == ["CA négatif : -1 234,50"]
    assert [a.message for a in pack.evaluate(facts, lang="en").alerts] == ["Negative revenue: -1,234.50"]

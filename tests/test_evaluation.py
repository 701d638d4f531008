"""The Python evaluation API: what a caller of `Pack.evaluate` and `Evaluation` relies on.

What evaluation *means* (roll-ups, time functions, undefined values, Kleene
logic, targets, alerts, selection) is data in `tests/data/evaluation/`, run
on every backend by `test_evaluation_fixtures.py`. This module keeps what is
about the Python objects themselves: how an evaluation is asked for and read,
and what the Python backend's decimals look like. Every expected number is
computed by hand in the comment next to it.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from kpi_engine import Facts, Pack, Period

D = Decimal

PACK = Pack.from_texts(
    {
        "pack.yaml": """
inputs:
  ca: {rollup: sum}
  cout: {rollup: sum}
  budget: {rollup: sum}
kpis:
  resultat: {formula: ca - cout, frequency: monthly}
  couts:
    formula: cout
    frequency: monthly
    target: budget * 110%
    direction: lower_is_better
"""
    }
)


def _resultat(evaluation) -> dict[tuple[str, str | None], Decimal | None]:
    return {(str(r.period), r.entity): r.value for r in evaluation.results if r.kpi == "resultat"}


def test_a_pack_evaluates_many_fact_sets_without_state():
    a = PACK.evaluate(Facts.from_records([(None, "ca", "2025-01", 10), (None, "cout", "2025-01", 5)]))
    b = PACK.evaluate(Facts.from_records([(None, "ca", "2025-01", 20), (None, "cout", "2025-01", 5)]))
    assert _resultat(a) == {("2025-01", None): D(5)}  # 10 - 5
    assert _resultat(b) == {("2025-01", None): D(15)}  # 20 - 5
    assert _resultat(a) == {("2025-01", None): D(5)}  # unchanged by the second evaluation


def test_value_looks_a_result_up_and_is_none_when_undefined():
    facts = Facts.from_records([("lyon", "ca", "2025-03", 100), ("lyon", "cout", "2025-03", 40), ("paris", "cout", "2025-03", 40)])
    evaluation = PACK.evaluate(facts)
    assert evaluation.value("resultat", Period.parse("2025-03"), "lyon") == D(60)  # 100 - 40
    assert evaluation.value("resultat", Period.parse("2025-03"), "paris") is None  # paris has no ca


def test_entities_lists_the_evaluated_entities_in_order():
    facts = Facts.from_records([("paris", "ca", "2025-02", 1000), ("lyon", "ca", "2025-01", 100)])
    assert PACK.evaluate(facts).entities == ["lyon", "paris"]


def test_a_period_is_given_as_text_or_as_a_period():
    facts = Facts.from_records([(None, "ca", f"2025-0{m}", 100 * m) for m in range(1, 7)] + [(None, "cout", "2025-05", 1)])
    by_text = PACK.evaluate(facts, period="2025-05")
    by_period = PACK.evaluate(facts, period=Period.parse("2025-05"))
    assert by_text.results == by_period.results
    assert _resultat(by_period) == {("2025-05", None): D(499)}  # 500 - 1


def test_unknown_language_and_backend_are_refused_with_the_choices():
    facts = Facts.from_records([(None, "ca", "2025-01", 1)])
    with pytest.raises(ValueError, match="lang must be one of"):
        PACK.evaluate(facts, lang="de")
    with pytest.raises(ValueError, match="unknown backend 'cobol': choose one of python"):
        PACK.evaluate(facts, backend="cobol")


@pytest.mark.parametrize(
    ("cout", "expected"),
    [
        # target 500 * 1.10 = 550.0 (the scale of 1.10 kept), gap = value - target
        (550, ("550", "550.0", "0.0", "met")),
        (500, ("500", "550.0", "-50.0", "met")),
        (600, ("600", "550.0", "50.0", "missed")),
    ],
)
def test_python_decimals_keep_the_scale_of_their_computation(cout, expected):
    """The Python backend's exact text of a value (what JSON output prints); fixtures compare by value only."""
    facts = Facts.from_records([(None, "cout", "2025-01", cout), (None, "budget", "2025-01", 500), (None, "ca", "2025-01", 0)])
    (result,) = [r for r in PACK.evaluate(facts).results if r.kpi == "couts"]
    assert (str(result.value), str(result.target), str(result.gap), result.status) == expected

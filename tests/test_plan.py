"""The plan: what a pack means as plain data (schedule, roll-ups, alert rules with stable ids)."""

from __future__ import annotations

import json

import pytest

from kpi_engine import Pack
from kpi_engine.model import Direction, InputDef, Rollup, Severity
from kpi_engine.periods import Frequency
from kpi_engine.results import Status

RULES = [
    "{when: value < 0, severity: critical, message: 'Perte'}",
    "{when: value < 100, severity: warning}",
    "{when: value  <  0, severity: critical, message: 'Other words'}",  # same rule as the first, reworded
]


def _pack(rules: list[str]) -> Pack:
    alerts = "".join(f"\n      - {rule}" for rule in rules) or " []"
    return Pack.from_texts({"p.yaml": f"""
inputs:
  ca: {{rollup: sum}}
  stock: {{rollup: last}}
kpis:
  marge_q:
    formula: resultat / ca
    frequency: quarterly
  resultat:
    formula: ca - 10
    frequency: monthly
    alerts:{alerts}
"""})


def test_rule_ids_follow_content_not_order():
    ids = [rule.id for rule in _pack(RULES).plan.kpis["resultat"].alerts]
    reordered = [rule.id for rule in _pack([RULES[1], RULES[0]]).plan.kpis["resultat"].alerts]
    assert ids[0].startswith("resultat/critical/") and ids[1].startswith("resultat/warning/")
    assert reordered == [ids[1], ids[0]]
    assert ids[2] == ids[0] + "#2"  # the same severity and condition, however written or worded


def test_schedule_puts_dependencies_first_and_reports_in_definition_order():
    plan = _pack([]).plan
    assert plan.reported == {Frequency.MONTHLY: ("resultat",), Frequency.QUARTERLY: ("marge_q",)}
    assert plan.schedule[Frequency.QUARTERLY] == ("resultat", "marge_q")
    assert plan.same_period["marge_q"] == ("resultat",)
    assert (plan.inputs["ca"].rollup, plan.inputs["stock"].rollup) == (Rollup.SUM, Rollup.LAST)


def test_an_unknown_rollup_is_refused_not_averaged():
    with pytest.raises(ValueError, match="median"):
        InputDef("ca", "median")  # type: ignore[arg-type]


def test_enumerations_read_and_serialise_as_their_text():
    assert json.dumps([Status.MET, Severity.CRITICAL, Rollup.AVG, Direction.LOWER_IS_BETTER]) == '["met", "critical", "avg", "lower_is_better"]'
    assert f"{Severity.WARNING}" == "warning" and Severity.WARNING == "warning" and not Direction.NONE

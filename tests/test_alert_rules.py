"""Alert rules over a series, beyond the evaluation fixtures: silences inherited through `extends` and
named by rule id, the streaming evaluation giving the same marks, long series, and pack tests that
check silenced and inhibited alerts."""

from __future__ import annotations

from datetime import date, timedelta

from kpi_engine import Facts, Pack
from kpi_engine.packtests import run_test_text

BASE = """
inputs:
  x: {rollup: sum}
kpis:
  k:
    formula: x
    frequency: monthly
    alerts:
      - {when: value < 0, severity: critical, message: negative}
      - {when: value < 10, severity: warning, message: low}
silences:
  - {kpi: k, entity: lyon, until: 2026-03-31, reason: "set by the group"}
"""

COMPANY = """
extends: groupe
silences:
  - {kpi: k, entity: paris, until: 2026-06-30, reason: "set by the company"}
"""

FACTS = Facts.from_records([("lyon", "x", "2025-12", -5), ("nantes", "x", "2025-12", -5), ("paris", "x", "2025-12", -5)])


def _pack() -> Pack:
    return Pack.from_texts({"company.yaml": COMPANY}, bases={"groupe": {"groupe.yaml": BASE}})


def _states(pack: Pack, as_of: str) -> list[tuple[str | None, str, str | None, bool]]:
    return [(a.entity, a.severity, a.silenced, a.inhibited_by is not None) for a in pack.evaluate(FACTS, as_of=as_of).alerts]


def test_a_pack_inherits_the_silences_of_the_pack_it_extends() -> None:
    # -5 < 0 (critical) and -5 < 10 (warning, hidden by the critical), for each entity
    assert _states(_pack(), "2026-03-31") == [
        ("lyon", "critical", "set by the group", False),
        ("lyon", "warning", "set by the group", True),
        ("nantes", "critical", None, False),
        ("nantes", "warning", None, True),
        ("paris", "critical", "set by the company", False),
        ("paris", "warning", "set by the company", True),
    ]
    # the group's silence ended on 2026-03-31; the company's runs to 2026-06-30
    assert [state[2] for state in _states(_pack(), "2026-04-01")] == [None, None, None, None, "set by the company", "set by the company"]


def test_a_silence_may_name_one_rule_by_its_id() -> None:
    rule = next(a.rule_id for a in _pack().evaluate(FACTS).alerts if a.severity == "warning")
    assert rule.startswith("k/warning/")
    pack = Pack.from_texts({"p.yaml": BASE.replace("entity: lyon,", f"rule: {rule},")})
    silenced = [(a.entity, a.severity) for a in pack.evaluate(FACTS, as_of=date(2026, 1, 1)).alerts if a.silenced]
    assert silenced == [("lyon", "warning"), ("nantes", "warning"), ("paris", "warning")]


def test_the_streaming_evaluation_marks_alerts_like_the_whole_one() -> None:
    pack = _pack()
    whole = pack.evaluate(FACTS, as_of="2026-03-31").alerts
    streamed = tuple(alert for entity in pack.evaluate_iter(FACTS, as_of="2026-03-31") for alert in entity.alerts)
    assert streamed == whole
    assert [a.silenced for a in streamed] == [a.silenced for a in whole]


def test_resolve_when_over_three_years_of_days_walks_back_without_recursion() -> None:
    pack = Pack.from_texts({"p.yaml": """
inputs:
  cash: {rollup: last}
kpis:
  tresorerie:
    formula: cash
    frequency: daily
    alerts:
      - {when: value < 0, severity: critical, resolve_when: value > 10000}
"""})
    start = date(2023, 1, 1)
    # -1 on the first day, then 5 000 for 1 199 days: never above 10 000, so firing every day
    days = [(None, "cash", (start + timedelta(days=n)).isoformat(), -1 if n == 0 else 5000) for n in range(1200)]
    evaluation = pack.evaluate(Facts.from_records(days), period=(start + timedelta(days=1199)).isoformat())
    assert [(str(a.period), a.value) for a in evaluation.alerts] == [("2026-04-14", 5000)]


PACK_TEST_PACK = Pack.from_texts({"p.yaml": BASE})


def _failures(test: str) -> list[str]:
    report = run_test_text(PACK_TEST_PACK, test, "t.test.yaml")
    assert not report.problems, report.problems
    return [str(failure) for failure in report.failures]


def test_pack_tests_check_silenced_and_inhibited_alerts() -> None:
    assert _failures("""
tests:
  - name: silenced as of the end of March
    entity: lyon
    as_of: 2026-03-31
    facts:
      "2025-12": {x: -5}
    alerts:
      - {kpi: k, period: "2025-12", severity: critical, silenced: "group"}
      - {kpi: k, period: "2025-12", severity: warning, inhibited: true, silenced: true}
    no_alerts:
      - {kpi: k, period: "2025-12"}
""") == []


def test_pack_tests_say_why_an_expected_silence_did_not_apply() -> None:
    assert _failures("""
tests:
  - name: no as_of
    entity: lyon
    facts:
      "2025-12": {x: -5}
    alerts:
      - {kpi: k, period: "2025-12", severity: critical, silenced: true}
""") == [
        (
            "t.test.yaml:8:9: test 'no as_of': expected a critical silenced alert on k at 2025-12; alerts that fired there: "
            "critical: negative; warning: low (hidden by k/critical/0560cf2375) (the test has no as_of: no silence applies)"
        )
    ]


def test_pack_tests_expect_notified_alerts_unless_told_otherwise() -> None:
    assert _failures("""
tests:
  - name: the warning is hidden
    entity: paris
    facts:
      "2025-12": {x: -5}
    alerts:
      - {kpi: k, period: "2025-12", severity: warning}
""") == [
        (
            "t.test.yaml:8:9: test 'the warning is hidden': expected a warning alert on k at 2025-12; alerts that fired there: "
            "critical: negative; warning: low (hidden by k/critical/0560cf2375)"
        )
    ]


def test_pack_tests_locate_a_malformed_as_of() -> None:
    assert _failures("""
tests:
  - name: bad date
    as_of: 2026-02-30
    facts:
      "2025-12": {x: -5}
""") == ["t.test.yaml:4:12: test 'bad date': as_of: '2026-02-30' is not a date: write it YYYY-MM-DD, like 2026-03-31"]

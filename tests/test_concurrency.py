"""An evaluation is immutable: read from many threads at once, it gives every thread the same answers.

Also the streaming seam (`Pack.evaluate_iter`) and explain traces built on a run of their own.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from kpi_engine import Facts, Pack, Period

PACK = """
inputs:
  ca: {rollup: sum, unit: EUR}
  charges: {rollup: sum, unit: EUR}
kpis:
  resultat:
    formula: ca - charges
    frequency: monthly
    unit: EUR
    alerts:
      - {when: value < 0, severity: critical, message: {fr: "Perte : {value}", en: "Loss: {value}"}}
  marge:
    label: {fr: Marge, en: Margin}
    formula: resultat / ca
    frequency: monthly
    unit: percent
    target: 0.2
    direction: higher_is_better
    alerts:
      - {when: value < target, severity: warning}
"""


def _facts() -> Facts:
    """lyon: ca 100·m, charges 90·m (margin 10 %); paris: ca 100, charges 120 every month (a loss of 20)."""
    records = []
    for month in range(1, 7):
        period = f"2025-{month:02d}"
        records += [("lyon", "ca", period, 100 * month), ("lyon", "charges", period, 90 * month)]
        records += [("paris", "ca", period, 100), ("paris", "charges", period, 120)]
    return Facts.from_records(records)


def _reads(evaluation) -> tuple:
    """Everything a reader may ask, including values at a quarter that the monthly evaluation did not compute."""
    return (
        evaluation.results,
        tuple((a.rule_id, a.severity, a.message, a.text("en")) for a in evaluation.alerts),
        evaluation.value("marge", "2025-02", "lyon"),
        evaluation.result_at("resultat", "2025-Q1", "lyon"),
        evaluation.result_at("resultat", "2025-Q2", "paris"),
        evaluation.value("marge", "2025-Q2", "paris"),
        evaluation.result_at("marge", "2025-Q1", "lyon"),
    )


def test_one_evaluation_read_from_eight_threads_gives_identical_answers():
    pack = Pack.from_texts({"p.yaml": PACK})
    evaluation = pack.evaluate(_facts(), lang="fr")
    start = threading.Barrier(8, timeout=10)

    def read(_: int) -> list[tuple]:
        start.wait()  # all eight read at once, the quarter values included
        return [_reads(evaluation) for _ in range(5)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = [answer for future in [pool.submit(read, n) for n in range(8)] for answer in future.result(timeout=60)]
    expected = _reads(pack.evaluate(_facts(), lang="fr"))
    assert all(answer == expected for answer in answers)
    results, alerts, margin_february, lyon_q1, paris_q2, paris_q2_margin, lyon_q1_margin = expected
    assert len(results) == 2 * 6 * 2
    assert margin_february == Decimal("0.1")  # (200 - 180) / 200
    assert (lyon_q1.value, lyon_q1.period) == (Decimal(60), Period.parse("2025-Q1"))  # 600 - 540
    assert paris_q2.value == Decimal(-60)  # 300 - 360
    assert paris_q2_margin == Decimal("-0.2")  # -60 / 300
    assert (lyon_q1_margin.value, lyon_q1_margin.target, lyon_q1_margin.status) == (Decimal("0.1"), Decimal("0.2"), "missed")
    assert alerts[0][1:] == ("warning", "Marge: 10,0 % (target 20,0 %)", "Margin: 10.0% (target 20.0%)")
    assert next(a for a in alerts if a[1] == "critical")[2:] == ("Perte : -20 €", "Loss: -€20")  # a whole amount, without ,00


def test_evaluate_iter_yields_each_entity_as_evaluate_gives_it():
    pack = Pack.from_texts({"p.yaml": PACK})
    evaluation = pack.evaluate(_facts(), period="2025-Q2")
    streamed = list(pack.evaluate_iter(_facts(), period="2025-Q2"))
    assert [part.entity for part in streamed] == ["lyon", "paris"]
    assert tuple(r for part in streamed for r in part.results) == evaluation.results
    assert tuple(a for part in streamed for a in part.alerts) == evaluation.alerts
    assert {r.period for part in streamed for r in part.results} == {Period.parse(f"2025-{m:02d}") for m in (4, 5, 6)}


def test_explain_traces_a_run_of_its_own():
    pack = Pack.from_texts({"p.yaml": PACK})
    tree = pack.explain(_facts(), "marge", "2025-Q1", "lyon")
    assert (tree.text, tree.value) == ("marge", Decimal("0.1"))
    (formula,) = tree.children
    assert [(child.text, child.value) for child in formula.children] == [("resultat", Decimal(60)), ("ca", Decimal(600))]
    assert pack.value(_facts(), "resultat", "2025-Q2", "paris") == Decimal(-60)


def test_a_group_and_a_fiscal_calendar_read_from_eight_threads_give_identical_answers():
    """A group's quarter values, not computed by the monthly evaluation, are consolidated on each thread's own run."""
    pack = Pack.from_texts({"p.yaml": "calendar: {fiscal_year_start: 4}\nentities:\n  groupe: {members: [lyon, paris]}\n" + PACK})
    evaluation = pack.evaluate(_facts())
    start = threading.Barrier(8, timeout=10)

    def read(_: int) -> list[tuple]:
        start.wait()
        return [(evaluation.value("marge", "FY2026-Q1", "groupe"), evaluation.result_at("resultat", "2025-Q2", "groupe")) for _ in range(5)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = [answer for future in [pool.submit(read, n) for n in range(8)] for answer in future.result(timeout=60)]
    margin, result = answers[0]
    assert all(answer == answers[0] for answer in answers)
    # April to June: lyon ca 1500, charges 1350; paris ca 300, charges 360 -> (1800 - 1710) / 1800
    assert margin == Decimal("0.05")
    assert (result.value, str(result.period), result.is_group) == (Decimal(90), "FY2026-Q1", True)
    assert [part.entity for part in pack.evaluate_iter(_facts())] == ["lyon", "paris", "groupe"]

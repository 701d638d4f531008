"""The DuckDB backend gives the Python backend's results, reasons and alerts, and refuses what it cannot do.

Parity is the test: the example company and the standard library's pack
tests run on both backends. Values are exact where the Python value has at
most 24 decimals and was not rounded to its 28 digits (sums, differences,
quotients that terminate); other
quotients are rounded at the 24th decimal by the SQL and the Python backend
keeps 28 significant digits, so they are compared within 1e-18 relative.
"""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from kpi_engine import Facts, Pack
from kpi_engine.backends.duckdb import evaluate_source
from kpi_engine.backends.sql.calendar import ANCESTORS, CHILD, SqlCalendar
from kpi_engine.backends.sql.dialect import DUCKDB, SCALE
from kpi_engine.backends.sql.expressions import FUNCTION_SQL
from kpi_engine.backends.sql.plan import sql_plan
from kpi_engine.backends.sql.query import scenarios_read, script
from kpi_engine.errors import FactsError, PackError
from kpi_engine.facts import read_facts_text
from kpi_engine.functions import FUNCTIONS
from kpi_engine.loader import load_pack
from kpi_engine.packtests import run_test_text
from kpi_engine.periods import Calendar, Frequency, Period
from kpi_engine.reasons import Reason

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOTS = Path(__file__).parent / "data" / "sql"
TOLERANCE = Decimal("1e-18")


def company_facts() -> Facts:
    facts = read_facts_text((ROOT / "examples/facts/monthly.csv").read_text(encoding="utf-8"), "monthly.csv")
    facts.merge(read_facts_text((ROOT / "examples/facts/budget_fr.csv").read_text(encoding="utf-8"), "budget_fr.csv"))
    return facts


def same_number(expected: Decimal | None, actual: Decimal | None) -> bool:
    if expected is None or actual is None:
        return expected is actual
    digits = expected.as_tuple()
    if digits.exponent >= -SCALE and len(digits.digits) < 28:  # type: ignore[operator]  # not rounded by Python: exact
        return expected == actual
    return abs(expected - actual) <= TOLERANCE * abs(expected)


def assert_same_evaluation(expected, actual) -> None:
    assert len(actual.results) == len(expected.results)
    for want, got in zip(expected.results, actual.results):
        assert (got.kpi, got.period, got.entity, got.status, got.error, got.owner) == (want.kpi, want.period, want.entity, want.status, want.error, want.owner)
        assert got.cause == want.cause
        for field in ("value", "target", "gap"):
            assert same_number(getattr(want, field), getattr(got, field)), (want, got)
    assert [(a.kpi, a.period, a.entity, a.rule_id, a.message, a.owner, a.inhibited_by, a.silence) for a in actual.alerts] == [
        (a.kpi, a.period, a.entity, a.rule_id, a.message, a.owner, a.inhibited_by, a.silence) for a in expected.alerts
    ]


COMPANY = ROOT / "examples/company"


@pytest.fixture(scope="module")
def company() -> tuple[Pack, Facts]:
    return load_pack(str(COMPANY)), company_facts()


def test_the_example_company_asks_what_the_sql_backend_once_refused(company):
    """A fiscal year, a group, inputs whose absence is zero and budget reads: the parity tests below cover all four."""
    plan = company[0].plan
    assert plan.calendar.is_fiscal and plan.groups
    assert any(spec.missing.value == "zero" for spec in plan.inputs.values())
    assert scenarios_read([node for kpi in plan.kpis.values() for node in (kpi.formula, kpi.target) if node is not None]) == ["budget"]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_example_company_gives_the_same_results_reasons_and_alerts(company, lang):
    pack, facts = company
    python = pack.evaluate(facts, lang=lang)
    assert python.alerts and any(r.status == "undefined" for r in python.results)
    assert_same_evaluation(python, pack.evaluate(facts, lang=lang, backend="duckdb"))


def test_results_read_back_one_entity_at_a_time_are_the_same(company, monkeypatch):
    """With batches of one entity (the group's members, then the group), streamed and whole evaluations give the
    Python backend's results and alerts, comparisons included: each batch holds what its entity's alerts and
    year-ago values read."""
    from kpi_engine.backends import duckdb as backend

    pack, facts = company
    monkeypatch.setattr(backend, "BATCH_CELLS", 1)
    evaluation = pack.evaluate(facts, backend="duckdb")
    assert list(evaluation._batches()) == [[entity] for entity in evaluation.entities] and len(evaluation.entities) > 2
    streamed = list(pack.evaluate_iter(facts, backend="duckdb", compare=["year_ago"]))
    python = list(pack.evaluate_iter(facts, compare=["year_ago"]))
    assert [e.entity for e in streamed] == [e.entity for e in python]
    for want, got in zip(python, streamed):
        assert_same_evaluation(want, got)
        for expected, actual in zip(want.results, got.results):
            assert (actual.compared.year_ago.cause, actual.compared.budget) == (expected.compared.year_ago.cause, expected.compared.budget)
            assert same_number(expected.compared.year_ago.value, actual.compared.year_ago.value)


def test_selection_by_period_and_entity_is_the_same(company):
    pack, facts = company
    assert_same_evaluation(pack.evaluate(facts, period="2025-Q4", entity="lyon"), pack.evaluate(facts, period="2025-Q4", entity="lyon", backend="duckdb"))


def test_example_company_with_budget_figures_gives_the_same_results():
    """The example's facts plus budget figures: lyon's per fiscal year (never split into quarters), bordeaux's per
    quarter of FY2025 only, so the group's budget is undefined wherever lyon's is, and bordeaux's before FY2025."""
    pack = load_pack(str(COMPANY))
    facts = company_facts()
    yearly = (("ventes_marchandises", 400_000), ("production_vendue", 1_900_000))
    budget = [("lyon", name, year, amount, "budget") for year in ("FY2024", "FY2025", "FY2026") for name, amount in yearly]
    budget += [("bordeaux", "ventes_marchandises", f"FY2025-Q{q}", 30_000 + q, "budget") for q in range(1, 5)]
    budget += [("bordeaux", "production_vendue", f"FY2025-Q{q}", 10_000, "budget") for q in range(1, 5)]
    assert not facts.merge(Facts.from_records(budget))
    python = pack.evaluate(facts, lang="en")
    assert any(r.kpi == "ca_exercice" and r.target is not None for r in python.results)
    assert any(r.kpi == "ecart_ca_budget_trimestre" and r.value is not None for r in python.results)
    assert_same_evaluation(python, pack.evaluate(facts, lang="en", backend="duckdb"))


# Each pack test evaluates its facts at every frequency, and DuckDB plans each query in about a second:
# the roll-forward file runs always, every file (the standard library's and the example's) with KPI_SQL_ALL_PACK_TESTS=1.
ALWAYS = {"tresorerie"}
PACK_TESTS = [
    *((ROOT / "definitions", path) for path in sorted((ROOT / "definitions/tests").glob("*.test.yaml"))),
    *((COMPANY, path) for path in sorted((COMPANY / "tests").glob("*.test.yaml"))),
]


@pytest.mark.parametrize(("pack_dir", "test_file"), PACK_TESTS, ids=lambda p: p.stem if p.suffix else p.name)
def test_pack_tests_pass_on_duckdb(pack_dir, test_file):
    if test_file.name.split(".")[0] not in ALWAYS and not os.environ.get("KPI_SQL_ALL_PACK_TESTS"):
        pytest.skip("slow on DuckDB: set KPI_SQL_ALL_PACK_TESTS=1")
    report = run_test_text(load_pack(str(pack_dir)), test_file.read_text(encoding="utf-8"), test_file.name, backend="duckdb")
    assert report.passed, [str(f) for f in report.failures] + [str(p) for p in report.problems]
    assert report.checks > 0


@pytest.mark.parametrize("form", ["csv", "parquet", "database table"])
def test_facts_read_by_duckdb_from_files_or_a_database_table(company, tmp_path, form):
    pack = company[0]
    csv_path = ROOT / "examples/facts/monthly.csv"
    facts = read_facts_text(csv_path.read_text(encoding="utf-8"), "monthly.csv")
    source = str(csv_path)
    if form == "parquet":
        source = str(tmp_path / "facts.parquet")
        duckdb.sql(f"COPY (SELECT * FROM read_csv('{csv_path}', all_varchar = true)) TO '{source}' (FORMAT parquet)")
    elif form == "database table":
        database = tmp_path / "ledger.duckdb"
        with duckdb.connect(str(database)) as connection:
            connection.execute(f"CREATE TABLE facts AS SELECT * FROM read_csv('{csv_path}', all_varchar = true)")
        source = f"{database}:facts"
    assert_same_evaluation(pack.evaluate(facts), evaluate_source(pack.backend("duckdb"), [source]))


def test_bad_periods_and_values_in_a_facts_file_are_all_reported(tmp_path):
    path = tmp_path / "facts.csv"
    path.write_text("period,name,value\n2025-01,ca,1\n2025-W54,ca,2\n2025-02-30,ca,2\n2025-02,ca,1e3\n", encoding="utf-8")
    pack = Pack.from_texts({"pack.yaml": "inputs:\n  ca: {rollup: sum}\nkpis:\n  k: {formula: ca, frequency: monthly}\n"})
    with pytest.raises(FactsError) as raised:
        evaluate_source(pack.backend("duckdb"), [str(path)])
    assert [p.message for p in raised.value.problems] == [
        "'2025-02-30' is not a valid daily period: write 2025, 2025-Q1, 2025-03, 2025-W07 or 2025-03-15",
        "'2025-W54' is not a valid weekly period: write 2025, 2025-Q1, 2025-03, 2025-W07 or 2025-03-15",
        "values must be plain numbers (-1234.5) of at most 24 decimals and below 1.7e14; found '1e3'",
    ]


def test_days_and_weeks_in_a_facts_file_are_read_by_duckdb(tmp_path):
    """Days (2024-02-29 too), ISO weeks (2020-W53) and months, as the Python readers read them."""
    days, weeks = tmp_path / "days.csv", tmp_path / "weeks.csv"
    days.write_text("period,name,value\n" + "".join(f"2024-02-{day:02d},ca,{day}\n" for day in range(1, 30)), encoding="utf-8")
    weeks.write_text("period,name,value\n2020-W53,ca,7\n2021-W01,ca,8\n2024-03,ca,5\n", encoding="utf-8")
    pack = Pack.from_texts(
        {"pack.yaml": "inputs:\n  ca: {rollup: sum}\nkpis:\n  j: {formula: ca, frequency: daily}\n  s: {formula: growth(ca), frequency: weekly}\n"
         "  m: {formula: ca, frequency: monthly}\n"}
    )
    facts = read_facts_text(days.read_text(encoding="utf-8"), "days.csv")
    facts.merge(read_facts_text(weeks.read_text(encoding="utf-8"), "weeks.csv"))
    python = pack.evaluate(facts)
    assert python.value("m", "2024-02") == 435  # 1 + 2 + ... + 29
    assert python.value("s", "2021-W01") == Decimal(8) / 7 - 1
    assert_same_evaluation(python, evaluate_source(pack.backend("duckdb"), [str(days), str(weeks)]))


FISCAL = (
    "calendar: {fiscal_year_start: 7}\ninputs:\n  ca: {rollup: sum}\n"
    "kpis:\n  a: {formula: ca, frequency: yearly}\n  t: {formula: ca, frequency: quarterly}\n"
)


def test_a_facts_file_is_read_in_the_pack_fiscal_calendar(tmp_path):
    """FY2026 and its quarters as written; a calendar quarter that is a fiscal one (2025-Q4 is FY2026-Q2) as that one."""
    path = tmp_path / "facts.csv"
    path.write_text("period,name,value\nFY2026,ca,999\nFY2026-Q1,ca,300\n2025-Q4,ca,10\n", encoding="utf-8")
    pack = Pack.from_texts({"pack.yaml": FISCAL})
    python = pack.evaluate(read_facts_text(path.read_text(encoding="utf-8"), "facts.csv"))
    assert [(r.kpi, str(r.period), r.value) for r in python.results] == [("t", "FY2026-Q1", 300), ("t", "FY2026-Q2", 10), ("a", "FY2026", 999)]
    assert_same_evaluation(python, evaluate_source(pack.backend("duckdb"), [str(path)]))


def test_a_calendar_year_in_a_fiscal_pack_facts_file_is_refused_saying_which_periods_to_write(tmp_path):
    path = tmp_path / "facts.csv"
    path.write_text("period,name,value\n2025,ca,1\n2025-W54,ca,2\n", encoding="utf-8")
    with pytest.raises(FactsError) as raised:
        evaluate_source(Pack.from_texts({"pack.yaml": FISCAL}).backend("duckdb"), [str(path)])
    assert [p.message for p in raised.value.problems] == [
        "'2025' is a calendar year, but this pack's years are fiscal, starting in month 7: write a fiscal period such as FY2025 (2024-07 to 2025-06)",
        "'2025-W54' is not a valid weekly period: write 2025, 2025-Q1, 2025-03, 2025-W07 or 2025-03-15",
    ]


ROLL = """
inputs:
  ca: {rollup: sum}
  cout: {rollup: sum}
  stock: {rollup: last}
  effectif: {rollup: avg}
  initiale: {rollup: last}
kpis:
  marge: {formula: (ca - cout) / ca, frequency: monthly, target: 25%, direction: higher_is_better,
          alerts: [{when: value < 0.2 and ca > 0, severity: warning, message: "{value:.1%} at {period}, sales {ca}"}]}
  tresorerie: {formula: "coalesce(prev(tresorerie), initiale) + ca - cout", frequency: monthly}
  cumul: {formula: "rolling_sum(ca - cout, 2)", frequency: monthly}
  bornes: {formula: "round(max(ca, cout) / 3, 2) + min(ca, 5) + if(ca > cout, 1, -1) + abs(cout - ca) ^ 2", frequency: monthly}
  stock_t: {formula: stock, frequency: quarterly}
  effectif_a: {formula: effectif, frequency: yearly}
  croissance_t: {formula: growth(ca), frequency: quarterly}
  cumul_t: {formula: ytd(ca), frequency: quarterly}
"""


def roll_facts() -> Facts:
    records = []
    for month in range(1, 13):
        if month != 5:
            records.append(("a", "ca", f"2025-{month:02d}", 100 + month))
        records += [("a", "cout", f"2025-{month:02d}", 90), ("a", "stock", f"2025-{month:02d}", month), ("a", "effectif", f"2025-{month:02d}", 10 + month % 3)]
    records += [("a", "initiale", "2025-01", 1000), ("b", "ca", "2025-Q1", 300), ("b", "ca", "2025-03", 0)]
    records += [("b", "cout", f"2025-{month:02d}", 0) for month in (1, 2, 3)]
    return Facts.from_records(records)


def test_roll_ups_time_functions_roll_forwards_and_undefined_rules_match():
    pack = Pack.from_texts({"pack.yaml": ROLL})
    facts = roll_facts()
    python = pack.evaluate(facts)
    assert {r.cause.code for r in python.results if r.cause} >= {"roll_up", "missing_fact", "before_data", "division_by_zero", "not_split"}
    assert_same_evaluation(python, pack.evaluate(facts, backend="duckdb"))


OVERFLOW_PACK = """
inputs:
  x: {rollup: sum}
kpis:
  carre: {formula: x * x, frequency: monthly, target: 1, direction: higher_is_better}
  suite: {formula: carre + 1, frequency: monthly}
  avant: {formula: prev(carre), frequency: monthly}
  borne: {formula: "coalesce(carre, 0) + if(carre > 0, 1, 2)", frequency: monthly}
"""


def test_a_value_beyond_the_sql_range_is_undefined_saying_so_and_so_is_what_reads_it():
    """x * x past DuckDB's 128 bits (1e13 squared is 1e26 > 1.7e14): undefined with the arithmetic reason, never a
    wrong number, and so are the KPIs reading it (the same period, the next one); coalesce still gives its default.
    The Python backend computes 1e26: a documented limit of the SQL engines (`backends/sql/dialect.py`)."""
    pack = Pack.from_texts({"pack.yaml": OVERFLOW_PACK})
    facts = Facts.from_records([(None, "x", Period.parse("2025-01"), Decimal("1e13")), (None, "x", Period.parse("2025-02"), Decimal(3))])
    sql = {(r.kpi, str(r.period)): r for r in pack.evaluate(facts, backend="duckdb").results}
    overflow = Reason.of("arithmetic", error="Overflow")
    for kpi in ("carre", "suite"):
        assert sql[kpi, "2025-01"].value is None and sql[kpi, "2025-01"].cause == overflow
    assert sql["avant", "2025-02"].value is None and sql["avant", "2025-02"].cause == overflow
    assert sql["borne", "2025-01"].value is None and sql["borne", "2025-01"].cause == overflow
    assert (sql["carre", "2025-02"].value, sql["suite", "2025-02"].value, sql["borne", "2025-02"].value) == (9, 10, 10)
    assert sql["carre", "2025-02"].status == "met"
    assert pack.evaluate(facts).value("carre", "2025-01") == Decimal("1e26")


SCENARIO_PACK = """
entities:
  groupe: {members: [a, b]}
inputs:
  ca: {rollup: sum}
  cout: {rollup: sum, missing: zero}
  stock: {rollup: last}
kpis:
  marge: {formula: ca - cout, frequency: monthly, target: budget, direction: higher_is_better,
          alerts: [{when: value < budget(value), severity: warning, message: "{value} below budget {ca}"}]}
  ecart: {formula: ca - budget(ca), frequency: monthly}
  decale: {formula: prev(budget(ca)) + budget(prev(ca)) + budget(ytd(marge)), frequency: monthly}
  ecart_t: {formula: ca - budget(ca), frequency: quarterly, target: budget, direction: lower_is_better}
  prevision: {formula: forecast(marge) - budget(marge), frequency: monthly}
  stock_t: {formula: budget(stock) + budget(forecast(stock)), frequency: quarterly}
"""


def scenario_csv() -> str:
    """a: actual January to June (no cost in March: zero), a budget per quarter and per month from February to
    December (beyond the actual months), a forecast for April only; b: actual January to April, a yearly budget;
    c: budget figures only. The group consolidates a and b."""
    rows = ["entity,scenario,period,name,value"]
    for month in range(1, 7):
        rows += [f"a,,2025-{month:02d},ca,{100 + month}", f"a,actual,2025-{month:02d},stock,{month}"]
        rows += [f"a,,2025-{month:02d},cout,{60 + month}"] if month != 3 else []
    rows += [f"a,budget,2025-{month:02d},ca,{95 + month}" for month in range(2, 13)]
    rows += [f"a,budget,2025-{month:02d},stock,{2 * month}" for month in range(2, 13)]
    rows += ["a,budget,2025-Q1,ca,290", "a,budget,2025-Q1,cout,180", "a,budget,2025-Q2,cout,190", "a,forecast,2025-04,ca,120", "a,forecast,2025-04,stock,5"]
    rows += [f"b,,2025-{month:02d},ca,50" for month in range(1, 5)] + [f"b,,2025-{month:02d},cout,20" for month in range(1, 5)]
    rows += ["b,budget,2025,ca,700", "b,budget,2025,cout,250", "c,budget,2025-01,ca,1"]
    return "\n".join(rows) + "\n"


def test_scenario_reads_match_and_only_actual_periods_are_reported(tmp_path):
    """budget(x) and forecast(x) of inputs and KPIs, inside and around time functions, in alerts and targets, for
    entities and a group: the same values and reasons (no figures, before the figures, not split, a member missing)."""
    pack = Pack.from_texts({"pack.yaml": SCENARIO_PACK})
    path = tmp_path / "facts.csv"
    path.write_text(scenario_csv(), encoding="utf-8")
    facts = read_facts_text(path.read_text(encoding="utf-8"), "facts.csv")
    python = pack.evaluate(facts, lang="en")
    causes = {r.cause.code for r in python.results if r.cause} | {r.cause.params[0][1] for r in python.results if r.cause and r.cause.code == "in_scenario"}
    assert causes >= {"in_scenario", "no_scenario_facts", "target_undefined", "budget", "forecast"}
    assert {str(r.period) for r in python.results if r.entity == "a" and r.kpi == "marge"} == {f"2025-{m:02d}" for m in range(1, 7)}
    assert python.alerts
    assert_same_evaluation(python, pack.evaluate(facts, lang="en", backend="duckdb"))
    assert_same_evaluation(python, evaluate_source(pack.backend("duckdb"), [str(path)], lang="en"))
    sql = pack.evaluate(facts, backend="duckdb")
    for kpi, period, entity, scenario in [
        ("marge", "2025-01", "a", "budget"), ("marge", "2025-02", "a", "budget"), ("ecart_t", "2025-Q2", "a", "budget"),
        ("ecart_t", "2025-Q1", "groupe", "budget"), ("marge", "2025-04", "a", "forecast"), ("marge", "2025-04", "b", "forecast"),
        ("decale", "2025-Q2", "a", "budget"), ("stock_t", "2025-Q1", "a", "budget"),
    ]:
        want, got = python.scenario_result(kpi, period, entity, scenario), sql.scenario_result(kpi, period, entity, scenario)
        assert (got.status, got.cause, got.value, got.target, got.is_group) == (want.status, want.cause, want.value, want.target, want.is_group)
    with pytest.raises(KeyError):
        sql.scenario_result("marge", "2025-07", "a")


def test_a_scenario_file_read_by_duckdb_names_its_scenarios_as_names(tmp_path):
    path = tmp_path / "facts.csv"
    path.write_text("period,scenario,name,value\n2025-01,,ca,1\n2025-01,Budget 2025,ca,2\n", encoding="utf-8")
    pack = Pack.from_texts({"pack.yaml": "inputs:\n  ca: {rollup: sum}\nkpis:\n  k: {formula: ca - budget(ca), frequency: monthly}\n"})
    with pytest.raises(FactsError) as raised:
        evaluate_source(pack.backend("duckdb"), [str(path)])
    assert [p.message for p in raised.value.problems] == [
        (
            "'Budget 2025' is not a scenario name: write it in lowercase letters, digits and underscores, as 'budget' or 'revised_budget'"
            " (did you mean 'budget_2025'?)"
        )
    ]


def test_alerts_reading_their_own_past_are_told_apart():
    pack = Pack.from_texts(
        {
            "pack.yaml": "inputs:\n  ca: {rollup: sum}\n  cout: {rollup: sum}\nkpis:\n"
            "  a: {formula: ca, frequency: monthly, alerts: [{when: value > prev(value), severity: info}]}\n"
            "  b: {formula: cout, frequency: monthly, alerts: [{when: value > prev(value), severity: info}]}\n"
        }
    )
    facts = Facts.from_records([(None, "ca", "2025-01", 1), (None, "ca", "2025-02", 2), (None, "cout", "2025-01", 5), (None, "cout", "2025-02", 4)])
    python = pack.evaluate(facts)
    assert [(a.kpi, str(a.period)) for a in python.alerts] == [("a", "2025-02")]
    assert_same_evaluation(python, pack.evaluate(facts, backend="duckdb"))


def test_an_evaluation_answers_several_threads_at_once():
    pack = Pack.from_texts({"pack.yaml": ROLL})
    facts = roll_facts()
    python, sql = pack.evaluate(facts), pack.evaluate(facts, backend="duckdb")
    questions = [(kpi, period) for kpi in ("marge", "tresorerie", "cumul", "bornes") for period in ("2025-Q1", "2025-Q3", "2025")]
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda question: sql.result_at(question[0], question[1], "a"), questions))
    for (kpi, period), got in zip(questions, answers):
        want = python.result_at(kpi, period, "a")
        assert (got.status, got.error) == (want.status, want.error)
        assert same_number(want.value, got.value)
    fresh = pack.evaluate(facts, backend="duckdb")  # its results read back once, whichever thread asks first
    with ThreadPoolExecutor(max_workers=4) as pool:
        read = list(pool.map(lambda _: fresh.results, range(4)))
    assert all(results is read[0] for results in read) and len(read[0]) == len(python.results)


def test_results_at_coarser_periods_match():
    pack = Pack.from_texts({"pack.yaml": ROLL})
    facts = roll_facts()
    python, sql = pack.evaluate(facts), pack.evaluate(facts, backend="duckdb")
    for kpi in ("marge", "tresorerie", "cumul"):
        for period in ("2025-Q1", "2025-Q2", "2025"):
            want, got = python.result_at(kpi, period, "a"), sql.result_at(kpi, period, "a")
            assert (got.status, got.error) == (want.status, want.error)
            assert same_number(want.value, got.value)


@pytest.mark.parametrize(
    ("formula", "construct"),
    [
        ("ca ^ cout", "a power whose exponent is not a constant whole number"),
        ("coalesce(lag(k, 2), 0) + ca", "the time function lag() in a KPI that reads its own previous value"),
        ("coalesce(prev(k), 0) + budget(ca)", "the scenario read budget() in a KPI that reads its own previous value"),
    ],
)
def test_what_the_sql_backend_cannot_do_is_refused_at_load_time_located(formula, construct):
    text = f"inputs:\n  ca: {{rollup: sum}}\n  cout: {{rollup: sum}}\nkpis:\n  k: {{formula: \"{formula}\", frequency: monthly}}\n"
    pack = Pack.from_texts({"pack.yaml": text})
    with pytest.raises(PackError) as raised:  # from the plan alone: at the KPI
        pack.evaluate(Facts.from_records([(None, "ca", "2025-01", 1)]), backend="duckdb")
    (problem,) = raised.value.problems
    assert construct in problem.message
    assert str(problem.location) == "KPI 'k'"
    with pytest.raises(PackError) as raised:  # with the definitions (as `kpi evaluate --engine duckdb` does): at the text
        sql_plan(pack.plan, pack.definitions)
    (problem,) = raised.value.problems
    assert (problem.location.file, problem.location.line) == ("pack.yaml", 5)


def test_the_sql_renders_no_function_the_registry_lacks():
    assert set(FUNCTION_SQL) <= set(FUNCTIONS)


def test_rendered_sql_matches_the_snapshot():
    rendered = script(sql_plan(Pack.from_texts({"pack.yaml": ROLL}).plan), DUCKDB)
    snapshot = SNAPSHOTS / "roll.duckdb.sql"
    if os.environ.get("KPI_UPDATE_SNAPSHOTS"):
        snapshot.write_text(rendered, encoding="utf-8")
    assert rendered == snapshot.read_text(encoding="utf-8"), "SQL changed: review it, then regenerate with KPI_UPDATE_SNAPSHOTS=1"


def run_kpi(*args: str):
    from click.testing import CliRunner

    from kpi_engine.cli import main

    return CliRunner().invoke(main, list(args))


def test_kpi_sql_prints_one_named_step_per_layer():
    result = run_kpi("sql", str(COMPANY), "--dialect", "duckdb")
    assert result.exit_code == 0, result.output
    assert "monthly_layer_1 AS (" in result.output and "monthly_layer_1_tresorerie_previsionnelle AS (" in result.output
    assert "CREATE OR REPLACE TEMP TABLE kpi_own_quarterly" in result.output and "CREATE OR REPLACE TEMP VIEW kpi_rolled_quarterly" in result.output


def company_run() -> tuple[str, ...]:
    return (
        "evaluate", str(COMPANY), "--facts", str(ROOT / "examples/facts/monthly.csv"),
        "--facts", str(ROOT / "examples/facts/budget_fr.csv"), "--as-of", "2026-01-01",
    )


def test_kpi_evaluate_with_engine_duckdb_prints_the_same_table():
    # monthly.csv (long) is read by DuckDB itself, budget_fr.csv (wide, French numbers) by the Python readers
    python, sql = run_kpi(*company_run()), run_kpi(*company_run(), "--engine", "duckdb")
    assert python.exit_code == sql.exit_code == 0, sql.output
    assert sql.output == python.output


def assert_same_json(want: dict, got: dict) -> None:
    """Equal records, their comparisons' too, numbers within `TOLERANCE` (the Python backend's 28 digits)."""
    numbers = {"value", "target", "gap", "change"} & set(want)
    assert {k: v for k, v in got.items() if k not in numbers | {"compare"}} == {k: v for k, v in want.items() if k not in numbers | {"compare"}}
    for key in numbers:
        expected, actual = (None if v is None else Decimal(v) for v in (want[key], got[key]))
        assert expected == actual or abs(expected - actual) <= TOLERANCE * abs(expected), (want, got)
    assert set(got.get("compare", {})) == set(want.get("compare", {})), (want, got)
    for name, reference in want.get("compare", {}).items():
        assert_same_json(reference, got["compare"][name])


def test_kpi_evaluate_with_engine_duckdb_gives_the_same_json_values():
    """Equal texts except where the Python backend keeps trailing zeros or its 28 digits round a long chain of
    quotients differently from SQL's 24 decimals: equal values within 1e-18 relative (docs/scale.md). The
    budget and N-1 comparisons too, monthly.csv read by DuckDB itself and budget_fr.csv's budget scenario through the Python readers."""
    compare = ("--format", "json", "--compare", "budget,year_ago")
    python, sql = (json.loads(run_kpi(*company_run(), *compare, *engine).output) for engine in ((), ("--engine", "duckdb")))
    assert len(sql["results"]) == len(python["results"]) and len(sql["alerts"]) == len(python["alerts"])
    assert any(r["compare"]["budget"]["value"] for r in python["results"])  # budget_fr.csv's budget lines
    assert any(r["compare"]["budget"]["reason"] for r in python["results"])  # and KPIs the budget does not give
    assert any(r["compare"]["year_ago"]["value"] for r in python["results"])
    for want, got in zip(python["results"] + python["alerts"], sql["results"] + sql["alerts"], strict=True):
        assert_same_json(want, got)


def test_kpi_evaluate_refuses_facts_and_packs_the_engine_cannot_compute(tmp_path):
    facts = tmp_path / "facts.csv"
    facts.write_text("period,name,value\n2025-01-03,ca,0.0000000000000000000000001\n", encoding="utf-8")
    monthly = tmp_path / "monthly.yaml"
    monthly.write_text("inputs:\n  ca: {rollup: sum}\nkpis:\n  k: {formula: ca, frequency: monthly}\n", encoding="utf-8")
    result = run_kpi("evaluate", str(monthly), "--facts", str(facts), "--engine", "duckdb", "--lang", "en")
    assert result.exit_code == 3
    assert "facts.csv: values must be plain numbers (-1234.5) of at most 24 decimals and below 1.7e14; found '0.0000000000000000000000001'" in result.output
    root = tmp_path / "root.yaml"
    root.write_text("inputs:\n  ca: {rollup: sum}\nkpis:\n  k: {formula: ca ^ 0.5, frequency: daily}\n", encoding="utf-8")
    result = run_kpi("evaluate", str(root), "--facts", str(facts), "--engine", "duckdb", "--lang", "en")
    assert result.exit_code == 1
    assert "root.yaml:4:16: a power whose exponent is not a constant whole number between -64 and 64" in result.output


def test_kpi_explain_on_duckdb_is_refused_at_the_kpi():
    """The SQL computes whole columns and keeps no tree of one value's steps: a located refusal, never a traceback."""
    facts = str(ROOT / "examples/facts/monthly.csv")
    asked = ("explain", str(COMPANY), "taux_marge_nette", "--facts", facts, "--period", "2025-Q4", "--entity", "lyon", "--lang", "en")
    result = run_kpi(*asked, "--engine", "duckdb")
    assert result.exit_code == 1
    assert "KPI 'taux_marge_nette': kpi explain traces a value on the python backend only" in result.output
    assert run_kpi("explain", str(COMPANY), "taux_marge_nette", "--facts", facts, "--period", "2025-Q4", "--entity", "lyon").exit_code == 0


@pytest.mark.parametrize("fiscal_start", [1, 2, 7, 12])
def test_the_sql_calendar_agrees_with_the_periods_module(fiscal_start):
    """Which period holds which, where a year starts and a year ago, for days across leap years and ISO weeks 53."""
    calendar, sql = Calendar(fiscal_start), SqlCalendar((13 - fiscal_start) % 12, DUCKDB)
    edges = [date(2000, 2, 29), date(2024, 2, 29), date(2021, 1, 3), date(2020, 12, 28), date(2026, 12, 31)]
    days = [Period.from_date(Frequency.DAILY, day) for day in [*edges, *(date(1999, 12, 1) + timedelta(days=n) for n in range(0, 9200, 5))]]
    for frequency in Frequency:
        periods = sorted({p if frequency is Frequency.DAILY else calendar.ancestor(p, frequency) or p for p in days})
        periods = [calendar.bind(p) for p in periods if p.frequency is frequency]
        columns = {
            "year_start": (sql.year_start(frequency, "o"), lambda p: calendar.year_start(p).ordinal),
            "year_ago": (sql.year_ago(frequency, "o"), lambda p: p.year_ago().ordinal),
        }
        if frequency in CHILD:
            columns["first_child"] = (sql.first_child(frequency, "o"), lambda p: p.children()[0].ordinal)
            columns["children"] = (sql.children(frequency, "o"), lambda p: len(p.children()))
        for target in ANCESTORS[frequency]:
            columns[target.value] = (sql.ancestor(frequency, target, "o"), lambda p, t=target: calendar.ancestor(p, t).ordinal)
        select = ", ".join(f"{expression} AS {name}" for name, (expression, _) in columns.items())
        rows = duckdb.sql(f"SELECT {select} FROM unnest({[p.ordinal for p in periods]}) AS t(o)").fetchall()
        for period, row in zip(periods, rows, strict=True):
            assert list(row) == [expected(period) for _, expected in columns.values()], (frequency, period)

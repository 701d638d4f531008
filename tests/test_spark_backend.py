"""The Spark backend gives the Python backend's results, reasons and alerts, on a real local Spark.

Spark plans every query for seconds (minutes on a loaded machine), so by default few tests start it: the
refusals and a handful of small fixture cases (`test_evaluation_fixtures.py`), all on one local Spark (the
`spark` fixture, marker `spark`). With KPI_SPARK_ALL=1 every fixture case runs on Spark too, and so do the
whole evaluations here: the example company against the Python backend, the standard library's and the
example's pack tests, and `kpi evaluate --engine spark` reading a long CSV file itself. `kpi sql --dialect
spark` only renders text: it needs no Spark.
"""

from __future__ import annotations

import json
import os
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from test_sql_backend import COMPANY, PACK_TESTS, assert_same_evaluation, company_facts, same_number

from kpi_engine.backends.sql.dialect import DUCKDB, SPARK
from kpi_engine.backends.sql.plan import sql_plan
from kpi_engine.backends.sql.query import script
from kpi_engine.backends.sql.source import facts_from_long
from kpi_engine.cli import main
from kpi_engine.loader import load_pack
from kpi_engine.pack import Pack
from kpi_engine.packtests import run_test_text

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOTS = Path(__file__).parent / "data" / "sql"
ROLL = """\
inputs:
  ca: {rollup: sum}
  achats: {rollup: sum}
kpis:
  marge:
    formula: "(ca - achats) / ca"
    frequency: monthly
    target: 0.3
    direction: higher_is_better
    alerts: [{when: "value < target", severity: warning, message: "marge {value}"}]
  cumul: {formula: "ytd(ca)", frequency: monthly}
  stock: {formula: "prev(stock) + ca - achats", frequency: monthly}
"""


EVERYTHING_ON_SPARK = pytest.mark.skipif(not os.environ.get("KPI_SPARK_ALL"), reason="a whole evaluation on Spark: KPI_SPARK_ALL=1 runs it")


@pytest.mark.spark
@EVERYTHING_ON_SPARK
def test_example_company_gives_the_same_results_reasons_and_alerts(spark: object) -> None:
    """A fiscal year, a group, inputs whose absence is zero and budget reads, as on DuckDB."""
    pack, facts = load_pack(str(COMPANY)), company_facts()
    python = pack.evaluate(facts, lang="fr")
    assert python.alerts and any(r.status == "undefined" for r in python.results)
    assert_same_evaluation(python, pack.evaluate(facts, lang="fr", backend="spark"))


@pytest.mark.spark
@EVERYTHING_ON_SPARK
@pytest.mark.parametrize(("pack_dir", "test_file"), PACK_TESTS, ids=lambda p: p.stem if p.suffix else p.name)
def test_pack_tests_pass_on_spark(spark: object, pack_dir: Path, test_file: Path) -> None:
    """The standard library's and the example company's pack tests, each evaluation on Spark."""
    report = run_test_text(load_pack(str(pack_dir)), test_file.read_text(encoding="utf-8"), test_file.name, backend="spark")
    assert report.passed, [str(f) for f in report.failures] + [str(p) for p in report.problems]
    assert report.checks > 0


@pytest.mark.spark
@EVERYTHING_ON_SPARK
def test_kpi_evaluate_with_engine_spark_reads_a_long_csv_itself(spark: object, tmp_path: Path) -> None:
    (tmp_path / "pack.yaml").write_text(ROLL, encoding="utf-8")
    facts = tmp_path / "facts.csv"
    facts.write_text(
        "entity,input,period,value\nlyon,ca,2025-01,100.5\nlyon,achats,2025-01,80\nlyon,ca,2025-02,200\nlyon,achats,2025-02,120.25\nnice,ca,2025-02,3\n",
        encoding="utf-8",
    )
    runs = {
        engine: CliRunner().invoke(main, ["evaluate", str(tmp_path), "--facts", str(facts), "--format", "json", "--engine", engine, "--lang", "en"])
        for engine in ("python", "spark")
    }
    assert runs["spark"].exit_code == 0, runs["spark"].output
    python, spark_run = (json.loads(runs[engine].stdout) for engine in ("python", "spark"))
    assert len(spark_run["results"]) == len(python["results"]) and len(spark_run["alerts"]) == len(python["alerts"]) > 0
    for want, got in zip(python["results"] + python["alerts"], spark_run["results"] + spark_run["alerts"], strict=True):
        numbers = {"value", "target", "gap"} & set(want)  # equal values, written with or without trailing zeros
        assert {k: v for k, v in got.items() if k not in numbers} == {k: v for k, v in want.items() if k not in numbers}
        for key in numbers:
            assert same_number(*(None if v is None else Decimal(v) for v in (want[key], got[key]))), (want, got)


# Period and value texts a long-format source may hold: every form of period, ones that are no period (a 13th month,
# 30 February, a 53rd week 2021 lacks, a calendar quarter under a fiscal year), values out of range or not plain numbers.
LONG_ROWS = [
    ("lyon", "", "2025-01", "100.5"), ("lyon", "budget", "2025-12", "-3"), ("l'y\\on", " ", "2025-13", "1"),
    ("", "actual", "2024-02-29", "+0.000000000000000000000001"), ("nice", "", "2025-02-30", "2"), ("nice", "", "2020-W53", "1"),
    ("nice", "", "2021-W53", "1"), ("nice", "", "2026-W01", "7"), ("nice", "", "FY2025", "1"), ("nice", "", "fy2025-q3", "1"),
    ("nice", "", "2025", "1"), ("nice", "", "2025-Q2", "1"), ("nice", "", "2025-q4", "1"), ("nice", "", "2025-1", "1"),
    ("nice", "", "x", "1 000"), ("nice", "", "2025-01", "1e3"), ("nice", "", "2025-01", "12.1234567890123456789012345"),
    ("nice", "", "2025-01", "99999999999999999999"), ("nice", "", "2025-01", ""), ("nice", "", "2025-01", "-0.5"), ("nice", "", "2025-01", "007"),
]


@pytest.mark.spark
@EVERYTHING_ON_SPARK
@pytest.mark.parametrize("shift", [0, 3, 6])
def test_long_facts_read_alike_on_duckdb_and_spark(spark: object, tmp_path: Path, shift: int) -> None:
    """One text (`sql.source.facts_from_long`) rendered for each engine gives the same rows: periods, ordinals, values."""
    from kpi_engine.backends.spark import spark_session
    source = tmp_path / "facts.csv"
    source.write_text("Entity,Scénario,name,period,value\n" + "".join(f"{e},{s},ca,{p},{v}\n" for e, s, p, v in LONG_ROWS), encoding="utf-8")
    columns = {"entity": "Entity", "scénario": "Scénario", "name": "name", "period": "period", "value": "value"}
    session = spark_session()
    session.read.option("header", "true").csv(str(source)).createOrReplaceTempView("raw")
    for wanted in (None, {"l'y\\on", None}):
        on_duckdb = duckdb.connect().execute(facts_from_long(DUCKDB, f"read_csv('{source}', all_varchar = true)", columns, wanted, shift)).fetchall()
        read = session.sql(facts_from_long(SPARK, "raw", columns, wanted, shift)).collect()
        on_spark = [tuple(int(v) if isinstance(v, Decimal) else v for v in row) for row in read]
        assert sorted(on_spark, key=str) == sorted(on_duckdb, key=str)
        assert len(on_duckdb) == (len(LONG_ROWS) if wanted is None else 2)


def test_kpi_sql_dialect_spark_prints_readable_spark_sql() -> None:
    rendered = script(sql_plan(Pack.from_texts({"pack.yaml": ROLL}).plan), SPARK)
    snapshot = SNAPSHOTS / "roll.spark.sql"
    if os.environ.get("KPI_UPDATE_SNAPSHOTS"):
        snapshot.write_text(rendered, encoding="utf-8")
    assert rendered == snapshot.read_text(encoding="utf-8"), "SQL changed: review it, then regenerate with KPI_UPDATE_SNAPSHOTS=1"
    assert "aggregate(sequence(1, 12)" in rendered and " kpi_div(" not in rendered.split("\n", 6)[-1]  # written inline
    assert "monthly_layer_1 AS (" in rendered and "`why:marge`" in rendered and '"marge"' not in rendered  # backquoted names


def test_kpi_sql_dialect_spark_from_the_command_line(tmp_path: Path) -> None:
    (tmp_path / "pack.yaml").write_text(ROLL, encoding="utf-8")
    run = CliRunner().invoke(main, ["sql", str(tmp_path), "--dialect", "spark"])
    assert run.exit_code == 0, run.output
    assert run.stdout.startswith("-- KPI evaluation in spark SQL. Input: a relation kpi_facts(entity STRING, scenario STRING (")
    assert "WITH RECURSIVE" in run.stdout and "CREATE OR REPLACE TEMP VIEW kpi_rolled_quarterly AS" in run.stdout

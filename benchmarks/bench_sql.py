#!/usr/bin/env python
"""Benchmark: the Python, DuckDB and Spark backends and hand-written DuckDB and Spark queries on the generated pack.

Run by hand (this is not a pytest test):

    python benchmarks/bench_sql.py                                   # 1000 KPIs x 100 entities x 100 months
    python benchmarks/bench_sql.py --kpis 200 --entities 10 --months 24
    python benchmarks/bench_sql.py --kpis 100 --entities 100 --months 24 --modes spark-hand,spark   # local Spark

The pack and facts come from `bench_evaluate.py`'s generator (seeded). The facts are written once as a
long-format CSV (entity, input, period, value). Each measurement runs in a child process of its own, from
reading the pack and the CSV to having every result in Python, so wall time, CPU time (user + system of
every thread, `RUSAGE_CHILDREN`: read it on a loaded machine, where waiting for a core inflates the wall
clock) and peak memory (the child's maximum resident set size, which the child reads from
`resource.getrusage(RUSAGE_SELF)` as it ends) cover the whole process. Neither side writes an output file:
both end with every value in Python, which is what they are compared on:

- `python`: `Pack.evaluate_iter` over facts read by the Python CSV reader, every result walked;
- `duckdb`: `Pack.backend("duckdb")` reading the CSV itself (`evaluate_source`), exact 24-decimal values,
  reasons and alerts, every result walked;
- `hand`: one hand-written DuckDB query computing the same KPIs in DOUBLE (no reasons, statuses or alerts:
  what a team writing the SQL by hand would write), every row fetched into Python;
- `spark`: `evaluate_source` of the Spark backend on a local Spark (`local[2]`), reading the CSV itself;
- `spark-hand`: the hand-written query in Spark SQL on the same local Spark, every row collected.

A Spark child's peak memory adds the JVM's peak resident set (`VmHWM`, read before it stops) to the Python
process's. Ratios are printed against the hand-written query of the same engine.
"""

from __future__ import annotations

import argparse
import csv
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_evaluate import KpiSpec, Spec, make_facts, make_spec, spec_to_yaml


def write_inputs(spec: Spec, entities: int, months: int, directory: Path) -> None:
    """The pack's YAML files and the facts as one long CSV."""
    for name, text in spec_to_yaml(spec).items():
        (directory / name).write_text(text, encoding="utf-8")
    records, _ = make_facts(spec, entities, months, seed=7, missing_rate=0.0)
    with (directory / "facts.csv").open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(("entity", "input", "period", "value"))
        for entity, name, period, value in records:
            writer.writerow((entity, name, str(period), value))


# --- the hand-written query: DOUBLE arithmetic, one CTE per layer ----------------------------------
def hand_expression(kpi: KpiSpec, quote: str = '"') -> str:
    a = [f"{quote}{x}{quote}" for x in kpi.args]
    over = "OVER (PARTITION BY entity ORDER BY period)"
    match kpi.kind:
        case "diff":
            return f"{a[0]} - {a[1]}"
        case "ratio":
            return f"{a[0]} / NULLIF({a[1]}, 0)"
        case "sum":
            return " + ".join(a)
        case "margin":
            return f"({a[0]} - {a[1]}) / NULLIF({a[2]}, 0)"
        case "scaled":
            return f"{a[0]} * {kpi.const} - {a[1]}"
        case "tax":
            return f"CASE WHEN {a[0]} > 0 THEN {a[0]} * {kpi.const} / 100 ELSE 0 END"
        case "ifelse":
            return f"CASE WHEN {a[0]} > {a[1]} THEN {a[0]} - {a[1]} ELSE {a[2]} - {a[0]} END"
        case "cap":
            return f"LEAST({a[0]}, {a[1]})"
        case "floor0":
            return f"GREATEST({a[0]} - {a[1]}, 0)"
        case "clamp":
            return f"LEAST(GREATEST({a[0]}, 0), {a[1]})"
        case "absdiff":
            return f"abs({a[0]} - {a[1]})"
        case "round_ratio":
            return f"round({a[0]} / NULLIF({a[1]}, 0), 2)"
        case "round_margin":
            return f"round(({a[0]} - {a[1]}) / NULLIF({a[2]}, 0) * 100, 2)"
        case "prev":
            return f"LAG({a[0]}) {over}"
        case "growth":
            return f"{a[0]} / NULLIF(LAG({a[0]}) {over}, 0) - 1"
        case "rolling":
            window = "OVER (PARTITION BY entity ORDER BY period ROWS 2 PRECEDING)"
            return f"CASE WHEN count({a[0]}) {window} = 3 THEN sum({a[0]}) {window} END"
        case "delta":
            return f"{a[0]} - LAG({a[0]}) {over}"
    raise ValueError(kpi.kind)


def hand_query(spec: Spec, source: str, quote: str = '"') -> str:
    """The KPIs as one query in DOUBLE over `source` (a relation of long-format facts), identifiers in `quote`:
    DuckDB's double quotes over `read_csv`, or Spark's backquotes over a view of the CSV."""
    pivot = ", ".join(f"max(value) FILTER (WHERE input = '{name}') AS {quote}{name}{quote}" for name in spec.inputs)
    steps = [f"inputs AS (SELECT entity, period, {pivot} FROM {source} GROUP BY entity, period)"]
    last = "inputs"
    for layer in sorted({kpi.layer for kpi in spec.kpis}):
        columns = ", ".join(f"{hand_expression(k, quote)} AS {quote}{k.name}{quote}" for k in spec.kpis if k.layer == layer)
        steps.append(f"layer_{layer} AS (SELECT *, {columns} FROM {last})")
        last = f"layer_{layer}"
    return f"WITH {', '.join(steps)} SELECT * FROM {last} ORDER BY entity, period"


def run_spark_child(mode: str, directory: Path, spec_args: tuple[int, int, int, int]) -> int:
    """A run on a local Spark: the backend, or the hand-written query."""
    from kpi_engine import Pack
    from kpi_engine.backends.spark import SparkBackend, evaluate_source, start

    spark = start("local[2]")
    if mode == "spark-hand":
        spec = make_spec(*spec_args)
        schema = "entity STRING, input STRING, period STRING, value DOUBLE"
        spark.read.option("header", "true").schema(schema).csv(str(directory / "facts.csv")).createOrReplaceTempView("facts")
        rows = spark.sql(hand_query(spec, "facts", "`")).collect()
        values = sum(len(row) - 2 - len(spec.inputs) for row in rows)
    else:
        pack = Pack.from_texts({p.name: p.read_text(encoding="utf-8") for p in sorted(directory.glob("*.yaml"))})
        backend = pack.backend("spark")
        assert isinstance(backend, SparkBackend)
        values = sum(len(one.results) for one in evaluate_source(backend, [str(directory / "facts.csv")]).by_entity())
    jvm = spark.sparkContext._gateway.proc.pid  # the JVM pyspark launched
    jvm_peak = next(int(line.split()[1]) for line in Path(f"/proc/{jvm}/status").read_text().splitlines() if line.startswith("VmHWM:"))
    spark.stop()
    print(values, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss + jvm_peak)
    return 0


# --- the children --------------------------------------------------------------------------------
def run_child(mode: str, directory: Path, spec_args: tuple[int, int, int, int]) -> int:
    """One measured run; prints how many values it holds."""
    if mode.startswith("spark"):
        return run_spark_child(mode, directory, spec_args)
    if mode == "hand":
        import duckdb

        spec = make_spec(*spec_args)
        rows = duckdb.connect().execute(hand_query(spec, f"read_csv('{directory / 'facts.csv'}', types = {{'value': 'DOUBLE'}})")).fetchall()
        return report(sum(len(row) - 2 - len(spec.inputs) for row in rows))
    from kpi_engine import Pack, read_facts_text
    from kpi_engine.backends.duckdb import evaluate_source

    pack = Pack.from_texts({p.name: p.read_text(encoding="utf-8") for p in sorted(directory.glob("*.yaml"))})
    if mode == "python":
        facts = read_facts_text((directory / "facts.csv").read_text(encoding="utf-8"), "facts.csv")
        return report(sum(len(one.results) for one in pack.evaluate_iter(facts)))
    backend = pack.backend("duckdb")
    return report(sum(len(one.results) for one in evaluate_source(backend, [str(directory / "facts.csv")]).by_entity()))  # type: ignore[arg-type]


def report(values: int) -> int:
    """Prints the values computed and this process's peak resident memory in KiB."""
    print(values, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    return 0


def cpu_of_children() -> float:
    """User + system CPU seconds of the children waited for so far (every thread: DuckDB runs several)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def measure(mode: str, directory: Path, spec_args: tuple[int, int, int, int]) -> tuple[float, float, float, str]:
    """(wall seconds, CPU seconds, peak resident MiB, the child's output) of one child run."""
    start, cpu = time.perf_counter(), cpu_of_children()
    command = [sys.executable, __file__, "--child", mode, "--dir", str(directory), "--spec", ",".join(map(str, spec_args))]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wall, cpu = time.perf_counter() - start, cpu_of_children() - cpu
    if done.returncode:
        return wall, cpu, 0.0, "failed: " + (done.stderr.strip().splitlines() or ["?"])[-1]
    values, peak = done.stdout.split()
    return wall, cpu, int(peak) / 1024, values


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kpis", type=int, default=1000)
    parser.add_argument("--entities", type=int, default=100)
    parser.add_argument("--months", type=int, default=100)
    parser.add_argument("--modes", default="hand,duckdb,python")
    parser.add_argument("--child")
    parser.add_argument("--dir")
    parser.add_argument("--spec")
    args = parser.parse_args(argv)
    if args.child:
        kpis, inputs, layers, seed = (int(x) for x in args.spec.split(","))
        return run_child(args.child, Path(args.dir), (kpis, inputs, layers, seed))
    spec_args = (args.kpis, 50, 10, 42)
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        write_inputs(make_spec(*spec_args), args.entities, args.months, directory)
        print(f"{args.kpis} KPIs, {args.entities} entities x {args.months} months = {args.entities * args.months} entity-months")
        figures = {}
        for mode in args.modes.split(","):
            figures[mode] = measure(mode, directory, spec_args)  # one at a time: peaks never overlap
            wall, cpu, peak, out = figures[mode]
            print(f"{mode:10} wall {wall:8.1f} s  CPU {cpu:8.1f} s {peak:9.0f} MiB   values: {out}", flush=True)
        for hand, engines in (("hand", ("duckdb", "python")), ("spark-hand", ("spark",))):
            if hand not in figures or not figures[hand][2]:
                continue
            hand_wall, hand_cpu, hand_peak, _ = figures[hand]
            for mode in engines:
                wall, cpu, peak, _ = figures.get(mode, (0.0, 0.0, 0.0, ""))
                if peak:
                    print(f"{mode:8} / {hand}: wall x{wall / hand_wall:.2f}, CPU x{cpu / hand_cpu:.2f}, memory x{peak / hand_peak:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

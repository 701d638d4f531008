#!/usr/bin/env python
"""Benchmark: `Pack.evaluate` against hand-written Python on the same generated pack.

Run by hand (this is not a pytest test):

    python benchmarks/bench_evaluate.py                        # 1000 KPIs x 100 entities x 100 months
    python benchmarks/bench_evaluate.py --kpis 200 --entities 20 --months 24 --repeat 3
    python -m cProfile -s cumtime benchmarks/bench_evaluate.py --kpis 200 --entities 10 --months 24 \
        --repeat 1 --engine-only | head -60

What it does (see benchmarks/README.md):

1. Builds, from a seeded `random.Random`, a *spec* of N monthly KPIs over ~50 `rollup: sum`
   inputs: ratios, differences, sums of 3-6 terms, margins, `if(...)`, `min/max`, `abs`,
   `round(x, 2)`, ~10% time functions (`prev`, `growth`, `rolling_sum(x, 3)`, `x - prev(x)`),
   a layered DAG (each layer reads the previous one), a few targets and alerts. The spec is
   rendered as YAML text and loaded with `Pack.from_texts` (timed: load + compile).
2. Generates exact-cent Decimal facts for entities x months in memory (`Facts.from_records`).
3. Times `pack.evaluate(facts)` (values + alerts) and then materialising `evaluation.results`.
4. Times a hand-written baseline computing the same numbers from the same spec without the
   engine: one small closure per KPI shape (direct dict lookups, Decimal arithmetic), run in
   topological order per entity and month, values kept in one dict per (entity, month),
   earlier months looked up by month index; undefined = absent (KeyError / ArithmeticError).
5. Checks every value, target, status and alert agree, then prints a table.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import random
import resource
import sys
import time
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext

from kpi_engine import Facts, Pack, Period

# ---------------------------------------------------------------------------------------------
# 1. The spec: what each KPI computes, independent of both the engine and the baseline.
# ---------------------------------------------------------------------------------------------

# kind -> (weight, number of operands, which operand positions must be strictly positive)
SCALAR_KINDS = {
    "diff": (14, 2, ()),            # a - b
    "ratio": (14, 2, (1,)),         # a / b
    "sum": (14, 0, ()),             # a + b + c (+ d + e + f)   operands: 3..6
    "margin": (8, 3, (2,)),         # (a - b) / c
    "scaled": (6, 2, ()),           # a * 1.2 - b
    "tax": (5, 1, ()),              # if(a > 0, a * 25%, 0)
    "ifelse": (4, 3, ()),           # if(a > b, a - b, c - a)
    "cap": (4, 2, ()),              # min(a, b)
    "floor0": (4, 2, ()),           # max(a - b, 0)
    "clamp": (3, 2, ()),            # min(max(a, 0), b)
    "absdiff": (4, 2, ()),          # abs(a - b)
    "round_ratio": (5, 2, (1,)),    # round(a / b, 2)
    "round_margin": (5, 3, (2,)),   # round((a - b) / c * 100, 2)
}
TIME_KINDS = {
    "prev": (3, 1, ()),             # prev(a)
    "growth": (3, 1, (0,)),         # growth(a)
    "rolling": (3, 1, ()),          # rolling_sum(a, 3)
    "delta": (1, 1, ()),            # a - prev(a)
}
TIME_SHARE = 0.10
SCALES = ("1.2", "0.35", "0.8", "1.055")
RATES = ("20", "25", "5.5", "33.33")


@dataclass
class KpiSpec:
    name: str
    kind: str
    args: tuple[str, ...]
    layer: int
    positive: bool  # never 0 nor negative when defined: may be used as a denominator
    const: str = ""  # the literal of `scaled` (a * k - b) and `tax` (a * r%)
    target: str = ""  # a literal target (direction higher_is_better)
    alerts: list[tuple[str, str]] = field(default_factory=list)  # (kind, severity): kind in {neg, below_target}

    def formula(self) -> str:
        a = self.args
        match self.kind:
            case "diff":
                return f"{a[0]} - {a[1]}"
            case "ratio":
                return f"{a[0]} / {a[1]}"
            case "sum":
                return " + ".join(a)
            case "margin":
                return f"({a[0]} - {a[1]}) / {a[2]}"
            case "scaled":
                return f"{a[0]} * {self.const} - {a[1]}"
            case "tax":
                return f"if({a[0]} > 0, {a[0]} * {self.const}%, 0)"
            case "ifelse":
                return f"if({a[0]} > {a[1]}, {a[0]} - {a[1]}, {a[2]} - {a[0]})"
            case "cap":
                return f"min({a[0]}, {a[1]})"
            case "floor0":
                return f"max({a[0]} - {a[1]}, 0)"
            case "clamp":
                return f"min(max({a[0]}, 0), {a[1]})"
            case "absdiff":
                return f"abs({a[0]} - {a[1]})"
            case "round_ratio":
                return f"round({a[0]} / {a[1]}, 2)"
            case "round_margin":
                return f"round(({a[0]} - {a[1]}) / {a[2]} * 100, 2)"
            case "prev":
                return f"prev({a[0]})"
            case "growth":
                return f"growth({a[0]})"
            case "rolling":
                return f"rolling_sum({a[0]}, 3)"
            case "delta":
                return f"{a[0]} - prev({a[0]})"
        raise ValueError(self.kind)


@dataclass
class Spec:
    inputs: list[str]
    kpis: list[KpiSpec]  # in a topological order (each reads only inputs and earlier KPIs)


def _is_positive(kind: str, args: tuple[str, ...], positive: set[str]) -> bool:
    if kind in ("sum", "cap", "prev", "rolling"):
        return all(a in positive for a in args)
    if kind == "ratio":
        return args[0] in positive and args[1] in positive
    return False


def make_spec(n_kpis: int, n_inputs: int, layers: int, seed: int) -> Spec:
    rng = random.Random(seed)
    inputs = [f"in_{i:02d}" for i in range(n_inputs)]
    positive: set[str] = set(inputs)  # input values are in [1, 10000]
    kinds = [(k, w) for k, (w, _, _) in SCALAR_KINDS.items()]
    time_kinds = [(k, w) for k, (w, _, _) in TIME_KINDS.items()]
    shapes = {**SCALAR_KINDS, **TIME_KINDS}
    by_layer: list[list[str]] = []
    kpis: list[KpiSpec] = []
    per_layer = [n_kpis // layers + (1 if i < n_kpis % layers else 0) for i in range(layers)]
    for layer, count in enumerate(per_layer):
        earlier = inputs + [k for names in by_layer for k in names]
        earlier_positive = [x for x in earlier if x in positive]
        previous = by_layer[-1] if by_layer else inputs
        previous_positive = [x for x in previous if x in positive] or earlier_positive
        names: list[str] = []
        for _ in range(count):
            name = f"k{len(kpis):04d}"
            pool = time_kinds if rng.random() < TIME_SHARE else kinds
            kind = rng.choices([k for k, _ in pool], [w for _, w in pool])[0]
            _, arity, must_be_positive = shapes[kind]
            if kind == "sum":
                arity = rng.randint(3, 6)
            args: list[str] = []
            for position in range(arity):
                needs_positive = position in must_be_positive
                # the first operand comes from the layer just below (so depth = number of layers),
                # the others from anything earlier, inputs a bit more often
                if position == 0:
                    candidates = previous_positive if needs_positive else previous
                elif needs_positive:
                    candidates = earlier_positive
                else:
                    candidates = inputs if rng.random() < 0.4 else earlier
                pick = rng.choice(candidates)
                while pick in args and len(candidates) > arity:
                    pick = rng.choice(candidates)
                args.append(pick)
            const = rng.choice(SCALES) if kind == "scaled" else rng.choice(RATES) if kind == "tax" else ""
            spec = KpiSpec(name, kind, tuple(args), layer, _is_positive(kind, tuple(args), positive), const)
            if spec.positive:
                positive.add(name)
            roll = rng.random()
            if kind in ("ratio", "round_ratio") and roll < 0.15:
                spec.target = rng.choice(("0.8", "1", "1.2", "1.5"))
                if rng.random() < 0.5:
                    spec.alerts.append(("below_target", "warning"))
            elif kind in ("diff", "margin", "round_margin") and roll < 0.08:
                spec.alerts.append(("neg", rng.choice(("warning", "critical"))))
            kpis.append(spec)
            names.append(name)
        by_layer.append(names)
    return Spec(inputs, kpis)


def kpi_unit(kpi: KpiSpec) -> str:
    return "percent" if kpi.kind in ("ratio", "margin", "growth", "round_ratio") else "EUR"


def spec_to_yaml(spec: Spec, kpis_per_file: int = 100) -> dict[str, str]:
    """The pack as YAML texts: inputs.yaml plus one file per `kpis_per_file` KPIs."""
    files: dict[str, str] = {}
    lines = ["inputs:"]
    for name in spec.inputs:
        lines += [f"  {name}:", "    unit: EUR", "    rollup: sum"]
    files["inputs.yaml"] = "\n".join(lines) + "\n"
    for start in range(0, len(spec.kpis), kpis_per_file):
        lines = ["kpis:"]
        for kpi in spec.kpis[start : start + kpis_per_file]:
            unit = kpi_unit(kpi)
            lines += [
                f"  {kpi.name}:",
                f"    label: {{fr: Indicateur {kpi.name}, en: Indicator {kpi.name}}}",
                f"    formula: {kpi.formula()}",
                f"    unit: {unit}",
                f"    owner: owner_{kpi.layer}",
                "    frequency: monthly",
            ]
            if kpi.target:
                lines += [f"    target: {kpi.target}", "    direction: higher_is_better"]
            if kpi.alerts:
                lines.append("    alerts:")
                for alert, severity in kpi.alerts:
                    when = "value < 0" if alert == "neg" else "value < target"
                    lines += [f"      - when: {when}", f"        severity: {severity}"]
        files[f"kpis_{start // kpis_per_file:02d}.yaml"] = "\n".join(lines) + "\n"
    return files


# ---------------------------------------------------------------------------------------------
# 2. Facts: exact cents in [1, 10000], for every entity x month x input.
# ---------------------------------------------------------------------------------------------
FIRST_MONTH = Period.parse("2017-01")


def make_facts(spec: Spec, n_entities: int, n_months: int, seed: int, missing_rate: float):
    """(records for Facts.from_records, the same figures as {entity: {month index: {input: value}}})."""
    rng = random.Random(seed + 1)
    periods = [FIRST_MONTH.shift(m) for m in range(n_months)]
    records = []
    plain: dict[str, dict[int, dict[str, Decimal]]] = {}
    for e in range(n_entities):
        entity = f"e{e:03d}"
        months = plain[entity] = {}
        for m, period in enumerate(periods):
            values = months[m] = {}
            for name in spec.inputs:
                if missing_rate and rng.random() < missing_rate:
                    continue
                value = Decimal(rng.randint(100, 1_000_000)).scaleb(-2)
                values[name] = value
                records.append((entity, name, period, value))
    return records, plain


# ---------------------------------------------------------------------------------------------
# 3. The hand-written baseline: one plain closure per KPI, no engine.
#    f(v, h, m): v = this month's values (inputs + KPIs so far), h = {month index: values} of the
#    entity, m = month index. Undefined values are simply absent, so reading one raises KeyError;
#    Decimal raises DivisionByZero / InvalidOperation (ArithmeticError) on a zero denominator.
# ---------------------------------------------------------------------------------------------
ZERO, ONE, HUNDRED, CENT, TENTH = Decimal(0), Decimal(1), Decimal(100), Decimal("0.01"), Decimal("0.1")


def baseline_function(kpi: KpiSpec):
    a = kpi.args
    match kpi.kind:
        case "diff":
            x, y = a
            return lambda v, h, m: v[x] - v[y]
        case "ratio":
            x, y = a
            return lambda v, h, m: v[x] / v[y]
        case "sum":
            if len(a) == 3:
                x, y, z = a
                return lambda v, h, m: v[x] + v[y] + v[z]
            if len(a) == 4:
                x, y, z, t = a
                return lambda v, h, m: v[x] + v[y] + v[z] + v[t]
            if len(a) == 5:
                x, y, z, t, u = a
                return lambda v, h, m: v[x] + v[y] + v[z] + v[t] + v[u]
            x, y, z, t, u, w = a
            return lambda v, h, m: v[x] + v[y] + v[z] + v[t] + v[u] + v[w]
        case "margin":
            x, y, z = a
            return lambda v, h, m: (v[x] - v[y]) / v[z]
        case "scaled":
            (x, y), k = a, Decimal(kpi.const)
            return lambda v, h, m: v[x] * k - v[y]
        case "tax":
            (x,), rate = a, Decimal(kpi.const) / 100

            def tax(v, h, m):
                base = v[x]
                return base * rate if base > 0 else ZERO

            return tax
        case "ifelse":
            x, y, z = a

            def ifelse(v, h, m):
                first, second = v[x], v[y]
                return first - second if first > second else v[z] - first

            return ifelse
        case "cap":
            x, y = a
            return lambda v, h, m: min(v[x], v[y])
        case "floor0":
            x, y = a
            return lambda v, h, m: max(v[x] - v[y], ZERO)
        case "clamp":
            x, y = a
            return lambda v, h, m: min(max(v[x], ZERO), v[y])
        case "absdiff":
            x, y = a
            return lambda v, h, m: abs(v[x] - v[y])
        case "round_ratio":
            x, y = a
            return lambda v, h, m: (v[x] / v[y]).quantize(CENT, rounding=ROUND_HALF_UP)
        case "round_margin":
            x, y, z = a
            return lambda v, h, m: ((v[x] - v[y]) / v[z] * HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)
        case "prev":
            (x,) = a
            return lambda v, h, m: h[m - 1][x]
        case "growth":
            (x,) = a
            return lambda v, h, m: v[x] / h[m - 1][x] - ONE
        case "rolling":
            (x,) = a
            return lambda v, h, m: h[m - 2][x] + h[m - 1][x] + v[x]
        case "delta":
            (x,) = a
            return lambda v, h, m: v[x] - h[m - 1][x]
    raise ValueError(kpi.kind)


def show(value: Decimal, unit: str) -> str:
    """A value as an alert message shows it: `12.3%`, `€1,234.57`, `-€5.00`."""
    if unit == "percent":
        rounded = (value * HUNDRED).quantize(TENTH, rounding=ROUND_HALF_UP)
        return f"{rounded if rounded else rounded.copy_abs():,f}%"  # never "-0.0%"
    rounded = value.quantize(CENT, rounding=ROUND_HALF_UP)
    text = f"{rounded if rounded else rounded.copy_abs():,f}"
    return f"-€{text[1:]}" if text[0] == "-" else f"€{text}"


@dataclass(frozen=True)
class BaselineAlert:
    kpi: str
    month: int
    entity: str
    severity: str
    message: str


@dataclass(frozen=True)
class BaselineResult:
    kpi: str
    month: int
    entity: str
    value: Decimal | None
    target: Decimal | None
    gap: Decimal | None
    status: str


def baseline_prepare(spec: Spec):
    functions = [(kpi.name, baseline_function(kpi)) for kpi in spec.kpis]
    targets = {kpi.name: Decimal(kpi.target) for kpi in spec.kpis if kpi.target}
    alerts = [(kpi.name, f"Indicator {kpi.name}", kpi_unit(kpi), alert, severity)
              for kpi in spec.kpis for alert, severity in kpi.alerts]
    return functions, targets, alerts


def baseline_evaluate(prepared, plain_facts):
    """{entity: {month: {name: value}}} for inputs and defined KPIs, and the fired alerts."""
    functions, targets, alert_rules = prepared
    values: dict[str, dict[int, dict[str, Decimal]]] = {}
    alerts: list[BaselineAlert] = []
    with localcontext(prec=28):
        for entity in sorted(plain_facts):
            history = values[entity] = {}
            for m, inputs in sorted(plain_facts[entity].items()):
                v = history[m] = dict(inputs)
                for name, function in functions:
                    with contextlib.suppress(KeyError, ArithmeticError):
                        v[name] = function(v, history, m)
                for name, label, unit, rule, severity in alert_rules:
                    value = v.get(name)
                    if value is None:
                        continue
                    if rule == "neg":
                        if value < 0:
                            message = f"{label}: {show(value, unit)}"
                            alerts.append(BaselineAlert(name, m, entity, severity, message))
                    elif value < targets[name]:
                        message = f"{label}: {show(value, unit)} (target {show(targets[name], unit)})"
                        alerts.append(BaselineAlert(name, m, entity, severity, message))
    return values, alerts


def baseline_results(prepared, values) -> list[BaselineResult]:
    functions, targets, _ = prepared
    results = []
    with localcontext(prec=28):
        for entity, history in values.items():
            for m, v in history.items():
                for name, _ in functions:
                    value = v.get(name)
                    target = targets.get(name)
                    if value is None:
                        results.append(BaselineResult(name, m, entity, None, None, None, "undefined"))
                    elif target is None:
                        results.append(BaselineResult(name, m, entity, value, None, None, "no_target"))
                    else:
                        status = "met" if value >= target else "missed"
                        results.append(BaselineResult(name, m, entity, value, target, value - target, status))
    return results


# ---------------------------------------------------------------------------------------------
# 4. Checking and reporting.
# ---------------------------------------------------------------------------------------------
def check(evaluation, values, baseline_alerts, engine_results, base_results, limit: int = 10) -> tuple[int, int]:
    """Compare everything; returns (mismatches, undefined values). Prints the first mismatches."""
    mismatches = undefined = 0
    first = FIRST_MONTH.ordinal
    if len(engine_results) != len(base_results):
        print(f"MISMATCH: engine has {len(engine_results)} results, baseline {len(base_results)}")
        mismatches += 1
    for r, b in zip(engine_results, base_results):
        month = r.period.ordinal - first
        expected = values[r.entity][month].get(r.kpi)
        if r.value is None:
            undefined += 1
        same_place = (r.kpi, month, r.entity) == (b.kpi, b.month, b.entity)
        same = (
            same_place
            and (r.value is None) == (expected is None)
            and (r.value is None or r.value == expected)
            and (r.value, r.target, r.gap, r.status) == (b.value, b.target, b.gap, b.status)
        )
        if not same:
            mismatches += 1
            if mismatches <= limit:
                print(f"MISMATCH {r.kpi} {r.period} {r.entity}: engine {r.value} ({r.status}, {r.error}) "
                      f"baseline {expected} / {b}")
    engine_alerts = [(a.kpi, a.period.ordinal - first, a.entity, a.severity, a.message) for a in evaluation.alerts]
    base_alerts = [(a.kpi, a.month, a.entity, a.severity, a.message) for a in baseline_alerts]
    if engine_alerts != base_alerts:
        mismatches += 1
        print(f"MISMATCH alerts: engine {len(engine_alerts)}, baseline {len(base_alerts)}; "
              f"first difference: {next((p for p in zip(engine_alerts, base_alerts) if p[0] != p[1]), None)}")
    return mismatches, undefined


def max_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


GC_OFF = False


CPU_SECONDS: dict[str, float] = {}  # label -> best process CPU time, next to the wall-clock figures


def best_of(repeat: int, run, label: str = ""):
    """(best wall seconds, last result) over `repeat` runs; the previous result is freed before each run.

    The best process CPU time goes to CPU_SECONDS[label]: on a shared machine wall-clock time
    includes waiting for a core, CPU time does not.
    """
    best, best_cpu, result = float("inf"), float("inf"), None
    for _ in range(repeat):
        result = None
        gc.collect()
        if GC_OFF:
            gc.disable()
        start, start_cpu = time.perf_counter(), time.process_time()
        result = run()
        best_cpu = min(best_cpu, time.process_time() - start_cpu)
        best = min(best, time.perf_counter() - start)
        gc.enable()
    CPU_SECONDS[label] = best_cpu
    return best, result


def profile_engine(pack, facts, top: int = 25) -> None:
    """cProfile of `pack.evaluate` and of `evaluation.results` only (not loading, not the baseline)."""
    import cProfile
    import pstats

    for phase in ("evaluate", "results"):
        gc.collect()
        profiler = cProfile.Profile()
        if phase == "evaluate":
            profiler.enable()
            evaluation = pack.evaluate(facts, lang="en")
            profiler.disable()
        else:
            profiler.enable()
            _ = evaluation.results  # the property builds the results: that is what is profiled
            profiler.disable()
        print(f"\n--- cProfile of {phase} (sorted by own time) ---")
        pstats.Stats(profiler, stream=sys.stdout).strip_dirs().sort_stats("tottime").print_stats(top)
        print(f"--- cProfile of {phase} (sorted by cumulative time) ---")
        pstats.Stats(profiler, stream=sys.stdout).strip_dirs().sort_stats("cumtime").print_stats(top)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kpis", type=int, default=1000)
    parser.add_argument("--inputs", type=int, default=50)
    parser.add_argument("--entities", type=int, default=100)
    parser.add_argument("--months", type=int, default=100)
    parser.add_argument("--layers", type=int, default=8, help="depth of the KPI DAG (default 8)")
    parser.add_argument("--seed", type=int, default=20250101)
    parser.add_argument("--repeat", type=int, default=3, help="best of N timings (default 3)")
    parser.add_argument("--missing-rate", type=float, default=0.0, help="share of facts left out (default 0)")
    parser.add_argument("--engine-only", action="store_true", help="skip the baseline and the check (for profiling)")
    parser.add_argument("--profile", action="store_true",
                        help="also run evaluate and results once each under cProfile and print their hot spots")
    parser.add_argument("--no-gc", action="store_true", help="disable the cyclic garbage collector while timing")
    parser.add_argument("--dump", metavar="DIR", help="also write the generated pack's YAML files to DIR")
    args = parser.parse_args(argv)
    global GC_OFF  # noqa: PLW0603 - a command-line switch read by the timing helper, set once at start
    GC_OFF = args.no_gc

    spec = make_spec(args.kpis, args.inputs, args.layers, args.seed)
    texts = spec_to_yaml(spec)
    if args.dump:
        import pathlib

        out = pathlib.Path(args.dump)
        out.mkdir(parents=True, exist_ok=True)
        for name, text in texts.items():
            (out / name).write_text(text, encoding="utf-8")
    kinds: dict[str, int] = {}
    for kpi in spec.kpis:
        kinds[kpi.kind] = kinds.get(kpi.kind, 0) + 1
    print(f"pack: {len(spec.kpis)} KPIs, {len(spec.inputs)} inputs, {args.layers} layers, "
          f"{sum(1 for k in spec.kpis if k.target)} targets, {sum(len(k.alerts) for k in spec.kpis)} alert rules, "
          f"{sum(kinds.get(k, 0) for k in TIME_KINDS)} time-function KPIs")
    print("  kinds: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items(), key=lambda kv: -kv[1])))

    start = time.perf_counter()
    pack = Pack.from_texts(texts)
    load_seconds = time.perf_counter() - start

    start = time.perf_counter()
    records, plain = make_facts(spec, args.entities, args.months, args.seed, args.missing_rate)
    generate_seconds = time.perf_counter() - start
    start = time.perf_counter()
    facts = Facts.from_records(records)
    facts_seconds = time.perf_counter() - start
    del records
    entity_periods = args.entities * args.months
    n_values = entity_periods * len(spec.kpis)
    print(f"facts: {len(facts):,} figures ({generate_seconds:.1f} s to generate, "
          f"{facts_seconds:.1f} s for Facts.from_records); load+compile {load_seconds:.2f} s")
    rss_before = max_rss_mib()

    engine_seconds, evaluation = best_of(args.repeat, lambda: pack.evaluate(facts, lang="en"), "engine")
    rss_engine = max_rss_mib()
    results_seconds, engine_results = best_of(1, lambda: evaluation.results, "engine results")
    rss_results = max_rss_mib()
    print(f"engine: evaluate {engine_seconds:.2f} s (best of {args.repeat}), results {results_seconds:.2f} s, "
          f"{len(evaluation.alerts):,} alerts; max RSS {rss_engine:,.0f} MiB after evaluate, "
          f"{rss_results:,.0f} MiB after results")

    if args.profile:
        profile_engine(pack, facts)

    base_seconds = base_results_seconds = float("nan")
    mismatches = undefined = 0
    rss_baseline = float("nan")
    if not args.engine_only:
        prepared = baseline_prepare(spec)
        base_seconds, (values, base_alerts) = best_of(args.repeat, lambda: baseline_evaluate(prepared, plain), "baseline")
        base_results_seconds, base_results = best_of(1, lambda: baseline_results(prepared, values), "baseline results")
        rss_baseline = max_rss_mib()
        print(f"baseline: evaluate {base_seconds:.2f} s (best of {args.repeat}), results {base_results_seconds:.2f} s, "
              f"{len(base_alerts):,} alerts")
        mismatches, undefined = check(evaluation, values, base_alerts, engine_results, base_results)
        print(f"check: {'OK, identical' if not mismatches else f'{mismatches} MISMATCHES'} "
              f"({n_values:,} values of which {undefined:,} undefined, {len(base_alerts):,} alerts)")

    def cpu(label: str) -> float:
        return CPU_SECONDS.get(label, float("nan"))

    rows = [
        ("KPIs", f"{len(spec.kpis):,}"),
        ("entity-periods", f"{entity_periods:,} ({args.entities} entities x {args.months} months)"),
        ("KPI values computed", f"{n_values:,}"),
        ("pack load + compile", f"{load_seconds:.2f} s"),
        ("engine evaluate (values + alerts)", f"{engine_seconds:.2f} s ({cpu('engine'):.2f} s CPU)"),
        ("baseline evaluate (values + alerts)", f"{base_seconds:.2f} s ({cpu('baseline'):.2f} s CPU)"),
        ("ratio engine / baseline (evaluate)",
         f"{engine_seconds / base_seconds:.2f} (CPU: {cpu('engine') / cpu('baseline'):.2f})"),
        ("engine us per KPI value", f"{engine_seconds / n_values * 1e6:.2f}"),
        ("baseline us per KPI value", f"{base_seconds / n_values * 1e6:.2f}"),
        ("engine evaluation.results", f"{results_seconds:.2f} s ({cpu('engine results'):.2f} s CPU)"),
        ("baseline results", f"{base_results_seconds:.2f} s ({cpu('baseline results'):.2f} s CPU)"),
        ("ratio engine / baseline (evaluate + results)",
         (f"{(engine_seconds + results_seconds) / (base_seconds + base_results_seconds):.2f} "
         f"(CPU: {(cpu('engine') + cpu('engine results')) / (cpu('baseline') + cpu('baseline results')):.2f})")),
        ("max RSS before evaluating", f"{rss_before:,.0f} MiB"),
        ("max RSS after engine evaluate + results", f"{rss_results:,.0f} MiB"),
        ("max RSS after baseline", f"{rss_baseline:,.0f} MiB"),
        ("check", "skipped" if args.engine_only else ("identical" if not mismatches else f"{mismatches} mismatches")),
    ]
    width = max(len(label) for label, _ in rows)
    print()
    print(f"| {'measure':<{width}} | value")
    print(f"|{'-' * (width + 2)}|{'-' * 30}")
    for label, value in rows:
        print(f"| {label:<{width}} | {value}")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())

"""How validation time grows with the number of KPIs: a chain `k0 = x`, `k<i> = k<i-1> + 1` (issue 14, case 20).

Run by hand: `python benchmarks/bench_validate.py [--kpis 20000] [--small 2000]`. It times each stage of
loading a pack (YAML, schema, assembly, semantic checks, compilation) at two sizes and prints the
ratio of the times: linear stages scale with the size ratio (10x), quadratic ones with its square
(100x). The hand-written baseline is parsing every formula alone, the least work validation must do.
`--no-gc` turns the cyclic garbage collector off, whose passes over the many live objects of a large
pack add a superlinear share of their own.
"""

from __future__ import annotations

import argparse
import gc
import time
from collections.abc import Callable
from typing import Any

from kpi_engine.assembly import build_definitions
from kpi_engine.backends.python.program import compile_program
from kpi_engine.limits import Limits
from kpi_engine.parser import parse_formula
from kpi_engine.plan import build_plan
from kpi_engine.schema import check_document
from kpi_engine.semantics import semantic_problems
from kpi_engine.yamlsource import load_document


def chain_pack(kpis: int) -> str:
    lines = ["inputs:", "  x: {rollup: sum}", "kpis:", "  k0: {formula: x, frequency: monthly}"]
    lines += [f"  k{i}: {{formula: k{i - 1} + 1, frequency: monthly}}" for i in range(1, kpis)]
    return "\n".join(lines) + "\n"


def timed(step: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = step()
    return time.perf_counter() - start, result


def no_problem(problems: object) -> None:
    if problems:
        raise SystemExit(f"the generated pack is invalid: {problems}")


def stages(kpis: int) -> dict[str, float]:
    text = chain_pack(kpis)
    limits = Limits(max_yaml_nodes=10 * kpis + 1_000)
    times: dict[str, float] = {}
    times["baseline: parse formulas"], _ = timed(lambda: [parse_formula(f"k{i} + 1") for i in range(kpis)])
    times["yaml"], (document, problems) = timed(lambda: load_document(text, "chain.yaml", limits.max_yaml_nodes, limits.numbers))
    no_problem(problems)
    times["schema"], (found, spoiled) = timed(lambda: check_document(document))
    no_problem(found)
    times["assembly"], (definitions, found) = timed(lambda: build_definitions([[document]], limits, {"chain.yaml": spoiled}))
    no_problem(found)
    times["semantics"], found = timed(lambda: semantic_problems(definitions, limits))
    no_problem(found)
    times["plan and compile"], _ = timed(lambda: compile_program(build_plan(definitions)))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kpis", type=int, default=20_000)
    parser.add_argument("--small", type=int, default=2_000)
    parser.add_argument("--no-gc", action="store_true", help="cyclic GC off while timing: its passes over many live objects grow faster than linear")
    options = parser.parse_args()
    if options.no_gc:
        gc.disable()
    small, large = stages(options.small), stages(options.kpis)
    size_ratio = options.kpis / options.small
    print(f"{'stage':<26}{options.small:>10} KPIs{options.kpis:>10} KPIs{'ratio':>9}   (linear: {size_ratio:.0f}x, quadratic: {size_ratio**2:.0f}x)")
    for stage in small:
        print(f"{stage:<26}{small[stage]:>13.3f}s{large[stage]:>13.3f}s{large[stage] / max(small[stage], 1e-9):>8.1f}x")
    total_small = sum(t for s, t in small.items() if not s.startswith("baseline"))
    total_large = sum(t for s, t in large.items() if not s.startswith("baseline"))
    print(f"{'total (without baseline)':<26}{total_small:>13.3f}s{total_large:>13.3f}s{total_large / total_small:>8.1f}x")


if __name__ == "__main__":
    main()

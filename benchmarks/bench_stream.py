#!/usr/bin/env python
"""Benchmark: the whole `kpi evaluate --format json` process against a hand-written `Decimal` program writing JSON lines.

Run by hand (this is not a pytest test):

    python benchmarks/bench_stream.py                                   # 100 KPIs x 1,000 entity-months = 100,000 values
    python benchmarks/bench_stream.py --kpis 1000 --entities 100 --months 100   # 10,000,000 values (minutes)

It writes the generated pack of `bench_evaluate.py` (same seed, same shapes) and its facts as a long CSV
(`entity,period,name,value`) to a temporary folder, then runs two child processes, each under `/usr/bin/time -v`
(wall clock and peak resident memory of that process alone):

- **engine**: `python -m kpi_engine evaluate PACK --facts facts.csv --format json -o out.json` (reading and
  checking the pack and the facts, evaluating, writing every result and alert);
- **hand-written**: a script that reads the same CSV with `csv` and `Decimal`, computes the same KPIs with
  `bench_evaluate`'s closures (one per KPI, dict lookups, `Decimal` arithmetic), and writes one JSON line per
  value (`{"kpi", "period", "entity", "value"}`) with `json.dumps`.

It prints wall seconds, peak RSS and the engine / hand-written ratios, and checks that both wrote the same values.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_evaluate import FIRST_MONTH, make_spec, spec_to_yaml

ROOT = Path(__file__).resolve().parent.parent

HAND_WRITTEN = r'''
import csv, json, sys
from decimal import Decimal, localcontext
sys.path.insert(0, sys.argv[1])
from bench_evaluate import baseline_function, make_spec
spec = make_spec(int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]))
functions = [(kpi.name, baseline_function(kpi)) for kpi in spec.kpis]
entities = {}
with open(sys.argv[2], newline="") as stream:
    rows = csv.reader(stream)
    next(rows)
    for entity, period, name, value in rows:
        entities.setdefault(entity, {}).setdefault(period, {})[name] = Decimal(value)
with open(sys.argv[7], "w") as out, localcontext(prec=28):
    for entity in sorted(entities):
        history = {}
        for m, period in enumerate(sorted(entities[entity])):
            v = history[m] = dict(entities[entity][period])
            for name, function in functions:
                try:
                    v[name] = value = function(v, history, m)
                except (KeyError, ArithmeticError):
                    value = None
                out.write(json.dumps({"kpi": name, "period": period, "entity": entity,
                                      "value": None if value is None else format(value, "f")}) + "\n")
'''


def write_inputs(folder: Path, kpis: int, inputs: int, layers: int, seed: int, entities: int, months: int) -> int:
    """The pack's YAML files and the long facts CSV in `folder`; returns the number of KPI values."""
    spec = make_spec(kpis, inputs, layers, seed)
    pack = folder / "pack"
    pack.mkdir()
    for name, text in spec_to_yaml(spec).items():
        (pack / name).write_text(text, encoding="utf-8")
    import random

    rng = random.Random(seed + 1)
    with (folder / "facts.csv").open("w", encoding="utf-8") as stream:
        stream.write("entity,period,name,value\n")
        for e in range(entities):
            for m in range(months):
                period = FIRST_MONTH.shift(m)
                stream.writelines(f"e{e:03d},{period},{name},{rng.randint(100, 1_000_000) / 100:.2f}\n" for name in spec.inputs)
    return kpis * entities * months


def timed(command: list[str], cwd: Path) -> tuple[float, float, float]:
    """(wall seconds, peak RSS in MiB, CPU seconds) of one child process, from /usr/bin/time -v.

    On a shared machine the wall clock includes waiting for a core; CPU time (user + system) does not.
    """
    done = subprocess.run(["/usr/bin/time", "-v", *command], check=False, cwd=cwd, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    if done.returncode not in (0, 4):  # 4: an alert fired, still a complete output
        sys.exit(f"{command[:4]} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", done.stderr)
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    cpu = sum(float(m) for m in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", done.stderr))
    assert wall and peak, done.stderr
    hours, minutes, seconds = wall.groups()
    return int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds), int(peak.group(1)) / 1024, cpu


def same_values(engine_json: Path, hand_lines: Path) -> bool:
    """Every value of the engine's JSON equals the hand-written one (compared as decimals, undefined alike), the
    hand-written one rounded as machine outputs write every value: at most 24 decimals (`MACHINE_DECIMALS`)."""
    from decimal import ROUND_HALF_EVEN, Decimal

    step = Decimal(1).scaleb(-24)

    def number(text: str | None) -> Decimal | None:
        if text is None:
            return None
        value = Decimal(text)
        exponent = value.as_tuple().exponent
        return value.quantize(step, rounding=ROUND_HALF_EVEN) if isinstance(exponent, int) and exponent < -24 else value

    with engine_json.open(encoding="utf-8") as engine, hand_lines.open(encoding="utf-8") as hand:
        engine_records = (json.loads(line.rstrip(",\n")) for line in engine if line.startswith('{"kpi"'))
        for mine, theirs in zip(engine_records, map(json.loads, hand), strict=False):
            if (mine["kpi"], mine["period"], mine["entity"]) != (theirs["kpi"], theirs["period"], theirs["entity"]):
                return False
            if number(mine["value"]) != number(theirs["value"]):
                return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kpis", type=int, default=100)
    parser.add_argument("--inputs", type=int, default=50)
    parser.add_argument("--entities", type=int, default=10)
    parser.add_argument("--months", type=int, default=100)
    parser.add_argument("--layers", type=int, default=8)
    parser.add_argument("--seed", type=int, default=20250101)
    parser.add_argument("--format", default="json", choices=("json", "jsonl", "csv", "table"), help="the engine's output format (default json)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench_stream.") as name:
        folder = Path(name)
        values = write_inputs(folder, args.kpis, args.inputs, args.layers, args.seed, args.entities, args.months)
        engine = timed([sys.executable, "-m", "kpi_engine", "evaluate", "pack", "--facts", "facts.csv", "--format", args.format,
                        "-o", "out.json", "--lang", "en"], folder)
        spec_args = [str(args.kpis), str(args.inputs), str(args.layers), str(args.seed)]
        hand = timed([sys.executable, "-c", HAND_WRITTEN, str(Path(__file__).parent), "facts.csv", *spec_args, "hand.jsonl"], folder)
        sizes = [(folder / f).stat().st_size / 2**20 for f in ("out.json", "hand.jsonl")]
        report(args, values, engine, hand, sizes)
        check = same_values(folder / "out.json", folder / "hand.jsonl") if args.format == "json" else None
    print("check: " + ("skipped" if check is None else "identical values" if check else "VALUES DIFFER"))
    return 0 if check is not False else 1


def report(args: argparse.Namespace, values: int, engine: tuple[float, float, float], hand: tuple[float, float, float], sizes: list[float]) -> None:
    """The figures, printed before the check (which takes minutes at full size)."""
    print(f"{args.kpis:,} KPIs x {args.entities * args.months:,} entity-months ({args.entities} entities x {args.months} months) "
          f"= {values:,} values, {args.entities * args.months * args.inputs:,} facts")
    print("| | wall | CPU | peak RSS | output |\n|---|---|---|---|---|")
    print(f"| `kpi evaluate --format {args.format}` | {engine[0]:.2f} s | {engine[2]:.2f} s | {engine[1]:,.0f} MiB | {sizes[0]:,.0f} MiB |")
    print(f"| hand-written `Decimal`, JSON lines | {hand[0]:.2f} s | {hand[2]:.2f} s | {hand[1]:,.0f} MiB | {sizes[1]:,.0f} MiB |")
    print(f"| ratio | {engine[0] / hand[0]:.2f} | {engine[2] / hand[2]:.2f} | {engine[1] / hand[1]:.2f} | |")
    print(f"engine: {engine[1] * 2**20 / values:,.0f} bytes of peak RSS per value", flush=True)


if __name__ == "__main__":
    sys.exit(main())

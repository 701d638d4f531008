#!/usr/bin/env python
"""Benchmark: reading a large FEC and turning it into inputs, against reading it with the `csv` module.

Run by hand (this is not a pytest test):

    python benchmarks/bench_fec.py                  # 1,000,000 lines
    python benchmarks/bench_fec.py --lines 200000 --repeat 3

1. Writes, from a seeded `random.Random`, an FEC of --lines lines (tab-separated, decimal comma,
   CRLF) to a temporary file: one fiscal year, 3-line balanced entries over ~420 accounts in six
   journals, opening entries first. It is read back as bytes, as a facts reader receives it.
2. Engine: `read_fec` (decode, every line split, dates and amounts checked, every entry and the
   file balanced, aggregated per account and month) then `ledger_facts` with the standard
   library's account rules (every accounting input, every month).
3. Baselines, with the plain `csv` module on the same bytes:
   - `csv rows`: decode and split every line, nothing else (the floor of any Python reader);
   - `csv + sums`: what a hand-written script does: rows read with `csv.reader`, debit and credit
     read as `Decimal`, summed per account and month in a dict; no check, no mapping to inputs.
4. Prints each time (best of --repeat), lines per second, and the ratios engine / baseline;
   the aggregates of the engine and of `csv + sums` are compared. Memory is measured in a fresh
   process: its peak RSS with the file's bytes loaded, then after reading and mapping them (the
   difference is what the reader itself needs; it does not grow with the number of lines).
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kpi_engine import load_pack, standard_library_path
from kpi_engine.ledger import Ledger, LedgerFacts, ledger_facts, read_fec
from kpi_engine.ledger.fec import LEGAL_COLUMNS
from kpi_engine.model import InputDef

T = TypeVar("T")

JOURNALS = (("VE", "Ventes"), ("AC", "Achats"), ("BQ", "Banque"), ("PA", "Paie"), ("OD", "Opérations diverses"), ("CA", "Caisse"))
PREFIXES = ("101", "164", "2154", "2815", "31", "37", "401", "411", "421", "431", "44566", "44571", "512", "53",
            "601", "606", "607", "613", "622", "626", "641", "645", "661", "681", "701", "706", "707", "7097")


def generate(lines: int, seed: int, path: Path) -> None:
    """Write an FEC of about `lines` lines to `path`: balanced 3-line entries, dates across one calendar year."""
    rnd = random.Random(seed)
    accounts = [f"{prefix}{n:0{8 - len(prefix)}d}" for prefix in PREFIXES for n in range(15)]
    with path.open("w", encoding="utf-8", newline="\r\n") as out:
        out.write("\t".join(LEGAL_COLUMNS) + "\n")
        for account, sides in (("51299999", "50000,00\t0,00"), ("10199999", "0,00\t50000,00")):  # apart from the others
            out.write(f"AN\tA-nouveaux\t1\t20240101\t{account}\tCompte {account}\t\t\tAN1\t20240101\tReprise\t{sides}\t\t\t20240101\t\t\n")
        for number in range(1, (lines - 2) // 3 + 1):
            code, label = JOURNALS[number % len(JOURNALS)]
            day = f"2024{rnd.randint(1, 12):02d}{rnd.randint(1, 28):02d}"
            first, second = rnd.sample(accounts, 2)
            cents = rnd.randint(1, 2_000_000)
            part = rnd.randint(0, cents)
            for account, debit, credit in ((first, cents, 0), (second, 0, part), (rnd.choice(accounts), 0, cents - part)):
                out.write(f"{code}\t{label}\t{number}\t{day}\t{account}\tCompte {account}\t\t\tP{number}\t{day}\tLibellé de l'écriture {number}"
                          f"\t{debit // 100},{debit % 100:02d}\t{credit // 100},{credit % 100:02d}\t\t\t{day}\t\t\n")


def engine(data: bytes, inputs: Mapping[str, InputDef]) -> tuple[Ledger, LedgerFacts]:
    ledger, problems = read_fec(data, "bench.txt")
    assert not problems, problems[:3]
    mapped, more = ledger_facts([ledger], inputs)
    assert not more, more[:3]
    return ledger, mapped


def memory(path: Path) -> None:
    """In a fresh process: the peak RSS with the file's bytes loaded, then after reading and mapping them."""
    inputs = load_pack(standard_library_path()).inputs
    data = path.read_bytes()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    engine(data, inputs)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"{before / 1024:.0f} {after / 1024:.0f}")


def csv_rows(data: bytes) -> int:
    count = 0
    for _ in csv.reader(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", newline=""), delimiter="\t"):
        count += 1
    return count


def csv_sums(data: bytes) -> dict[tuple[str, str], list[Decimal]]:
    rows = csv.reader(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", newline=""), delimiter="\t")
    header = next(rows)
    account_at, date_at, debit_at, credit_at = (header.index(c) for c in ("CompteNum", "EcritureDate", "Debit", "Credit"))
    sums: dict[tuple[str, str], list[Decimal]] = {}
    for row in rows:
        key = (row[account_at], row[date_at][:6])
        debit, credit = Decimal(row[debit_at].replace(",", ".")), Decimal(row[credit_at].replace(",", "."))
        if key in sums:
            sums[key][0] += debit
            sums[key][1] += credit
        else:
            sums[key] = [debit, credit]
    return sums


def best(repeat: int, run: Callable[[], T]) -> tuple[float, T]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--memory-of", type=Path, help=argparse.SUPPRESS)  # the child process of the memory figure
    options = parser.parse_args()
    if options.memory_of:
        memory(options.memory_of)
        return 0

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.txt"
        start = time.perf_counter()
        generate(options.lines, options.seed, path)
        data = path.read_bytes()
        print(f"FEC: {options.lines:,} lines, {len(data) / 1e6:.1f} MB, generated in {time.perf_counter() - start:.1f} s")
        child = subprocess.run([sys.executable, __file__, "--memory-of", str(path)], capture_output=True, text=True, check=True)
        before, after = child.stdout.split()
    inputs = load_pack(standard_library_path()).inputs

    engine_time, (ledger, mapped) = best(options.repeat, lambda: engine(data, inputs))
    rows_time, _ = best(options.repeat, lambda: csv_rows(data))
    sums_time, sums = best(options.repeat, lambda: csv_sums(data))

    engine_sums = {(account, f"{month.start:%Y%m}"): [m.debit, m.credit] for (account, month), m in ledger.movements.items()}
    engine_sums |= {(account, "202401"): [max(b, Decimal(0)), max(-b, Decimal(0))] for account, b in ledger.opening.items()}
    agree = engine_sums == sums

    lines = options.lines
    print(f"aggregates: {len(ledger.movements):,} account-months, {len(mapped.facts):,} facts ({len(ledger.accounts)} accounts x "
          f"{len(ledger.months)} months); engine and csv + sums agree: {'yes' if agree else 'NO'}")
    print(f"{'best of ' + str(options.repeat):24} {'seconds':>8} {'lines/s':>12} {'engine / this':>14}")
    for label, seconds in (("engine (read + map)", engine_time), ("csv rows", rows_time), ("csv + sums", sums_time)):
        print(f"{label:24} {seconds:8.2f} {lines / seconds:12,.0f} {engine_time / seconds:14.2f}")
    print(f"peak RSS of a fresh process: {before} MiB with the FEC's bytes loaded, {after} MiB after reading and mapping them")
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python
"""Benchmark: reading an FEC ledger with `read_ledger` against splitting it with the standard `csv` module.

Run by hand (this is not a pytest test):

    python benchmarks/bench_fec.py                  # 1,000,000 lines, a large SME's year
    python benchmarks/bench_fec.py --lines 200000 --repeat 3

The ledger is generated in memory from a seeded `random.Random`: balanced two- and three-line
entries over a year (sales with VAT, purchases, bank), amounts with a decimal comma, tab separated,
CRLF line ends, ISO-8859-15 as many accounting packages write it. The baseline decodes the same
bytes and splits every line with `csv.reader`, reading nothing; `read_ledger` also parses dates and
exact amounts, flags opening entries and checks that every entry balances.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import time

from kpi_engine.facts.fec_reader import FEC_COLUMNS, read_ledger


def generate(lines: int, seed: int) -> bytes:
    rng = random.Random(seed)
    rows = ["\t".join(FEC_COLUMNS)]
    number = 0
    while len(rows) <= lines - 3:  # whole entries only
        number += 1
        day = f"2024{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        net = rng.randint(100, 10_000_000)
        vat = net // 5
        legs = [("411000", net + vat, 0), ("706000", 0, net), ("445710", 0, vat)]
        for account, debit, credit in legs:
            rows.append("\t".join(["VE", "Ventes", str(number), day, account, "Compte", "", "", f"F{number}", day,
                                   "Facture é", _amount(debit), _amount(credit), "", "", day, "", "EUR"]))
    return ("\r\n".join(rows) + "\r\n").encode("iso-8859-15")


def _amount(cents: int) -> str:
    return f"{cents // 100},{cents % 100:02d}" if cents else ""


def baseline(data: bytes) -> int:
    return sum(1 for _ in csv.reader(io.StringIO(data.decode("iso-8859-15"), newline=""), delimiter="\t"))


def best(function, data: bytes, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function(data)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--seed", type=int, default=7)
    options = parser.parse_args()
    data = generate(options.lines, options.seed)
    result = read_ledger(data, "FEC.txt")
    assert not result.problems, result.problems[:3]  # the generated ledger balances, entry by entry
    csv_time = best(baseline, data, options.repeat)
    fec_time = best(lambda d: read_ledger(d, "FEC.txt"), data, options.repeat)
    print(f"{len(result.ledger.lines):,} lines, {len(data) / 1e6:.0f} MB")
    print(f"csv.reader split only   {csv_time:8.2f} s")
    print(f"read_ledger (checked)   {fec_time:8.2f} s   ratio {fec_time / csv_time:.1f}x")


if __name__ == "__main__":
    main()

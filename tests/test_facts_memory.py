"""`Facts` hold each figure compactly (its Decimal, two dict entries and one int for where it was read),
and still give back every figure with its exact location."""

from __future__ import annotations

import gc
import tracemalloc
from decimal import Decimal

from kpi_engine.errors import Location
from kpi_engine.facts import Facts
from kpi_engine.facts.model import Fact
from kpi_engine.periods import Period


def test_a_figure_costs_about_two_hundred_bytes():
    months = [Period.parse(f"{2020 + m // 12}-{m % 12 + 1:02d}") for m in range(48)]
    names = [f"input_{i:02d}" for i in range(50)]
    values = [Decimal(n).scaleb(-2) for n in range(2000)]  # made before measuring: the figures are the caller's
    gc.collect()
    tracemalloc.start()
    facts = Facts()
    for e in range(10):
        for m, month in enumerate(months):
            for i, name in enumerate(names):
                facts.add(Fact(f"shop{e}", name, Period.parse(str(month)), values[(e + m + i) % 2000], Location("f.csv", 2 + m, i + 1)))
    gc.collect()
    held, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(facts) == 24_000
    assert held / len(facts) < 150  # dict entries and places; each period object once, not once per figure


def test_locations_come_back_exactly():
    facts = Facts()
    places = [Location("a.csv", 12, 3), Location("book.xlsx", 7, 16384, "Budget 2025"), Location("<memory>")]
    for number, place in enumerate(places):
        assert facts.add(Fact("lyon", f"x{number}", Period.parse("2025-01"), Decimal(number), place)) is None
    assert [fact.location for fact in facts.facts()] == places
    assert facts.find("lyon", "x1", Period.parse("2025-01")) == Fact("lyon", "x1", Period.parse("2025-01"), Decimal(1), places[1])
    assert str(facts.find("lyon", "x1", Period.parse("2025-01")).location) == "book.xlsx:'Budget 2025'!XFD7"
    assert facts.location("lyon", "x0") == places[0] and facts.location("paris", "x0") is None
    problem = facts.add(Fact("lyon", "x0", Period.parse("2025-01"), Decimal(5), Location("b.csv", 4)))
    assert str(problem) == "b.csv:4: 'x0' for 2025-01 for entity 'lyon' is given twice with different values (0 at a.csv:12:3, 5 here)"
    assert facts.add(Fact("lyon", "x0", Period.parse("2025-01"), Decimal("0.00"), Location("c.csv", 9))) is None  # agreement
    assert len(facts) == 3

"""Calendar periods: the five formats, stepping, year_ago, children and ancestors."""

from __future__ import annotations

from datetime import date

import pytest

from kpi_engine.periods import Frequency, Period

FORMATS = "write 2025, 2025-Q1, 2025-03, 2025-W07 or 2025-03-15"


@pytest.mark.parametrize(
    ("text", "frequency", "start", "end"),
    [
        ("2025", Frequency.YEARLY, date(2025, 1, 1), date(2025, 12, 31)),
        ("2025-Q1", Frequency.QUARTERLY, date(2025, 1, 1), date(2025, 3, 31)),
        ("2025-Q4", Frequency.QUARTERLY, date(2025, 10, 1), date(2025, 12, 31)),
        ("2025-03", Frequency.MONTHLY, date(2025, 3, 1), date(2025, 3, 31)),
        ("2024-02", Frequency.MONTHLY, date(2024, 2, 1), date(2024, 2, 29)),
        ("2025-W07", Frequency.WEEKLY, date(2025, 2, 10), date(2025, 2, 16)),
        ("2025-W01", Frequency.WEEKLY, date(2024, 12, 30), date(2025, 1, 5)),
        ("2026-W53", Frequency.WEEKLY, date(2026, 12, 28), date(2027, 1, 3)),
        ("2025-03-15", Frequency.DAILY, date(2025, 3, 15), date(2025, 3, 15)),
        ("2024-02-29", Frequency.DAILY, date(2024, 2, 29), date(2024, 2, 29)),
    ],
    ids=lambda v: str(v) if isinstance(v, str) else None,
)
def test_parse_and_round_trip(text, frequency, start, end):
    period = Period.parse(text)
    assert (period.frequency, period.start, period.end) == (frequency, start, end)
    assert str(period) == text
    assert Period.parse(str(period)) == period


@pytest.mark.parametrize(
    ("text", "canonical"), [(" 2025-03 ", "2025-03"), ("2025-q2", "2025-Q2")], ids=["spaces", "lowercase-q"]
)
def test_lenient_spellings(text, canonical):
    assert str(Period.parse(text)) == canonical


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", f"'' is not a period: {FORMATS}"),
        ("2025-1", f"'2025-1' is not a period: {FORMATS}"),
        ("25-01", f"'25-01' is not a period: {FORMATS}"),
        ("2025/01", f"'2025/01' is not a period: {FORMATS}"),
        ("2025-W7", f"'2025-W7' is not a period: {FORMATS}"),
        ("2025-Q0", f"'2025-Q0' is not a period: {FORMATS}"),
        ("2025-Q5", f"'2025-Q5' is not a period: {FORMATS}"),
        ("janvier 2025", f"'janvier 2025' is not a period: {FORMATS}"),
        ("2025-00", f"'2025-00' is not a valid monthly period: {FORMATS}"),
        ("2025-13", f"'2025-13' is not a valid monthly period: {FORMATS}"),
        ("2025-W00", f"'2025-W00' is not a valid weekly period: {FORMATS}"),
        ("2025-W53", f"'2025-W53' is not a valid weekly period: {FORMATS}"),
        ("2025-02-29", f"'2025-02-29' is not a valid daily period: {FORMATS}"),
        ("2025-04-31", f"'2025-04-31' is not a valid daily period: {FORMATS}"),
        ("0000", f"'0000' is not a valid yearly period: {FORMATS}"),  # regression: parse succeeded, str() crashed
        ("0000-01", f"'0000-01' is not a valid monthly period: {FORMATS}"),  # regression: parse succeeded, str() crashed
    ],
    ids=lambda v: v if isinstance(v, str) and not v.startswith("'") else None,
)
def test_bad_periods(text, message):
    with pytest.raises(ValueError) as caught:
        Period.parse(text)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("text", "steps", "expected"),
    [
        ("2025", -1, "2024"),
        ("2025-Q1", -1, "2024-Q4"),
        ("2025-Q4", 1, "2026-Q1"),
        ("2025-01", -1, "2024-12"),
        ("2025-01", -13, "2023-12"),
        ("2025-12", 1, "2026-01"),
        ("2025-W01", -1, "2024-W52"),
        ("2026-W53", 1, "2027-W01"),
        ("2021-01-04", -1, "2021-01-03"),
        ("2024-03-01", -1, "2024-02-29"),
        ("2025-03", 0, "2025-03"),
    ],
)
def test_shift(text, steps, expected):
    assert str(Period.parse(text).shift(steps)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025", "2024"),
        ("2025-Q3", "2024-Q3"),
        ("2025-03", "2024-03"),
        ("2025-W07", "2024-W07"),
        ("2026-W53", "2025-W52"),  # 2025 has no week 53: its last week
        ("2020-W53", "2019-W52"),
        ("2021-W52", "2020-W52"),
        ("2025-03-15", "2024-03-15"),
        ("2024-02-29", "2023-02-28"),  # no 29 Feb in 2023
        ("2025-02-28", "2024-02-28"),
        ("2025-03-01", "2024-03-01"),
    ],
)
def test_year_ago(text, expected):
    assert str(Period.parse(text).year_ago()) == expected


@pytest.mark.parametrize(
    ("text", "children"),
    [
        ("2025", ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]),
        ("2025-Q2", ["2025-04", "2025-05", "2025-06"]),
        ("2025-W01", ["2024-12-30", "2024-12-31", "2025-01-01", "2025-01-02", "2025-01-03", "2025-01-04", "2025-01-05"]),
        ("2025-03-15", []),
    ],
)
def test_children(text, children):
    assert [str(p) for p in Period.parse(text).children()] == children


@pytest.mark.parametrize(("month", "days"), [("2024-02", 29), ("2025-02", 28), ("2025-04", 30), ("2025-12", 31)])
def test_month_children_are_its_days(month, days):
    children = Period.parse(month).children()
    assert len(children) == days
    assert str(children[0]) == f"{month}-01" and str(children[-1]) == f"{month}-{days}"


@pytest.mark.parametrize(
    ("text", "frequency", "expected"),
    [
        ("2025-01-01", Frequency.WEEKLY, "2025-W01"),
        ("2024-12-30", Frequency.WEEKLY, "2025-W01"),
        ("2025-01-01", Frequency.MONTHLY, "2025-01"),
        ("2025-05-31", Frequency.QUARTERLY, "2025-Q2"),
        ("2025-12-31", Frequency.YEARLY, "2025"),
        ("2025-05", Frequency.QUARTERLY, "2025-Q2"),
        ("2025-05", Frequency.YEARLY, "2025"),
        ("2025-05", Frequency.MONTHLY, "2025-05"),
        ("2025-Q4", Frequency.YEARLY, "2025"),
        ("2025-05", Frequency.WEEKLY, None),  # weeks straddle months: no nesting
        ("2025-W07", Frequency.MONTHLY, None),
        ("2025-05", Frequency.DAILY, None),  # not coarser
        ("2025", Frequency.QUARTERLY, None),
    ],
)
def test_ancestor(text, frequency, expected):
    ancestor = Period.parse(text).ancestor(frequency)
    assert (str(ancestor) if ancestor else None) == expected


def test_contains():
    year, quarter = Period.parse("2025"), Period.parse("2025-Q1")
    assert year.contains(Period.parse("2025-03-31")) and quarter.contains(Period.parse("2025-03"))
    assert not quarter.contains(Period.parse("2025-04")) and not quarter.contains(Period.parse("2025-W07"))


def test_sort_key_puts_a_quarter_after_its_last_month():
    periods = [Period.parse(t) for t in ("2025-Q1", "2025-03", "2025-02", "2025", "2025-Q4", "2025-12")]
    assert [str(p) for p in sorted(periods, key=Period.sort_key)] == ["2025-02", "2025-03", "2025-Q1", "2025-12", "2025-Q4", "2025"]


def test_periods_of_one_frequency_sort_chronologically_and_hash():
    months = [Period.parse(t) for t in ("2025-03", "2024-12", "2025-01")]
    assert [str(p) for p in sorted(months)] == ["2024-12", "2025-01", "2025-03"]
    assert len({Period.parse("2025-01"), Period.parse("2025-01"), Period.parse("2025-02")}) == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2025-05", "2025-01"), ("2025-Q3", "2025-Q1"), ("2025-W07", "2025-W01"), ("2025-03-15", "2025-01-01"), ("2025", "2025")],
)
def test_year_start(text, expected):
    assert str(Period.parse(text).year_start()) == expected

"""Calendar periods: the five formats, stepping, year_ago, children and ancestors."""

from __future__ import annotations

from datetime import date

import pytest

from kpi_engine.formatting import period_words
from kpi_engine.periods import Calendar, Frequency, Period

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


# --- fiscal calendars ---------------------------------------------------------------------
JULY = Calendar(7)


@pytest.mark.parametrize(
    ("text", "name", "start", "end"),
    [
        ("FY2025", "FY2025", date(2024, 7, 1), date(2025, 6, 30)),
        ("fy2025-q1", "FY2025-Q1", date(2024, 7, 1), date(2024, 9, 30)),
        ("FY2025-Q4", "FY2025-Q4", date(2025, 4, 1), date(2025, 6, 30)),
        ("2025-Q2", "FY2025-Q4", date(2025, 4, 1), date(2025, 6, 30)),  # a calendar quarter that is a fiscal one
        ("2025-Q3", "FY2026-Q1", date(2025, 7, 1), date(2025, 9, 30)),
        ("2025-03", "2025-03", date(2025, 3, 1), date(2025, 3, 31)),    # months are the same in every calendar
    ],
)
def test_fiscal_periods_are_read_in_the_calendar(text, name, start, end):
    period = JULY.parse(text)
    assert (str(period), period.start, period.end) == (name, start, end)


def test_months_belong_to_the_fiscal_quarter_and_year():
    march = Period.parse("2025-03")
    assert str(JULY.ancestor(march, Frequency.QUARTERLY)) == "FY2025-Q3"
    assert str(JULY.ancestor(march, Frequency.YEARLY)) == "FY2025"
    assert str(JULY.ancestor(Period.parse("2025-07"), Frequency.YEARLY)) == "FY2026"
    assert [str(p) for p in JULY.parse("FY2025").children()] == ["FY2025-Q1", "FY2025-Q2", "FY2025-Q3", "FY2025-Q4"]
    assert [str(p) for p in JULY.parse("FY2025-Q2").children()] == ["2024-10", "2024-11", "2024-12"]
    assert JULY.parse("FY2025").contains(march) and not JULY.parse("FY2026").contains(march)


def test_stepping_and_year_start_stay_in_the_fiscal_calendar():
    quarter = JULY.parse("FY2025-Q1")
    assert str(quarter.shift(-1)) == "FY2024-Q4"
    assert str(quarter.year_ago()) == "FY2024-Q1"
    assert str(JULY.year_start(Period.parse("2025-01"))) == "2024-07"
    assert str(JULY.year_start(Period.parse("2025-07"))) == "2025-07"
    assert str(JULY.year_start(JULY.parse("FY2025-Q3"))) == "FY2025-Q1"
    assert str(Calendar().year_start(Period.parse("2025-05"))) == "2025-01"


def test_a_february_year_has_quarters_across_calendar_quarters():
    february = Calendar(2)
    assert (february.parse("FY2025").start, february.parse("FY2025").end) == (date(2024, 2, 1), date(2025, 1, 31))
    assert [str(p) for p in february.parse("FY2025-Q1").children()] == ["2024-02", "2024-03", "2024-04"]
    with pytest.raises(ValueError, match=r"'2025-Q2' is a calendar quarter, but this pack's quarters are fiscal, starting in month 2: "
                                         r"write a fiscal period such as FY2026-Q1 \(2025-02 to 2025-04\)"):
        february.parse("2025-Q2")


def test_a_calendar_year_is_refused_in_a_fiscal_calendar():
    with pytest.raises(ValueError, match=r"'2025' is a calendar year, but this pack's years are fiscal, starting in month 7: "
                                         r"write a fiscal period such as FY2025 \(2024-07 to 2025-06\)"):
        JULY.parse("2025")


def test_the_january_calendar_is_the_calendar_year():
    assert Calendar().parse("2025") == Period.parse("2025") and str(Calendar().parse("FY2025")) == "2025"
    assert str(Calendar().parse("FY2025-Q2")) == "2025-Q2"
    assert Period.parse("FY2025").fiscal_start == 0  # named, but its months are known only with a calendar
    with pytest.raises(ValueError, match="fiscal_year_start must be a month from 1 to 12, not 0"):
        Calendar(0)


@pytest.mark.parametrize(
    ("calendar", "text", "fr", "en"),
    [
        (Calendar(), "2025-06", "juin 2025", "June 2025"),
        (Calendar(), "2025-Q2", "T2 2025", "Q2 2025"),
        (Calendar(), "2025", "2025", "2025"),
        (JULY, "FY2025-Q1", "T1 exercice 2025", "FY2025 Q1"),
        (JULY, "FY2025", "exercice 2025", "FY2025"),
        (JULY, "2025-W07", "2025-W07", "2025-W07"),
        (JULY, "2025-03-15", "2025-03-15", "2025-03-15"),
    ],
)
def test_periods_in_words(calendar, text, fr, en):
    period = calendar.parse(text)
    assert (period_words(period, "fr"), period_words(period, "en")) == (fr, en)

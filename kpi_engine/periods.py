"""Calendar periods: parsing, stepping, and how finer periods make up coarser ones.

A period is a frequency and an ordinal counted from a fixed origin, so that
stepping (`prev`, `lag`) is integer arithmetic and periods hash and sort fast.
Roll-ups follow two chains: day -> month -> quarter -> year, and day -> ISO
week. Weeks do not roll into months (a week can straddle two).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class Frequency(StrEnum):
    """How often a KPI is evaluated, and the granularity of a period; `str()` gives the value (`monthly`)."""

    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"


FREQUENCIES = tuple(f.value for f in Frequency)

# The finer frequency each coarser one is made of, one level at a time.
_CHILD = {
    Frequency.YEARLY: Frequency.QUARTERLY,
    Frequency.QUARTERLY: Frequency.MONTHLY,
    Frequency.MONTHLY: Frequency.DAILY,
    Frequency.WEEKLY: Frequency.DAILY,
}
# The coarser periods a period belongs to.
_ANCESTORS = {
    Frequency.DAILY: (Frequency.WEEKLY, Frequency.MONTHLY, Frequency.QUARTERLY, Frequency.YEARLY),
    Frequency.WEEKLY: (),
    Frequency.MONTHLY: (Frequency.QUARTERLY, Frequency.YEARLY),
    Frequency.QUARTERLY: (Frequency.YEARLY,),
    Frequency.YEARLY: (),
}
# Every finer frequency a period of this frequency can be rolled up from.
_DESCENDANTS = {
    Frequency.YEARLY: frozenset({Frequency.QUARTERLY, Frequency.MONTHLY, Frequency.DAILY}),
    Frequency.QUARTERLY: frozenset({Frequency.MONTHLY, Frequency.DAILY}),
    Frequency.MONTHLY: frozenset({Frequency.DAILY}),
    Frequency.WEEKLY: frozenset({Frequency.DAILY}),
    Frequency.DAILY: frozenset(),
}
_PER_YEAR = {Frequency.MONTHLY: 12, Frequency.QUARTERLY: 4, Frequency.YEARLY: 1}

_PATTERNS = (
    (re.compile(r"(\d{4})"), Frequency.YEARLY),
    (re.compile(r"(\d{4})-[Qq]([1-4])"), Frequency.QUARTERLY),
    (re.compile(r"(\d{4})-(\d{2})"), Frequency.MONTHLY),
    (re.compile(r"(\d{4})-W(\d{2})"), Frequency.WEEKLY),
    (re.compile(r"(\d{4})-(\d{2})-(\d{2})"), Frequency.DAILY),
)
PERIOD_FORMATS = "2025, 2025-Q1, 2025-03, 2025-W07 or 2025-03-15"


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """A calendar period; periods of one frequency sort chronologically."""

    frequency: Frequency
    ordinal: int

    # --- construction -------------------------------------------------------
    @staticmethod
    def parse(text: str) -> Period:
        """Read `2025`, `2025-Q1`, `2025-03`, `2025-W07` or `2025-03-15`; ValueError says why not."""
        text = str(text).strip()
        for pattern, frequency in _PATTERNS:
            match = pattern.fullmatch(text)
            if match:
                return _build(frequency, [int(g) for g in match.groups()], text)
        raise ValueError(f"{text!r} is not a period: write {PERIOD_FORMATS}")

    # --- reading ------------------------------------------------------------
    @property
    def year(self) -> int:
        return self.start.year if self.frequency is not Frequency.WEEKLY else self.start.isocalendar()[0]

    @property
    def start(self) -> date:
        match self.frequency:
            case Frequency.YEARLY:
                return date(self.ordinal, 1, 1)
            case Frequency.QUARTERLY:
                return date(self.ordinal // 4, 3 * (self.ordinal % 4) + 1, 1)
            case Frequency.MONTHLY:
                return date(self.ordinal // 12, self.ordinal % 12 + 1, 1)
            case Frequency.WEEKLY:
                return date.fromordinal(self.ordinal * 7 + 1)
            case _:
                return date.fromordinal(self.ordinal)

    @property
    def end(self) -> date:
        """The last day of the period (9999-12-31 for the last period of the calendar, which has no next one)."""
        try:
            following = self.shift(1).start
        except ValueError:
            return date.max
        return following - timedelta(days=1)

    def __str__(self) -> str:
        start = self.start
        match self.frequency:
            case Frequency.YEARLY:
                return f"{start.year:04d}"
            case Frequency.QUARTERLY:
                return f"{start.year:04d}-Q{self.ordinal % 4 + 1}"
            case Frequency.MONTHLY:
                return f"{start.year:04d}-{start.month:02d}"
            case Frequency.WEEKLY:
                iso_year, week, _ = start.isocalendar()
                return f"{iso_year:04d}-W{week:02d}"
            case _:
                return start.isoformat()

    def describe(self) -> str:
        """The period as written, or words for one before year 1 (reached by stepping back too far)."""
        try:
            return str(self)
        except ValueError:
            return f"a {self.frequency.value} period before year 1"

    def __repr__(self) -> str:
        return f"Period({str(self)!r})"

    def sort_key(self) -> tuple[date, int]:
        """Chronological by end, so a quarter comes after its last month; finer first on ties."""
        return (self.end, FREQUENCIES.index(self.frequency.value))

    # --- stepping -----------------------------------------------------------
    def shift(self, steps: int) -> Period:
        return Period(self.frequency, self.ordinal + steps)

    def steps_per_year(self) -> int | None:
        """How many periods make a year, when that is fixed (12 months, 4 quarters, 1 year)."""
        return _PER_YEAR.get(self.frequency)

    def year_ago(self) -> Period:
        """The same period one year earlier (same week number, same calendar date; 29 Feb -> 28 Feb).

        In year 1 it is a period before year 1 (`describe` names it): no facts are ever there, so a value
        read there is undefined with that reason, as for any period before the facts start.
        """
        if self.frequency in _PER_YEAR:
            return self.shift(-_PER_YEAR[self.frequency])
        start = self.start
        if self.year <= 1:
            return self.shift(-52 if self.frequency is Frequency.WEEKLY else -365)
        if self.frequency is Frequency.WEEKLY:
            iso_year, week, _ = start.isocalendar()
            weeks_last_year = date(iso_year - 1, 12, 28).isocalendar()[1]
            return _build(Frequency.WEEKLY, [iso_year - 1, min(week, weeks_last_year)], str(self))
        day = min(start.day, 28) if (start.month, start.day) == (2, 29) else start.day
        return Period(Frequency.DAILY, date(start.year - 1, start.month, day).toordinal())

    def year_start(self) -> Period:
        """The first period of the same frequency in this period's calendar year (ISO year for weeks)."""
        if self.frequency is Frequency.WEEKLY:
            return _build(Frequency.WEEKLY, [self.year, 1], str(self))
        return Period.from_date(self.frequency, date(self.start.year, 1, 1))

    # --- containment --------------------------------------------------------
    @staticmethod
    def from_date(frequency: Frequency, day: date) -> Period:
        match frequency:
            case Frequency.YEARLY:
                return Period(frequency, day.year)
            case Frequency.QUARTERLY:
                return Period(frequency, day.year * 4 + (day.month - 1) // 3)
            case Frequency.MONTHLY:
                return Period(frequency, day.year * 12 + day.month - 1)
            case Frequency.WEEKLY:
                return Period(frequency, (day.toordinal() - 1) // 7)
            case _:
                return Period(frequency, day.toordinal())

    def finer_frequencies(self) -> frozenset[Frequency]:
        """The frequencies this period can be rolled up from."""
        return _DESCENDANTS[self.frequency]

    def children(self) -> list[Period]:
        """The periods one level finer that make up this one (empty for a day)."""
        child = _CHILD.get(self.frequency)
        if child is None:
            return []
        first = Period.from_date(child, self.start)
        last = Period.from_date(child, self.end)
        return [Period(child, ordinal) for ordinal in range(first.ordinal, last.ordinal + 1)]

    def ancestor(self, frequency: Frequency) -> Period | None:
        """The coarser period of `frequency` containing this one, None when periods do not nest."""
        if frequency is self.frequency:
            return self
        if frequency not in _ANCESTORS[self.frequency]:
            return None
        return Period.from_date(frequency, self.start)

    def contains(self, other: Period) -> bool:
        return other.ancestor(self.frequency) == self


def _build(frequency: Frequency, parts: list[int], text: str) -> Period:
    if frequency is Frequency.WEEKLY and parts[:2] == [9999, 52]:  # its Sunday is 10000-01-02: past the calendar
        raise ValueError(f"{text!r} ends after 9999-12-31, the last day periods can reach")
    try:
        if parts[0] < 1:
            raise ValueError
        match frequency:
            case Frequency.YEARLY:
                return Period(frequency, parts[0])
            case Frequency.QUARTERLY:
                return Period(frequency, parts[0] * 4 + parts[1] - 1)
            case Frequency.MONTHLY:
                if not 1 <= parts[1] <= 12:
                    raise ValueError
                return Period(frequency, parts[0] * 12 + parts[1] - 1)
            case Frequency.WEEKLY:
                return Period.from_date(frequency, date.fromisocalendar(parts[0], parts[1], 1))
            case _:
                return Period(frequency, date(parts[0], parts[1], parts[2]).toordinal())
    except ValueError:
        raise ValueError(f"{text!r} is not a valid {frequency.value} period: write {PERIOD_FORMATS}") from None


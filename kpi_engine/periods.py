"""Calendar periods: parsing, stepping, and how finer periods make up coarser ones.

A period is a frequency and an ordinal counted from a fixed origin, so that
stepping (`prev`, `lag`) is integer arithmetic and periods hash and sort fast.
Roll-ups follow two chains: day -> month -> quarter -> year, and day -> ISO
week. Weeks do not roll into months (a week can straddle two).

Years and quarters may be fiscal: a `Calendar` (a pack's `calendar:`) says in
which month its years start, and a yearly or quarterly `Period` carries that
month (`fiscal_start`), so it knows its own months without any global state.
A fiscal year is named by the calendar year it ends in (`FY2025`: 2024-07 to
2025-06 when years start in July), its quarters `FY2025-Q1`..`FY2025-Q4`.
With the January start (the default) nothing changes: `2025`, `2025-Q1`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from .errors import Refusal


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
    (re.compile(r"(\d{4})", re.ASCII), Frequency.YEARLY),
    (re.compile(r"(\d{4})-[Qq]([1-4])", re.ASCII), Frequency.QUARTERLY),
    (re.compile(r"(\d{4})-(\d{2})", re.ASCII), Frequency.MONTHLY),
    (re.compile(r"(\d{4})-W(\d{2})", re.ASCII), Frequency.WEEKLY),
    (re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII), Frequency.DAILY),
)
_FISCAL_PATTERNS = (
    (re.compile(r"FY(\d{4})", re.IGNORECASE | re.ASCII), Frequency.YEARLY),
    (re.compile(r"FY(\d{4})-[Qq]([1-4])", re.IGNORECASE | re.ASCII), Frequency.QUARTERLY),
)
PERIOD_FORMATS = "2025, 2025-Q1, 2025-03, 2025-W07 or 2025-03-15"
UNBOUND = 0  # the `fiscal_start` of a period named `FY...` before a pack's calendar says when its year starts


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """A calendar period; periods of one frequency sort chronologically."""

    frequency: Frequency
    ordinal: int
    fiscal_start: int = 1  # years and quarters: the month their year starts in (UNBOUND: not known yet)

    # --- construction -------------------------------------------------------
    @staticmethod
    def parse(text: str) -> Period:
        """Read `2025`, `2025-Q1`, `2025-03`, `2025-W07` or `2025-03-15`; ValueError says why not.

        `FY2025` and `FY2025-Q1` are read too, UNBOUND: only a `Calendar` knows
        their months (`Calendar.bind`), so facts can be read before the pack.
        """
        text = str(text).strip()
        for pattern, frequency in _FISCAL_PATTERNS:
            match = pattern.fullmatch(text)
            if match:
                period = _build(frequency, [int(g) for g in match.groups()], text)
                return Period(period.frequency, period.ordinal, UNBOUND)
        for pattern, frequency in _PATTERNS:
            match = pattern.fullmatch(text)
            if match:
                return _build(frequency, [int(g) for g in match.groups()], text)
        raise Refusal("not_a_period", written=text)

    @property
    def is_fiscal(self) -> bool:
        """Whether this is a year or quarter of a fiscal calendar (named `FY...`)."""
        return self.fiscal_start != 1 and self.frequency in _FISCAL

    def _month_shift(self) -> int:
        """Months from the calendar year's start to this period's fiscal year's start (0 or -11..-1)."""
        return self.fiscal_start - 13 if self.fiscal_start > 1 else 0

    # --- reading ------------------------------------------------------------
    @property
    def year(self) -> int:
        return self.start.year if self.frequency is not Frequency.WEEKLY else self.start.isocalendar()[0]

    @property
    def fiscal_year(self) -> int:
        """The fiscal year a year or quarter belongs to, named by the calendar year it ends in (`FY2025`)."""
        return self.ordinal if self.frequency is Frequency.YEARLY else self.ordinal // 4

    @property
    def start(self) -> date:
        match self.frequency:
            case Frequency.YEARLY:
                return _month_start(12 * self.ordinal + self._month_shift())
            case Frequency.QUARTERLY:
                return _month_start(3 * self.ordinal + self._month_shift())
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
        if self.is_fiscal:
            named = f"FY{self.fiscal_year:04d}"
            return named if self.frequency is Frequency.YEARLY else f"{named}-Q{self.ordinal % 4 + 1}"
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

    def __hash__(self) -> int:
        """The ordinal alone: periods key the dicts of facts and frames, looked up several times per figure and
        per value, and the hash dataclass would generate builds a tuple each time. Equal periods have equal
        ordinals; periods of different frequencies rarely share one (their ordinals are of different sizes)."""
        return self.ordinal

    def sort_key(self) -> tuple[date, int]:
        """Chronological by end, so a quarter comes after its last month; finer first on ties."""
        return (self.end, FREQUENCIES.index(self.frequency.value))

    # --- stepping -----------------------------------------------------------
    def shift(self, steps: int) -> Period:
        return Period(self.frequency, self.ordinal + steps, self.fiscal_start)

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
        return Period.from_date(self.frequency, date(self.start.year, 1, 1), self.fiscal_start)

    # --- containment --------------------------------------------------------
    @staticmethod
    def from_date(frequency: Frequency, day: date, fiscal_start: int = 1) -> Period:
        """The period of `frequency` holding `day`; years and quarters start in month `fiscal_start`."""
        match frequency:
            case Frequency.YEARLY | Frequency.QUARTERLY if fiscal_start > 1:
                months = day.year * 12 + day.month - 1 - (fiscal_start - 13)
                return Period(frequency, months // 12 if frequency is Frequency.YEARLY else months // 3, fiscal_start)
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
        first = Period.from_date(child, self.start, self.fiscal_start)
        last = Period.from_date(child, self.end, self.fiscal_start)
        return [Period(child, ordinal, first.fiscal_start) for ordinal in range(first.ordinal, last.ordinal + 1)]

    def ancestor(self, frequency: Frequency, fiscal_start: int = 1) -> Period | None:
        """The coarser period of `frequency` containing this one (years starting in month
        `fiscal_start`; a fiscal quarter's own start), None when periods do not nest."""
        if frequency is self.frequency:
            return self
        if frequency not in _ANCESTORS[self.frequency]:
            return None
        return Period.from_date(frequency, self.start, self.fiscal_start if self.frequency in _FISCAL else fiscal_start)

    def contains(self, other: Period) -> bool:
        return other.ancestor(self.frequency, self.fiscal_start) == self


def _month_start(months: int) -> date:
    """The first day of the month counted `months` from January of year 0."""
    return date(months // 12, months % 12 + 1, 1)


_FISCAL = (Frequency.QUARTERLY, Frequency.YEARLY)


@dataclass(frozen=True)
class Calendar:
    """A pack's calendar: the month its years (and so its quarters) start in, 1 (January) to 12.

    The one place where period names meet a pack: it reads `--period`, pack
    tests and facts (`bind`), finds the year or quarter a month belongs to,
    and where a year-to-date starts. Monthly, weekly and daily periods are the
    same in every calendar.

    With a fiscal start, `FY2025` and `FY2025-Q1` name fiscal periods; a
    calendar quarter (`2025-Q2`) is accepted when it is also a fiscal quarter
    (the year starts in January, April, July or October) and read as that one
    (`FY2025-Q4` when years start in July); a calendar year (`2025`) or a
    calendar quarter that straddles two fiscal quarters is refused, naming the
    fiscal periods to write instead.
    """

    fiscal_year_start: int = 1

    def __post_init__(self) -> None:
        if not 1 <= self.fiscal_year_start <= 12:
            raise ValueError(f"fiscal_year_start must be a month from 1 to 12, not {self.fiscal_year_start}")

    @property
    def is_fiscal(self) -> bool:
        return self.fiscal_year_start != 1

    def parse(self, text: str) -> Period:
        """A period named in this calendar; ValueError says why not."""
        return self.bind(Period.parse(text), str(text).strip())

    def bind(self, period: Period, text: str | None = None) -> Period:
        """`period` as this calendar's: an `FY...` name gets its months, a calendar quarter becomes the
        fiscal quarter it coincides with; ValueError for a year or quarter this calendar does not have."""
        if period.frequency not in _FISCAL or period.fiscal_start == self.fiscal_year_start:
            return period
        if period.fiscal_start == UNBOUND:
            return Period(period.frequency, period.ordinal, self.fiscal_year_start)
        fiscal = Period.from_date(period.frequency, period.start, self.fiscal_year_start)
        if fiscal.start == period.start and fiscal.end == period.end:
            return fiscal
        return self._refuse(period, fiscal, text or str(period))

    def _refuse(self, period: Period, fiscal: Period, text: str) -> Period:
        first, last = (Period.from_date(Frequency.MONTHLY, day) for day in (fiscal.start, fiscal.end))
        code = "calendar_year" if period.frequency is Frequency.YEARLY else "calendar_quarter"
        raise Refusal(code, written=text, month=self.fiscal_year_start, fiscal=fiscal, first=first, last=last)

    def ancestor(self, period: Period, frequency: Frequency) -> Period | None:
        """The period of `frequency` in this calendar that holds `period`, None when periods do not nest."""
        return period.ancestor(frequency, self.fiscal_year_start)

    def year_start(self, period: Period) -> Period:
        """The first period of `period`'s frequency in its (fiscal) year: where `ytd` starts."""
        if period.frequency is Frequency.WEEKLY or not self.is_fiscal:
            return period.year_start()
        year = Period.from_date(Frequency.YEARLY, period.start, self.fiscal_year_start)
        return Period.from_date(period.frequency, year.start, self.fiscal_year_start)


    def year_to_date(self, period: Period) -> list[Period]:
        """The span from the start of `period`'s (fiscal) year to its end, as the fewest whole periods, oldest
        first: `FY2025-Q1` and `2024-10` for October 2024 when years start in July, the year itself at its
        last month. Inputs summed over these parts give the year to date whatever frequency they are given
        at (a yearly budget reaches the year's last month; it is never split)."""
        first = self.year_start(period)
        parts = [period.shift(-back) for back in range(period.ordinal - first.ordinal, -1, -1)]
        for coarser in (Frequency.MONTHLY, Frequency.QUARTERLY, Frequency.YEARLY):
            merged: list[Period] = []
            for part in parts:
                whole = self.ancestor(part, coarser)
                chosen = whole if whole is not None and whole.end <= period.end else part
                if not merged or merged[-1] != chosen:
                    merged.append(chosen)
            parts = merged
        return parts


GREGORIAN = Calendar()  # years from January: the calendar of a pack that sets none


def _build(frequency: Frequency, parts: list[int], text: str) -> Period:
    if frequency is Frequency.WEEKLY and parts[:2] == [9999, 52]:  # its Sunday is 10000-01-02: past the calendar
        raise Refusal("period_past_end", written=text)
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
        raise Refusal("not_a_valid_period", written=text, period_frequency=frequency.value) from None


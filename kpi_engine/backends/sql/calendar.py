"""Periods as SQL integer expressions: which coarser period holds a finer one, where a year starts, a year ago.

Ordinals are `periods.Period`'s: a day is `date.toordinal()` (1 is 0001-01-01, a
Monday), a week `(first day - 1) // 7`, a month `year * 12 + month - 1`, a
quarter and a year counted in the pack's calendar (a fiscal year starting
`shift` months before the calendar year it is named after ends). Months,
quarters and years are integer arithmetic; the two conversions between days
and months are the dialect's (`Dialect.month_of_day`, `Dialect.first_day`).
"""

from __future__ import annotations

from dataclasses import dataclass

from ...periods import Frequency
from .dialect import Dialect

D, W, M, Q, Y = Frequency.DAILY, Frequency.WEEKLY, Frequency.MONTHLY, Frequency.QUARTERLY, Frequency.YEARLY
CHILD = {M: D, W: D, Q: M, Y: Q}  # the finer frequency each coarser one rolls up from, one level at a time
ROLLED = (M, W, Q, Y)  # rolled up in this order, after the days given
ANCESTORS = {D: (W, M, Q, Y), M: (Q, Y), Q: (Y,), W: (), Y: ()}  # the coarser periods that hold a period
PER_YEAR = {M: 12, Q: 4, Y: 1}
# How many periods back a year ago is where it varies: a day's is 365 or 366 days, an ISO week's 52 or 53 weeks
YEAR_AGO_STEPS = {D: (365, 366), W: (52, 53)}


def finer(frequency: Frequency) -> list[Frequency]:
    """Every frequency a period of `frequency` rolls up from, the nearest first."""
    chain = []
    while frequency in CHILD:
        frequency = CHILD[frequency]
        chain.append(frequency)
    return chain


def coarser(frequency: Frequency) -> list[Frequency]:
    """The frequencies a missing fact's reason names as known when only they are given (alphabetical, as Python words it)."""
    return sorted((f for f in Frequency if f is not frequency and f not in finer(frequency)), key=lambda f: f.value)


def operand(sql: str) -> str:
    """`sql` ready to be an operand: a column name as it is, an expression in parentheses."""
    return sql if sql.replace(".", "").replace("_", "").isalnum() else f"({sql})"


@dataclass(frozen=True)
class SqlCalendar:
    """The pack's calendar, written in SQL for one dialect."""

    shift: int  # months a fiscal year starts early: 0 for calendar years, 6 from July
    dialect: Dialect

    def month_of_day(self, day: str) -> str:
        return self.dialect.month_of_day.format(day=day)

    def first_day(self, month: str) -> str:
        return self.dialect.first_day.format(month=month)

    def parent(self, frequency: Frequency, ordinal: str) -> str:
        """The period of `frequency` holding period `ordinal` of the frequency one level finer."""
        match frequency:
            case Frequency.QUARTERLY if self.shift:
                return f"({ordinal} + {self.shift}) // 3"
            case Frequency.MONTHLY:
                return self.month_of_day(ordinal)
            case Frequency.WEEKLY:
                return f"({ordinal} - 1) // 7"
        return f"{operand(ordinal)} // {PER_YEAR[CHILD[frequency]] // PER_YEAR[frequency]}"

    def first_child(self, frequency: Frequency, ordinal: str) -> str:
        """The first period one level finer within period `ordinal` of `frequency`."""
        match frequency:
            case Frequency.QUARTERLY if self.shift:
                return f"{operand(ordinal)} * 3 - {self.shift}"
            case Frequency.MONTHLY:
                return self.first_day(ordinal)
            case Frequency.WEEKLY:
                return f"{operand(ordinal)} * 7 + 1"
        return f"{operand(ordinal)} * {PER_YEAR[CHILD[frequency]] // PER_YEAR[frequency]}"

    def children(self, frequency: Frequency, ordinal: str) -> str:
        """How many periods one level finer make period `ordinal` of `frequency` (the days of a month vary)."""
        if frequency is Frequency.MONTHLY:
            return f"{self.first_day(f'{operand(ordinal)} + 1')} - {self.first_day(ordinal)}"
        return "7" if frequency is Frequency.WEEKLY else str(PER_YEAR[CHILD[frequency]] // PER_YEAR[frequency])

    def start_day(self, frequency: Frequency, ordinal: str) -> str:
        """The day ordinal of the first day of period `ordinal` of `frequency`."""
        while frequency in CHILD:
            ordinal, frequency = self.first_child(frequency, ordinal), CHILD[frequency]
        return ordinal

    def ancestor(self, frequency: Frequency, target: Frequency, ordinal: str) -> str:
        """The period of `target` holding period `ordinal` of `frequency` (`target` in `ANCESTORS[frequency]`)."""
        if target is Frequency.WEEKLY:
            return self.parent(target, ordinal)
        chain = (M, Q, Y)
        for step in chain[0 if frequency is D else chain.index(frequency) + 1 :]:
            ordinal = self.parent(step, ordinal)
            if step is target:
                break
        return ordinal

    def iso_week_one(self, year: str) -> str:
        """The ISO week 1 of `year`: the week holding 4 January."""
        return f"({self.first_day(f'{operand(year)} * 12')} + 2) // 7"

    def _iso_year(self, week: str) -> str:
        """The ISO year of week `week`: the year of its Thursday."""
        return f"{operand(self.month_of_day(f'{operand(week)} * 7 + 4'))} // 12"

    def year_start(self, frequency: Frequency, ordinal: str) -> str:
        """The first period of `frequency` in the (fiscal; ISO for weeks) year of period `ordinal`: where `ytd` starts."""
        match frequency:
            case Frequency.DAILY:
                month = self.month_of_day(ordinal)
                return self.first_day(f"{month} - ({month} + {self.shift}) % 12")
            case Frequency.WEEKLY:
                return self.iso_week_one(self._iso_year(ordinal))
            case Frequency.MONTHLY if self.shift:
                return f"{ordinal} - ({ordinal} + {self.shift}) % 12"
        return f"{ordinal} - {ordinal} % {PER_YEAR[frequency]}"

    def year_ago(self, frequency: Frequency, ordinal: str) -> str:
        """The same period a year before period `ordinal`: the same date (29 February: the 28th), the same ISO week (capped)."""
        match frequency:
            case Frequency.DAILY:
                month = self.month_of_day(ordinal)
                before = self.first_day(f"{month} - 12")
                return f"{before} + LEAST({ordinal} - {self.first_day(month)}, {self.first_day(f'{month} - 11')} - {before} - 1)"
            case Frequency.WEEKLY:
                year = self._iso_year(ordinal)
                start, before = self.iso_week_one(year), self.iso_week_one(f"{operand(year)} - 1")
                return f"{before} + LEAST({ordinal} - {start}, {start} - {before} - 1)"
        return f"{ordinal} - {PER_YEAR[frequency]}"

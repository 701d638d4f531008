"""Periods as people write them in exports, and the one rule that says which reading wins.

Besides the engine's own forms (`2025`, `2025-Q1`, `2025-03`, `2025-W07`), a
period cell may be written as:
- a date: `2025-03-15`, `15/03/2025` (day first, as in France), `2025-03-15 00:00:00`, or a
  workbook's date cell;
- a month: `03/2025`, `mars 2025`, `janv. 2025`, `janv.-25`, `March 2025`;
- a quarter: `T1 2025`, `Q1 2025`, `T1-2025`.

The rule: a table writes all its periods in one form (the engine's own forms
may be mixed among themselves, as a monthly file with a quarterly budget
line); a second form is an error, reported once where it first appears.
Dates are days, unless every date of the table is the first of a month: then
they are those months, which is how Excel writes a month.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum

from ..errors import Location, Problem, Refusal
from ..periods import Frequency, Period
from ..reasons import Reason


class PeriodForm(Enum):
    """How a period is written; the value is the catalogue code of how messages name it (`words`)."""

    STANDARD = "form_standard"
    DATE = "form_date"
    MONTH_NUMBER = "form_month_number"
    MONTH_NAME = "form_month_name"
    QUARTER = "form_quarter"

    @property
    def words(self) -> Reason:
        return Reason.of(self.value)


@dataclass(frozen=True)
class WrittenPeriod:
    """A period cell read on its own: its form, its period (a day for dates) and its text."""

    form: PeriodForm
    period: Period
    text: str


_MONTHS = {
    **dict.fromkeys(("janvier", "janv", "jan", "january"), 1),
    **dict.fromkeys(("fevrier", "fevr", "fev", "february", "feb"), 2),
    **dict.fromkeys(("mars", "mar", "march"), 3),
    **dict.fromkeys(("avril", "avr", "april", "apr"), 4),
    **dict.fromkeys(("mai", "may"), 5),
    **dict.fromkeys(("juin", "june", "jun"), 6),
    **dict.fromkeys(("juillet", "juil", "july", "jul"), 7),
    **dict.fromkeys(("aout", "august", "aug"), 8),
    **dict.fromkeys(("septembre", "sept", "sep", "september"), 9),
    **dict.fromkeys(("octobre", "oct", "october"), 10),
    **dict.fromkeys(("novembre", "nov", "november"), 11),
    **dict.fromkeys(("decembre", "dec", "december"), 12),
}
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00)?)?", re.ASCII)
_FRENCH_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})", re.ASCII)
_MONTH_NUMBER = re.compile(r"(\d{1,2})[/-](\d{4})", re.ASCII)
_MONTH_NAME = re.compile(r"([a-z]+)\.?[\s\-/]*(\d{4}|\d{2})")
_QUARTER = re.compile(r"[tq]([1-4])[\s\-/]*(\d{4})|(\d{4})[\s\-/]*[tq]([1-4])")


def read_period(value: str | date) -> WrittenPeriod:
    """One period cell in whichever form it is written; ValueError says why it is not a period.

    The engine's own forms are tried first (but `2025-03-15` is a date), so
    `2025` stays a year and `2025-Q1` a quarter.
    """
    if isinstance(value, date):
        return WrittenPeriod(PeriodForm.DATE, _day(value), value.isoformat())
    text = value.strip()
    if not _ISO_DATE.fullmatch(text):
        try:
            return WrittenPeriod(PeriodForm.STANDARD, Period.parse(text), text)
        except ValueError as error:
            not_standard = error
    folded = _fold(text)
    for form, pattern, build in _FORMS:
        match = pattern.fullmatch(folded)
        if match:
            try:
                return WrittenPeriod(form, build(match.groups()), text)
            except ValueError:
                raise Refusal("no_such_period", written=text, form=form.words) from None
    raise not_standard


def resolve(cells: Sequence[tuple[Location, WrittenPeriod, int]]) -> tuple[list[Period | None], list[tuple[int, Problem]]]:
    """The period of each distinct period text under the table's rule (None where it breaks it), and the
    problem if one does, with the index of the text it is about. `cells` are the distinct texts in the order
    they first appear, each with where it first appears and how many cells write it."""
    first = next((i for i, (_, w, _) in enumerate(cells) if w.form is not PeriodForm.STANDARD), None)
    chosen = PeriodForm.STANDARD if first is None else cells[first][1].form
    odd = {i for i, (_, w, _) in enumerate(cells) if w.form is not chosen}
    as_months = chosen is PeriodForm.DATE and all(w.period.start.day == 1 for i, (_, w, _) in enumerate(cells) if i not in odd)
    periods = [None if i in odd else _month_of(w.period) if as_months else w.period for i, (_, w, _) in enumerate(cells)]
    if not odd or first is None:
        return periods, []
    location, written, _ = cells[min(odd)]
    example_location, example, _ = cells[first]
    others = sum(cells[i][2] for i in odd) - 1
    cause = Reason.of(
        "mixed_period_forms", written=written.text, form=written.form.words, example=example.text, at=example_location,
        example_form=example.form.words, like_it=Reason.of("more_like_it", others=others) if others else "",
    )
    return periods, [(min(odd), Problem.of(location, cause))]


def _month_of(day: Period) -> Period:
    return Period.from_date(Frequency.MONTHLY, day.start)


def _day(value: date) -> Period:
    if isinstance(value, datetime):
        if value.time() != datetime.min.time():
            raise Refusal("time_of_day", moment=value.isoformat(sep=" "))
        value = value.date()
    return Period.from_date(Frequency.DAILY, value)


def _fold(text: str) -> str:
    """Lower case without accents, so `Févr.` and `fevr` read alike."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _month(year: int, month: int) -> Period:
    if not 1 <= month <= 12 or year < 1:
        raise ValueError
    return Period(Frequency.MONTHLY, year * 12 + month - 1)


def _named_month(name: str, year: str) -> Period:
    if name not in _MONTHS:
        raise ValueError
    return _month(int(year) + (2000 if len(year) == 2 else 0), _MONTHS[name])


def _quarter(groups: Sequence[str | None]) -> Period:
    number, year = (groups[0], groups[1]) if groups[0] else (groups[3], groups[2])
    return Period.parse(f"{year}-Q{number}")


_FORMS = (  # tried in order on the text in lower case without accents
    (PeriodForm.DATE, _ISO_DATE, lambda g: _day(date(int(g[0]), int(g[1]), int(g[2])))),
    (PeriodForm.DATE, _FRENCH_DATE, lambda g: _day(date(int(g[2]), int(g[1]), int(g[0])))),
    (PeriodForm.MONTH_NUMBER, _MONTH_NUMBER, lambda g: _month(int(g[1]), int(g[0]))),
    (PeriodForm.QUARTER, _QUARTER, _quarter),
    (PeriodForm.MONTH_NAME, _MONTH_NAME, lambda g: _named_month(g[0], g[1])),
)

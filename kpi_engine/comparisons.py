"""What a result is set against besides its target: its budget, its value a year earlier (N-1) and its year-to-date
value with its budget; and how a change against any of them is computed, worded and judged.

One mechanism for every output: the evaluation attaches the reference values to each result (`Compared`, when
asked for with `Selection.compare`), and the CLI formats, the report's scorecard and the web dashboard read them
and compute, word (`change_text`, `score_cell`) and judge changes here. Pure: no I/O.

- budget: the same KPI computed on the `budget` scenario's figures (its formula on budget inputs, rolled up by
  the usual rules: a yearly budget is never split into months), and the gap actual - budget.
- year_ago: the KPI at the period a year before (same month, quarter or fiscal quarter), and the change: in points
  for a percent KPI (a change of a rate is not a rate), as a rate of the reference for others (+12.3 %), except
  across zero or from zero, where a rate says nothing (a profit turned into a loss is not "-180 %"): there the
  plain difference, in the KPI's unit.
- ytd: the KPI over the span from the start of the (fiscal) year to the end of the period, as if that span were
  one period: its formula on inputs rolled up over the span by their own rules (flows summed, balances at the
  period's end), so a ratio is the ratio of the year-to-date figures, never a sum of ratios; with its budget,
  the same on the budget scenario, and the gap between them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Literal

from .errors import Refusal, closest
from .formatting import Language, decisive_places, format_gap, format_value, is_percent
from .model import Direction
from .numbers import DECIMAL_CONTEXT, difference
from .reasons import Reason

CompareName = Literal["budget", "year_ago", "ytd"]
COMPARE_NAMES: tuple[CompareName, ...] = ("budget", "year_ago", "ytd")
BUDGET = "budget"  # the scenario the budget comparisons read
_HUNDRED = Decimal(100)


def parse_compare(text: str) -> tuple[CompareName, ...]:
    """`budget,year_ago,ytd` (any subset, any order, spaces allowed) as the comparisons in `COMPARE_NAMES` order;
    a `Refusal` naming what is not one (with the closest comparison when one is misspelt), worded at the edge."""
    asked = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [name for name in asked if name not in COMPARE_NAMES]
    if len(unknown) == 1:
        raise Refusal("not_a_comparison", written=unknown[0], hint=closest(unknown[0], COMPARE_NAMES))
    if unknown:
        raise Refusal("not_comparisons", names=tuple(unknown))
    if not asked:
        raise Refusal("no_comparison")
    return tuple(name for name in COMPARE_NAMES if name in asked)


def scorecard_compare(scenarios: Sequence[str]) -> tuple[CompareName, ...]:
    """What a scorecard (the report, the web dashboard) compares with unless told: N-1 always, and the budget
    when the facts have budget figures: a finance team reads each KPI against its budget and last year."""
    return ("budget", "year_ago") if BUDGET in scenarios else ("year_ago",)


@dataclass(frozen=True)
class Reference:
    """One value a result is compared with; None (undefined) with the reason why."""

    value: Decimal | None
    cause: Reason | None = None

    def reason(self, lang: Language = "fr") -> str:
        return self.cause.text(lang) if self.cause else ""


@dataclass(frozen=True)
class Compared:
    """The references of one result, those asked for (None: not asked): its budget, its value a year earlier,
    its year-to-date value and that year-to-date value's budget (asked together, with `ytd`)."""

    budget: Reference | None = None
    year_ago: Reference | None = None
    ytd: Reference | None = None
    ytd_budget: Reference | None = None


ChangeUnit = str  # "pt" (points: 2.5 is +2.5 points), "%" (percent of the reference: 12.3 is +12.3 %), or the KPI's unit


@dataclass(frozen=True)
class Change:
    """How far an actual value is from a reference, in `unit`; `sign` the direction of actual - reference."""

    value: Decimal
    unit: ChangeUnit
    sign: int


def gap(actual: Decimal | None, reference: Reference | Decimal | None) -> Decimal | None:
    """actual - reference, in the KPI's unit (a fraction for a percent KPI, as a target's gap); None when either is
    undefined, or when the gap is beyond the number policy's range (as a result's gap is then not shown)."""
    number = reference.value if isinstance(reference, Reference) else reference
    if actual is None or number is None:
        return None
    return difference(actual, number)


def change(actual: Decimal | None, reference: Reference | Decimal | None, unit: str, relative: bool = True) -> Change | None:
    """The change from `reference` to `actual` as a reader expects it (see the module's year_ago), or with
    `relative` False the plain gap in the KPI's unit (a target's, a budget's); None when either is undefined."""
    difference = gap(actual, reference)
    if difference is None or actual is None:
        return None
    number = reference.value if isinstance(reference, Reference) else reference
    assert number is not None  # noqa: S101 - gap is None otherwise
    sign = (difference > 0) - (difference < 0)
    if not relative:
        return Change(difference, unit, sign)
    try:
        with localcontext(DECIMAL_CONTEXT):  # counted in hundredths: normalized, so 0.025 is 2.5 points, not 2.500
            if is_percent(unit):
                return Change((difference * _HUNDRED).normalize(), "pt", sign)
            if number > 0 and actual >= 0:
                return Change(((actual / number - 1) * _HUNDRED).normalize(), "%", sign)
    except ArithmeticError:  # a rate beyond the number policy's range: the plain difference says it
        pass
    return Change(difference, unit, sign)


def change_text(found: Change | None, lang: Language, places: int | None = None) -> str:
    """A change for the reader: `+2,5 pt`, `+12,3 %`, `-1 200,00 €` ("" when there is none); `places` overrides
    the usual decimals of a gap (`decisive_places`)."""
    if found is None:
        return ""
    if found.unit == "pt":
        return format_gap(found.value / _HUNDRED, "percent", lang, places)
    if found.unit == "%":
        return ("+" if found.value > 0 else "") + format_value(found.value / _HUNDRED, "%", lang)
    return format_gap(found.value, found.unit, lang, places)


Judgement = Literal["better", "worse", ""]


def judgement(sign: int, direction: Direction) -> Judgement:
    """Whether a change of `sign` is good news or bad news for a KPI of `direction` ("" when it says neither)."""
    better = {Direction.HIGHER_IS_BETTER: sign, Direction.LOWER_IS_BETTER: -sign}.get(direction, 0)
    return "better" if better > 0 else "worse" if better < 0 else ""


COLUMN_WORDS: dict[str, dict[Language, str]] = {
    "target": {"fr": "Cible", "en": "Target"},
    "target_change": {"fr": "Écart", "en": "Gap"},
    "budget": {"fr": "Budget", "en": "Budget"},
    "budget_change": {"fr": "Écart budget", "en": "Variance to budget"},
    "year_ago": {"fr": "N-1", "en": "Prior year"},
    "year_ago_change": {"fr": "Évol. N-1", "en": "YoY change"},
    "ytd": {"fr": "Cumul exercice", "en": "Year to date"},
    "ytd_budget": {"fr": "Budget cumulé", "en": "YTD budget"},
    "ytd_budget_change": {"fr": "Écart budget cumulé", "en": "YTD variance to budget"},
    "ytd_change": {"fr": "Écart budget cumulé", "en": "YTD variance to budget"},  # a scorecard's ytd column pair
}
"""The words a DAF reads in a scorecard or a table heading, per reference and its change (`name_change`)."""

COLUMN_NAMES: dict[Language, dict[str, str]] = {
    "en": {"budget": "budget", "budget_change": "budget_gap", "year_ago": "year_ago", "year_ago_change": "year_ago_change",
           "ytd": "ytd", "ytd_budget": "ytd_budget", "ytd_budget_change": "ytd_budget_gap"},
    "fr": {"budget": "budget", "budget_change": "écart_budget", "year_ago": "n_1", "year_ago_change": "évol_n_1",
           "ytd": "cumul_exercice", "ytd_budget": "budget_cumulé", "ytd_budget_change": "écart_budget_cumulé"},
}
"""The spreadsheet (CSV, workbook) column of each cell of `cells`, in the reader's language."""


@dataclass(frozen=True)
class Cell:
    """One column of a result's comparisons: a reference value (in the KPI's unit), or a change (`change`);
    `key` names its words (`COLUMN_WORDS`, `COLUMN_NAMES`). Both None: undefined, never 0."""

    key: str
    value: Decimal | None = None
    change: Change | None = None
    cause: Reason | None = None  # why the reference is undefined


def cells(actual: Decimal | None, compared: Compared | None, unit: str, asked: tuple[CompareName, ...]) -> list[Cell]:
    """The columns a table or a spreadsheet gives one result for the comparisons `asked`, in `COMPARE_NAMES` order:
    budget (the budget, the gap to it), year_ago (N-1, the change), ytd (the year to date, its budget, the gap)."""
    found = compared or Compared()
    row: list[Cell] = []
    for name in asked:
        if name == "ytd":
            ytd, budget = found.ytd or Reference(None), found.ytd_budget or Reference(None)
            row += [Cell("ytd", ytd.value, cause=ytd.cause), Cell("ytd_budget", budget.value, cause=budget.cause),
                    Cell("ytd_budget_change", change=change(ytd.value, budget, unit, relative=False))]
            continue
        reference = getattr(found, name) or Reference(None)
        row += [Cell(name, reference.value, cause=reference.cause),
                Cell(f"{name}_change", change=change(actual, reference, unit, relative=name == "year_ago"))]
    return row


SCORECARD: tuple[str, ...] = ("target", "budget", "year_ago", "ytd")
"""A scorecard's references, in the order of its columns: each gives the reference and the change to it
(`COLUMN_WORDS[name]`, `COLUMN_WORDS[name + "_change"]`; the year to date's change is its gap to its budget)."""


@dataclass(frozen=True)
class ScoreCell:
    """One reference of one scorecard line, for the reader: the reference, the change to it, and whether the
    change is good news (`better`), bad news (`worse`) or neither (""), as the KPI's direction says."""

    reference: str
    change: str
    judgement: Judgement


def _scored(name: str, value: Decimal | None, target: Decimal | None, compared: Compared | None) -> tuple[Decimal | None, ...]:
    """(the reference shown, the actual and the reference of the change) of a result of `value` and `target`."""
    found = compared or Compared()
    if name == "target":
        return target, value, target
    if name == "ytd":
        ytd, budget = (found.ytd or Reference(None)).value, (found.ytd_budget or Reference(None)).value
        return ytd, ytd, budget
    reference = getattr(found, name) or Reference(None)
    return reference.value, value, reference.value


def score_cell(name: str, value: Decimal | None, target: Decimal | None, compared: Compared | None, unit: str, direction: Direction,
               lang: Language) -> ScoreCell | None:
    """The scorecard cell of reference `name` (`SCORECARD`) for a result of `value`, `target` and `compared`;
    None when it has none (no target, no budget, nothing a year before...)."""
    shown, actual, reference = _scored(name, value, target, compared)
    if shown is None:
        return None
    found = change(actual, reference, unit, relative=name == "year_ago")
    places = decisive_places(actual, reference, unit)  # a reference that differs never reads as the actual value
    return ScoreCell(format_value(shown, unit, lang, places), change_text(found, lang, places), judgement(found.sign, direction) if found else "")

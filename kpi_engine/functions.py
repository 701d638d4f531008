"""Every function a formula can call, in one registry.

Adding a function is one entry in `FUNCTIONS`: its arity, which arguments
must be whole-number literals, whether it looks at other periods, and a
builder that turns compiled arguments into one compiled closure. Validation,
the compiler, the dependency graph and the documentation all read this table.

A compiled closure takes a *frame* (the values of one entity at one period)
and returns a Decimal or a bool, or raises `Undefined` with a reason.
Time functions reach other periods through `frame.at(period)`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .errors import Undefined
from .numbers import round_half_up
from .reasons import Reason

Compiled = Callable[[Any], Any]
MAX_PERIODS = 1_000  # how far a time function may look back: 83 years of months, ~3 years of days
Builder = Callable[[Sequence[Compiled], Sequence[int | None]], Compiled]


@dataclass(frozen=True)
class Function:
    """A function formulas can call: its arity, literal arguments, time behaviour and closure builder."""

    name: str
    min_args: int
    max_args: int | None  # None: any number
    build: Builder
    summary: str
    example: str
    integer_args: tuple[int, ...] = ()  # positions that must be whole-number literals
    integer_min: int | None = 0  # smallest such literal allowed (None: any, negatives included)
    integer_max: int | None = None  # largest allowed: time functions look back at most MAX_PERIODS
    condition_args: tuple[int, ...] = ()  # positions that take a true/false condition
    other_periods_only: bool = False  # reads its first argument only at earlier periods
    is_time: bool = False

    def arity_text(self) -> str:
        if self.max_args == self.min_args:
            return f"{self.min_args} argument{'s' if self.min_args != 1 else ''}"
        if self.max_args is None:
            return f"at least {self.min_args} arguments"
        return f"{self.min_args} to {self.max_args} arguments"


# --- scalar functions ---------------------------------------------------------
def _abs(args, _):
    (x,) = args
    return lambda frame: abs(x(frame))


def _extreme(pick):
    def build(args, _):
        if len(args) == 2:  # the usual case, without a generator per call
            first, second = args
            return lambda frame: pick(first(frame), second(frame))
        return lambda frame: pick(arg(frame) for arg in args)

    return build


def _round(args, literals):
    x = args[0]
    places = literals[1] if len(args) > 1 else 0
    return lambda frame: round_half_up(x(frame), places)


def _coalesce(args, _):
    def coalesce(frame):
        # When every argument is undefined, the last one (the fallback) says why: its reason
        # alone, so a roll-forward's reasons do not pile up period after period.
        for arg in args[:-1]:
            try:
                return arg(frame)
            except Undefined:
                pass
        return args[-1](frame)

    return coalesce


def _if(args, _):
    condition, when_true, when_false = args
    return lambda frame: when_true(frame) if condition(frame) else when_false(frame)


# --- time functions -----------------------------------------------------------
# They step back with `frame.back(steps)`, integer arithmetic on the period's ordinal: no
# Period or generator is allocated per value, which keeps the garbage collector quiet on
# large evaluations.
def _lag_by(steps_of: Callable[[Sequence[int | None]], int]) -> Builder:
    def build(args, literals):
        x, steps = args[0], steps_of(literals)
        return lambda frame: x(frame.back(steps))

    return build


def _year_ago(args, _):
    (x,) = args
    return lambda frame: x(frame.year_ago())


def _total(x: Compiled, frame: Any, count: int) -> Decimal:
    """x summed over `count` periods ending at the frame's, oldest first."""
    total = Decimal(0)
    for back in range(count - 1, -1, -1):
        total += x(frame.back(back))
    return total


def _rolling_sum(args, literals):
    x, count = args[0], literals[1]
    return lambda frame: _total(x, frame, count)


def _rolling_avg(args, literals):
    x, count = args[0], literals[1]
    divisor = Decimal(count)
    return lambda frame: _total(x, frame, count) / divisor


def _ytd(args, _):
    (x,) = args
    return lambda frame: _total(x, frame, frame.period.ordinal - frame.period.year_start().ordinal + 1)


def _growth(args, _):
    (x,) = args

    def growth(frame):
        current = x(frame)
        previous = x(frame.back(1))
        if not previous:
            raise Undefined(Reason.of("growth_from_zero", period=frame.period))
        return current / previous - 1

    return growth


def _f(name, min_args, max_args, build, summary, example, **flags) -> Function:
    return Function(name, min_args, max_args, build, summary, example, **flags)


FUNCTIONS: dict[str, Function] = {
    f.name: f
    for f in (
        _f("abs", 1, 1, _abs, "absolute value", "abs(ecart_ca)"),
        _f("min", 2, None, _extreme(min), "the smallest of its arguments", "min(stocks, 100_000)"),
        _f("max", 2, None, _extreme(max), "the largest of its arguments", "max(resultat_net, 0)"),
        _f(
            "round",
            1,
            2,
            _round,
            "rounds to n decimals (default 0), halves away from zero: round(2.5) = 3, round(-2.5) = -3",
            "round(taux_marge_nette, 3)",
            integer_args=(1,),
            integer_min=None,
        ),
        _f(
            "coalesce",
            2,
            None,
            _coalesce,
            "the first of its arguments that is defined",
            "coalesce(prev(tresorerie), tresorerie_initiale)",
        ),
        _f(
            "if",
            3,
            3,
            _if,
            "if(condition, a, b): a when the condition holds, else b",
            "if(resultat_net > 0, resultat_net * 25%, 0)",
            condition_args=(0,),
        ),
        _f(
            "prev",
            1,
            1,
            _lag_by(lambda _: 1),
            "the value at the previous period of the KPI's frequency",
            "prev(tresorerie)",
            other_periods_only=True,
            is_time=True,
        ),
        _f(
            "lag",
            2,
            2,
            _lag_by(lambda literals: literals[1]),
            "the value n periods earlier (lag(x, 0) is x)",
            "lag(chiffre_affaires_ht, 4)",
            integer_args=(1,),
            integer_max=MAX_PERIODS,
            other_periods_only=True,
            is_time=True,
        ),
        _f(
            "year_ago",
            1,
            1,
            _year_ago,
            "the value at the same period one year earlier",
            "chiffre_affaires_ht / year_ago(chiffre_affaires_ht) - 1",
            other_periods_only=True,
            is_time=True,
        ),
        _f(
            "rolling_sum",
            2,
            2,
            _rolling_sum,
            "sum over the last n periods, this one included",
            "rolling_sum(chiffre_affaires_ht, 12)",
            integer_args=(1,),
            integer_min=1,
            integer_max=MAX_PERIODS,
            is_time=True,
        ),
        _f(
            "rolling_avg",
            2,
            2,
            _rolling_avg,
            "rolling_sum(x, n) / n; undefined when one of the n periods is",
            "rolling_avg(tresorerie_nette, 3)",
            integer_args=(1,),
            integer_min=1,
            integer_max=MAX_PERIODS,
            is_time=True,
        ),
        _f(
            "ytd",
            1,
            1,
            _ytd,
            "sum from the first period of the calendar year to this one",
            "ytd(chiffre_affaires_ht)",
            is_time=True,
        ),
        _f(
            "growth",
            1,
            1,
            _growth,
            "x / prev(x) - 1",
            "growth(chiffre_affaires_ht)",
            is_time=True,
        ),
    )
}

"""Every function a formula can call, in one registry: one entry says everything about it.

Adding a function is one entry in `FUNCTIONS` (plus its line in docs/reference.md
and a test). Every stage reads the entry's fields instead of switching on names:

- `build` (the compiler): compiled arguments -> one compiled closure;
- `undefined`: how undefined arguments propagate (`Propagation`);
- `arguments` and `result` (semantics' type checks): what each argument must be;
- `unit` (lint's unit inference): how the result's unit follows from the arguments';
- `symbolic` (the sympy analysis): a builder of its sympy form, or `NotSymbolic` with the reason;
- `reach` (the dependency graph, and any backend that plans period joins): which
  periods its first argument is read at.

A compiled closure takes a *frame* (the values of one entity at one period)
and returns a Decimal or a bool, or raises `Undefined` with a reason.
Time functions reach other periods through `frame.back(steps)` and `frame.year_ago()`;
`frame.periods_into_year()` counts the periods since the start of the (fiscal) year.
Scenario reads (`budget(x)`) compute their argument on the frame of the same entity and
period under another scenario, through `frame.under(scenario, x)`.
Nothing here imports sympy: a symbolic builder receives it from the analysis.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, Subnormal
from enum import Enum
from fractions import Fraction
from typing import Any, Protocol, assert_never

from .errors import Undefined
from .nodes import Binary, Call, Node, Number, Span, integer_literal, to_text
from .numbers import DECIMAL_CONTEXT, round_half_up
from .reasons import Reason

Compiled = Callable[[Any], Any]
MAX_PERIODS = 1_000  # how far a time function may look back: 83 years of months, ~3 years of days
Builder = Callable[[Sequence[Compiled], Sequence[int | None]], Compiled]


# --- arithmetic errors are undefined values ---------------------------------------------
def undefined_by(error: ArithmeticError, code: str = "arithmetic") -> Undefined:
    """The undefined value an arithmetic error stands for, with its reason (`code`: the catalog entry wording it).

    Computations run in `numbers.DECIMAL_CONTEXT`, whose traps raise on a result beyond the number policy's
    range (`Overflow`; `Underflow` or `Subnormal` below it) or with no defined result (`InvalidOperation`).
    """
    name = "Underflow" if isinstance(error, Subnormal) else type(error).__name__  # Underflow is a Subnormal too
    return Undefined(Reason.of(code, error=name))


def guarded(compiled: Compiled, code: str = "arithmetic") -> Compiled:
    """`compiled`, with an arithmetic error turned into an undefined value where it arises, as a division by zero is.

    The one mechanism that makes an overflow or underflow undefined like any other undefined value: `and`/`or`
    decide around it, `coalesce` falls back, `if` and comparisons are undefined with its reason. The compiler
    guards every operation that computes a number; reading a value or comparing two needs no guard.
    """

    def guard(frame: Any) -> Any:
        try:
            return compiled(frame)
        except ArithmeticError as error:
            raise undefined_by(error, code) from None

    return guard


# --- undefined arguments --------------------------------------------------------------
class Propagation(Enum):
    """How a function treats undefined arguments."""

    STRICT = "strict"  # any undefined argument makes the result undefined, with that argument's reason
    FIRST_DEFINED = "first-defined"  # the first defined argument; undefined (the last one's reason) when none is
    CONDITION_CHOSEN = "condition-chosen"  # only the branch the condition picks is computed; its state is the result's


# --- types -------------------------------------------------------------------------------
class Kind(Enum):
    """What an argument must be, or what a result is."""

    NUMBER = "number"
    CONDITION = "condition"
    BRANCH = "branch"  # a number or a condition, the same for every branch: the result's type


@dataclass(frozen=True)
class Count:
    """An argument that must be a whole number written literally (`3`), within [minimum, maximum]."""

    minimum: int | None  # None: any, negatives included
    maximum: int | None


Argument = Kind | Count


# --- units ---------------------------------------------------------------------------------
class UnitRule(Enum):
    """How lint infers a function's unit from its arguments'."""

    SAME = "same"  # the number and branch arguments share one unit, which is the result's; a mix is reported
    OF_FIRST = "of first"  # the unit of the first argument (abs, round, time functions)
    DIMENSIONLESS = "dimensionless"  # a pure number whatever the argument (a growth rate)


# --- periods -----------------------------------------------------------------------------
@dataclass(frozen=True)
class PeriodsBack:
    """A fixed number of periods before the formula's own (0: the own period)."""

    periods: int


@dataclass(frozen=True)
class CountBack:
    """As many periods back as the whole number written at argument `argument` says."""

    argument: int


@dataclass(frozen=True)
class YearBack:
    """The same period one year earlier (12 months, 4 quarters, ... of the frequency)."""


Offset = PeriodsBack | CountBack | YearBack


@dataclass(frozen=True)
class ThisPeriod:
    """Reads every argument at the formula's own period only."""


@dataclass(frozen=True)
class Offsets:
    """Reads its first argument at each of these periods, and nowhere else."""

    offsets: tuple[Offset, ...]


@dataclass(frozen=True)
class Window:
    """Reads its first argument over the n periods ending at the own one; n is written at `argument`."""

    argument: int


@dataclass(frozen=True)
class YearToDate:
    """Reads its first argument from the first period of the calendar year to the own one."""


Reach = ThisPeriod | Offsets | Window | YearToDate


def reads_own_period(reach: Reach, literals: Sequence[int | None]) -> bool:
    """Whether the first argument is read at the formula's own period (a same-period dependency)."""
    match reach:
        case ThisPeriod() | Window() | YearToDate():
            return True
        case Offsets(offsets=offsets):
            return any(_steps(offset, literals) == 0 for offset in offsets)
        case _:
            assert_never(reach)


def _steps(offset: Offset, literals: Sequence[int | None]) -> int | None:
    """Periods back, None when it depends on the frequency (a year) or is not written literally."""
    match offset:
        case PeriodsBack(periods=periods):
            return periods
        case CountBack(argument=argument):
            return literals[argument] if argument < len(literals) else None
        case YearBack():
            return None
        case _:
            assert_never(offset)


# --- symbolic forms ------------------------------------------------------------------------
class SymbolicScope(Protocol):
    """What a symbolic builder works with; the sympy analysis provides it."""

    @property
    def sympy(self) -> Any:
        """The sympy module (imported by the analysis only, so validation never loads it)."""

    def value(self, node: Node) -> Any:
        """The sympy expression of a formula node at the own period."""

    def held(self, node: Node, name: str | None = None) -> Any:
        """A symbol for a value read at an earlier period, held at its evaluated value (named `name`)."""


@dataclass(frozen=True)
class Symbolic:
    """The function's exact sympy form, built from its call."""

    build: Callable[[SymbolicScope, Call], Any]


@dataclass(frozen=True)
class NotSymbolic:
    """The function has no usable sympy form: it stays an opaque function and analyses refuse it with `reason`.

    `exact` computes it on exact fractions when every argument is known (None: it cannot be).
    """

    reason: str
    exact: Callable[[Sequence[Fraction]], Fraction] | None


SymbolicForm = Symbolic | NotSymbolic


# --- the entry -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Function:
    """Everything about a function formulas can call. Every field is required: an entry cannot lack a hook."""

    name: str
    summary: str  # one line for the docs
    example: str  # a formula that uses it
    min_args: int
    max_args: int | None  # None: any number
    arguments: tuple[Argument, ...]  # what each argument must be; the last repeats for extra arguments
    result: Kind  # BRANCH: the type its branch arguments share
    build: Builder
    undefined: Propagation
    unit: UnitRule
    symbolic: SymbolicForm
    reach: Reach  # the periods its first argument is read at

    def arity_text(self) -> str:
        """How many arguments it takes, in words (for the message on a wrong count)."""
        if self.max_args == self.min_args:
            return f"{self.min_args} argument{'s' if self.min_args != 1 else ''}"
        if self.max_args is None:
            return f"at least {self.min_args} arguments"
        return f"{self.min_args} to {self.max_args} arguments"

    def argument(self, position: int) -> Argument:
        """What the argument at `position` must be."""
        return self.arguments[min(position, len(self.arguments) - 1)]

    def kinds(self, count: int) -> Iterator[tuple[int, Argument]]:
        """(position, what it must be) for a call with `count` arguments."""
        return ((position, self.argument(position)) for position in range(count))


# --- evaluation: scalar functions ---------------------------------------------------------
def _abs(args: Sequence[Compiled], _: Sequence[int | None]) -> Compiled:
    (x,) = args
    return lambda frame: abs(x(frame))


def _extreme(pick: Callable[..., Any]) -> Builder:
    def build(args: Sequence[Compiled], _: Sequence[int | None]) -> Compiled:
        if len(args) == 2:  # the usual case, without a generator per call
            first, second = args
            return lambda frame: pick(first(frame), second(frame))
        return lambda frame: pick(arg(frame) for arg in args)

    return build


def _literal(literals: Sequence[int | None], position: int) -> int:
    """The whole-number literal at `position`; validation guarantees it, so None is a programming error."""
    value = literals[position]
    if value is None:
        raise TypeError(f"argument {position + 1} must be a whole-number literal")
    return value


def _round(args: Sequence[Compiled], literals: Sequence[int | None]) -> Compiled:
    """`round_half_up`, with its common case worked out once: a value whose rounding fits in the 28 digits
    closures compute with (`numbers.DECIMAL_CONTEXT`) is quantized directly, without a context of its own."""
    x = args[0]
    places = _literal(literals, 1) if len(args) > 1 else 0
    if places < 0:
        return lambda frame: round_half_up(x(frame), places)
    quantum = Decimal(1).scaleb(-places)
    largest = DECIMAL_CONTEXT.prec - 2 - places  # the highest magnitude (adjusted exponent) that fits

    def rounded(frame: Any) -> Any:
        value = x(frame)
        if value.adjusted() <= largest:
            return value.quantize(quantum, rounding=ROUND_HALF_UP)
        return round_half_up(value, places)

    return rounded


def _coalesce(args: Sequence[Compiled], _: Sequence[int | None]) -> Compiled:
    def coalesce(frame: Any) -> Any:
        # When every argument is undefined, the last one (the fallback) says why: its reason
        # alone, so a roll-forward's reasons do not pile up period after period.
        for arg in args[:-1]:
            try:
                return arg(frame)
            except Undefined:
                pass
        return args[-1](frame)

    return coalesce


def _if(args: Sequence[Compiled], _: Sequence[int | None]) -> Compiled:
    condition, when_true, when_false = args
    return lambda frame: when_true(frame) if condition(frame) else when_false(frame)


# --- evaluation: time functions -------------------------------------------------------------
# They step back with `frame.back(steps)`, integer arithmetic on the period's ordinal: no
# Period or generator is allocated per value, which keeps the garbage collector quiet on
# large evaluations.
def _lag_by(steps_of: Callable[[Sequence[int | None]], int | None]) -> Builder:
    def build(args: Sequence[Compiled], literals: Sequence[int | None]) -> Compiled:
        x, steps = args[0], steps_of(literals)
        return lambda frame: x(frame.back(steps))

    return build


def _year_ago(args: Sequence[Compiled], _: Sequence[int | None]) -> Compiled:
    (x,) = args
    return lambda frame: x(frame.year_ago())


def _total(x: Compiled, frame: Any, count: int) -> Decimal:
    """x summed over `count` periods ending at the frame's, oldest first."""
    total = Decimal(0)
    for back in range(count - 1, -1, -1):
        total += x(frame.back(back))
    return total


def _rolling_sum(args: Sequence[Compiled], literals: Sequence[int | None]) -> Compiled:
    x, count = args[0], _literal(literals, 1)
    return lambda frame: _total(x, frame, count)


def _rolling_avg(args: Sequence[Compiled], literals: Sequence[int | None]) -> Compiled:
    x, count = args[0], _literal(literals, 1)
    divisor = Decimal(count)
    return lambda frame: _total(x, frame, count) / divisor


def _ytd(args: Sequence[Compiled], _: Sequence[int | None]) -> Compiled:
    (x,) = args
    return lambda frame: _total(x, frame, frame.periods_into_year())


def _growth(args: Sequence[Compiled], _: Sequence[int | None]) -> Compiled:
    (x,) = args

    def growth(frame: Any) -> Any:
        current = x(frame)
        previous = x(frame.back(1))
        if not previous:
            raise Undefined(Reason.of("growth_from_zero", period=frame.period))
        return current / previous - 1

    return growth


# --- evaluation: scenario reads ---------------------------------------------------------------
SCENARIOS = ("budget", "forecast")
"""The scenarios a formula can read, each through the function of its name (`budget(x)`): x computed
on the figures of that scenario, a KPI by its own formula on them. Each is a function of its own,
rather than `scenario(x, "forecast")`, because the formula language has no text literal and a bare
scenario name as an argument would read as an input everywhere names are followed (graph, lint,
SQL): a new scenario is one more name in this tuple."""


def _scenario_read(scenario: str) -> Builder:
    def build(args: Sequence[Compiled], _: Sequence[int | None]) -> Compiled:
        (x,) = args
        return lambda frame: frame.under(scenario, x)

    return build


def _scenario_function(scenario: str) -> Function:
    return Function(
        name=scenario,
        summary=f"x computed on the {scenario} figures (a KPI by its formula on its inputs under {scenario})",
        example=f"chiffre_affaires_ht - {scenario}(chiffre_affaires_ht)",
        min_args=1,
        max_args=1,
        arguments=(Kind.NUMBER,),
        result=Kind.NUMBER,
        build=_scenario_read(scenario),
        undefined=Propagation.STRICT,
        unit=UnitRule.OF_FIRST,
        symbolic=NotSymbolic(f"{scenario}() is computed on the {scenario} figures, which this period's actual inputs do not move", exact=None),
        reach=ThisPeriod(),
    )


# --- symbolic forms -----------------------------------------------------------------------------
# Values read at earlier periods cannot move when this period's inputs move: they are held
# symbols. The functions that also read this period keep that part live:
#   rolling_sum(x, n) -> x + [rolling_sum(prev(x), n - 1)];  ytd(x) -> x + [ytd(x) - x];
#   growth(x) -> x / [prev(x)] - 1.
_NOWHERE = Span(0, 0)


def _prev_of(x: Node) -> Call:
    return Call("prev", (x,), _NOWHERE, _NOWHERE)


def _sym_abs(scope: SymbolicScope, call: Call) -> Any:
    return scope.sympy.Abs(scope.value(call.args[0]))


def _sym_extreme(name: str) -> Callable[[SymbolicScope, Call], Any]:
    def build(scope: SymbolicScope, call: Call) -> Any:
        return getattr(scope.sympy, name)(*(scope.value(arg) for arg in call.args))

    return build


def _sym_if(scope: SymbolicScope, call: Call) -> Any:
    condition, when_true, when_false = (scope.value(arg) for arg in call.args)
    return scope.sympy.Piecewise((when_true, condition), (when_false, True))


def _sym_held(scope: SymbolicScope, call: Call) -> Any:
    return scope.held(call)


def _sym_lag(scope: SymbolicScope, call: Call) -> Any:
    return scope.value(call.args[0]) if integer_literal(call.args[1]) == 0 else scope.held(call)


def _sym_rolling(average: bool) -> Callable[[SymbolicScope, Call], Any]:
    def build(scope: SymbolicScope, call: Call) -> Any:
        x = call.args[0]
        count = integer_literal(call.args[1]) or 1
        total = scope.value(x)
        if count > 1:
            earlier = Number(Decimal(count - 1), str(count - 1), _NOWHERE)
            total = total + scope.held(Call("rolling_sum", (_prev_of(x), earlier), _NOWHERE, _NOWHERE))
        return total / count if average else total

    return build


def _sym_ytd(scope: SymbolicScope, call: Call) -> Any:
    x = call.args[0]
    return scope.value(x) + scope.held(Binary("-", call, x, _NOWHERE), f"[{to_text(call)} - {to_text(x)}]")


def _sym_growth(scope: SymbolicScope, call: Call) -> Any:
    x = call.args[0]
    return scope.value(x) / scope.held(_prev_of(x)) - 1


def _exact_round(args: Sequence[Fraction]) -> Fraction:
    """round() on exact fractions, halves away from zero as the evaluator does."""
    x, scale = args[0], Fraction(10) ** int(args[1] if len(args) > 1 else 0)
    halves = abs(x) * scale + Fraction(1, 2)
    magnitude = Fraction(halves.numerator // halves.denominator) / scale
    return magnitude if x >= 0 else -magnitude


ROUND_PLACES = 28
"""The most decimals round() may keep, and the most tens it may round to (-28): the engine computes with 28
significant digits, so more decimals keep no more information, and 10^28 is beyond any amount. Without a bound,
round(x, 999999999) wrote a gigabyte per value."""
ROUND_REASON = "round() is a step function: it has no inverse to solve through and its derivative is 0 almost everywhere"
COALESCE_REASON = "coalesce() depends on which facts exist; it can only be expanded at a given period and entity"


# --- the registry -----------------------------------------------------------------------------
_N, _C, _B = Kind.NUMBER, Kind.CONDITION, Kind.BRANCH
_PERIODS = Count(minimum=1, maximum=MAX_PERIODS)  # a number of periods: at least this one

FUNCTIONS: dict[str, Function] = {
    f.name: f
    for f in (
        Function(
            name="abs",
            summary="absolute value",
            example="abs(ecart_ca)",
            min_args=1,
            max_args=1,
            arguments=(_N,),
            result=_N,
            build=_abs,
            undefined=Propagation.STRICT,
            unit=UnitRule.OF_FIRST,
            symbolic=Symbolic(_sym_abs),
            reach=ThisPeriod(),
        ),
        Function(
            name="min",
            summary="the smallest of its arguments",
            example="min(stocks, 100_000)",
            min_args=2,
            max_args=None,
            arguments=(_N,),
            result=_N,
            build=_extreme(min),
            undefined=Propagation.STRICT,
            unit=UnitRule.SAME,
            symbolic=Symbolic(_sym_extreme("Min")),
            reach=ThisPeriod(),
        ),
        Function(
            name="max",
            summary="the largest of its arguments",
            example="max(resultat_net, 0)",
            min_args=2,
            max_args=None,
            arguments=(_N,),
            result=_N,
            build=_extreme(max),
            undefined=Propagation.STRICT,
            unit=UnitRule.SAME,
            symbolic=Symbolic(_sym_extreme("Max")),
            reach=ThisPeriod(),
        ),
        Function(
            name="round",
            summary="rounds to n decimals (default 0), halves away from zero: round(2.5) = 3, round(-2.5) = -3",
            example="round(taux_marge_nette, 3)",
            min_args=1,
            max_args=2,
            arguments=(_N, Count(minimum=-ROUND_PLACES, maximum=ROUND_PLACES)),
            result=_N,
            build=_round,
            undefined=Propagation.STRICT,
            unit=UnitRule.OF_FIRST,
            symbolic=NotSymbolic(ROUND_REASON, exact=_exact_round),
            reach=ThisPeriod(),
        ),
        Function(
            name="coalesce",
            summary="the first of its arguments that is defined",
            example="coalesce(prev(tresorerie), tresorerie_initiale)",
            min_args=2,
            max_args=None,
            arguments=(_N,),
            result=_N,
            build=_coalesce,
            undefined=Propagation.FIRST_DEFINED,
            unit=UnitRule.SAME,
            symbolic=NotSymbolic(COALESCE_REASON, exact=None),
            reach=ThisPeriod(),
        ),
        Function(
            name="if",
            summary="if(condition, a, b): a when the condition holds, else b",
            example="if(resultat_net > 0, resultat_net * 25%, 0)",
            min_args=3,
            max_args=3,
            arguments=(_C, _B, _B),
            result=_B,
            build=_if,
            undefined=Propagation.CONDITION_CHOSEN,
            unit=UnitRule.SAME,
            symbolic=Symbolic(_sym_if),
            reach=ThisPeriod(),
        ),
        Function(
            name="prev",
            summary="the value at the previous period of the KPI's frequency",
            example="prev(tresorerie)",
            min_args=1,
            max_args=1,
            arguments=(_N,),
            result=_N,
            build=_lag_by(lambda _: 1),
            undefined=Propagation.STRICT,
            unit=UnitRule.OF_FIRST,
            symbolic=Symbolic(_sym_held),
            reach=Offsets((PeriodsBack(1),)),
        ),
        Function(
            name="lag",
            summary="the value n periods earlier (lag(x, 0) is x)",
            example="lag(chiffre_affaires_ht, 4)",
            min_args=2,
            max_args=2,
            arguments=(_N, Count(minimum=0, maximum=MAX_PERIODS)),
            result=_N,
            build=_lag_by(lambda literals: literals[1]),
            undefined=Propagation.STRICT,
            unit=UnitRule.OF_FIRST,
            symbolic=Symbolic(_sym_lag),
            reach=Offsets((CountBack(1),)),
        ),
        Function(
            name="year_ago",
            summary="the value at the same period one year earlier",
            example="chiffre_affaires_ht / year_ago(chiffre_affaires_ht) - 1",
            min_args=1,
            max_args=1,
            arguments=(_N,),
            result=_N,
            build=_year_ago,
            undefined=Propagation.STRICT,
            unit=UnitRule.OF_FIRST,
            symbolic=Symbolic(_sym_held),
            reach=Offsets((YearBack(),)),
        ),
        Function(
            name="rolling_sum",
            summary="sum over the last n periods, this one included",
            example="rolling_sum(chiffre_affaires_ht, 12)",
            min_args=2,
            max_args=2,
            arguments=(_N, _PERIODS),
            result=_N,
            build=_rolling_sum,
            undefined=Propagation.STRICT,
            unit=UnitRule.OF_FIRST,
            symbolic=Symbolic(_sym_rolling(average=False)),
            reach=Window(1),
        ),
        Function(
            name="rolling_avg",
            summary="rolling_sum(x, n) / n; undefined when one of the n periods is",
            example="rolling_avg(tresorerie_nette, 3)",
            min_args=2,
            max_args=2,
            arguments=(_N, _PERIODS),
            result=_N,
            build=_rolling_avg,
            undefined=Propagation.STRICT,
            unit=UnitRule.OF_FIRST,
            symbolic=Symbolic(_sym_rolling(average=True)),
            reach=Window(1),
        ),
        Function(
            name="ytd",
            summary="sum from the first period of the calendar year to this one",
            example="ytd(chiffre_affaires_ht)",
            min_args=1,
            max_args=1,
            arguments=(_N,),
            result=_N,
            build=_ytd,
            undefined=Propagation.STRICT,
            unit=UnitRule.OF_FIRST,
            symbolic=Symbolic(_sym_ytd),
            reach=YearToDate(),
        ),
        Function(
            name="growth",
            summary="x / prev(x) - 1",
            example="growth(chiffre_affaires_ht)",
            min_args=1,
            max_args=1,
            arguments=(_N,),
            result=_N,
            build=_growth,
            undefined=Propagation.STRICT,
            unit=UnitRule.DIMENSIONLESS,
            symbolic=Symbolic(_sym_growth),
            reach=Offsets((PeriodsBack(0), PeriodsBack(1))),
        ),
        *(_scenario_function(scenario) for scenario in SCENARIOS),
    )
}

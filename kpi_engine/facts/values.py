"""One cell to one fact: what every reader does with a value once it knows the input, period and entity."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from ..errors import Location, Problem
from ..numbers import read_number
from ..periods import Period
from ..reasons import Reason
from .model import ACTUAL, Entity, Fact, Facts, entity_words, scenario_words

RawValue = str | int | Decimal | bool | None | object


def add_value(
    facts: Facts, entity: Entity, name: str, period: Period, raw: RawValue, location: Location, decimal_comma: bool, scenario: str = ACTUAL
) -> Problem | None:
    """Add `raw` as the value of `name`; an empty cell is a missing fact, not zero. Returns what is wrong with it.

    Two lines of one source giving the same fact the same value are a warning:
    two accounts mapped to one input, or a line pasted twice, would otherwise
    be counted once without a word. (Two sources agreeing is not reported.)
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if not name:
        return Problem.of(location, Reason.of("empty_name"))
    if isinstance(raw, date):
        return Problem.of(location, Reason.of("in_value", name=name, period=period, cause=Reason.of("date_not_number", date=raw.isoformat())))
    if isinstance(raw, bool) or not isinstance(raw, (str, int, Decimal)):
        return Problem.of(location, Reason.of("in_value", name=name, period=period, cause=Reason.of("not_a_number", written=raw)))
    try:
        value = _number(raw, decimal_comma)
    except (ValueError, InvalidOperation) as error:
        return Problem.of(location, Reason.of("in_value", name=name, period=period, cause=Reason.of_error(error)))
    found = facts.add_figure(entity, name, period, value, location, scenario)
    if not isinstance(found, Fact):
        return found
    cause = Reason.of(
        "same_value_twice", name=name, period=period, for_entity=entity_words(entity), under_scenario=scenario_words(scenario),
        earlier=found.value, at=found.location, value=value,
    )
    return Problem.of(location, cause, "warning")


def is_number(raw: RawValue, decimal_comma: bool) -> bool:
    """Whether a cell holds a number (a text that reads as one, or a typed number)."""
    if isinstance(raw, bool) or not isinstance(raw, (str, int, Decimal)):
        return False
    try:
        _number(raw, decimal_comma)
    except (ValueError, InvalidOperation):
        return False
    return True


# Plain figures, by far the most common cell (`1234.56`, `-12,5` in a decimal-comma file): read straight
# into the Decimal `read_number` gives them, which its checks would accept unchanged (at most 27 digits, a
# magnitude within 1E-12 and 1E+15). Anything else (separators, signs, percent, exponents) goes through it.
_PLAIN = re.compile(r"-?\d{1,15}(?:\.\d{1,12})?", re.ASCII)
_PLAIN_COMMA = re.compile(r"-?\d{1,15}(?:,\d{1,12})?", re.ASCII)


def _number(raw: str | int | Decimal, decimal_comma: bool) -> Decimal:
    if isinstance(raw, str):
        if decimal_comma:
            if _PLAIN_COMMA.fullmatch(raw):
                return Decimal(raw.replace(",", "."))
        elif _PLAIN.fullmatch(raw):
            return Decimal(raw)
    return read_number(raw, decimal_comma)

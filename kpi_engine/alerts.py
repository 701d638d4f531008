"""Alerts: a rule and the values at a period give a fired alert, worded at the edge in the reader's language.

A backend says whether a rule's condition holds at a period and reads
values there (`Readings`); `fire` turns that into an `Alert` carrying the
rule that fired (its stable id and severity) and the values its message
template reads. The message is rendered only when read (`Alert.text(lang)`),
like an undefined value's `Reason`, so one evaluation can be shown in French
and in English.

Message templates themselves (parsing and filling) live in `templates`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from .errors import Undefined
from .formatting import Language
from .model import SEVERITY_RANK, Label, Severity
from .periods import Period
from .plan import Plan, PlannedAlert, PlannedKpi
from .templates import render_message

FieldValue = Decimal | bool | str | Label | None  # None: undefined; a Label is worded in the reader's language


class Readings(Protocol):
    """What a backend offers `fire` at one entity and period."""

    @property
    def period(self) -> Period: ...

    @property
    def entity(self) -> str | None: ...

    def holds(self, rule: PlannedAlert) -> object:
        """The rule's condition here (True, False or a number); raises Undefined when it cannot be decided."""

    def value(self, name: str) -> Decimal | bool | None:
        """An input's or KPI's value here, None when undefined."""

    def target(self, kpi: str) -> Decimal | None:
        """A KPI's target here, None when it has none or it is undefined."""


@dataclass(frozen=True)
class Alert:
    """An alert that fired: the rule, where (KPI, period, entity), the KPI's value and owner, and its message's values.

    `message` is worded in the language the evaluation was asked for; `text(lang)` in any language.
    """

    kpi: str
    period: Period
    entity: str | None
    rule: PlannedAlert
    owner: str
    value: Decimal | None
    fields: tuple[tuple[str, FieldValue, str], ...]  # (name, value, unit) of every field its templates read
    lang: Language = field(default="en", compare=False)

    @property
    def severity(self) -> Severity:
        return self.rule.severity

    @property
    def rule_id(self) -> str:
        return self.rule.id

    @property
    def message(self) -> str:
        return self.text(self.lang)

    def text(self, lang: Language) -> str:
        """The rule's message in `lang`, filled with the values captured when it fired."""
        values = {name: (value, unit) for name, value, unit in self.fields}

        def lookup(name: str) -> tuple[object, str]:
            value, unit = values[name]
            return (value.get(lang, self.kpi) if isinstance(value, Label) else value), unit

        return render_message(self.rule.template(lang), lookup, lang)


def alert_order(alert: Alert) -> tuple[int, int, str, str]:
    """Sort key: most severe first, then the latest period, then entity and KPI for a stable order."""
    return (-SEVERITY_RANK[alert.severity], -alert.period.end.toordinal(), alert.entity or "", alert.kpi)


def fire(plan: Plan, kpi: PlannedKpi, rule: PlannedAlert, readings: Readings, lang: Language = "en") -> Alert | None:
    """The alert `rule` raises at `readings`, or None: only a condition that is true fires.

    A condition that is false, undefined or fails to compute does not fire
    (three-valued logic: an alert that cannot be decided stays quiet).
    """
    try:
        fired = readings.holds(rule) is True
    except (Undefined, ArithmeticError):
        fired = False
    if not fired:
        return None
    fields = tuple((name, *_field(plan, kpi, rule, readings, name)) for name in rule.fields)
    value = readings.value(kpi.name)
    number = value if isinstance(value, Decimal) else None  # a KPI is a number (semantics checks it)
    return Alert(kpi.name, readings.period, readings.entity, rule, kpi.owner, number, fields, lang)


def _field(plan: Plan, kpi: PlannedKpi, rule: PlannedAlert, readings: Readings, name: str) -> tuple[FieldValue, str]:
    """(value, unit) of a message field: this KPI's numbers, its descriptive texts, or any input or KPI here."""
    match name:
        case "value":
            return readings.value(kpi.name), kpi.unit
        case "target":
            return readings.target(kpi.name), kpi.unit
        case "gap":
            value, target = readings.value(kpi.name), readings.target(kpi.name)
            return (None if value is None or target is None else value - target), kpi.unit
        case "period":
            return str(readings.period), ""
        case "entity":
            return readings.entity or "", ""
        case "kpi":
            return kpi.name, ""
        case "owner":
            return kpi.owner, ""
        case "unit":
            return kpi.unit, ""
        case "severity":
            return rule.severity, ""
        case "label":
            return kpi.label, ""
    return readings.value(name), plan.unit(name)

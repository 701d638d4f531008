"""Alerts: a rule and the values at a period give a fired alert, worded at the edge in the reader's language.

A backend says whether a rule's condition holds at a period and reads
values there (`Readings`); `fire` turns that into an `Alert` carrying the
rule that fired (its stable id and severity) and the values its message
template reads. The message is rendered only when read (`Alert.text(lang)`),
like an undefined value's `Reason`, so one evaluation can be shown in French
and in English.

A template is split once, when the plan is built, into literal text and
named fields. Filling it looks each field up by name in a flat set of
decimals and strings: there is no attribute or index access to follow (such
fields are rejected when the pack is loaded), and a value without a format
spec is shown according to its unit and the reader's language.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

from .errors import Undefined
from .formatting import format_value, localize
from .model import SEVERITY_RANK, Label, Severity
from .periods import Period

if TYPE_CHECKING:  # the plan parses templates with this module: a type-only import avoids the cycle
    from .plan import Plan, PlannedAlert, PlannedKpi

FieldValue = Decimal | bool | str | Label | None  # None: undefined; a Label is worded in the reader's language
Lookup = Callable[[str], tuple[object, str]]  # name -> (value or None when undefined, unit)
Template = tuple[tuple[str, str | None, str], ...]  # (literal text, field name or None, format spec)
_CURRENCY_SIGNS = ("€", "$", "£")


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
    value: Decimal | bool | None
    fields: tuple[tuple[str, FieldValue, str], ...]  # (name, value, unit) of every field its templates read
    lang: str = field(default="en", compare=False)

    @property
    def severity(self) -> Severity:
        return self.rule.severity

    @property
    def rule_id(self) -> str:
        return self.rule.id

    @property
    def message(self) -> str:
        return self.text(self.lang)

    def text(self, lang: str) -> str:
        """The rule's message in `lang`, filled with the values captured when it fired."""
        values = {name: (value, unit) for name, value, unit in self.fields}

        def lookup(name: str) -> tuple[object, str]:
            value, unit = values[name]
            return (value.get(lang, self.kpi) if isinstance(value, Label) else value), unit

        return render_message(self.rule.template(lang), lookup, lang)


def alert_order(alert: Alert) -> tuple[int, int, str, str]:
    """Sort key: most severe first, then the latest period, then entity and KPI for a stable order."""
    return (-SEVERITY_RANK[alert.severity], -alert.period.end.toordinal(), alert.entity or "", alert.kpi)


def fire(plan: Plan, kpi: PlannedKpi, rule: PlannedAlert, readings: Readings, lang: str = "en") -> Alert | None:
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
    return Alert(kpi.name, readings.period, readings.entity, rule, kpi.owner, readings.value(kpi.name), fields, lang)


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


def parse_template(text: str) -> Template:
    """Literal text and fields of a template; ValueError for anything but `{name}` / `{name:spec}`.

    `semantics` reports these mistakes with their location when the pack is
    loaded; refusing them here too means no path can fill `{value.__class__}`.
    """
    parts = []
    for literal, name, spec, conversion in string.Formatter().parse(text):
        if name is not None and (not name.isidentifier() or conversion or "{" in (spec or "")):
            raise ValueError(f"template field {name!r} is not a plain name")
        parts.append((literal, name, spec or ""))
    return tuple(parts)


def template_fields(template: Template) -> tuple[str, ...]:
    """The names a template reads, in order."""
    return tuple(name for _, name, _ in template if name is not None)


def render_message(template: Template | str, lookup: Lookup, lang: str = "en") -> str:
    """Fill a template; a field that cannot be filled reads 'undefined', never 0."""
    if isinstance(template, str):
        template = parse_template(template)
    parts = []
    for literal, name, spec in template:
        parts.append(literal)
        if name is not None:
            text = _field_text(*lookup(name), spec, lang)
            if text.startswith("-") and literal.endswith(_CURRENCY_SIGNS):
                parts[-1], text = literal[:-1] + "-" + literal[-1], text[1:]  # "€{value}" of -8 145 reads -€8,145
            parts.append(text)
    return "".join(parts)


def _field_text(content: object, unit: str, spec: str, lang: str) -> str:
    if content is None:
        return format_value(None, lang=lang)
    if isinstance(content, Decimal):
        return localize(format(content, spec), lang) if spec else format_value(content, unit, lang)
    return format(str(content), spec)


def default_message(has_target: bool) -> str:
    """The message of an alert rule that does not write one."""
    return "{label}: {value} (target {target})" if has_target else "{label}: {value}"

"""Alerts: rules and the values over a KPI's periods give alerts, worded at the edge in the reader's language.

A backend says whether a rule's conditions hold at a period and reads
values there (`Readings`), and reaches the same entity's earlier periods;
`Alerting` turns that into `Alert`s carrying the rule that fired (its stable
id and severity) and the values its message template reads. Every backend
gets the same alert semantics by calling `Alerting.at` for each reported
period of each entity:

- **for: N.** A rule fires at a period when its condition has held at this
  period and the N - 1 periods of the KPI's frequency before it. A period
  where the condition is false or undefined, or that the facts do not cover,
  breaks the run.
- **resolve_when.** An alert that fired stays firing at the next periods
  until its `resolve_when` holds: firing(t) = held(t) or (firing(t-1) and
  resolve_when is not true at t). An undefined `resolve_when` does not
  resolve (missing figures are not good news); a period the facts do not
  cover ends the alert (nothing can fire where nothing is known).
- **Inhibition.** Of the alerts of one KPI, entity and period, the most
  severe hides the lesser ones (`inhibited_by`: its rule id). A rule with
  `inhibit: false` stands apart: it hides nothing and nothing hides it.
  Equal severities never hide each other.
- **Silences.** An alert a pack silences (`silences:`) is kept and marked
  with the silence, when the evaluation is made as of a date on or before the
  silence's `until`. Without an "as of" date no silence applies: the core
  never reads the clock, and an alert is never hidden by a silence that may
  have expired. An alert hidden by a silenced one stays hidden.

Inhibited and silenced alerts stay in the evaluation, marked, so outputs can
count them and tests can check them; `Alert.active` says whether to notify.
The message is rendered only when read (`Alert.text(lang)`), like an
undefined value's `Reason`, so one evaluation can be shown in French and in
English. Message templates themselves (parsing and filling) live in
`templates`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Protocol

from .errors import Undefined
from .formatting import Language
from .model import SEVERITY_RANK, Label, Severity, Silence
from .periods import Period
from .plan import Plan, PlannedAlert, PlannedKpi
from .templates import render_message

FieldValue = Decimal | bool | str | Label | None  # None: undefined; a Label is worded in the reader's language


class Readings(Protocol):
    """What a backend offers `Alerting` at one entity and period."""

    @property
    def period(self) -> Period: ...

    @property
    def entity(self) -> str | None: ...

    def holds(self, rule: PlannedAlert) -> object:
        """The rule's condition here (True, False or a number); raises Undefined when it cannot be decided."""

    def resolves(self, rule: PlannedAlert) -> object:
        """The rule's `resolve_when` here, like `holds` (asked only of rules that have one)."""

    def earlier(self, steps: int) -> Readings | None:
        """The same entity `steps` periods of this frequency earlier, even before the selection;
        None when the facts do not cover that period."""

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
    lang: Language = field(default="fr", compare=False)
    inhibited_by: str | None = None  # the rule id of the more severe alert that hides this one
    silence: Silence | None = None  # the silence that applies to it

    @property
    def severity(self) -> Severity:
        return self.rule.severity

    @property
    def silenced(self) -> str | None:
        """The reason it is silenced, None when it is not."""
        return self.silence.reason if self.silence else None

    @property
    def active(self) -> bool:
        """Whether to show and notify it: neither inhibited nor silenced."""
        return self.inhibited_by is None and self.silence is None

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


_Key = tuple[str, str | None, Period]  # (rule id, entity, period)


@dataclass
class Alerting:
    """The alerts of one evaluation, period by period; `as_of` is the date silences are compared with.

    Remembers, per rule, entity and period, whether the condition held and
    whether the alert was firing, so `for` and `resolve_when` read each
    earlier period once whatever order the periods are asked in. Make one
    per entity (its memory is dropped with it) or per evaluation; it is not
    shared between threads.
    """

    plan: Plan
    lang: Language = "fr"
    as_of: date | None = None
    _held: dict[_Key, bool] = field(default_factory=dict, repr=False)
    _firing: dict[_Key, bool] = field(default_factory=dict, repr=False)

    def at(self, readings: Readings) -> tuple[Alert, ...]:
        """Every alert of the KPIs reported at this period, in definition and rule order: inhibited and
        silenced ones marked."""
        alerts: list[Alert] = []
        for kpi in self.plan.alerting.get(readings.period.frequency, ()):
            fired = [self._alert(kpi, rule, readings) for rule in kpi.alerts if self.firing(rule, readings)]
            if fired:
                alerts.extend(self._silenced(alert) for alert in inhibited(fired))
        return tuple(alerts)

    def firing(self, rule: PlannedAlert, readings: Readings) -> bool:
        """Whether the rule's alert is firing here: held for its `for` run, or still unresolved.

        Walks back through the periods whose state is inherited (not held,
        not resolved) until one decides, iteratively: a daily series of
        years goes no deeper than one call.
        """
        if rule.resolve_when is None:
            return _decided(readings.holds, rule) if rule.for_periods == 1 else self._held_for_run(rule, readings)
        inheriting: list[_Key] = []
        current: Readings | None = readings
        firing = False
        while current is not None:
            key = (rule.id, current.entity, current.period)
            known = self._firing.get(key)
            if known is not None:
                firing = known
                break
            held = self._held_for_run(rule, current)
            if held or _decided(current.resolves, rule):
                firing = self._firing[key] = held
                break
            inheriting.append(key)
            current = current.earlier(1)
        for key in inheriting:
            self._firing[key] = firing
        return firing

    def _held_for_run(self, rule: PlannedAlert, readings: Readings) -> bool:
        """The condition held here and at the `for_periods - 1` periods before, each covered and defined."""
        for steps in range(rule.for_periods):
            at = readings if steps == 0 else readings.earlier(steps)
            if at is None or not self._holds(rule, at):
                return False
        return True

    def _holds(self, rule: PlannedAlert, readings: Readings) -> bool:
        if rule.for_periods == 1 and rule.resolve_when is None:
            return _decided(readings.holds, rule)  # asked once per period: nothing worth remembering
        key = (rule.id, readings.entity, readings.period)
        held = self._held.get(key)
        if held is None:
            held = self._held[key] = _decided(readings.holds, rule)
        return held

    def _alert(self, kpi: PlannedKpi, rule: PlannedAlert, readings: Readings) -> Alert:
        fields = tuple((name, *_field(self.plan, kpi, rule, readings, name)) for name in rule.fields)
        value = readings.value(kpi.name)
        number = value if isinstance(value, Decimal) else None  # a KPI is a number (semantics checks it)
        return Alert(kpi.name, readings.period, readings.entity, rule, kpi.owner, number, fields, self.lang)

    def _silenced(self, alert: Alert) -> Alert:
        silence = find_silence(alert, self.plan.silences, self.as_of)
        return alert if silence is None else replace(alert, silence=silence)


def _decided(condition: Callable[[PlannedAlert], object], rule: PlannedAlert) -> bool:
    """True only when the condition is true: false, undefined or failing to compute is not (three-valued logic:
    what cannot be decided stays quiet)."""
    try:
        return condition(rule) is True
    except (Undefined, ArithmeticError):
        return False


def inhibited(fired: Iterable[Alert]) -> list[Alert]:
    """The alerts of one KPI, entity and period, the lesser ones marked as hidden by the most severe
    (the first written among equals); rules with `inhibit: false` take no part."""
    fired = list(fired)
    taking_part = [alert for alert in fired if alert.rule.inhibit]
    if not taking_part:
        return fired
    worst = max(taking_part, key=lambda alert: SEVERITY_RANK[alert.severity])
    rank = SEVERITY_RANK[worst.severity]
    return [
        replace(alert, inhibited_by=worst.rule_id) if alert.rule.inhibit and SEVERITY_RANK[alert.severity] < rank else alert
        for alert in fired
    ]


def find_silence(alert: Alert, silences: Iterable[Silence], as_of: date | None) -> Silence | None:
    """The first silence (bases first) that covers the alert as of that date; None without a date."""
    if as_of is None:
        return None
    for silence in silences:
        if (
            as_of <= silence.until
            and silence.kpi == alert.kpi
            and silence.entity in (None, alert.entity)
            and silence.rule in (None, alert.rule_id)
            and silence.severity in (None, alert.severity)
        ):
            return silence
    return None


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

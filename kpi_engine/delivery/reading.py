"""What delivery reads of an evaluation: alert identities, their texts per language, the periods covered.

This is the one place that knows the shape of `Alert` and `Result`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from ..alerts import Alert
from ..model import LANGUAGES
from ..periods import Period
from ..results import MET, UNDEFINED, Result

NO_ENTITY = ""  # the store keeps "" for facts without an entity: SQLite keys cannot hold NULL reliably


@dataclass(frozen=True, order=True)
class AlertKey:
    """What identifies an alert across runs: the fingerprint is a hash of exactly these."""

    kpi: str
    entity: str
    period: str
    rule: str

    @property
    def fingerprint(self) -> str:
        """16 hex digits, like Alertmanager's; stable across runs, machines and Python versions."""
        text = f"{self.kpi}\x1f{self.entity}\x1f{self.period}\x1f{self.rule}"
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

    @property
    def series(self) -> tuple[str, str, str]:
        """The same rule of the same KPI and entity, over every period."""
        return (self.kpi, self.entity, self.rule)


def alert_key(alert: Alert) -> AlertKey:
    """The identity of an alert that fired: where, and the stable id of the rule that fired (`plan`:
    rewording a message or reordering rules keeps it; a new condition or severity is a new alert)."""
    return AlertKey(alert.kpi, alert.entity or NO_ENTITY, str(alert.period), alert.rule_id)


@dataclass(frozen=True)
class Observed:
    """An alert that fires in this run, with what its messages say in each language."""

    key: AlertKey
    severity: str
    owner: str
    value: Decimal | None
    messages: Mapping[str, str]  # lang -> message


def observed_alerts(alerts: Iterable[Alert]) -> dict[str, Observed]:
    """The alerts of one evaluation to notify (neither silenced nor hidden by a more severe one), with
    their messages worded in every language, by fingerprint."""
    observed: dict[str, Observed] = {}
    for alert in (alert for alert in alerts if alert.active):
        key = alert_key(alert)
        observed[key.fingerprint] = Observed(key, alert.severity, alert.owner, alert.value, {lang: alert.text(lang) for lang in LANGUAGES})
    return observed


def covered_periods(results: Iterable[Result]) -> set[tuple[str, str, str]]:
    """(KPI, entity, period) evaluated to a value in this run: an alert there that did not fire has
    truly stopped firing; a period the facts do not reach, or left undefined, says nothing."""
    return {(r.kpi, r.entity or NO_ENTITY, str(r.period)) for r in results if r.status != UNDEFINED}


@dataclass(frozen=True)
class Success:
    """A target met at the latest period a KPI was evaluated for an entity: good news for its owner."""

    kpi: str
    entity: str
    period: str
    owner: str
    value: Decimal
    target: Decimal


def targets_met(results: Iterable[Result]) -> list[Success]:
    """For each KPI and entity, its latest evaluated period, when the target is met there."""
    latest: dict[tuple[str, str], Result] = {}
    for result in results:
        key = (result.kpi, result.entity or NO_ENTITY)
        if result.status != UNDEFINED and (key not in latest or Period.sort_key(result.period) > Period.sort_key(latest[key].period)):
            latest[key] = result
    return [Success(r.kpi, entity, str(r.period), r.owner, r.value, r.target)
            for (_, entity), r in sorted(latest.items()) if r.status == MET and r.value is not None and r.target is not None]

"""What an evaluation gives back: typed, frozen, free of engine internals."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .model import SEVERITY_RANK
from .periods import Period
from .reasons import Reason

MET, MISSED, NO_TARGET, UNDEFINED = "met", "missed", "no_target", "undefined"
STATUSES = (MET, MISSED, NO_TARGET, UNDEFINED)


@dataclass(frozen=True)
class Result:
    """One KPI for one period and entity. `value` is None exactly when `status` is undefined."""

    kpi: str
    period: Period
    entity: str | None
    value: Decimal | None
    target: Decimal | None
    gap: Decimal | None
    status: str
    owner: str
    error: str | None = None  # why it is undefined (or its target is), in English: the text of record
    cause: Reason | None = field(default=None, compare=False, repr=False)  # the same, as data, for other languages

    def reason(self, lang: str = "en") -> str:
        """`error` in the reader's language ("" when there is none)."""
        return self.cause.text(lang) if self.cause else (self.error or "")


def alert_order(alert: Alert) -> tuple:
    """Sort key: most severe first, then the latest period, then entity and KPI for a stable order."""
    return (-SEVERITY_RANK[alert.severity], -alert.period.end.toordinal(), alert.entity or "", alert.kpi)


@dataclass(frozen=True)
class Alert:
    """An alert that fired: for which KPI, period and entity, how severe, its message and owner."""

    kpi: str
    period: Period
    entity: str | None
    severity: str
    message: str
    owner: str
    value: Decimal | None

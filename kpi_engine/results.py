"""What an evaluation gives back: typed, frozen, free of engine internals."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .periods import Period

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
    error: str | None = None


@dataclass(frozen=True)
class Alert:
    kpi: str
    period: Period
    entity: str | None
    severity: str
    message: str
    owner: str
    value: Decimal | None

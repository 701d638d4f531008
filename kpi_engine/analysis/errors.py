"""Why an analysis has no answer: errors carrying a reason in user words."""

from __future__ import annotations

from ..periods import Period


class SymbolicError(Exception):
    """A formula cannot be handled symbolically; `reason` says why, in user words."""

    def __init__(self, reason: str, kpi: str | None = None, offset: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.kpi = kpi
        self.offset = offset  # character offset in the KPI's formula, when known


class AnalysisError(SymbolicError):
    """The question has no answer here; `reason` says why, in user words."""


class PeriodError(AnalysisError):
    """The question was asked about a period it cannot be asked about (wrong frequency, not covered)."""

    def __init__(self, reason: str, period: Period) -> None:
        super().__init__(reason)
        self.period = period

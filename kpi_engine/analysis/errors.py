"""Why an analysis has no answer: errors carrying a reason in user words; and notes in both languages (`Said`)."""

from __future__ import annotations

from dataclasses import dataclass

from ..periods import Period


class SymbolicError(Exception):
    """A formula cannot be handled symbolically; `reason` says why, in user words (`french`: in French)."""

    def __init__(self, reason: str, kpi: str | None = None, offset: int | None = None, french: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.kpi = kpi
        self.offset = offset  # character offset in the KPI's formula, when known
        self.french = french or reason

    def text(self, lang: str) -> str:
        """The reason in the reader's language."""
        return self.french if lang == "fr" else self.reason


class AnalysisError(SymbolicError):
    """The question has no answer here; `reason` says why, in user words."""


class PeriodError(AnalysisError):
    """The question was asked about a period it cannot be asked about (wrong frequency, not covered)."""

    def __init__(self, reason: str, period: Period, french: str = "") -> None:
        super().__init__(reason, french=french)
        self.period = period


@dataclass(frozen=True)
class Said:
    """A note in English (its text of record, `str()`) and in French."""

    en: str = ""
    fr: str = ""

    def __str__(self) -> str:
        return self.en

    def __bool__(self) -> bool:
        return bool(self.en)

    def text(self, lang: str) -> str:
        return self.fr if lang == "fr" else self.en

"""A ledger as the engine keeps it: one fiscal year of one company, aggregated per account and month.

A large company's FEC has millions of lines, but its KPIs only need, per
account, the opening balance and the debits and credits of each month. So the
reader aggregates as it reads and keeps no line: memory grows with accounts x
months, never with the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType

from ..periods import Period

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Movements:
    """The debits and credits booked on one account in one month (opening entries apart)."""

    debit: Decimal = ZERO
    credit: Decimal = ZERO


@dataclass(frozen=True)
class Ledger:
    """One FEC file: one fiscal year of one company (its `entity`), read from `source`.

    `months` are every calendar month the fiscal year covers, in order, even those
    with no entry. `opening` holds the opening entries (à-nouveaux) per account,
    debit-positive; `movements` every other entry, per account and month.
    """

    source: str
    entity: str | None
    months: tuple[Period, ...]
    labels: Mapping[str, str] = field(default_factory=dict)  # account number -> its label (CompteLib)
    opening: Mapping[str, Decimal] = field(default_factory=dict)
    movements: Mapping[tuple[str, Period], Movements] = field(default_factory=dict)
    lines: int = 0  # entry lines read, header excluded

    def __post_init__(self) -> None:
        for name in ("labels", "opening", "movements"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))

    @property
    def accounts(self) -> list[str]:
        """Every account the file books on, sorted."""
        return sorted(self.labels)

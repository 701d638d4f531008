"""The ledger: the FEC read into per-account monthly aggregates, and mapped to inputs by account rules.

`read_fec` reads one file (`fec`); `ledger_facts` turns ledgers into facts
with the inputs' account rules (`accounts`), keeping which accounts made each
figure. `fec_facts` is both, in the shape of a facts reader.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..accounts import AccountRule
from ..errors import Location, Problem
from ..facts.model import AuditLine, Facts
from ..reasons import Reason
from .accounts import LedgerFacts, ledger_facts
from .fec import LEGAL_COLUMNS, is_fec, read_fec
from .model import Ledger, Movements

if TYPE_CHECKING:
    from ..facts.source import PackView

__all__ = [
    "LEGAL_COLUMNS",
    "AccountRule",
    "AuditLine",
    "Ledger",
    "LedgerFacts",
    "Movements",
    "fec_facts",
    "is_fec",
    "ledger_facts",
    "read_fec",
]


def fec_facts(data: bytes, name: str, pack: PackView | None) -> tuple[Facts, list[Problem]]:
    """The facts an FEC file gives with the pack's account rules (`accounts:` on its inputs).

    A facts reader: bytes and a file name in, facts and located problems out.
    Without a pack there are no rules to map the accounts with: that is the problem reported.
    """
    if pack is None:
        return Facts(), [Problem.of(Location(name), Reason.of("fec_needs_pack"))]
    ledger, problems = read_fec(data, name)
    mapped, more = ledger_facts([ledger], pack.inputs)
    return mapped.facts, problems + more


"""The ledger: the FEC read into per-account monthly aggregates, and mapped to inputs by account rules.

`read_fec` reads one file (`fec`); `ledger_facts` turns ledgers into facts
with the inputs' account rules (`accounts`), keeping which accounts made each
figure. `fec_facts` is both, in the shape of a facts reader.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING

from ..accounts import AccountRule
from ..errors import Problem
from ..facts import Facts
from ..model import InputDef
from .accounts import AuditLine, LedgerFacts, ledger_facts
from .fec import LEGAL_COLUMNS, is_fec, read_fec
from .model import Ledger, Movements

if TYPE_CHECKING:
    from ..pack import Pack

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


def fec_facts(data: bytes, name: str, pack: Pack | None = None) -> tuple[Facts, list[Problem]]:
    """The facts an FEC file gives with the pack's account rules (the standard library's without a pack).

    A facts reader: bytes and a file name in, facts and located problems out.
    """
    ledger, problems = read_fec(data, name)
    mapped, more = ledger_facts([ledger], pack.inputs if pack is not None else _standard_inputs())
    return mapped.facts, problems + more


@cache
def _standard_inputs() -> Mapping[str, InputDef]:
    """The standard library's inputs and their rules, loaded once, and only when no pack is given."""
    from ..library import standard_library_path
    from ..loader import load_pack

    return load_pack(standard_library_path()).inputs

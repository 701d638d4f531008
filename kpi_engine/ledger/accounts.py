"""The ledger -> facts mapping: the account rules of a pack applied to ledgers.

The rules themselves (flow or balance, the side counted positive, prefixes
included and excluded, `gross`) are described and parsed in `kpi_engine.accounts`;
this module sums each ledger's accounts by those rules, month by month, and keeps
which accounts made each figure (the audit `kpi explain` shows).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from ..accounts import AccountRule
from ..errors import Location, Problem
from ..facts.model import AuditLine, Entity, Fact, Facts
from ..model import InputDef
from ..periods import Period
from ..reasons import Reason
from .model import ZERO, Ledger, Movements

AuditKey = tuple[str, Entity, Period]  # (input, entity, month)


@dataclass(frozen=True)
class LedgerFacts:
    """The facts a ledger gives; each carries the accounts and amounts that made it (`Facts.detail`)."""

    facts: Facts

    @property
    def audit(self) -> dict[AuditKey, tuple[AuditLine, ...]]:
        """Every fact's accounts, by (input, entity, month)."""
        return {(name, entity, period): lines for entity in self.facts.entities
                for (name, period), lines in self.facts.entity(entity).details.items()}


def ledger_facts(ledgers: Iterable[Ledger], inputs: Mapping[str, InputDef]) -> tuple[LedgerFacts, list[Problem]]:
    """Every input with account rules, for every month each ledger covers: a month with no entry is zero.

    Ledgers of consecutive fiscal years of one entity join up; a ledger whose fiscal year
    overlaps an earlier one of the same entity is reported and left out. The accounts with
    amounts that no rule reads are reported as warnings (see `_unread_accounts`).
    """
    rules = {name: definition.accounts for name, definition in inputs.items() if definition.accounts is not None}
    facts, problems = Facts(), []
    read: list[Ledger] = []
    for ledger in ledgers:
        overlap = next((other for other in read if other.entity == ledger.entity and set(other.months) & set(ledger.months)), None)
        if overlap is not None:
            problems.append(_overlap_problem(ledger, overlap))
            continue
        read.append(ledger)
        problems.extend(_unread_accounts(ledger, rules))
        for fact, lines in _ledger_facts(ledger, rules):
            facts.add_detail(fact, lines)  # no conflict: one ledger per entity and month
    return LedgerFacts(facts), problems


def _overlap_problem(ledger: Ledger, other: Ledger) -> Problem:
    cause = Reason.of(
        "fiscal_years_overlap", first=ledger.months[0], last=ledger.months[-1], other_first=other.months[0], other_last=other.months[-1],
        of_entity=Reason.of("of_entity", name=ledger.entity) if ledger.entity else "", source=other.source,
    )
    return Problem.of(Location(ledger.source), cause)


MAX_LISTED = 5  # accounts named in a warning; the others are counted
_GENERAL_CLASSES = ("1", "2", "3", "4", "5", "6", "7")  # the PCG's general accounts (8 and 9: off-balance, analytic)


def _unread_accounts(ledger: Ledger, rules: Mapping[str, AccountRule]) -> list[Problem]:
    """Income and charge accounts (classes 6 and 7) with movements that no net flow reads, and
    balance sheet accounts (classes 1 to 5) left with a balance that no balance reads: no KPI
    counts them, which a controller must know (a rebate account 6094, VAT to regularise 4458...)."""
    if not rules:
        return [Problem.of(Location(ledger.source), Reason.of("no_account_rules"), "warning")]
    flows = [rule for rule in rules.values() if rule.kind == "flow" and not rule.gross]
    balances = [rule for rule in rules.values() if rule.kind == "balance"]
    unread = []
    for account in ledger.accounts:
        income_or_charge = account[:1] in ("6", "7")
        readers = flows if income_or_charge else balances
        if account[:1] not in _GENERAL_CLASSES or any(rule.covers(account) for rule in readers):
            continue
        closing = ZERO if income_or_charge else ledger.opening.get(account, ZERO)
        closing += sum((m.debit - m.credit for month in ledger.months if (m := ledger.movements.get((account, month)))), ZERO)
        if closing:
            side = "debit_balance" if closing > 0 else "credit_balance"
            unread.append(Reason.of(side, account=account, label=ledger.labels.get(account, ""), amount=abs(closing)))
    if not unread:
        return []
    cause = Reason.of(
        "unread_accounts" if len(unread) > 1 else "unread_account", count=len(unread), accounts=tuple(unread[:MAX_LISTED]),
        more=max(0, len(unread) - MAX_LISTED),
    )
    return [Problem.of(Location(ledger.source), cause, "warning")]


def _ledger_facts(ledger: Ledger, rules: Mapping[str, AccountRule]) -> Iterable[tuple[Fact, tuple[AuditLine, ...]]]:
    accounts = ledger.accounts
    fed = {name: [a for a in accounts if rule.covers(a)] for name, rule in rules.items()}
    balances = _running_balances(ledger, {a for name, rule in rules.items() if rule.kind == "balance" for a in fed[name]})
    location = Location(ledger.source)
    for month in ledger.months:
        for name, rule in rules.items():
            amounts = [(a, _amount(rule, ledger.movements.get((a, month)), balances.get((a, month), ZERO))) for a in fed[name]]
            lines = tuple(AuditLine(a, ledger.labels.get(a, ""), amount, _opening(rule, ledger, a)) for a, amount in amounts if amount)
            yield Fact(ledger.entity, name, month, sum((line.amount for line in lines), ZERO), location), lines


def _amount(rule: AccountRule, movements: Movements | None, balance: Decimal) -> Decimal:
    """What one account brings to a rule in a month."""
    if rule.kind == "balance":
        signed = balance if rule.side == "debit" else -balance
        return signed if not rule.gross or signed > 0 else ZERO
    if movements is None:
        return ZERO
    if rule.gross:
        return movements.debit if rule.side == "debit" else movements.credit
    return rule.signed(movements.debit, movements.credit)


def _opening(rule: AccountRule, ledger: Ledger, account: str) -> Decimal | None:
    """The opening balance of an account, signed as a balance rule counts it; None for a flow."""
    if rule.kind != "balance":
        return None
    return rule.signed(ledger.opening.get(account, ZERO), ZERO)


def _running_balances(ledger: Ledger, accounts: set[str]) -> dict[tuple[str, Period], Decimal]:
    """Each account's debit-positive balance at the end of each month: opening entries plus movements so far."""
    balances = {}
    for account in accounts:
        balance = ledger.opening.get(account, ZERO)
        for month in ledger.months:
            movements = ledger.movements.get((account, month))
            if movements is not None:
                balance += movements.debit - movements.credit
            balances[(account, month)] = balance
    return balances

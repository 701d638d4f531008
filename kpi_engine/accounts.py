"""Account rules: which accounts of the ledger feed an input, and how (pure data, read with the pack).

The ledger -> facts mapping that applies them is `ledger.accounts`.

An input declares its rule in the pack:

    ventes_marchandises:
      rollup: sum
      accounts: {flow: credit, include: ["707", "7097"]}

`flow` sums the movements of each month (by `EcritureDate`), `balance` takes
each account's balance at the end of the month (opening entries plus the
movements of the fiscal year so far). The side named is the one counted
positive: `credit` for income and liabilities, `debit` for charges and
assets, so every figure reads as the standard library expects it. A contra
account listed with the others nets itself out (7097, rebates granted, is
debited: it reduces the credit total of 707). `gross: true` counts only the
named side: the debits alone of a flow (cash received), or only the accounts
whose balance is on that side (banks in credit are overdrafts, not cash).

An account belongs to the rule when the longest prefix it starts with is in
`include` rather than `exclude`, so `include: ["70"], exclude: ["707"]`
takes every 70x but 707, and an `include` of "7071" would take 7071 back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator

from .errors import Location, Problem, path_text
from .schema import PACK_SCHEMA, load_schema
from .yamlsource import Document, Path

KINDS = ("flow", "balance")
SIDES = ("debit", "credit")
_ROLLUP_OF = {"flow": "sum", "balance": "last"}


@dataclass(frozen=True)
class AccountRule:
    """Which accounts feed an input: a flow or a balance, the side counted positive, the account prefixes."""

    kind: str  # flow | balance
    side: str  # debit | credit: the side counted positive
    include: tuple[str, ...]
    exclude: tuple[str, ...] = ()
    gross: bool = False  # only the positive side: debits alone, or accounts whose balance is on that side
    location: Location = field(default=Location("<accounts>"), compare=False)

    def covers(self, account: str) -> bool:
        """Whether `account` feeds the input: its longest matching prefix is included, not excluded."""
        included = max((len(p) for p in self.include if account.startswith(p)), default=-1)
        excluded = max((len(p) for p in self.exclude if account.startswith(p)), default=-1)
        return included > excluded

    def signed(self, debit: Decimal, credit: Decimal) -> Decimal:
        """An amount on this rule's positive side: debit - credit, or credit - debit."""
        return debit - credit if self.side == "debit" else credit - debit

    def describe(self) -> str:
        """The rule in words, for messages and listings: `flow credit 707 7097 except 70971`."""
        words = [self.kind, self.side, *(["gross"] if self.gross else []), *self.include]
        return " ".join(words + ([f"except {' '.join(self.exclude)}"] if self.exclude else []))


def account_rule_of(document: Document, path: Path, spec: Mapping[str, Any]) -> tuple[AccountRule | None, list[Problem]]:
    """The `accounts:` rule of the input at `path`, if it has a well-formed one (the schema reports the others).

    Checked here: exactly one of `flow` or `balance`, a roll-up that fits (a flow is summed,
    a balance is read at the end), and no prefix both included and excluded.
    """
    rules = spec.get("accounts")
    if rules is None or not _rule_validator().is_valid(rules):
        return None, []
    where, location = path_text((*path, "accounts")), document.location((*path, "accounts"))
    kinds = [kind for kind in KINDS if kind in rules]
    if len(kinds) != 1:
        found = "both" if kinds else "neither"
        return None, [Problem(location, f"{where}: give either 'flow' (movements of the month) or 'balance' "
                                        f"(balance at the end of the month), found {found}")]
    kind = kinds[0]
    problems = []
    if spec.get("rollup") != _ROLLUP_OF[kind]:
        problems.append(Problem(document.location((*path, "rollup")), f"{path_text(path)}.rollup: an input fed by "
                                f"a {kind} of accounts rolls up with '{_ROLLUP_OF[kind]}', not '{spec.get('rollup')}'"))
    include, exclude = tuple(map(str, rules["include"])), tuple(map(str, rules.get("exclude", ())))
    problems.extend(Problem(location, f"{where}: account '{prefix}' is both included and excluded") for prefix in sorted(set(include) & set(exclude)))
    rule = AccountRule(kind, rules[kind], include, exclude, bool(rules.get("gross", False)), location)
    return (None if problems else rule), problems


@cache
def _rule_validator() -> Draft202012Validator:
    schema = load_schema(PACK_SCHEMA)
    return Draft202012Validator({"$defs": schema["$defs"], "$ref": "#/$defs/accounts"})


# --- the mapping -----------------------------------------------------------------------

"""How a number was obtained, as data: a KPI's formula as a tree, each node with its value.

Every backend can produce this trace (`Backend.trace`, reached through
`Pack.explain`); the CLI prints it. KPIs used by the formula are expanded in
turn, down to the inputs, so a controller can audit every step; a group's
input down to its members' values and the group's own entries that sum to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .formatting import Language
from .periods import Period
from .reasons import Reason

# The nodes a ledger's audit adds that have no text of their own, in the reader's words (the CLI and the web both show them).
NODE_WORDS: dict[str, dict[Language, str]] = {
    "opening": {"fr": "à-nouveaux (ouverture de l'exercice)", "en": "opening balance (start of the fiscal year)"},
    "movements": {"fr": "mouvements de l'exercice à fin de période", "en": "movements of the fiscal year to the period's end"},
    "no_entry": {"fr": "aucun montant sur ses comptes", "en": "no amount on its accounts"},
    "zero_by_default": {"fr": "absent des faits : 0 (missing: zero)", "en": "absent from the facts: 0 (missing: zero)"},
    "group_entries": {"fr": "écritures propres du groupe (éliminations, coûts de groupe)", "en": "the group's own entries (eliminations, group costs)"},
}

# What a node is, in the reader's words: the tag the CLI and the web put beside it.
KIND_WORDS: dict[str, dict[Language, str]] = {
    "input": {"fr": "donnée", "en": "input"},
    "kpi": {"fr": "indicateur", "en": "KPI"},
    "account": {"fr": "compte", "en": "account"},
    "member": {"fr": "membre", "en": "member"},
}


@dataclass(frozen=True)
class Observation:
    """A node's value at one period, or why it is undefined."""

    period: Period
    value: Decimal | bool | None  # None when undefined
    reason: Reason | None = None  # why the value is undefined


@dataclass(frozen=True)
class ExplainNode:
    """One step of a computation: `kind` is kpi, input, number, operation or function, or what
    makes an input: a ledger's account, or for a group's consolidated input each `member`
    (`entity` names it) and the group's own entries (`group_entries`).

    `scenario` names the scenario a KPI or input was read under (`budget` inside `budget(...)`),
    None for the actual figures."""

    text: str
    kind: str
    observations: tuple[Observation, ...]
    children: tuple[ExplainNode, ...] = ()
    unit: str = ""
    scenario: str | None = None
    entity: str | None = None  # the member a `member` node is about
    is_group: bool = False  # that member is itself a group

    @property
    def value(self) -> Decimal | bool | None:
        return self.observations[-1].value if self.observations else None

    def label(self, lang: Language) -> str:
        """The node as a reader sees it: its text, or the words of a node that has none (an account's opening balance...)."""
        return NODE_WORDS[self.kind][lang] if self.kind in NODE_WORDS else self.text

    def kind_word(self, lang: Language) -> str:
        """What the node is (`donnée`, `indicateur`, `compte`, `membre`), "" for operations, numbers and functions."""
        return KIND_WORDS[self.kind][lang] if self.kind in KIND_WORDS else ""

"""What a pack defines, as frozen dataclasses.

These are the validated, parsed definitions: formulas are already ASTs, and
every definition keeps the `Location` it came from so later stages (graph
cycles, lint, test failures) can point back at the YAML.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING, get_args

from .company import Company
from .errors import Location
from .formatting import Language
from .nodes import Node
from .owners import Owner
from .periods import GREGORIAN, Calendar, Frequency
from .yamlsource import Scalar

if TYPE_CHECKING:  # accounts reads the schema, which reads nothing of the model: a type-only import
    from .accounts import AccountRule


class Rollup(StrEnum):
    """How an input's finer-period values make a coarser period's value."""

    SUM = "sum"  # a flow: revenue, costs
    LAST = "last"  # a stock: the closing balance of the last finer period
    AVG = "avg"  # an average level: headcount


class Consolidation(StrEnum):
    """How a group's value of an input is made from its members' values at the same period."""

    SUM = "sum"  # the members' values added, and the group's own facts (eliminations...) with them
    NONE = "none"  # not consolidated: only facts given for the group itself (a rate, a price)


class Missing(StrEnum):
    """What an input's absent value means.

    UNDEFINED (the default): a figure not given is not known, and what reads it is undefined.
    ZERO: absent from the books means none (operating grants of a company that has none). At a
    period where the entity has at least one fact of any input (the period is *covered*), the
    input reads 0 when it is not given there. A coarser period is rolled up from finer ones as
    for any input, so a quarter with a month the entity has no fact at all for stays undefined.
    """

    UNDEFINED = "undefined"
    ZERO = "zero"


class Severity(StrEnum):
    """How serious a fired alert is, mildest first (the order `SEVERITY_RANK` ranks by)."""

    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


class Direction(StrEnum):
    """Whether a KPI meets its target from above or from below; NONE for a KPI without target."""

    NONE = ""
    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"


# Plain texts for the schema repairs and click choices; a StrEnum member equals and hashes as its text.
SEVERITIES = tuple(severity.value for severity in Severity)  # mildest first
SEVERITY_RANK = {severity: rank for rank, severity in enumerate(SEVERITIES)}
ROLLUPS = tuple(rule.value for rule in Rollup)
MISSINGS = tuple(meaning.value for meaning in Missing)
LANGUAGES: tuple[Language, ...] = get_args(Language)


@dataclass(frozen=True)
class Label:
    """A label in French and English; either may be missing, the other stands in."""

    fr: str = ""
    en: str = ""

    def get(self, lang: str, fallback: str = "") -> str:
        first, second = (self.fr, self.en) if lang == "fr" else (self.en, self.fr)
        return first or second or fallback


@dataclass(frozen=True)
class Formula:
    """A parsed expression and the YAML scalar it was written in (to locate errors inside it)."""

    text: str
    node: Node
    scalar: Scalar | None = field(default=None, compare=False, repr=False)

    @property
    def location(self) -> Location:
        return self.scalar.location if self.scalar else Location("<formula>")

    def locate(self, offset: int) -> Location:
        return self.scalar.locate(self.text, offset) if self.scalar else Location("<formula>", 1, offset + 1)

    def snippet(self, offset: int, width: int = 1) -> str:
        return self.scalar.snippet(self.text, offset, width) if self.scalar else ""


@dataclass(frozen=True)
class InputDef:
    """A fact the pack expects: its unit, how finer periods roll up into coarser ones, and optional bounds."""

    name: str
    rollup: Rollup
    label: Label = Label()
    description: str = ""
    unit: str = ""
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    location: Location = Location("<input>")
    accounts: AccountRule | None = None  # the ledger accounts that feed it, when accounting gives it
    consolidation: Consolidation = Consolidation.SUM  # how a group's value is made from its members'
    missing: Missing = Missing.UNDEFINED  # ZERO: absent at a period the entity's facts cover reads 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "rollup", Rollup(self.rollup))  # ValueError for an unknown rule, never a silent average
        object.__setattr__(self, "consolidation", Consolidation(self.consolidation))
        object.__setattr__(self, "missing", Missing(self.missing))


@dataclass(frozen=True)
class AlertRule:
    """A condition that raises an alert of some severity, with its message template.

    `for_periods` (`for:` in YAML) is how many consecutive periods the
    condition must hold before the alert fires; once firing, an alert with
    `resolve_when` stays firing until that condition holds; `inhibit` False
    sets it apart from inhibition (it hides nothing, nothing hides it).
    """

    when: Formula
    severity: Severity
    message: Label = Label()  # a template per language (the same text in both when written once)
    location: Location = Location("<alert>")
    message_scalars: tuple[tuple[str, Scalar], ...] = field(default=(), compare=False, repr=False)  # (lang, its YAML text)
    for_periods: int = 1
    resolve_when: Formula | None = None
    inhibit: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "severity", Severity(self.severity))


@dataclass(frozen=True)
class KpiDef:
    """A KPI: its parsed formula, frequency, unit, owner, target and direction, tags and alert rules."""

    name: str
    formula: Formula
    frequency: Frequency
    label: Label = Label()
    description: str = ""
    unit: str = ""
    owner: str = ""
    target: Formula | None = None
    direction: Direction = Direction.NONE
    tags: tuple[str, ...] = ()
    alerts: tuple[AlertRule, ...] = ()
    location: Location = Location("<kpi>")

    def __post_init__(self) -> None:
        object.__setattr__(self, "direction", Direction(self.direction))


@dataclass(frozen=True)
class Silence:
    """Alerts of a KPI (optionally one entity, one rule or one severity) not to notify until a date, and why.

    `until` is the last day the silence applies (inclusive), compared with the
    date an evaluation is made "as of", never with the periods' dates.
    """

    kpi: str
    until: date
    reason: str
    entity: str | None = None  # None: every entity
    rule: str | None = None  # a rule id (`kpi/severity/digest`); None: every rule
    severity: Severity | None = None  # None: every severity
    location: Location = Location("<silence>")


@dataclass(frozen=True)
class Audience:
    """A named set of KPIs for reports: listed by name, by tag or by owner."""

    name: str
    label: Label = Label()
    kpis: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    location: Location = Location("<audience>")


@dataclass(frozen=True)
class EntityDef:
    """An entity the pack declares: its label and, for a group, its members (entities or groups)."""

    name: str
    label: Label = Label()
    members: tuple[str, ...] = ()
    location: Location = Location("<entity>")

    @property
    def is_group(self) -> bool:
        return bool(self.members)


@dataclass(frozen=True)
class Definitions:
    """Every definition of a pack, merged across its files and the packs it extends.

    Its mappings are read-only views: a loaded pack cannot be changed behind its compiled program.
    """

    inputs: Mapping[str, InputDef]
    kpis: Mapping[str, KpiDef]
    audiences: Mapping[str, Audience] = field(default_factory=dict)
    files: tuple[str, ...] = ()
    broken: frozenset[str] = frozenset()  # names whose definition is invalid: known, but not usable
    themes: Mapping[str, Label] = field(default_factory=dict)  # tag -> its label as a report theme
    calendar: Calendar = GREGORIAN  # when its years start
    entities: Mapping[str, EntityDef] = field(default_factory=dict)  # declared entities and groups, in declaration order

    owners: Mapping[str, Owner] = field(default_factory=dict)  # role -> who it is and how to reach them
    silences: tuple[Silence, ...] = ()  # every layer's, bases first
    company: Company = field(default_factory=Company)  # who the reports are about (`company:`), inherited through `extends`

    def __post_init__(self) -> None:
        for name in ("inputs", "kpis", "audiences", "themes", "entities", "owners"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))  # names whose definition is invalid: known, but not usable

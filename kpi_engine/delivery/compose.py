"""One message per owner and channel: what is new, what is resolved, most severe first, in their language.

Alerts are kept per period, so a condition that lasts fires once per period:
a reader is told of it once per series (same KPI, entity and rule), in the
words of its latest period, with since when it has been firing. The e-mail
channel renders the items as HTML (autoescaped jinja2 template) with a plain
text part; the webhook channel lists every alert with its machine fields and
gives the human text once per series.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING

from ..formatting import Language, format_value, moment_words, period_with_preposition, period_words
from ..model import SEVERITY_RANK, KpiDef
from ..owners import DEFAULT_LANG, Owner
from ..periods import Frequency, Period
from .lifecycle import NEW, REMINDER, RESOLVED
from .reading import Success
from .store import Pending
from .texts import text

if TYPE_CHECKING:
    import jinja2

SECTIONS = (NEW, RESOLVED, REMINDER)

Series = tuple[str, str, str]  # (KPI, entity, rule): AlertKey.series


@dataclass(frozen=True)
class Attachment:
    filename: str
    html: str


@dataclass(frozen=True)
class Notification:
    """Everything one recipient is told by one channel in one run."""

    channel: str
    recipient: str  # the owner role
    owner: Owner | None  # None when the pack's directory does not name this role
    items: tuple[Pending, ...]
    now: datetime
    kpis: Mapping[str, KpiDef]  # for labels and units
    successes: tuple[Success, ...] = ()  # targets met, announced once per period (--targets-met)
    attachments: tuple[Attachment, ...] = ()  # the owner's scorecard (--attach-scorecard)
    firing: Mapping[Series, tuple[str, ...]] = field(default_factory=dict)  # periods of each series open in the store

    @property
    def lang(self) -> Language:
        return self.owner.lang if self.owner else DEFAULT_LANG

    def section(self, kind: str) -> list[Pending]:
        """The items of one kind, most severe first, then the latest period, entity and KPI."""
        chosen = [item for item in self.items if item.kind == kind]
        return sorted(chosen, key=_severity_order)

    def grouped(self, kind: str) -> list[Item]:
        """The items of one kind, one per series, in the order of `section`: by the latest alert of each."""
        series: dict[Series, list[Pending]] = {}
        for pending in self.section(kind):
            series.setdefault(pending.alert.key.series, []).append(pending)
        return [Item(tuple(members), self._streak(kind, members)) for members in series.values()]

    @property
    def size(self) -> int:
        """How many items the reader is told of: one per series and section, and each target met."""
        return sum(len(self.grouped(kind)) for kind in SECTIONS) + len(self.successes)

    def _streak(self, kind: str, members: Sequence[Pending]) -> tuple[Period, ...]:
        """The periods a series has been firing through: those shown and, when the latest is open, every
        period the store holds open for the series (a quarter firing after eight others is the ninth; a
        past period that reappears after a revision, a later one being clear, stands alone)."""
        periods = {pending.alert.key.period for pending in members}
        still_open = self.firing.get(members[0].alert.key.series, ())
        if kind != RESOLVED and members[0].alert.key.period in still_open:
            periods |= set(still_open)
        return tuple(sorted((Period.parse(period) for period in periods), key=Period.sort_key))

    def period(self, period: str) -> str:
        """A period in the reader's words (`T2 exercice 2026`, `décembre 2025`)."""
        return period_words(Period.parse(period), self.lang)

    def streak(self, item: Item) -> str:
        """`en alerte depuis T3 exercice 2024, 8 trimestres`; "" for a series firing at one period only."""
        if len(item.periods) < 2:
            return ""
        first = item.periods[0]
        since = period_words(first, self.lang)
        if self.lang == "fr" and first.is_fiscal and first.frequency == Frequency.YEARLY:
            since = f"l'{since}"  # depuis l'exercice 2024
        duration = text(self.lang, f"periods_{first.frequency}", count=len(item.periods))
        return text(self.lang, "streak_resolved" if item.latest.kind == RESOLVED else "streak", since=since, duration=duration)

    def restatement(self, pending: Pending) -> str:
        """`apparue après une révision des chiffres d'octobre 2025`: why a past period is announced again."""
        period = Period.parse(pending.alert.key.period)
        return text(self.lang, pending.restated or "", period=period_words(period, self.lang), of_period=period_with_preposition("de", period))

    def label(self, kpi: str) -> str:
        definition = self.kpis.get(kpi)
        return definition.label.get(self.lang, kpi) if definition else kpi

    def shown(self, kpi: str, value: Decimal) -> str:
        """A value as the reader writes it: units, separators and decimals of their language."""
        definition = self.kpis.get(kpi)
        return format_value(value, definition.unit if definition else "", self.lang)


@dataclass(frozen=True)
class Item:
    """What a reader is told of one series in one section: the latest period's alert stands for all of them."""

    members: tuple[Pending, ...]  # most recent period first; every delivery this item settles
    periods: tuple[Period, ...]  # the periods the series has been firing through, oldest first

    @property
    def latest(self) -> Pending:
        return self.members[0]

    @property
    def restated(self) -> tuple[Pending, ...]:
        """The members announced because past figures were revised: each says which period changed."""
        return tuple(member for member in self.members if member.restated)


def _severity_order(item: Pending) -> tuple[int, int, str, str]:
    key = item.alert.key
    return (-SEVERITY_RANK.get(item.alert.severity, 0), -Period.parse(key.period).sort_key()[0].toordinal(), key.entity, key.kpi)


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    html: str


def compose(notification: Notification) -> Message:
    """The subject, plain text and HTML of a notification."""
    lang = notification.lang
    context = {
        "lang": lang,
        "name": notification.owner.display_name if notification.owner else notification.recipient,
        "sections": [(kind, notification.grouped(kind)) for kind in SECTIONS if notification.section(kind)],
        "label": notification.label,
        "period": notification.period,
        "streak": notification.streak,
        "restatement": notification.restatement,
        "successes": [(notification.label(s.kpi), s.entity, notification.period(s.period), notification.shown(s.kpi, s.value),
                       notification.shown(s.kpi, s.target)) for s in notification.successes],
        "t": lambda key, **values: text(lang, key, **values),
        "date": moment_words(notification.now, lang),
    }
    return Message(subject(notification), _template("notification.txt.j2").render(context), _template("notification.html.j2").render(context))


def subject(notification: Notification) -> str:
    counts = [(kind, len(notification.grouped(kind))) for kind in SECTIONS] + [("met", len(notification.successes))]
    parts = ", ".join(text(notification.lang, f"subject_{kind}_{'one' if count == 1 else 'many'}", count=count) for kind, count in counts if count)
    return text(notification.lang, "subject", parts=parts)


def group(items: Sequence[Pending]) -> dict[tuple[str, str], list[Pending]]:
    """Pending deliveries by (channel, recipient): one message each."""
    grouped: dict[tuple[str, str], list[Pending]] = {}
    for item in items:
        grouped.setdefault((item.channel, item.recipient), []).append(item)
    return grouped


@cache
def _template(name: str) -> jinja2.Template:
    return _environment().get_template(name)


@cache
def _environment() -> jinja2.Environment:
    import jinja2  # only when a message is composed

    return jinja2.Environment(
        loader=jinja2.PackageLoader("kpi_engine.delivery", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )

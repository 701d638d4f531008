"""One message per owner and channel: what is new, what is resolved, most severe first, in their language.

The e-mail channel renders it as HTML (autoescaped jinja2 template) with a plain
text part; the webhook channel sends the same items as JSON.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING

from ..formatting import Language, format_value
from ..model import SEVERITY_RANK, KpiDef
from ..owners import DEFAULT_LANG, Owner
from ..periods import Period
from .lifecycle import NEW, REMINDER, RESOLVED
from .reading import Success
from .store import Pending
from .texts import text

if TYPE_CHECKING:
    import jinja2

SECTIONS = (NEW, RESOLVED, REMINDER)


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

    @property
    def lang(self) -> Language:
        return self.owner.lang if self.owner else DEFAULT_LANG

    def section(self, kind: str) -> list[Pending]:
        """The items of one kind, most severe first, then the latest period, entity and KPI."""
        chosen = [item for item in self.items if item.kind == kind]
        return sorted(chosen, key=_severity_order)

    def label(self, kpi: str) -> str:
        definition = self.kpis.get(kpi)
        return definition.label.get(self.lang, kpi) if definition else kpi

    def shown(self, kpi: str, value: Decimal) -> str:
        """A value as the reader writes it: units, separators and decimals of their language."""
        definition = self.kpis.get(kpi)
        return format_value(value, definition.unit if definition else "", self.lang)


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
        "sections": [(kind, notification.section(kind)) for kind in SECTIONS if notification.section(kind)],
        "label": notification.label,
        "successes": [(notification.label(s.kpi), s.entity, s.period, notification.shown(s.kpi, s.value), notification.shown(s.kpi, s.target))
                      for s in notification.successes],
        "t": lambda key, **values: text(lang, key, **values),
        "date": notification.now.strftime("%d/%m/%Y %H:%M UTC" if lang == "fr" else "%Y-%m-%d %H:%M UTC"),
    }
    return Message(subject(notification), _template("notification.txt.j2").render(context), _template("notification.html.j2").render(context))


def subject(notification: Notification) -> str:
    counts = [(kind, len(notification.section(kind))) for kind in SECTIONS] + [("met", len(notification.successes))]
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

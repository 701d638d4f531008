"""One delivery run: evaluate, remember, announce. The clock, the channels and the store are passed in.

A run has two steps. First, in one store transaction, it compares this
evaluation's alerts with the remembered ones, records the changes and events,
queues a delivery per event and channel, and claims every pending delivery of
its channels (including those an earlier run could not make). Then, outside any
transaction, it sends one notification per channel and owner, retrying a
bounded number of times, and records each outcome: sent, or still pending with
its error. A dry run does the first step in a transaction it rolls back.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..facts import Facts
from ..model import LANGUAGES, Label
from ..owners import Owner
from ..pack import Pack
from .channels import Channel, DeliveryError
from .compose import Message, Notification, compose, group
from .lifecycle import Change, changes
from .reading import covered_periods, observed_alerts
from .store import DEFAULT_LEASE, AlertStore, Pending

PREVIEW = "preview"  # the channel key of a dry run given no channel


@dataclass(frozen=True)
class NotifyOptions:
    repeat_after: timedelta | None = None  # announce alerts still open again after this delay
    dry_run: bool = False
    attempts: int = 3  # tries per notification before it is left pending
    retry_delay: float = 1.0  # seconds before the second try, doubled for each next one
    lease: timedelta = DEFAULT_LEASE


@dataclass(frozen=True)
class Outcome:
    """What became of one notification: delivered, or the error that left it pending."""

    channel: str
    recipient: str
    items: int
    attempts: int
    error: str | None


@dataclass(frozen=True)
class RunReport:
    changes: tuple[Change, ...]
    outcomes: tuple[Outcome, ...]
    previews: tuple[tuple[Notification, Message], ...] = ()
    reminders: int = 0

    @property
    def failed(self) -> tuple[Outcome, ...]:
        return tuple(outcome for outcome in self.outcomes if outcome.error)

    def events(self, kind: str) -> int:
        return sum(1 for change in self.changes if change.event == kind)


def notify(
    pack: Pack,
    facts: Facts,
    store: AlertStore,
    channels: Sequence[Channel],
    now: datetime,
    options: NotifyOptions = NotifyOptions(),
    sources: tuple[str, Sequence[str]] = ("", ()),
) -> RunReport:
    """Evaluate `pack` over `facts`, update `store` and deliver the news to each owner on each channel."""
    evaluations = {lang: pack.evaluate(facts, lang=lang) for lang in LANGUAGES}  # the same alerts, messages in each language
    observed = observed_alerts({lang: evaluation.alerts for lang, evaluation in evaluations.items()})
    covered = covered_periods(evaluations[LANGUAGES[0]].results)
    keys = [channel.key for channel in channels] or ([PREVIEW] if options.dry_run else [])

    def prepare() -> tuple[tuple[Change, ...], int, list[Pending]]:
        run = store.start_run(now, sources[0], sources[1])
        found = changes(observed, store.remembered(), covered, store.covered_before())
        events = store.apply(found, observed, run, now)
        store.record_coverage(covered, run)
        reminders = store.remind(options.repeat_after, run, now) if options.repeat_after is not None else []
        store.queue(events + reminders, keys)
        return tuple(found), len(reminders), (store.claim(keys, run, now, options.lease) if keys else [])

    labels = {name: kpi.label for name, kpi in pack.kpis.items()}
    owners = pack.definitions.owners
    if options.dry_run:
        with store.rehearsal():
            found, reminders, pending = prepare()
        previews = [(n, compose(n)) for n in _notifications(pending, owners, labels, now)]
        return RunReport(found, (), tuple(previews), reminders)
    with store.transaction():
        found, reminders, pending = prepare()
    by_key = {channel.key: channel for channel in channels}
    outcomes = []
    for notification in _notifications(pending, owners, labels, now):
        attempts, error = _deliver(by_key[notification.channel], notification, options)
        store.settle(notification.items, now, error, attempts)
        outcomes.append(Outcome(notification.channel, notification.recipient, len(notification.items), attempts, error))
    return RunReport(found, tuple(outcomes), (), reminders)


def _notifications(pending: Sequence[Pending], owners: Mapping[str, Owner], labels: Mapping[str, Label], now: datetime) -> list[Notification]:
    return [Notification(channel, recipient, owners.get(recipient), tuple(items), now, labels)
            for (channel, recipient), items in sorted(group(pending).items())]


def _deliver(channel: Channel, notification: Notification, options: NotifyOptions) -> tuple[int, str | None]:
    """Send with bounded retries; (attempts made, None or the last error)."""
    error = None
    for attempt in range(1, max(options.attempts, 1) + 1):
        try:
            channel.send(notification)
            return attempt, None
        except DeliveryError as failure:
            error = failure.message
            if attempt < options.attempts:
                time.sleep(options.retry_delay * 2 ** (attempt - 1))
    return max(options.attempts, 1), error

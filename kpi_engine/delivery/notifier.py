"""One delivery run: evaluate, remember, announce. The clock, the channels and the store are passed in.

A run has two steps. First, in one store transaction, it compares this
evaluation's alerts with the remembered ones, records the changes and events,
queues a delivery per event and channel, and claims every pending delivery of
its channels (including those an earlier run could not make), and the targets
met not yet announced when asked to. Then, outside any transaction, it sends
one notification per channel and owner, retrying a bounded number of times,
and records each outcome: sent, or still pending with its error. A dry run
does the first step in a transaction it rolls back.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from ..errors import Worded
from ..facts import Facts
from ..model import KpiDef
from ..owners import Owner
from ..pack import Pack
from ..results import Evaluation
from .channels import Channel, DeliveryError
from .compose import Attachment, Message, Notification, Series, compose, group
from .lifecycle import Change, changes
from .reading import Success, covered_periods, observed_alerts, targets_met
from .store import DEFAULT_LEASE, AlertStore, Filters, Pending

PREVIEW = "preview"  # the channel key of a dry run given no channel


@dataclass(frozen=True)
class NotifyOptions:
    repeat_after: timedelta | None = None  # announce alerts still open again after this delay
    dry_run: bool = False
    attempts: int = 3  # tries per notification before it is left pending
    retry_delay: float = 1.0  # seconds before the second try, doubled for each next one
    lease: timedelta = DEFAULT_LEASE
    targets_met: bool = False  # also tell each owner, once per period, the targets they met
    attach_scorecard: bool = False  # attach each owner's own scorecard to rich messages (e-mail)


@dataclass(frozen=True)
class Outcome:
    """What became of one notification: delivered, or the error that left it pending (worded in any language)."""

    channel: str
    recipient: str
    items: int  # as the message shows them: one per series, and each target met
    attempts: int
    error: Worded | None


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


@dataclass(frozen=True)
class _Claimed:
    """What the first step hands to the second."""

    changes: tuple[Change, ...]
    reminders: int
    pending: list[Pending]
    successes: dict[str, list[Success]]  # channel key -> targets met to announce
    firing: dict[Series, tuple[str, ...]]  # the periods of each series open after this run, for "firing since"


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
    evaluation = pack.evaluate(facts, as_of=now.date())  # the pack's silences are compared with the run's day
    observed = observed_alerts(evaluation.alerts)  # worded in every language: each owner reads their own
    results = evaluation.results
    covered = covered_periods(results)
    successes = targets_met(results) if options.targets_met else []
    keys = [channel.key for channel in channels] or ([PREVIEW] if options.dry_run else [])
    digest_keys = [channel.key for channel in channels if channel.rich] or ([PREVIEW] if options.dry_run else [])

    def prepare() -> _Claimed:
        run = store.start_run(now, sources[0], sources[1])
        found = changes(observed, store.remembered(), covered, store.covered_before())
        events = store.apply(found, observed, run, now)
        store.record_coverage(covered, run)
        reminders = store.remind(options.repeat_after, run, now) if options.repeat_after is not None else []
        store.queue(events + reminders, keys)
        pending = store.claim(keys, run, now, options.lease) if keys else []
        met = {key: store.claim_successes(key, successes, run, now, options.lease) for key in digest_keys} if successes else {}
        return _Claimed(tuple(found), len(reminders), pending, met, _firing(store))

    def notifications(claimed: _Claimed) -> list[Notification]:
        found = _notifications(claimed, pack.definitions.owners, pack.kpis, now)
        rich = {channel.key for channel in channels if channel.rich} | ({PREVIEW} if options.dry_run else set())
        if options.attach_scorecard:
            found = [replace(n, attachments=_scorecard(pack, evaluation, n, now)) if n.channel in rich else n for n in found]
        return found

    if options.dry_run:
        with store.rehearsal():
            claimed = prepare()
        previews = [(n, compose(n)) for n in notifications(claimed)]
        return RunReport(claimed.changes, (), tuple(previews), claimed.reminders)
    with store.transaction():
        claimed = prepare()
    by_key = {channel.key: channel for channel in channels}
    outcomes = []
    for notification in notifications(claimed):
        attempts, error = _deliver(by_key[notification.channel], notification, options)
        if notification.items:
            store.settle(notification.items, now, error.text("en") if error else None, attempts)  # the store keeps the English
        if notification.successes:
            store.settle_successes(notification.channel, notification.successes, now, sent=error is None)
        outcomes.append(Outcome(notification.channel, notification.recipient, notification.size, attempts, error))
    return RunReport(claimed.changes, tuple(outcomes), (), claimed.reminders)


def _notifications(claimed: _Claimed, owners: Mapping[str, Owner], kpis: Mapping[str, KpiDef], now: datetime) -> list[Notification]:
    """One notification per channel and recipient, with their pending alerts and targets met."""
    alerts = group(claimed.pending)
    met: dict[tuple[str, str], list[Success]] = {}
    for channel, successes in claimed.successes.items():
        for success in successes:
            met.setdefault((channel, success.owner), []).append(success)
    return [Notification(channel, recipient, owners.get(recipient), tuple(alerts.get((channel, recipient), ())), now, kpis,
                         tuple(met.get((channel, recipient), ())), firing=claimed.firing)
            for channel, recipient in sorted(set(alerts) | set(met))]


def _firing(store: AlertStore) -> dict[Series, tuple[str, ...]]:
    """The periods of each series with open alerts: a message says since when a condition has lasted."""
    periods: dict[Series, list[str]] = {}
    for alert in store.alerts(Filters(status="open")):
        periods.setdefault(alert.key.series, []).append(alert.key.period)
    return {series: tuple(found) for series, found in periods.items()}


def _scorecard(pack: Pack, evaluation: Evaluation, notification: Notification, now: datetime) -> tuple[Attachment, ...]:
    """The recipient's own scorecard (`kpi report --owner ROLE`) in their language; none for a role no KPI has any more."""
    from ..report.build import (  # charts and templates: only when asked for
        ReportError,
        ReportOptions,
        build_report,
        render,
    )

    options = ReportOptions(lang=notification.lang, owner=notification.recipient, generated=now.date().isoformat())
    try:
        html = render(build_report(evaluation, pack.definitions, options), "html")
    except ReportError:
        return ()
    name = {"fr": "tableau-de-bord", "en": "scorecard"}[notification.lang]
    return (Attachment(f"{name}-{notification.recipient}.html", html),)


def _deliver(channel: Channel, notification: Notification, options: NotifyOptions) -> tuple[int, Worded | None]:
    """Send with bounded retries; (attempts made, None or the last error)."""
    error: Worded | None = None
    for attempt in range(1, max(options.attempts, 1) + 1):
        try:
            channel.send(notification)
            return attempt, None
        except DeliveryError as failure:
            error = failure.cause
            if attempt < options.attempts:
                time.sleep(options.retry_delay * 2 ** (attempt - 1))
    return max(options.attempts, 1), error

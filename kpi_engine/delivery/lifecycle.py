"""The life of an alert from one run to the next: pure rules, no storage, no clock.

Alerts are kept per period, so an alert for March keeps firing in every later
run that still evaluates March. What a reader calls "resolved" is therefore
judged on the series (same KPI, entity and rule): an alert is *open* while it
fires and no later evaluated period of its series is clear. Then, comparing
with what the store remembers:

- open now, not open before: **new**; open before and now: ongoing (no event);
- open before, not now: **resolved**;
- firing now for a period an earlier run had already evaluated without it:
  **restated, appeared** (past figures changed), announced even when a later
  period is already clear;
- no longer firing for its own period, which this run evaluated: **restated,
  vanished**, announced as a resolution.

A period this run does not evaluate (facts cut short, a value left undefined)
changes nothing: absence of evidence never resolves an alert.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..periods import Period
from .reading import AlertKey, Observed

NEW, ONGOING, RESOLVED = "new", "ongoing", "resolved"
STATUSES = (NEW, ONGOING, RESOLVED)
OPEN_STATUSES = (NEW, ONGOING)
APPEARED, VANISHED = "appeared", "vanished"
REMINDER = "reminder"  # an event kind of its own: an open alert announced again (--repeat-after)

Covered = tuple[str, str, str]  # (KPI, entity, period)


@dataclass(frozen=True)
class Remembered:
    """What the store knows of an alert from earlier runs."""

    key: AlertKey
    status: str
    fires: bool  # whether it fired the last time its period was evaluated


@dataclass(frozen=True)
class Change:
    """The new state of one alert, and the event to announce (None: nothing to say)."""

    key: AlertKey
    status: str
    fires: bool
    event: str | None = None  # NEW or RESOLVED
    restated: str | None = None  # APPEARED or VANISHED


def changes(
    observed: Mapping[str, Observed],
    remembered: Mapping[str, Remembered],
    covered: set[Covered],
    covered_before: set[Covered],
) -> list[Change]:
    """The state of every alert this run has something to say about, by the rules above."""
    latest_clear = _latest_clear_periods(observed, remembered, covered)
    found = []
    keys = {fp: o.key for fp, o in observed.items()} | {fp: r.key for fp, r in remembered.items() if fp not in observed}
    for fingerprint, key in sorted(keys.items(), key=lambda item: item[1]):
        fires = fingerprint in observed
        if not fires and (key.kpi, key.entity, key.period) not in covered:
            continue
        clear = latest_clear.get(key.series)
        is_open = fires and not (clear is not None and clear.sort_key() > Period.parse(key.period).sort_key())
        found.append(_change(key, fires, is_open, remembered.get(fingerprint), (key.kpi, key.entity, key.period) in covered_before))
    return found


def _change(key: AlertKey, fires: bool, is_open: bool, before: Remembered | None, period_known: bool) -> Change:
    was_open = before is not None and before.status in OPEN_STATUSES
    fired_before = before is not None and before.fires
    restated = APPEARED if fires and not fired_before and period_known else VANISHED if fired_before and not fires else None
    status = (ONGOING if was_open else NEW) if is_open else RESOLVED
    if is_open != was_open:
        event: str | None = NEW if is_open else RESOLVED
    else:
        event = {APPEARED: NEW, VANISHED: RESOLVED}.get(restated or "")
    return Change(key, status, fires, event, restated)


def _latest_clear_periods(
    observed: Mapping[str, Observed], remembered: Mapping[str, Remembered], covered: Iterable[Covered]
) -> dict[tuple[str, str, str], Period]:
    """Per series, the latest period evaluated this run where its rule did not fire."""
    periods: dict[tuple[str, str], list[str]] = defaultdict(list)
    for kpi, entity, period in covered:
        periods[(kpi, entity)].append(period)
    series = {o.key.series for o in observed.values()} | {r.key.series for r in remembered.values()}
    latest: dict[tuple[str, str, str], Period] = {}
    for kpi, entity, rule in series:
        clear = [Period.parse(p) for p in periods.get((kpi, entity), ()) if AlertKey(kpi, entity, p, rule).fingerprint not in observed]
        if clear:
            latest[(kpi, entity, rule)] = max(clear, key=Period.sort_key)
    return latest

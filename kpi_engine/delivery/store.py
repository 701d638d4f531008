"""The memory of alerts: one SQLite file (standard library `sqlite3`), safe for concurrent runs.

Schema (version 1, in `PRAGMA user_version`; the file is marked with
`PRAGMA application_id`, so a foreign database is recognised, never reset):

- `runs`: one row per run (when, pack, facts);
- `alerts`: one row per fingerprint: KPI, entity, period, rule, severity, owner,
  value, message per language, status (new/ongoing/resolved), whether it fires,
  restatement (appeared/vanished), first and last seen, resolved at;
- `evaluated`: every (KPI, entity, period) a run evaluated, to tell a restatement
  of a past period from a new period;
- `events`: what was announced about an alert (new, resolved, reminder) and when:
  the history;
- `deliveries`: one row per event, channel and recipient: pending or sent, the
  attempts, the last error, and the run holding it while it sends;
- `acks`: who acknowledged an alert, when, with what note and corrective action;
- `celebrations`: the targets met announced to each recipient on each channel
  (once per KPI, entity and period), claimed while sending like deliveries.

Every change happens in a `BEGIN IMMEDIATE` transaction (one writer at a time,
readers never blocked thanks to WAL), and a second run waits for the first
(`busy_timeout`) instead of failing. A delivery is claimed by a run before it is
sent, so two runs never send the same thing, and a claim left by a run that
died expires after `lease`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Self

from ..errors import WordedError
from ..reasons import Reason
from .lifecycle import OPEN_STATUSES, REMINDER, Change, Covered, Remembered
from .reading import AlertKey, Observed, Success

SCHEMA_VERSION = 1
APPLICATION_ID = 0x4B504953  # "KPIS": marks the file as a kpi-engine alert store
DEFAULT_LEASE = timedelta(hours=1)

_SCHEMA = """
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    pack TEXT NOT NULL,
    facts TEXT NOT NULL
);
CREATE TABLE alerts (
    fingerprint TEXT PRIMARY KEY,
    kpi TEXT NOT NULL,
    entity TEXT NOT NULL,
    period TEXT NOT NULL,
    rule TEXT NOT NULL,
    severity TEXT NOT NULL,
    owner TEXT NOT NULL,
    value TEXT,
    message_fr TEXT NOT NULL,
    message_en TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('new', 'ongoing', 'resolved')),
    fires INTEGER NOT NULL CHECK (fires IN (0, 1)),
    restated TEXT CHECK (restated IN ('appeared', 'vanished')),
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    resolved_at TEXT
);
CREATE INDEX alerts_by_owner ON alerts (owner, status);
CREATE TABLE evaluated (
    kpi TEXT NOT NULL,
    entity TEXT NOT NULL,
    period TEXT NOT NULL,
    run INTEGER NOT NULL REFERENCES runs (id),
    PRIMARY KEY (kpi, entity, period)
) WITHOUT ROWID;
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    fingerprint TEXT NOT NULL REFERENCES alerts (fingerprint),
    run INTEGER NOT NULL REFERENCES runs (id),
    kind TEXT NOT NULL CHECK (kind IN ('new', 'resolved', 'reminder')),
    restated TEXT CHECK (restated IN ('appeared', 'vanished')),
    at TEXT NOT NULL
);
CREATE INDEX events_by_alert ON events (fingerprint, at);
CREATE TABLE deliveries (
    event INTEGER NOT NULL REFERENCES events (id),
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    sent_at TEXT,
    claimed_by INTEGER REFERENCES runs (id),
    claimed_at TEXT,
    PRIMARY KEY (event, channel, recipient)
);
CREATE INDEX deliveries_pending ON deliveries (status, channel);
CREATE TABLE celebrations (
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    kpi TEXT NOT NULL,
    entity TEXT NOT NULL,
    period TEXT NOT NULL,
    sent_at TEXT,
    claimed_by INTEGER REFERENCES runs (id),
    claimed_at TEXT,
    PRIMARY KEY (channel, recipient, kpi, entity, period)
) WITHOUT ROWID;
CREATE TABLE acks (
    id INTEGER PRIMARY KEY,
    fingerprint TEXT NOT NULL REFERENCES alerts (fingerprint),
    by TEXT NOT NULL,
    at TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    action TEXT NOT NULL DEFAULT ''
);
"""


class StoreError(WordedError):
    """The store cannot be used: a foreign or damaged file, a newer schema, a lock held too long."""


def timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC with a `Z`, as Alertmanager writes them; text order is time order."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Ack:
    by: str
    at: str
    note: str
    action: str


@dataclass(frozen=True)
class StoredAlert:
    """An alert as the store remembers it, for `kpi alerts` and for messages."""

    fingerprint: str
    key: AlertKey
    severity: str
    owner: str
    value: str | None
    messages: Mapping[str, str]
    status: str
    fires: bool
    restated: str | None
    first_seen: str
    last_seen: str
    resolved_at: str | None
    acks: tuple[Ack, ...] = ()


@dataclass(frozen=True)
class Pending:
    """One delivery to make: an event about an alert, for one channel and recipient."""

    event: int
    kind: str
    restated: str | None
    at: str
    channel: str
    recipient: str
    alert: StoredAlert


@dataclass(frozen=True)
class HistoryEntry:
    """An event and what became of its deliveries."""

    event: int
    at: str
    kind: str
    restated: str | None
    alert: StoredAlert
    deliveries: tuple[tuple[str, str, str, int, str | None], ...]  # channel, recipient, status, attempts, last error


@dataclass(frozen=True)
class Filters:
    """What `kpi alerts` lists; None means any."""

    owner: str | None = None
    kpi: str | None = None
    entity: str | None = None
    status: str | None = None  # new, ongoing, resolved, or "open" for new and ongoing


_ALERT_COLUMNS = ("fingerprint, kpi, entity, period, rule, severity, owner, value, message_fr, message_en, "
                  "status, fires, restated, first_seen, last_seen, resolved_at")


class AlertStore:
    """An open store; use `AlertStore.open(path)` and close it (or use it as a context manager)."""

    def __init__(self, connection: sqlite3.Connection, name: str) -> None:
        self._db = connection
        self.name = name

    @classmethod
    def open(cls, path: str | Path, busy_timeout: float = 30.0) -> AlertStore:
        """The store at `path`, created when the file is absent or empty; StoreError otherwise when unusable."""
        path = Path(path)
        if not path.parent.exists():
            raise StoreError(Reason.of("store_no_folder", path=path, folder=path.parent))
        try:
            connection = sqlite3.connect(path, timeout=busy_timeout, isolation_level=None)
        except sqlite3.Error as error:
            raise StoreError(Reason.of("store_cannot_open", path=path, detail=str(error))) from None
        store = cls(connection, str(path))
        try:
            with store._guard():
                store._prepare()
        except StoreError:
            connection.close()
            raise
        return store

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- opening ---------------------------------------------------------------------
    def _prepare(self) -> None:
        self._db.execute("PRAGMA foreign_keys = ON")
        application, version = int(self._scalar("PRAGMA application_id")), int(self._scalar("PRAGMA user_version"))
        tables = int(self._scalar("SELECT count(*) FROM sqlite_master"))
        if application != APPLICATION_ID and (tables or application or version):
            raise StoreError(Reason.of("store_foreign", path=self.name))
        if application == APPLICATION_ID and version > SCHEMA_VERSION:
            raise StoreError(Reason.of("store_newer", path=self.name, version=version, supported=SCHEMA_VERSION))
        if self._scalar("PRAGMA quick_check") != "ok":
            raise StoreError(Reason.of("store_check_failed", path=self.name))
        self._db.execute("PRAGMA journal_mode = WAL")
        with self.transaction():
            if self._scalar("PRAGMA user_version") == 0:  # a new file; another run may have created it meanwhile
                for statement in filter(str.strip, _SCHEMA.split(";")):  # not executescript: it would commit
                    self._db.execute(statement)
                self._db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _scalar(self, sql: str) -> Any:
        row = self._db.execute(sql).fetchone()
        return row[0] if row else None

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """SQLite errors as StoreError: a damaged file, a lock held longer than the busy timeout."""
        try:
            yield
        except sqlite3.OperationalError as error:
            if "locked" in str(error) or "busy" in str(error):
                raise StoreError(Reason.of("store_busy", path=self.name, detail=str(error))) from None
            raise StoreError(Reason.of("store_unusable", path=self.name, detail=str(error))) from None
        except sqlite3.DatabaseError as error:
            if "malformed" in str(error):
                raise StoreError(Reason.of("store_damaged", path=self.name, detail=str(error))) from None
            raise StoreError(Reason.of("store_not_ours", path=self.name, detail=str(error))) from None

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One writer at a time: `BEGIN IMMEDIATE`, committed at the end, rolled back on any error."""
        with self._guard():
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    @contextmanager
    def rehearsal(self) -> Iterator[None]:
        """A transaction that is always rolled back: `--dry-run` runs every step and keeps nothing."""
        with self._guard():
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
            finally:
                self._db.execute("ROLLBACK")

    # --- a run -----------------------------------------------------------------------
    def start_run(self, now: datetime, pack: str, facts: Iterable[str]) -> int:
        cursor = self._db.execute("INSERT INTO runs (at, pack, facts) VALUES (?, ?, ?)", (timestamp(now), pack, "\n".join(facts)))
        return int(cursor.lastrowid or 0)

    def remembered(self) -> dict[str, Remembered]:
        rows = self._db.execute("SELECT fingerprint, kpi, entity, period, rule, status, fires FROM alerts")
        return {fp: Remembered(AlertKey(kpi, entity, period, rule), status, bool(fires)) for fp, kpi, entity, period, rule, status, fires in rows}

    def covered_before(self) -> set[Covered]:
        return {(kpi, entity, period) for kpi, entity, period in self._db.execute("SELECT kpi, entity, period FROM evaluated")}

    def record_coverage(self, covered: Iterable[Covered], run: int) -> None:
        self._db.executemany("INSERT OR IGNORE INTO evaluated (kpi, entity, period, run) VALUES (?, ?, ?, ?)", ((*c, run) for c in covered))

    def apply(self, found: Iterable[Change], observed: Mapping[str, Observed], run: int, now: datetime) -> list[int]:
        """Write each change; returns the ids of the events it creates."""
        at, events = timestamp(now), []
        for change in found:
            fingerprint = change.key.fingerprint
            seen = observed.get(fingerprint)
            if seen is not None:
                self._upsert(change, seen, at)
            else:
                self._db.execute("UPDATE alerts SET status = ?, fires = 0, restated = coalesce(?, restated), "
                                 "resolved_at = coalesce(resolved_at, ?) WHERE fingerprint = ?",
                                 (change.status, change.restated, at, fingerprint))
            if change.event:
                events.append(self._event(fingerprint, run, change.event, change.restated, at))
        return events

    def _upsert(self, change: Change, seen: Observed, at: str) -> None:
        key, resolved_at = change.key, (at if change.status not in OPEN_STATUSES else None)
        value = None if seen.value is None else str(seen.value)
        self._db.execute(
            f"INSERT INTO alerts ({_ALERT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?) "
            "ON CONFLICT (fingerprint) DO UPDATE SET severity = excluded.severity, owner = excluded.owner, value = excluded.value, "
            "message_fr = excluded.message_fr, message_en = excluded.message_en, status = excluded.status, fires = 1, "
            "restated = coalesce(excluded.restated, alerts.restated), last_seen = excluded.last_seen, "
            "resolved_at = CASE WHEN excluded.status = 'resolved' THEN coalesce(alerts.resolved_at, excluded.resolved_at) END",
            (key.fingerprint, key.kpi, key.entity, key.period, key.rule, seen.severity, seen.owner, value,
             seen.messages.get("fr", ""), seen.messages.get("en", ""), change.status, change.restated, at, at, resolved_at),
        )

    def _event(self, fingerprint: str, run: int, kind: str, restated: str | None, at: str) -> int:
        cursor = self._db.execute("INSERT INTO events (fingerprint, run, kind, restated, at) VALUES (?, ?, ?, ?, ?)",
                                  (fingerprint, run, kind, restated, at))
        return int(cursor.lastrowid or 0)

    def remind(self, repeat_after: timedelta, run: int, now: datetime) -> list[int]:
        """A reminder event for each open alert whose last event is older than `repeat_after` and
        has nothing left to deliver."""
        due = timestamp(now - repeat_after)
        rows = self._db.execute(
            "SELECT a.fingerprint FROM alerts a WHERE a.status IN ('new', 'ongoing') "
            "AND (SELECT max(e.at) FROM events e WHERE e.fingerprint = a.fingerprint) <= ? "
            "AND NOT EXISTS (SELECT 1 FROM events e JOIN deliveries d ON d.event = e.id "
            "WHERE e.fingerprint = a.fingerprint AND d.status = 'pending') ORDER BY a.fingerprint",
            (due,),
        ).fetchall()
        return [self._event(fp, run, REMINDER, None, timestamp(now)) for (fp,) in rows]

    def queue(self, events: Iterable[int], channels: Iterable[str]) -> None:
        """A pending delivery of each event on each channel, to the alert's owner."""
        rows = [(event, channel) for event in events for channel in channels]
        self._db.executemany(
            "INSERT OR IGNORE INTO deliveries (event, channel, recipient, status) "
            "SELECT e.id, ?, a.owner, 'pending' FROM events e JOIN alerts a ON a.fingerprint = e.fingerprint WHERE e.id = ?",
            ((channel, event) for event, channel in rows),
        )

    def claim(self, channels: Sequence[str], run: int, now: datetime, lease: timedelta = DEFAULT_LEASE) -> list[Pending]:
        """Take the pending deliveries of these channels that no live run holds, and return them."""
        marks = ", ".join("?" * len(channels))
        self._db.execute(
            f"UPDATE deliveries SET claimed_by = ?, claimed_at = ? WHERE status = 'pending' AND channel IN ({marks}) "
            "AND (claimed_by IS NULL OR claimed_at <= ?)",
            (run, timestamp(now), *channels, timestamp(now - lease)),
        )
        rows = self._db.execute(
            f"SELECT d.event, e.kind, e.restated, e.at, d.channel, d.recipient, {_prefixed('a')} FROM deliveries d "
            "JOIN events e ON e.id = d.event JOIN alerts a ON a.fingerprint = e.fingerprint "
            "WHERE d.status = 'pending' AND d.claimed_by = ? ORDER BY d.event",
            (run,),
        ).fetchall()
        return [Pending(row[0], row[1], row[2], row[3], row[4], row[5], self._alert(row[6:])) for row in rows]

    def settle(self, deliveries: Iterable[Pending], now: datetime, error: str | None, attempts: int = 1) -> None:
        """Record the outcome of `attempts` tries: sent (error None) or still pending with the error; the claim is released."""
        sent = error is None
        with self.transaction():
            self._db.executemany(
                "UPDATE deliveries SET status = ?, attempts = attempts + ?, last_error = ?, sent_at = ?, claimed_by = NULL, claimed_at = NULL "
                "WHERE event = ? AND channel = ? AND recipient = ?",
                (("sent" if sent else "pending", attempts, error, timestamp(now) if sent else None, d.event, d.channel, d.recipient) for d in deliveries),
            )

    def claim_successes(self, channel: str, successes: Iterable[Success], run: int, now: datetime, lease: timedelta = DEFAULT_LEASE) -> list[Success]:
        """The successes not yet announced on `channel` to their owner, claimed by this run."""
        at, stale = timestamp(now), timestamp(now - lease)
        claimed = []
        for success in successes:
            row = (channel, success.owner, success.kpi, success.entity, success.period)
            self._db.execute("INSERT OR IGNORE INTO celebrations (channel, recipient, kpi, entity, period) VALUES (?, ?, ?, ?, ?)", row)
            cursor = self._db.execute(
                "UPDATE celebrations SET claimed_by = ?, claimed_at = ? WHERE channel = ? AND recipient = ? AND kpi = ? AND entity = ? "
                "AND period = ? AND sent_at IS NULL AND (claimed_by IS NULL OR claimed_at <= ?)", (run, at, *row, stale))
            if cursor.rowcount:
                claimed.append(success)
        return claimed

    def settle_successes(self, channel: str, successes: Iterable[Success], now: datetime, sent: bool) -> None:
        """Announced: remembered as sent. Not: released, for the next run to announce."""
        with self.transaction():
            self._db.executemany(
                "UPDATE celebrations SET sent_at = ?, claimed_by = NULL, claimed_at = NULL "
                "WHERE channel = ? AND recipient = ? AND kpi = ? AND entity = ? AND period = ?",
                ((timestamp(now) if sent else None, channel, s.owner, s.kpi, s.entity, s.period) for s in successes),
            )

    # --- reading and acknowledging -------------------------------------------------------
    def alerts(self, filters: Filters = Filters()) -> list[StoredAlert]:
        where, parameters = _where(filters)
        with self._guard():
            rows = self._db.execute(f"SELECT {_ALERT_COLUMNS} FROM alerts{where}", parameters).fetchall()
            return [self._alert(row) for row in rows]

    def history(self, filters: Filters = Filters()) -> list[HistoryEntry]:
        where, parameters = _where(filters, "a.")
        with self._guard():
            rows = self._db.execute(f"SELECT e.id, e.at, e.kind, e.restated, {_prefixed('a')} FROM events e "
                                    f"JOIN alerts a ON a.fingerprint = e.fingerprint{where} ORDER BY e.id", parameters).fetchall()
            return [HistoryEntry(row[0], row[1], row[2], row[3], self._alert(row[4:]), self._deliveries(row[0])) for row in rows]

    def acknowledge(self, fingerprint: str, by: str, now: datetime, note: str = "", action: str = "") -> StoredAlert:
        """Record who looked at an alert (a unique prefix of its fingerprint is enough), with a note and action."""
        with self.transaction():
            matches = [row[0] for row in self._db.execute("SELECT fingerprint FROM alerts WHERE fingerprint LIKE ? || '%'", (fingerprint,))]
            if len(matches) != 1:
                found = Reason.of("alerts_fingerprint", path=self.name, count=len(matches), fingerprint=fingerprint)
                raise StoreError(found if matches else Reason.of("no_alert_fingerprint", path=self.name, fingerprint=fingerprint))
            self._db.execute("INSERT INTO acks (fingerprint, by, at, note, action) VALUES (?, ?, ?, ?, ?)",
                             (matches[0], by, timestamp(now), note, action))
            row = self._db.execute(f"SELECT {_ALERT_COLUMNS} FROM alerts WHERE fingerprint = ?", (matches[0],)).fetchone()
            return self._alert(row)

    def _alert(self, row: Sequence[Any]) -> StoredAlert:
        acks = tuple(Ack(*ack) for ack in self._db.execute("SELECT by, at, note, action FROM acks WHERE fingerprint = ? ORDER BY id", (row[0],)))
        return StoredAlert(row[0], AlertKey(row[1], row[2], row[3], row[4]), row[5], row[6], row[7], {"fr": row[8], "en": row[9]},
                           row[10], bool(row[11]), row[12], row[13], row[14], row[15], acks)

    def _deliveries(self, event: int) -> tuple[tuple[str, str, str, int, str | None], ...]:
        rows = self._db.execute("SELECT channel, recipient, status, attempts, last_error FROM deliveries WHERE event = ? ORDER BY channel, recipient", (event,))
        return tuple((channel, recipient, status, attempts, error) for channel, recipient, status, attempts, error in rows)


def _prefixed(alias: str) -> str:
    return ", ".join(f"{alias}.{column.strip()}" for column in _ALERT_COLUMNS.split(","))


def _where(filters: Filters, prefix: str = "") -> tuple[str, list[str]]:
    clauses, parameters = [], []
    for column in ("owner", "kpi", "entity"):
        value = getattr(filters, column)
        if value is not None:
            clauses.append(f"{prefix}{column} = ?")
            parameters.append(value)
    if filters.status == "open":
        clauses.append(f"{prefix}status IN ('new', 'ongoing')")
    elif filters.status is not None:
        clauses.append(f"{prefix}status = ?")
        parameters.append(filters.status)
    order = f" ORDER BY {prefix}owner, {prefix}kpi, {prefix}entity, {prefix}period" if not prefix else ""
    return (" WHERE " + " AND ".join(clauses) if clauses else "") + order, parameters

"""The pack, the facts and the alert store as they are on disk now: what every page reads.

"Always current" without a background thread: on a request, at most once per
`poll_seconds`, the size and modification time of every pack file and facts
file are compared with those of the last load. When one changed, the pack and
facts are loaded again, evaluated once, and (with an alert store) the
evaluation is recorded in the store as a run that sends nothing, so alerts
turn new, ongoing or resolved exactly as `kpi notify` would decide. A pack or
facts file that no longer loads keeps the last good snapshot in service and
shows its problems, located as the CLI prints them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..delivery.notifier import notify
from ..delivery.store import AlertStore
from ..errors import KpiError, Problem
from ..facts import Facts, load_facts
from ..loader import definition_files, load_pack
from ..pack import Pack
from ..results import Evaluation

Signature = tuple[tuple[str, int, int], ...]  # (path, size, mtime in ns) of every file read


@dataclass(frozen=True)
class Snapshot:
    """One consistent version of the pack, facts and their evaluation (immutable, shared by every request)."""

    pack: Pack
    facts: Facts
    evaluation: Evaluation
    signature: Signature
    loaded_at: datetime


class Space:
    """The files a server was started on, and the last snapshot that loaded from them."""

    def __init__(self, pack: Path, facts: Sequence[Path], state: Path | None, clock: Callable[[], datetime], poll_seconds: float = 2.0) -> None:
        self.pack_path, self.facts_paths, self.state_path = pack, tuple(facts), state
        self._clock = clock
        self._poll = poll_seconds
        self._lock = threading.Lock()
        self._checked: datetime | None = None
        self.problems: tuple[Problem, ...] = ()
        self._failed: Signature = ()
        loaded = self._load(self._signature())
        if isinstance(loaded, tuple):
            raise KpiError(loaded)
        self.snapshot = loaded

    def current(self) -> Snapshot:
        """The latest snapshot, reloaded first when a file changed (checked at most once per poll interval)."""
        with self._lock:
            now = self._clock()
            if self._checked is None or (now - self._checked).total_seconds() >= self._poll:
                self._checked = now
                signature = self._signature()
                if signature == self.snapshot.signature:
                    self.problems = ()  # the files are back as they were at the last good load
                elif signature != self._failed:  # a version that failed is not loaded again until it changes
                    loaded = self._load(signature)
                    if isinstance(loaded, tuple):
                        self.problems, self._failed = loaded, signature
                    else:
                        self.snapshot, self.problems, self._failed = loaded, (), ()
            return self.snapshot

    @contextmanager
    def store(self) -> Iterator[AlertStore | None]:
        """The alert store opened for this request (SQLite connections belong to one thread), or None without one."""
        if self.state_path is None:
            yield None
            return
        store = AlertStore.open(self.state_path)
        try:
            yield store
        finally:
            store.close()

    def _signature(self) -> Signature:
        files = [*definition_files(self.pack_path), *self.facts_paths]
        stats = []
        for file in files:
            try:
                stat = file.stat()
            except OSError:
                stats.append((str(file), -1, -1))
            else:
                stats.append((str(file), stat.st_size, stat.st_mtime_ns))
        return tuple(stats)

    def _load(self, signature: Signature) -> Snapshot | tuple[Problem, ...]:
        try:
            pack = load_pack(self.pack_path)
            facts = load_facts(self.facts_paths, pack)
        except KpiError as error:
            return error.problems
        now = self._clock()
        evaluation = pack.evaluate(facts, lang="fr", as_of=now.date())
        with self.store() as store:
            if store is not None:
                notify(pack, facts, store, (), now, sources=(str(self.pack_path), [str(p) for p in self.facts_paths]))
        return Snapshot(pack, facts, evaluation, signature, now)

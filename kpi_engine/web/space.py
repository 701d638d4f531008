"""The pack, the facts and the alert store as they are on disk now: what every page reads.

The pack's files and the facts files are watched (`watch.Watched`): when one
changed, the pack and facts are loaded again, evaluated once, and (with an
alert store) the evaluation is recorded in the store as a run that sends
nothing, so alerts turn new, ongoing or resolved exactly as `kpi notify` would
decide. A pack or facts file that no longer loads keeps the last good snapshot
in service and shows its problems, located as the CLI prints them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..comparisons import scorecard_compare
from ..delivery.notifier import notify
from ..delivery.store import AlertStore
from ..errors import KpiError, Problem
from ..facts import Facts, load_facts
from ..loader import definition_files, load_pack
from ..pack import Pack
from ..results import Evaluation
from .watch import Watched


@dataclass(frozen=True)
class Snapshot:
    """One consistent version of the pack, facts and their evaluation (immutable, shared by every request)."""

    pack: Pack
    facts: Facts
    evaluation: Evaluation
    loaded_at: datetime


class Space:
    """The files a server was started on, and the last snapshot that loaded from them."""

    def __init__(self, pack: Path, facts: Sequence[Path], state: Path | None, clock: Callable[[], datetime], poll_seconds: float = 2.0) -> None:
        self.pack_path, self.facts_paths, self.state_path = pack, tuple(facts), state
        self._clock = clock
        self._watched = Watched(lambda: [*definition_files(pack), *self.facts_paths], self._load, clock, poll_seconds)

    def current(self) -> Snapshot:
        """The latest snapshot, reloaded first when a file changed (checked at most once per poll interval)."""
        return self._watched.current()

    @property
    def snapshot(self) -> Snapshot:
        """The snapshot in service, without looking at the files."""
        return self._watched.value

    @property
    def problems(self) -> tuple[Problem, ...]:
        """Why the files as they are now do not load (empty when the snapshot is theirs)."""
        return self._watched.problems

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

    def _load(self) -> Snapshot | tuple[Problem, ...]:
        try:
            pack = load_pack(self.pack_path)
            facts = load_facts(self.facts_paths, pack)
        except KpiError as error:
            return error.problems
        now = self._clock()
        evaluation = pack.evaluate(facts, lang="fr", as_of=now.date(), compare=scorecard_compare(facts.scenarios))
        with self.store() as store:
            if store is not None:
                notify(pack, facts, store, (), now, sources=(str(self.pack_path), [str(p) for p in self.facts_paths]))
        return Snapshot(pack, facts, evaluation, now)

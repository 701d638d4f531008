"""What some files on disk give, kept current: the one reload mechanism of `kpi serve` (pack and facts, users file).

"Always current" without a background thread: when the value is asked for,
at most once per `poll_seconds`, the size and modification time of every file
are compared with those of the last load. When one changed, the files are
loaded again. A version that does not load keeps the last good value in
service and exposes its problems, located; that version is not loaded again
until the files change once more, and the problems go away when the files
are fixed or put back as they were.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Generic, TypeVar

from ..errors import KpiError, Problem

Signature = tuple[tuple[str, int, int], ...]  # (path, size, mtime in ns) of every file read
Value = TypeVar("Value")


def signature(files: Sequence[Path]) -> Signature:
    """The size and modification time of each file; (-1, -1) for one that cannot be read, which is a change too."""
    stats = []
    for file in files:
        try:
            stat = file.stat()
        except OSError:
            stats.append((str(file), -1, -1))
        else:
            stats.append((str(file), stat.st_size, stat.st_mtime_ns))
    return tuple(stats)


class Watched(Generic[Value]):
    """The value `load` makes of `files()` (a list asked again at each check, so a file added to a pack folder counts),
    or the problems why it cannot; KpiError with them when the first load fails."""

    def __init__(self, files: Callable[[], Sequence[Path]], load: Callable[[], Value | tuple[Problem, ...]],
                 clock: Callable[[], datetime], poll_seconds: float) -> None:
        self.files, self._load, self._clock, self._poll = files, load, clock, poll_seconds
        self._lock = threading.Lock()
        self._checked: datetime | None = None
        self._failed: Signature = ()
        self.problems: tuple[Problem, ...] = ()
        self._signature = signature(files())
        loaded = load()
        if isinstance(loaded, tuple):
            raise KpiError(loaded)
        self.value: Value = loaded

    def current(self) -> Value:
        """The latest value, reloaded first when a file changed since the last check."""
        with self._lock:
            now = self._clock()
            if self._checked is None or (now - self._checked).total_seconds() >= self._poll:
                self._checked = now
                self._refresh(signature(self.files()))
            return self.value

    def _refresh(self, now_on_disk: Signature) -> None:
        if now_on_disk == self._signature:
            self.problems = ()  # the files are back as they were at the last good load
        elif now_on_disk != self._failed:  # a version that failed is not loaded again until it changes
            loaded = self._load()
            if isinstance(loaded, tuple):
                self.problems, self._failed = loaded, now_on_disk
            else:
                self.value, self.problems, self._failed, self._signature = loaded, (), (), now_on_disk

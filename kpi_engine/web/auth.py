"""Who is asking: the session, its CSRF token, and the login rate limit.

Sessions are Starlette's `SessionMiddleware`: the session is a cookie signed
with itsdangerous (HttpOnly, SameSite=Lax), so the server keeps no session
table. Every form carries the session's CSRF token and every POST is refused
without it (403). Logins are limited per login name and per client address:
after `attempts` failures within `window` seconds, that name or address is
refused until the window has passed, whatever the password. The table of
failures is bounded (`max_keys`, oldest forgotten first) so a flood of names
cannot fill the memory. Time is passed in, so tests need no sleep.
"""

from __future__ import annotations

import hmac
import secrets
import threading
from collections import OrderedDict, deque
from dataclasses import dataclass, field

from starlette.requests import Request

CSRF_FIELD = "csrf_token"


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use."""
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


def csrf_valid(request: Request, submitted: object) -> bool:
    expected = request.session.get("csrf")
    return isinstance(expected, str) and isinstance(submitted, str) and hmac.compare_digest(expected, submitted)


def start_session(request: Request, login: str, key: str) -> None:
    """A fresh session for `login`: nothing of the session before the login survives (no fixation), a new CSRF token;
    `key` ties it to the user's password as it is now (`User.session_key`)."""
    lang = request.session.get("lang")
    request.session.clear()
    request.session["user"] = login
    request.session["key"] = key
    request.session["csrf"] = secrets.token_urlsafe(32)
    if lang:
        request.session["lang"] = lang


@dataclass
class LoginLimiter:
    """At most `attempts` failed logins per key within `window` seconds; keys are login names and client addresses."""

    attempts: int = 5
    window: float = 300.0
    max_keys: int = 10_000
    _failures: OrderedDict[str, deque[float]] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def blocked(self, keys: tuple[str, ...], now: float) -> bool:
        with self._lock:
            return any(key in self._failures and len(self._recent(key, now)) >= self.attempts for key in keys)

    def failed(self, keys: tuple[str, ...], now: float) -> None:
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)
                self._failures.move_to_end(key)
            while len(self._failures) > self.max_keys:
                self._failures.popitem(last=False)

    def succeeded(self, keys: tuple[str, ...]) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.setdefault(key, deque(maxlen=self.attempts))
        while times and now - times[0] >= self.window:
            times.popleft()
        return times

"""What the web tests share: a space on a copy of the test pack and facts, a users file of four people, logging in."""

from __future__ import annotations

import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.types import ASGIApp

from kpi_engine.web.app import Web, create_app
from kpi_engine.web.space import Space
from kpi_engine.web.users import User, add_user, hash_password, watched_users
from kpi_engine.web.watch import Watched

DATA = Path(__file__).parent / "data" / "web"
PASSWORD = "correct horse battery"  # noqa: S105 - the test users' password, known to the tests only
_HASH = hash_password(PASSWORD)
USERS = {
    "claire": User("claire", "Claire Martin", _HASH, "daf"),
    "lea": User("lea", "Léa Moreau", _HASH, "owner", owner_roles=("commercial",), entities=("paris",)),
    "marc": User("marc", "Marc Durand", _HASH, "viewer", audiences=("direction",)),
    "sophie": User("sophie", "Sophie Bernard", _HASH, "owner", owner_roles=("commercial", "daf"), entities=("paris",), lang="fr"),
}


@dataclass
class Clock:
    """Time passed in: the tests move it forward instead of sleeping."""

    now: datetime = field(default_factory=lambda: datetime(2025, 4, 2, 9, 0, tzinfo=UTC))
    seconds: float = 0.0

    def __call__(self) -> datetime:
        return self.now

    def monotonic(self) -> float:
        return self.seconds

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)
        self.seconds += seconds


def copy_data(folder: Path) -> tuple[Path, Path]:
    """The test pack and facts copied into `folder`, so a test can change them."""
    folder.mkdir(parents=True, exist_ok=True)
    pack, facts = folder / "pack.yaml", folder / "facts.csv"
    shutil.copyfile(DATA / "pack.yaml", pack)
    shutil.copyfile(DATA / "facts.csv", facts)
    return pack, facts


def serve(app: ASGIApp) -> Iterator[str]:
    """`app` served by uvicorn on a free port of 127.0.0.1, in a thread (trusting 127.0.0.1's X-Forwarded-* headers,
    as `kpi serve` does by default); its base URL."""
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    port = listening.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listening]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the server did not start in time"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=15)
    listening.close()


def users_file(folder: Path, users: Mapping[str, User], clock: Clock) -> Watched[Mapping[str, User]]:
    """`users` written as a users file in `folder` (users.yaml), watched as `kpi serve` watches it."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "users.yaml"
    for user in users.values():
        add_user(path, user)
    return watched_users(path, clock, poll_seconds=1.0)


def make_app(folder: Path, clock: Clock, state: bool = True) -> tuple[Starlette, Web]:
    pack, facts = copy_data(folder)
    space = Space(pack, [facts], folder / "alerts.db" if state else None, clock, poll_seconds=1.0)
    web = Web(space, users_file(folder, USERS, clock), clock, clock.monotonic)
    return create_app(web, secret_key="test secret"), web  # noqa: S106 - signs the test sessions only


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)

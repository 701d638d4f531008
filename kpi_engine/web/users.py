"""The users file: who may log in to `kpi serve`, with which role and rights.

```yaml
claire:
  name: Claire Martin
  password_hash: $argon2id$v=19$...       # written by `kpi users add`, never typed
  role: daf                              # admin | daf | owner | viewer
  owner_roles: [daf]                     # the KPI owner roles this person answers for
  audiences: [daf]                       # the pack's audiences they read
  entities: []                           # the entities they read; empty means every entity
  lang: fr                               # optional: fr or en, else the browser's language
```

The file is read with the engine's safe YAML loader; every problem is located
(`FILE:LINE:COL: message`) and reported at once. Passwords are hashed with
argon2id (argon2-cffi), the winner of the Password Hashing Competition. A
running server watches the file (`watched_users`): a person added, removed or
given another role counts from their next request, and a session ends when its
user leaves the file or their password changes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, get_args

import yaml
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..errors import KpiError, Location, Problem
from ..formatting import Language
from ..yamlsource import load_document
from .watch import Watched

Role = Literal["admin", "daf", "owner", "viewer"]
ROLES: tuple[Role, ...] = get_args(Role)
SEES_EVERYTHING: frozenset[Role] = frozenset({"admin", "daf"})
_LIST_FIELDS = ("owner_roles", "audiences", "entities")
_HASHER = PasswordHasher()
# Verified against when the user name is unknown, so an unknown name takes as long as a wrong password.
_DUMMY_HASH = _HASHER.hash("not a password anyone has")


class UsersError(KpiError):
    """The users file cannot be used; every problem, located."""


@dataclass(frozen=True)
class User:
    """One person who may log in, and what they may read."""

    login: str
    name: str
    password_hash: str
    role: Role
    owner_roles: tuple[str, ...] = ()
    audiences: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()
    lang: Language | None = None

    @property
    def sees_everything(self) -> bool:
        return self.role in SEES_EVERYTHING

    @property
    def may_acknowledge(self) -> bool:
        """Viewers read; everyone else can acknowledge the alerts they can see."""
        return self.role != "viewer"

    @property
    def session_key(self) -> str:
        """Kept in the session at login: a new password (a new hash) ends the sessions opened with the old one."""
        return hashlib.sha256(self.password_hash.encode()).hexdigest()[:16]


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def check_password(users: Mapping[str, User], login: str, password: str) -> User | None:
    """The user when the password matches, else None; as slow for an unknown login as for a wrong password."""
    user = users.get(login)
    try:
        _HASHER.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    return user


def load_users(path: str | Path) -> dict[str, User]:
    """The users of a file; UsersError with every problem located."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise UsersError([Problem(Location(str(path)), f"cannot be read: {error}")]) from None
    return parse_users(text, str(path))


def watched_users(path: str | Path, clock: Callable[[], datetime], poll_seconds: float = 2.0) -> Watched[Mapping[str, User]]:
    """The users file kept current; a version with mistakes keeps the last good users and exposes its problems."""
    def load() -> Mapping[str, User] | tuple[Problem, ...]:
        try:
            return load_users(path)
        except UsersError as error:
            return error.problems
    return Watched(lambda: [Path(path)], load, clock, poll_seconds)


def parse_users(text: str, name: str) -> dict[str, User]:
    document, problems = load_document(text, name)
    data = document.data if document.data is not None else {}
    if not problems and not isinstance(data, dict):
        problems.append(Problem(document.location(()), "a users file maps each login to its settings"))
    users: dict[str, User] = {}
    for login, spec in (data.items() if isinstance(data, dict) and not problems else ()):
        user = _user(str(login), spec, lambda key, login=login: document.location((login, key) if key else (login,)), problems)
        if user is not None:
            users[user.login] = user
    if problems:
        raise UsersError(problems)
    return users


def _user(login: str, spec: Any, where: Any, problems: list[Problem]) -> User | None:
    if not isinstance(spec, dict):
        problems.append(Problem(where(""), f"user '{login}': expected a mapping with name, password_hash and role"))
        return None
    found = len(problems)
    unknown = sorted(set(spec) - {"name", "password_hash", "role", "lang", *_LIST_FIELDS})
    problems.extend(Problem(where(key), f"user '{login}': unknown setting '{key}'") for key in unknown)
    if spec.get("role") not in ROLES:
        problems.append(Problem(where("role"), f"user '{login}': role must be one of {', '.join(ROLES)}"))
    hashed = spec.get("password_hash")
    if not isinstance(hashed, str) or not hashed.startswith("$argon2"):
        problems.append(Problem(where("password_hash"), f"user '{login}': password_hash must be an argon2 hash (kpi users add writes one)"))
    if spec.get("lang") not in (None, "fr", "en"):
        problems.append(Problem(where("lang"), f"user '{login}': lang must be fr or en"))
    lists = {key: spec.get(key) or [] for key in _LIST_FIELDS}
    for key, value in lists.items():
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            problems.append(Problem(where(key), f"user '{login}': {key} must be a list of names"))
    if len(problems) > found:
        return None
    owner_roles, audiences, entities = (tuple(lists[key]) for key in _LIST_FIELDS)
    return User(login, str(spec.get("name") or login), str(hashed), spec["role"], owner_roles, audiences, entities, spec.get("lang"))


def add_user(path: str | Path, user: User) -> None:
    """Write `user` into the users file (created when absent), replacing a user of the same login."""
    path = Path(path)
    data: dict[str, Any] = {}
    if path.exists():
        load_users(path)  # refuse to rewrite a file that does not validate
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    entry: dict[str, Any] = {"name": user.name, "password_hash": user.password_hash, "role": user.role}
    entry.update({key: list(getattr(user, key)) for key in _LIST_FIELDS if getattr(user, key)})
    if user.lang:
        entry["lang"] = user.lang
    data[user.login] = entry
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    temporary.chmod(0o600)
    temporary.replace(path)

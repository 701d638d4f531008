"""The owners directory: who each owner role named by the KPIs is, and how to reach them.

A pack declares `owners: {daf: {name: "Claire Martin", email: claire@example.fr, lang: fr}}`.
KPIs keep naming roles (`owner: daf`); only delivery reads this directory, so
a person changing job is one line in one file. A pack extending another
inherits its directory and overrides, key by key, what it writes again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from .errors import Location
from .formatting import Language

DEFAULT_LANG: Language = "fr"
_ADDRESS = re.compile(r"[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\".]+")


def is_address(text: str) -> bool:
    """A plain `local@domain.tld` address: enough to catch a typo or a name written instead."""
    return _ADDRESS.fullmatch(text) is not None


@dataclass(frozen=True)
class Owner:
    """One role of the directory: a display name, its addresses (possibly several) and language."""

    role: str
    name: str = ""
    emails: tuple[str, ...] = ()
    lang: Language = DEFAULT_LANG
    location: Location = Location("<owner>")

    @property
    def display_name(self) -> str:
        return self.name or self.role


def merged_owner(current: Owner | None, role: str, spec: Mapping[str, Any], location: Location) -> Owner:
    """`current` (from an earlier layer, or None) with the keys `spec` gives; the location is the latest."""
    owner = current or Owner(role)
    changes: dict[str, Any] = {"location": location}
    if isinstance(spec.get("name"), str):
        changes["name"] = spec["name"]
    email = spec.get("email")
    if isinstance(email, str):
        changes["emails"] = (email,)
    elif isinstance(email, list):
        changes["emails"] = tuple(e for e in email if isinstance(e, str))
    if spec.get("lang") in ("fr", "en"):
        changes["lang"] = spec["lang"]
    return replace(owner, **changes)

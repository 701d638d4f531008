"""The company a pack describes: its name (and optionally a short logo text and its SIREN) for reports.

A pack declares `company: {name: "Atelier Durand SAS", logo: "AD", siren: "123 456 789"}`.
A pack extending another inherits it and overrides, key by key, what it writes again,
so a group's base pack can name the group and each subsidiary's pack its own name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True)
class Company:
    """Who the reports are about; every field is "" when the pack does not say."""

    name: str = ""
    logo: str = ""  # a few letters shown as a badge in the report's header (no image is ever fetched)
    siren: str = ""


def merged_company(current: Company, spec: Mapping[str, Any]) -> Company:
    """`current` (from the packs extended) with the keys `spec` gives (the schema has checked their shape)."""
    return replace(current, **{key: value for key, value in spec.items() if key in ("name", "logo", "siren") and isinstance(value, str)})

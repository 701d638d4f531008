"""The alert lifecycle rules (new, ongoing, resolved, restated), as cases in tests/data/delivery/lifecycle.yaml."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from kpi_engine.delivery.lifecycle import Remembered, changes
from kpi_engine.delivery.reading import AlertKey, Observed

CASES = yaml.safe_load((Path(__file__).parent / "data" / "delivery" / "lifecycle.yaml").read_text(encoding="utf-8"))


def _key(month: str) -> AlertKey:
    return AlertKey("k", "e", month, "critical")


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_lifecycle(case: dict[str, Any]) -> None:
    observed = {_key(m).fingerprint: Observed(_key(m), "critical", "daf", Decimal(-1), {"fr": "x", "en": "x"}) for m in case["fires"]}
    remembered = {_key(m).fingerprint: Remembered(_key(m), status, fires) for m, (status, fires) in (case.get("remembered") or {}).items()}
    covered = {("k", "e", m) for m in case["covered"]}
    before = {("k", "e", m) for m in case.get("covered_before") or ()}
    found = {change.key.period: [change.status, change.event, change.restated] for change in changes(observed, remembered, covered, before)}
    assert found == case["expect"]


def test_a_fingerprint_is_stable_and_depends_on_every_part_of_the_key() -> None:
    key = AlertKey("tresorerie_nette", "lyon", "2025-03", "critical")
    assert key.fingerprint == AlertKey("tresorerie_nette", "lyon", "2025-03", "critical").fingerprint
    assert len(key.fingerprint) == 16 and int(key.fingerprint, 16) >= 0
    variants = [AlertKey("x", "lyon", "2025-03", "critical"), AlertKey("tresorerie_nette", "", "2025-03", "critical"),
                AlertKey("tresorerie_nette", "lyon", "2025-04", "critical"), AlertKey("tresorerie_nette", "lyon", "2025-03", "warning")]
    assert len({key.fingerprint, *(v.fingerprint for v in variants)}) == 5

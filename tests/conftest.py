"""Hypothesis profiles for the property-based tests (tests/test_properties.py; see tests/README.md).

`ci`, the default, keeps the whole property suite to a few seconds with a fixed seed, so CI is
fast and deterministic; `long` explores far more inputs and is run by hand:
`KPI_HYPOTHESIS_PROFILE=long python3 -m pytest tests/test_properties.py`.
Both set a per-input deadline: an input that takes longer is a failure (a blow-up), not a slow test.
"""

from __future__ import annotations

import os
from datetime import timedelta

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=30,
    deadline=timedelta(seconds=5),  # generous for a loaded CI machine, whose first input also loads the schema; blow-ups take minutes
    derandomize=True,  # the same inputs at every run: CI never fails on a new random draw
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile(
    "long",
    max_examples=5_000,
    deadline=timedelta(seconds=2),
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.load_profile(os.environ.get("KPI_HYPOTHESIS_PROFILE", "ci"))

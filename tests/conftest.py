"""Hypothesis profiles for the property-based tests (tests/test_properties.py; see tests/README.md).

`ci`, the default, keeps the whole property suite to a few seconds with a fixed seed, so CI is
fast and deterministic; `long` explores far more inputs and is run by hand:
`KPI_HYPOTHESIS_PROFILE=long python3 -m pytest tests/test_properties.py`.
Both set a per-input deadline: an input that takes longer is a failure (a blow-up), not a slow test.

Also the `spark` fixture: one local Spark shared by every test marked `spark`.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import timedelta

import pytest
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


@pytest.fixture(scope="session")
def spark() -> Iterator[object]:
    """One local Spark for the whole test session: every Spark evaluation takes a new session (its own views) on it.

    Skipped without a Java runtime (`.ci/run` installs one) or without pyspark.
    """
    if shutil.which("java") is None:
        pytest.skip("no Java runtime: the Spark backend runs on the JVM")
    pytest.importorskip("pyspark")
    from kpi_engine.backends.spark import start

    session = start("local[2]")
    yield session
    session.stop()

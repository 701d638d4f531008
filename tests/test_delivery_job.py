"""Job files for `kpi run`: durations, paths relative to the job, every problem located."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from kpi_engine.delivery.job import parse_duration, read_job

CASES = yaml.safe_load((Path(__file__).parent / "data" / "delivery" / "bad_jobs.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_a_bad_job_file_reports_every_problem_located(case: dict[str, Any]) -> None:
    job, problems = read_job(case["job"], "job.yaml", Path("jobs"))
    assert job is None
    printed = [str(problem) for problem in problems]
    for expected in case["problems"]:
        assert any(line.startswith(expected) for line in printed), f"{expected!r} not in {printed}"
    assert len(printed) == len(case["problems"])


def test_paths_are_relative_to_the_job_file() -> None:
    text = """\
pack: ../company
facts: [../facts/monthly.csv, ../facts/budget_fr.csv]
state: alertes.sqlite
repeat_after: 7d
channels:
  email: {smtp: "smtp.example.fr:587", sender: kpi@example.fr, starttls: true}
reports:
  - {owner: daf, output: rapports/daf.md, format: markdown}
"""
    job, problems = read_job(text, "mensuel.yaml", Path("jobs"))
    assert problems == [] and job is not None
    assert job.pack == Path("jobs/../company") and job.state == Path("jobs/alertes.sqlite")
    assert job.facts == (Path("jobs/../facts/monthly.csv"), Path("jobs/../facts/budget_fr.csv"))
    assert job.repeat_after == timedelta(days=7) and job.lang == "fr"
    assert job.channels == {"email": {"smtp": "smtp.example.fr:587", "sender": "kpi@example.fr", "starttls": True}}
    assert job.reports[0].output == Path("jobs/rapports/daf.md") and job.reports[0].format == "markdown"


@pytest.mark.parametrize(
    ("text", "delay"), [("30m", timedelta(minutes=30)), ("12h", timedelta(hours=12)), ("7d", timedelta(days=7)), ("2w", timedelta(weeks=2))]
)
def test_durations(text: str, delay: timedelta) -> None:
    assert parse_duration(text) == delay


@pytest.mark.parametrize("text", ["7", "7 days", "-1d", "1.5h", ""])
def test_bad_durations_say_how_to_write_one(text: str) -> None:
    with pytest.raises(ValueError, match="write a number and m, h, d or w"):
        parse_duration(text)


ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("doc", ["tutorial.md", "reference.md"])
def test_the_documented_job_files_are_valid(doc: str) -> None:
    from kpi_engine.delivery.channels import build_channel

    text = (ROOT / "docs" / doc).read_text(encoding="utf-8")
    blocks = [block for block in text.split("```")[1::2] if "# jobs/mensuel.yaml" in block]
    assert blocks
    for block in blocks:
        job, problems = read_job(block.split("\n", 1)[1], doc, ROOT / "jobs")
        assert problems == [] and job is not None
        assert Path(os.path.normpath(job.pack)).is_dir() and all(Path(os.path.normpath(f)).is_file() for f in job.facts)
        assert [build_channel(name, settings, {}).key for name, settings in job.channels.items()]


def test_the_tutorial_owners_directory_is_valid() -> None:
    from kpi_engine import Pack

    text = (ROOT / "docs" / "tutorial.md").read_text(encoding="utf-8")
    block = next(block for block in text.split("```")[1::2] if block.startswith("yaml\nowners:"))
    owners = Pack.from_texts({"pack.yaml": "extends: standard\n" + block.split("\n", 1)[1]}).definitions.owners
    assert owners["controleur_gestion"].emails == ("julien.petit@example.fr", "controle@example.fr") and owners["marketing"].lang == "en"

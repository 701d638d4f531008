"""Job files for `kpi run`: what a scheduled run does, validated like a pack (every problem, located).

```yaml
pack: ../company
facts: [../facts/monthly.csv, ../facts/budget_fr.csv]
state: alertes.sqlite
repeat_after: 7d
channels:
  email: {smtp: smtp.example.fr:587, sender: kpi@example.fr, starttls: true}
  webhook: {url: https://chat.example.fr/hooks/finance}
reports:
  - {audience: dirigeants, output: rapports/dirigeants.html}
  - {owner: daf, output: rapports/daf.md, format: markdown}
```

Paths are relative to the job file, so a job reads the same from cron, a
systemd timer or a CI runner whatever their working directory.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import Location, Problem, WordedError
from ..formatting import Language
from ..reasons import Reason
from ..schema import schema_problems
from ..yamlsource import load_document

if TYPE_CHECKING:  # the report package loads jinja2 and the charts: only when a report is written
    from ..report.build import ReportFormat

JOB_SCHEMA = "job.schema.json"
_DURATION = re.compile(r"([0-9]+)([mhdw])")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


class DurationError(WordedError, ValueError):
    """A text that is no duration, worded in the reader's language."""


def parse_duration(text: str) -> timedelta:
    """`30m`, `12h`, `7d`, `2w` as a timedelta; DurationError (a ValueError) otherwise."""
    match = _DURATION.fullmatch(text.strip())
    if not match:
        raise DurationError(Reason.of("not_a_duration", text=text))
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


@dataclass(frozen=True)
class ReportSpec:
    output: Path
    audience: str | None = None
    owner: str | None = None
    frequency: str | None = None
    format: ReportFormat = "html"
    title: str = ""
    location: Location = Location("<job>")


@dataclass(frozen=True)
class Job:
    name: str
    pack: Path
    facts: tuple[Path, ...]
    state: Path
    channels: Mapping[str, Mapping[str, Any]]  # registry name -> settings
    channel_locations: Mapping[str, Location]
    reports: tuple[ReportSpec, ...] = ()
    repeat_after: timedelta | None = None
    lang: Language = "fr"
    attempts: int = 3
    retry_delay: float = 1.0
    targets_met: bool = False
    attach_scorecard: bool = False


def read_job(text: str, name: str, base: Path) -> tuple[Job | None, list[Problem]]:
    """A job from its YAML text (paths resolved against `base`), or every problem found, located."""
    document, problems = load_document(text, name)
    if problems:
        return None, problems
    problems = list(schema_problems(document, JOB_SCHEMA))
    data = document.data if isinstance(document.data, dict) else {}
    repeat_after = None
    if isinstance(data.get("repeat_after"), str):
        try:
            repeat_after = parse_duration(data["repeat_after"])
        except DurationError as error:
            problems.append(Problem.of(document.location(("repeat_after",)), Reason.of("job_repeat_after", cause=error.cause)))
    if problems:
        return None, sorted(problems, key=lambda p: (p.location.line, p.location.column))
    facts = [data["facts"]] if isinstance(data["facts"], str) else data["facts"]
    reports = tuple(
        ReportSpec(base / spec["output"], spec.get("audience"), spec.get("owner"), spec.get("frequency"),
                   spec.get("format", "html"), spec.get("title", ""), document.location(("reports", index)))
        for index, spec in enumerate(data.get("reports") or ())
    )
    for spec in reports:
        if spec.audience and spec.owner:
            problems.append(Problem.of(spec.location, Reason.of("audience_and_owner")))
    channels = {channel: dict(settings) for channel, settings in (data.get("channels") or {}).items()}
    job = Job(
        name=name,
        pack=base / data["pack"],
        facts=tuple(base / f for f in facts),
        state=base / data["state"],
        channels=channels,
        channel_locations={channel: document.key_location(("channels", channel)) for channel in channels},
        reports=reports,
        repeat_after=repeat_after,
        lang=data.get("lang", "fr"),
        attempts=int(data.get("attempts", 3)),
        retry_delay=float(data.get("retry_delay", 1)),
        targets_met=bool(data.get("targets_met", False)),
        attach_scorecard=bool(data.get("attach_scorecard", False)),
    )
    return (None if problems else job), problems

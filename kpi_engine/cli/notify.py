"""`kpi notify`, `kpi alerts` and `kpi run`: alerts delivered to their owners, remembered, acknowledged.

Each is a standalone click command registered on the main group with one line.
The clock is read here, and only here: the library takes `now` as a parameter.

Exit codes added to those of `cli.common`:
    6  something could not be delivered (it stays pending for the next run)
    7  the alert store cannot be used (foreign or damaged file, newer schema, busy)
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from ..delivery.channels import Channel, ChannelError, build_channel
from ..delivery.job import DurationError, Job, ReportSpec, parse_duration, read_job
from ..delivery.lifecycle import STATUSES
from ..delivery.notifier import NotifyOptions, RunReport, notify
from ..delivery.store import AlertStore, Filters, HistoryEntry, StoredAlert, StoreError
from ..errors import Problem
from ..facts import Facts
from ..formatting import Language
from ..loader import display_name, read_text
from ..pack import Pack
from .common import (
    EXIT_DELIVERY,
    EXIT_INVALID,
    EXIT_STORE,
    EXIT_USAGE,
    FACTS,
    LANG,
    PACK,
    Exit,
    echo_text,
    open_facts,
    open_pack,
    print_problems,
    summary,
)
from .language import message_text

if TYPE_CHECKING:
    from ..report.build import ReportOptions


_WORDS: dict[str, dict[str, Any]] = {
    "fr": {
        "summary": "{store} : nouvelles {new}, résolues {resolved}, rappels {reminder} ; messages envoyés {sent}, en attente {failed}",
        "sent": "envoyé : {channel} -> {recipient} ({items})",
        "failed": "NON ENVOYÉ : {channel} -> {recipient} après {attempts} : {error} ; gardé pour le prochain passage",
        "nothing": "rien à envoyer",
        "preview": "=== {channel} -> {recipient} ({to}) ===",
        "subject": "Objet : {subject}",
        "attachment": "Pièce jointe : {filename}",
        "acked": "{fingerprint} acquittée par {by}",
        "headers": ("Empreinte", "Statut", "Gravité", "Indicateur", "Entité", "Période", "Responsable", "Première vue", "Acquittée par"),
        "words": {
            "new": "nouvelle",
            "ongoing": "en cours",
            "resolved": "résolue",
            "reminder": "rappel",
            "appeared": "apparue",
            "vanished": "disparue",
            "info": "info",
            "warning": "attention",
            "critical": "critique",
            "pending": "en attente",
            "sent": "envoyé",
            "preview": "aperçu",
            "email": "e-mail",
        },
        "history_headers": ("Date", "Événement", "Empreinte", "Indicateur", "Entité", "Période", "Livraisons"),
        "report": "{output} : écrit",
        "not_written": "{location}: {output} ne peut pas être écrit : {error}",
    },
    "en": {
        "summary": "{store}: new {new}, resolved {resolved}, reminders {reminder}; messages sent {sent}, pending {failed}",
        "sent": "sent: {channel} -> {recipient} ({items})",
        "failed": "NOT SENT: {channel} -> {recipient} after {attempts}: {error}; kept for the next run",
        "nothing": "nothing to send",
        "preview": "=== {channel} -> {recipient} ({to}) ===",
        "subject": "Subject: {subject}",
        "attachment": "Attachment: {filename}",
        "acked": "{fingerprint} acknowledged by {by}",
        "headers": ("Fingerprint", "Status", "Severity", "KPI", "Entity", "Period", "Owner", "First seen", "Acknowledged by"),
        "words": {},
        "history_headers": ("Date", "Event", "Fingerprint", "KPI", "Entity", "Period", "Deliveries"),
        "report": "{output}: written",
        "not_written": "{location}: {output} cannot be written: {error}",
    },
}

STATE = click.option("--state", "state", required=True, type=click.Path(dir_okay=False), help="The alert store, an SQLite file (created when absent).")


def _now() -> datetime:
    return datetime.now(UTC)


def _open_store(path: str | Path, lang: Language) -> AlertStore:
    try:
        return AlertStore.open(path)
    except StoreError as error:
        _store_failed(error, lang)


def _store_failed(error: StoreError, lang: Language) -> NoReturn:
    echo_text(f"kpi: {error.text(lang)}", err=True)
    raise Exit(EXIT_STORE) from None


def _repeat_after(text: str | None, lang: Language) -> timedelta | None:
    """`--repeat-after` as a duration, or a usage error in the reader's language."""
    try:
        return None if text is None else parse_duration(text)
    except DurationError as error:
        raise click.BadParameter(error.text(lang), param_hint="--repeat-after") from None


def _channels(requested: Sequence[tuple[str, Mapping[str, Any], str]], lang: Language) -> list[Channel]:
    """Channels from (registry name, settings, option); a bad setting or a missing secret is a usage error naming the option."""
    built = []
    for name, settings, option in requested:
        try:
            built.append(build_channel(name, settings, os.environ))
        except ChannelError as error:
            raise click.BadParameter(error.text(lang), param_hint=option) from None
    return built


@click.command("notify")
@PACK
@FACTS
@STATE
@click.option("--smtp", metavar="HOST:PORT", help="Send e-mails through this SMTP server (login: KPI_SMTP_USER and KPI_SMTP_PASSWORD).")
@click.option("--sender", metavar="ADDRESS", help="The From address of the e-mails (with --smtp).")
@click.option("--starttls", is_flag=True, help="Encrypt the SMTP connection with STARTTLS (required to log in).")
@click.option("--webhook", "webhooks", multiple=True, metavar="URL", help="POST an Alertmanager-style JSON to this URL; repeat for several.")
@click.option("--repeat-after", metavar="DURATION", help="Announce alerts still open again after this delay (30m, 12h, 7d, 2w).")
@click.option("--dry-run", is_flag=True, help="Print what would be sent; send nothing and change nothing in the store.")
@click.option("--targets-met", is_flag=True, help="Also tell each owner by e-mail, once per period, the targets they met.")
@click.option("--attach-scorecard", is_flag=True, help="Attach to each e-mail the owner's own scorecard (HTML).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=10.0, show_default=True, help="Seconds to wait for a server.")
@click.option("--attempts", type=click.IntRange(min=1, max=10), default=3, show_default=True, help="Tries per message before it is left pending.")
@click.option(
    "--retry-delay", type=click.FloatRange(min=0, max=60), default=1.0, show_default=True, help="Seconds before the second try, doubled for each next one."
)
@LANG
def notify_command(
    pack: str,
    facts_files: Sequence[str],
    state: str,
    smtp: str | None,
    sender: str | None,
    starttls: bool,
    webhooks: Sequence[str],
    repeat_after: str | None,
    dry_run: bool,
    targets_met: bool,
    attach_scorecard: bool,
    timeout: float,
    attempts: int,
    retry_delay: float,
    lang: Language,
) -> None:
    """Evaluate, remember, and send each owner one message with their new and resolved alerts.

    Running it again with the same facts sends nothing. What cannot be
    delivered stays pending and is sent by the next run (exit code 6).

    \b
    Example:
      kpi notify examples/company --facts examples/facts/monthly.csv \\
          --facts examples/facts/budget_fr.csv --state alertes.sqlite \\
          --smtp smtp.example.fr:587 --starttls --sender kpi@example.fr
    """
    requested: list[tuple[str, Mapping[str, Any], str]] = [("webhook", {"url": url, "timeout": timeout}, "--webhook") for url in webhooks]
    if smtp or sender:
        requested.insert(0, ("email", {"smtp": smtp or "", "sender": sender or "", "starttls": starttls, "timeout": timeout}, "--smtp/--sender"))
    after = _repeat_after(repeat_after, lang)
    channels = _channels(requested, lang)
    if not channels and not dry_run:
        raise click.UsageError(message_text("choose where to deliver: --smtp HOST:PORT --sender ADDRESS, --webhook URL, or --dry-run to look first", lang))
    loaded = open_pack(pack, lang)
    facts = open_facts(facts_files, loaded, lang=lang)
    options = NotifyOptions(
        repeat_after=after, dry_run=dry_run, attempts=attempts, retry_delay=retry_delay, targets_met=targets_met, attach_scorecard=attach_scorecard
    )
    _deliver(loaded, facts, state, channels, options, (pack, facts_files), lang)


def _deliver(
    loaded: Pack,
    facts: Facts,
    state: str | Path,
    channels: Sequence[Channel],
    options: NotifyOptions,
    sources: tuple[str, Sequence[str | Path]],
    lang: Language,
) -> RunReport:
    """Run the notifier and print its outcome; Exit 6 when something stays pending, 7 when the store fails."""
    rehearsal = options.dry_run and not Path(state).exists()
    store = _open_store(":memory:" if rehearsal else state, lang)  # a dry run leaves no file behind
    try:
        report = notify(loaded, facts, store, channels, _now(), options, (str(sources[0]), [str(f) for f in sources[1]]))
    except StoreError as error:
        _store_failed(error, lang)
    finally:
        store.close()
    _print_report(report, state, lang)
    if report.failed:
        raise Exit(EXIT_DELIVERY)
    return report


def _print_report(report: RunReport, state: str | Path, lang: Language) -> None:
    words = _WORDS[lang]
    for notification, message in report.previews:
        to = ", ".join(notification.owner.emails) if notification.owner and notification.owner.emails else "?"
        channel = words["words"].get(notification.channel, notification.channel)
        click.echo(words["preview"].format(channel=channel, recipient=notification.recipient, to=to))
        click.echo(words["subject"].format(subject=message.subject))
        for attachment in notification.attachments:
            click.echo(words["attachment"].format(filename=attachment.filename))
        click.echo("\n" + message.text)
    for outcome in report.outcomes:
        error = outcome.error.text(lang) if outcome.error else None
        fields = vars(outcome) | {"channel": words["words"].get(outcome.channel, outcome.channel), "error": error,
                                  "items": summary("items", outcome.items, lang), "attempts": summary("attempts", outcome.attempts, lang)}
        click.echo(words["failed" if error else "sent"].format(**fields), err=bool(error))
    sent = sum(1 for outcome in report.outcomes if not outcome.error)
    counts = {"new": report.events("new"), "resolved": report.events("resolved"), "reminder": report.reminders}
    click.echo(words["summary"].format(store=display_name(Path(state)), sent=sent, failed=len(report.failed), **counts))


@click.group("alerts", invoke_without_command=True)
@click.option("--state", "state", type=click.Path(dir_okay=False), help="The alert store, an SQLite file.")
@click.option("--owner", help="Only the alerts of this owner role.")
@click.option("--kpi", help="Only the alerts of this KPI.")
@click.option("--entity", help="Only the alerts of this entity.")
@click.option("--status", type=click.Choice([*STATUSES, "open"]), help="Only alerts in this state (open: new or ongoing).")
@click.option("--history", is_flag=True, help="List the events (new, resolved, reminders) and their deliveries instead.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@LANG
@click.pass_context
def alerts_command(
    ctx: click.Context, state: str | None, owner: str | None, kpi: str | None, entity: str | None, status: str | None, history: bool, fmt: str, lang: Language
) -> None:
    """List the alerts the store remembers, or acknowledge one (`kpi alerts ack`).

    \b
    Examples:
      kpi alerts --state alertes.sqlite --owner daf --status open
      kpi alerts --state alertes.sqlite --history --format json
      kpi alerts ack 2d8c3f63 --state alertes.sqlite --by "Claire Martin" \\
          --note "relance client faite" --action "escompte proposé"
    """
    if ctx.invoked_subcommand is not None:
        return
    if state is None:
        raise click.UsageError(message_text("give the alert store: kpi alerts --state FILE", lang))
    if not Path(state).is_file():
        raise click.BadParameter(message_text("{state} does not exist; kpi notify creates it", lang, state=state), param_hint="--state")
    filters = Filters(owner, kpi, entity, status)
    store = _open_store(state, lang)
    try:
        rows: Sequence[StoredAlert | HistoryEntry] = store.history(filters) if history else store.alerts(filters)
    except StoreError as error:
        _store_failed(error, lang)
    finally:
        store.close()
    if fmt == "json":
        click.echo(json.dumps([_record(row) for row in rows], ensure_ascii=False, indent=2))
    else:
        click.echo(_table(rows, _WORDS[lang]), nl=False)


@alerts_command.command("ack")
@click.argument("fingerprint")
@STATE
@click.option("--by", "by", required=True, help="Who looked at it.")
@click.option("--note", default="", help="What was found (the cause).")
@click.option("--action", default="", help="The corrective action put in place.")
@LANG
def ack_command(fingerprint: str, state: str, by: str, note: str, action: str, lang: Language) -> None:
    """Acknowledge an alert (a unique start of its fingerprint is enough), with a note and corrective action."""
    if not Path(state).is_file():
        raise click.BadParameter(message_text("{state} does not exist; kpi notify creates it", lang, state=state), param_hint="--state")
    store = _open_store(state, lang)
    try:
        alert = store.acknowledge(fingerprint, by, _now(), note, action)
    except StoreError as error:
        raise click.BadParameter(error.text(lang), param_hint="FINGERPRINT") from None
    finally:
        store.close()
    click.echo(_WORDS[lang]["acked"].format(fingerprint=alert.fingerprint, by=by))


def _record(row: StoredAlert | HistoryEntry) -> dict[str, Any]:
    if isinstance(row, HistoryEntry):
        deliveries = [dict(zip(("channel", "recipient", "status", "attempts", "last_error"), d)) for d in row.deliveries]
        return {"event": row.event, "at": row.at, "kind": row.kind, "restated": row.restated, "alert": _record(row.alert), "deliveries": deliveries}
    key = row.key
    return {
        "fingerprint": row.fingerprint,
        "kpi": key.kpi,
        "entity": key.entity or None,
        "period": key.period,
        "rule": key.rule,
        "severity": row.severity,
        "owner": row.owner,
        "value": row.value,
        "message": dict(row.messages),
        "status": row.status,
        "fires": row.fires,
        "restated": row.restated,
        "first_seen": row.first_seen,
        "last_seen": row.last_seen,
        "resolved_at": row.resolved_at,
        "acks": [vars(ack) for ack in row.acks],
    }


def _table(rows: Sequence[StoredAlert | HistoryEntry], words: Mapping[str, Any]) -> str:
    """Aligned columns, states and severities in the reader's language."""

    def word(value: str | None) -> str:
        return words["words"].get(value, value) if value else ""

    def state(value: str, restated: str | None) -> str:
        return word(value) + (f" ({word(restated)})" if restated else "")

    lines: list[tuple[str, ...]]
    if rows and isinstance(rows[0], HistoryEntry):
        header = words["history_headers"]
        lines = [
            (
                r.at,
                state(r.kind, r.restated),
                r.alert.fingerprint,
                r.alert.key.kpi,
                r.alert.key.entity,
                r.alert.key.period,
                ", ".join(f"{d[0]} -> {d[1]}: {word(d[2])}" for d in r.deliveries),
            )
            for r in rows
            if isinstance(r, HistoryEntry)
        ]
    else:
        header = words["headers"]
        lines = [
            (
                r.fingerprint,
                state(r.status, r.restated),
                word(r.severity),
                r.key.kpi,
                r.key.entity,
                r.key.period,
                r.owner,
                r.first_seen,
                r.acks[-1].by if r.acks else "",
            )
            for r in rows
            if isinstance(r, StoredAlert)
        ]
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *lines)]
    return "".join("  ".join(str(cell).ljust(width) for cell, width in zip(line, widths)).rstrip() + "\n" for line in (header, *lines))


@click.command("run")
@click.argument("job_file", metavar="JOB", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Print what would be sent; send nothing, change nothing, write no report.")
@LANG
def run_command(job_file: str, dry_run: bool, lang: Language) -> None:
    """Do what a job file says: evaluate, deliver the alerts, write the reports. For cron, timers and CI.

    Exit codes: 0 done; 1 the job or the pack is invalid; 3 unreadable facts;
    6 something could not be delivered (kept pending); 7 the store cannot be used.

    \b
    Example:
      kpi run jobs/mensuel.yaml
    """
    job = _open_job(job_file, lang)
    loaded = open_pack(str(job.pack), lang)
    _check_reports(job, loaded, lang)
    channels = _job_channels(job, lang)
    facts = open_facts([str(f) for f in job.facts], loaded, lang=lang)
    failed = None
    try:
        _deliver(
            loaded,
            facts,
            job.state,
            channels,
            NotifyOptions(
                repeat_after=job.repeat_after,
                dry_run=dry_run,
                attempts=job.attempts,
                retry_delay=job.retry_delay,
                targets_met=job.targets_met,
                attach_scorecard=job.attach_scorecard,
            ),
            (str(job.pack), job.facts),
            lang,
        )
    except Exit as stop:
        if stop.code != EXIT_DELIVERY:
            raise
        failed = stop  # the reports are still written
    if not dry_run:
        _write_reports(job, loaded, facts, lang)
    if failed:
        raise failed


def _open_job(job_file: str, lang: Language) -> Job:
    path = Path(job_file)
    text = read_text(path)
    job, problems = (None, [text]) if isinstance(text, Problem) else read_job(text, display_name(path), path.parent)
    if job is None:
        print_problems(problems, lang=lang)
        raise Exit(EXIT_INVALID)
    return job


def _job_channels(job: Job, lang: Language) -> list[Channel]:
    """The job's channels; every one that cannot be built is reported at its place in the job file."""
    built, problems = [], []
    for name, settings in job.channels.items():
        try:
            built.append(build_channel(name, settings, os.environ))
        except ChannelError as error:
            problems.append(f"{job.channel_locations[name]}: {error.text(lang)}")
    if problems:
        click.echo("\n".join(problems), err=True)
        raise Exit(EXIT_INVALID)
    return built


def _report_options(job: Job, spec: ReportSpec) -> ReportOptions:
    from ..report.build import ReportOptions

    return ReportOptions(
        lang=job.lang,
        audience=spec.audience,
        owner=spec.owner,
        frequency=spec.frequency,
        title=spec.title,
        sources=tuple(f.name for f in job.facts),
        generated=_now().date().isoformat(),
    )


def _check_reports(job: Job, loaded: Pack, lang: Language) -> None:
    """An unknown audience or owner is found before anything is sent."""
    from ..report.build import ReportError, select_kpis

    problems = []
    for spec in job.reports:
        try:
            select_kpis(loaded.definitions, _report_options(job, spec))
        except ReportError as error:
            problems.append(f"{spec.location}: {error.text(lang)}")
    if problems:
        click.echo("\n".join(problems), err=True)
        raise Exit(EXIT_INVALID)


def _write_reports(job: Job, loaded: Pack, facts: Facts, lang: Language) -> None:
    from ..report.build import build_report, render

    evaluation = loaded.evaluate(facts, lang=job.lang)
    for spec in job.reports:
        text = render(build_report(evaluation, loaded.definitions, _report_options(job, spec)), spec.format)
        try:
            spec.output.parent.mkdir(parents=True, exist_ok=True)
            spec.output.write_text(text, encoding="utf-8")
        except OSError as error:
            words = _WORDS[lang]["not_written"]
            echo_text(words.format(location=spec.location, output=display_name(spec.output), error=error.strerror), err=True)
            raise Exit(EXIT_USAGE) from None
        click.echo(_WORDS[lang]["report"].format(output=display_name(spec.output)), err=True)

"""Delivery against real local servers: an SMTP server (aiosmtpd) and an HTTP server, including their failures.

Every server binds to 127.0.0.1, every client timeout is a second or less, and
the issue's "done when" scenario runs on the example company.
"""

from __future__ import annotations

import email
import email.policy
import json
import multiprocessing
import re
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner

from kpi_engine import load_pack
from kpi_engine.cli import main
from kpi_engine.cli.common import open_facts
from kpi_engine.delivery.channels import build_channel
from kpi_engine.delivery.notifier import NotifyOptions, notify
from kpi_engine.delivery.store import AlertStore, Filters, StoredAlert
from kpi_engine.periods import Period

ROOT = Path(__file__).resolve().parents[1]
COMPANY = ROOT / "examples" / "company"
MONTHLY, BUDGET = ROOT / "examples" / "facts" / "monthly.csv", ROOT / "examples" / "facts" / "budget_fr.csv"
NOW = datetime(2026, 1, 5, 7, 0, tzinfo=UTC)
FAST = NotifyOptions(attempts=2, retry_delay=0)


# --- servers ------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Mailbox:
    """An aiosmtpd handler keeping every message, or refusing them all with `refuse` (an SMTP reply)."""

    def __init__(self, refuse: str | None = None) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.refuse = refuse

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse:
            return self.refuse
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))  # type: ignore[arg-type]
        return "250 OK"

    def recipients(self) -> list[str]:
        return sorted(str(message["To"]) for message in self.messages)


@contextmanager
def smtp_server(mailbox: Mailbox, **options: Any) -> Iterator[int]:
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, ready_timeout=5, **options)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


class Hook:
    """Answers each POST with the next planned reply: an HTTP status, or "timeout" (no answer for 1.5 s)."""

    def __init__(self, plan: list[int | str]) -> None:
        self.plan, self.bodies = list(plan), []
        self.lock = threading.Lock()

    def next_reply(self, body: bytes) -> int | str:
        with self.lock:
            reply = self.plan.pop(0) if len(self.plan) > 1 else self.plan[0]
            if reply == 200:
                self.bodies.append(json.loads(body))
            return reply


@contextmanager
def http_server(hook: Hook) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            reply = hook.next_reply(body)
            if reply == "timeout":
                time.sleep(1.5)
                return
            self.send_response(int(reply))
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hooks/finance?token=s3cret"
    finally:
        server.shutdown()
        server.server_close()


# --- helpers ------------------------------------------------------------------------------
def run_notify(state: Path, *options: str, facts: Path = MONTHLY, pack: Path = COMPANY) -> Any:
    arguments = [
        "notify",
        str(pack),
        "--facts",
        str(facts),
        "--facts",
        str(BUDGET),
        "--state",
        str(state),
        "--attempts",
        "2",
        "--retry-delay",
        "0",
        "--timeout",
        "0.5",
        *options,
    ]
    return CliRunner().invoke(main, arguments)


def smtp_options(port: int) -> list[str]:
    return ["--smtp", f"127.0.0.1:{port}", "--sender", "kpi@example.fr"]


def fingerprints(message: email.message.EmailMessage) -> set[str]:
    return set(re.findall(r"Empreinte : ([0-9a-f]{16})", message.get_body(("plain",)).get_content()))  # type: ignore[union-attr]


def open_by_owner(state: Path) -> dict[str, set[str]]:
    """Per owner, the fingerprints a message shows: the latest open alert of each series."""
    with AlertStore.open(state) as store:
        latest: dict[tuple[str, str, str], StoredAlert] = {}
        for alert in store.alerts(Filters(status="open")):
            known = latest.get(alert.key.series)
            if known is None or Period.parse(alert.key.period).sort_key() > Period.parse(known.key.period).sort_key():
                latest[alert.key.series] = alert
        found: dict[str, set[str]] = {}
        for alert in latest.values():
            found.setdefault(alert.owner, set()).add(alert.fingerprint)
        return found


def revised_facts(tmp_path: Path) -> Path:
    """December 2025 at Lyon revised: receivables collected (DSO back under 60 days) and an overdraft (negative net cash)."""
    text = MONTHLY.read_text(encoding="utf-8")
    for before, after in (
        ("2025-12,lyon,creances_clients,543623.46", "2025-12,lyon,creances_clients,400000.00"),
        ("2025-12,lyon,disponibilites,408464.64", "2025-12,lyon,disponibilites,5000.00"),
        ("2025-12,lyon,concours_bancaires_courants,0.00", "2025-12,lyon,concours_bancaires_courants,25000.00"),
    ):
        assert before in text
        text = text.replace(before, after)
    revised = tmp_path / "monthly_revised.csv"
    revised.write_text(text, encoding="utf-8")
    return revised


# --- the scenario of issue 11 ---------------------------------------------------------------
def test_one_message_per_owner_then_nothing_then_only_the_changes(tmp_path: Path) -> None:
    state, mailbox = tmp_path / "alertes.sqlite", Mailbox()
    pack = load_pack(COMPANY)
    with smtp_server(mailbox) as port:
        first = run_notify(state, *smtp_options(port))
        assert first.exit_code == 0, first.output
        expected = open_by_owner(state)
        assert set(expected) == {"daf", "controleur_gestion"}
        assert len(mailbox.messages) == len(expected)
        for message in mailbox.messages:
            owner = next(o for o in pack.definitions.owners.values() if o.emails[0] in str(message["To"]))
            assert fingerprints(message) == expected[owner.role]
            assert message["From"] == "kpi@example.fr" and message.get_body(("html",)) is not None
        controle = next(m for m in mailbox.messages if "controle@example.fr" in str(m["To"]))
        assert "julien.petit@example.fr" in str(controle["To"]) and controle["Subject"] == "[Indicateurs] 1 nouvelle alerte"
        first_daf = next(m for m in mailbox.messages if "claire" in str(m["To"]))
        body = first_daf.get_body(("plain",)).get_content().replace("\r\n", "\n")  # type: ignore[union-attr]
        assert first_daf["Subject"] == "[Indicateurs] 1 nouvelle alerte" and "Nouvelles alertes (1)" in body
        assert (
            "- [ATTENTION] Retour sur investissement (ROI), bordeaux, T2 exercice 2026 : ROI négatif (-22,5 %) au T2 exercice 2026"
            in body
        )
        assert "\n  en alerte depuis T3 exercice 2024, 8 trimestres\n  Empreinte : 132acc226884b35e\n" in body
        assert "FY2026-Q2" not in body and body.count("Empreinte :") == 1
        daf_html = first_daf.get_body(("html",)).get_content()  # type: ignore[union-attr]
        assert '<span class="streak">en alerte depuis T3 exercice 2024, 8 trimestres</span>' in daf_html
        assert '<td style="padding: 4px;">T2 exercice 2026</td>' in daf_html

        again = run_notify(state, *smtp_options(port))
        assert again.exit_code == 0 and len(mailbox.messages) == len(expected)
        assert "nouvelles 0, résolues 0" in again.output

        revised = run_notify(state, *smtp_options(port), facts=revised_facts(tmp_path))
        assert revised.exit_code == 0, revised.output
    news = mailbox.messages[len(expected) :]
    texts = {str(m["To"]): m.get_body(("plain",)).get_content() for m in news}  # type: ignore[union-attr]
    daf = texts["Claire Martin <claire.martin@example.fr>"]
    assert "Nouvelles alertes (1)" in daf and "trésorerie nette de -20 000 € en décembre 2025, passée sous zéro" in daf
    assert "Trésorerie nette, lyon, décembre 2025 :" in daf
    assert "apparue après une révision des chiffres de décembre 2025" in daf and "ROI" not in daf
    controle_text = next(text for to, text in texts.items() if "controle@example.fr" in to)
    assert "Alertes résolues (1)" in controle_text and "Délai clients de 63 jours" in controle_text
    assert "disparue après une révision des chiffres de décembre 2025" in controle_text
    html = next(m for m in news if "claire" in str(m["To"])).get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert '<em class="restated">apparue après une révision des chiffres de décembre 2025</em>' in html


def test_a_failing_smtp_server_leaves_the_alerts_pending_and_the_next_run_delivers_them(tmp_path: Path) -> None:
    state = tmp_path / "alertes.sqlite"
    with smtp_server(Mailbox(refuse="554 Transaction failed: try later")) as port:
        failed = run_notify(state, *smtp_options(port))
    assert failed.exit_code == 6
    assert "NON ENVOYÉ" in failed.output and "554 Transaction failed: try later" in failed.output and "gardé pour le prochain passage" in failed.output
    refused = run_notify(state, *smtp_options(free_port()))
    assert refused.exit_code == 6 and "connexion refusée" in refused.output
    with AlertStore.open(state) as store:
        deliveries = [d for entry in store.history() for d in entry.deliveries]
    assert deliveries and all(d[2] == "pending" and d[3] == 4 for d in deliveries)  # 2 runs x 2 attempts, nothing marked sent
    mailbox = Mailbox()
    with smtp_server(mailbox) as port:
        delivered = run_notify(state, *smtp_options(port))
    assert delivered.exit_code == 0, delivered.output
    expected = open_by_owner(state)
    assert len(mailbox.messages) == 2 and {frozenset(fingerprints(m)) for m in mailbox.messages} == {frozenset(v) for v in expected.values()}


def test_an_owner_without_an_address_is_reported_and_kept_pending(tmp_path: Path) -> None:
    pack_dir = tmp_path / "pack"
    shutil.copytree(COMPANY, pack_dir)
    text = (pack_dir / "pack.yaml").read_text(encoding="utf-8")
    (pack_dir / "pack.yaml").write_text(text.replace('  daf: {name: "Claire Martin", email: claire.martin@example.fr, lang: fr}\n', ""), encoding="utf-8")
    mailbox = Mailbox()
    with smtp_server(mailbox) as port:
        result = CliRunner().invoke(
            main,
            [
                "notify",
                str(pack_dir),
                "--facts",
                str(MONTHLY),
                "--facts",
                str(BUDGET),
                "--state",
                str(tmp_path / "s.sqlite"),
                "--attempts",
                "1",
                *smtp_options(port),
            ],
        )
    assert result.exit_code == 6
    assert "aucune adresse e-mail pour le responsable « daf » : ajoutez-la sous owners: dans le pack" in result.output
    assert len(mailbox.messages) == 1  # controleur_gestion still received theirs


def test_starttls_and_login_with_credentials_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ssl

    from aiosmtpd.smtp import AuthResult

    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    logins: list[tuple[str, str]] = []

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        logins.append((data.login.decode(), data.password.decode()))
        return AuthResult(success=data.password == b"p4ss")

    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the client trusts the test certificate, and only through this
    monkeypatch.setenv("KPI_SMTP_USER", "kpi")
    monkeypatch.setenv("KPI_SMTP_PASSWORD", "p4ss")
    mailbox = Mailbox()
    with smtp_server(mailbox, tls_context=server_context, require_starttls=True, authenticator=authenticator, auth_require_tls=True) as port:
        plain = run_notify(tmp_path / "a.sqlite", *smtp_options(port))
        assert plain.exit_code == 2 and "ajoutez --starttls" in plain.output
        result = run_notify(tmp_path / "a.sqlite", *smtp_options(port), "--starttls")
    assert result.exit_code == 0, result.output
    assert logins == [("kpi", "p4ss")] * 2 and len(mailbox.messages) == 2  # one connection per message


def test_a_series_still_firing_next_quarter_is_one_new_item_counting_every_open_quarter(tmp_path: Path) -> None:
    state, mailbox = tmp_path / "s.sqlite", Mailbox()
    until_september = tmp_path / "monthly_until_september.csv"
    lines = MONTHLY.read_text(encoding="utf-8").splitlines(keepends=True)
    until_september.write_text("".join(line for line in lines if not line.startswith(("2025-10,", "2025-11,", "2025-12,"))), encoding="utf-8")
    with smtp_server(mailbox) as port:
        assert run_notify(state, *smtp_options(port), facts=until_september).exit_code == 0
        assert run_notify(state, *smtp_options(port)).exit_code == 0
    bodies = [m.get_body(("plain",)).get_content().replace("\r\n", "\n") for m in mailbox.messages if "claire" in str(m["To"])]  # type: ignore[union-attr]
    assert len(bodies) == 2
    assert "bordeaux, T1 exercice 2026 : ROI négatif (-22,5 %) au T1 exercice 2026" in bodies[0]
    assert "  en alerte depuis T3 exercice 2024, 7 trimestres\n" in bodies[0]
    assert "bordeaux, T2 exercice 2026 : ROI négatif (-22,5 %) au T2 exercice 2026" in bodies[1] and "T1 exercice 2026 :" not in bodies[1]
    assert "  en alerte depuis T3 exercice 2024, 8 trimestres\n  Empreinte : 132acc226884b35e\n" in bodies[1]


def test_an_english_reader_gets_one_item_per_series_with_since_when_it_fires(tmp_path: Path) -> None:
    pack = tmp_path / "company"
    shutil.copytree(COMPANY, pack)
    definition = pack / "pack.yaml"
    french = 'daf: {name: "Claire Martin", email: claire.martin@example.fr, lang: fr}'
    assert french in definition.read_text(encoding="utf-8")
    definition.write_text(definition.read_text(encoding="utf-8").replace(french, french.replace("lang: fr", "lang: en")), encoding="utf-8")
    mailbox, hook = Mailbox(), Hook([200])
    with smtp_server(mailbox) as port, http_server(hook) as url:
        result = run_notify(tmp_path / "s.sqlite", *smtp_options(port), "--webhook", url, pack=pack)
    assert result.exit_code == 0, result.output
    message = next(m for m in mailbox.messages if "claire" in str(m["To"]))
    body = message.get_body(("plain",)).get_content().replace("\r\n", "\n")  # type: ignore[union-attr]
    assert message["Subject"] == "[KPIs] 1 new alert" and "New alerts (1)" in body
    assert "- [WARNING] Return on investment, bordeaux, FY2026 Q2: Negative ROI (-22.5%) for FY2026 Q2" in body
    assert "\n  firing since FY2024 Q3, 8 quarters\n  Fingerprint: 132acc226884b35e\n" in body and body.count("Fingerprint:") == 1
    webhook = next(b for b in hook.bodies if b["receiver"] == "daf")
    assert len(webhook["alerts"]) == 8 and webhook["alerts"][0]["annotations"]["since"] == "firing since FY2024 Q3, 8 quarters"


# --- webhooks ---------------------------------------------------------------------------------
def test_webhook_payload_is_shaped_like_alertmanager(tmp_path: Path) -> None:
    hook = Hook([200])
    with http_server(hook) as url:
        result = run_notify(tmp_path / "s.sqlite", "--webhook", url)
    assert result.exit_code == 0, result.output
    assert "s3cret" not in result.output
    daf = next(body for body in hook.bodies if body["receiver"] == "daf")
    assert {key: daf[key] for key in ("version", "status", "receiver", "groupKey", "truncatedAlerts")} == {
        "version": "4",
        "status": "firing",
        "receiver": "daf",
        "groupKey": '{}:{owner="daf"}',
        "truncatedAlerts": 0,
    }
    first = daf["alerts"][0]
    assert set(first) == {"status", "labels", "annotations", "startsAt", "endsAt", "generatorURL", "fingerprint"}
    assert first["labels"] == {
        "alertname": "roi",
        "kpi": "roi",
        "entity": "bordeaux",
        "period": "FY2026-Q2",
        "severity": "warning",
        "owner": "daf",
        "rule": "roi/warning/0560cf2375",
    }
    assert first["status"] == "firing" and first["endsAt"] == "0001-01-01T00:00:00Z" and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", first["startsAt"])
    assert first["annotations"]["summary"].startswith("ROI négatif (-22,5 %) au T2 exercice 2026")
    assert daf["commonLabels"] == {
        "alertname": "roi",
        "kpi": "roi",
        "entity": "bordeaux",
        "severity": "warning",
        "owner": "daf",
        "rule": "roi/warning/0560cf2375",
    }
    assert first["annotations"]["since"] == "en alerte depuis T3 exercice 2024, 8 trimestres"
    with AlertStore.open(tmp_path / "s.sqlite") as store:
        channels = {d[0] for entry in store.history() for d in entry.deliveries}
        open_daf = {(a.fingerprint, a.key.period) for a in store.alerts(Filters(owner="daf", status="open"))}
    assert len(open_daf) == 8 and {(a["fingerprint"], a["labels"]["period"]) for a in daf["alerts"]} == open_daf  # every alert listed
    assert [a["annotations"] for a in daf["alerts"][1:]] == [{"description": "Retour sur investissement (ROI)", "grouped_in": first["fingerprint"]}] * 7
    assert channels == {f"webhook:{url.split('/')[2]}#{__import__('hashlib').sha256(url.encode()).hexdigest()[:8]}"}


@pytest.mark.parametrize("failure", [500, "timeout"], ids=["http-500", "timeout"])
def test_a_failing_webhook_is_retried_then_kept_pending_for_the_next_run(tmp_path: Path, failure: int | str) -> None:
    state = tmp_path / "s.sqlite"
    hook = Hook([failure, failure, failure, failure, 200])
    with http_server(hook) as url:
        failed = run_notify(state, "--webhook", url)
        assert failed.exit_code == 6
        expected = "HTTP 500" if failure == 500 else "pas de réponse à temps (délai dépassé)"
        assert failed.output.count(expected) == 2 and "après 2 essais" in failed.output
        assert not hook.bodies
        delivered = run_notify(state, "--webhook", url)
    assert delivered.exit_code == 0, delivered.output
    assert sorted(body["receiver"] for body in hook.bodies) == ["controleur_gestion", "daf"]
    assert [line.split(" -> ")[1] for line in delivered.output.splitlines()[:2]] == ["controleur_gestion (1 élément)", "daf (1 élément)"]


def test_resolved_alerts_are_sent_as_resolved_with_their_end_time(tmp_path: Path) -> None:
    state, hook = tmp_path / "s.sqlite", Hook([200])
    with http_server(hook) as url:
        assert run_notify(state, "--webhook", url).exit_code == 0
        assert run_notify(state, "--webhook", url, facts=revised_facts(tmp_path)).exit_code == 0
    resolved = next(body for body in hook.bodies[2:] if body["receiver"] == "controleur_gestion")
    assert resolved["status"] == "resolved"
    alert = resolved["alerts"][0]
    assert alert["status"] == "resolved" and alert["endsAt"] != "0001-01-01T00:00:00Z"
    assert alert["annotations"]["restated"] == "disparue après une révision des chiffres de décembre 2025"


# --- the library: time passed in, reminders, dry runs -------------------------------------------
def test_repeat_after_announces_open_alerts_again_once_the_delay_has_passed(tmp_path: Path) -> None:
    pack = load_pack(COMPANY)
    facts = open_facts([str(MONTHLY), str(BUDGET)], pack)
    hook = Hook([200])
    with http_server(hook) as url, AlertStore.open(tmp_path / "s.sqlite") as store:
        channel = build_channel("webhook", {"url": url, "timeout": 0.5}, {})
        weekly = NotifyOptions(repeat_after=timedelta(days=7), attempts=1)
        assert len(notify(pack, facts, store, [channel], NOW, weekly).outcomes) == 2
        assert notify(pack, facts, store, [channel], NOW + timedelta(days=6), weekly).outcomes == ()
        later = notify(pack, facts, store, [channel], NOW + timedelta(days=8), weekly)
        assert later.reminders == 9 and len(later.outcomes) == 2
        assert notify(pack, facts, store, [channel], NOW + timedelta(days=9), weekly).outcomes == ()
    assert {alert["status"] for body in hook.bodies[2:] for alert in body["alerts"]} == {"firing"}


def test_dry_run_prints_the_messages_and_changes_nothing(tmp_path: Path) -> None:
    state = tmp_path / "s.sqlite"
    result = run_notify(state, "--dry-run", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "=== preview -> daf (claire.martin@example.fr) ===" in result.output and "Subject: [Indicateurs] 1 nouvelle alerte" in result.output
    assert "new 9, resolved 0" in result.output
    assert not state.exists()
    assert run_notify(state, "--webhook", "http://127.0.0.1:9/x", "--attempts", "1").exit_code == 6  # nothing listens there
    again = run_notify(state, "--dry-run")
    assert "nouvelles 0, résolues 0" in again.output and "=== preview" not in again.output
    with AlertStore.open(state) as store:
        history = store.history()
    assert len(history) == 9 and all(d[2] == "pending" and d[3] == 1 for entry in history for d in entry.deliveries)


def test_messages_are_written_in_the_owner_language(tmp_path: Path) -> None:
    pack = load_pack(COMPANY)
    facts = open_facts([str(MONTHLY), str(BUDGET)], pack)
    marketing_facts = MONTHLY.read_text(encoding="utf-8").replace("2025-12,bordeaux,clients_perdus,", "2025-12,bordeaux,clients_perdus,9")
    assert marketing_facts != MONTHLY.read_text(encoding="utf-8")
    (tmp_path / "m.csv").write_text(marketing_facts, encoding="utf-8")
    with AlertStore.open(tmp_path / "s.sqlite") as store:
        notify(pack, facts, store, [], NOW, NotifyOptions(dry_run=True))
        churn = open_facts([str(tmp_path / "m.csv"), str(BUDGET)], pack)
        previews = notify(pack, churn, store, [], NOW, NotifyOptions(dry_run=True)).previews
    english = [message for notification, message in previews if notification.recipient == "marketing"]
    assert english and english[0].subject.startswith("[KPIs] ") and "Hello Emma Wilson," in english[0].text


# --- concurrency ----------------------------------------------------------------------------------
def _notify_in_another_process(state: str, url: str) -> int:
    pack = load_pack(COMPANY)
    facts = open_facts([str(MONTHLY), str(BUDGET)], pack)
    with AlertStore.open(state) as store:
        report = notify(pack, facts, store, [build_channel("webhook", {"url": url, "timeout": 1}, {})], NOW, NotifyOptions(attempts=1))
    return len(report.outcomes)


def test_two_runs_at_once_on_one_store_send_each_message_once_and_leave_it_consistent(tmp_path: Path) -> None:
    state, hook = tmp_path / "s.sqlite", Hook([200])
    with http_server(hook) as url, multiprocessing.get_context("spawn").Pool(2) as pool:
        sent = pool.starmap_async(_notify_in_another_process, [(str(state), url)] * 2).get(timeout=120)
    assert sorted(sent) == [0, 2]  # one run sent both messages, the other found nothing left to send
    assert sorted(body["receiver"] for body in hook.bodies) == ["controleur_gestion", "daf"]
    with AlertStore.open(state) as store:
        history = store.history()
        assert len(store.alerts(Filters(status="open"))) == 9 and len(history) == 9
        assert all(d[2] == "sent" and d[3] == 1 for entry in history for d in entry.deliveries)


# --- kpi run ------------------------------------------------------------------------------------
def write_job(tmp_path: Path, channels: str) -> Path:
    job = tmp_path / "jobs" / "mensuel.yaml"
    job.parent.mkdir()
    job.write_text(
        f"""\
pack: {COMPANY}
facts: [{MONTHLY}, {BUDGET}]
state: alertes.sqlite
repeat_after: 7d
attempts: 2
retry_delay: 0
channels:
{channels}
reports:
  - {{audience: dirigeants, output: rapports/dirigeants.html}}
  - {{owner: daf, output: rapports/daf.md, format: markdown}}
""",
        encoding="utf-8",
    )
    return job


def test_kpi_run_delivers_writes_the_reports_and_says_what_failed(tmp_path: Path) -> None:
    mailbox, hook = Mailbox(), Hook([500])
    with smtp_server(mailbox) as port, http_server(hook) as url:
        job = write_job(tmp_path, f'  email: {{smtp: "127.0.0.1:{port}", sender: kpi@example.fr, timeout: 1}}\n  webhook: {{url: "{url}", timeout: 0.5}}')
        first = CliRunner().invoke(main, ["run", str(job), "--lang", "en"])
        assert first.exit_code == 6, first.output  # the webhook answered 500: kept pending, the e-mails went out
        assert len(mailbox.messages) == 2 and "NOT SENT: webhook:127.0.0.1" in first.output
        hook.plan = [200]
        second = CliRunner().invoke(main, ["run", str(job)])
        assert second.exit_code == 0, second.output
    assert len(mailbox.messages) == 2 and sorted(body["receiver"] for body in hook.bodies) == ["controleur_gestion", "daf"]
    assert (tmp_path / "jobs" / "alertes.sqlite").is_file()
    assert "<html" in (tmp_path / "jobs" / "rapports" / "dirigeants.html").read_text(encoding="utf-8")
    assert (tmp_path / "jobs" / "rapports" / "daf.md").read_text(encoding="utf-8").startswith("#")


@pytest.mark.parametrize(
    ("channels", "message"),
    [
        ('  email: {smtp: "localhost:25", sender: "Service KPI"}', "jobs/mensuel.yaml:8:3: sender 'Service KPI' is not an e-mail address"),
        ('  webhook: {url: "ftp://example.fr/x"}', "jobs/mensuel.yaml:8:3: webhook URL 'ftp://example.fr/x' should start with http:// or https://"),
        ("  emails: {}", "jobs/mensuel.yaml:8:3: channels: unknown key 'emails' (did you mean 'email'?)"),
    ],
)
def test_kpi_run_refuses_a_bad_job_before_sending_anything(tmp_path: Path, channels: str, message: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    job = write_job(tmp_path, channels)
    result = CliRunner().invoke(main, ["run", str(job.relative_to(tmp_path)), "--lang", "en"])
    assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "jobs" / "alertes.sqlite").exists()


def test_targets_met_are_announced_by_email_once_per_period(tmp_path: Path) -> None:
    state, mailbox, hook = tmp_path / "s.sqlite", Mailbox(), Hook([200])
    with smtp_server(mailbox) as port, http_server(hook) as url:
        first = run_notify(state, *smtp_options(port), "--webhook", url, "--targets-met")
        assert first.exit_code == 0, first.output
        assert run_notify(state, *smtp_options(port), "--webhook", url, "--targets-met").exit_code == 0
    subjects = sorted(str(m["Subject"]) for m in mailbox.messages)  # sent once: the second run had nothing new
    assert subjects == [  # the group of the example's two shops meets its own targets too; lyon its fiscal-year budget
        "[Indicateurs] 1 nouvelle alerte, 11 objectifs atteints",
        "[Indicateurs] 1 nouvelle alerte, 6 objectifs atteints",
        "[Indicateurs] 3 objectifs atteints",
    ]
    controle = next(m for m in mailbox.messages if "controle@example.fr" in str(m["To"]))
    assert controle["Subject"] == "[Indicateurs] 1 nouvelle alerte, 11 objectifs atteints"
    text = controle.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Objectifs atteints (11)" in text and "Chiffre d'affaires HT de l'exercice, lyon, exercice 2025" in text
    assert "groupe_durand" in text and "- Taux de marge brute, lyon, décembre 2025 : 66,8 % (cible 55,0 %)" in text
    only_good_news = [m for m in mailbox.messages if "nouvelle" not in str(m["Subject"])]
    assert only_good_news and all("kpi alerts ack" not in m.get_body(("plain",)).get_content() for m in only_good_news)  # type: ignore[union-attr]
    assert all("objectif" not in json.dumps(body) for body in hook.bodies) and len(hook.bodies) == 2


def test_each_email_can_carry_the_owner_scorecard(tmp_path: Path) -> None:
    mailbox = Mailbox()
    with smtp_server(mailbox) as port:
        result = run_notify(tmp_path / "s.sqlite", *smtp_options(port), "--attach-scorecard")
    assert result.exit_code == 0, result.output
    for message in mailbox.messages:
        [attachment] = list(message.iter_attachments())
        role = "daf" if "claire" in str(message["To"]) else "controleur_gestion"
        assert attachment.get_filename() == f"tableau-de-bord-{role}.html" and attachment.get_content_type() == "text/html"
        assert "<html" in attachment.get_content() and message.get_body(("plain",)) is not None
    preview = run_notify(tmp_path / "other.sqlite", "--dry-run", "--attach-scorecard")
    assert "Pièce jointe : tableau-de-bord-daf.html" in preview.output

"""Messages: one per owner, most severe first, in the owner's language, HTML escaped; usage errors of the commands."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from kpi_engine import load_pack
from kpi_engine.cli import main
from kpi_engine.delivery.compose import Notification, compose
from kpi_engine.delivery.reading import AlertKey
from kpi_engine.delivery.store import Pending, StoredAlert
from kpi_engine.owners import Owner

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 1, 5, 7, 0, tzinfo=UTC)
KPIS = load_pack(ROOT / "examples" / "company").kpis


def _item(kind: str, kpi: str, period: str, severity: str, message: str, restated: str | None = None) -> Pending:
    key = AlertKey(kpi, "lyon", period, severity)
    alert = StoredAlert(
        key.fingerprint,
        key,
        severity,
        "daf",
        "-1",
        {"fr": message, "en": message + " (en)"},
        "new",
        True,
        restated,
        "2026-01-05T07:00:00Z",
        "2026-01-05T07:00:00Z",
        None,
    )
    return Pending(1, kind, restated, "2026-01-05T07:00:00Z", "email", "daf", alert)


ITEMS = (
    _item("new", "roi", "2025-Q3", "warning", "ROI négatif"),
    _item("resolved", "ebe", "2025-11", "critical", "EBE négatif"),
    _item("new", "tresorerie_nette", "2025-12", "critical", 'Trésorerie <négative> & "urgente"', "appeared"),
    _item("new", "roi", "2025-Q4", "warning", "ROI négatif"),
)


def test_the_most_severe_come_first_then_the_latest_period() -> None:
    notification = Notification("email", "daf", Owner("daf", "Claire Martin", ("c@example.fr",)), ITEMS, NOW, KPIS)
    assert [(i.alert.key.kpi, i.alert.key.period) for i in notification.section("new")] == [
        ("tresorerie_nette", "2025-12"),
        ("roi", "2025-Q4"),
        ("roi", "2025-Q3"),
    ]
    message = compose(notification)
    assert message.subject == "[Indicateurs] 3 nouvelles alertes, 1 résolue"
    assert message.text.index("Nouvelles alertes (3)") < message.text.index("Alertes résolues (1)")
    assert (
        '- [CRITIQUE] Trésorerie nette, lyon, 2025-12 : Trésorerie <négative> & "urgente"\n  (apparue après une révision des chiffres de 2025-12)'
        in message.text
    )


def test_html_is_escaped() -> None:
    html = compose(Notification("email", "daf", Owner("daf", "Claire <Martin>"), ITEMS, NOW, KPIS)).html
    assert "Trésorerie &lt;négative&gt; &amp; &#34;urgente&#34;" in html and "Claire &lt;Martin&gt;" in html
    assert "<négative>" not in html and '<html lang="fr">' in html


def test_english_for_an_english_reader_and_the_role_when_the_directory_has_no_name() -> None:
    message = compose(Notification("email", "marketing", Owner("marketing", lang="en"), ITEMS[:1], NOW, KPIS))
    assert message.subject == "[KPIs] 1 new alert"
    assert message.text.startswith("Hello marketing,\n") and "- [WARNING] Return on investment, lyon, 2025-Q3: ROI négatif (en)" in message.text
    assert "Sent by kpi-engine on 2026-01-05 07:00 UTC." in message.text


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["notify", "examples/company", "--facts", "examples/facts/monthly.csv", "--state", "s.sqlite"], "choose where to deliver"),
        (
            ["notify", "examples/company", "--facts", "examples/facts/monthly.csv", "--state", "s.sqlite", "--smtp", "localhost:25"],
            "sender '' is not an e-mail address",
        ),
        (
            ["notify", "examples/company", "--facts", "examples/facts/monthly.csv", "--state", "s.sqlite", "--smtp", "localhost", "--sender", "k@example.fr"],
            "should read HOST:PORT",
        ),
        (
            ["notify", "examples/company", "--facts", "examples/facts/monthly.csv", "--state", "s.sqlite", "--dry-run", "--repeat-after", "une semaine"],
            "'une semaine' is not a duration",
        ),
        (["alerts"], "give the alert store: kpi alerts --state FILE"),
        (["alerts", "--state", "absent.sqlite"], "absent.sqlite does not exist; kpi notify creates it"),
    ],
)
def test_usage_errors_say_what_to_do(arguments: list[str], message: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, [*arguments, "--lang", "en"])
    assert result.exit_code == 2 and message in result.output
    assert not (ROOT / "s.sqlite").exists() and not (ROOT / "absent.sqlite").exists()

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
    assert message.subject == "[Indicateurs] 2 nouvelles alertes, 1 résolue"  # one per series, as the body shows them
    assert message.text.index("Nouvelles alertes (2)") < message.text.index("Alertes résolues (1)")
    assert (
        '- [CRITIQUE] Trésorerie nette, lyon, décembre 2025 : Trésorerie <négative> & "urgente"\n'
        "  (apparue après une révision des chiffres de décembre 2025)"
        in message.text
    )


def test_a_series_firing_at_several_periods_is_one_item_in_its_latest_words() -> None:
    latest = ITEMS[3].alert.fingerprint
    french = compose(Notification("email", "daf", Owner("daf", "Claire Martin"), ITEMS, NOW, KPIS)).text
    assert (
        "- [ATTENTION] Retour sur investissement (ROI), lyon, T4 2025 : ROI négatif\n"
        f"  en alerte depuis T3 2025, 2 trimestres\n  Empreinte : {latest}\n"
    ) in french
    assert ITEMS[0].alert.fingerprint not in french and "2025-Q" not in french
    english = compose(Notification("email", "daf", Owner("daf", lang="en"), ITEMS, NOW, KPIS))
    assert english.subject == "[KPIs] 2 new alerts, 1 resolved"
    assert f"- [WARNING] Return on investment, lyon, Q4 2025: ROI négatif (en)\n  firing since Q3 2025, 2 quarters\n  Fingerprint: {latest}\n" in english.text
    assert '<td style="padding: 4px;">Q4 2025</td>' in english.html and '<span class="streak">firing since Q3 2025, 2 quarters</span>' in english.html


def test_since_counts_the_periods_still_open_in_the_store_and_resolved_series_say_since_when_they_fired() -> None:
    roi = ITEMS[3].alert.key.series
    news = Notification("email", "daf", Owner("daf"), (ITEMS[3],), NOW, KPIS, firing={roi: ("2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4")})
    assert "  en alerte depuis T1 2025, 4 trimestres\n" in compose(news).text
    reappeared = _item("new", "roi", "2025-Q1", "warning", "ROI négatif", "appeared")  # Q2 was clear: Q1 is not part of what fires now
    alone = compose(Notification("email", "daf", Owner("daf"), (reappeared,), NOW, KPIS, firing={roi: ("2025-Q3", "2025-Q4")})).text
    assert "T1 2025 : ROI négatif\n  (apparue après une révision des chiffres du T1 2025)\n" in alone and "en alerte depuis" not in alone
    resolved = (_item("resolved", "ebe", "2025-11", "critical", "EBE négatif"), _item("resolved", "ebe", "2025-10", "critical", "EBE négatif"))
    ebe = Notification("email", "daf", Owner("daf", lang="en"), resolved, NOW, KPIS, firing={roi: ("2025-Q4",)})
    message = compose(ebe)
    assert message.subject == "[KPIs] 1 resolved" and "Resolved alerts (1)" in message.text
    assert "November 2025: EBE négatif (en)\n  had been firing since October 2025, 2 months\n" in message.text
    revised = (_item("resolved", "ebe", "2025-11", "critical", "EBE négatif"), _item("resolved", "ebe", "2025-10", "critical", "EBE négatif", "vanished"))
    french = compose(Notification("email", "daf", Owner("daf"), revised, NOW, KPIS)).text
    assert "novembre 2025 : EBE négatif\n  était en alerte depuis octobre 2025, 2 mois\n  (disparue après une révision des chiffres d'octobre 2025)\n" in french


def test_html_is_escaped() -> None:
    html = compose(Notification("email", "daf", Owner("daf", "Claire <Martin>"), ITEMS, NOW, KPIS)).html
    assert "Trésorerie &lt;négative&gt; &amp; &#34;urgente&#34;" in html and "Claire &lt;Martin&gt;" in html
    assert "<négative>" not in html and '<html lang="fr">' in html


def test_english_for_an_english_reader_and_the_role_when_the_directory_has_no_name() -> None:
    message = compose(Notification("email", "marketing", Owner("marketing", lang="en"), ITEMS[:1], NOW, KPIS))
    assert message.subject == "[KPIs] 1 new alert"
    assert message.text.startswith("Hello marketing,\n") and "- [WARNING] Return on investment, lyon, Q3 2025: ROI négatif (en)" in message.text
    assert "Sent by kpi-engine on 5 January 2026 at 07:00 UTC." in message.text


@pytest.mark.parametrize(
    ("lang", "footer"),
    [("fr", "Envoyé par kpi-engine le 5 janvier 2026 à 07:00 UTC."), ("en", "Sent by kpi-engine on 5 January 2026 at 07:00 UTC.")],
)
def test_the_notification_is_dated_as_the_report_and_the_web_date_things(lang: str, footer: str) -> None:
    message = compose(Notification("email", "daf", Owner("daf", lang=lang), ITEMS[:1], NOW, KPIS))
    assert message.text.rstrip().endswith(footer) and footer in message.html


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

"""The web space in a real browser: Debian's headless Chromium, driven through the DevTools protocol (tests/devtools.py).

On the test pack, two people with different rights: Sophie (owner of the sales and cash KPIs of
the Paris shop) opens her dashboard, hovers a chart and zooms on it, drills
into a KPI and acknowledges an alert; Marc (a viewer of the leadership
audience) then reads her acknowledgement, and cannot read her cash KPI even
by its URL. No console error on any page. On the example company, the
leadership's dashboard is shown with a chart's tooltip and a screenshot is
taken; KPI_WEB_SCREENSHOT=1 copies it to docs/web-example.png.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from devtools import CHROMIUM, Browser, Page
from web_support import PASSWORD, USERS, Clock, make_app, serve, users_file

from kpi_engine.web.app import Web, create_app
from kpi_engine.web.space import Space

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)")
ROOT = Path(__file__).resolve().parent.parent
SCREENSHOT = ROOT / "docs" / "web-example.png"
EXAMPLES = ROOT / "examples"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def server(tmp_path, clock) -> Iterator[str]:
    yield from serve(make_app(tmp_path / "space", clock)[0])


@pytest.fixture
def fec_server(tmp_path) -> Iterator[str]:
    """The bakery of examples/fec, its two FEC files read by the standard library's account rules, with Claire (DAF)."""
    clock = Clock()
    space = Space(ROOT / "definitions", [EXAMPLES / "fec" / "812345676FEC20241231.txt", EXAMPLES / "fec" / "812345676FEC20251231.txt"], None, clock)
    yield from serve(create_app(Web(space, users_file(tmp_path, {"claire": USERS["claire"]}, clock), clock, clock.monotonic), secret_key="test secret"))  # noqa: S106 - test sessions only


@pytest.fixture
def example_server(tmp_path) -> Iterator[str]:
    """The example company, with the leadership team's Marc as a user."""
    clock = Clock()
    space = Space(EXAMPLES / "company", [EXAMPLES / "facts" / "monthly.csv", EXAMPLES / "facts" / "budget_fr.csv"], tmp_path / "alerts.db", clock)
    marc = replace(USERS["marc"], audiences=("dirigeants",))
    yield from serve(create_app(Web(space, users_file(tmp_path, {"marc": marc}, clock), clock, clock.monotonic), secret_key="test secret"))  # noqa: S106 - test sessions only


@pytest.fixture
def browser(tmp_path) -> Iterator[Browser]:
    with Browser(tmp_path / "profile") as running:
        yield running


def log_in(page: Page, base: str, user: str) -> None:
    page.goto(f"{base}/login")
    page.submit(f"""(() => {{ const f = document.querySelector('form.login');
        f.user.value = {user!r}; f.password.value = {PASSWORD!r}; f.submit(); }})()""")
    assert page.run("location.pathname") == "/"


def text(page: Page) -> str:
    return str(page.run("document.body.innerText"))


def test_two_people_with_different_rights_share_the_space(server, browser, tmp_path):
    sophie = browser.page()
    log_in(sophie, server, "sophie")
    dashboard = text(sophie)
    assert "Chiffre d'affaires" in dashboard and "<script>alert('xss')</script> Trésorerie" in dashboard  # the hostile label, as text
    assert "Taux de marge" not in dashboard and "lyon" not in dashboard
    assert sophie.run("document.querySelectorAll('figure.kchart svg circle.point').length") > 0

    # hover a point: its value, target and gap in the tooltip
    x, y = sophie.centre("figure.kchart svg circle.point")
    sophie.mouse("mouseMoved", x, y)
    tip = sophie.run("(() => { const t = document.getElementById('tooltip'); return t.hidden ? '' : t.innerText; })()")
    assert "paris" in tip and "€" in tip and "Cible" in tip and "Écart" in tip

    # drag across the first chart: it zooms on that range; a double-click shows every period again
    points = "document.querySelectorAll('figure.kchart')[0].querySelectorAll('circle.point').length"
    before = sophie.run(points)
    left, top = sophie.run("(() => { const r = document.querySelector('figure.kchart svg').getBoundingClientRect(); return [r.x, r.y]; })()")
    first, second = sophie.run("Array.from(document.querySelectorAll('figure.kchart')[0].querySelectorAll('circle.point'))"
                               ".slice(0, 2).map(c => c.getBoundingClientRect().x + 3)")
    sophie.mouse("mousePressed", first - 2, top + 60, 1)
    sophie.mouse("mouseMoved", second + 2, top + 60, 1)
    sophie.mouse("mouseReleased", second + 2, top + 60, 1)
    assert sophie.run("document.querySelectorAll('figure.kchart')[0].dataset.zoom") == "0-1"
    assert 0 < sophie.run(points) < before
    sophie.mouse("mousePressed", left + 100, top + 60, 2)
    sophie.mouse("mouseReleased", left + 100, top + 60, 2)
    assert sophie.run(points) == before

    # drill into a KPI: its formula as a tree with every value, down to the facts
    sophie.click("a.kpi-link[href^='/kpi/chiffre_affaires']")
    assert sophie.run("location.pathname") == "/kpi/chiffre_affaires"
    page = text(sophie)
    assert "Calcul" in page and "ventes" in page and "85 000,00 €" in page
    assert sophie.run("document.querySelectorAll('#series figure.kchart circle.point').length") == 3

    # acknowledge the alert of that KPI, with its cause and corrective action
    sophie.goto(f"{server}/alerts")
    note = "Travaux rue de Rivoli <b>fermeture</b>"
    sophie.submit(f"""(() => {{ const item = Array.from(document.querySelectorAll('li.alert'))
        .find(li => li.querySelector('.head a').getAttribute('href').startsWith('/kpi/chiffre_affaires?entity=paris&period=2025-03'));
        const form = item.querySelector('form.ack-form'); form.note.value = {note!r}; form.action.value = 'Relance des clients fidèles';
        form.submit(); }})()""")
    assert note in text(sophie)
    sophie_errors = sophie.errors()

    # Marc (his browser asks for English) reads the acknowledgement, and nothing of Sophie's cash KPI
    marc = browser.page()
    log_in(marc, server, "marc")
    assert "Cash" not in text(marc) and "Margin rate" in text(marc) and "Revenue" in text(marc)
    marc.goto(f"{server}/alerts")
    alerts = text(marc)
    assert "Acknowledged by sophie" in alerts and note in alerts and "Relance des clients fidèles" in alerts
    assert "Cash" not in alerts and "ack-form" not in str(marc.run("document.body.innerHTML"))
    marc.goto(f"{server}/kpi/tresorerie_fin")
    assert marc.run("document.title").startswith("Not found") and "Cash" not in text(marc)

    assert sophie_errors == []
    assert [e for e in marc.errors() if "/kpi/tresorerie_fin" not in e] == []  # the refused page's own 404 is expected


def test_the_leadership_dashboard_of_the_example_company(example_server, browser, tmp_path):
    marc = browser.page(height=2400)  # the whole page in the window: the screenshot needs no scrolling, which would move the hover
    log_in(marc, example_server, "marc")
    marc.goto(f"{example_server}/?entity=bordeaux")
    assert marc.run("document.querySelectorAll('table.scorecard tbody tr').length") == 7
    margin = marc.run("Array.from(document.querySelectorAll('table.scorecard tr')).find(tr => tr.innerText.startsWith('Gross margin rate'))"
                      ".innerText.split('\\t').map(s => s.trim())")
    assert margin[3:9] == ["58.0%", "55.0%", "+3.0 pts", "57.1%", "+0.9 pts", "met"]  # hand-checked in test_web.py
    x, y = marc.centre("#charts figure.kchart:nth-of-type(2) svg circle.point:nth-last-of-type(3)")
    marc.mouse("mouseMoved", x, y)
    assert marc.run("document.getElementById('tooltip').hidden") is False
    assert "bordeaux" in marc.run("document.getElementById('tooltip').innerText")
    shot = tmp_path / "web.png"
    marc.screenshot(shot)
    assert marc.errors() == []
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and int.from_bytes(data[16:20], "big") == 1280
    assert len(data) > 50_000  # a blank page compresses to a few kilobytes
    if os.environ.get("KPI_WEB_SCREENSHOT"):
        shutil.copyfile(shot, SCREENSHOT)


def test_the_drill_down_goes_down_to_the_accounts_of_the_fec(fec_server, browser):
    claire = browser.page()
    log_in(claire, fec_server, "claire")
    claire.click("a.kpi-link[href^='/kpi/tresorerie_nette']")
    assert claire.run("location.pathname") == "/kpi/tresorerie_nette"
    claire.goto(f"{fec_server}/kpi/tresorerie_nette?entity=812345676&period=2025-03")
    nodes = claire.run("Array.from(document.querySelectorAll('ul.tree li')).map(li => li.className.replace('node k-', '') + ' '"
                       " + li.querySelector(':scope > code, :scope > .words').innerText + ' = ' + li.querySelector(':scope > b.value').innerText)")
    assert nodes[2:] == [  # as `kpi explain --lang en` prints it (docs/reference.md): 9,841.62 - 1,824.22 = 8,017.40
        "input disponibilites = €8,017.40", "account 512000 Banque Populaire = €8,017.40",
        "opening opening balance (start of the fiscal year) = €9,841.62",
        "movements movements of the fiscal year to the period's end = -€1,824.22",
        "input concours_bancaires_courants = €0.00", "no_entry no amount on its accounts = €0.00",
    ]
    assert claire.run("document.querySelector('li.k-account > .kind').innerText") == "ACCOUNT"  # in capitals by the stylesheet
    assert claire.errors() == []


def test_the_pages_follow_the_files_and_the_users_file(server, browser, clock, tmp_path):
    """The facts change on disk: the DAF's next page shows the new value; Léa leaves the users file: her next page is the login."""
    claire, lea = browser.page(), browser.page()
    log_in(claire, server, "claire")
    log_in(lea, server, "lea")
    claire.goto(f"{server}/kpi/taux_marge?entity=paris&period=2025-03")
    assert "17.6%" in text(claire)
    facts, users = tmp_path / "space" / "facts.csv", tmp_path / "space" / "users.yaml"
    facts.write_text(facts.read_text().replace("2025-03,paris,couts,70000", "2025-03,paris,couts,68000"))
    people = yaml.safe_load(users.read_text())
    del people["lea"]
    users.write_text(yaml.safe_dump(people))
    clock.advance(2)
    claire.goto(f"{server}/kpi/taux_marge?entity=paris&period=2025-03")
    assert "20.0%" in text(claire)  # (85,000 - 68,000) / 85,000
    lea.goto(f"{server}/")
    assert lea.run("location.pathname") == "/login"
    assert claire.errors() == [] and lea.errors() == []

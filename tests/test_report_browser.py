"""The HTML report in a real headless browser: Debian's Chromium renders it without console errors,
every chart is in the DOM, and a screenshot of the example report is taken.

Set KPI_REPORT_SCREENSHOT=1 to refresh docs/report-example.png from the example data.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from test_report import PACK, example_pack, facts_csv

from kpi_engine import Pack
from kpi_engine.facts import Facts, read_facts_text
from kpi_engine.report.build import ReportOptions, build_report, render_html, rows_of

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = Path(__file__).resolve().parent.parent / "docs" / "report-example.png"

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)")

FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
)


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / "profile"
    command = [str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> tuple[Path, str, int]:
    """(HTML file, its text, how many KPI lines) for the example data, or the small test pack without it."""
    found = example_pack()
    if found is not None:
        pack, files = found
        facts = Facts()
        for path in files:
            facts.merge(read_facts_text(path.read_text(encoding="utf-8-sig"), path.name))
        options = ReportOptions(
            lang="fr",
            sources=tuple(p.name for p in files),
            owner="controleur_gestion" if "controleur_gestion" in {k.owner for k in pack.kpis.values()} else None,
        )
    else:
        pack, facts = Pack.from_texts({"pack.yaml": PACK}), read_facts_text(facts_csv(), "facts.csv")
        options = ReportOptions(lang="fr", sources=("facts.csv",))
    report = build_report(pack.evaluate(facts, lang="fr"), pack.definitions, options)
    html = render_html(report)
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(html, encoding="utf-8")
    return path, html, len(list(rows_of(report)))


def test_renders_without_console_errors_and_every_chart_is_in_the_dom(example, tmp_path):
    path, html, lines = example
    done = chromium(tmp_path, "--enable-logging=stderr", "--v=0", "--dump-dom", path.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]
    assert console == []
    dom = done.stdout
    assert dom.count('class="chart sparkline"') == lines == html.count('class="chart sparkline"')
    assert dom.count('class="chart line-chart"') == html.count('class="chart line-chart"') > 0
    assert dom.count('class="chart heatmap"') == html.count('class="chart heatmap"') > 0
    assert re.search(r"<svg[^>]*class=\"chart heatmap\"[^>]*>.*?<rect", dom, re.S)


def test_screenshot_of_the_example_report(example, tmp_path):
    path, _, _ = example
    shot = tmp_path / "report.png"
    done = chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,2000", "--hide-scrollbars", path.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1280, 2000)
    assert len(data) > 50_000  # a blank page compresses to a few kilobytes
    if os.environ.get("KPI_REPORT_SCREENSHOT"):
        shutil.copyfile(shot, SCREENSHOT)

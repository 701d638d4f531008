"""The HTML report in a real headless browser: Debian's Chromium renders it without console errors,
every chart is in the DOM, a screenshot of the example report is taken, and `kpi report --format pdf`
prints the example company to an A4 PDF whose text poppler's pdftotext reads back.

Set KPI_REPORT_SCREENSHOT=1 to refresh docs/report-example.png from the example data.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from test_report import PACK, example_pack, facts_csv, run
from test_report_forward import example_args

from kpi_engine import Pack
from kpi_engine.facts import Facts, read_facts_text
from kpi_engine.report.build import ReportOptions, build_report, render_html, rows_of
from kpi_engine.report.pdf import FLAGS

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = Path(__file__).resolve().parent.parent / "docs" / "report-example.png"

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)")



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


# --- the PDF ------------------------------------------------------------------

needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler's pdftotext and pdfinfo (apt-get install -y poppler-utils)")




@needs_poppler
@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("fr", ["Atelier Durand SAS", "Tableau de bord des indicateurs", "Comité de direction", "Situation au", "décembre 2025",
                "Synthèse", "Statuts par période", "Détail par indicateur", "Taux de marge nette = Résultat net / Chiffre d'affaires HT", "Claire Martin"]),
        ("en", ["Atelier Durand SAS", "KPI scorecard", "Leadership team", "As of", "December 2025",
                "Summary", "Status by period", "KPI details", "Net margin rate = Net income / Revenue (excl. VAT)", "Claire Martin"]),
    ],
)
def test_pdf_of_the_example_company(tmp_path, lang, words):
    if example_pack() is None:
        pytest.skip("examples/company with examples/facts/*.csv is absent or invalid")
    out = tmp_path / "rapport.pdf"
    result = run(*example_args(), "--audience", "dirigeants", "--lang", lang, "--format", "pdf", "-o", str(out))
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith(b"%PDF-")
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True, timeout=60).stdout
    assert re.search(r"Page size:\s+594\.\d+ x 841\.\d+ pts \(A4\)", info)
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages >= 4  # summary and scorecard, heatmap, then one page per theme of the details
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True, timeout=60).stdout
    flat = " ".join(text.split())
    for word in words:
        assert word in flat, word
    numbers = re.findall(rf"(\d+) ?/ ?{pages}\b", flat)  # page numbers from the print stylesheet, "1 / 7"
    assert numbers == [str(page) for page in range(1, pages + 1)]
    assert "file://" not in text  # no browser header or footer

"""The report as a PDF to attach to an e-mail: the same HTML, printed by a headless Chromium.

The HTML carries its own print stylesheet (A4, margins, page numbers, a page per part and per theme),
so the PDF is exactly what a reader would print from the browser. Chromium is found at `KPI_CHROMIUM`
when set, else as `chromium`, `chromium-browser` or `google-chrome` on the PATH. It runs without a
profile of the user's, without network services, on a file in a private temporary folder, and is
stopped after `TIMEOUT` seconds. Nothing is fetched: the HTML has no external resource.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..formatting import Language

TIMEOUT = 120  # seconds: the example report prints in a few
ENVIRONMENT_VARIABLE = "KPI_CHROMIUM"
_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-pdf-header-footer",  # the page footer is the stylesheet's (page numbers), not the browser's file URL and date
)

_MESSAGES = {
    "not_found": (
        "no Chromium found to print the PDF: install it (apt-get install chromium) or set KPI_CHROMIUM to its path",
        "aucun Chromium trouvé pour imprimer le PDF : installez-le (apt-get install chromium) ou indiquez son chemin dans KPI_CHROMIUM",
    ),
    "not_executable": (
        "KPI_CHROMIUM is '{path}', which is not an executable program",
        "KPI_CHROMIUM vaut « {path} », qui n'est pas un programme exécutable",
    ),
    "failed": ("Chromium could not print the PDF (exit code {code})", "Chromium n'a pas pu imprimer le PDF (code {code})"),
    "timeout": ("Chromium did not print the PDF within {seconds} seconds", "Chromium n'a pas imprimé le PDF en {seconds} secondes"),
}


@dataclass(frozen=True)
class PdfError(Exception):
    """Printing failed: why, as a catalogue code and its values, worded in the reader's language by `text`;
    `detail` is what Chromium said (its last line of errors), quoted as it is."""

    code: str
    values: tuple[tuple[str, str], ...] = ()
    detail: str = ""

    def text(self, lang: Language) -> str:
        english, french = _MESSAGES[self.code]
        text = (french if lang == "fr" else english).format(**dict(self.values))
        return f"{text}{' : ' if lang == 'fr' else ': '}{self.detail}" if self.detail else text


def find_chromium(environment: Mapping[str, str] | None = None) -> Path:
    """The browser to print with: `KPI_CHROMIUM` when set (it must be an executable), else the first on the PATH."""
    environment = os.environ if environment is None else environment
    chosen = environment.get(ENVIRONMENT_VARIABLE, "")
    if chosen:
        path = Path(chosen)
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise PdfError("not_executable", (("path", chosen),))
        return path
    search = environment.get("PATH", os.defpath)
    found = next((hit for name in _NAMES if (hit := shutil.which(name, path=search))), None)
    if found is None:
        raise PdfError("not_found")
    return Path(found)


def html_to_pdf(html: str, chromium: Path, timeout: float = TIMEOUT) -> bytes:
    """The PDF Chromium prints from `html` (the report's own print stylesheet decides the layout), within `timeout` seconds."""
    with tempfile.TemporaryDirectory(prefix="kpi-pdf-") as folder:
        page, pdf = Path(folder) / "report.html", Path(folder) / "report.pdf"
        page.write_text(html, encoding="utf-8")
        command = [str(chromium), *FLAGS, f"--user-data-dir={Path(folder) / 'profile'}", f"--print-to-pdf={pdf}", page.as_uri()]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)  # noqa: S603 - fixed flags, our own file
        except subprocess.TimeoutExpired:
            raise PdfError("timeout", (("seconds", f"{timeout:g}"),)) from None
        except OSError as error:
            raise PdfError("failed", (("code", "-"),), error.strerror or str(error)) from None
        data = pdf.read_bytes() if pdf.is_file() else b""
        if done.returncode != 0 or not data.startswith(b"%PDF"):
            said = done.stderr.strip().splitlines()
            raise PdfError("failed", (("code", str(done.returncode)),), said[-1][:300] if said else "")
        return data

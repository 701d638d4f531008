"""`kpi report`: an evaluation as a scorecard people read, one self-contained HTML file, Markdown or a PDF.

A standalone click command, registered on the main group with
`main.add_command(report)`; it reuses the CLI's pack and facts readers so
errors and exit codes are the same as `kpi evaluate`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any, Literal

import click

from ..comparisons import CompareName, scorecard_compare
from ..formatting import Language
from ..model import Definitions
from ..periods import FREQUENCIES, Period
from ..report.build import (
    FORMATS,
    ReportError,
    ReportFormat,
    ReportOptions,
    build_report,
    render,
    select_kpis,
)
from ..report.pdf import PdfError, find_chromium, html_to_pdf
from .common import (
    COMPARE,
    EXIT_NO_BROWSER,
    EXIT_USAGE,
    FACTS,
    FORCE,
    LANG,
    PACK,
    PERIOD,
    Exit,
    check_entity,
    check_outputs,
    echo_text,
    open_facts,
    open_pack,
    pack_period,
    write_files,
)

_OPTION_HINTS = {"audience": "--audience", "owner": "--owner", "frequency": "--frequency"}
_NOT_TO_STDOUT = {
    "fr": "un PDF ne s'écrit pas sur la sortie standard : donnez un fichier, par exemple -o rapport.pdf",
    "en": "a PDF is not written to standard output: give a file, for example -o report.pdf",
}


@click.command("report")
@PACK
@FACTS
@click.option("--period", type=PERIOD, help="Report as of this period: each KPI at its latest period ending by then (default: its latest period).")
@click.option("--audience", help="Only the KPIs of this audience of the pack (`audiences:`).")
@click.option("--owner", help="Only the KPIs of this owner.")
@click.option("--frequency", type=click.Choice(FREQUENCIES), help="Only the KPIs of this frequency (the monthly or quarterly review set).")
@click.option("--entity", help="A report for this entity only (one shop), or for a group of the pack (its consolidated figures).")
@LANG
@click.option(
    "--format", "fmt", type=click.Choice((*FORMATS, "pdf")), default="html", show_default=True,
    help="html: one self-contained file; markdown: for an email or a wiki; pdf: the HTML printed by headless Chromium (KPI_CHROMIUM to choose one).",
)
@click.option("--title", default="", help="Title of the report (default: the scorecard's title in the language); the pack's company name stays in the header.")
@click.option(
    "--output", "-o", "output", required=True, type=click.Path(dir_okay=False), help="File to write ('-' for standard output); never the pack or the facts."
)
@COMPARE
@FORCE
def report(
    pack: str,
    facts_files: Sequence[str],
    period: Period | None,
    audience: str | None,
    owner: str | None,
    frequency: str | None,
    entity: str | None,
    lang: Language,
    fmt: ReportFormat | Literal["pdf"],
    title: str,
    output: str,
    compare: tuple[CompareName, ...],
    force: bool,
) -> None:
    """Write a scorecard: summary and alerts, a table per theme with trends, charts per KPI, a status heatmap.

    The HTML opens offline: no script, stylesheet, font or image is fetched.
    --format pdf prints that HTML with headless Chromium (A4, a page per part
    and per theme, page numbers); exit code 8 when no Chromium is found
    (KPI_CHROMIUM names one) or it cannot print.
    An existing output file is replaced only with --force, and never when it is
    the pack or a facts file (exit code 2).

    \b
    Example:
      kpi report examples/company --facts examples/facts/monthly.csv \\
          --facts examples/facts/budget_fr.csv --audience dirigeants --output report.html
    """
    if audience is not None and owner is not None:
        raise click.UsageError("choose either --audience or --owner, not both")
    if fmt == "pdf" and output == "-":
        echo_text(f"kpi: {_NOT_TO_STDOUT[lang]}", err=True)
        raise Exit(EXIT_USAGE)
    chromium = _chromium(lang) if fmt == "pdf" else None  # looked for first: a missing browser costs no evaluation
    loaded = open_pack(pack, lang)
    today = date.today()
    options = ReportOptions(lang=lang, period=pack_period(loaded, period), audience=audience, owner=owner, frequency=frequency, entity=entity,
                            title=title, sources=tuple(Path(f).name for f in facts_files), generated=today.isoformat())
    _check_selection(loaded.definitions, options)
    inputs = [Path(pack), *map(Path, facts_files), *map(Path, loaded.definitions.files)]
    if output != "-":  # refused before the evaluation, so a wrong -o costs nothing
        check_outputs([Path(output)], inputs, lang, force=force)
    facts = open_facts(facts_files, loaded, lang=lang)
    check_entity(facts, entity, required=False, pack=loaded)
    # the report lists the alerts to act on today
    compared = compare or scorecard_compare(facts.scenarios)
    where: dict[str, Any] = {} if entity is None else {"entity": entity or None}
    evaluation = loaded.evaluate(facts, lang=lang, as_of=today, compare=compared, **where)
    built = build_report(evaluation, loaded.definitions, options)
    if fmt == "pdf":
        content: str | bytes = _print(render(built, "html"), chromium or _chromium(lang), lang)
    else:
        content = render(built, fmt)
        if output == "-":
            click.echo(content, nl=False)
            return
    write_files({Path(output): content}, inputs, lang, force=force)
    click.echo(f"{output}: {'écrit' if lang == 'fr' else 'written'}", err=True)


def _chromium(lang: Language) -> Path:
    try:
        return find_chromium()
    except PdfError as error:
        echo_text(f"kpi: {error.text(lang)}", err=True)
        raise Exit(EXIT_NO_BROWSER) from None


def _print(html: str, chromium: Path, lang: Language) -> bytes:
    try:
        return html_to_pdf(html, chromium)
    except PdfError as error:
        echo_text(f"kpi: {error.text(lang)}", err=True)
        raise Exit(EXIT_NO_BROWSER) from None


def _check_selection(definitions: Definitions, options: ReportOptions) -> None:
    """An unknown audience or owner is a usage error (exit 2) that lists the valid names."""
    try:
        select_kpis(definitions, options)
    except ReportError as error:
        raise click.BadParameter(error.message, param_hint=_OPTION_HINTS.get(error.option, "--audience/--owner/--frequency")) from None

"""`kpi evaluate --format xlsx`: an Excel workbook of real numbers, written as the evaluation streams.

Sheets: the results (`SPREADSHEET_COLUMNS`, the same as the CSV) and the alerts, headers in the reader's
language, the header row frozen, columns sized, and every value, target and gap a number with the number
format of its unit: percents as `0.0 %`, currencies with their symbol, gaps of percents in points (the
cell holds the points: a gap of 0.012 is 1.2 pt), other units with two decimals. Excel stores binary
doubles (15 significant digits): the exact decimal text is in `--format json`, `jsonl` and `csv`.

openpyxl's write-only mode keeps rows on disk, not in memory, so the workbook streams like the other formats;
it is imported only when a workbook is asked for. A sheet holds at most `SHEET_ROWS` rows (Excel's limit):
further results go on to the next results sheet. Text cells pass through `csv_cell`, so a label or an entity
starting with `=` is shown as text and never becomes a formula.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, BinaryIO

from ..alerts import Alert
from ..comparisons import CompareName, cells
from ..escaping import csv_cell
from ..formatting import Language, currency_symbol, is_percent, severity_word
from ..model import Definitions
from ..results import Result
from .output import SPREADSHEET_COLUMNS, comparison_columns, spreadsheet_row

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

SHEET_ROWS = 1_048_576
"""The most rows an Excel sheet holds, header included."""

_SHEETS: dict[Language, tuple[str, str]] = {"fr": ("Résultats", "Alertes"), "en": ("Results", "Alerts")}
_ALERT_COLUMNS: dict[Language, tuple[str, ...]] = {
    "fr": ("gravité", "kpi", "libellé", "période", "entité", "message", "responsable", "valeur", "silence", "silence jusqu'au", "masquée par"),
    "en": ("severity", "kpi", "label", "period", "entity", "message", "owner", "value", "silenced", "silenced until", "hidden by"),
}
_RESULT_WIDTHS = (22, 40, 10, 16, 16, 10, 14, 14, 12, 20, 50, 10)
_ALERT_WIDTHS = (11, 22, 40, 10, 16, 60, 20, 16, 30, 16, 30)
_POINTS = {"fr": "pt", "en": "pts"}
_CHANGE_FORMATS: dict[str, dict[Language, str]] = {  # a change counted in points or in percent of N-1 (12.3 is +12.3 %)
    "pt": {"fr": '+0.0" pt";-0.0" pt";0.0" pt"', "en": '+0.0" pts";-0.0" pts";0.0" pts"'},
    "%": {"fr": '+0.0" %";-0.0" %";0.0" %"', "en": '+0.0"%";-0.0"%";0.0"%"'},
}


def number_format(unit: str, lang: Language, gap: bool = False) -> str:
    """The Excel number format of a value (or, with `gap`, of a gap) in `unit`; separators are the reader's Excel's."""
    if is_percent(unit):
        return f'+0.0" {_POINTS[lang]}";-0.0" {_POINTS[lang]}";0.0" {_POINTS[lang]}"' if gap else "0.0%"
    symbol = currency_symbol(unit)
    sign = "+" if gap else ""
    if symbol:
        return f'{sign}#,##0.00 "{symbol}";-#,##0.00 "{symbol}"' if lang == "fr" else f'{sign}"{symbol}"#,##0.00;-"{symbol}"#,##0.00'
    return f"{sign}#,##0.00;-#,##0.00" if unit in ("", "ratio", "count") else f'{sign}#,##0.00 "{unit}";-#,##0.00 "{unit}"'


class WorkbookWriter:
    """The `ResultsWriter` of `--format xlsx`: results appended entity by entity, alerts and the file at `finish`."""

    def __init__(self, stream: BinaryIO, definitions: Definitions, lang: Language, compare: tuple[CompareName, ...] = ()) -> None:
        from openpyxl import Workbook  # only when a workbook is asked for: the CLI starts faster without it

        self.stream, self.definitions, self.lang, self.compare = stream, definitions, lang, compare
        self._book = Workbook(write_only=True)
        self._formats: dict[str, tuple[str, str]] = {}  # unit -> (value format, gap format)
        self._sheet, self._rows = self._next_results_sheet(), 1

    def start(self) -> None:
        """The results sheet and its header are made already: nothing reaches the file before `finish`."""

    def results(self, batch: Sequence[Result]) -> None:
        for result in batch:
            if self._rows == SHEET_ROWS:
                self._sheet, self._rows = self._next_results_sheet(), 1
            self._sheet.append(self._result_cells(result))
            self._rows += 1

    def finish(self, alerts: Sequence[Alert]) -> None:
        sheet = self._new_sheet(_SHEETS[self.lang][1], _ALERT_COLUMNS[self.lang], _ALERT_WIDTHS)
        for alert in alerts:
            sheet.append(self._alert_cells(alert))
        self._book.save(self.stream)

    def _next_results_sheet(self) -> WriteOnlyWorksheet:
        title, count = _SHEETS[self.lang][0], len(self._book.worksheets)
        columns = SPREADSHEET_COLUMNS[self.lang] + comparison_columns(self.compare, self.lang)
        return self._new_sheet(f"{title} ({count + 1})" if count else title, columns, _RESULT_WIDTHS + (16,) * (len(columns) - len(_RESULT_WIDTHS)))

    def _new_sheet(self, title: str, headers: Sequence[str], widths: Sequence[int]) -> WriteOnlyWorksheet:
        from openpyxl.utils import get_column_letter

        sheet: WriteOnlyWorksheet = self._book.create_sheet(title)
        sheet.freeze_panes = "A2"
        for index, width in enumerate(widths, 1):
            sheet.column_dimensions[get_column_letter(index)].width = width  # type: ignore[attr-defined]  # there at run time, missing from the stubs
        sheet.append(list(headers))
        return sheet

    def _result_cells(self, result: Result) -> list[Any]:
        kpi, label, period, entity, value, unit, target, gap, status, owner, reason, _ = spreadsheet_row(result, self.definitions, self.lang)
        value_format, gap_format = self._unit_formats(unit)
        points = gap is not None and is_percent(unit)
        return [
            *map(csv_cell, (kpi, label, period, entity)),
            self._number(value, value_format),
            csv_cell(unit),
            self._number(target, value_format),
            self._number(gap * 100 if points and gap is not None else gap, gap_format),
            *map(csv_cell, (status, owner, reason)),
            result.is_group,
            *self._comparison_cells(result, unit),
        ]

    def _comparison_cells(self, result: Result, unit: str) -> list[Any]:
        """The `--compare` columns: references in the value's format; a gap as the target's (points for a percent
        KPI); N-1's change in its own unit (points, percent, or the KPI's unit across zero), named in the next cell."""
        value_format, gap_format = self._unit_formats(unit)
        row: list[Any] = []
        for cell in cells(result.value, result.compared, unit, self.compare):
            found = cell.change
            if not cell.key.endswith("_change"):
                row.append(self._number(cell.value, value_format))
            elif cell.key != "year_ago_change":
                points = found is not None and is_percent(unit)
                row.append(self._number(None if found is None else found.value * 100 if points else found.value, gap_format))
            else:
                change_format = gap_format if found is None or found.unit == unit else _CHANGE_FORMATS[found.unit][self.lang]
                row += [self._number(found.value if found else None, change_format), found.unit if found else None]
        return row

    def _alert_cells(self, alert: Alert) -> list[Any]:
        kpi = self.definitions.kpis[alert.kpi]
        texts = (severity_word(alert.severity, self.lang), alert.kpi, kpi.label.get(self.lang, alert.kpi), str(alert.period),
                 alert.entity or "", alert.text(self.lang), alert.owner)
        until = alert.silence.until.isoformat() if alert.silence else ""
        return [
            *map(csv_cell, texts),
            self._number(alert.value, self._unit_formats(kpi.unit)[0]),
            *map(csv_cell, (alert.silenced or "", until, alert.inhibited_by or "")),
        ]

    def _unit_formats(self, unit: str) -> tuple[str, str]:
        formats = self._formats.get(unit)
        if formats is None:
            formats = self._formats[unit] = (number_format(unit, self.lang), number_format(unit, self.lang, gap=True))
        return formats

    def _number(self, value: Decimal | None, number_format: str) -> Any:
        """A numeric cell with its format; an empty cell for undefined (never 0)."""
        if value is None:
            return None
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(self._sheet, value=float(value))
        cell.number_format = number_format
        return cell

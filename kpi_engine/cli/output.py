"""Evaluation results as text: aligned tables for people, JSON, JSON lines and CSV for machines and spreadsheets,
DOT and Mermaid for the graph.

Results are written as they stream (`ResultsWriter`: one entity's batch at a time, then the alerts), so no
output holds every result. Machine formats carry exact decimal text (`"1234.56"`, never a float) and `null`
(or an empty cell) for undefined; human formats round for display by unit and language. The workbook
(`--format xlsx`) is in `workbook`, which imports openpyxl only when it is asked for.
A quotient that does not terminate is written at most at `MACHINE_DECIMALS`
decimals and 28 significant digits, the precision every backend keeps (Python:
28 digits; SQL: 24 decimals), so equal values print equal whatever computed them.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache
from typing import Any, Literal, Protocol, TextIO

from ..alerts import Alert
from ..comparisons import COLUMN_NAMES, COLUMN_WORDS, Compared, CompareName, Reference, cells, change, change_text
from ..escaping import csv_cell, terminal_text
from ..explain import ExplainNode, value_text, with_formula_units
from ..facts import Entity
from ..formatting import Language, date_words, decisive_places, format_result, format_value, period_name, period_words, plain, severity_word, status_word
from ..model import Definitions
from ..numbers import DECIMAL_CONTEXT
from ..periods import Period
from ..results import STATUSES, Result
from .common import summary

RESULT_FIELDS = ("kpi", "period", "entity", "value", "target", "gap", "status", "owner", "error", "is_group")
_GROUP_MARK = {"fr": " (groupe)", "en": " (group)"}
_HEADERS: dict[Language, tuple[str, ...]] = {
    "fr": ("Indicateur", "Période", "Entité", "Valeur", "Cible", "Écart", "Statut", "Responsable", "Raison"),
    "en": ("KPI", "Period", "Entity", "Value", "Target", "Gap", "Status", "Owner", "Reason"),
}
_ALERT_HEADERS = {
    "fr": ("Gravité", "Indicateur", "Période", "Entité", "Message", "Responsable"),
    "en": ("Severity", "KPI", "Period", "Entity", "Message", "Owner"),
}
_SILENCED_HEADERS = {
    "fr": ("Gravité", "Indicateur", "Période", "Entité", "Message", "Silence jusqu'au", "Raison"),
    "en": ("Severity", "KPI", "Period", "Entity", "Message", "Silenced until", "Reason"),
}


MACHINE_DECIMALS = 24
_MACHINE_STEP = Decimal(1).scaleb(-MACHINE_DECIMALS)
_ROUNDING = DECIMAL_CONTEXT.copy()  # quantize's own: the flags it raises stay off the evaluation's context


def machine_number(value: Decimal | None) -> str | None:
    """A value's exact text for machines, rounded (half even) only beyond 24 decimals or 28 significant digits."""
    if value is None:
        return None
    if value and value.is_finite():  # the common case, without `as_tuple` (a tuple of every digit): about half the cost
        text = format(value, "f")
        point = text.find(".")
        decimals = len(text) - point - 1 if point >= 0 else 0  # -exponent with a point; a bound on the digits without one
        if decimals <= MACHINE_DECIMALS and value.adjusted() + decimals < DECIMAL_CONTEXT.prec:
            return text  # nothing to round, no -0: what the general case below writes, for most values
        if decimals > MACHINE_DECIMALS:  # a quotient's 28 digits, most of them decimals: rounded to 24 decimals
            return plain(DECIMAL_CONTEXT.plus(value.quantize(_MACHINE_STEP, rounding=ROUND_HALF_EVEN, context=_ROUNDING)))
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int):
        return plain(DECIMAL_CONTEXT.plus(value))
    if exponent < -MACHINE_DECIMALS:
        value = value.quantize(_MACHINE_STEP, rounding=ROUND_HALF_EVEN, context=_ROUNDING)
    return plain(DECIMAL_CONTEXT.plus(value))


@lru_cache(maxsize=1024)
def _period_text(period: Period) -> str:
    """A period's code, worked out once per period rather than once per result of a stream."""
    return str(period)


def result_record(result: Result, unit: str = "", compare: tuple[CompareName, ...] = ()) -> dict[str, Any]:
    """A result as a JSON object: exact decimal text, null for undefined; with `compare`, its comparisons
    (`compare_record`) under "compare"."""
    record: dict[str, Any] = {
        "kpi": result.kpi,
        "period": _period_text(result.period),
        "entity": result.entity,
        "value": machine_number(result.value),
        "target": machine_number(result.target),
        "gap": machine_number(result.gap),
        "status": result.status,
        "owner": result.owner,
        "error": result.error,
        "is_group": result.is_group,
    }
    if compare:
        record["compare"] = compare_record(result.value, result.compared or Compared(), unit, compare)
    return record


class ResultTexts:
    """Results' JSON records as text, exactly as `_ENCODER.encode(result_record(result))` writes them, from pieces
    encoded once: each KPI, period, status and owner is a handful of strings written again and again, the entity
    the same for a whole batch. Only the numbers (`machine_number`) and a reason are new for every record, and
    the text of a number needs no escaping (digits, a sign, a point). About four times cheaper than encoding a
    dict per record, which made writing cost more than evaluating (`benchmarks/bench_stream.py`).

    What it remembers grows with the pack and the periods, not with the results: the last entity only."""

    def __init__(self) -> None:
        self._strings: dict[str, str] = {}
        self._entity: tuple[str | None, str] = (None, "null")
        self._period: tuple[Period | None, str] = (None, "")

    def text(self, result: Result, opening: str = "{") -> str:
        """The record, after `opening` (`{`, or `{` and keys of its own: `{"type": "result", `)."""
        strings, entity, period = self._strings, result.entity, result.period
        if entity != self._entity[0]:
            self._entity = (entity, "null" if entity is None else _ENCODER.encode(entity))
        if period is not self._period[0]:  # the results of one period come together: no hashing of periods
            self._period = (period, _ENCODER.encode(str(period)))
        kpi, status, owner, error, target, gap = result.kpi, result.status, result.owner, result.error, result.target, result.gap
        return (
            f'{opening}"kpi": {strings.get(kpi) or self._string(kpi)}, "period": {self._period[1]}, "entity": {self._entity[1]}, '
            f'"value": {_number_text(result.value)}, "target": {"null" if target is None else _number_text(target)}, '
            f'"gap": {"null" if gap is None else _number_text(gap)}, '
            f'"status": {strings.get(status) or self._string(status)}, "owner": {strings.get(owner) or self._string(owner)}, '
            f'"error": {"null" if error is None else _ENCODER.encode(error)}, "is_group": {"true" if result.is_group else "false"}}}'
        )

    def _string(self, text: str) -> str:
        encoded = self._strings[text] = _ENCODER.encode(text)
        return encoded


def _number_text(value: Decimal | None) -> str:
    return "null" if value is None else f'"{machine_number(value)}"'


def _reference_record(reference: Reference | None) -> dict[str, Any]:
    found = reference or Reference(None)
    return {"value": machine_number(found.value), "reason": found.cause.text("en") if found.cause else None}


def _gap_record(actual: Decimal | None, reference: Reference | None) -> dict[str, Any]:
    """A reference and actual - reference, in the KPI's unit (a fraction for a percent KPI, as the target's gap)."""
    gap = change(actual, reference, "", relative=False)
    return {**_reference_record(reference), "gap": machine_number(gap.value if gap else None)}


def compare_record(actual: Decimal | None, compared: Compared, unit: str, compare: tuple[CompareName, ...]) -> dict[str, Any]:
    """The comparisons asked, as JSON: `budget` {value, gap, reason}; `year_ago` {value, change, change_unit,
    reason}, the change in points ("pt": 2.5 is +2.5 points) for a percent KPI, in percent of the N-1 value
    ("%": 12.3 is +12.3 %) otherwise, or in the KPI's unit across or from zero; `ytd` {value, reason, budget:
    {value, gap, reason}}. Values are exact decimal text, null when undefined, the reason (English) saying why."""
    record: dict[str, Any] = {}
    if "budget" in compare:
        record["budget"] = _gap_record(actual, compared.budget)
    if "year_ago" in compare:
        found = change(actual, compared.year_ago, unit)
        record["year_ago"] = {**_reference_record(compared.year_ago), "change": machine_number(found.value if found else None),
                              "change_unit": found.unit if found else None}
    if "ytd" in compare:
        ytd = compared.ytd or Reference(None)
        record["ytd"] = {**_reference_record(ytd), "budget": _gap_record(ytd.value, compared.ytd_budget)}
    return record


def alert_record(alert: Alert) -> dict[str, Any]:
    """An alert as a JSON object."""
    return {
        "kpi": alert.kpi,
        "period": str(alert.period),
        "entity": alert.entity,
        "severity": alert.severity,
        "message": alert.message,
        "owner": alert.owner,
        "value": machine_number(alert.value),
        "rule": alert.rule_id,
        "silenced": alert.silenced,
        "silenced_until": alert.silence.until.isoformat() if alert.silence else None,
        "inhibited_by": alert.inhibited_by,
    }


class ResultsWriter(Protocol):
    """Writes an evaluation as it streams: `start` once, `results` per entity batch, `finish` with the sorted alerts.

    Nothing is written before `start`, so a command can still refuse (a period with no result) with an empty output.
    """

    def start(self) -> None: ...

    def results(self, batch: Sequence[Result]) -> None: ...

    def finish(self, alerts: Sequence[Alert]) -> None: ...


_ENCODER = json.JSONEncoder(ensure_ascii=False)
"""Compact, hence Python's C encoder: `indent=2` takes the pure-Python one, about three times slower per record."""


class JsonWriter:
    """`{"results": [...], "alerts": [...]}`, written as it comes, one compact record per line: the document stays
    one valid, deterministic JSON value, readable line by line, and costs no more to write than JSON lines."""

    def __init__(self, stream: TextIO, definitions: Definitions | None = None, compare: tuple[CompareName, ...] = ()) -> None:
        self.stream, self.definitions, self.compare = stream, definitions, compare
        self._written = 0
        self._encoded = ResultTexts()

    def start(self) -> None:
        self.stream.write('{"results": [')

    def results(self, batch: Sequence[Result]) -> None:
        self._texts(_record_texts(batch, self.definitions, self.compare, self._encoded))

    def finish(self, alerts: Sequence[Alert]) -> None:
        self.stream.write(("\n" if self._written else "") + '],\n"alerts": [')
        self._written = 0
        self._texts(map(_ENCODER.encode, map(alert_record, alerts)))
        self.stream.write(("\n" if self._written else "") + "]}\n")

    def _texts(self, texts: Iterable[str]) -> None:
        write = self.stream.write
        for text in texts:
            write(",\n" if self._written else "\n")
            write(text)
            self._written += 1


def _record_texts(
    batch: Sequence[Result], definitions: Definitions | None, compare: tuple[CompareName, ...], encoded: ResultTexts, opening: str = "{"
) -> Iterator[str]:
    """Each result's JSON record as text, after `opening` (`{` and any first keys): without comparisons from the
    pieces `encoded` remembers, with them through `result_record`."""
    if not compare or definitions is None:
        return (encoded.text(result, opening) for result in batch)
    return (opening + _ENCODER.encode(result_record(result, definitions.kpis[result.kpi].unit, compare))[1:] for result in batch)


class JsonLinesWriter:
    """One JSON object per line, for pipelines: `{"type": "result", ...}` for each result, entity by entity, then
    `{"type": "alert", ...}` for each alert, most severe first; the other fields are those of the JSON format."""

    def __init__(self, stream: TextIO, definitions: Definitions | None = None, compare: tuple[CompareName, ...] = ()) -> None:
        self.stream, self.definitions, self.compare = stream, definitions, compare
        self._encoded = ResultTexts()

    def start(self) -> None:
        """JSON lines have no header."""

    def results(self, batch: Sequence[Result]) -> None:
        self.stream.writelines(text + "\n" for text in _record_texts(batch, self.definitions, self.compare, self._encoded, '{"type": "result", '))

    def finish(self, alerts: Sequence[Alert]) -> None:
        encode = _ENCODER.encode
        self.stream.writelines(encode({"type": "alert", **alert_record(alert)}) + "\n" for alert in alerts)


SPREADSHEET_COLUMNS: dict[Language, tuple[str, ...]] = {
    "en": ("kpi", "label", "period", "entity", "value", "unit", "target", "gap", "status", "owner", "reason", "is_group"),
    "fr": ("kpi", "libellé", "période", "entité", "valeur", "unité", "cible", "écart", "statut", "responsable", "raison", "groupe"),
}
"""The columns of `--format csv` and of the workbook's results sheet: the KPI's code and label, the period's code,
the entity, the exact value, the KPI's unit as the pack writes it (`percent` values are fractions: 0.075 is 7.5 %),
the target and the gap, then the status and the reason in the reader's words, and whether the result is a group's
consolidated one (`is_group`: `true`/`false`; in French `groupe`: `oui`/`non`)."""
_GROUP_WORDS: dict[Language, tuple[str, str]] = {"en": ("true", "false"), "fr": ("oui", "non")}

SpreadsheetRow = tuple[str, str, str, str, Decimal | None, str, Decimal | None, Decimal | None, str, str, str, str]


def spreadsheet_row(result: Result, definitions: Definitions, lang: Language) -> SpreadsheetRow:
    """A result as the cells of `SPREADSHEET_COLUMNS`: text in the reader's language, numbers left exact."""
    kpi = definitions.kpis[result.kpi]
    return (
        result.kpi,
        kpi.label.get(lang, result.kpi),
        str(result.period),
        result.entity or "",
        result.value,
        kpi.unit,
        result.target,
        result.gap,
        status_word(result.status, lang),
        result.owner,
        result.reason(lang),
        _GROUP_WORDS[lang][0 if result.is_group else 1],
    )


_CHANGE_UNIT = {"en": "year_ago_change_unit", "fr": "unité_évol_n_1"}


def comparison_columns(compare: tuple[CompareName, ...], lang: Language) -> tuple[str, ...]:
    """The columns `--compare` adds after `SPREADSHEET_COLUMNS`: per comparison, the reference and the gap to it
    (`budget`, `budget_gap`), N-1 with its change and the change's unit (`pt`, `%` or the KPI's unit: see
    `compare_record`), the year to date with its budget and the gap (`ytd`, `ytd_budget`, `ytd_budget_gap`)."""
    names: list[str] = []
    for cell in cells(None, None, "", compare):
        names.append(COLUMN_NAMES[lang][cell.key])
        if cell.key == "year_ago_change":
            names.append(_CHANGE_UNIT[lang])
    return tuple(names)


def comparison_row(result: Result, unit: str, compare: tuple[CompareName, ...]) -> tuple[Decimal | str | None, ...]:
    """A result's cells of `comparison_columns`: exact numbers (a gap in the KPI's unit, a fraction for a percent
    KPI as the target's gap; a change in its own unit, named next to it), None for undefined."""
    row: list[Decimal | str | None] = []
    for cell in cells(result.value, result.compared, unit, compare):
        row.append(cell.change.value if cell.change else cell.value)
        if cell.key == "year_ago_change":
            row.append(cell.change.unit if cell.change else None)
    return tuple(row)


_CSV_CONVENTIONS: dict[Language, tuple[str, str, str]] = {"en": (",", ".", ""), "fr": (";", ",", "\ufeff")}
"""Per language: separator, decimal mark, and what opens the file (the byte-order mark French Excel needs to read UTF-8)."""


class CsvWriter:
    """The results as CSV in the reader's convention, one row each (`SPREADSHEET_COLUMNS`): in French `;`, decimal
    commas and a byte-order mark so French Excel opens it right; in English `,` and dots. Numbers are the exact
    decimal text; every text cell passes through `csv_cell` (no formula injection). Alerts: use json or jsonl."""

    def __init__(self, stream: TextIO, definitions: Definitions, lang: Language, compare: tuple[CompareName, ...] = ()) -> None:
        self.stream, self.definitions, self.lang, self.compare = stream, definitions, lang, compare
        separator, self._decimal_mark, self._opening = _CSV_CONVENTIONS[lang]
        self._writer = csv.writer(stream, delimiter=separator, lineterminator="\n")

    def start(self) -> None:
        self.stream.write(self._opening)
        self._writer.writerow(SPREADSHEET_COLUMNS[self.lang] + comparison_columns(self.compare, self.lang))

    def results(self, batch: Sequence[Result]) -> None:
        self._writer.writerows(tuple(map(self._cell, self._row(result))) for result in batch)

    def _row(self, result: Result) -> tuple[Decimal | str | None, ...]:
        row = spreadsheet_row(result, self.definitions, self.lang)
        return row + comparison_row(result, row[5], self.compare) if self.compare else row

    def _cell(self, cell: str | Decimal | None) -> str:
        if cell is None:
            return ""
        if isinstance(cell, Decimal):  # our exact decimal text, never user text: a negative number stays a number
            return plain(cell).replace(".", self._decimal_mark)
        return csv_cell(cell)

    def finish(self, alerts: Sequence[Alert]) -> None:
        """The CSV holds the results only: alerts are in json, jsonl and xlsx."""


_TABLE_BEFORE_STATUS = 6  # label, period, entity, value, target, gap: the comparisons' columns come next


class TableWriter:
    """Results and alerts as aligned text tables, in the reader's language, written entity by entity.

    Widths cannot wait for the last row. The text columns take theirs from what is known before evaluating: every
    KPI's label and owner, every entity of the facts, the status words. The period and the numbers take theirs from
    the rows written so far (a later entity with longer numbers widens them from then on). So the header is printed
    once and the columns stay aligned. The reason, last, is not padded. Alerts, collected by the command (their
    number grows with the alerts, not with the values), are listed at the end, most severe first. With `compare`,
    the comparisons' columns (`comparisons.COLUMN_WORDS`: Budget, Écart budget, N-1, Évol. N-1, Cumul exercice...)
    follow the gap.
    """

    def __init__(self, stream: TextIO, definitions: Definitions, entities: Sequence[Entity], lang: Language, compare: tuple[CompareName, ...] = ()) -> None:
        self.stream, self.definitions, self.lang, self.compare = stream, definitions, lang, compare
        extra = tuple(COLUMN_WORDS[cell.key][lang] for cell in cells(None, None, "", compare))
        base = _HEADERS[lang]
        self._headers = base[:_TABLE_BEFORE_STATUS] + extra + base[_TABLE_BEFORE_STATUS:]
        self._numeric = (3, 4, 5, *range(_TABLE_BEFORE_STATUS, _TABLE_BEFORE_STATUS + len(extra)))  # right-aligned: decimals line up
        self._measured = (1, *self._numeric)  # period and numbers: as wide as the rows written so far need
        kpis = definitions.kpis.values()
        after = len(extra)
        known = {
            0: max((len(terminal_text(k.label.get(lang, k.name))) for k in kpis), default=0),
            2: max((*(len(terminal_text(e or "")) for e in entities), *(len(terminal_text(g + _GROUP_MARK[lang])) for g in definitions.entities)), default=0),
            6 + after: max(len(status_word(s, lang)) for s in STATUSES),
            7 + after: max((len(terminal_text(k.owner)) for k in kpis), default=0),
        }
        self._widths = [max(len(header), known.get(i, 0)) for i, header in enumerate(self._headers)]
        self._widths[-1] = 0
        self._headed = False
        # a pack with a fiscal calendar names its periods in words (`T4 exercice 2025`), others as written (`2025-Q2`)
        self._named: Callable[[Period], str] = (lambda period: period_words(period, lang)) if definitions.calendar.is_fiscal else str

    def start(self) -> None:
        """The header waits for the first rows, which size the period and the numbers."""

    def results(self, batch: Sequence[Result]) -> None:
        rows = [tuple(terminal_text(cell) for cell in self._row(result)) for result in batch]
        if not rows:
            return
        for i in self._measured:
            self._widths[i] = max(self._widths[i], *(len(row[i]) for row in rows))
        self._header()
        self.stream.writelines(_line(row, self._widths, self._numeric) + "\n" for row in rows)

    def _row(self, result: Result) -> tuple[str, ...]:
        kpi, lang = self.definitions.kpis[result.kpi], self.lang
        return (
            kpi.label.get(lang, result.kpi),
            self._named(result.period),
            (result.entity or "") + (_GROUP_MARK[lang] if result.is_group else ""),
            *format_result(result.value, result.target, result.gap, kpi.unit, lang),
            *(change_text(cell.change, lang) if cell.key.endswith("_change") else format_value(cell.value, kpi.unit, lang)
              for cell in cells(result.value, result.compared, kpi.unit, self.compare)),
            status_word(result.status, lang),
            result.owner,
            result.reason(lang),
        )

    def _header(self) -> None:
        if not self._headed:
            self._headed = True
            self.stream.write(_line(self._headers, self._widths, self._numeric) + "\n" + _rule(self._widths) + "\n")

    def finish(self, alerts: Sequence[Alert]) -> None:
        self._header()
        self.stream.writelines(f"\n{section}\n" for section in _alert_tables(alerts, self.definitions, self.lang, self._named))


def _alert_tables(alerts: Sequence[Alert], definitions: Definitions, lang: Language, named: Callable[[Period], str]) -> list[str]:
    """The alerts to act on; then the silenced ones with their reason; then how many lesser ones are hidden."""

    def where(a: Alert) -> tuple[str, str, str, str, str]:
        return (severity_word(a.severity, lang).upper(), definitions.kpis[a.kpi].label.get(lang, a.kpi), named(a.period), a.entity or "", a.text(lang))

    sections = []
    active = [a for a in alerts if a.active]
    if active:
        title = "Alertes" if lang == "fr" else "Alerts"
        sections.append(f"{title} ({len(active)})\n" + align(_ALERT_HEADERS[lang], [(*where(a), a.owner) for a in active]))
    silenced = [a for a in alerts if a.silence and not a.inhibited_by]
    if silenced:
        title = "Alertes en silence" if lang == "fr" else "Silenced alerts"
        rows = [(*where(a), date_words(a.silence.until, lang), a.silence.reason) for a in silenced if a.silence]
        sections.append(f"{title} ({len(silenced)})\n" + align(_SILENCED_HEADERS[lang], rows))
    hidden = sum(1 for a in alerts if a.inhibited_by)
    if hidden:
        sections.append(summary("hidden_alerts", hidden, lang))
    return sections


def align(headers: Sequence[str], rows: Iterable[Sequence[str]], numeric: Sequence[int] = (), rule: bool = True) -> str:
    """A plain-text table; `numeric` columns are right-aligned so decimals line up; `rule` underlines the headers.

    Every cell passes through `terminal_text` here, so no label, entity or message can send control sequences to the terminal.
    """
    rows = [tuple(terminal_text(cell) for cell in row) for row in (headers, *rows)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(headers))]
    lines = [_line(row, widths, numeric) for row in rows]
    if rule:
        lines.insert(1, _rule(widths))
    return "\n".join(lines)


def _line(row: Sequence[str], widths: Sequence[int], numeric: Sequence[int]) -> str:
    return "  ".join(cell.rjust(w) if i in numeric else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths))).rstrip()


def _rule(widths: Sequence[int]) -> str:
    return "  ".join("-" * w for w in widths).rstrip()


@dataclass(frozen=True)
class _Diagram:
    """How one diagram language writes its frame, nodes and edges."""

    head: tuple[str, ...]
    tail: tuple[str, ...]
    input_node: Callable[[str, str], str]
    kpi_node: Callable[[str, str], str]
    edge: Callable[[str, str], str]


def _mermaid_text(text: str) -> str:
    """A Mermaid label shown as written: quotes and HTML brackets as Mermaid entity codes, controls visible."""
    return terminal_text(text).replace('"', "#quot;").replace("<", "#60;").replace(">", "#62;")


DiagramLanguage = Literal["dot", "mermaid"]
"""`kpi graph --format`: Graphviz or Mermaid."""

DIAGRAMS: dict[DiagramLanguage, _Diagram] = {
    "dot": _Diagram(
        ("digraph kpis {", "  rankdir=LR;", '  node [shape=box, fontname="Helvetica"];'),
        ("}",),
        lambda name, label: f"  {name} [label={json.dumps(label)}, shape=ellipse];",
        lambda name, label: f"  {name} [label={json.dumps(label)}];",
        lambda source, target: f"  {source} -> {target};",
    ),
    "mermaid": _Diagram(
        ("flowchart LR",),
        (),
        lambda name, label: f'  {name}(["{_mermaid_text(label)}"])',
        lambda name, label: f'  {name}["{_mermaid_text(label)}"]',
        lambda source, target: f"  {source} --> {target}",
    ),
}


def to_diagram(definitions: Definitions, graph: dict[str, list[str]], lang: Language, language: DiagramLanguage) -> str:
    """The dependency graph (KPI -> what it reads) in `language` (dot or mermaid): inputs, KPIs, edges."""
    diagram = DIAGRAMS[language]
    used_inputs = sorted({dep for deps in graph.values() for dep in deps if dep in definitions.inputs})
    lines = list(diagram.head)
    lines += [diagram.input_node(name, definitions.inputs[name].label.get(lang, name)) for name in used_inputs]
    lines += [diagram.kpi_node(name, kpi.label.get(lang, name)) for name, kpi in definitions.kpis.items()]
    lines += [diagram.edge(dep, name) for name, deps in graph.items() for dep in deps]
    lines += diagram.tail
    return "\n".join(lines) + "\n"


def explain_text(tree: ExplainNode, lang: Language, target: Decimal | None = None) -> str:
    """A computation tree as indented text, each node with its value for the reader (the KPI's and its formula's
    with the decimals that tell it from its `target`, as the results table shows them); reasons may quote entity
    names, so each line is `terminal_text`."""
    tree = with_formula_units(tree)
    places = decisive_places(tree.value, target, tree.unit)
    asked = tree.observations[-1].period if tree.observations else None
    lines = [f"{tree.text} = {_observed(tree, lang, asked, places)}"]
    _explain_children(tree, "", lines, lang, asked, places)
    return "\n".join(terminal_text(line) for line in lines)


def explain_record(tree: ExplainNode, period: Period, entity: Entity, is_group: bool, lang: Language) -> dict[str, Any]:
    """The explain tree as JSON data: the KPI asked, where (`is_group` when the entity is a group), and the tree,
    values as exact decimal strings, `null` when undefined with the reason in the reader's words."""
    return {"kpi": tree.text, "period": str(period), "entity": entity, "is_group": is_group, "tree": _node_record(tree, lang)}


def _node_record(node: ExplainNode, lang: Language) -> dict[str, Any]:
    record: dict[str, Any] = {"text": node.text, "kind": node.kind, "unit": node.unit}
    if node.kind == "member":
        record |= {"entity": node.entity, "is_group": node.is_group}
    if node.scenario:
        record["scenario"] = node.scenario
    record["observations"] = [
        {"period": str(o.period), "value": o.value if isinstance(o.value, bool) or o.value is None else plain(o.value),
         "reason": o.reason.text(lang) if o.reason else None}
        for o in node.observations
    ]
    record["children"] = [_node_record(child, lang) for child in node.children]
    return record


def _explain_children(node: ExplainNode, prefix: str, lines: list[str], lang: Language, asked: Period | None, places: int | None = None) -> None:
    """`asked`: the period explained (a value read at another one, under `prev(x)`, says which); `places`: the
    decimals of the KPI asked, for its formula (the same value); every other node in its own."""
    for index, child in enumerate(node.children):
        last = index == len(node.children) - 1
        tag = f" [{word}]" if (word := child.kind_word(lang)) else ""
        text = child.label(lang) + (_GROUP_MARK[lang] if child.is_group else "")
        if child.scenario:
            tag += f" [{'scénario' if lang == 'fr' else 'scenario'} {child.scenario}]"
        lines.append(f"{prefix}{'└─ ' if last else '├─ '}{text}{tag} = {_observed(child, lang, asked, places)}")
        _explain_children(child, prefix + ("   " if last else "│  "), lines, lang, asked)


def _observed(node: ExplainNode, lang: Language, asked: Period | None, places: int | None = None) -> str:
    if not node.observations:
        return "(not evaluated)" if lang != "fr" else "(non évalué)"
    parts = []
    for observation in node.observations:
        if observation.value is None:
            text = f"{format_value(None, lang=lang)} ({observation.reason.text(lang) if observation.reason else ''})"
        else:
            text = value_text(node, observation.value, lang, places)
        parts.append(text if observation.period == asked else f"{text} ({period_name(observation.period, lang)})")
    return ", ".join(parts)

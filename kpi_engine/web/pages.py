"""What each page shows, as plain data for its template: the report's own model, cut down to the reader's rights.

Nothing here knows about HTTP: a page function takes the snapshot, the user
and the request's filters and returns the template's context, or raises
`NotVisible` (answered 404: a KPI, entity or alert outside a user's rights
gets the same answer as one that does not exist) or `BadFilter` (400).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from markupsafe import Markup

from ..comparisons import SCORECARD, ScoreCell
from ..delivery.store import AlertStore, Filters, HistoryEntry, StoredAlert
from ..explain import NODE_WORDS, ExplainNode, value_text, with_formula_units
from ..formatting import Language, format_result, format_value, frequency_word, is_percent, moment_words, severity_word, status_word
from ..model import SEVERITY_RANK, Definitions
from ..periods import FREQUENCIES, Period
from ..report import charts
from ..report.build import Line, Report, ReportError, ReportOptions, build_report, heatmap_rows
from .rights import Rights, rights_of, visible
from .space import Snapshot
from .users import User
from .words import WORDS

ALERT_STATES = ("open", "new", "ongoing", "resolved")
HISTORY_SHOWN = 100
NOTE_LIMIT = 2000  # characters kept of a cause or a corrective action


class NotVisible(Exception):
    """Absent, or outside the user's rights: the same answer for both."""


class BadFilter(Exception):
    """A filter that is not a period, a frequency or an alert state."""


@dataclass(frozen=True)
class ViewFilters:
    audience: str | None = None
    entity: str | None = None
    period: Period | None = None
    frequency: str | None = None


def read_filters(query: Mapping[str, str]) -> ViewFilters:
    period_text, frequency = query.get("period") or None, query.get("frequency") or None
    try:
        period = Period.parse(period_text) if period_text else None
    except ValueError:
        raise BadFilter(f"period {period_text!r}") from None
    if frequency is not None and frequency not in FREQUENCIES:
        raise BadFilter(f"frequency {frequency!r}")
    return ViewFilters(query.get("audience") or None, query.get("entity") or None, period, frequency)


def _view_definitions(definitions: Definitions, rights: Rights, only: Sequence[str] | None = None) -> Definitions:
    """The pack's definitions as this user may read them: their KPIs and audiences only."""
    names = [name for name in definitions.kpis if rights.kpi(name) and (only is None or name in only)]
    return replace(definitions, kpis={name: definitions.kpis[name] for name in names},
                   audiences={name: definitions.audiences[name] for name in rights.audiences})


def _check_entity(snapshot: Snapshot, rights: Rights, entity: str | None) -> None:
    if entity is not None and (entity not in snapshot.evaluation.entities or not rights.entity(entity)):
        raise NotVisible(entity)


def _narrowed(rights: Rights, entity: str | None) -> Rights:
    return rights if entity is None else replace(rights, entities=frozenset({entity}))


def _report(snapshot: Snapshot, definitions: Definitions, rights: Rights, options: ReportOptions) -> Report | None:
    evaluation = snapshot.evaluation
    shown = visible(evaluation.lang, evaluation.results, evaluation.alerts, evaluation.entities, rights)
    try:
        return build_report(shown, definitions, options)
    except ReportError:
        return None


def dashboard(snapshot: Snapshot, user: User, lang: Language, filters: ViewFilters) -> dict[str, Any]:
    definitions = snapshot.pack.definitions
    rights = rights_of(user, definitions)
    if filters.audience is not None and filters.audience not in rights.audiences:
        raise NotVisible(filters.audience)
    _check_entity(snapshot, rights, filters.entity)
    view = _view_definitions(definitions, rights)
    options = ReportOptions(lang=lang, period=filters.period, audience=filters.audience, frequency=filters.frequency)
    report = _report(snapshot, view, _narrowed(rights, filters.entity), options) if view.kpis else None
    periods = sorted({r.period for r in snapshot.evaluation.results if rights.kpi(r.kpi)}, key=Period.sort_key, reverse=True)
    return {
        "report": report,
        "scope": report.scope if report and (user.sees_everything or filters.audience) else _own_scope(lang, filters.frequency),
        "filters": filters,
        "audiences": [(name, definitions.audiences[name].label.get(lang, name)) for name in rights.audiences],
        "entities": [e for e in snapshot.evaluation.entities if e is not None and rights.entity(e)],
        "periods": [str(p) for p in periods],
        "frequencies": [(f, frequency_word(f, lang)) for f in FREQUENCIES if any(k.frequency.value == f for k in view.kpis.values())],
        "scorecards": scorecards(report) if report else [],
        "charts": {section.kpi: chart_data(section.lines, section.unit, lang) for section in report.sections} if report else {},
        "sparkline": lambda line: _svg(charts.sparkline(line.history[-12:], line.unit, lang, title=line.label)),
        "heatmap": lambda heat: _svg(charts.heatmap(heatmap_rows(heat, report), heat.periods, lang, WORDS[lang]["heatmap_title"])) if report else "",
        "legend": _svg(charts.legend(lang)),
    }


@dataclass(frozen=True)
class ScorecardTable:
    """A theme's scorecard: the references (`comparisons.SCORECARD`: target, budget, N-1, year to date) at least
    one of its lines has (the others would be empty columns), and each line with one cell per reference. The
    cells are the report's own (`Line.cells`), computed and judged by `comparisons`: one mechanism for the CLI,
    the report and these pages."""

    title: str
    comparisons: tuple[str, ...]
    rows: tuple[tuple[Line, tuple[ScoreCell, ...]], ...]


_EMPTY = ScoreCell("", "", "")


def scorecards(report: Report) -> list[ScorecardTable]:
    """The report's themes as scorecard tables, each line set against every reference of `SCORECARD` its theme has."""
    tables = []
    for theme in report.themes:
        present = tuple(name for name in SCORECARD if any(name in line.cells for line in theme.lines))
        rows = tuple((line, tuple(line.cells.get(name, _EMPTY) for name in present)) for line in theme.lines)
        tables.append(ScorecardTable(theme.title, present, rows))
    return tables


def _own_scope(lang: Language, frequency: str | None) -> str:
    """What a user who does not see everything is shown without an audience chosen: their own KPIs, not "all"."""
    return WORDS[lang]["own_kpis"] + (f" · {frequency_word(frequency, lang)}" if frequency else "")


def _svg(text: str) -> Markup:
    """SVG drawn by the report's `charts`, which escapes every text it writes."""
    return Markup(text)  # noqa: S704 - built by charts from escaped text


def chart_data(lines: Sequence[Line], unit: str, lang: Language) -> str:
    """One series per entity, as JSON for the page's chart script: numbers to draw, texts already formatted for the reader."""
    series = []
    for line in lines:
        points = [{
            "period": str(r.period),
            "label": charts.period_label(r.period, lang),
            "y": None if r.value is None else float(r.value),
            "target": None if r.target is None else float(r.target),
            **dict(zip(("value", "targetText", "gap"), format_result(r.value, r.target, r.gap, unit, lang), strict=True)),
            "status": r.status,
            "statusText": status_word(r.status, lang),
            "reason": r.reason(lang),
        } for r in line.history]
        series.append({"name": line.entity or line.label, "points": points})
    words = {"target": WORDS[lang]["target"], "gap": WORDS[lang]["gap"]}
    axis = {"percent": is_percent(unit), "decimal": "," if lang == "fr" else ".", "space": "\u00a0" if lang == "fr" else ""}
    return json.dumps({"series": series, "words": words, "axis": axis}, ensure_ascii=False)


@dataclass(frozen=True)
class TreeNode:
    """An explain node as the page shows it: its text (a formula's, or words for the parts of a ledger account), kind,
    value for the reader, and whether it links to a KPI page."""

    text: str
    kind: str
    kind_word: str  # what it is, for the reader (`ExplainNode.kind_word`)
    value: str
    reason: str
    link: bool
    children: tuple[TreeNode, ...]

    @property
    def is_code(self) -> bool:
        """Names and formulas are code; an account and the parts of its balance are words."""
        return self.kind not in ("account", *NODE_WORDS)


def _tree(node: ExplainNode, rights: Rights, lang: Language) -> TreeNode:
    """The explain tree as `kpi explain` prints it, below an input fed by a ledger down to its accounts."""
    last = node.observations[-1] if node.observations else None
    reason = last.reason.text(lang) if last is not None and last.reason is not None else ""
    return TreeNode(node.label(lang), node.kind, node.kind_word(lang), value_text(node, node.value, lang), reason,
                    node.kind == "kpi" and rights.kpi(node.text), tuple(_tree(child, rights, lang) for child in node.children))


def kpi_page(snapshot: Snapshot, user: User, lang: Language, name: str, query: Mapping[str, str], store: AlertStore | None) -> dict[str, Any]:
    definitions = snapshot.pack.definitions
    rights = rights_of(user, definitions)
    if name not in definitions.kpis or not rights.kpi(name):
        raise NotVisible(name)
    entities = [e for e in snapshot.evaluation.entities if rights.entity(e)]
    entity = query.get("entity") or (entities[0] if entities else None)
    _check_entity(snapshot, rights, entity)
    filters = read_filters({"period": query.get("period", "")})
    report = _report(snapshot, _view_definitions(definitions, rights, only=[name]), _narrowed(rights, entity), ReportOptions(lang=lang))
    section = report.sections[0] if report else None
    line = section.lines[0] if section and section.lines else None
    period = filters.period or (line.current.period if line and line.current else None)
    tree = None
    if period is not None:
        try:
            tree = _tree(with_formula_units(snapshot.pack.explain(snapshot.facts, name, period, entity)), rights, lang)
        except KeyError:
            raise NotVisible(str(period)) from None
    kpi = definitions.kpis[name]
    owner = definitions.owners.get(kpi.owner)
    alerts = _alerts(store, rights, Filters(kpi=name, entity=entity or "")) if store else []
    return {
        "kpi": kpi, "section": section, "line": line, "entity": entity, "entities": entities, "period": period,
        "label": kpi.label.get(lang, name), "owner": owner.display_name if owner else kpi.owner,
        "frequency": frequency_word(kpi.frequency.value, lang), "tree": tree,
        "periods": [str(r.period) for r in reversed(line.history)] if line else [],
        "chart": chart_data(section.lines, section.unit, lang) if section else "",
        "alerts": alerts, "has_store": store is not None, "labels": {name: kpi.label.get(lang, name)},
    }


def _alerts(store: AlertStore, rights: Rights, filters: Filters) -> list[StoredAlert]:
    """The alerts the user may read: open before resolved, the most severe first, the latest period first."""
    found = sorted((alert for alert in store.alerts(filters) if rights.alert(alert)), key=lambda a: a.key.period, reverse=True)
    return sorted(found, key=lambda a: (a.status == "resolved", -SEVERITY_RANK.get(a.severity, 0)))


def alerts_page(snapshot: Snapshot, user: User, lang: Language, state: str | None, store: AlertStore | None) -> dict[str, Any]:
    if state is not None and state not in ALERT_STATES:
        raise BadFilter(f"state {state!r}")
    definitions = snapshot.pack.definitions
    rights = rights_of(user, definitions)
    alerts: list[StoredAlert] = []
    history: list[HistoryEntry] = []
    if store is not None:
        alerts = _alerts(store, rights, Filters(status=state))
        history = [entry for entry in store.history() if rights.alert(entry.alert)][-HISTORY_SHOWN:][::-1]
    return {"alerts": alerts, "history": history, "state": state, "states": ALERT_STATES, "has_store": store is not None,
            "labels": {name: kpi.label.get(lang, name) for name, kpi in definitions.kpis.items() if rights.kpi(name)}}


def acknowledge(snapshot: Snapshot, user: User, fingerprint: str, store: AlertStore | None, now: datetime, note: str, action: str) -> dict[str, Any]:
    """Record the user's acknowledgement of the alert of exactly this fingerprint; NotVisible when they may not read it
    or act on it (a viewer), so a refusal says no more than a missing alert."""
    rights = rights_of(user, snapshot.pack.definitions)
    found = store is not None and any(a.fingerprint == fingerprint and rights.alert(a) for a in store.alerts())
    if store is None or not found or not user.may_acknowledge:
        raise NotVisible(fingerprint)
    store.acknowledge(fingerprint, user.login, now, note, action)
    return {}


def helpers(lang: Language) -> dict[str, Any]:
    """Formatting functions every template uses, in the reader's language."""
    return {
        "value": lambda v, unit: format_value(v, unit, lang),
        "figures": lambda result, unit: (
            format_result(result.value, result.target, result.gap, unit, lang) if result else (format_value(None, unit, lang), "", "")
        ),
        "status_word": lambda s: status_word(s, lang),
        "severity_word": lambda s: severity_word(s, lang),
        "frequency_word": lambda f: frequency_word(f, lang),
        "alert_text": lambda alert: alert.text(lang),
        "moment": lambda text: _moment(text, lang),
    }


def _moment(stamp: str, lang: Language) -> str:
    """A time of the alert store (`2025-04-02T09:00:00Z`) as the reader writes it, to the minute, as the notifications do."""
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    return moment_words(moment, lang)

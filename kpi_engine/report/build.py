"""Reports people read: an evaluation and its definitions -> a report model -> HTML or Markdown.

Two stages, like the rest of the engine:
    build_report   Evaluation x Definitions x ReportOptions -> Report (frozen dataclasses,
                   exact Decimal values straight from the evaluation's results)
    render_html    Report -> one self-contained HTML file (Jinja2 template, inline SVG charts)
    render_markdown Report -> text to paste into an email or a wiki
    (pdf.py prints the HTML to a PDF with headless Chromium)

The report speaks to readers, not to the pack's author: the company's name, owners by
their names, periods as `juin 2025`, formulas in words (`wording.py`), one chart scale
per KPI across entities, and KPIs without any data listed once by reason.

Nothing here touches files or the clock: the templates are package data, and
the CLI (`cli/report.py`) reads the pack and facts and writes the output.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache, reduce
from typing import Literal, get_args

import jinja2
from markupsafe import Markup

from ..alerts import Alert, alert_order
from ..company import Company
from ..comparisons import COLUMN_WORDS, SCORECARD, ScoreCell, score_cell
from ..entities import member_graph, reading_order
from ..errors import KpiError, Location, Problem, Worded, closest
from ..escaping import markdown_code, markdown_text
from ..formatting import (
    Language,
    date_words,
    format_result,
    format_value,
    frequency_word,
    period_name,
    severity_word,
    status_word,
)
from ..model import Audience, Definitions, KpiDef
from ..nodes import Name, Node, to_text, walk
from ..periods import FREQUENCIES, Period
from ..reasons import Reason
from ..results import STATUSES, UNDEFINED, Evaluation, Result, Status
from . import charts
from .wording import formula_in_words

ReportFormat = Literal["html", "markdown"]
FORMATS: tuple[ReportFormat, ...] = get_args(ReportFormat)
_NO_DATA = {"fr": "aucune période évaluée", "en": "no period evaluated"}
_OTHER_THEME = {"fr": "Autres", "en": "Other"}
SPARK_PERIODS = 12  # how many periods a scorecard sparkline shows


class ReportError(KpiError):
    """A report option names something the pack does not have; `choices` are the valid names.
    `message` is the English, `text(lang)` the reader's language."""

    def __init__(self, option: str, cause: Worded, choices: Sequence[str] = ()) -> None:
        super().__init__([Problem.of(Location("report options"), cause)])
        self.option = option
        self.cause = cause
        self.message = cause.text("en")
        self.choices = tuple(choices)

    def text(self, lang: Language = "en") -> str:
        return self.cause.text(lang)

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class ReportOptions:
    """What to report: which KPIs (audience or owner, frequency), as of which period, in which language."""

    lang: Language = "fr"
    period: Period | None = None
    audience: str | None = None
    owner: str | None = None
    frequency: str | None = None
    entity: str | None = None  # one entity or group only (None: every entity); its name, label or group mark then in the scope
    title: str = ""  # replaces the default title; the company's name stays in the header
    sources: tuple[str, ...] = ()
    generated: str = ""  # a date passed in by the caller; the core never reads the clock


# --- the report model ---------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One KPI for one entity: its result at the report period and its history, oldest first."""

    kpi: str
    entity: str | None
    label: str
    unit: str
    owner: str  # the role, as the KPI names it
    current: Result | None
    history: tuple[Result, ...]
    lang: Language = "en"
    owner_name: str = ""  # who the role is, from the pack's owners directory ("" when it has none)
    entity_label: str = ""  # the entity as the pack's `entities:` names it, else its name
    is_group: bool = False  # the entity is a group: its line is the total of its members' lines just above
    cells: Mapping[str, ScoreCell] = field(default_factory=dict)  # its references (`comparisons.SCORECARD`) it has, for the scorecard

    @property
    def who(self) -> str:
        """The owner as a reader knows them: the display name, else the role."""
        return self.owner_name or self.owner

    @property
    def status(self) -> str:
        return self.current.status if self.current else UNDEFINED

    @property
    def reason(self) -> str:
        """Why the current value is undefined, in the report's language."""
        return self.current.reason(self.lang) if self.current else ""


@dataclass(frozen=True)
class KpiSection:
    """The detail of one KPI in a report: charts, formula in words and as written, owner, frequency, description."""

    kpi: str
    label: str
    formula: str  # as written, for the detail block
    formula_words: str  # with labels, for readers
    glossary: tuple[tuple[str, str], ...]  # (name in the formula, its label)
    owner: str  # as a reader knows them (display name, else role)
    frequency: str
    description: str
    unit: str
    direction: str
    target: str  # the target in words (`Budget de ventes`, `6 %`), "" when none
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Theme:
    """KPIs grouped under one theme (their first tag): its scorecard lines and its detail sections."""

    name: str
    title: str
    lines: tuple[Line, ...]
    sections: tuple[KpiSection, ...] = ()

    @property
    def comparisons(self) -> tuple[str, ...]:
        """The references besides the target its scorecard shows (budget, year_ago, ytd): those at least one of
        its lines has (the others would be empty columns)."""
        return tuple(name for name in SCORECARD if name != "target" and any(name in line.cells for line in self.lines))

    @property
    def groups(self) -> list[tuple[Line, ...]]:
        """The lines of each KPI together (one per entity), in order."""
        groups: dict[str, list[Line]] = {}
        for line in self.lines:
            groups.setdefault(line.kpi, []).append(line)
        return [tuple(group) for group in groups.values()]


@dataclass(frozen=True)
class Heatmap:
    """Status of KPIs by period for one frequency: rows are lines, columns periods."""

    frequency: str
    periods: tuple[Period, ...]
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class WithoutData:
    """KPIs with no value at any period for any entity, for one reason: listed once, not repeated as empty boxes."""

    reason: str
    labels: tuple[str, ...]


@dataclass(frozen=True)
class Summary:
    """How many KPIs met, missed, had no target or were undefined at the report period."""

    counts: Mapping[Status, int]
    alerts: tuple[Alert, ...]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class Report:
    """Everything a report shows, in its language, ready to render."""

    title: str
    scope: str  # audience, owner or "all KPIs", and the frequency
    lang: Language
    as_of: Period | None
    summary: Summary
    themes: tuple[Theme, ...]  # KPIs with a value somewhere; the others are in `without_data`
    heatmaps: tuple[Heatmap, ...]
    has_entities: bool
    sources: tuple[str, ...] = ()
    generated: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)  # KPI name -> label, for alerts
    entity_labels: Mapping[str, str] = field(default_factory=dict)  # entity -> its label from `entities:`, with the group mark
    company: Company = field(default_factory=Company)
    owner_names: Mapping[str, str] = field(default_factory=dict)  # role -> display name, for alerts
    without_data: tuple[WithoutData, ...] = ()

    @property
    def sections(self) -> tuple[KpiSection, ...]:
        """The detail sections, theme by theme."""
        return tuple(section for theme in self.themes for section in theme.sections)

    @property
    def without_data_count(self) -> int:
        return sum(len(group.labels) for group in self.without_data)


# --- choosing KPIs ------------------------------------------------------------


def audience_members(audience: Audience, definitions: Definitions) -> list[str]:
    """KPIs listed by name, or with one of the audience's tags, or owned by one of its owners."""
    return [
        name
        for name, kpi in definitions.kpis.items()
        if name in audience.kpis or set(kpi.tags) & set(audience.tags) or (kpi.owner and kpi.owner in audience.owners)
    ]


def owners(definitions: Definitions) -> list[str]:
    """Every owner named by the pack's KPIs, sorted."""
    return sorted({kpi.owner for kpi in definitions.kpis.values() if kpi.owner})


def select_kpis(definitions: Definitions, options: ReportOptions) -> list[str]:
    """The KPIs the options ask for, in definition order; ReportError when a name is unknown."""
    names = list(definitions.kpis)
    if options.audience is not None:
        audience = definitions.audiences.get(options.audience)
        if audience is None:
            raise _unknown("audience", options.audience, sorted(definitions.audiences))
        names = audience_members(audience, definitions)
    if options.owner is not None:
        valid = owners(definitions)
        if options.owner not in valid:
            raise _unknown("owner", options.owner, valid)
        names = [n for n in names if definitions.kpis[n].owner == options.owner]
    if options.frequency is not None:
        if options.frequency not in FREQUENCIES:
            raise _unknown("frequency", options.frequency, FREQUENCIES)
        names = [n for n in names if definitions.kpis[n].frequency.value == options.frequency]
    if not names:
        raise ReportError("", Reason.of("no_kpi_matches", selection=_describe(options)))
    return names


def _unknown(option: str, value: str, choices: Sequence[str]) -> ReportError:
    listed = ", ".join(choices) if choices else Reason.of("none_defined")
    same_letters = next((choice for choice in choices if choice.lower() == value.lower()), None)
    hint = same_letters or closest(value, choices)
    return ReportError(option, Reason.of(f"unknown_{option}", name=value, hint=hint, listed=listed), choices)


def _describe(options: ReportOptions) -> Reason:
    """`audience 'daf' and owner 'cfo'`, or `the pack` when nothing is selected."""
    chosen = (("audience", options.audience), ("owner", options.owner), ("frequency", options.frequency))
    parts = [Reason.of(f"selected_{key}", name=value) for key, value in chosen if value]
    return reduce(lambda first, second: Reason.of("both", first=first, second=second), parts) if parts else Reason.of("the_pack")


# --- building the report ------------------------------------------------------


def build_report(evaluation: Evaluation, definitions: Definitions, options: ReportOptions = ReportOptions()) -> Report:
    """The report model: every number is the evaluation's own Result, never recomputed."""
    names = select_kpis(definitions, options)
    lang = options.lang
    lines = _lines(evaluation, definitions, names, options)
    by_kpi: dict[str, list[Line]] = {}
    for line in lines:
        by_kpi.setdefault(line.kpi, []).append(line)
    current = {(line.kpi, line.entity, line.current.period) for line in lines if line.current}
    alerts = sorted((a for a in evaluation.alerts if a.active and (a.kpi, a.entity, a.period) in current), key=alert_order)
    counts = {status: sum(1 for line in lines if line.status == status) for status in STATUSES}
    empty = [name for name in names if not any(r.value is not None for line in by_kpi.get(name, ()) for r in line.history)]
    shown = [line for line in lines if line.kpi not in empty]
    sections = {name: _section(definitions.kpis[name], definitions, tuple(by_kpi.get(name, ())), lang) for name in names}
    return Report(
        title=options.title or _TITLES[lang],
        scope=_scope(definitions, options),
        lang=lang,
        as_of=_as_of(options, lines),
        summary=Summary(counts, tuple(alerts)),
        themes=_themes(definitions, shown, sections, lang),
        heatmaps=_heatmaps(definitions, shown),
        has_entities=options.entity is None and any(line.entity is not None for line in lines),  # one entity: named in the scope
        sources=options.sources,
        generated=options.generated,
        labels={name: definitions.kpis[name].label.get(lang, name) for name in names},
        entity_labels={str(entity): entity_label(definitions, entity, lang, marked=True) for entity in evaluation.entities if entity is not None},
        company=definitions.company,
        owner_names={role: owner.name for role, owner in definitions.owners.items() if owner.name},
        without_data=_without_data(definitions, [tuple(by_kpi.get(name, ())) for name in empty], lang),
    )


_TITLES = {"fr": "Tableau de bord des indicateurs", "en": "KPI scorecard"}


def _lines(evaluation: Evaluation, definitions: Definitions, names: Sequence[str], options: ReportOptions) -> list[Line]:
    wanted = set(names)
    history: dict[tuple[str, str | None], list[Result]] = {}
    for result in evaluation.results:
        if result.kpi in wanted and (options.period is None or result.period.end <= options.period.end):
            history.setdefault((result.kpi, result.entity), []).append(result)
    entities = [e for e in reading_order(definitions.entities, evaluation.entities) if options.entity is None or e == (options.entity or None)]
    groups = member_graph(definitions.entities)
    lines = []
    for name in names:
        kpi = definitions.kpis[name]
        for entity in entities:
            results = tuple(sorted(history.get((name, entity), ()), key=lambda r: r.period.sort_key()))
            current = results[-1] if results else None
            cells = {} if current is None else {
                ref: cell for ref in SCORECARD
                if (cell := score_cell(ref, current.value, current.target, current.compared, kpi.unit, kpi.direction, options.lang)) is not None
            }
            lines.append(Line(name, entity, kpi.label.get(options.lang, name), kpi.unit, kpi.owner, current, results, options.lang,
                              owner_name=_owner_name(definitions, kpi.owner), entity_label=entity_label(definitions, entity, options.lang),
                              is_group=entity in groups, cells=cells))
    return lines


_GROUP_MARK = {"fr": "groupe", "en": "group"}


def entity_label(definitions: Definitions, entity: str | None, lang: Language, marked: bool = False) -> str:
    """The entity as the pack's `entities:` names it (`Boutique de Bordeaux`), else its name; `marked`: a group
    followed by the word (`Groupe Durand (groupe)`), for places that cannot set it apart otherwise."""
    declared = definitions.entities.get(entity or "")
    label = declared.label.get(lang, entity or "") if declared else entity or ""
    return f"{label} ({_GROUP_MARK[lang]})" if marked and declared is not None and declared.is_group else label


def _owner_name(definitions: Definitions, role: str) -> str:
    owner = definitions.owners.get(role)
    return owner.name if owner else ""


def _scope(definitions: Definitions, options: ReportOptions) -> str:
    lang = options.lang
    if options.audience is not None:
        scope = definitions.audiences[options.audience].label.get(lang, options.audience)
    elif options.owner is not None:
        who = _owner_name(definitions, options.owner) or options.owner
        scope = f"Responsable : {who}" if lang == "fr" else f"Owner: {who}"
    else:
        scope = "Tous les indicateurs" if lang == "fr" else "All KPIs"
    if options.frequency is not None:
        scope += f" · {frequency_word(options.frequency, lang)}"
    if options.entity is not None:
        scope += f" · {entity_label(definitions, options.entity, lang, marked=True) or ('sans entité' if lang == 'fr' else 'no entity')}"
    return scope


def _as_of(options: ReportOptions, lines: Sequence[Line]) -> Period | None:
    if options.period is not None:
        return options.period
    ends = [line.current.period for line in lines if line.current]
    # the latest end, and among periods ending that day the finest (2025-12 rather than 2025-Q4)
    return max(ends, key=lambda p: (p.end, -FREQUENCIES.index(p.frequency.value))) if ends else None


def _themes(definitions: Definitions, lines: Sequence[Line], sections: Mapping[str, KpiSection], lang: Language) -> tuple[Theme, ...]:
    groups: dict[str, list[Line]] = {}
    for line in lines:
        tags = definitions.kpis[line.kpi].tags
        groups.setdefault(tags[0] if tags else "", []).append(line)
    ordered = sorted(groups.items(), key=lambda item: (item[0] == "", item[0]))
    return tuple(
        Theme(name, theme_title(name, lang, definitions), tuple(group), tuple(sections[kpi] for kpi in dict.fromkeys(line.kpi for line in group)))
        for name, group in ordered
    )


def _without_data(definitions: Definitions, empty: Sequence[tuple[Line, ...]], lang: Language) -> tuple[WithoutData, ...]:
    """KPIs without any value, grouped by why (the first missing fact, named by its label), in definition order."""
    groups: dict[str, list[str]] = {}
    for lines in empty:
        first = lines[0] if lines else None
        groups.setdefault(_why(first, definitions, lang), []).append(first.label if first else "")
    return tuple(WithoutData(reason, tuple(labels)) for reason, labels in groups.items())


_MISSING = {"fr": "donnée manquante « {} »", "en": "missing fact '{}'"}
_BEFORE_DATA = {"fr": "période antérieure aux premières données", "en": "period before the first data"}


def _why(line: Line | None, definitions: Definitions, lang: Language) -> str:
    """The reason a KPI has no value, without its period or entity, so KPIs missing the same fact group together."""
    if line is None or line.current is None:
        return _NO_DATA[lang]
    cause = line.current.cause
    while cause is not None and cause.code == "roll_up":
        nested = dict(cause.params).get("cause")
        cause = nested if isinstance(nested, Reason) else None
    if cause is None:
        return line.current.reason(lang)
    params = dict(cause.params)
    if cause.code in ("missing_fact", "not_split"):
        name = str(params.get("name", ""))
        known = definitions.inputs.get(name) or definitions.kpis.get(name)
        return _MISSING[lang].format(known.label.get(lang, name) if known else name)
    if cause.code == "before_data":
        return _BEFORE_DATA[lang]
    return cause.text(lang)


def theme_title(tag: str, lang: Language, definitions: Definitions | None = None) -> str:
    """The theme's label from the pack's `themes:`, else the tag made readable."""
    if not tag:
        return _OTHER_THEME[lang]
    label = definitions.themes.get(tag) if definitions else None
    return label.get(lang) if label else tag.replace("_", " ").replace("-", " ").capitalize()


def _section(kpi: KpiDef, definitions: Definitions, lines: tuple[Line, ...], lang: Language) -> KpiSection:
    return KpiSection(
        kpi=kpi.name,
        label=kpi.label.get(lang, kpi.name),
        formula=to_text(kpi.formula.node),
        formula_words=formula_in_words(kpi.formula.node, _labels(kpi.formula.node, definitions, lang), lang),
        glossary=_glossary(kpi, definitions, lang),
        owner=_owner_name(definitions, kpi.owner) or kpi.owner,
        frequency=kpi.frequency.value,
        description=kpi.description,
        unit=kpi.unit,
        direction=kpi.direction,
        target=formula_in_words(kpi.target.node, _labels(kpi.target.node, definitions, lang), lang) if kpi.target else "",
        lines=lines,
    )


def _glossary(kpi: KpiDef, definitions: Definitions, lang: Language) -> tuple[tuple[str, str], ...]:
    """The inputs and KPIs a formula names, with their labels, so a reader can decode it."""
    return tuple(_labels(kpi.formula.node, definitions, lang).items())


def _labels(formula: Node, definitions: Definitions, lang: Language) -> dict[str, str]:
    """Each input or KPI a formula names -> its label, in the order the formula names them."""
    seen: dict[str, str] = {}
    for node in walk(formula):
        if isinstance(node, Name) and node.id not in seen:
            known = definitions.inputs.get(node.id) or definitions.kpis.get(node.id)
            if known is not None:
                seen[node.id] = known.label.get(lang, node.id)
    return seen


def _heatmaps(definitions: Definitions, lines: Sequence[Line]) -> tuple[Heatmap, ...]:
    maps = []
    for frequency in FREQUENCIES:
        chosen = tuple(line for line in lines if definitions.kpis[line.kpi].frequency.value == frequency)
        periods = sorted({r.period for line in chosen for r in line.history}, key=Period.sort_key)
        if chosen and periods:
            maps.append(Heatmap(frequency, tuple(periods), chosen))
    return tuple(maps)


# --- words and numbers for display --------------------------------------------

def format_actual(result: Result | None, unit: str, lang: Language) -> str:
    """The value, or the word for undefined (never 0); the reason is shown beside it."""
    return _figures(result, unit, lang)[0]


def _figures(result: Result | None, unit: str, lang: Language) -> tuple[str, str, str]:
    """Value, target and gap of a result with the decimals that decide its status (`formatting.format_result`)."""
    if result is None:
        return format_value(None, unit, lang), "", ""
    return format_result(result.value, result.target, result.gap, unit, lang)


# --- rendering ----------------------------------------------------------------


@cache
def _environment(fmt: ReportFormat) -> jinja2.Environment:
    """HTML autoescaped by Jinja; Markdown escaped by `markdown_text`, Jinja's `finalize` on every `{{ }}` (one place, no field missed)."""
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("kpi_engine.report", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default_for_string=True),
        finalize=None if fmt == "html" else _markdown_finalize,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.globals["code"] = lambda text: _MarkdownCode(markdown_code(str(text)))
    return environment


class _MarkdownCode(str):
    """A code span already escaped by `markdown_code`, which `_markdown_finalize` leaves as is."""


def _markdown_finalize(value: object) -> str:
    return value if isinstance(value, _MarkdownCode) else markdown_text(str(value))


def _helpers(report: Report) -> dict[str, object]:
    lang = report.lang
    return {
        "r": report,
        "lang": lang,
        "w": _WORDS[lang],
        "statuses": STATUSES,
        "value": lambda v, unit: format_value(v, unit, lang),
        "actual": lambda line: format_actual(line.current, line.unit, lang),
        "gap": lambda result, unit: _figures(result, unit, lang)[2],
        "target": lambda result, unit: _figures(result, unit, lang)[1],
        "status_word": lambda s: status_word(s, lang),
        "severity_word": lambda s: severity_word(s, lang),
        "frequency_word": lambda f: frequency_word(f, lang),
        "period": lambda p: period_name(p, lang) if p is not None else "—",
        "day": lambda iso: date_words(date.fromisoformat(iso), lang),  # `generated` is an ISO date: `1 décembre 2026`
        "who": lambda role: report.owner_names.get(role) or role,
        "entity_name": lambda entity: report.entity_labels.get(entity, entity) if entity is not None else "",
        "no_data": _NO_DATA[lang],
        "column": lambda key: COLUMN_WORDS[key][lang],  # a comparison's heading: Budget, Écart budget, N-1, Évol. N-1...
        "title_text": " · ".join(part for part in (report.company.name, report.title, report.scope,
                                                     period_name(report.as_of, lang) if report.as_of else "") if part),
        "without_data_heading": _without_data_heading(report),
    }


def _without_data_heading(report: Report) -> str:
    """`12 indicateurs sans données :` / `12 KPIs without data:` (singular for one)."""
    count = report.without_data_count
    if report.lang == "fr":
        return f"{count} indicateur{'s' if count > 1 else ''} sans données :"
    return f"{count} KPI{'s' if count > 1 else ''} without data:"


def _chart(svg: str) -> Markup:
    """An SVG drawn by `charts`, which escapes every text it writes, so the template can insert it as is."""
    return Markup(svg)  # noqa: S704 - built by charts from escaped text


def css_string(text: str) -> Markup:
    """`text` as a quoted CSS string (for the page footer of the print stylesheet): every character but letters,
    digits and spaces written as a CSS escape, so no quote, `<` or `\\` can end the string or the style element."""
    escaped = "".join(char if char.isalnum() or char == " " else f"\\{ord(char):x} " for char in text)
    return Markup(f'"{escaped}"')  # noqa: S704 - every character that could end the string is escaped above


def render_html(report: Report) -> str:
    """The report as one self-contained HTML file (inline CSS and SVG, no external resource)."""
    lang = report.lang
    svg = {
        "sparkline": lambda line: _chart(charts.sparkline(line.history[-SPARK_PERIODS:], line.unit, lang, title=line.label)),
        "line_chart": lambda line, title, domain: _chart(charts.line_chart(line.history, line.unit, lang, title=title, domain=domain)),
        "shared_domain": lambda section: charts.shared_domain([line.history for line in section.lines]),
        "heatmap": lambda heatmap: _chart(charts.heatmap(heatmap_rows(heatmap, report), heatmap.periods, lang, _WORDS[lang]["heatmap_title"])),
        "legend": _chart(charts.legend(lang)),
        "css_string": css_string,
    }
    return _environment("html").get_template("report.html.j2").render(**_helpers(report), **svg)


def render_markdown(report: Report) -> str:
    """The report as Markdown, for an email or a wiki."""
    spark = {"sparkline": lambda line: charts.text_sparkline([r.value for r in line.history[-SPARK_PERIODS:]])}
    return _environment("markdown").get_template("report.md.j2").render(**_helpers(report), **spark)


def render(report: Report, fmt: ReportFormat) -> str:
    """The report in `fmt` (html or markdown)."""
    return render_html(report) if fmt == "html" else render_markdown(report)


def heatmap_rows(heatmap: Heatmap, report: Report) -> list[charts.HeatRow]:
    """Each line as (row label, {period: (status, tooltip)}) for the heatmap chart."""
    lang = report.lang
    rows = []
    for line in heatmap.lines:
        label = line.label if len(line.label) <= 34 else line.label[:33].rstrip() + "…"
        if report.has_entities and line.entity is not None:
            label += f" · {report.entity_labels.get(line.entity, line.entity)}"
        cells = {r.period: (r.status, _cell_tip(line, r, lang)) for r in line.history}
        rows.append(charts.HeatRow(label, cells))
    return rows


def _cell_tip(line: Line, result: Result, lang: Language) -> str:
    value, target, _ = _figures(result, line.unit, lang)
    text = f"{line.label}, {period_name(result.period, lang)}{charts.colon(lang)}{value}"
    if result.target is not None:
        text += f" / {target}"
    text += f" ({status_word(result.status, lang)})"
    return f"{text}{charts.colon(lang)}{result.reason(lang)}" if result.error else text


_WORDS = {
    "fr": {
        "summary": "Synthèse", "as_of": "Situation au", "scope": "Périmètre", "alerts": "Alertes", "no_alerts": "Aucune alerte sur la période.",
        "scorecard": "Tableau de bord", "kpi": "Indicateur", "entity": "Entité", "group": "groupe", "period": "Période", "target": "Cible",
        "actual": "Réalisé", "gap": "Écart", "status": "Statut", "trend": "Tendance", "owner": "Responsable",
        "frequency": "Fréquence", "formula": "Formule", "where": "où", "details": "Détail par indicateur",
        "heatmap": "Statuts par période", "heatmap_title": "Statut des indicateurs par période", "severity": "Gravité",
        "message": "Message", "kpis": "indicateurs", "sources": "Sources", "generated": "Édité le", "reason": "raison",
        "higher_is_better": "plus haut est mieux", "lower_is_better": "plus bas est mieux", "undefined_note": "Valeurs indéfinies",
        "description": "Description", "target_formula": "Cible", "formula_written": "Formule telle qu'écrite dans le pack",
        "siren": "SIREN",
    },
    "en": {
        "summary": "Summary", "as_of": "As of", "scope": "Scope", "alerts": "Alerts", "no_alerts": "No alert for the period.",
        "scorecard": "Scorecard", "kpi": "KPI", "entity": "Entity", "group": "group", "period": "Period", "target": "Target",
        "actual": "Actual", "gap": "Gap", "status": "Status", "trend": "Trend", "owner": "Owner",
        "frequency": "Frequency", "formula": "Formula", "where": "where", "details": "KPI details",
        "heatmap": "Status by period", "heatmap_title": "KPI status by period", "severity": "Severity",
        "message": "Message", "kpis": "KPIs", "sources": "Sources", "generated": "Generated on", "reason": "reason",
        "higher_is_better": "higher is better", "lower_is_better": "lower is better", "undefined_note": "Undefined values",
        "description": "Description", "target_formula": "Target", "formula_written": "Formula as written in the pack",
        "siren": "SIREN",
    },
}


def rows_of(report: Report) -> Iterable[Line]:
    """Every line of the report, theme by theme (for tests and embedding tools)."""
    for theme in report.themes:
        yield from theme.lines

"""Charts as inline SVG text, drawn in Python: no browser, no JavaScript, no external font.

    sparkline   the last periods of one KPI, the target dashed, the last point in its status colour
    line_chart  all periods against the target line, each point coloured by status, gaps where undefined;
                the charts of one KPI's entities share one scale (`shared_domain`) so they compare side by side
    heatmap     rows of KPIs x columns of periods, one coloured cell per status
    legend      the status colours, for the heatmap

Every chart is an `<svg role="img">` with a `<title>`, and every point or cell
has its own `<title>` tooltip. Scales and axis ticks are computed in exact
Decimal arithmetic (in `_GEOMETRY`, a context wide enough for any value a pack can
hold), and only the resulting pixel positions, between 0 and the chart's size,
become floats: a value of 1e400 or a span from -1e308 to 1e308 is drawn, never
an overflow. Tick labels are exact: as many decimals as the tick step needs, and
powers of ten (`1,5×10³⁰⁸ €`) where plain digits would not fit an axis.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import MAX_EMAX, MIN_EMIN, ROUND_FLOOR, Context, Decimal, DivisionByZero, InvalidOperation
from html import escape

from ..formatting import (
    Language,
    currency_symbol,
    format_number,
    format_result,
    format_value,
    is_percent,
    period_name,
    status_word,
)
from ..periods import Frequency, Period
from ..results import MET, MISSED, NO_TARGET, UNDEFINED, Result, Status

STATUS_COLOURS = {MET: "#2e7d32", MISSED: "#c62828", NO_TARGET: "#78909c", UNDEFINED: "#eceff1"}
INK, MUTED, GRID, LINE, TARGET = "#263238", "#607d8b", "#e3e8ec", "#1f4e79", "#37474f"
_MONTHS = {
    "fr": ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}
_TARGET_WORD = {"fr": "cible", "en": "target"}


@dataclass(frozen=True)
class HeatRow:
    """One row of the status heatmap: a KPI (and entity) and its status per period."""

    label: str
    cells: Mapping[Period, tuple[str, str]]  # period -> (status, tooltip)


_GEOMETRY = Context(prec=28, Emax=MAX_EMAX, Emin=MIN_EMIN, traps=[InvalidOperation, DivisionByZero])
"""Scale arithmetic: 28 digits place a point to far under a pixel, and no exponent a value can have overflows."""


@dataclass(frozen=True)
class _Scale:
    """Maps values in [low, high] to pixels in [bottom, top] (SVG y grows downwards); exact until the pixel."""

    low: Decimal
    high: Decimal
    bottom: float
    top: float

    def __call__(self, value: Decimal) -> float:
        share = _GEOMETRY.divide(_GEOMETRY.subtract(value, self.low), _GEOMETRY.subtract(self.high, self.low))
        return self.bottom - float(share) * (self.bottom - self.top)


# --- small helpers ------------------------------------------------------------


def _svg(width: float, height: float, css_class: str, title: str, body: Sequence[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {css_class}" role="img" aria-label="{escape(title)}" '
        f'width="{width:g}" height="{height:g}" viewBox="0 0 {width:g} {height:g}">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def _numbers(values: Sequence[Decimal | bool | None]) -> list[Decimal | None]:
    """Plotted values; a condition's true/false has no place on an axis, nor has a value that is not a finite number."""
    return [v if isinstance(v, Decimal) and v.is_finite() else None for v in values]


Domain = tuple[Decimal, Decimal]


def shared_domain(histories: Sequence[Sequence[Result]]) -> Domain:
    """One value range covering every history's values and targets: the charts of a KPI's entities drawn on it
    compare at a glance (a shop twice the size of the other looks twice as high)."""
    return _domain([n for history in histories for r in history for n in _numbers([r.value, r.target])])


def _domain(numbers: Sequence[Decimal | None]) -> Domain:
    known = [n for n in numbers if n is not None]
    if not known:
        return Decimal(0), Decimal(1)
    low, high = min(known), max(known)
    if _GEOMETRY.subtract(high, low) <= _GEOMETRY.multiply(high.copy_abs(), Decimal("1e-6")):  # equal, or too close to label apart on an axis
        pad = _GEOMETRY.divide(high.copy_abs(), 10) or Decimal(1)
        return _GEOMETRY.subtract(low, pad), _GEOMETRY.add(high, pad)
    return low, high


def _segments(points: Sequence[tuple[float, float | None]]) -> list[list[tuple[float, float]]]:
    """Runs of consecutive defined points: an undefined value breaks the line, it never drops to 0."""
    runs: list[list[tuple[float, float]]] = [[]]
    for x, y in points:
        if y is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append((x, y))
    return [run for run in runs if run]


def _path(run: Sequence[tuple[float, float]]) -> str:
    return "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in run)


def _nice_step(span: Decimal, count: int) -> Decimal:
    """The smallest of 1, 2, 2.5, 5 or 10 times a power of ten that cuts `span` into at most `count` steps."""
    raw = _GEOMETRY.divide(span, max(count, 1))
    power = Decimal(1).scaleb(raw.adjusted(), _GEOMETRY)
    return next(step for m in ("1", "2", "2.5", "5", "10") if (step := _GEOMETRY.multiply(Decimal(m), power)) >= raw)


def _ticks(low: Decimal, high: Decimal, count: int = 4) -> tuple[list[Decimal], Decimal]:
    """Exact multiples of a nice step covering [low, high], and that step; at most 50 ticks."""
    step = _nice_step(_GEOMETRY.subtract(high, low), count)
    first = _GEOMETRY.multiply(_GEOMETRY.divide(low, step).to_integral_value(ROUND_FLOOR, _GEOMETRY), step)
    steps = _GEOMETRY.divide(_GEOMETRY.subtract(_GEOMETRY.add(high, _GEOMETRY.divide(step, 2)), first), step).to_integral_value(ROUND_FLOOR, _GEOMETRY)
    return [_GEOMETRY.add(first, _GEOMETRY.multiply(step, index)) for index in range(min(int(steps) + 1, 50))], step


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
_MAX_PLACES = 6  # more decimals than this, or a million M or more, and a label is written with a power of ten
_MANTISSA_PLACES = 8  # enough for every tick: `_domain` keeps a span above a millionth of the values' size


def _places(step: Decimal) -> int:
    """How many decimals show every multiple of `step` exactly."""
    return max(0, -int(step.normalize(_GEOMETRY).as_tuple().exponent))


def compact(value: Decimal, unit: str, lang: Language, step: Decimal | None = None) -> str:
    """A short, exact axis label: `1,2 M€`, `250 k€`, `7,5 %`, `1,5×10³⁰⁸ €` in French; `€1.2M`, `€250k`, `7.5%` in English.

    `step` is the axis step: the label has the decimals the step needs, so two ticks never
    read the same; without it, one decimal below 10.
    """
    percent = is_percent(unit)
    number = _GEOMETRY.multiply(value, 100) if percent else value
    size = _GEOMETRY.multiply(step, 100) if percent and step is not None else step
    suffix, divisor = ("", 0) if percent or number.copy_abs() < 10_000 else ("k", 3) if number.copy_abs() < 1_000_000 else ("M", 6)
    scaled = number.scaleb(-divisor, _GEOMETRY)
    places = _label_places(scaled, None if size is None else size.scaleb(-divisor, _GEOMETRY))
    if not number:
        text, suffix = "0", ""
    elif scaled.adjusted() >= 6 or places > _MAX_PLACES:
        exponent = number.adjusted()
        places = min(_places(size.scaleb(-exponent, _GEOMETRY)), _MANTISSA_PLACES) if size is not None else 1
        mantissa = format_number(number.scaleb(-exponent, _GEOMETRY), places, lang)
        text, suffix = f"{mantissa}×10{str(exponent).translate(_SUPERSCRIPT)}", ""
    else:
        text = format_number(scaled, places, lang)
    return _with_unit(text, suffix, "%" if percent else currency_symbol(unit), lang)


def _label_places(scaled: Decimal, step: Decimal | None) -> int:
    """The decimals an axis step needs; without a step, one decimal for a fraction below 10."""
    if step is not None:
        return _places(step)
    return 1 if scaled != scaled.to_integral_value(context=_GEOMETRY) and scaled.copy_abs() < 10 else 0


def _with_unit(number: str, suffix: str, symbol: str, lang: Language) -> str:
    if symbol == "%":
        return f"{number} %" if lang == "fr" else f"{number}%"
    if lang == "fr":
        return f"{number} {suffix}{symbol}".rstrip()
    if number.startswith("-"):
        return f"-{symbol}{number[1:]}{suffix}"
    return f"{symbol}{number}{suffix}"


def period_label(period: Period, lang: Language) -> str:
    """`janv. 25`, `T1 25`, `Jan 25`, `Q1 25`; a fiscal quarter with its fiscal year, `T1 ex. 25`, `Q1 FY25`;
    other frequencies as written."""
    if period.frequency is Frequency.MONTHLY:
        return f"{_MONTHS[lang][period.start.month - 1]} {period.start.year % 100:02d}"
    if period.frequency is Frequency.QUARTERLY:
        quarter = f"{'T' if lang == 'fr' else 'Q'}{period.ordinal % 4 + 1}"
        if period.is_fiscal:  # named by the year it ends in, as `FY2025-Q1` is
            return f"{quarter} {'ex. ' if lang == 'fr' else 'FY'}{period.fiscal_year % 100:02d}"
        return f"{quarter} {period.start.year % 100:02d}"
    return str(period)


def colon(lang: Language) -> str:
    """A tooltip's colon: French puts a narrow no-break space before it (`mars 2025 : 7,5 %`), English none."""
    return "\u202f: " if lang == "fr" else ": "


def _point_tip(result: Result, unit: str, lang: Language) -> str:
    text = f"{period_name(result.period, lang)}{colon(lang)}"
    value, target, _ = format_result(result.value, result.target, result.gap, unit, lang)
    text += value
    if result.target is not None:
        text += f" ({_TARGET_WORD[lang]} {target})"
    return f"{text}, {result.reason(lang)}" if result.error else text


# --- sparkline ----------------------------------------------------------------


def sparkline(history: Sequence[Result], unit: str, lang: Language, title: str = "", width: int = 120, height: int = 30) -> str:
    """The trend of the last periods: the values, the target dashed, the last point in its status colour."""
    values, targets = _numbers([r.value for r in history]), _numbers([r.target for r in history])
    label = title or "trend"
    if not any(v is not None for v in values):
        body = [f'<line x1="4" y1="{height / 2}" x2="{width - 4}" y2="{height / 2}" stroke="{GRID}" stroke-width="2" stroke-dasharray="3 3"/>']
        return _svg(width, height, "sparkline", f"{label}{colon(lang)}{format_value(None, unit, lang)}", body)
    low, high = _domain(values + targets)
    scale = _Scale(low, high, height - 4, 4)
    step = (width - 8) / max(len(history) - 1, 1)
    xs = [4 + i * step for i in range(len(history))]
    body = [f'<path d="{_path(run)}" fill="none" stroke="{TARGET}" stroke-width="1" stroke-dasharray="3 2" opacity="0.7"/>'
            for run in _segments([(x, None if t is None else scale(t)) for x, t in zip(xs, targets)])]
    body += [f'<path d="{_path(run)}" fill="none" stroke="{LINE}" stroke-width="1.6" stroke-linejoin="round"/>'
             for run in _segments([(x, None if v is None else scale(v)) for x, v in zip(xs, values)])]
    last = next(((i, value) for i, value in reversed(list(enumerate(values))) if value is not None), None)
    if last is not None:
        index, value = last
        colour = STATUS_COLOURS[history[index].status] if history[index].status != UNDEFINED else LINE
        body.append(f'<circle cx="{xs[index]:.1f}" cy="{scale(value):.1f}" r="2.8" fill="{colour}"/>')
    first, final = history[0], history[-1]
    summary = f"{label}{colon(lang)}{period_label(first.period, lang)} – {period_label(final.period, lang)}, {format_value(final.value, unit, lang)}"
    return _svg(width, height, "sparkline", summary, body)


# --- line chart ---------------------------------------------------------------


def line_chart(
    history: Sequence[Result], unit: str, lang: Language, title: str = "", width: int = 540, height: int = 210, domain: Domain | None = None
) -> str:
    """Every period of one KPI against its target line; undefined periods are marked on the axis, not drawn as 0.

    `domain` is the value range to draw (`shared_domain` of the KPI's entities); by default, this history's own."""
    left, right, top, bottom = 64, 56, 12, height - 30
    values, targets = _numbers([r.value for r in history]), _numbers([r.target for r in history])
    low, high = domain or _domain(values + targets)
    ticks, tick_step = _ticks(low, high)
    scale = _Scale(ticks[0], ticks[-1] if ticks[-1] > ticks[0] else _GEOMETRY.add(ticks[0], tick_step), bottom, top)
    step = (width - left - right) / max(len(history) - 1, 1)
    xs = [left + i * step if len(history) > 1 else (left + width - right) / 2 for i in range(len(history))]
    body = _axes(ticks, tick_step, scale, unit, lang, left, width - right)
    body += _x_labels(history, xs, bottom, lang)
    body += _target_line(targets, xs, scale, lang)
    body += [f'<path d="{_path(run)}" fill="none" stroke="{LINE}" stroke-width="2" stroke-linejoin="round"/>'
             for run in _segments([(x, None if v is None else scale(v)) for x, v in zip(xs, values)])]
    body += _points(history, values, xs, scale, bottom, unit, lang)
    return _svg(width, height, "line-chart", title or "chart", body)


def _axes(ticks: Sequence[Decimal], step: Decimal, scale: _Scale, unit: str, lang: Language, x0: float, x1: float) -> list[str]:
    parts = []
    for tick in ticks:
        y = scale(tick)
        parts.append(f'<line x1="{x0}" y1="{y:.1f}" x2="{x1}" y2="{y:.1f}" stroke="{GRID}" stroke-width="1"/>')
        parts.append(f'<text x="{x0 - 8}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="{MUTED}">{escape(compact(tick, unit, lang, step))}</text>')
    return parts


def _x_labels(history: Sequence[Result], xs: Sequence[float], bottom: float, lang: Language) -> list[str]:
    every = max(1, math.ceil(len(history) / 8))
    return [
        f'<text x="{x:.1f}" y="{bottom + 18}" text-anchor="middle" font-size="11" fill="{MUTED}">{escape(period_label(r.period, lang))}</text>'
        for index, (r, x) in enumerate(zip(history, xs))
        if (len(history) - 1 - index) % every == 0
    ]


def _target_line(targets: Sequence[Decimal | None], xs: Sequence[float], scale: _Scale, lang: Language) -> list[str]:
    runs = _segments([(x, None if t is None else scale(t)) for x, t in zip(xs, targets)])
    parts = [f'<path d="{_path(run)}" fill="none" stroke="{TARGET}" stroke-width="1.4" stroke-dasharray="6 4"/>' for run in runs]
    if runs:
        x, y = runs[-1][-1]
        parts.append(f'<text x="{x + 6:.1f}" y="{y + 4:.1f}" font-size="11" fill="{TARGET}">{_TARGET_WORD[lang]}</text>')
    return parts


def _points(
    history: Sequence[Result], values: Sequence[Decimal | None], xs: Sequence[float], scale: _Scale, bottom: float, unit: str, lang: Language
) -> list[str]:
    parts = []
    for result, value, x in zip(history, values, xs):
        tip = escape(_point_tip(result, unit, lang))
        if value is None:
            parts.append(
                f'<g><title>{tip}</title><path d="M{x - 4:.1f},{bottom - 8:.1f} l8,8 m0,-8 l-8,8" '
                f'stroke="{MUTED}" stroke-width="1.5"/></g>'
            )
        else:
            parts.append(
                f'<circle cx="{x:.1f}" cy="{scale(value):.1f}" r="3.5" fill="{STATUS_COLOURS[result.status]}" '
                f'stroke="#fff" stroke-width="1"><title>{tip}</title></circle>'
            )
    return parts


# --- heatmap ------------------------------------------------------------------


def heatmap(rows: Sequence[HeatRow], periods: Sequence[Period], lang: Language, title: str = "", label_width: int = 300, cell: int = 22) -> str:
    """One row per KPI, one column per period; a missed quarter shows as a red column."""
    header = 34
    width, height = label_width + cell * len(periods) + 4, header + cell * len(rows) + 2
    body = _heat_header(periods, label_width, cell, lang)
    for index, row in enumerate(rows):
        y = header + index * cell
        short = row.label if len(row.label) <= 48 else row.label[:47] + "…"
        body.append(
            f'<text x="{label_width - 8}" y="{y + cell * 0.68:.1f}" text-anchor="end" font-size="11.5" fill="{INK}">'
            f"<title>{escape(row.label)}</title>{escape(short)}</text>"
        )
        for column, period in enumerate(periods):
            if period in row.cells:
                body.append(_heat_cell(label_width + column * cell, y, cell, *row.cells[period]))
    return _svg(width, height, "heatmap", title or "heatmap", body)


def _heat_header(periods: Sequence[Period], x0: int, cell: int, lang: Language) -> list[str]:
    parts, year = [], None
    for column, period in enumerate(periods):
        x = x0 + column * cell + cell / 2
        if period.frequency is Frequency.YEARLY:  # a column per year: the year is the column's label, written upright
            parts.append(f'<text x="{x:.1f}" y="28" text-anchor="start" font-size="10" fill="{MUTED}" '
                         f'transform="rotate(-90 {x:.1f} 28) translate(0 3.5)">{period.year}</text>')
            continue
        if period.year != year:
            year = period.year
            parts.append(f'<text x="{x - cell / 2 + 1:.1f}" y="12" font-size="11" font-weight="600" fill="{INK}">{year}</text>')
            if column:
                parts.append(f'<line x1="{x - cell / 2:.1f}" y1="2" x2="{x - cell / 2:.1f}" y2="30" stroke="{GRID}"/>')
        parts.append(f'<text x="{x:.1f}" y="28" text-anchor="middle" font-size="10" fill="{MUTED}">{escape(_column_label(period, lang))}</text>')
    return parts


def _column_label(period: Period, lang: Language) -> str:
    if period.frequency is Frequency.MONTHLY:
        return "JFMAMJJASOND"[period.start.month - 1]
    if period.frequency is Frequency.QUARTERLY:
        return f"{'T' if lang == 'fr' else 'Q'}{period.ordinal % 4 + 1}"
    return str(period)[-2:]


def _heat_cell(x: float, y: float, cell: int, status: str, tip: str) -> str:
    stroke = ' stroke="#b0bec5" stroke-dasharray="2 2"' if status == UNDEFINED else ""
    return (
        f'<rect x="{x + 1:.1f}" y="{y + 1:.1f}" width="{cell - 2}" height="{cell - 2}" rx="3" fill="{STATUS_COLOURS[Status(status)]}"{stroke}>'
        f"<title>{escape(tip)}</title></rect>"
    )


def legend(lang: Language) -> str:
    """The status legend of the heatmap, as inline SVG."""
    words = {status: status_word(status, lang) for status in (MET, MISSED, NO_TARGET, UNDEFINED)}
    parts, x = [], 0
    for status in (MET, MISSED, NO_TARGET, UNDEFINED):
        stroke = ' stroke="#b0bec5" stroke-dasharray="2 2"' if status == UNDEFINED else ""
        parts.append(f'<rect x="{x}" y="3" width="14" height="14" rx="3" fill="{STATUS_COLOURS[status]}"{stroke}/>')
        parts.append(f'<text x="{x + 20}" y="14.5" font-size="12" fill="{INK}">{escape(words[status])}</text>')
        x += 38 + 7 * len(words[status])
    return _svg(x, 20, "legend", "legend", parts)


# --- text ---------------------------------------------------------------------

_BLOCKS = "▁▂▃▄▅▆▇█"


def text_sparkline(values: Sequence[Decimal | None]) -> str:
    """`▁▃▅▇` for email and wiki text; `·` where a value is undefined."""
    numbers = _numbers(values)
    known = [n for n in numbers if n is not None]
    if not known:
        return ""
    low, high = min(known), max(known)
    span = _GEOMETRY.subtract(high, low) or Decimal(1)
    return "".join("·" if n is None else _BLOCKS[min(7, int(_GEOMETRY.divide(_GEOMETRY.subtract(n, low), span) * 8))] for n in numbers)

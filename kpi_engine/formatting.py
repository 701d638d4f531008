"""Numbers as a reader expects them: `1 234,56 €` and `7,5 %` in French, `€1,234.56` and `7.5%` in English.

Values keep full precision everywhere else; only this module rounds, and only
for display. An undefined value is shown as a word, never as 0.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Literal, overload

from .errors import Refusal
from .numbers import round_half_up
from .periods import Frequency, Period

Language = Literal["fr", "en"]
"""The languages a reader can choose (`--lang`): everything a user reads exists in both."""

UNDEFINED_WORD = {"fr": "indéfini", "en": "undefined"}
_TRUTH_WORDS: dict[str, dict[bool, str]] = {"fr": {True: "vrai", False: "faux"}, "en": {True: "true", False: "false"}}
_CURRENCIES = {"EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF"}
_STATUS_WORDS = {
    "fr": {"met": "atteint", "missed": "manqué", "no_target": "sans cible", "undefined": "indéfini"},
    "en": {"met": "met", "missed": "missed", "no_target": "no target", "undefined": "undefined"},
}
_SEVERITY_WORDS = {
    "fr": {"critical": "critique", "warning": "attention", "info": "info"},
    "en": {"critical": "critical", "warning": "warning", "info": "info"},
}
_FREQUENCY_WORDS = {
    "fr": {"daily": "quotidien", "weekly": "hebdomadaire", "monthly": "mensuel", "quarterly": "trimestriel", "yearly": "annuel"},
    "en": {"daily": "daily", "weekly": "weekly", "monthly": "monthly", "quarterly": "quarterly", "yearly": "yearly"},
}


def period_words(period: Period, lang: Language) -> str:
    """A period as people say it: `juin 2025`, `T2 2025`, `exercice 2025`, `T1 exercice 2025` /
    `June 2025`, `Q2 2025`, `FY2025`, `FY2025 Q1`; weeks and days keep their ISO form."""
    french = lang == "fr"
    match period.frequency:
        case Frequency.MONTHLY:
            return f"{_MONTH_NAMES['fr' if french else 'en'][period.start.month - 1]} {period.start.year}"
        case Frequency.QUARTERLY:
            quarter = f"{'T' if french else 'Q'}{period.ordinal % 4 + 1}"
            if not period.is_fiscal:
                return f"{quarter} {period.start.year}"
            return f"{quarter} exercice {period.fiscal_year}" if french else f"FY{period.fiscal_year} {quarter}"
        case Frequency.YEARLY if period.is_fiscal:
            return f"exercice {period.fiscal_year}" if french else f"FY{period.fiscal_year}"
    return str(period)


def is_singular(number: int, lang: Language) -> bool:
    """Whether a count takes the singular: 0 and 1 in French (`0 fichier`, `1 fichier`), only 1 in English."""
    return number <= 1 if lang == "fr" else number == 1


def status_word(status: str, lang: Language) -> str:
    """`atteint` / `met`: a status in the reader's language."""
    return _STATUS_WORDS.get(lang, _STATUS_WORDS["en"])[status]


def severity_word(severity: str, lang: Language) -> str:
    """`critique` / `critical`: a severity in the reader's language."""
    return _SEVERITY_WORDS.get(lang, _SEVERITY_WORDS["en"]).get(severity, severity)


def frequency_word(frequency: str, lang: Language) -> str:
    """`mensuel` / `monthly`: a frequency in the reader's language."""
    return _FREQUENCY_WORDS.get(lang, _FREQUENCY_WORDS["en"]).get(frequency, frequency)


def is_percent(unit: str) -> bool:
    """Percent values are fractions (0.075 is 7.5 %)."""
    return unit in ("percent", "%")


def currency_symbol(unit: str) -> str:
    """`€` for EUR (and EUR/m2), "" for a unit that is not a currency."""
    return _CURRENCIES.get(unit.split("/")[0].upper(), "")
_DAYS = {"fr": "j", "en": "days"}


def format_number(value: Decimal, places: int, lang: Language) -> str:
    """Grouped digits with `places` decimals, halves rounded away from zero."""
    rounded = round_half_up(value, places)
    text = format(rounded, ",f")
    if rounded == 0:
        text = text.lstrip("-")
    if lang == "fr":
        text = text.replace(",", " ").replace(".", ",")
    return text


def format_value(value: Decimal | bool | None, unit: str = "", lang: Language = "fr", places: int | None = None) -> str:
    """A KPI value for display, according to its unit (a condition's value is a bool).

    `places` overrides the unit's decimals (of the percentage for a percent): `decisive_places` gives
    them when the usual rounding would hide the difference between a value and its target."""
    if value is None:
        return UNDEFINED_WORD.get(lang, "undefined")
    if isinstance(value, bool):
        return _TRUTH_WORDS[lang][value]
    shown = _usual_places(value, unit) if places is None else places
    match unit:
        case unit if is_percent(unit):
            number = format_number(value * 100, shown, lang)
            return f"{number} %" if lang == "fr" else f"{number}%"
        case unit if currency_symbol(unit):  # EUR, or EUR per something: EUR/m2
            return _with_currency(format_number(value, shown, lang), unit, lang)
        case "days" | "jours" | "j":
            return f"{format_number(value, shown, lang)} {_DAYS.get(lang, 'days')}"
        case "count" | "" | "ratio":
            return format_number(value, shown, lang)
        case _:
            return f"{format_number(value, shown, lang)} {unit}"


def format_plain_number(value: Decimal, lang: Language) -> str:
    """A number without unit (an intermediate result): two decimals, or the three significant digits of a smaller
    one (`0,0643`), never more than ten."""
    places = 2
    while places < 10 and value and abs(value) < Decimal(10) ** (2 - places):
        places += 1
    return format_number(value, places, lang)


def _usual_places(value: Decimal, unit: str) -> int:
    """The decimals a value of `unit` is shown with: 1 for percents (of the percentage) and days, 2 for amounts and
    ratios, none for a whole count."""
    if is_percent(unit) or unit in ("days", "jours", "j"):
        return 1
    if unit == "count" and value == value.to_integral_value():
        return 0
    return 2


def decisive_places(value: Decimal | bool | None, target: Decimal | None, unit: str) -> int | None:
    """The decimals that tell a value from its target when the usual ones would show them equal (`0,998` and `1,00`
    both read `1,00`, and `manqué` beside them would contradict the figures); None when the usual decimals do.

    Value, target and gap are then all shown with these decimals (`format_value`, `format_gap`), so the figures
    always agree with the status: a value that differs from its target never reads as equal to it, and a gap that
    is not 0 never reads as 0."""
    if value is None or target is None or isinstance(value, bool) or value == target:
        return None
    scale = 100 if is_percent(unit) else 1
    usual = max(_usual_places(value, unit), _usual_places(target, unit))
    places = usual
    while places < _MOST_PLACES and (
        round_half_up(value * scale, places) == round_half_up(target * scale, places) or round_half_up((value - target) * scale, places) == 0
    ):
        places += 1
    return places if places != usual else None


_MOST_PLACES = 28
"""Decimals beyond which no exact decimal of this engine differs (its context keeps 28 significant digits)."""


# what an amount is per, as the reader abbreviates it: `88,28 €/h`, `€412.50/m²`
_PER_WORDS: dict[Language, dict[str, str]] = {
    "fr": {"hours": "h", "hour": "h", "heures": "h", "heure": "h", "days": "jour", "day": "jour", "m2": "m²", "unit": "unité", "units": "unité"},
    "en": {"hours": "hour", "heures": "hour", "heure": "hour", "jours": "day", "jour": "day", "m2": "m²"},
}


def _with_currency(number: str, unit: str, lang: Language) -> str:
    """`1 234,56 €/m2` in French, `€1,234.56/m2` in English (the sign before the symbol)."""
    _, _, per = unit.partition("/")
    per = _PER_WORDS[lang].get(per.lower(), per)
    symbol, per = currency_symbol(unit), f"/{per}" if per else ""
    if lang == "fr":
        return f"{number} {symbol}{per}"
    sign, digits = ("-", number[1:]) if number.startswith("-") else ("", number)
    return f"{sign}{symbol}{digits}{per}"


@overload
def plain(value: Decimal) -> str: ...
@overload
def plain(value: Decimal | None) -> str | None: ...
def plain(value: Decimal | None) -> str | None:
    """Exact text of a value for machine-readable output (never in exponent notation, never `-0`)."""
    if value is None:
        return None
    return format(value.copy_abs() if value == 0 else value, "f")


def format_gap(gap: Decimal | None, unit: str, lang: Language, places: int | None = None) -> str:
    """A signed gap; percents as points (`+1,5 pt`), since a gap between two rates is not a rate.

    `places` as for `format_value` (`decisive_places`)."""
    if gap is None:
        return ""
    sign = "+" if gap > 0 else ""
    if is_percent(unit):
        points = format_number(gap * 100, 1 if places is None else places, lang)
        return f"{sign}{points} pt" if lang == "fr" else f"{sign}{points} pts"
    return sign + format_value(gap, unit, lang, places)


def format_result(value: Decimal | bool | None, target: Decimal | None, gap: Decimal | None, unit: str, lang: Language) -> tuple[str, str, str]:
    """A result's value, target ("" when none) and gap, with the decimals that decide its status (`decisive_places`)."""
    places = decisive_places(value, target, unit)
    return (
        format_value(value, unit, lang, places),
        "" if target is None else format_value(target, unit, lang, places),
        format_gap(gap, unit, lang, places),
    )


def localize(text: str, lang: Language) -> str:
    """A number formatted with a Python spec (`{value:,.0f}`), with French separators when reading in French."""
    if lang != "fr":
        return text
    text = text.replace(",", "\u0000").replace(".", ",").replace("\u0000", " ")
    return text[:-1] + " %" if text.endswith("%") else text


# --- for sentences: periods in words, rounded amounts, changes ------------------------------------
_MONTH_NAMES = {
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"),
}


def period_name(period: Period, lang: Language) -> str:
    """`avril 2025`, `T2 2025`, `2025`, `semaine 14 de 2025` / `April 2025`, `Q2 2025`: a period as a reader names it
    (a fiscal year or quarter as `period_words` says it: `T1 exercice 2025`, `FY2025`)."""
    if period.is_fiscal:  # `T4 exercice 2025` / `FY2025 Q4`: a fiscal quarter named as a calendar one would mislead
        return period_words(period, lang)
    start = period.start
    match period.frequency:
        case Frequency.MONTHLY:
            return f"{_MONTH_NAMES[lang][start.month - 1]} {start.year}"
        case Frequency.QUARTERLY:
            return f"{'T' if lang == 'fr' else 'Q'}{period.ordinal % 4 + 1} {start.year}"
        case Frequency.YEARLY:
            return str(start.year)
        case Frequency.WEEKLY:
            iso_year, week, _ = start.isocalendar()
            return f"semaine {week} de {iso_year}" if lang == "fr" else f"week {week} of {iso_year}"
        case _:
            return date_words(start, lang)


def date_words(day: date, lang: Language) -> str:
    """`1 décembre 2026` / `1 December 2026`: the one way a date is written for a reader (a daily period, the report's
    date, a notification's, the web's alert history)."""
    return f"{day.day} {_MONTH_NAMES[lang][day.month - 1]} {day.year}"


def moment_words(moment: datetime, lang: Language) -> str:
    """`1 décembre 2026 à 14:03 UTC` / `1 December 2026 at 14:03 UTC`: a moment to the minute (a naive one is UTC)."""
    utc = moment.astimezone(UTC) if moment.tzinfo is not None else moment
    return f"{date_words(utc.date(), lang)} {'à' if lang == 'fr' else 'at'} {utc:%H:%M} UTC"


def _folded(text: str) -> str:
    """Lower case, without accents, single spaces: `Février  2025` and `fevrier 2025` read alike."""
    decomposed = unicodedata.normalize("NFKD", " ".join(text.split()).lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


_MONTH_NUMBERS = {_folded(name): number for names in _MONTH_NAMES.values() for number, name in enumerate(names, start=1)}
# the words `period_name` writes, in both languages, folded; each a rewriting to the engine's own form
_SPOKEN_FORMS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = tuple(
    (re.compile(pattern), build)
    for pattern, build in (
        (r"(?P<month>[a-z]+) (?P<year>\d{4})", lambda m: f"{m['year']}-{_MONTH_NUMBERS[m['month']]:02d}"),
        (r"(?P<day>\d{1,2})(?:er)? (?P<month>[a-z]+) (?P<year>\d{4})", lambda m: f"{m['year']}-{_MONTH_NUMBERS[m['month']]:02d}-{m['day']:0>2}"),
        (r"[tq](?P<q>[1-4]) (?P<year>\d{4})", lambda m: f"{m['year']}-Q{m['q']}"),
        (r"[tq](?P<q>[1-4]) exercice (?P<year>\d{4})|fy ?(?P<fy>\d{4}) q(?P<fq>[1-4])", lambda m: f"FY{m['year'] or m['fy']}-Q{m['q'] or m['fq']}"),
        (r"exercice (?P<year>\d{4})|fy (?P<fy>\d{4})", lambda m: f"FY{m['year'] or m['fy']}"),
        (r"(?:semaine (?P<week>\d{1,2}) de|week (?P<wk>\d{1,2}) of) (?P<year>\d{4})", lambda m: f"{m['year']}-W{m['week'] or m['wk']:0>2}"),
    )
)


def period_from_words(text: str) -> Period | None:
    """The period `text` names in the words `period_name` writes, in either language, whatever its case and
    accents (`mars 2025`, `March 2025`, `T1 2025`, `Q1 2025`, `exercice 2025`, `T4 exercice 2025`, `FY2025 Q4`,
    `semaine 14 de 2025`, `1 décembre 2026`), so a reader can ask for what the tables and messages show; None when
    it is not written in these words, a `Refusal` when it is but no such period exists (`31 février 2025`)."""
    folded = _folded(text)
    for pattern, build in _SPOKEN_FORMS:
        match = pattern.fullmatch(folded)
        if match is None or match.groupdict().get("month", "mars") not in _MONTH_NUMBERS:  # `marss 2025` is no month
            continue
        try:
            return Period.parse(build(match))
        except Refusal as refusal:  # the user's words, not the form they were rewritten to
            raise Refusal(refusal.code, **refusal.params | {"written": " ".join(text.split())}) from None
    return None


_PERIOD_PREPOSITIONS = {
    "fr": {Frequency.QUARTERLY: "au", Frequency.DAILY: "le"},
    "en": {Frequency.DAILY: "on"},
}


def period_phrase(period: Period, lang: Language) -> str:
    """`en avril 2025`, `au T2 2025` / `in April 2025`, `in Q2 2025`: a period after a verb."""
    default = "en" if lang == "fr" else "in"
    if lang == "fr" and period.is_fiscal and period.frequency is Frequency.YEARLY:
        return f"sur l'{period_name(period, lang)}"  # sur l'exercice 2025
    return f"{_PERIOD_PREPOSITIONS[lang].get(period.frequency, default)} {period_name(period, lang)}"


_FRENCH_OF = {"en": "de", "au": "du", "le": "du"}  # `en avril` -> `d'avril`, `au T1` -> `du T1`, `le 3 mars` -> `du 3 mars`


def period_with_preposition(preposition: str, period: Period) -> str:
    """A French sentence's `au`/`en`/`sur` (place in time) or `du`/`de` (belonging) before a period, with the
    preposition this period takes: `en février 2025`, `au T1 2025`, `sur l'exercice 2025`; `de février 2025`,
    `d'avril 2025`, `du T1 2025`, `de l'exercice 2025`."""
    phrase = period_phrase(period, "fr")
    if preposition not in ("du", "de"):
        return phrase
    word, _, rest = phrase.partition(" ")
    if word == "sur":
        return f"de {rest}"
    french = _FRENCH_OF.get(word, "de")
    return f"d'{rest}" if french == "de" and rest[:1] in "aeiouyéèh" else f"{french} {rest}"


def format_rounded(value: Decimal, unit: str, lang: Language) -> str:
    """A value for a sentence (an analysis' answer, an alert message's field): as the tables show it
    (`format_value`), but an amount without cents without `,00` (`56 887 €`; `-8 145,37 €` keeps its cents),
    a whole pure number without decimals; a percent that is not 0 never shows as 0."""
    if currency_symbol(unit) and round_half_up(value, 2) == value.to_integral_value():
        return format_value(value, unit, lang, places=0)
    if is_percent(unit):
        number = format_number(value * 100, _places_shown(value * 100, 1), lang)
        return f"{number} %" if lang == "fr" else f"{number}%"
    if unit in ("", "ratio") and value == value.to_integral_value():
        return format_number(value, 0, lang)
    return format_value(value, unit, lang)


def format_change(change: Decimal, unit: str, lang: Language) -> str:
    """A signed change for a sentence: `+15 043 €`, `-2,8 pt` (a change of a rate is in points, not a rate).

    A change that is not 0 never shows as 0: more decimals are given (`+0,04 pt`)."""
    sign = "+" if change > 0 else ""
    if is_percent(unit):
        points = change * 100
        text = format_number(points, _places_shown(points, 1), lang)
        return f"{sign}{text} pt" if lang == "fr" else f"{sign}{text} pts"
    return sign + format_rounded(change, unit, lang)


def format_share(share: Decimal, lang: Language) -> str:
    """A share of a whole (0.482) as `48,2 %` / `48.2%`; a share that is not 0 never shows as 0."""
    number = format_number(share * 100, _places_shown(share * 100, 1), lang)
    return f"{number} %" if lang == "fr" else f"{number}%"


def _places_shown(value: Decimal, places: int, most: int = 10) -> int:
    """`places`, or more (up to `most`) when `value` would otherwise round to 0."""
    while value and places < most and round_half_up(value, places) == 0:
        places += 1
    return places

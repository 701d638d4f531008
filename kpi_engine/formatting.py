"""Numbers as a reader expects them: `1 234,56 €` and `7,5 %` in French, `€1,234.56` and `7.5%` in English.

Values keep full precision everywhere else; only this module rounds, and only
for display. An undefined value is shown as a word, never as 0.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal, localcontext

UNDEFINED_WORD = {"fr": "indéfini", "en": "undefined"}
_CURRENCIES = {"EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF"}
_DAYS = {"fr": "j", "en": "days"}


def round_half_up(value: Decimal, places: int) -> Decimal:
    """`value` rounded to `places` decimals (negative: tens, hundreds...), halves away from zero, as
    accountants do; exact whatever the magnitude (the precision grows with the number's digits)."""
    digits = max(28, value.adjusted() + max(places, 0) + 2)
    with localcontext(Context(prec=digits)):
        rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        return rounded if places >= 0 else rounded.quantize(Decimal(1))


def format_number(value: Decimal, places: int, lang: str) -> str:
    """Grouped digits with `places` decimals, halves rounded away from zero."""
    rounded = round_half_up(value, places)
    text = format(rounded, ",f")
    if rounded == 0:
        text = text.lstrip("-")
    if lang == "fr":
        text = text.replace(",", " ").replace(".", ",")
    return text


def format_value(value: Decimal | None, unit: str = "", lang: str = "en") -> str:
    """A KPI value for display, according to its unit."""
    if value is None:
        return UNDEFINED_WORD.get(lang, "undefined")
    if isinstance(value, bool):
        return str(value).lower()
    match unit:
        case "percent" | "%":
            number = format_number(value * 100, 1, lang)
            return f"{number} %" if lang == "fr" else f"{number}%"
        case unit if unit.split("/")[0].upper() in _CURRENCIES:  # EUR, or EUR per something: EUR/m2
            currency, _, per = unit.partition("/")
            symbol, per = _CURRENCIES[currency.upper()], f"/{per}" if per else ""
            number = format_number(value, 2, lang)
            if lang == "fr":
                return f"{number} {symbol}{per}"
            sign, digits = ("-", number[1:]) if number.startswith("-") else ("", number)
            return f"{sign}{symbol}{digits}{per}"
        case "days" | "jours" | "j":
            return f"{format_number(value, 1, lang)} {_DAYS.get(lang, 'days')}"
        case "count":
            places = 0 if value == value.to_integral_value() else 2
            return format_number(value, places, lang)
        case "" | "ratio":
            return format_number(value, 2, lang)
        case _:
            return f"{format_number(value, 2, lang)} {unit}"


def plain(value: Decimal | None) -> str | None:
    """Exact text of a value for machine-readable output (never in exponent notation)."""
    if value is None:
        return None
    text = format(value, "f")
    return text

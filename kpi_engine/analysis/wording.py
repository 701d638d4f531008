"""The answers of the analyses as a controller would write them, in French or English.

Each answer leads with one sentence ("Pour atteindre 6,0 % de taux de marge nette
en avril 2025, il faudrait 56 887 € de ventes de marchandises, soit +15 043 € par
rapport à aujourd'hui.") that names KPIs and inputs by their labels and formats
numbers for the reader; the exact figures stay in the results themselves. Labels are
used without an article ("de + label", "label en hausse"), since a label's gender is
not known. Nothing here imports sympy or prints.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from ..formatting import Language, format_change, format_rounded, format_share, format_value, period_phrase
from ..pack import Pack
from .bridge import Bridge, Contribution
from .errors import Said
from .goal_seek import NO_SOLUTION, OUT_OF_BOUNDS, RANGE, GoalSeek
from .rationals import fraction_to_decimal
from .sensitivity import Lever, Sensitivity

LEAD_LEVERS = 5  # levers named in words; --details lists them all
_HELD = re.compile(r"^(prev|year_ago)\((\w+)\)$")
_HELD_WORDS = {
    "fr": {"prev": "période précédente", "year_ago": "un an plus tôt", "other": "période antérieure"},
    "en": {"prev": "previous period", "year_ago": "a year earlier", "other": "earlier period"},
}


# --- labels in a sentence -------------------------------------------------------------------
def kpi_label(pack: Pack, kpi: str, lang: Language) -> str:
    """The KPI's label in `lang` (its name when it has none)."""
    return pack.kpis[kpi].label.get(lang, kpi)


def variable_label(pack: Pack, name: str, lang: Language) -> str:
    """An input's label; a value held from an earlier period as `Ventes de marchandises (période précédente)`."""
    if name in pack.inputs:
        return pack.inputs[name].label.get(lang, name)
    words = _HELD_WORDS[lang]
    held = _HELD.match(name)
    if held and (held[2] in pack.inputs or held[2] in pack.kpis):
        source = pack.inputs.get(held[2]) or pack.kpis[held[2]]
        return f"{source.label.get(lang, held[2])} ({words[held[1]]})"
    return f"{name} ({words['other']})"


def in_sentence(label: str) -> str:
    """A label inside a sentence: `Taux de marge nette` -> `taux de marge nette`; acronyms (`EBE`) kept."""
    return label[0].lower() + label[1:] if len(label) > 1 and label[1].islower() else label


def of(label: str, lang: Language) -> str:
    """`de ventes`, `d'achats` / `ventes` (French elides `de` before a vowel or a mute h)."""
    if lang == "en":
        return label
    return f"d'{label}" if label[:1].lower() in "aâàeéèêiîoôuûh" else f"de {label}"


def _where(period_text: str, entity: str | None) -> str:
    return f"{period_text} ({entity})" if entity else period_text


def note_lines(notes: Sequence[Said], lang: Language) -> list[str]:
    """`Note : coalesce(budget, 0) vaut ici 0 ...`: a choice made at the period, which changes what the answer means."""
    return [f"Note : {note.fr}" if lang == "fr" else f"Note: {note.en}" for note in notes]


# --- solve ------------------------------------------------------------------------------------
def solve_sentence(result: GoalSeek, pack: Pack, lang: Language) -> str:
    """The goal seek's answer in one or two sentences."""
    kpi = in_sentence(kpi_label(pack, result.kpi, lang))
    name = in_sentence(variable_label(pack, result.input, lang))
    unit = pack.inputs[result.input].unit
    target = format_rounded(result.target, pack.kpis[result.kpi].unit, lang)
    when = _where(period_phrase(result.period, lang), result.entity)
    goal = f"Pour atteindre {target} {of(kpi, lang)} {when}" if lang == "fr" else f"To bring the {kpi} to {target} {when}"
    admissible = [s for s in result.solutions if s.admissible]
    if result.status == RANGE:
        text = f"{goal}, {_range(name, unit, result.interval, lang)}."
    elif result.status == NO_SOLUTION:
        text = (
            f"Aucune valeur {of(name, lang)} ne permet d'atteindre {target} {of(kpi, lang)} {when}."
            if lang == "fr"
            else f"No value of {name} brings the {kpi} to {target} {when}."
        )
    elif result.status == OUT_OF_BOUNDS:
        text = _out_of_bounds(goal, name, result, pack, lang)
    elif len(admissible) > 1:
        values = _alternatives([format_rounded(s.value, unit, lang) for s in admissible], lang)
        text = (
            f"{goal}, il faudrait {values} {of(name, lang)} : choisissez la valeur qui a du sens."
            if lang == "fr"
            else f"{goal}, {name} could be {values}: choose the one that makes sense."
        )
    else:
        text = f"{goal}, {_needed(name, unit, admissible[0].value, result.current_input, lang)}."
    failed = [s for s in admissible if not s.check_ok]
    return text + (" " + _check_failed(kpi, target, lang) if failed else "")


def _range(name: str, unit: str, interval: tuple[Decimal | None, Decimal | None] | None, lang: Language) -> str:
    """`toute valeur de chiffre d'affaires d'au moins 1 000 € convient` / `any revenue of at least €1,000 would do`."""
    low, high = (None, None) if interval is None else (None if end is None else format_rounded(end, unit, lang) for end in interval)
    if lang == "fr":
        bounds = f"entre {low} et {high}" if low and high else f"d'au moins {low}" if low else f"d'au plus {high}" if high else ""
        return f"toute valeur {of(name, lang)} {bounds} convient : pas de réponse unique".replace("  ", " ")
    bounds = f"between {low} and {high}" if low and high else f"of at least {low}" if low else f"of at most {high}" if high else ""
    return f"any value of {name} {bounds} would do: there is no single answer".replace("  ", " ")


def _needed(name: str, unit: str, value: Decimal, current: Decimal, lang: Language) -> str:
    amount = format_rounded(value, unit, lang)
    change = value - current
    if lang == "fr":
        compared = f"soit {format_change(change, unit, lang)} par rapport à aujourd'hui" if change else "soit la valeur actuelle"
        return f"il faudrait {amount} {of(name, lang)}, {compared}"
    if not change:
        return f"{name} would need to be {amount}, today's value"
    return f"{name} would need to be {amount}, {format_change(abs(change), unit, lang).lstrip('+')} {'more' if change > 0 else 'less'} than today"


def _out_of_bounds(goal: str, name: str, result: GoalSeek, pack: Pack, lang: Language) -> str:
    definition, unit = pack.inputs[result.input], pack.inputs[result.input].unit
    bounds = [
        f"{word} {format_rounded(Decimal(str(bound)), unit, lang)}"
        for word, bound in (("minimum", definition.minimum), ("maximum", definition.maximum))
        if bound is not None
    ]
    values = _alternatives([format_rounded(s.value, unit, lang) for s in result.solutions], lang)
    if lang == "fr":
        return f"{goal}, il faudrait {values} {of(name, lang)}, hors des bornes déclarées ({', '.join(bounds)}) : pas de réponse possible."
    return f"{goal}, {name} would need to be {values}, outside its declared bounds ({', '.join(bounds)}): no possible answer."


def _alternatives(values: Sequence[str], lang: Language) -> str:
    word = " ou " if lang == "fr" else " or "
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + word + values[-1]


def _check_failed(kpi: str, target: str, lang: Language) -> str:
    if lang == "fr":
        return (
            f"Attention : recalculé par le moteur avec cette valeur, le résultat n'est pas {target} {of(kpi, lang)} ; la réponse n'est pas fiable (--details)."
        )
    return f"Warning: re-evaluated by the engine with this value, the {kpi} is not {target}; the answer is not reliable (--details)."


# --- sensitivity --------------------------------------------------------------------------------
def effect_of_one_percent(lever: Lever) -> Decimal | None:
    """The change of the KPI, in its own unit, for a 1 % rise of the lever (∂K/∂x · x / 100)."""
    return None if lever.derivative is None else lever.derivative * lever.value / 100


def sensitivity_lines(result: Sensitivity, pack: Pack, lang: Language) -> list[str]:
    """The KPI's value, then its levers in words, strongest first, and why elasticities flip sign when it is negative."""
    unit = pack.kpis[result.kpi].unit
    kpi_name = kpi_label(pack, result.kpi, lang)
    when = _where(period_phrase(result.period, lang), result.entity)
    lines = [
        f"{kpi_name} : {format_rounded(result.value, unit, lang)} {when}."
        if lang == "fr"
        else f"{kpi_name}: {format_rounded(result.value, unit, lang)} {when}."
    ]
    moving = sorted(((lever, effect) for lever in result.levers if (effect := effect_of_one_percent(lever))), key=lambda pair: -abs(pair[1]))
    if moving:
        lines.append("Leviers, du plus fort au plus faible :" if lang == "fr" else "Levers, strongest first:")
        kpi = in_sentence(kpi_name)
        lines.extend(f"  {rank}. {_lever_sentence(pack, lever, effect, kpi, unit, lang)}" for rank, (lever, effect) in enumerate(moving[:LEAD_LEVERS], start=1))
        if len(moving) > LEAD_LEVERS:
            rest = len(moving) - LEAD_LEVERS
            lines.append(f"  … et {rest} autre{'s' if rest > 1 else ''} (--details)" if lang == "fr" else f"  … and {rest} more (--details)")
    still = [in_sentence(variable_label(pack, lever.name, lang)) for lever in result.levers if lever.value == 0]
    if still:
        lines.append(
            f"À zéro aujourd'hui, donc insensibles à une hausse en % : {', '.join(still)}."
            if lang == "fr"
            else f"At zero today, so a rise in % changes nothing: {', '.join(still)}."
        )
    if result.value < 0:
        lines.append(negative_note(lang))
    return [*lines, *note_lines(result.notes, lang)]


def _lever_sentence(pack: Pack, lever: Lever, effect: Decimal, kpi: str, unit: str, lang: Language) -> str:
    name = in_sentence(variable_label(pack, lever.name, lang))
    size = format_change(abs(effect), unit, lang).lstrip("+")
    if lang == "fr":
        return f"+1 % {of(name, lang)} {'ajouterait' if effect > 0 else 'retirerait'} {size} {of(kpi, lang)}"  # neutral: more is not always better
    return f"1% more {name} would {'add' if effect > 0 else 'take'} {size} {'to' if effect > 0 else 'off'} the {kpi}"


def negative_note(lang: Language) -> str:
    """Why the elasticities of a negative KPI have the opposite sign to the effects."""
    if lang == "fr":
        return (
            "La valeur de l'indicateur est négative : une élasticité (--details) se rapporte à elle, donc son signe est l'inverse de l'effet "
            "(une élasticité négative signifie ici qu'une hausse du levier fait monter l'indicateur) ; les effets ci-dessus se lisent tels quels."
        )
    return (
        "The KPI's value is negative: an elasticity (--details) is relative to it, so its sign is the opposite of the effect "
        "(a negative elasticity here means that raising the lever raises the KPI); the effects above read as they are."
    )


# --- explain-change ------------------------------------------------------------------------------
@dataclass(frozen=True)
class BridgeRow:
    """One line of a bridge for readers: the variable's label, its two values and its contribution, formatted."""

    label: str
    before: str
    after: str
    contribution: str
    share: str


def bridge_sentence(bridge: Bridge, pack: Pack, lang: Language) -> str:
    """`Taux de marge nette : de 8,1 % au T2 2024 à 5,3 % au T2 2025 (-2,8 pt), principalement à cause de ...`."""
    unit = pack.kpis[bridge.kpi].unit
    kpi = kpi_label(pack, bridge.kpi, lang) + (f" ({bridge.entity})" if bridge.entity else "")
    before, after = (format_rounded(fraction_to_decimal(v), unit, lang) for v in (bridge.before, bridge.after))
    first, second = period_phrase(bridge.start, lang), period_phrase(bridge.end, lang)
    if not bridge.change:
        return f"{kpi} : {before} {first} comme {second}, sans changement." if lang == "fr" else f"{kpi}: {before} {first} as {second}, unchanged."
    change = format_change(fraction_to_decimal(bridge.change), unit, lang)
    text = f"{kpi} : de {before} {first} à {after} {second} ({change})" if lang == "fr" else f"{kpi}: from {before} {first} to {after} {second} ({change})"
    drivers, offsets = _drivers(bridge)
    text += (", principalement à cause " if lang == "fr" else ", mainly because of ") + _movements(drivers, pack, unit, lang, leading=True)
    if offsets:
        text += (", malgré " if lang == "fr" else ", despite ") + _movements(offsets, pack, unit, lang, leading=False)
    return text + "."


def _drivers(bridge: Bridge) -> tuple[list[Contribution], list[Contribution]]:
    """The contributions that explain the change (one, or two when the second weighs at least half the first),
    and the largest one against it when it weighs at least a quarter of the change."""
    change = bridge.change
    along = sorted((c for c in bridge.contributions if c.exact * change > 0), key=lambda c: -abs(c.exact))
    against = sorted((c for c in bridge.contributions if c.exact * change < 0), key=lambda c: -abs(c.exact))
    drivers = along[:1] + [c for c in along[1:2] if abs(c.exact) * 2 >= abs(along[0].exact)]
    offsets = [c for c in against[:1] if abs(c.exact) * 4 >= abs(change)]
    return drivers, offsets


def _movements(contributions: Sequence[Contribution], pack: Pack, unit: str, lang: Language, leading: bool) -> str:
    """`de ventes en baisse (-3,5 pt) et d'achats en hausse (-1,0 pt)` / `lower sales (-3.5 pts)`."""
    parts = []
    for c in contributions:
        name = in_sentence(variable_label(pack, c.name, lang))
        amount = format_change(c.value, unit, lang)
        if lang == "fr":
            phrase = f"{name} en {'hausse' if c.after > c.before else 'baisse'} ({amount})"
            parts.append(of(phrase, lang) if leading else phrase)
        else:
            parts.append(f"{'higher' if c.after > c.before else 'lower'} {name} ({amount})")
    return (" et " if lang == "fr" else " and ").join(parts)


def bridge_rows(bridge: Bridge, pack: Pack, lang: Language) -> tuple[list[BridgeRow], int]:
    """The rows of the bridge for readers, the largest contribution first, and how many variables did not move."""
    unit = pack.kpis[bridge.kpi].unit
    moved = sorted((c for c in bridge.contributions if c.exact or c.before != c.after), key=lambda c: -abs(c.exact))
    rows = [
        BridgeRow(
            variable_label(pack, c.name, lang),
            format_value(c.before, _unit_of(pack, c.name), lang),
            format_value(c.after, _unit_of(pack, c.name), lang),
            format_change(c.value, unit, lang) if c.exact else "0",
            format_share(fraction_to_decimal(c.exact / bridge.change), lang) if bridge.change else "-",
        )
        for c in moved
    ]
    total = "Total"
    before, after = (format_rounded(fraction_to_decimal(v), unit, lang) for v in (bridge.before, bridge.after))
    change = format_change(fraction_to_decimal(bridge.change), unit, lang) if bridge.change else "0"
    rows.append(BridgeRow(total, before, after, change, format_share(Decimal(1), lang) if bridge.change else "-"))
    return rows, len(bridge.contributions) - len(moved)


def _unit_of(pack: Pack, name: str) -> str:
    """The unit of an input, or of the input or KPI a held value reads."""
    held = _HELD.match(name)
    source = name if name in pack.inputs else held[2] if held else ""
    definition = pack.inputs.get(source) or pack.kpis.get(source)
    return definition.unit if definition else ""


def exact_text(value: Fraction) -> str:
    """An exact fraction as `-8/15` (an integer as itself)."""
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"

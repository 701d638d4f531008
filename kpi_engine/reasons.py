"""Why a value is undefined, as data: a code and its parameters, worded per language at the edge.

The evaluator records a `Reason`, never a sentence, so the same undefined
value reads "missing fact 'stocks' for 2025-03, entity 'lyon'" in English and
"donnée manquante « stocks » pour 2025-03, entité « lyon »" in French. English
is the text of record (JSON output, `Result.error`, pack tests).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .errors import Refusal, Worded, did_you_mean_word
from .facts_messages import FACTS_MESSAGES
from .formatting import Language, is_singular
from .formula_messages import FORMULA_MESSAGES
from .numbers import MAX_EXPONENT
from .pack_messages import PACK_MESSAGES
from .service_messages import SERVICE_MESSAGES

# code -> (English, French). Fields are filled from the reason's parameters; a parameter that
# is itself a Reason is worded in the same language, an entity becomes ", entity 'x'".
# Validation messages (a pack's mistakes) have their own catalogues, merged below.
_EVALUATION: dict[str, tuple[str, str]] = {
    "missing_fact": ("missing fact '{name}' for {period}{entity}", "donnée manquante « {name} » pour {period}{entity}"),
    "not_split": (
        "missing fact '{name}' for {period}{entity} (it is given {known} and cannot be split into {frequency} periods)",
        "donnée manquante « {name} » pour {period}{entity} (elle est fournie en {known} et ne se répartit pas en {frequency})",
    ),
    "roll_up": ("{cause}, needed to roll {name} up to {period}", "{cause}, nécessaire pour cumuler {name} sur {period}"),
    "before_data": (
        "{period} is before the first period of data{since}{entity}",
        "{period} précède la première période de données{since}{entity}",
    ),
    "division_by_zero": ("division by zero: {denominator} is 0", "division par zéro : {denominator} vaut 0"),
    "power": ("power cannot be computed: {error}", "puissance incalculable : {error}"),
    "negative_power": ("power cannot be computed: 0 raised to a negative power", "puissance incalculable : 0 élevé à une puissance négative"),
    "arithmetic": ("cannot be computed: {error}", "incalculable : {error}"),
    "too_deep": (
        "cannot be computed: its definition goes back too many periods at once",
        "incalculable : sa définition remonte trop de périodes à la fois",
    ),
    "growth_from_zero": (
        "growth cannot be computed at {period}: the previous period's value is 0",
        "évolution incalculable en {period} : la valeur de la période précédente est 0",
    ),
    "member_missing": (
        "member '{member}' of group '{group}' has no '{name}' for {period}, so the group has none: {cause}",
        "le membre « {member} » du groupe « {group} » n'a pas « {name} » pour {period}, le groupe non plus : {cause}",
    ),
    "year_to_date": (
        "{cause}, needed for the year to date from {start} to {period}",
        "{cause}, nécessaire pour le cumul de l'exercice de {start} à {period}",
    ),
    "ytd_other_periods": (
        "no year to date: '{name}' reads other periods than its own (a time function such as prev, growth or ytd)",
        "pas de cumul de l'exercice : « {name} » lit d'autres périodes que la sienne (une fonction de temps comme prev, growth ou ytd)",
    ),
    "in_scenario": ("under scenario '{scenario}': {cause}", "en scénario « {scenario} » : {cause}"),
    "no_scenario_facts": ("no figures under scenario '{scenario}'{entity}", "aucun chiffre en scénario « {scenario} »{entity}"),
    "no_target": ("KPI '{name}' has no target", "l'indicateur « {name} » n'a pas de cible"),
    "target_undefined": ("target undefined: {cause}", "cible indéfinie : {cause}"),
    # facts warnings (`Problem.of`): worded like the reasons, in the reader's language
    "near_input": (" (did you mean '{input}'{kind}?)", " (vouliez-vous dire « {input} »{kind} ?)"),
    "other_kind_input": (
        " (the closest input, '{input}', is {input_kind}, but '{title}' reads as {title_kind}: not proposed; rename the column after the input it holds)",
        (
            " (la donnée la plus proche, « {input} », est {input_kind}, mais « {title} » se lit comme {title_kind} : non proposée ;"
            " renommez la colonne d'après la donnée qu'elle contient)"
        ),
    ),
    "budget_scenario_input": (
        " (a budget is now the 'budget' scenario of the actual inputs: give {inputs} on lines whose scenario column says budget)",
        " (un budget est désormais le scénario « budget » des données réelles : donnez {inputs} sur des lignes dont la colonne scenario vaut budget)",
    ),
    "near_scenario": (
        "figures under scenario '{scenario}' are read by no formula (did you mean '{closest}'?)",
        "les chiffres du scénario « {scenario} » ne sont lus par aucune formule (vouliez-vous dire « {closest} » ?)",
    ),
    "cell_too_long": (
        (
            "a cell longer than {limit} characters starts on this line: refused, and the rest of the file is read"
            " (a cell holds a period, an entity, a name or a number; is a quote left open?)"
        ),
        (
            "une cellule de plus de {limit} caractères commence à cette ligne : refusée, le reste du fichier est lu"
            " (une cellule contient une période, une entité, un nom ou un nombre ; un guillemet est-il resté ouvert ?)"
        ),
    ),
    "member_without_facts": (
        "member '{member}' of group '{group}' has no facts: the group's values will be undefined",
        "le membre « {member} » du groupe « {group} » n'a aucune donnée : les valeurs du groupe seront indéfinies",
    ),
    "not_an_input": ("'{name}' is not an input of the pack, ignored{hint}", "« {name} » n'est pas une donnée d'entrée du pack : ignorée{hint}"),
    "more_not_inputs": (
        "{count} more names are not inputs of the pack, ignored: {names}{more}",
        "{count} autres noms ne sont pas des données d'entrée du pack : ignorés : {names}{more}",
    ),
    "out_of_bounds": (
        "'{name}' is {value} for {period}{entity}; it should be {bounds}",
        "« {name} » vaut {value} en {period}{entity} ; elle devrait être {bounds}",
    ),
    "lookalike_entities": (
        "entities {spelled} differ only by case, accents or spacing: they are read as {count} different entities; write them alike",
        (
            "les entités {spelled} ne diffèrent que par la casse, les accents ou les espaces : elles sont lues comme {count} entités "
            "différentes ; écrivez-les de la même façon"
        ),
    ),
    "missing_periods": (
        "entity '{name}' has no facts for {shown}{more}, which other entities have: a missing period is not a zero",
        "l'entité « {name} » n'a pas de données pour {shown}{more}, que les autres entités ont : une période manquante n'est pas un zéro",
    ),
}


def _merged(*catalogues: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """One catalogue of every code; a code defined twice would word one message as another, so it is refused."""
    merged: dict[str, tuple[str, str]] = {}
    for catalogue in catalogues:
        twice = merged.keys() & catalogue.keys()
        if twice:
            raise ValueError(f"message codes defined in two catalogues: {sorted(twice)}")
        merged |= catalogue
    return merged


CATALOG = _merged(_EVALUATION, FORMULA_MESSAGES, PACK_MESSAGES, FACTS_MESSAGES, SERVICE_MESSAGES)

_ARITHMETIC_WORDS = {
    "invalidoperation": ("the operation has no defined result", "l'opération n'a pas de résultat défini"),
    "overflow": ("the result is too large", "le résultat est trop grand"),
    "divisionbyzero": ("division by zero", "division par zéro"),
    "underflow": (
        f"the result is too small (under 1E-{MAX_EXPONENT} in size), not rounded to 0",
        f"le résultat est trop petit (moins de 1E-{MAX_EXPONENT} en valeur absolue), non arrondi à 0",
    ),
}
_FREQUENCY_WORDS = {"daily": "jours", "weekly": "semaines", "monthly": "mois", "quarterly": "trimestres", "yearly": "années"}
_GIVEN_WORDS = {"daily": "quotidien", "weekly": "hebdomadaire", "monthly": "mensuel", "quarterly": "trimestriel", "yearly": "annuel"}
# "not a valid monthly period" -> "pas un mois valide"; the parameters worded as numbers for the reader
_PERIOD_WORDS = {"daily": "un jour", "weekly": "une semaine", "monthly": "un mois", "quarterly": "un trimestre", "yearly": "une année"}
_NUMBERS = frozenset(
    {
        "value",
        "limit",
        "count",
        "minimum",
        "maximum",
        "earlier",
        "debit",
        "credit",
        "difference",
        "amount",
        "digits",
        "length",
        "columns",
    }
)
# counts worded with their noun, in the singular or the plural of the language (`1 cellule`, `6 cells`)
_COUNTED: dict[str, dict[Language, tuple[str, str]]] = {
    "cells": {"en": ("cell", "cells"), "fr": ("cellule", "cellules")},
    "others": {"en": ("more", "more"), "fr": ("autre", "autres")},
}


@dataclass(frozen=True)
class Reason:
    """Why a value is undefined: a `CATALOG` code and its parameters (texts, periods, nested reasons)."""

    code: str
    params: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(cls, code: str, **params: Any) -> Reason:
        return cls(code, tuple(params.items()))

    @classmethod
    def of_error(cls, error: Exception) -> Worded:
        """What a refused value's error says, as data, to word in any language or to nest in a reader's
        message: a refusal's code and parameters (`errors.Refusal`, raised by `periods` and `numbers`), an
        error's `cause` when it has one (a formula's syntax error), else its English text as written."""
        if isinstance(error, Refusal):
            return cls.of(error.code, **error.params)
        cause: Worded | None = getattr(error, "cause", None)
        return cause if cause is not None else cls.of("as_written", text=str(error))

    def text(self, lang: Language = "en") -> str:
        english, french = CATALOG[self.code]
        return (french if lang == "fr" else english).format(**{k: _word(k, v, lang) for k, v in self.params})

    def __str__(self) -> str:
        return self.text("en")


def _number(value: Any, lang: Language) -> str:
    """An exact number as the reader writes it: `-2 400,00` in French, `-2400.00` in English (never `-0`)."""
    text = format(value, "f")
    if text.lstrip("-").strip("0.") == "":
        text = text.lstrip("-")
    if lang != "fr":
        return text
    whole, _, fraction = text.partition(".")
    sign, digits = ("-", whole[1:]) if whole.startswith("-") else ("", whole)
    grouped = " ".join(digits[max(0, i - 3) : i] for i in range(len(digits), 0, -3)[::-1])
    return sign + grouped + ("," + fraction if fraction else "")


# how messages name the kind of an input (`kind` follows a name; `input_kind`, `title_kind` stand alone)
_KIND_NAMES: dict[Language, dict[str | None, str]] = {
    "en": {"income": "a revenue", "charge": "a cost", "balance": "a balance"},
    "fr": {"income": "un produit", "charge": "une charge", "balance": "un solde"},
}
_KINDS: dict[str, dict[Language, dict[str | None, str]]] = {
    "kind": {lang: {kind: f", {words}" for kind, words in names.items()} | {None: ""} for lang, names in _KIND_NAMES.items()},
    "input_kind": {"en": _KIND_NAMES["en"] | {None: "of another kind"}, "fr": _KIND_NAMES["fr"] | {None: "d'une autre nature"}},
    "title_kind": {"en": _KIND_NAMES["en"] | {None: "another kind"}, "fr": _KIND_NAMES["fr"] | {None: "une autre nature"}},
}


def hint_text(near: str, lang: Language) -> str:
    """` (vouliez-vous dire « x » ?)` / ` (did you mean 'x'?)` after a name not known, for the `closest` known one
    (`near`); "" when none is close. A message's `hint` parameter, and any message's suggestion."""
    return f" (vouliez-vous dire « {near} » ?)" if near and lang == "fr" else did_you_mean_word(near)


def _word(key: str, value: Any, lang: Language) -> str:
    if callable(getattr(value, "text", None)):  # a Reason, or any message as data (`errors.Worded`)
        return str(value.text(lang))
    if isinstance(value, tuple) and value and isinstance(value[0], Reason):
        return ", ".join(reason.text(lang) for reason in value)
    if key in ("written", "example"):  # a value as the user wrote it
        return f"« {value} »" if lang == "fr" else repr(value)
    if key == "spelled":
        quote = "« {} » ({})" if lang == "fr" else "'{}' ({})"
        return ", ".join(quote.format(name, where) for name, where in value)
    if key == "more":
        return "" if not value else f" et {value} autres" if lang == "fr" else f" and {value} more"
    if key in _KINDS:
        kinds = _KINDS[key][lang]
        return kinds.get(value, kinds[None])
    if key == "hint":
        return hint_text(value, lang)
    if key == "bounds":
        words = {"fr": ("au moins", "au plus", " et "), "en": ("at least", "at most", " and ")}[lang]
        low, high = value
        return words[2].join(f"{word} {_number(bound, lang)}" for word, bound in ((words[0], low), (words[1], high)) if bound is not None)
    if key == "names":
        return ", ".join(("« {} »" if lang == "fr" else "'{}'").format(name) for name in value)
    if key in _NUMBERS:
        return _number(Decimal(value), lang)
    if key in _COUNTED:
        singular, plural = _COUNTED[key][lang]
        return f"{value} {singular if is_singular(int(value), lang) else plural}"
    if key == "entity":
        if value is None:
            return ""
        return f", entité « {value} »" if lang == "fr" else f", entity '{value}'"
    if key == "since":
        if value is None:
            return ""
        return f" (les données commencent en {value})" if lang == "fr" else f" (data starts at {value})"
    if key == "error":
        english, french = _ARITHMETIC_WORDS.get(str(value).lower(), (str(value), str(value)))
        return french if lang == "fr" else english
    if key == "known" and lang == "fr":
        return ", ".join(_GIVEN_WORDS.get(word, word) for word in str(value).split(", "))
    if key == "frequency" and lang == "fr":
        return _FREQUENCY_WORDS.get(str(value), str(value))
    if key == "period_frequency" and lang == "fr":
        return _PERIOD_WORDS.get(str(value), str(value))
    if isinstance(value, Decimal):  # any exact number, as the reader writes it
        return _number(value, lang)
    return value.describe() if hasattr(value, "describe") else str(value)

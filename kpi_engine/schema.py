"""Structural validation of a pack file against the JSON Schema in `schemas/`.

jsonschema finds every violation; this module only turns each one into a
`Problem` placed on the right YAML node, in words a finance user can act on
(an unexpected key is shown at the key, with a "did you mean").
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from .errors import Problem, accent_hint, did_you_mean, path_text
from .yamlsource import Document, Path

PACK_SCHEMA = "pack.schema.json"
TESTS_SCHEMA = "tests.schema.json"


@cache
def load_schema(name: str) -> dict[str, Any]:
    """A JSON Schema of `schemas/` (pack or tests), read once."""
    text = resources.files(__package__).joinpath(f"schemas/{name}").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(load_schema(name))


def schema_problems(document: Document, schema: str = PACK_SCHEMA) -> Iterator[Problem]:
    """Every violation of `schema` (a file of `schemas/`) in one document, located, in document order."""
    for error in _errors(document, schema):
        yield from _explain(error, document)


def check_document(document: Document, schema: str = PACK_SCHEMA) -> tuple[list[Problem], set[Path]]:
    """The problems of a document and the entries they spoil (`("kpis", "marge")`...).

    Later stages skip only the spoiled entries, so one bad KPI does not hide
    the problems of all the others.
    """
    problems: list[Problem] = []
    spoiled: set[Path] = set()
    for error in _errors(document, schema):
        problems.extend(_explain(error, document))
        path = tuple(error.absolute_path)
        if len(path) >= 2:
            spoiled.add(path[:2])
    return problems, spoiled


def _errors(document: Document, schema: str) -> list[ValidationError]:
    return sorted(_validator(schema).iter_errors(document.data), key=lambda e: list(map(str, e.absolute_path)))


def _where(path: Path) -> str:
    """`kpis.marge.alerts[1].severity` (`errors.path_text`), or "the file"."""
    return path_text(path) or "the file"


def _explain(error: ValidationError, document: Document) -> Iterator[Problem]:
    path = tuple(error.absolute_path)
    where = _where(path)
    # jsonschema types these as "Any or Unset"; an error from iter_errors always has them set
    instance: Any = error.instance
    validator_value: Any = error.validator_value
    schema: Any = error.schema
    if "propertyNames" in error.schema_path:
        message = f"{where}: '{instance}' is not a valid name: use letters, digits and '_', not starting with a digit{accent_hint(str(instance))}"
        yield Problem(document.key_location((*path, instance)), message)
        return
    match error.validator:
        case "additionalProperties":
            allowed = sorted(schema.get("properties", {}))
            for key in sorted(set(instance) - set(allowed)):
                yield Problem(document.key_location((*path, key)), _unknown_key(key, where, allowed))
            return
        case "required":
            missing = [name for name in validator_value if name not in instance]
            for name in missing:
                yield Problem(document.location(path), f"{where}: '{name}' is required{_REQUIRED_HINTS.get(name, '')}")
            return
        case "enum":
            choices = ", ".join(map(str, validator_value))
            french = _FRENCH_WORDS.get(str(instance).strip().lower())
            hint = f" (in English: '{french}')" if french else did_you_mean(str(instance), [str(v) for v in validator_value])
            message = f"{where}: {instance!r} is not one of {choices}{hint}"
        case "type":
            message = f"{where}: expected {_TYPE_WORDS.get(str(validator_value), validator_value)}, found {_describe(instance)}"
        case "oneOf":
            branch = _matching_branch(error)
            if branch:
                for suberror in branch:
                    yield from _explain(suberror, document)
                return
            message = f"{where}: {_describe(instance)} is not allowed here; expected {_one_of_words(error)}"
        case "minimum":
            message = f"{where}: must be at least {validator_value}, not {instance}"
        case "maximum":
            message = f"{where}: must be at most {validator_value}, not {instance}"
        case "minProperties":
            message = f"{where}: must not be empty"
        case "uniqueItems":
            message = f"{where}: contains a value twice"
        case _:
            message = f"{where}: {error.message}"
    yield Problem(document.location(path), message)


# Words a French finance user naturally writes for the format's English keywords.
_FRENCH_WORDS = {
    "quotidien": "daily", "journalier": "daily", "hebdomadaire": "weekly", "mensuel": "monthly",
    "trimestriel": "quarterly", "annuel": "yearly", "somme": "sum", "dernier": "last", "moyenne": "avg",
    "critique": "critical", "avertissement": "warning", "alerte": "warning", "attention": "warning",
    "plus_haut_est_mieux": "higher_is_better", "plus_bas_est_mieux": "lower_is_better",
}
_REQUIRED_HINTS = {
    "rollup": " (sum for flows such as revenue, last for balances such as stocks, avg for averages)",
    "formula": " (how the KPI is computed, e.g. resultat_net / chiffre_affaires_ht)",
    "frequency": " (daily, weekly, monthly, quarterly or yearly)",
    "severity": " (info, warning or critical)",
    "when": " (the condition that fires the alert, e.g. value < 0)",
}
_TYPE_WORDS = {
    "object": "a mapping of keys",
    "array": "a list",
    "string": "text",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "['string', 'number']": "a formula or a number",
}


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (empty value)"
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(str(value)) if isinstance(value, str) else str(value)


def _matching_branch(error: ValidationError) -> list[ValidationError]:
    """The errors of the alternative written for this kind of value (a mapping label with a bad key...)."""
    instance: Any = error.instance
    options: Any = error.validator_value
    kinds: dict[type[Any], str] = {dict: "object", list: "array", str: "string"}
    kind = kinds.get(type(instance))
    for index, option in enumerate(options):
        if kind and (option.get("type") == kind):
            return [e for e in error.context or () if e.relative_schema_path and e.relative_schema_path[0] == index]
    return []


def _one_of_words(error: ValidationError) -> str:
    words = []
    options: Any = error.validator_value
    for option in options:
        kind = option.get("type") or ("a label" if "$ref" in option else "a value")
        words.append(_TYPE_WORDS.get(str(kind), str(kind)))
    return " or ".join(dict.fromkeys(words))


# Keys a French finance user naturally writes for the format's English ones.
_FRENCH_KEYS = {
    "cible": "target", "responsable": "owner", "proprietaire": "owner", "propriétaire": "owner", "libelle": "label",
    "libellé": "label", "formule": "formula", "frequence": "frequency", "fréquence": "frequency", "unite": "unit",
    "unité": "unit", "alertes": "alerts", "quand": "when", "gravite": "severity", "gravité": "severity", "sens": "direction",
    "entrees": "inputs", "entrées": "inputs", "indicateurs": "kpis",
}  # fmt: skip


def _unknown_key(key: str, where: str, allowed: list[str]) -> str:
    english = _FRENCH_KEYS.get(key.strip().lower())
    hint = f" (in English: '{english}')" if english in allowed else did_you_mean(key, allowed)
    message = f"{where}: unknown key '{key}'{hint}; allowed keys: {', '.join(allowed)}"
    if " " in key.strip():
        message += " (a comma inside {...} splits the text: put the text in quotes)"
    return message

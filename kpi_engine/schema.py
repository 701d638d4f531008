"""Structural validation of a pack file against the JSON Schema in `schemas/`.

jsonschema finds every violation; this module only turns each one into a
`Problem` placed on the right YAML node, in words a finance user can act on
(an unexpected key is shown at the key, with a "did you mean").
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from .errors import Problem, closest, name_without_accents, path_text
from .reasons import Reason
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


def _where(path: Path) -> str | Reason:
    """`kpis.marge.alerts[1].severity` (`errors.path_text`), or "the file" in the reader's language."""
    return path_text(path) or Reason.of("the_file")


def _explain(error: ValidationError, document: Document) -> Iterator[Problem]:
    path = tuple(error.absolute_path)
    where = _where(path)
    # jsonschema types these as "Any or Unset"; an error from iter_errors always has them set
    instance: Any = error.instance
    validator_value: Any = error.validator_value
    schema: Any = error.schema
    if "propertyNames" in error.schema_path:
        yield Problem.of(document.key_location((*path, instance)), _invalid_name(where, str(instance)))
        return
    match error.validator:
        case "additionalProperties":
            allowed = sorted(schema.get("properties", {}))
            for key in sorted(set(instance) - set(allowed)):
                yield Problem.of(document.key_location((*path, key)), _unknown_key(key, where, allowed))
            return
        case "required":
            missing = [name for name in validator_value if name not in instance]
            for name in missing:
                hint = Reason.of(f"required_{name}") if name in _REQUIRED_HINTS else ""
                yield Problem.of(document.location(path), Reason.of("required", where=where, key=name, hint=hint))
            return
        case "enum":
            choices = [str(v) for v in validator_value]
            english = _FRENCH_WORDS.get(str(instance).strip().lower())
            hint = Reason.of("in_english", word=english) if english else closest(str(instance), choices)
            cause = Reason.of("not_one_of", where=where, found=_found(instance), choices=", ".join(choices), hint=hint)
        case "type":
            cause = Reason.of("expected_type", where=where, expected=_type_words(validator_value), found=_found(instance))
        case "oneOf":
            branch = _matching_branch(error)
            if branch:
                for suberror in branch:
                    yield from _explain(suberror, document)
                return
            cause = Reason.of("not_allowed_here", where=where, found=_found(instance), expected=_one_of_words(error))
        case "minimum" | "maximum":
            code = "at_least" if error.validator == "minimum" else "at_most"
            cause = Reason.of(code, where=where, bound=Decimal(validator_value), found=_found(instance))
        case "minProperties" | "minItems":
            cause = Reason.of("not_empty", where=where)
        case "minLength":
            cause = Reason.of("not_empty", where=where) if validator_value == 1 else Reason.of("too_short", where=where, limit=validator_value)
        case "maxLength":
            cause = Reason.of("too_long", where=where, limit=validator_value)
        case "uniqueItems":
            cause = Reason.of("twice", where=where)
        case "pattern":
            cause = _pattern_words(where, str(instance), str(validator_value))
        case _:
            cause = Reason.of("schema_other", where=where, detail=error.message)
    yield Problem.of(document.location(path), cause)


def _invalid_name(where: str | Reason, name: str) -> Reason:
    """A name that is not one; written with accents, the reader is told the name to write instead."""
    accents = "" if name.isascii() else Reason.of("name_without_accents", spelling=name_without_accents(name))
    return Reason.of("invalid_name", where=where, name=name, accents=accents)


# A pattern of the schemas -> the code that says what is expected (a name, a SIREN, an account...).
_PATTERN_CODES = {
    "^[A-Za-z_][A-Za-z0-9_]*$": "invalid_name",
    "^[0-9]{3} ?[0-9]{3} ?[0-9]{3}$": "not_siren",
    "^[0-9A-Za-z]+$": "not_account",
    "^[^@\\s<>,;]+@[^@\\s<>,;]+\\.[^@\\s<>,;]+$": "not_email",
    "^[a-z][a-z0-9_]*$": "not_scenario_name",
}


def _pattern_words(where: str | Reason, text: str, pattern: str) -> Reason:
    code = _PATTERN_CODES.get(pattern, "no_pattern")
    return _invalid_name(where, text) if code == "invalid_name" else Reason.of(code, where=where, text=text, pattern=pattern)


# Words a French finance user naturally writes for the format's English keywords.
_FRENCH_WORDS = {
    "quotidien": "daily", "journalier": "daily", "hebdomadaire": "weekly", "mensuel": "monthly",
    "trimestriel": "quarterly", "annuel": "yearly", "somme": "sum", "dernier": "last", "moyenne": "avg",
    "critique": "critical", "avertissement": "warning", "alerte": "warning", "attention": "warning",
    "plus_haut_est_mieux": "higher_is_better", "plus_bas_est_mieux": "lower_is_better",
}
_REQUIRED_HINTS = {"rollup", "formula", "frequency", "severity", "when"}  # a missing key whose hint says what to write (`required_<key>`)
_TYPES = {"object", "array", "string", "number", "integer", "boolean"}  # the schemas' kinds of value, worded by `type_<kind>`


def _type_words(kind: Any) -> Reason:
    """What the schema expects, in words: `a mapping of keys`, `text or a whole number`..."""
    if isinstance(kind, list):
        return Reason.of("type_formula") if kind == ["string", "number"] else _either([_type_words(one) for one in kind])
    return Reason.of(f"type_{kind}") if kind in _TYPES else Reason.of("type_other", type=str(kind))


def _either(words: list[Reason]) -> Reason:
    """`a or b or c`, each word in the reader's language."""
    first, *rest = words
    return Reason.of("either", first=first, second=_either(rest)) if rest else first


def _found(value: Any) -> Reason:
    """The value that was written, in words: `'mensuel'`, `a list`, `nothing (empty value)`..."""
    if value is None:
        return Reason.of("found_nothing")
    if isinstance(value, bool):
        return Reason.of("found_boolean", word=str(value).lower())
    if isinstance(value, dict):
        return Reason.of("found_mapping")
    if isinstance(value, list):
        return Reason.of("found_list")
    if isinstance(value, (int, Decimal)):
        return Reason.of("found_number", number=Decimal(value))
    return Reason.of("found_text", quoted=repr(str(value)), text=str(value))


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


def _one_of_words(error: ValidationError) -> Reason:
    options: Any = error.validator_value
    words = [_type_words(option["type"]) if "type" in option else Reason.of("type_label" if "$ref" in option else "type_value") for option in options]
    return _either(list(dict.fromkeys(words)))


# Keys a French finance user naturally writes for the format's English ones.
_FRENCH_KEYS = {
    "cible": "target", "responsable": "owner", "proprietaire": "owner", "propriétaire": "owner", "libelle": "label",
    "libellé": "label", "formule": "formula", "frequence": "frequency", "fréquence": "frequency", "unite": "unit",
    "unité": "unit", "alertes": "alerts", "quand": "when", "gravite": "severity", "gravité": "severity", "sens": "direction",
    "entrees": "inputs", "entrées": "inputs", "indicateurs": "kpis",
}  # fmt: skip


def _unknown_key(key: str, where: str | Reason, allowed: list[str]) -> Reason:
    english = _FRENCH_KEYS.get(key.strip().lower())
    hint = Reason.of("in_english", word=english) if english in allowed else closest(key, allowed)
    split = Reason.of("split_by_comma", braces="{...}") if " " in key.strip() else ""
    return Reason.of("unknown_key", where=where, key=key, hint=hint, allowed=", ".join(allowed), split=split)

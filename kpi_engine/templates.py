"""Alert message templates: `{name}` and `{name:spec}` filled from plain values, and nothing else.

A template is split once, when the plan is built, into literal text and
named fields. Filling it looks each field up by name in a flat set of
decimals and strings: there is no attribute or index access to follow (such
fields are rejected when the pack is loaded), and a value without a format
spec is shown according to its unit and the reader's language as a sentence shows it (`format_rounded`: an
amount with its cents when it has some, as the tables), and a period
in the reader's words (`février 2025`, `T1 2025`, as the tables name it); a
French `au {period}` / `du {period}` takes the preposition the period takes
(`en février 2025`, `au T1 2025`, `d'avril 2025`).
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from decimal import Decimal

from .formatting import Language, format_rounded, localize, period_name, period_with_preposition
from .periods import Period

Lookup = Callable[[str], tuple[object, str]]  # name -> (value or None when undefined, unit)
Template = tuple[tuple[str, str | None, str], ...]  # (literal text, field name or None, format spec)
_CURRENCY_SIGNS = ("€", "$", "£")
_FRENCH_PREPOSITION = re.compile(r"(?<![\w'’])(au|en|sur|du|de) $", re.IGNORECASE)  # before `{period}` in a French template


def parse_template(text: str) -> Template:
    """Literal text and fields of a template; ValueError for anything but `{name}` / `{name:spec}`.

    `semantics` reports these mistakes with their location when the pack is
    loaded; refusing them here too means no path can fill `{value.__class__}`.
    """
    parts = []
    for literal, name, spec, conversion in string.Formatter().parse(text):
        if name is not None and (not name.isidentifier() or conversion or "{" in (spec or "")):
            raise ValueError(f"template field {name!r} is not a plain name")
        parts.append((literal, name, spec or ""))
    return tuple(parts)


def template_fields(template: Template) -> tuple[str, ...]:
    """The names a template reads, in order."""
    return tuple(name for _, name, _ in template if name is not None)


def render_message(template: Template | str, lookup: Lookup, lang: Language = "en") -> str:
    """Fill a template; a field that cannot be filled says its value is undefined, never 0 (`_undefined`)."""
    if isinstance(template, str):
        template = parse_template(template)
    parts = []
    after_undefined = False
    for written, name, spec in template:
        literal = _UNIT_AFTER.sub("", written, count=1) if after_undefined else written
        parts.append(literal)
        after_undefined = False
        if name is not None:
            content, unit = lookup(name)
            if isinstance(content, Period) and lang == "fr" and (found := _FRENCH_PREPOSITION.search(literal)):
                phrase = period_with_preposition(found.group(1).lower(), content)
                parts[-1] = literal[: found.start()] + (phrase[0].upper() + phrase[1:] if found.group(1)[0].isupper() else phrase)
                continue
            if content is None:
                parts[-1], text = _undefined(parts[-1], lang)
                after_undefined = True
            else:
                text = _field_text(content, unit, spec, lang)
            if text.startswith("-") and literal.endswith(_CURRENCY_SIGNS):
                parts[-1], text = literal[:-1] + "-" + literal[-1], text[1:]  # "€{value}" of -8 145 reads -€8,145
            parts.append(text)
    return "".join(parts)


_UNDEFINED_VALUE = {"fr": "valeur indéfinie", "en": "undefined value"}
_UNIT_AFTER = re.compile(r"^\s?(?:[€$£%]|pts?\b|points?\b)")
_VALUE_OF = re.compile(r"(?<![\w'’])(?:de |d['’]|of )$", re.IGNORECASE)


def _undefined(before: str, lang: Language) -> tuple[str, str]:
    """The text before an undefined field and the words for it: `trésorerie nette de {value} €` reads
    `trésorerie nette (valeur indéfinie)` / `net cash of €{value}` reads `net cash (undefined value)`, neither
    `de indéfini €` nor a unit after no number. The value's unit around it is dropped (the literal after loses
    its `_UNIT_AFTER`), then its `de`/`of`; the words stand in parentheses beside the noun they replace a
    figure of, bare at the start, after `:` or within parentheses already."""
    before = before[:-1] if before.endswith(_CURRENCY_SIGNS) else before
    before = _VALUE_OF.sub("", before)
    words = _UNDEFINED_VALUE[lang]
    bare = not before.strip() or before.rstrip().endswith(":") or before.count("(") > before.count(")")
    return before, words if bare else f"({words})"


def _field_text(content: object, unit: str, spec: str, lang: Language) -> str:
    if isinstance(content, Period):
        return period_name(content, lang)
    if isinstance(content, Decimal):
        return localize(format(content, spec), lang) if spec else format_rounded(content, unit, lang)
    return format(str(content), spec)


def default_message(has_target: bool) -> str:
    """The message of an alert rule that does not write one."""
    return "{label}: {value} (target {target})" if has_target else "{label}: {value}"

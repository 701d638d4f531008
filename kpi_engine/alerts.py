"""Alert messages: `{name}` and `{name:spec}` filled from plain values, and nothing else.

A template is split once, when the pack is compiled, into literal text and
named fields. Filling it looks each field up by name in a flat set of
decimals and strings: there is no attribute or index access to follow (such
fields are rejected when the pack is loaded), and a value without a format
spec is shown according to its unit and the reader's language.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from .formatting import format_value, localize

Lookup = Callable[[str], tuple[Any, str]]  # name -> (value or None when undefined, unit)
Template = tuple[tuple[str, str | None, str], ...]  # (literal text, field name or None, format spec)
_CURRENCY_SIGNS = ("€", "$", "£")


def parse_template(text: str) -> Template:
    """Literal text and fields of a template; ValueError for anything but `{name}` / `{name:spec}`.

    `semantics` reports these mistakes with their location when the pack is
    loaded; refusing them here too means no path can fill `{value.__class__}`.
    """
    parts = []
    for literal, field, spec, conversion in string.Formatter().parse(text):
        if field is not None and (not field.isidentifier() or conversion or "{" in (spec or "")):
            raise ValueError(f"template field {field!r} is not a plain name")
        parts.append((literal, field, spec or ""))
    return tuple(parts)


def render_message(template: Template | str, lookup: Lookup, lang: str = "en") -> str:
    """Fill a template; a field that cannot be filled reads 'undefined', never 0."""
    if isinstance(template, str):
        template = parse_template(template)
    parts = []
    for literal, field, spec in template:
        parts.append(literal)
        if field is not None:
            text = _field_text(*lookup(field), spec, lang)
            if text.startswith("-") and literal.endswith(_CURRENCY_SIGNS):
                parts[-1], text = literal[:-1] + "-" + literal[-1], text[1:]  # "€{value}" of -8 145 reads -€8,145
            parts.append(text)
    return "".join(parts)


def _field_text(content: Any, unit: str, spec: str, lang: str) -> str:
    if content is None:
        return format_value(None, lang=lang)
    if isinstance(content, Decimal):
        return localize(format(content, spec), lang) if spec else format_value(content, unit, lang)
    return format(str(content), spec)



def default_message(has_target: bool) -> str:
    """The message of an alert rule that does not write one."""
    return "{label}: {value} (target {target})" if has_target else "{label}: {value}"

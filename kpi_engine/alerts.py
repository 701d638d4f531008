"""Alert messages: `{name}` and `{name:spec}` filled from plain values, and nothing else.

Python's `str.format` would follow `{value.__class__}` or `{x[0]}` into
objects; here a field is looked up by name in a flat mapping of decimals and
strings, attribute and index access are refused (they are also rejected when
the pack is loaded), and a value without a format spec is shown according to
its unit and the reader's language.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from .formatting import UNDEFINED_WORD, format_value

Lookup = Callable[[str], tuple[Any, str]]  # name -> (value or None when undefined, unit)


class _FlatFormatter(string.Formatter):
    def __init__(self, lookup: Lookup, lang: str) -> None:
        self.lookup = lookup
        self.lang = lang

    def get_field(self, field_name: str, args: Any, kwargs: Any) -> tuple[Any, str]:
        if not field_name.isidentifier():
            raise ValueError(f"field {field_name!r} is not a plain name")
        return self.lookup(field_name), field_name

    def format_field(self, value: Any, format_spec: str) -> str:
        content, unit = value
        if content is None:
            return UNDEFINED_WORD.get(self.lang, "undefined")
        if isinstance(content, Decimal):
            return localize(format(content, format_spec), self.lang) if format_spec else format_value(content, unit, self.lang)
        return format(str(content), format_spec)

    def convert_field(self, value: Any, conversion: str | None) -> Any:
        if conversion:
            raise ValueError("conversions are not allowed")
        return value


def localize(text: str, lang: str) -> str:
    """A number formatted with a Python spec (`{value:,.0f}`), with French separators when reading in French."""
    if lang != "fr":
        return text
    text = text.replace(",", "\u0000").replace(".", ",").replace("\u0000", " ")
    return text[:-1] + " %" if text.endswith("%") else text


def render_message(template: str, lookup: Lookup, lang: str = "en") -> str:
    """Fill a validated template; a field that cannot be filled reads 'undefined', never 0."""
    return _FlatFormatter(lookup, lang).format(template)


def default_message(has_target: bool) -> str:
    """The message of an alert rule that does not write one."""
    return "{label}: {value} (target {target})" if has_target else "{label}: {value}"

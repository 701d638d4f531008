"""Issue 14, case 26 as properties: whatever text a label, entity or message holds, each format's escaping leaves it inert.

A short fixed budget here (deterministic, derandomized); `KPI_PROPERTY_EXAMPLES=5000` runs more by hand.
"""

from __future__ import annotations

import os
import re
import unicodedata

import pytest

from kpi_engine.escaping import csv_cell, markdown_code, markdown_text, terminal_text

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings  # noqa: E402 - only once hypothesis is known to be installed
from hypothesis import strategies as st  # noqa: E402

EXAMPLES = int(os.environ.get("KPI_PROPERTY_EXAMPLES", "300"))
TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=40) | st.from_regex(r"[=+\-@\t\r\n\x1b|\[\]()<>&!*_`~#.0-9 a-z\u202e\u2028]{0,20}")
BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _controls(text: str) -> list[str]:
    return [c for c in text if unicodedata.category(c) in ("Cc", "Zl", "Zp") or c in BIDI]


@settings(max_examples=EXAMPLES, derandomize=True, deadline=None)
@given(TEXT)
def test_terminal_text_sends_no_control_and_keeps_the_rest(text):
    shown = terminal_text(text)
    assert _controls(shown) == []
    assert shown == text or _controls(text)


@settings(max_examples=EXAMPLES, derandomize=True, deadline=None)
@given(TEXT)
def test_markdown_text_leaves_no_mark_html_or_line_break(text):
    shown = markdown_text(text)
    unescaped = re.sub(r"\\.", "", shown)  # what is left once every backslash escape is taken out
    assert not set(unescaped) & set("|[]*_`~\\<>") and "\n" not in shown and _controls(shown) == []
    assert not re.match(r"(#{1,6}|[-+]|\d+[.)])(\s|$)", shown)


@settings(max_examples=EXAMPLES, derandomize=True, deadline=None)
@given(TEXT)
def test_markdown_code_is_one_closed_span(text):
    span = markdown_code(text)
    fence = re.match(r"`+", span)
    assert fence is not None and span.endswith(fence.group()) and "\n" not in span
    assert fence.group() not in span[len(fence.group()) : -len(fence.group())]


@settings(max_examples=EXAMPLES, derandomize=True, deadline=None)
@given(TEXT | st.decimals(allow_nan=False, allow_infinity=False).map(str))
def test_csv_cell_starts_no_formula_unless_a_number(text):
    cell = csv_cell(text)
    assert _controls(cell) == []
    assert not cell.startswith(("=", "+", "-", "@")) or re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", cell)

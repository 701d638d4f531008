"""One escaping function per text output format, so a label, entity name or message is shown, never obeyed.

    terminal_text   tables and messages on a terminal: control characters (ANSI escapes, C0/C1,
                    line separators, bidirectional overrides) become visible `\\x1b`-style escapes
    csv_cell        CSV for spreadsheets: a text cell starting with = + - @ gets a leading `'`
                    (OWASP's advice against formula injection), controls are shown as in
                    `terminal_text` (so no tab or CR starts a cell); a number stays a number
    markdown_text   Markdown for an email or a wiki: HTML, links and images, table pipes,
                    emphasis and code marks are escaped, line breaks become spaces

Each renderer applies its function at one place (every table cell, every CSV cell, every
Markdown template expression), so no field can slip through. HTML is escaped by Jinja's
autoescape and the charts' `html.escape`.
"""

from __future__ import annotations

import html
import re
import unicodedata

_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _is_control(character: str) -> bool:
    """C0 and C1 controls (ESC, BEL, CR, tab...), line and paragraph separators, and bidirectional overrides."""
    return unicodedata.category(character) in ("Cc", "Zl", "Zp") or character in _BIDI_CONTROLS


def _visible(character: str) -> str:
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_text(text: str) -> str:
    """`text` safe to print on a terminal: each control character shown as its escape, everything else as is."""
    if text.isprintable():  # the common case, and a fast one
        return text
    return "".join(_visible(c) if _is_control(c) else c for c in text)


_FORMULA_STARTS = ("=", "+", "-", "@")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def csv_cell(text: str) -> str:
    """A CSV cell a spreadsheet shows as text: `'` before a leading = + - @, unless the cell is a plain number.

    Control characters are shown as escapes first (`terminal_text`: CSV is printed on the
    terminal too), so a tab or CR, OWASP's other two formula starts, can never lead a cell.
    A negative number (`-1234.5`, the exact decimal text of a value, target or gap) is left
    as is: a spreadsheet reads it as a number, never as a formula, and a `'` would turn it into text.
    """
    shown = terminal_text(text)
    if shown.startswith(_FORMULA_STARTS) and not _NUMBER.fullmatch(shown):
        return "'" + shown
    return shown


_MARKDOWN_MARKS = re.compile(r"([\\`*_~\[\]|])")
_BLOCK_START = re.compile(r"^(?:#{1,6}|[-+]|\d{1,9}[.)])(?=\s|$)")


def markdown_text(text: str) -> str:
    """`text` shown as written in Markdown: no HTML, link, image, table cell break, emphasis or heading it could start.

    `<`, `>` and `&` become HTML entities (safe in every Markdown dialect, where a
    backslash before `<` is not); link brackets, pipes, emphasis and code marks get a
    backslash; a leading heading or list mark gets one before its last character; line
    breaks become spaces, so a field stays in its table cell; other control characters
    are shown as escapes.
    """
    flat = terminal_text(" ".join(text.splitlines()))
    escaped = _MARKDOWN_MARKS.sub(r"\\\1", html.escape(flat, quote=False))
    block = _BLOCK_START.match(escaped)
    return escaped if block is None else escaped[: block.end() - 1] + "\\" + escaped[block.end() - 1 :]


def markdown_code(text: str) -> str:
    """`text` as a Markdown code span, shown literally: fenced by more backticks than it holds, on one line."""
    flat = terminal_text(" ".join(text.splitlines()))
    fence = "`" * (max((len(run) for run in re.findall(r"`+", flat)), default=0) + 1)
    padding = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{fence}{padding}{flat}{padding}{fence}"

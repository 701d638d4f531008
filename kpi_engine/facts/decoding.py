"""Bytes to text for the text readers: what spreadsheets and accounting software really write.

UTF-8, with or without the byte-order mark Excel and Notepad write; UTF-16
with its mark (Excel's "Unicode text" export); otherwise a single-byte legacy
encoding, cp1252 by default (Excel on Windows saves CSV that way). Decoding
never fails: a file that is not text shows up as cells that are not numbers,
each reported where it is.
"""

from __future__ import annotations

import codecs

_UTF16_MARKS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_HEAD_BYTES = 4096
_CHECK_BYTES = 1 << 20


def decode(data: bytes, fallback: str = "cp1252") -> str:
    """The text of a file's bytes, the byte-order mark dropped; `fallback` when it is not UTF-8."""
    return data.decode(text_encoding(data, fallback), errors="replace")


def text_encoding(data: bytes, fallback: str = "cp1252") -> str:
    """The codec `decode` reads `data` with: `utf-16` (with its mark), `utf-8-sig` (UTF-8, with or without
    the mark) or `fallback`. UTF-8 is checked a chunk at a time, so a large file is not decoded whole to
    learn it: a reader can then decode it a line at a time."""
    if data.startswith(_UTF16_MARKS):
        return "utf-16"
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    try:
        for start in range(0, len(data), _CHECK_BYTES):
            decoder.decode(view[start : start + _CHECK_BYTES])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return fallback
    return "utf-8-sig"


def first_line(data: bytes) -> str:
    """The first non-blank line of a file, decoded, for recognising its format (comments included)."""
    head = data[:_HEAD_BYTES]
    utf16 = head.startswith(_UTF16_MARKS)
    text = head[: len(head) // 2 * 2].decode("utf-16", errors="ignore") if utf16 else head.decode("utf-8-sig", errors="ignore")
    return next((line.strip() for line in text.replace("\r", "\n").split("\n") if line.strip()), "")

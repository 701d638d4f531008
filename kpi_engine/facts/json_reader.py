"""JSON facts: the YAML layout written as JSON, numbers kept as exact decimals.

JSON is checked strictly first, for JSON's own error messages, then read as
YAML (JSON is YAML), which keeps positions and exact decimals.
"""

from __future__ import annotations

import json

from ..errors import Location, Problem
from ..reasons import Reason
from .decoding import decode, first_line
from .model import Facts
from .source import Reader, ReadOptions, ReadResult
from .yaml_reader import read_yaml


def read_json(data: bytes, name: str, options: ReadOptions) -> ReadResult:
    try:
        json.loads(decode(data))
    except RecursionError:
        return ReadResult(Facts(), (Problem.of(Location(name, 1, 1), Reason.of("json_too_deep")),))
    except json.JSONDecodeError as error:
        cause = Reason.of("invalid_json", detail=_json_words(error.msg))
        return ReadResult(Facts(), (Problem.of(Location(name, error.lineno, error.colno), cause),))
    return read_yaml(data, name, options)


# JSON's own messages (`json.decoder`), by how they start, and their catalogue codes
_JSON_MESSAGES = (
    ("Expecting value", "json_expecting_value"),
    ("Expecting property name", "json_expecting_name"),
    ("Expecting ':'", "json_expecting_colon"),
    ("Expecting ','", "json_expecting_comma"),
    ("Unterminated string", "json_unterminated_string"),
    ("Extra data", "json_extra_data"),
    ("Invalid control character", "json_control_character"),
    ("Invalid \\", "json_escape"),
)


def _json_words(message: str) -> Reason | str:
    """The JSON parser's message as data when it is one of `json.decoder`'s, so it reads in French too."""
    code = next((code for start, code in _JSON_MESSAGES if message.startswith(start)), None)
    return message if code is None else Reason.of(code, detail=message)


def _is_json(data: bytes, name: str) -> bool:
    line = first_line(data)
    return line.startswith(("{", "[")) if line else name.lower().endswith(".json")


READER = Reader("json", _is_json, read_json)

"""JSON facts: the YAML layout written as JSON, numbers kept as exact decimals.

JSON is checked strictly first, for JSON's own error messages, then read as
YAML (JSON is YAML), which keeps positions and exact decimals.
"""

from __future__ import annotations

import json

from ..errors import Location, Problem
from .decoding import decode, first_line
from .model import Facts
from .source import Reader, ReadOptions, ReadResult
from .yaml_reader import read_yaml


def read_json(data: bytes, name: str, options: ReadOptions) -> ReadResult:
    try:
        json.loads(decode(data))
    except RecursionError:
        return ReadResult(Facts(), (Problem(Location(name, 1, 1), "the file is nested too deeply to be a facts file; refused"),))
    except json.JSONDecodeError as error:
        return ReadResult(Facts(), (Problem(Location(name, error.lineno, error.colno), f"not valid JSON: {error.msg}"),))
    return read_yaml(data, name, options)


def _is_json(data: bytes, name: str) -> bool:
    line = first_line(data)
    return line.startswith(("{", "[")) if line else name.lower().endswith(".json")


READER = Reader("json", _is_json, read_json)

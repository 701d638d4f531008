"""The facts readers, keyed by format, in the order their content is recognised.

Adding a source is one module exposing a `Reader` and one entry here. Order
matters only where formats overlap: specific recognisers come first, and CSV,
which reads any text, comes last.
"""

from __future__ import annotations

from ..ledger import reader as fec_reader
from . import csv_reader, json_reader, workbook_reader, yaml_reader
from .source import Reader

READERS: dict[str, Reader] = {
    reader.format: reader
    for reader in (
        workbook_reader.READER,
        fec_reader.READER,
        json_reader.READER,
        yaml_reader.READER,
        csv_reader.READER,
    )
}


def detect_format(data: bytes, name: str) -> str:
    """The format of a file, recognised by its content (its name only settles an empty file)."""
    return next(key for key, reader in READERS.items() if reader.detect(data, name))

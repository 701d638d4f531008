"""The FEC as a facts source: recognised by its header line, read by `fec`, mapped to inputs by the pack's account rules.

Without a pack, the standard library's rules map it (`fec_facts`).
"""

from __future__ import annotations

from ..facts.source import Reader, ReadOptions, ReadResult
from . import fec_facts
from .fec import is_fec


def _detect(data: bytes, name: str) -> bool:
    return is_fec(data)


def _read(data: bytes, name: str, options: ReadOptions) -> ReadResult:
    facts, problems = fec_facts(data, name, options.pack)
    return ReadResult(facts, tuple(problems))


READER = Reader("fec", _detect, _read)

"""Facts: the company's figures, and the readers that get them from files.

    model      Fact, Facts, EntityFacts: the in-memory form, built by readers or by hand
    source     the reader contract: Reader, ReadResult
    registry   READERS, keyed by format, recognised by content
    load       load_facts(paths, pack), survey_facts (never raising), read_facts(bytes, name), read_facts_text
    coverage   what facts give: entities x periods x inputs, totals per input (`kpi facts`)
    table      rows and columns (long or wide) to facts, for every tabular reader
    *_reader   one module per source format
"""

from .checks import consistency_warnings
from .load import load_facts, read_facts, read_facts_text, read_file, survey_facts
from .model import ACTUAL, AuditLine, Entity, EntityFacts, Fact, Facts, scenario_problem
from .registry import READERS, detect_format
from .source import Reader, ReadOptions, ReadResult
from .yaml_reader import facts_from_document

__all__ = [
    "ACTUAL",
    "READERS",
    "AuditLine",
    "Entity",
    "EntityFacts",
    "Fact",
    "Facts",
    "ReadOptions",
    "ReadResult",
    "Reader",
    "consistency_warnings",
    "detect_format",
    "facts_from_document",
    "load_facts",
    "read_facts",
    "read_facts_text",
    "read_file",
    "scenario_problem",
    "survey_facts",
]

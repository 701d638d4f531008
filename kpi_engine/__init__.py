"""kpi-engine: declarative financial KPIs in YAML, evaluated over periods and entities.

The pipeline, one module per stage:
    loader / yamlsource  YAML files -> documents with positions (library: the bundled standard library)
    schema               JSON Schema validation
    parser (formula.lark) formulas -> AST (nodes)
    assembly             documents -> merged definitions (extends, overrides)
    semantics, graph     names, functions, types, cycles
    compiler, program    AST -> closures, worked out once per pack
    evaluator            program x facts -> results and alerts

Typical embedding use, with no file I/O after loading:

    >>> from kpi_engine import load_pack, Facts
    >>> pack = load_pack("definitions/")                       # doctest: +SKIP
    >>> facts = Facts.from_records([("lyon", "chiffre_affaires_ht", "2025-01", "1000")])  # doctest: +SKIP
    >>> evaluation = pack.evaluate(facts)                      # doctest: +SKIP
"""

from .errors import FactsError, KpiError, Location, PackError, Problem
from .evaluator import Evaluation
from .facts import Fact, Facts, read_facts_text
from .library import standard_library_path
from .limits import Limits
from .loader import load_pack
from .pack import Pack
from .periods import Frequency, Period
from .results import Alert, Result

__all__ = [
    "Alert",
    "Evaluation",
    "Fact",
    "Facts",
    "FactsError",
    "Frequency",
    "KpiError",
    "Limits",
    "Location",
    "Pack",
    "PackError",
    "Period",
    "Problem",
    "Result",
    "load_pack",
    "read_facts_text",
    "standard_library_path",
]

"""kpi-engine: declarative financial KPIs in YAML, evaluated over periods and entities.

The pipeline, one module per stage:
    loader / yamlsource  YAML files -> documents with positions (library: the bundled standard library)
    schema               JSON Schema validation
    parser (formula.lark) formulas -> AST (nodes)
    assembly             documents -> merged definitions (extends, overrides)
    semantics, graph     names, functions, types, cycles
    plan                 definitions -> what the pack means, as data (order, roll-ups, alert rules)
    backends/            plan x facts -> results and alerts (python: closures, one per formula)
    alerts, results      what an evaluation gives back, worded at the edge

Typical embedding use, with no file I/O after loading:

    >>> from kpi_engine import load_pack, Facts
    >>> pack = load_pack("definitions/")                       # doctest: +SKIP
    >>> facts = Facts.from_records([("lyon", "chiffre_affaires_ht", "2025-01", "1000")])  # doctest: +SKIP
    >>> evaluation = pack.evaluate(facts)                      # doctest: +SKIP
"""

from importlib import metadata as _metadata

from .alerts import Alert
from .errors import FactsError, KpiError, Location, PackError, Problem
from .facts import Fact, Facts, load_facts, read_facts_text
from .formatting import format_value
from .library import standard_library_path
from .limits import Limits
from .loader import load_pack
from .pack import Pack
from .periods import Frequency, Period
from .results import Evaluation, Result

try:
    __version__ = _metadata.version("kpi-rules")
except _metadata.PackageNotFoundError:  # a source checkout that was never installed
    __version__ = "0+unknown"

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
    "__version__",
    "format_value",
    "load_facts",
    "load_pack",
    "read_facts_text",
    "standard_library_path",
]

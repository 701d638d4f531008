"""The public face of a loaded pack: validated definitions, their plan, and the backends that compute it.

`build_pack` runs the pure pipeline on documents already in memory
(schema -> assembly -> semantics -> plan -> compile) and raises `PackError` with
every problem at once. `Pack.from_texts` does the same from strings, so an
embedding tool needs no file at all; the packs it extends are given as texts
too (`library.BUNDLED`, the standard library, by default). Nothing here reads
a file.
"""

from __future__ import annotations

import difflib
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from . import backends
from .assembly import build_definitions
from .errors import Location, PackError, Problem
from .explain import ExplainNode
from .facts import Entity, Facts
from .formatting import Language
from .library import BUNDLED
from .model import LANGUAGES, Definitions, InputDef, KpiDef
from .parser import Limits
from .periods import Period
from .plan import Plan, build_plan
from .reasons import Reason
from .results import EntityEvaluation, Evaluation, Selection
from .schema import check_document
from .semantics import semantic_problems
from .yamlsource import Document, load_document
from .yamlsource import Path as YamlPath

_ALL_ENTITIES = object()


@dataclass(frozen=True)
class Pack:
    """A validated pack and its plan; evaluate it against any number of fact sets, from any number of threads."""

    definitions: Definitions
    plan: Plan
    _backends: dict[str, backends.Backend] = field(default_factory=dict, compare=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, compare=False, repr=False)

    @classmethod
    def from_texts(
        cls, files: Mapping[str, str], limits: Limits = Limits(), bases: Mapping[str, Mapping[str, str]] = BUNDLED
    ) -> Pack:
        """A pack from `{file name: YAML text}`, reading no file.

        `bases` holds the packs the texts may extend, `{extends name: {file name:
        YAML text}}`; by default `standard`, the bundled library (its texts are
        read from the package once, on first use).
        """
        layers: list[list[Document]] = []
        _add_text_layers(files, bases, limits, layers, visiting=(), done=set())
        return build_pack(layers, limits)

    @property
    def kpis(self) -> Mapping[str, KpiDef]:
        return self.definitions.kpis

    @property
    def inputs(self) -> Mapping[str, InputDef]:
        return self.definitions.inputs

    def fact_warnings(self, facts: Facts) -> list[Problem]:
        """Facts no input reads (a misspelt column...) and facts outside the `min`/`max` their input
        declares (a negative headcount...), as located warnings."""
        warnings = []
        for name in sorted(facts.names() - set(self.inputs)):
            location = next((found for e in facts.entities if (found := facts.location(e, name))), Location("facts"))
            close = difflib.get_close_matches(name, list(self.inputs), n=1, cutoff=0.6)
            warnings.append(Problem.of(location, Reason.of("not_an_input", name=name, hint=close[0] if close else ""), "warning"))
        for fact in facts.facts():
            definition = self.inputs.get(fact.name)
            if definition is None:
                continue
            low, high = definition.minimum, definition.maximum
            if (low is not None and fact.value < low) or (high is not None and fact.value > high):
                cause = Reason.of("out_of_bounds", name=fact.name, value=fact.value, period=fact.period, entity=fact.entity, bounds=(low, high))
                warnings.append(Problem.of(fact.location, cause, "warning"))
        return warnings

    def backend(self, name: str = "python") -> backends.Backend:
        """The backend `name` made for this pack's plan, once (`kpi_engine.backends.BACKENDS`)."""
        with self._lock:
            made = self._backends.get(name)
            if made is None:
                made = self._backends[name] = backends.backend(name)(self.plan)
            return made

    def evaluate(
        self,
        facts: Facts,
        period: Period | str | None = None,
        entity: Entity | object = _ALL_ENTITIES,
        lang: str = "fr",
        backend: str = "python",
        as_of: date | str | None = None,
    ) -> Evaluation:
        """Every KPI at its frequency for every period the facts cover.

        `period` keeps results within that period (a quarter keeps its months
        too); `entity` keeps one entity (None is the facts without entity).
        Earlier periods are still read by time functions. `lang` is the
        language alert messages are worded in (`Alert.text` gives any). `backend` names
        the engine that computes (`kpi_engine.backends.BACKENDS`); every
        backend gives the same results. `as_of` (a date or `YYYY-MM-DD`) is
        the day the evaluation is made: the pack's silences whose `until` is
        on or after it mark the alerts they cover as silenced; without it no
        silence applies (nothing here reads the clock; the CLI passes today).
        The evaluation is immutable.
        """
        return self.backend(backend).evaluate(facts, _selection(period, entity, as_of), _checked(lang))

    def evaluate_iter(
        self,
        facts: Facts,
        period: Period | str | None = None,
        entity: Entity | object = _ALL_ENTITIES,
        lang: str = "fr",
        backend: str = "python",
        as_of: date | str | None = None,
    ) -> Iterator[EntityEvaluation]:
        """As `evaluate`, one entity at a time (`EntityEvaluation`: entity, results, alerts), in facts order.

        Nothing of an entity is kept once it is yielded, so an output that
        writes each one out streams any number of entities in bounded memory.
        """
        return self.backend(backend).evaluate_iter(facts, _selection(period, entity, as_of), _checked(lang))

    def explain(self, facts: Facts, kpi: str, period: Period | str, entity: Entity = None, max_depth: int = 8, backend: str = "python") -> ExplainNode:
        """How `kpi` was obtained at `period` for `entity`, as a tree of values, from a run of its own;
        KeyError when the facts do not cover that period for that entity."""
        return self.backend(backend).trace(facts, kpi, _period(period), entity or None, max_depth)

    def value(self, facts: Facts, kpi: str, period: Period | str, entity: Entity = None, backend: str = "python") -> Decimal | bool | None:
        """One KPI (or input) at one period (any frequency the facts cover), None only when undefined; KeyError,
        with a did-you-mean, for an unknown KPI or entity, or a period the facts do not cover."""
        return self.backend(backend).value(facts, kpi, _period(period), entity or None)


def _period(period: Period | str) -> Period:
    return Period.parse(period) if isinstance(period, str) else period


def _selection(period: Period | str | None, entity: Entity | object, as_of: date | str | None = None) -> Selection:
    chosen = None if period is None else _period(period)
    day = date.fromisoformat(as_of) if isinstance(as_of, str) else as_of
    one = None if entity is _ALL_ENTITIES else entity or None  # "" is the facts without entity, as None
    return Selection(chosen, one, entity is _ALL_ENTITIES, day)  # type: ignore[arg-type]


def _checked(lang: str) -> Language:
    if lang in LANGUAGES:
        return lang
    raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}, not {lang!r}")


def _add_text_layers(
    files: Mapping[str, str],
    bases: Mapping[str, Mapping[str, str]],
    limits: Limits,
    layers: list[list[Document]],
    visiting: tuple[str, ...],
    done: set[str],
) -> None:
    """Append the layers of `files`, the packs they extend first (each once); PackError on any problem."""
    documents, problems = [], []
    for name, text in files.items():
        document, found = load_document(text, name, limits.max_yaml_nodes)
        problems.extend(found)
        documents.append(document)
    extended = list(dict.fromkeys(base for document in documents for base in _extended(document)))
    allowed = f"can only extend {', '.join(repr(name) for name in bases)}" if bases else "was given no pack to extend"
    unknown = sorted(set(extended) - set(bases))
    problems.extend(Problem(Location("<texts>"), f"extends '{base}': Pack.from_texts {allowed}; use load_pack for packs on disk") for base in unknown)
    problems.extend(Problem(Location("<texts>"), f"'extends' loops back to '{base}'") for base in extended if base in visiting)
    if problems:
        raise PackError(problems)
    for base in extended:
        if base not in done:
            _add_text_layers(bases[base], bases, limits, layers, (*visiting, base), done)
            done.add(base)
    layers.append(documents)


def _extended(document: Document) -> list[str]:
    extends = document.data.get("extends") if isinstance(document.data, dict) else None
    return [extends] if isinstance(extends, str) else [e for e in extends if isinstance(e, str)] if isinstance(extends, list) else []


def build_pack(layers: Sequence[Sequence[Document]], limits: Limits = Limits()) -> Pack:
    """Validate layers of documents (bases first) and compile them; PackError lists every problem."""
    problems: list[Problem] = []
    spoiled: dict[str, set[YamlPath]] = {}
    for layer in layers:
        for document in layer:
            found, spoiled[document.source.name] = check_document(document)
            problems.extend(found)
    definitions, more = build_definitions(layers, limits, spoiled)
    problems.extend(more)
    problems.extend(semantic_problems(definitions))
    if problems:
        raise PackError(_sorted(problems))
    pack = Pack(definitions, build_plan(definitions))
    pack.backend("python")  # compiled at load: a pack that loads can be evaluated
    return pack


def _sorted(problems: list[Problem]) -> list[Problem]:
    """File order, then line and column, so the list reads like the files; duplicates removed."""
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: (p.location.file, p.location.line, p.location.column))

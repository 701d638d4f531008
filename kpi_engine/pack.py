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
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from . import backends
from .assembly import build_definitions
from .comparisons import CompareName
from .errors import FactsError, Location, PackError, Problem
from .explain import ExplainNode
from .facts import ACTUAL, Entity, Facts
from .facts.columns import near_miss
from .formatting import Language
from .functions import SCENARIOS
from .graph import all_dependencies_graph, closure, input_dependencies
from .library import BUNDLED
from .limits import Limits
from .model import LANGUAGES, Definitions, InputDef, KpiDef
from .periods import Calendar, Period
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
        read: list[Problem] = []
        _add_text_layers(files, bases, limits, (layers, read), visiting=(), done=set())
        return build_pack(layers, limits, read)

    @property
    def kpis(self) -> Mapping[str, KpiDef]:
        return self.definitions.kpis

    @property
    def inputs(self) -> Mapping[str, InputDef]:
        return self.definitions.inputs

    @property
    def groups(self) -> tuple[str, ...]:
        """The entities this pack declares as groups of others."""
        return tuple(self.plan.groups)

    def fact_warnings(self, facts: Facts) -> list[Problem]:
        """Facts no input reads (a misspelt column...) and facts outside the `min`/`max` their input
        declares (a negative headcount...), as located warnings."""
        warnings = list(self._unread_names(facts))
        warnings.extend(self._absent_members(facts))
        warnings.extend(_misspelt_scenarios(facts))
        if all(definition.minimum is None and definition.maximum is None for definition in self.inputs.values()):
            return warnings  # no bounds to check: the facts are not walked (a Fact and a Location made for each)
        for fact in facts.facts():
            definition = self.inputs.get(fact.name)
            if definition is None:
                continue
            low, high = definition.minimum, definition.maximum
            if (low is not None and fact.value < low) or (high is not None and fact.value > high):
                cause = Reason.of("out_of_bounds", name=fact.name, value=fact.value, period=fact.period, entity=fact.entity, bounds=(low, high))
                warnings.append(Problem.of(fact.location, cause, "warning"))
        return warnings

    def _unread_names(self, facts: Facts) -> Iterator[Problem]:
        """A warning for each of the first `UNREAD_NAMES_SHOWN` names no input reads, with the closest input,
        then one for all the others: finding the closest input compares a name with every input's name and
        labels, so a file of 100,000 unknown columns costs what 20 do, and is said in 21 lines, not 100,000."""
        unread = sorted(facts.names() - set(self.inputs))
        for name in unread[:UNREAD_NAMES_SHOWN]:
            hint = near_miss(name, self.inputs) or ""
            yield Problem.of(_first_location(facts, name), Reason.of("not_an_input", name=name, hint=hint), "warning")
        rest = unread[UNREAD_NAMES_SHOWN:]
        if rest:
            cause = Reason.of("more_not_inputs", count=len(rest), names=tuple(rest[:5]), more=len(rest) - 5 if len(rest) > 5 else 0)
            yield Problem.of(_first_location(facts, rest[0]), cause, "warning")

    def _absent_members(self, facts: Facts) -> Iterator[Problem]:
        """Members of a group that the facts do not mention at all: the group will have no value."""
        present = set(facts.entities)
        for group in self.plan.groups.values():
            for member in group.members:
                if member not in present and member not in self.plan.groups:
                    where = self.definitions.entities[group.name].location
                    yield Problem.of(where, Reason.of("member_without_facts", member=member, group=group.name), "warning")

    def unfed(self, facts: Facts) -> dict[str, tuple[str, ...]]:
        """KPI -> the inputs it reads (itself or through other KPIs, at any period) that the facts never
        give, for each KPI that reads one: such a KPI has a value only where a function such as
        `coalesce` stands in for them."""
        given = facts.names()
        reads = {name: input_dependencies(kpi.formula, self.definitions) for name, kpi in self.kpis.items()}
        every = all_dependencies_graph(self.definitions)
        unfed = {}
        for name in self.kpis:
            missing = sorted({i for k in closure(every, [name]) for i in reads[k] if i not in given})
            if missing:
                unfed[name] = tuple(missing)
        return unfed

    def parse_period(self, text: str) -> Period:
        """A period named in this pack's calendar (`FY2025-Q1`...); ValueError says why not."""
        return self.plan.calendar.parse(text)

    def bind(self, facts: Facts) -> Facts:
        """`facts` with their years and quarters in this pack's calendar (the same object when they are
        already): `FY...` periods get their months, calendar quarters become the fiscal quarters they
        coincide with. FactsError locates every period this calendar does not have."""
        calendar = self.plan.calendar
        if all(_in_calendar(calendar, period) for period in facts.periods()):
            return facts
        bound, problems = Facts(), []
        for fact in facts.facts():
            try:
                period = calendar.bind(fact.period)
            except ValueError as error:
                problems.append(Problem(fact.location, str(error)))
                continue
            problem = bound.add(replace(fact, period=period))
            if problem:
                problems.append(problem)
        if problems:
            raise FactsError(problems)
        bound.warn(facts.warnings)  # what the readers noticed still holds for the same figures
        return bound

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
        compare: Sequence[CompareName] = (),
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
        `compare` names what each result also carries (`Result.compared`): its
        budget, its value a year earlier, its year to date (`comparisons`;
        the DuckDB backend refuses the year to date). The evaluation is immutable.
        """
        return self.backend(backend).evaluate(self.bind(facts), self._selection(period, entity, as_of, compare), _checked(lang))

    def evaluate_iter(
        self,
        facts: Facts,
        period: Period | str | None = None,
        entity: Entity | object = _ALL_ENTITIES,
        lang: str = "fr",
        backend: str = "python",
        as_of: date | str | None = None,
        compare: Sequence[CompareName] = (),
    ) -> Iterator[EntityEvaluation]:
        """As `evaluate`, one entity at a time (`EntityEvaluation`: entity, results, alerts), in facts order.

        Nothing of an entity is kept once it is yielded, so an output that
        writes each one out streams any number of entities in bounded memory.
        """
        return self.backend(backend).evaluate_iter(self.bind(facts), self._selection(period, entity, as_of, compare), _checked(lang))

    def explain(self, facts: Facts, kpi: str, period: Period | str, entity: Entity = None, max_depth: int = 8, backend: str = "python") -> ExplainNode:
        """How `kpi` was obtained at `period` for `entity`, as a tree of values, from a run of its own (for a
        group, each consolidated input down to its members' values and the group's own entries, nodes of kind
        `member` and `group_entries`); KeyError when the facts do not cover that period for that entity."""
        return self.backend(backend).trace(self.bind(facts), kpi, self._period(period), entity or None, max_depth)

    def value(self, facts: Facts, kpi: str, period: Period | str, entity: Entity = None, backend: str = "python") -> Decimal | bool | None:
        """One KPI (or input) at one period (any frequency the facts cover), None only when undefined; KeyError,
        with a did-you-mean, for an unknown KPI or entity, or a period the facts do not cover."""
        return self.backend(backend).value(self.bind(facts), kpi, self._period(period), entity or None)

    def _period(self, period: Period | str) -> Period:
        return self.plan.calendar.parse(period) if isinstance(period, str) else self.plan.calendar.bind(period)

    def _selection(
        self, period: Period | str | None, entity: Entity | object, as_of: date | str | None = None, compare: Sequence[CompareName] = ()
    ) -> Selection:
        chosen = None if period is None else self._period(period)
        day = date.fromisoformat(as_of) if isinstance(as_of, str) else as_of
        one = None if entity is _ALL_ENTITIES else entity or None  # "" is the facts without entity, as None
        return Selection(chosen, one, entity is _ALL_ENTITIES, day, tuple(compare))  # type: ignore[arg-type]


def _in_calendar(calendar: Calendar, period: Period) -> bool:
    try:
        return calendar.bind(period) == period
    except ValueError:
        return False


def _checked(lang: str) -> Language:
    if lang in LANGUAGES:
        return lang
    raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}, not {lang!r}")


def _add_text_layers(
    files: Mapping[str, str],
    bases: Mapping[str, Mapping[str, str]],
    limits: Limits,
    gathered: tuple[list[list[Document]], list[Problem]],
    visiting: tuple[str, ...],
    done: set[str],
) -> None:
    """Append the layers of `files`, the packs they extend first (each once), to `gathered`'s layers, and
    the problems inside texts that could still be read to its problems; PackError on any other problem."""
    layers, read = gathered
    documents, problems = list[Document](), list[Problem]()
    for name, text in files.items():
        document, found = load_document(text, name, limits.max_yaml_nodes, limits.numbers)
        (read if found and document.data is not None else problems).extend(found)
        documents.append(document)
    extended = list(dict.fromkeys(base for document in documents for base in _extended(document)))
    allowed = f"can only extend {', '.join(repr(name) for name in bases)}" if bases else "was given no pack to extend"
    unknown = sorted(set(extended) - set(bases))
    problems.extend(Problem(Location("<texts>"), f"extends '{base}': Pack.from_texts {allowed}; use load_pack for packs on disk") for base in unknown)
    problems.extend(Problem(Location("<texts>"), f"'extends' loops back to '{base}'") for base in extended if base in visiting)
    if problems:
        raise PackError(problems + read)
    for base in extended:
        if base not in done:
            _add_text_layers(bases[base], bases, limits, gathered, (*visiting, base), done)
            done.add(base)
    layers.append(documents)


def _extended(document: Document) -> list[str]:
    extends = document.data.get("extends") if isinstance(document.data, dict) else None
    return [extends] if isinstance(extends, str) else [e for e in extends if isinstance(e, str)] if isinstance(extends, list) else []


UNREAD_NAMES_SHOWN = 20
"""Names no input reads that get a warning of their own (with the closest input); the others are counted in one."""


def _first_location(facts: Facts, name: str) -> Location:
    """Where `name` is first given, in the facts of the first entity that has it."""
    return next((found for e in facts.entities if (found := facts.location(e, name))), Location("facts"))


def build_pack(layers: Sequence[Sequence[Document]], limits: Limits = Limits(), read: Sequence[Problem] = ()) -> Pack:
    """Validate layers of documents (bases first) and compile them; PackError lists every problem.

    `read` are the problems met while reading the documents (a YAML mistake, its line set aside):
    the documents are still checked, and a problem on a line `read` already explains is left out.
    """
    problems: list[Problem] = []
    spoiled: dict[str, set[YamlPath]] = {}
    for layer in layers:
        for document in layer:
            found, spoiled[document.source.name] = check_document(document)
            problems.extend(found)
    definitions, more = build_definitions(layers, limits, spoiled)
    problems.extend(more)
    problems.extend(semantic_problems(definitions, limits))
    explained = {(problem.location.file, problem.location.line) for problem in read}
    problems = [*read, *(problem for problem in problems if (problem.location.file, problem.location.line) not in explained)]
    if problems:
        raise PackError(_sorted(problems))
    pack = Pack(definitions, build_plan(definitions))
    pack.backend("python")  # compiled at load: a pack that loads can be evaluated
    return pack


def _sorted(problems: list[Problem]) -> list[Problem]:
    """File order, then line and column, so the list reads like the files; duplicates removed."""
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: (p.location.file, p.location.line, p.location.column))


def _misspelt_scenarios(facts: Facts) -> Iterator[Problem]:
    """Figures under a scenario that is a near miss of one formulas read (`budjet`): read by nothing,
    they would be left out without a word. Other scenarios (`revised_budget`) are kept as they are."""
    for scenario in facts.scenarios:
        if scenario in SCENARIOS or scenario == ACTUAL:
            continue
        close = difflib.get_close_matches(scenario, SCENARIOS, n=1, cutoff=0.75)
        if close:
            where = next(f.location for f in facts.facts() if f.scenario == scenario)
            yield Problem.of(where, Reason.of("near_scenario", scenario=scenario, closest=close[0]), "warning")

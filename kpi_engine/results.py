"""What an evaluation gives back, whatever backend computed it: typed, frozen, free of engine internals.

`Evaluation` is the protocol every backend's evaluation follows. It is
immutable once built: reading it (results, alerts, one value, a result at a
coarser period) from several threads at once gives the same answers and
changes nothing another reader can see.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from .alerts import Alert
from .errors import did_you_mean
from .facts import Entity
from .formatting import Language, format_result, plain, status_word
from .periods import Period
from .reasons import Reason

if TYPE_CHECKING:
    from .comparisons import Compared, CompareName


class Status(StrEnum):
    """Where a KPI stands against its target."""

    MET = "met"
    MISSED = "missed"
    NO_TARGET = "no_target"
    UNDEFINED = "undefined"


MET, MISSED, NO_TARGET, UNDEFINED = Status.MET, Status.MISSED, Status.NO_TARGET, Status.UNDEFINED
STATUSES = tuple(Status)


@dataclass(frozen=True)
class Result:
    """One KPI for one period and entity. `value` is None exactly when `status` is undefined."""

    kpi: str
    period: Period
    entity: str | None
    value: Decimal | None
    target: Decimal | None
    gap: Decimal | None
    status: Status
    owner: str
    error: str | None = None  # why it is undefined (or its target is), in English: the text of record
    cause: Reason | None = field(default=None, compare=False, repr=False)  # the same, as data, for other languages
    is_group: bool = False  # the entity is a group of the pack: its inputs are its members' consolidated
    compared: Compared | None = field(default=None, compare=False, repr=False)  # its budget, N-1, ytd, when asked (`Selection.compare`)

    def reason(self, lang: Language = "fr") -> str:
        """`error` in the reader's language ("" when there is none)."""
        return self.cause.text(lang) if self.cause else (self.error or "")

    def to_dict(self, label: str = "", unit: str = "", lang: Language = "fr") -> dict[str, object]:
        """A JSON-ready record: exact decimal texts (null when undefined), the status and reason, and for people
        the KPI's `label` and `unit` (from `Pack.kpis[kpi]`) with the value and target formatted in `lang`
        (with the decimals that decide the status, `formatting.format_result`)."""
        texts = format_result(self.value, self.target, self.gap, unit, lang)
        return {
            "kpi": self.kpi,
            "label": label or self.kpi,
            "period": str(self.period),
            "entity": self.entity,
            "value": plain(self.value),
            "target": plain(self.target),
            "gap": plain(self.gap),
            "unit": unit,
            "status": str(self.status),
            "owner": self.owner,
            "text": texts[0],
            "target_text": texts[1] if self.target is not None else None,
            "status_text": status_word(self.status, lang),
            "reason": self.reason(lang) or None,
        }


@dataclass(frozen=True)
class Selection:
    """Which results to report: periods within `period` (itself included), one entity or all of them;
    the date the evaluation is made as of, which decides the silences that apply (none without it);
    and what each result is compared with besides its target (`comparisons.COMPARE_NAMES`)."""

    period: Period | None = None
    entity: Entity = None
    all_entities: bool = True
    as_of: date | None = None
    compare: tuple[CompareName, ...] = ()  # the references each result carries (`comparisons`): none unless asked

    def wants_period(self, period: Period) -> bool:
        return self.period is None or self.period.contains(period)

    def wants_entity(self, entity: Entity) -> bool:
        return self.all_entities or entity == self.entity


EVERYTHING = Selection()  # every period the facts cover, every entity


@dataclass(frozen=True)
class EntityEvaluation:
    """One entity's results and alerts: what `Pack.evaluate_iter` yields, entity after entity."""

    entity: Entity
    results: tuple[Result, ...]
    alerts: tuple[Alert, ...]


class Evaluation(Protocol):
    """The outcome of evaluating a pack over facts: results, alerts and values on demand, read-only."""

    @property
    def lang(self) -> str: ...

    @property
    def results(self) -> tuple[Result, ...]:
        """Every reported result, in entity, period, definition order."""

    @property
    def alerts(self) -> tuple[Alert, ...]:
        """Every fired alert, in entity, period, definition order; inhibited and silenced ones marked (`Alert.active`)."""

    @property
    def entities(self) -> Sequence[Entity]: ...

    def result_at(self, kpi: str, period: Period | str, entity: Entity = None) -> Result:
        """`kpi` at any evaluated period, even one coarser than its frequency: a `Result` whose status is
        undefined (with its reason) when it cannot be computed; KeyError when it was not evaluated (an
        unknown KPI or entity, a period the facts do not cover), see `lookup_error`."""

    def value(self, kpi: str, period: Period | str, entity: Entity = None) -> Decimal | None:
        """One KPI's (or input's) value, None only when undefined; KeyError when not evaluated, as `result_at`."""


@runtime_checkable
class ScenarioResults(Protocol):
    """An evaluation that also gives a KPI computed on another scenario's figures (`scenario_result`)."""

    def scenario_result(self, kpi: str, period: Period | str, entity: Entity = None, scenario: str = "budget") -> Result:
        """`kpi` at a covered period on the figures of `scenario` (value, target and status there); undefined with
        its reason when the scenario cannot give it; KeyError when the period is not evaluated."""


@dataclass(frozen=True)
class WithoutKpis:
    """An evaluation with some KPIs left out of its results and alerts: what an output hides (`--hide-absent`)."""

    evaluation: Evaluation
    hidden: frozenset[str]

    @property
    def lang(self) -> str:
        return self.evaluation.lang

    @property
    def results(self) -> tuple[Result, ...]:
        return tuple(r for r in self.evaluation.results if r.kpi not in self.hidden)

    @property
    def alerts(self) -> tuple[Alert, ...]:
        return tuple(a for a in self.evaluation.alerts if a.kpi not in self.hidden)

    @property
    def entities(self) -> Sequence[Entity]:
        return self.evaluation.entities

    def result_at(self, kpi: str, period: Period | str, entity: Entity = None) -> Result:
        return self.evaluation.result_at(kpi, period, entity)

    def value(self, kpi: str, period: Period | str, entity: Entity = None) -> Decimal | None:
        return self.evaluation.value(kpi, period, entity)


def lookup_error(what: str, name: str, known: Iterable[str]) -> KeyError:
    """The KeyError every lookup of an evaluation raises for a name it does not know, with a did-you-mean:
    an unknown KPI and an unknown entity are treated alike (`what` is "KPI" or "entity")."""
    names = sorted(known)
    plural = "entities" if what == "entity" else f"{what}s"
    return KeyError(f"unknown {what} '{name}'{did_you_mean(name, names)}; {plural}: {', '.join(names) or 'none'}")


def not_evaluated(period: Period | str, entity: Entity) -> KeyError:
    """The KeyError for a period the facts do not cover: nothing was evaluated there (unlike undefined)."""
    where = f" for entity '{entity}'" if entity is not None else ""
    return KeyError(f"{period} was not evaluated{where}: the facts do not cover it")

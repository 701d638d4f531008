"""What one user may read: one place that every view asks, so no page can forget a check.

An admin or the DAF reads everything. Anyone else reads the KPIs their owner
roles answer for and the KPIs of the audiences they belong to, for the
entities they are given (all when none is listed). An alert is readable when
its KPI and its entity are. A view asked for anything else answers 404, the
same answer as for a name that does not exist, so a URL never tells whether a
KPI the user may not read exists.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from ..alerts import Alert
from ..delivery.reading import NO_ENTITY
from ..delivery.store import StoredAlert
from ..facts import Entity
from ..model import Definitions
from ..periods import Period
from ..report.build import audience_members
from ..results import Result, not_evaluated
from .users import User


@dataclass(frozen=True)
class Rights:
    """The KPIs, entities and audiences one user may read in one version of the pack."""

    kpis: frozenset[str]
    entities: frozenset[str] | None  # None: every entity
    audiences: tuple[str, ...]

    def kpi(self, name: str) -> bool:
        return name in self.kpis

    def entity(self, entity: Entity) -> bool:
        return self.entities is None or (entity or NO_ENTITY) in self.entities

    def alert(self, alert: StoredAlert) -> bool:
        return self.kpi(alert.key.kpi) and self.entity(alert.key.entity or None)


def rights_of(user: User, definitions: Definitions) -> Rights:
    audiences = tuple(name for name in definitions.audiences if user.sees_everything or name in user.audiences)
    if user.sees_everything:
        kpis = set(definitions.kpis)
    else:
        kpis = {name for name, kpi in definitions.kpis.items() if kpi.owner and kpi.owner in user.owner_roles}
        for name in audiences:
            kpis.update(audience_members(definitions.audiences[name], definitions))
    entities = None if user.sees_everything or not user.entities else frozenset(user.entities)
    return Rights(frozenset(kpis), entities, audiences)


@dataclass(frozen=True)
class VisibleEvaluation:
    """An evaluation cut down to what a user may read (and to the filters they chose): the report is built from this."""

    lang: str
    results: tuple[Result, ...]
    alerts: tuple[Alert, ...]
    entities: Sequence[Entity]

    def result_at(self, kpi: str, period: Period | str, entity: Entity = None) -> Result:
        wanted = Period.parse(period) if isinstance(period, str) else period
        found = next((r for r in self.results if r.kpi == kpi and r.period == wanted and r.entity == entity), None)
        if found is None:
            raise not_evaluated(wanted, entity)  # or not visible to this user: the same answer
        return found

    def value(self, kpi: str, period: Period | str, entity: Entity = None) -> Decimal | None:
        return self.result_at(kpi, period, entity).value


def visible(lang: str, results: Iterable[Result], alerts: Iterable[Alert], entities: Sequence[Entity], rights: Rights) -> VisibleEvaluation:
    """Only the results, alerts and entities `rights` allow."""
    return VisibleEvaluation(
        lang,
        tuple(r for r in results if rights.kpi(r.kpi) and rights.entity(r.entity)),
        tuple(a for a in alerts if rights.kpi(a.kpi) and rights.entity(a.entity)),
        tuple(e for e in entities if rights.entity(e)),
    )

"""Groups in the Python backend: a group's run reads each input consolidated from its members' runs.

The plan's rule (`plan.py`, Groups): a `sum` input of a group at a period is
every member's value at that period plus the group's own adjustment; one
member without it makes the group's value undefined (`member_missing`). A
`none` input is read from the group's own facts, as for any entity.

The group's own facts are adjustments (group-level costs, intercompany
eliminations as negative amounts): a period without one adds nothing, so
they are rolled up with the input's rule, a finer period without an
adjustment counting as 0. An adjustment given at a coarser period than the
one asked cannot be split: the value is then undefined. Everything else
about a group (frames, KPIs, targets, alerts) is an ordinary run's; it is
reported at every period one of its members covers (or its own facts do),
so a member's missing month shows as an undefined group value, not as a
silent gap.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from ...errors import Undefined
from ...facts import ACTUAL, Entity, Facts
from ...model import Consolidation, Rollup
from ...periods import Frequency, Period
from ...reasons import Reason
from ...results import Selection
from .evaluator import EntityRun, combine, prepared, starting
from .program import Program


@dataclass
class GroupRun(EntityRun):
    """A group's run: `facts` are the group's own adjustments, `members` its members' runs (never computed)."""

    members: tuple[EntityRun, ...] = ()

    @property
    def is_group(self) -> bool:
        return True

    def native(self, period: Period) -> dict[str, Decimal]:
        return {}  # every input is consolidated on first use, none is read as given

    def _find_covered(self, frequency: Frequency) -> list[Period]:
        """Every period a member covers, or the group's own facts: a value a member lacks there is undefined, saying so."""
        periods = set(super()._find_covered(frequency))
        for member in self.members:
            periods.update(member.covered(frequency))
        return sorted(periods)

    def earliest(self) -> Period | None:
        """The earliest period of the group's own figures or any member's."""
        found = [p for p in (super().earliest(), *(member.earliest() for member in self.members)) if p is not None]
        return min(found, key=Period.sort_key, default=None)

    def _rolled_up(self, name: str, period: Period) -> Decimal:
        if self.program.plan.inputs[name].consolidation is Consolidation.NONE:
            return super()._rolled_up(name, period)
        values = [self.adjustment(name, period)]
        for member in self.members:
            try:
                values.append(member.rolled_up(name, period))
            except Undefined as undefined:
                cause = Reason.of("member_missing", member=member.entity, group=self.entity, name=name, period=period, cause=undefined.cause)
                raise Undefined(cause) from None
        return combine(Rollup.SUM, values)

    def adjustment(self, name: str, period: Period) -> Decimal:
        """The group's own value of `name` at `period`: 0 where it gives none, its finer values rolled up."""
        given = self.facts.by_period.get(period)
        if given is not None and name in given:
            return given[name]
        known = self.facts.frequencies.get(name, set())
        calendar = self.program.plan.calendar
        for frequency in known - period.finer_frequencies() - {period.frequency}:
            coarser = calendar.ancestor(period, frequency)
            if coarser is not None and name in self.facts.by_period.get(coarser, {}):
                raise Undefined(Reason.of("not_split", name=name, period=period, entity=self.entity, known=frequency.value, frequency=period.frequency.value))
        if not known & period.finer_frequencies():
            return Decimal(0)
        return combine(self.program.plan.inputs[name].rollup, [self.adjustment(name, child) for child in period.children()])


def entity_runs(program: Program, facts: Facts, selection: Selection) -> Iterator[EntityRun]:
    """Prepared runs of the selected entities: those of the facts that are not groups, then each group."""
    groups = program.plan.groups
    chosen = [entity for entity in facts.entities if entity not in groups] + list(groups)
    return (entity_run(program, facts, entity) for entity in chosen if selection.wants_entity(entity))


def entity_run(program: Program, facts: Facts, entity: Entity) -> EntityRun:
    """The prepared run of one entity or group (its actual figures), able to make its runs under other scenarios."""
    run = _run(program, facts, entity, ACTUAL)
    run.make_scenario = _scenario_maker(program, facts, entity)
    return prepared(run)


def _scenario_maker(program: Program, facts: Facts, entity: Entity) -> Callable[[str], EntityRun]:
    """Makes `entity`'s run under a scenario: a group's consolidates its members' figures of that scenario."""

    def make(scenario: str) -> EntityRun:
        run = _run(program, facts, entity, scenario)
        run.make_scenario = make
        return starting(run)

    return make


def _run(program: Program, facts: Facts, entity: Entity, scenario: str) -> EntityRun:
    if entity is not None and entity in program.plan.groups:
        return _group_run(program, facts, entity, scenario)
    return EntityRun(program, entity, facts.entity(entity, scenario), scenario=scenario)


def _group_run(program: Program, facts: Facts, group: str, scenario: str) -> GroupRun:
    members = tuple(_member_run(program, facts, member, scenario) for member in program.plan.groups[group].members)
    return GroupRun(program, group, facts.entity(group, scenario), scenario=scenario, members=members)


def _member_run(program: Program, facts: Facts, member: str, scenario: str) -> EntityRun:
    """A member's run, read for its input values only (so it needs no coverage)."""
    if member in program.plan.groups:
        return _group_run(program, facts, member, scenario)
    return EntityRun(program, member, facts.entity(member, scenario), scenario=scenario)

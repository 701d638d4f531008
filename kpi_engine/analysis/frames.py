"""What every question starts from: the KPI asked about, evaluated at the period asked.

The analyses read their values off the engine's own evaluation (a frame), and check
that each exact answer agrees with what the engine computes.
"""

from __future__ import annotations

from decimal import Decimal, localcontext
from fractions import Fraction

from ..backends.python.evaluator import Frame, PythonEvaluation
from ..entities import leaves, member_graph
from ..errors import closest
from ..facts import Entity, Facts
from ..formatting import frequency_word, period_words
from ..model import Definitions, KpiDef
from ..numbers import DECIMAL_CONTEXT
from ..pack import Pack
from ..periods import Frequency, Period
from ..reasons import hint_text
from ..results import Selection
from . import rationals
from .errors import AnalysisError, PeriodError, Said
from .symbolic import Expansion

CHECK_TOLERANCE = Decimal("1e-15")  # relative: a solution's re-evaluated KPI may differ by rounding only


def evaluated(pack: Pack, facts: Facts, kpi: str, period: Period, entity: Entity) -> tuple[PythonEvaluation, Frame]:
    """The pack evaluated by the python backend, whose frames `symbolic` reads with the engine's closures,
    and the frame of `entity` at `period` (of the KPI's frequency or coarser)."""
    definition = known_kpi(pack.definitions, kpi)
    evaluation = pack.backend("python").evaluate(facts, Selection(entity=entity, all_entities=False), "en")
    if not isinstance(evaluation, PythonEvaluation):
        raise TypeError("the python backend gives a PythonEvaluation")
    return evaluation, frame_at(evaluation, definition, period, entity, facts)


def in_calendar(pack: Pack, period: Period) -> Period:
    """`period` in the pack's calendar (`FY2025-Q2`; `2025-Q2` as the fiscal quarter it is); PeriodError for
    a calendar year or quarter that the pack's fiscal calendar does not have, naming the fiscal period to ask."""
    calendar = pack.plan.calendar
    try:
        return calendar.bind(period)
    except ValueError as error:
        fiscal = Period.from_date(period.frequency, period.start, calendar.fiscal_year_start)
        french = f"{period} n'est pas une période de ce pack, dont l'exercice commence au mois {calendar.fiscal_year_start} : demandez par exemple {fiscal}"
        raise PeriodError(str(error), period, french) from None


def group_notes(pack: Pack, entity: Entity) -> tuple[Said, ...]:
    """For a group, what the analysis is about: its consolidated inputs, its members' figures plus its own entries."""
    graph = member_graph(pack.definitions.entities)
    if entity not in graph:
        return ()
    below = ", ".join(member for member in leaves(graph, entity) if member not in graph)
    return (Said(
        f"{entity} is a group: each input is the sum of its members' ({below}) and of the group's own entries; these consolidated figures are analysed",
        f"{entity} est un groupe : chaque donnée d'entrée y est la somme de celles de ses membres ({below}) et des écritures propres du groupe ; "
        "ce sont ces chiffres consolidés qui sont analysés",
    ),)


def frame_at(evaluation: PythonEvaluation, definition: KpiDef, period: Period, entity: Entity, facts: Facts) -> Frame:
    """The evaluated frame at `period`, a period of the KPI's frequency or a coarser one made of
    its periods (the second quarter of a monthly KPI: its formula on the inputs rolled up to the
    quarter, as `Evaluation.result_at` computes it); PeriodError when it cannot be asked there."""
    if not computable_at(definition, period):
        (one, many), (un, plusieurs) = _PERIOD_NOUNS["en"][definition.frequency], _PERIOD_NOUNS["fr"][definition.frequency]
        raise PeriodError(
            f"{definition.name} is {definition.frequency}: give {one} or a longer period made of {many}, not {period}",
            period,
            f"{definition.name} est {frequency_word(definition.frequency, 'fr')} : donnez {un} ou une période plus longue faite de {plusieurs}, pas {period}",
        )
    try:
        return evaluation.frame(period, entity)
    except KeyError:
        span = facts.span()
        french = f"les données ne couvrent pas {period_words(period, 'fr')} : elles vont de {span.text('fr')}"
        raise PeriodError(f"the facts do not cover {period}: they run from {span}", period, french) from None


_PERIOD_NOUNS = {
    "en": {
        Frequency.DAILY: ("a day", "days"),
        Frequency.WEEKLY: ("a week", "weeks"),
        Frequency.MONTHLY: ("a month", "months"),
        Frequency.QUARTERLY: ("a quarter", "quarters"),
        Frequency.YEARLY: ("a year", "years"),
    },
    "fr": {
        Frequency.DAILY: ("un jour", "jours"),
        Frequency.WEEKLY: ("une semaine", "semaines"),
        Frequency.MONTHLY: ("un mois", "mois"),
        Frequency.QUARTERLY: ("un trimestre", "trimestres"),
        Frequency.YEARLY: ("une année", "années"),
    },
}


def computable_at(definition: KpiDef, period: Period) -> bool:
    """Whether `period` is of the KPI's frequency or made of its periods (a quarter of months, not a month of weeks)."""
    return period.frequency is definition.frequency or definition.frequency in period.finer_frequencies()


def known_kpi(definitions: Definitions, kpi: str) -> KpiDef:
    """The definition of `kpi`; an unknown name is an AnalysisError with a suggestion."""
    if kpi not in definitions.kpis:
        near = closest(kpi, definitions.kpis)
        raise AnalysisError(f"unknown KPI '{kpi}'{hint_text(near, 'en')}", french=f"indicateur inconnu « {kpi} »{hint_text(near, 'fr')}")
    return definitions.kpis[kpi]


def refuse_opaque(expansion: Expansion) -> None:
    """Refuse a question that needs an exact form when a function in the expansion has none, saying why."""
    if expansion.opaque:
        raise AnalysisError("; ".join(f"{expansion.kpi}: {reason}" for reason in expansion.opaque.values()))


def agrees(exact: Fraction, engine_value: Decimal | None, kpi: str, period: Period) -> None:
    """Nothing silently wrong: an exact value that the engine does not confirm is an AnalysisError."""
    if engine_value is None:
        raise AnalysisError(f"{kpi} is undefined at {period}: nothing to explain", french=f"{kpi} est indéfini pour {period} : rien à expliquer")
    with localcontext(DECIMAL_CONTEXT):
        if abs(rationals.fraction_to_decimal(exact) - engine_value) > CHECK_TOLERANCE * max(abs(engine_value), Decimal(1)):
            expanded = rationals.fraction_to_decimal(exact)
            raise AnalysisError(
                f"{kpi} at {period}: the expanded formula gives {expanded}, the engine {engine_value}",
                french=f"{kpi} pour {period} : la formule développée donne {expanded}, le moteur {engine_value}",
            )

"""Column names to what they hold, as people write them: `Période`, `Boutique`, `CA production HT`.

Names are compared in a normal form that ignores case, accents, spacing and
punctuation (`Chiffre d'affaires HT`, `chiffre_affaires_ht` and
`CHIFFRE D'AFFAIRES HT` are one name). A name means, in this order:
1. what the caller's renames say (`{"CA boutique": "chiffre_affaires_ht", "Magasin": "entity"}`);
2. a role of the table: the period, the entity, the scenario, or a long table's name and value columns;
3. the pack's input whose name or label (French or English) it is;
4. otherwise itself (the pack then warns that no input reads it).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..reasons import Reason

if TYPE_CHECKING:
    from ..model import InputDef
    from .source import PackView

PERIOD, ENTITY, NAME, VALUE, SCENARIO = "period", "entity", "name", "value", "scenario"
ROW_ROLES = frozenset({PERIOD, ENTITY, SCENARIO})  # in every layout
LONG_ROLES = frozenset({NAME, VALUE})  # only in a long table, which has both
ROLES = ROW_ROLES | LONG_ROLES

# Usual names of the role columns in French and English exports, in normal form.
_ROLE_NAMES = {
    **dict.fromkeys(("period", "periode", "mois", "month", "date", "trimestre", "quarter", "annee", "year"), PERIOD),
    **dict.fromkeys(
        ("entity", "entite", "boutique", "magasin", "site", "etablissement", "agence", "societe", "store", "shop", "branch"),
        ENTITY,
    ),
    **dict.fromkeys(("scenario", "scenarios"), SCENARIO),
    **dict.fromkeys(("name", "nom", "indicateur", "donnee", "input"), NAME),
    **dict.fromkeys(("value", "valeur", "montant", "amount"), VALUE),
}
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def normal(text: str) -> str:
    """A name without case, accents, spacing or punctuation: `Chiffre d'affaires HT` -> `chiffre_d_affaires_ht`."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NOT_ALNUM.sub("_", bare).strip("_")


@dataclass(frozen=True)
class ColumnNames:
    """How the names of a header (and a long table's name cells) are understood."""

    renames: Mapping[str, str] = field(default_factory=dict)  # normal form -> role or input
    inputs: Mapping[str, str] = field(default_factory=dict)  # normal form -> input
    known: frozenset[str] | None = None  # the pack's inputs; None without a pack

    @classmethod
    def of(cls, pack: PackView | None = None, renames: Mapping[str, str] | None = None) -> ColumnNames:
        """The names a pack's inputs answer to (their names and labels; a label two inputs share answers to
        neither), and the caller's renames."""
        inputs: dict[str, str] = {}
        shared: set[str] = set()
        for input_name, definition in (pack.inputs.items() if pack is not None else ()):
            for alias in {normal(input_name), normal(definition.label.fr), normal(definition.label.en)} - {""}:
                if inputs.setdefault(alias, input_name) != input_name:
                    shared.add(alias)
        own = {normal(k): v for k, v in (renames or {}).items()}
        known = frozenset(pack.inputs) if pack is not None else None
        return cls(own, {alias: name for alias, name in inputs.items() if alias not in shared}, known)

    def role(self, title: str) -> str | None:
        """`period`, `entity`, `name` or `value` when the column holds that, else None."""
        key = normal(title)
        renamed = self.renames.get(key)
        if renamed is not None:
            return renamed if renamed in ROLES else None
        return _ROLE_NAMES.get(key)

    def input(self, title: str) -> str:
        """The input a column (or a long table's name cell) stands for; the name as written when none matches."""
        key = normal(title)
        return self.renames.get(key) or self.inputs.get(key) or title


NO_PACK = ColumnNames()  # names as written, roles recognised, no input known


# --- near misses ---------------------------------------------------------------------
_KIND_WORDS = {
    "income": frozenset({"ca", "chiffre", "vente", "ventes", "produit", "produits", "recette", "recettes", "revenue",
                         "revenues", "sales", "income", "encaissement", "encaissements", "subvention", "subventions"}),
    "charge": frozenset({"cout", "couts", "charge", "charges", "achat", "achats", "frais", "depense", "depenses", "cost",
                         "costs", "expense", "expenses", "purchases", "decaissement", "decaissements", "loyer", "salaires"}),
}
_ACCOUNT_KINDS = {("flow", "credit"): "income", ("flow", "debit"): "charge"}


def kind_of_words(text: str) -> str | None:
    """`income` or `charge` when the words of a name say so (`CA production HT`, `Coût de production`), else None."""
    words = set(normal(text).split("_"))
    kinds = [kind for kind, known in _KIND_WORDS.items() if words & known]
    return kinds[0] if len(kinds) == 1 else None


def input_kind(name: str, definition: InputDef) -> str | None:
    """What an input is: income or charge (a flow of accounts on the credit or debit side), balance,
    else what its name and labels say, or None."""
    rule = definition.accounts
    if rule is not None:
        return "balance" if rule.kind == "balance" else _ACCOUNT_KINDS[(rule.kind, rule.side)]
    return kind_of_words(f"{name} {definition.label.fr} {definition.label.en}")


def closest_inputs(title: str, inputs: Mapping[str, InputDef], limit: int = 1) -> tuple[list[str], list[str]]:
    """The inputs whose name or label is closest to a column title, best first: those of the kind the title's
    words say (or of any kind when they say none), and apart those of another kind, never proposed silently."""
    aliases: dict[str, str] = {}
    for input_name, definition in inputs.items():
        for alias in (input_name, definition.label.fr, definition.label.en):
            if normal(alias):
                aliases.setdefault(normal(alias), input_name)
    close = [aliases[alias] for alias in difflib.get_close_matches(normal(title), list(aliases), n=10, cutoff=0.5)]
    close = list(dict.fromkeys(close))
    written = kind_of_words(title)
    same = [name for name in close if written is None or input_kind(name, inputs[name]) in (written, None)]
    other = [name for name in close if name not in same]
    return same[:limit], other[:limit]


# Inputs the standard library retired when its budget became the `budget` scenario of actual inputs, with
# those inputs: a pack upgrading is told where its column's figures now go, not offered a look-alike name.
RETIRED_INPUTS: Mapping[str, tuple[str, ...]] = {"chiffre_affaires_previsionnel": ("ventes_marchandises", "production_vendue")}


def near_miss(title: str, inputs: Mapping[str, InputDef]) -> Reason | None:
    """` (did you mean 'x', a revenue?)` for a column no input reads, as data worded per language; an input of
    another kind than the column's words say is named as such, never proposed as the answer."""
    successors = RETIRED_INPUTS.get(normal(title), ())
    if successors and all(name in inputs for name in successors):
        return Reason.of("budget_scenario_input", inputs=", ".join(successors))
    same, other = closest_inputs(title, inputs)
    if same:
        return Reason.of("near_input", input=same[0], kind=input_kind(same[0], inputs[same[0]]))
    if other:
        return Reason.of("other_kind_input", input=other[0], input_kind=input_kind(other[0], inputs[other[0]]), title=title, title_kind=kind_of_words(title))
    return None

"""Column names to what they hold, as people write them: `Période`, `Boutique`, `CA production HT`.

Names are compared in a normal form that ignores case, accents, spacing and
punctuation (`Chiffre d'affaires HT`, `chiffre_affaires_ht` and
`CHIFFRE D'AFFAIRES HT` are one name). A name means, in this order:
1. what the caller's renames say (`{"CA boutique": "chiffre_affaires_ht", "Magasin": "entity"}`);
2. a role of the table: the period, the entity, or a long table's name and value columns;
3. the pack's input whose name or label (French or English) it is;
4. otherwise itself (the pack then warns that no input reads it).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .source import PackView

PERIOD, ENTITY, NAME, VALUE = "period", "entity", "name", "value"
ROW_ROLES = frozenset({PERIOD, ENTITY})  # in every layout
LONG_ROLES = frozenset({NAME, VALUE})  # only in a long table, which has both
ROLES = ROW_ROLES | LONG_ROLES

# Usual names of the role columns in French and English exports, in normal form.
_ROLE_NAMES = {
    **dict.fromkeys(("period", "periode", "mois", "month", "date", "trimestre", "quarter", "annee", "year"), PERIOD),
    **dict.fromkeys(
        ("entity", "entite", "boutique", "magasin", "site", "etablissement", "agence", "societe", "store", "shop", "branch"),
        ENTITY,
    ),
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

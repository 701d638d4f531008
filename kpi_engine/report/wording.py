"""A formula in the reader's words: `Résultat net / Chiffre d'affaires HT` rather than `resultat_net / chiffre_affaires_ht`.

The report shows this to readers who never wrote a formula; the formula as written stays
in the detail block. Names become their labels, numbers are written the reader's way
(`8 %`, `0,8`), operators stay as arithmetic a reader knows (`×`, `≥`, `et`), and the
time functions become phrases (`Chiffre d'affaires HT un an plus tôt`). A label made of
several words that sits beside an operator is not ambiguous, so it is not bracketed;
a sub-expression is, as in the formula itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..formatting import Language
from ..nodes import Binary, Call, Compare, Name, Node, Number, Unary

_OPERATORS = {"*": "×", "<=": "≤", ">=": "≥", "!=": "≠", "==": "="}
_LOGIC = {"fr": {"and": "et", "or": "ou", "not": "non"}, "en": {"and": "and", "or": "or", "not": "not"}}

# function -> phrase per language, `{0}` and `{1}` its arguments in words
_PHRASES: dict[str, tuple[str, str]] = {
    "prev": ("{0} of the previous period", "{0} de la période précédente"),
    "lag": ("{0} {1} periods earlier", "{0} {1} périodes plus tôt"),
    "year_ago": ("{0} a year earlier", "{0} un an plus tôt"),
    "rolling_sum": ("sum of {0} over {1} periods", "somme de {0} sur {1} périodes"),
    "rolling_avg": ("average of {0} over {1} periods", "moyenne de {0} sur {1} périodes"),
    "ytd": ("{0} year to date", "{0} cumulé depuis le début de l'année"),
    "growth": ("change in {0}", "évolution de {0}"),
    "abs": ("absolute value of {0}", "valeur absolue de {0}"),
}
_LISTS: dict[str, tuple[str, str]] = {  # functions of any number of arguments, the last two joined by "and"
    "min": ("smallest of {0}", "plus petit de {0}"),
    "max": ("largest of {0}", "plus grand de {0}"),
}
_LAST_JOIN = {"fr": " et ", "en": " and "}
_OTHERWISE = {"fr": ", à défaut ", "en": ", otherwise "}  # coalesce(a, b): a, otherwise b
_IF = {"fr": "si {0} alors {1} sinon {2}", "en": "if {0} then {1} else {2}"}
_BRACKETED = (*_PHRASES, *_LISTS, "coalesce", "if")  # calls read as phrases, kept together beside an operator

# How tightly each operation binds (as in the grammar); a name, a number or a call binds tightest.
_RANKS = {"or": 1, "and": 2, "+": 5, "-": 5, "*": 6, "/": 6, "^": 8}
_COMPARE, _NEGATION, _NOT, _ATOM = 4, 7, 3, 9


def _rank(node: Node) -> int:
    match node:
        case Binary(op=op):
            return _RANKS[op]
        case Compare():
            return _COMPARE
        case Unary(op="-"):
            return _NEGATION
        case Unary():
            return _NOT
    return _ATOM


def formula_in_words(node: Node, labels: Mapping[str, str], lang: Language) -> str:
    """The formula with every name replaced by its label (the name itself when it has none)."""
    return _Words(labels, lang).text(node)


class _Words:
    """One rendering: the labels and the language, applied recursively to the tree."""

    def __init__(self, labels: Mapping[str, str], lang: Language) -> None:
        self.labels = labels
        self.lang = lang

    def text(self, node: Node) -> str:
        match node:
            case Number(text=text):
                return _number(text, self.lang)
            case Name(id=name):
                return self.labels.get(name, name)
            case Unary(op="-", operand=operand):
                return f"-{self.operand(operand, _NEGATION)}"
            case Unary(op=op, operand=operand):
                return f"{_LOGIC[self.lang].get(op, op)} {self.operand(operand, _NOT)}"
            case Binary(op=op, left=left, right=right) | Compare(op=op, left=left, right=right):
                rank = _rank(node)
                left_text = self.operand(left, rank, strict=op == "^" or isinstance(node, Compare))
                right_text = self.operand(right, rank, strict=op in ("-", "/") or isinstance(node, Compare))
                return f"{left_text} {self.operator(op)} {right_text}"
            case Call(func=func, args=args):
                return self.call(func, args)
        raise TypeError(node)

    def operand(self, node: Node, outer: int, strict: bool = False) -> str:
        """A sub-expression inside an operation of rank `outer`: bracketed when the reading would otherwise change
        (`a - (b - c)`, `(a + b) × c`, but `a + b - c`; `strict` when an equal rank changes it too), and a phrase
        always, so its words keep together."""
        text = self.text(node)
        inner = _rank(node)
        bracket = inner < outer or (strict and inner == outer) or (isinstance(node, Call) and node.func in _BRACKETED)
        return f"({text})" if bracket else text

    def operator(self, op: str) -> str:
        return _LOGIC[self.lang].get(op) or _OPERATORS.get(op, op)

    def call(self, func: str, args: Sequence[Node]) -> str:
        french = self.lang == "fr"
        words = [self.operand(arg, _ATOM) for arg in args] if func in (*_PHRASES, *_LISTS) else [self.text(arg) for arg in args]
        if func in _PHRASES and len(words) <= 2:
            return _PHRASES[func][french].format(*words, *[""] * (2 - len(words))).strip()
        if func == "coalesce":
            return _OTHERWISE[self.lang].join(words)
        if func in _LISTS:
            listed = ", ".join(words[:-1]) + _LAST_JOIN[self.lang] + words[-1] if len(words) > 1 else "".join(words)
            return _LISTS[func][french].format(listed)
        if func == "if" and len(words) == 3:
            return _IF[self.lang].format(*words)
        return f"{func}({', '.join(words)})"


def _number(text: str, lang: Language) -> str:
    """`8%` -> `8 %`, `0.8` -> `0,8`, `100_000` -> `100 000` in French; `100,000` in English."""
    percent = text.endswith("%")
    digits = text.rstrip("%").strip()
    whole, dot, fraction = digits.partition(".")
    whole, fraction = whole.replace("_", ""), fraction.replace("_", "")
    if len(whole) > 4 and whole.isdigit():
        whole = f"{int(whole):,}".replace(",", " " if lang == "fr" else ",")
    number = whole + ((("," if lang == "fr" else ".") + fraction) if dot else "")
    if percent:
        return f"{number} %" if lang == "fr" else f"{number}%"
    return number

"""PyYAML's syntax errors -> problems in words, located at their cause.

PyYAML says what its parser expected (`expected <block end>, but found
'<block mapping start>'`); a controller needs what to change in the file
("line 12 is indented more than the line above"). `diagnose` recognises the
common mistakes (indentation, tabs, unclosed quotes and brackets, a missing
`:` or a missing space after it, a list item where keys are expected, a
value that YAML reads as syntax) from the error and the text around it, and
words each in French and English (`Mistake`, worded at the edge like
`reasons.Reason`). Anything else keeps PyYAML's own words. Each problem is
located at its cause, so `yamlsource` can blank the text from there and read
the rest of the file: every other problem of the file is still found.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import yaml

from .errors import Location, Problem, caret_snippet
from .formatting import Language

# code -> (English, French); fields are filled from the mistake's parameters
CATALOG: dict[str, tuple[str, str]] = {
    "indented_more": (
        "line {line} is indented more than the line above; indent it like the keys it belongs with",
        "ligne {line} : indentée plus que la ligne au-dessus ; indentez-la comme les clés dont elle fait partie",
    ),
    "indented_astray": (
        "line {line} is indented by {spaces} spaces, like no key above it; indent it like the keys it belongs with",
        "ligne {line} : indentée de {spaces} espaces, comme aucune clé au-dessus ; indentez-la comme les clés dont elle fait partie",
    ),
    "indented_first": (
        "line {line} is indented less than the first line; the first line of the file must start at the margin",
        "ligne {line} : moins indentée que la première ligne ; la première ligne du fichier doit commencer à la marge",
    ),
    "tab_indent": (
        "line {line} is indented with a tab; YAML indentation must use spaces, not tabs",
        "ligne {line} : indentée par une tabulation ; l'indentation YAML s'écrit avec des espaces, pas des tabulations",
    ),
    "tab": (
        "line {line} has a tab where YAML expects a space; replace it with a space",
        "ligne {line} : une tabulation là où YAML attend une espace ; remplacez-la par une espace",
    ),
    "missing_colon": (
        "line {line} has no ':' after its key; write `key: value`",
        "ligne {line} : pas de « : » après la clé ; écrivez `clé: valeur`",
    ),
    "missing_space": (
        "line {line} needs a space after ':'; write `{key}: {value}`",
        "ligne {line} : il faut une espace après « : » ; écrivez `{key}: {value}`",
    ),
    "colon_in_value": (
        "line {line}: the value contains ': ', which YAML reads as a new key; write the value in quotes: {key}: \"{value}\"",
        "ligne {line} : la valeur contient « : », que YAML lit comme une nouvelle clé ; écrivez la valeur entre guillemets : {key}: \"{value}\"",
    ),
    "item_in_mapping": (
        "line {line} is a list item ('- ') where keys are expected; write `key: value`, or put the list under a key",
        "ligne {line} : un élément de liste (« - ») là où des clés sont attendues ; écrivez `clé: valeur`, ou placez la liste sous une clé",
    ),
    "key_beside_item": (
        "line {line} is a key at the level of the list's '-'; indent it like the text after '- ' to keep it in the item above",
        "ligne {line} : une clé au niveau du « - » de la liste ; indentez-la comme le texte après « - » pour la garder dans l'élément au-dessus",
    ),
    "text_after_quote": (
        "line {line} has text after the closing quote; put the whole value inside the quotes",
        "ligne {line} : du texte après le guillemet fermant ; mettez toute la valeur entre les guillemets",
    ),
    "unclosed_quote": (
        "line {line}: the quote {quote} opened here is never closed; close it at the end of the value",
        "ligne {line} : le guillemet {quote} ouvert ici n'est jamais fermé ; fermez-le à la fin de la valeur",
    ),
    "unclosed_bracket": (
        "line {line}: the '{bracket}' opened here is not closed where expected (found {found} at line {at}); close it with '{closing}'",
        "ligne {line} : le « {bracket} » ouvert ici n'est pas fermé là où il le faut (trouvé {found} ligne {at}) ; fermez-le par « {closing} »",
    ),
    "reserved_start": (
        "line {line}: a value cannot start with '{char}' in YAML; write it in quotes: \"{value}\"",
        "ligne {line} : en YAML, une valeur ne peut pas commencer par « {char} » ; écrivez-la entre guillemets : \"{value}\"",
    ),
    "alias": (
        "line {line}: '*' starts a YAML alias; a value that starts with '*' must be written in quotes: \"{value}\"",
        "ligne {line} : « * » commence un alias YAML ; une valeur qui commence par « * » s'écrit entre guillemets : \"{value}\"",
    ),
    "several_documents": (
        "line {line}: '---' starts a second YAML document; a file holds one document, remove the '---'",
        "ligne {line} : « --- » commence un second document YAML ; un fichier n'en contient qu'un, retirez le « --- »",
    ),
    "other": ("YAML syntax error: {error}", "erreur de syntaxe YAML : {error}"),
}

_TOKENS = {"<stream end>": ("the end of the file", "la fin du fichier"), "<scalar>": ("text", "du texte")}
_CLOSING = {"{": "}", "[": "]"}


@dataclass(frozen=True)
class Mistake:
    """A YAML syntax mistake as data: a `CATALOG` code and its parameters, worded per language at the edge."""

    code: str
    params: tuple[tuple[str, Any], ...] = ()

    def text(self, lang: Language = "en") -> str:
        english, french = CATALOG[self.code]
        words = {key: _token(value, lang) if key == "found" else value for key, value in self.params}
        return (french if lang == "fr" else english).format(**words)

    def __str__(self) -> str:
        return self.text("en")


def _token(value: str, lang: Language) -> str:
    english, french = _TOKENS.get(value, (f"'{value}'", f"« {value} »"))
    return french if lang == "fr" else english


@dataclass(frozen=True)
class _Error:
    """The parts of a PyYAML error that a diagnosis looks at, lines and columns from 1."""

    problem: str
    context: str
    line: int
    column: int
    context_line: int
    context_column: int


_Lines = Callable[[int], str]


def diagnose(error: yaml.MarkedYAMLError, name: str, line_text: _Lines) -> Problem:
    """The problem a PyYAML error stands for, in words, located at its cause (what to set aside to read on)."""
    mark, context = error.problem_mark or error.context_mark, error.context_mark
    facts = _Error(
        error.problem or "",
        error.context or "",
        mark.line + 1 if mark else 1,
        mark.column + 1 if mark else 1,
        context.line + 1 if context else 0,
        context.column + 1 if context else 0,
    )
    for rule in _RULES:
        found = rule(facts, line_text)
        if found is not None:
            (line, column), mistake = found
            source = line_text(line)
            return Problem.of(Location(name, line, column), mistake, snippet=caret_snippet(source, column) if source else "")
    words = f"{facts.problem} ({facts.context})" if facts.context and facts.problem else facts.problem or facts.context
    mistake = Mistake("other", (("error", words),))
    source = line_text(facts.line)
    return Problem.of(Location(name, facts.line, facts.column), mistake, snippet=caret_snippet(source, facts.column) if source else "")


_Found = tuple[tuple[int, int], Mistake] | None


def _mistake(code: str, line: int, column: int, **params: Any) -> _Found:
    return (line, column), Mistake(code, (("line", line), *params.items()))


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" "))


def _previous_line(line: int, line_text: _Lines) -> int:
    """The closest line above `line` holding something other than blanks and comments (0 when none)."""
    line -= 1
    while line > 0 and (not line_text(line).strip() or line_text(line).lstrip().startswith("#")):
        line -= 1
    return line


_KEY_COLON = re.compile(r"(?:- )?[^\s#'\"{\[][^:#]*?:(?=\s|$)")  # `key:` followed by a blank or the end
_TIGHT_COLON = re.compile(r"(?:- )?(?P<key>[^\s#'\"{\[][^:\s#]*):(?P<value>\S.*)")  # `key:value`


def _tabs(error: _Error, line_text: _Lines) -> _Found:
    if "'\\t'" not in error.problem:
        return None
    text = line_text(error.line)
    return _mistake("tab_indent" if not text[: error.column - 1].strip() else "tab", error.line, error.column)


def _unclosed_quote(error: _Error, line_text: _Lines) -> _Found:
    if error.context != "while scanning a quoted scalar" or not error.context_line:
        return None
    quote = line_text(error.context_line)[error.context_column - 1 : error.context_column]
    return _mistake("unclosed_quote", error.context_line, error.context_column, quote=quote)


def _unclosed_bracket(error: _Error, line_text: _Lines) -> _Found:
    if error.context not in ("while parsing a flow mapping", "while parsing a flow sequence") or not error.context_line:
        return None
    found = re.search(r"but got '(.*)'$", error.problem)
    bracket = line_text(error.context_line)[error.context_column - 1 : error.context_column]
    if found is None or bracket not in _CLOSING:
        return None
    return _mistake(
        "unclosed_bracket", error.context_line, error.context_column, bracket=bracket, closing=_CLOSING[bracket], found=found.group(1), at=error.line
    )


def _mapping_values(error: _Error, line_text: _Lines) -> _Found:
    """`mapping values are not allowed here`: a key line above without its colon, an over-indented line, or ': ' in a value."""
    if error.problem != "mapping values are not allowed here":
        return None
    text, above = line_text(error.line), _previous_line(error.line, line_text)
    key = _KEY_COLON.match(text.lstrip())
    if key is None:
        return None
    if above and not _KEY_COLON.match(line_text(above).lstrip()) and _indent(line_text(above)) <= _indent(text):
        tight = _TIGHT_COLON.match(line_text(above).lstrip())
        if tight:
            return _mistake("missing_space", above, _indent(line_text(above)) + 1, key=tight["key"], value=tight["value"].strip())
        return _mistake("missing_colon", above, _indent(line_text(above)) + 1)
    if error.column > _indent(text) + len(key.group()) + 1:
        name, _, value = text.strip().partition(": ")
        return _mistake("colon_in_value", error.line, error.column, key=name, value=_quoted(value))
    if above and _indent(text) > _indent(line_text(above)):
        return _mistake("indented_more", error.line, _indent(text) + 1)
    return None


def _quoted(value: str) -> str:
    """`value` as it reads between double quotes."""
    return value.strip().replace("\\", "\\\\").replace('"', '\\"')


def _simple_key(error: _Error, line_text: _Lines) -> _Found:
    """`could not find expected ':'` while scanning a key: the key's line has no colon, or no space after it."""
    if error.context != "while scanning a simple key" or not error.context_line:
        return None
    text = line_text(error.context_line)
    tight = _TIGHT_COLON.match(text[error.context_column - 1 :])
    if tight:
        return _mistake("missing_space", error.context_line, error.context_column, key=tight["key"], value=tight["value"].strip())
    return _mistake("missing_colon", error.context_line, error.context_column)


def _block_end(error: _Error, line_text: _Lines) -> _Found:
    """`expected <block end>, but found ...`: a line that does not line up with its neighbours."""
    found = re.fullmatch(r"expected <block end>, but found '(.*)'", error.problem)
    if found is None:
        return None
    text, above = line_text(error.line), _previous_line(error.line, line_text)
    met = found.group(1)
    if met == "-":
        return _mistake("item_in_mapping", error.line, error.column)
    if met == "?":
        return _mistake("key_beside_item", error.line, error.column)
    if met == "<scalar>" and text[: error.column - 1].rstrip().endswith(("'", '"')):
        return _mistake("text_after_quote", error.line, error.column)
    if met != "<block mapping start>":
        return None
    if above and _indent(text) > _indent(line_text(above)):
        return _mistake("indented_more", error.line, error.column)
    return _mistake("indented_astray", error.line, error.column, spaces=_indent(text))


def _document_start(error: _Error, line_text: _Lines) -> _Found:
    if error.problem == "expected '<document start>', but found '<block mapping start>'":
        return _mistake("indented_first", error.line, error.column)
    if error.problem == "but found another document":
        return _mistake("several_documents", error.line, error.column)
    return None


def _reserved(error: _Error, line_text: _Lines) -> _Found:
    """A value that starts with a character YAML keeps for itself: `@daf`, a backquote, `%`, an alias `*a`."""
    text = line_text(error.line)
    value = text[error.column - 1 :].strip()
    alias = re.fullmatch(r"found undefined alias '.*'", error.problem)
    if alias:
        return _mistake("alias", error.line, error.column, value=_quoted(value))
    reserved = re.fullmatch(r"found character '(.)' that cannot start any token", error.problem)
    if reserved:
        return _mistake("reserved_start", error.line, error.column, char=reserved.group(1), value=_quoted(value))
    return None


_RULES: tuple[Callable[[_Error, _Lines], _Found], ...] = (
    _tabs,
    _unclosed_quote,
    _unclosed_bracket,
    _mapping_values,
    _simple_key,
    _block_end,
    _document_start,
    _reserved,
)
"""Each rule recognises one family of mistakes from the error and the text, or passes (None); the first that recognises wins."""

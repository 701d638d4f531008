"""The reader's language for every command, `--help` included: `--lang`, else the environment, else French.

Click sets help texts when a command is declared, in one language. Rather than
a second declaration per command, the help of every command is written once in
English and translated when it is shown, from `help_fr.FRENCH` (keyed by the
English text, as gettext does; `tests/test_cli_language.py` checks that every
help text of every command has its French). `LocalizedCommand` and
`LocalizedGroup` read the language from the command line being parsed (a
`--help` is shown before `--lang` is stored) and word the help with it, click's
own headings ("Usage:", "Options:") included.

Click's own usage errors (`Missing option '--facts'.`, `No such command 'x'.`)
are formatted in English from its gettext message ids; rather than installing a
gettext catalogue for them, which is process-wide state keyed on the
environment's locale, `ReaderError` words them when they are shown: each
message is matched against the English templates of `help_fr.MESSAGES` and
refilled from the French one (`translated_message`). The CLI's own usage
messages are written in English too and worded when raised (`message_text`).
"""

from __future__ import annotations

import inspect
import os
import re
import string
import sys
from collections.abc import Mapping, Sequence
from typing import IO, Any

import click

from ..formatting import Language
from .help_fr import FRENCH, MESSAGES

_ARGS_KEY = "kpi_engine.args"  # the raw arguments of the command being parsed, kept in the context's meta
_CLICK_WORDS = {
    "Usage: ": "Utilisation : ",
    "Options": "Options",
    "Commands": "Commandes",
    "Arguments": "Arguments",
    "default": "par défaut",
    "required": "obligatoire",
}


def environment_language(environ: Mapping[str, str] | None = None) -> Language:
    """`KPI_LANG`, else the locale (the first of LC_ALL, LC_MESSAGES, LANG that is set: `en...` is English), else French."""
    environ = os.environ if environ is None else environ
    chosen = environ.get("KPI_LANG", "")
    if chosen in ("fr", "en"):
        return chosen  # type: ignore[return-value]
    locale = next((environ[name] for name in ("LC_ALL", "LC_MESSAGES", "LANG") if environ.get(name)), "")
    return "en" if locale.lower().startswith("en") else "fr"


def command_line_language(args: Sequence[str], environ: Mapping[str, str] | None = None) -> Language:
    """The language `--lang X` or `--lang=X` asks for in `args`, else `environment_language`."""
    for index, arg in enumerate(args):
        value = arg.partition("=")[2] if arg.startswith("--lang=") else args[index + 1] if arg == "--lang" and index + 1 < len(args) else ""
        if value in ("fr", "en"):
            return value  # type: ignore[return-value]
    return environment_language(environ)


def translated(text: str, lang: Language) -> str:
    """`text` (an English help text or click word) in `lang`; English, as written, when there is no French."""
    if lang != "fr":
        return text
    return FRENCH.get(text, MESSAGES.get(text, _CLICK_WORDS.get(text, text)))


def reader_language() -> Language:
    """The language of the command being run, for a message raised where no `lang` is at hand."""
    ctx = click.get_current_context(silent=True)
    return _context_language(ctx) if ctx is not None else environment_language()


def message_text(template: str, lang: Language | None = None, **fields: object) -> str:
    """A CLI message written in English as `template` (a key of `help_fr.MESSAGES`), worded in `lang` (by default
    the reader's) and filled with `fields`."""
    return translated(template, lang or reader_language()).format(**fields)


def _template_pattern(template: str) -> re.Pattern[str]:
    """A regular expression matching the texts `template` formats, each field a named group."""
    parts = []
    for literal, name, _, _ in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if name is not None:
            parts.append(f"(?P<{name}>.+?)")
    return re.compile("".join(parts), re.DOTALL)


def _literal_length(template: str) -> int:
    return sum(len(literal) for literal, _, _, _ in string.Formatter().parse(template))


# The outermost templates first: those that start with their own words (`Invalid value for {param_hint}: {message}`
# before the engine's `{text} is not a period...`, which would take click's words for its `text`), then the most
# specific (the longest literal text: `{message} Did you mean ...` before its parts).
_PATTERNS = [
    (_template_pattern(english), french)
    for english, french in sorted(MESSAGES.items(), key=lambda item: (item[0].startswith("{"), -_literal_length(item[0])))
]


def translated_message(text: str, lang: Language) -> str:
    """`text`, a message formatted in English from a template of `help_fr.MESSAGES` (click's own, an engine's
    hint), in `lang`: its fields are kept, themselves translated when they are messages; unchanged when no
    template formats it (a message already worded in the reader's language). A `{message}` field is itself a
    message (click's `Invalid value for '--x': {message}`), translated in turn."""
    if lang != "fr":
        return text
    for pattern, french in _PATTERNS:
        if match := pattern.fullmatch(text):
            fields = match.groupdict()
            return french.format(**fields | {"message": translated_message(fields["message"], lang)} if "message" in fields else fields)
    return text


class ReaderError(click.ClickException):
    """A click error (a usage error, a file that cannot be opened) shown in the reader's language: click's usage
    line, the hint to ask for help and the message, as click shows them in English."""

    def __init__(self, error: click.ClickException, lang: Language) -> None:
        super().__init__(translated_message(error.format_message(), lang))
        setattr(self, "exit_code", error.exit_code)  # noqa: B010  # the wrapped error's code (click types it a class variable)
        self.ctx = error.ctx if isinstance(error, click.UsageError) else None
        self.lang = lang

    def show(self, file: IO[Any] | None = None) -> None:
        file = sys.stderr if file is None else file
        if self.ctx is not None:
            hint = ""
            if self.ctx.command.get_help_option(self.ctx) is not None:
                option = max(self.ctx.command.get_help_option_names(self.ctx), key=len)
                hint = message_text("Try '{command} {option}' for help.", self.lang, command=self.ctx.command_path, option=option) + "\n"
            click.echo(f"{self.ctx.get_usage()}\n{hint}", file=file, color=self.ctx.color)
        click.echo(message_text("Error: {message}", self.lang, message=self.message), file=file, color=self.show_color)


def _in_reader_language(error: click.ClickException, fallback: Language) -> click.ClickException:
    """`error` as the reader reads it; help shown for a missing command, and an error already worded, as they are."""
    if isinstance(error, ReaderError | click.exceptions.NoArgsIsHelpError):
        return error
    ctx = error.ctx if isinstance(error, click.UsageError) else None
    return ReaderError(error, _context_language(ctx) if ctx is not None else fallback)


def _context_language(ctx: click.Context) -> Language:
    arguments: list[str] = []
    current: click.Context | None = ctx
    while current is not None:  # the group's arguments and the command's: `kpi --lang en evaluate --help` too
        arguments = [*current.meta.get(_ARGS_KEY, {}).get(id(current), []), *arguments]
        current = current.parent
    return command_line_language(arguments)


class _LocalizedFormatter(click.HelpFormatter):
    def __init__(self, lang: Language, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.lang = lang

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, translated("Usage: ", self.lang))

    def write_heading(self, heading: str) -> None:
        colon = " :" if self.lang == "fr" else ":"
        self.write(f"{'':>{self.current_indent}}{translated(heading, self.lang)}{colon}\n")


class _LocalizedContext(click.Context):
    """A context whose help and usage (in errors too) are worded in the language of the command line."""

    def make_formatter(self) -> click.HelpFormatter:
        return _LocalizedFormatter(_context_language(self), width=self.terminal_width, max_width=self.max_content_width)


class _Localized(click.Command):
    """What a localized command and group share: remember the arguments, word the help and the usage errors in
    their language."""

    context_class = _LocalizedContext

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.ClickException as error:
            fallback = _context_language(parent) if parent is not None else command_line_language(args)
            raise _in_reader_language(error, fallback) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.ClickException as error:
            raise _in_reader_language(error, _context_language(ctx)) from None

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta.setdefault(_ARGS_KEY, {})[id(ctx)] = list(args)
        return super().parse_args(ctx, args)

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        original = self.help
        self.help = translated(inspect.cleandoc(original), _language_of(formatter)) if original else original
        try:
            super().format_help_text(ctx, formatter)
        finally:
            self.help = original

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        lang = _language_of(formatter)
        records = [record for param in self.get_params(ctx) if (record := param.get_help_record(ctx))]
        records = [(names, _help_record_text(text, lang)) for names, text in records]
        if records:
            with formatter.section(translated("Options", lang)):
                formatter.write_dl(records)
        if isinstance(self, click.Group):
            self.format_commands(ctx, formatter)

class LocalizedCommand(_Localized):
    """A `kpi` command whose help is shown in the reader's language."""


class LocalizedGroup(_Localized, click.Group):
    """The `kpi` group: its help and its commands' help in the reader's language; its commands are localized."""

    command_class = LocalizedCommand

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        """Add `cmd`, localized even when declared with plain click in another module (its class gains `_Localized`)."""
        localize(cmd)
        super().add_command(cmd, name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands, each with the first sentence of its help in the language of the help being shown."""
        lang = _language_of(formatter)
        summaries = [(name, summary) for name in self.list_commands(ctx) if (summary := self.command_summary(ctx, name, lang)) is not None]
        if summaries:
            limit = formatter.width - 6 - max(len(name) for name, _ in summaries)
            with formatter.section(translated("Commands", lang)):
                formatter.write_dl([(name, shortened(summary, limit)) for name, summary in summaries])

    def command_summary(self, ctx: click.Context, name: str, lang: Language) -> str | None:
        """The first sentence of command `name`'s help in `lang`; None for a hidden command."""
        command = self.get_command(ctx, name)
        if command is None or command.hidden:
            return None
        return first_sentence(translated(inspect.cleandoc(command.help or ""), lang))


def first_sentence(text: str) -> str:
    """The first sentence of a help text: what `kpi --help` lists beside a command."""
    return text.split("\n\n")[0].replace("\n", " ").strip().split(". ")[0].rstrip(".")


def shortened(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, `...` saying so."""
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def localize(command: click.Command) -> None:
    """Make `command` (and a group's commands) show its help in the reader's language, whatever class declared it."""
    if not isinstance(command, _Localized):
        base = type(command)
        command.__class__ = type(f"Localized{base.__name__}", (LocalizedGroup if isinstance(command, click.Group) else _Localized, base), {})
    for child in getattr(command, "commands", {}).values():
        localize(child)


def _language_of(formatter: click.HelpFormatter) -> Language:
    return formatter.lang if isinstance(formatter, _LocalizedFormatter) else "en"


def _help_record_text(text: str, lang: Language) -> str:
    """An option's help and click's `[default: x; required]` tail, each translated."""
    body, bracket, extras = text.partition("  [")
    if not bracket:
        body, bracket, extras = ("", "[", text[1:]) if text.startswith("[") else (text, "", "")
    words = "; ".join(_extra(part, lang) for part in extras.rstrip("]").split("; ")) if bracket else ""
    body = translated(body, lang)
    return f"{body}  [{words}]" if body and words else f"[{words}]" if words else body


def _extra(part: str, lang: Language) -> str:
    word, colon, value = part.partition(": ")
    colon = " : " if colon and lang == "fr" else colon
    if value.startswith("(") and value.endswith(")"):  # a described default, as click shows it
        return f"{translated(word, lang)}{colon}({translated(value[1:-1], lang)})"
    return f"{translated(word, lang)}{colon}{translated(value, lang) if colon else ''}"

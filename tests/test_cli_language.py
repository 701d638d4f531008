"""The command line answers in the reader's language: `--lang`, else the environment, else French; `--help` too."""

import inspect

import click
import pytest
from click.testing import CliRunner

from kpi_engine.cli import main
from kpi_engine.cli.help_fr import FRENCH
from kpi_engine.cli.language import command_line_language, environment_language

NO_LOCALE = {"KPI_LANG": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": ""}


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "fr"),
        ({"LANG": "en_GB.UTF-8"}, "en"),
        ({"LANG": "de_DE.UTF-8"}, "fr"),
        ({"LC_ALL": "fr_FR.UTF-8", "LANG": "en_US.UTF-8"}, "fr"),
        ({"LC_MESSAGES": "en_US.UTF-8", "LANG": "fr_FR.UTF-8"}, "en"),
        ({"KPI_LANG": "fr", "LANG": "en_US.UTF-8"}, "fr"),
    ],
)
def test_the_language_comes_from_the_environment_else_french(environ, expected):
    assert environment_language(environ) == expected


def test_lang_on_the_command_line_wins():
    assert command_line_language(["evaluate", "--lang", "en", "--help"], {"LANG": "fr_FR"}) == "en"
    assert command_line_language(["evaluate", "--lang=fr"], {"LANG": "en_US"}) == "fr"
    assert command_line_language(["evaluate", "--lang"], {"LANG": "en_US"}) == "en"


def _help(*args: str, **environ: str) -> str:
    result = CliRunner().invoke(main, [*args, "--help"], env={**NO_LOCALE, **environ})
    assert result.exit_code == 0, result.output
    return result.output


def test_help_is_french_by_default_click_words_included():
    text = _help("validate")
    assert text.startswith("Utilisation : main validate [OPTIONS] PACK\n\n  Vérifier un pack et afficher chaque problème")
    assert "\nOptions :\n" in text
    assert "  --help                Afficher cette aide et quitter.\n" in text
    assert "[par défaut : ($KPI_LANG, sinon la langue du système" in " ".join(text.split())
    listing = _help()
    assert "\nCommandes :\n" in listing
    assert "  validate        Vérifier un pack et afficher chaque problème sous la form...\n" in listing


def test_help_follows_lang_then_the_locale():
    assert _help("evaluate", "--lang", "en").startswith("Usage: main evaluate [OPTIONS] PACK\n\n  Evaluate every KPI")
    assert _help("evaluate", LANG="en_US.UTF-8").startswith("Usage: main evaluate [OPTIONS] PACK\n\n  Evaluate every KPI")
    assert '--entity TEXT Seulement cette entité ("" pour les données sans entité).' in " ".join(_help("evaluate", "--lang", "fr", LANG="en_US").split())


def _every_help_text(command: click.Command, ctx: click.Context):
    if command.help:
        yield inspect.cleandoc(command.help)
    for param in command.get_params(ctx):
        if isinstance(param, click.Option):
            yield from (text for text in (param.help, param.show_default) if isinstance(text, str))
    for child in getattr(command, "commands", {}).values():
        yield from _every_help_text(child, click.Context(child, parent=ctx))


def test_every_help_text_of_every_command_has_its_french():
    missing = [text for text in _every_help_text(main, click.Context(main)) if text not in FRENCH]
    assert not missing, missing


def test_summaries_are_in_the_readers_language(tmp_path):
    pack = tmp_path / "pack.yaml"
    pack.write_text("inputs:\n  ca: {rollup: sum}\nkpis:\n  k: {formula: ca +, frequency: monthly}\n")
    french = CliRunner().invoke(main, ["validate", str(pack)], env=NO_LOCALE)
    assert french.exit_code == 1 and french.stderr == "1 problème\n"
    english = CliRunner().invoke(main, ["validate", str(pack), "--lang", "en"], env=NO_LOCALE)
    assert english.stderr == "1 problem\n"
    pack.write_text("inputs:\n  ca: {rollup: sum}\nkpis:\n  k: {formula: ca, frequency: monthly}\n")
    valid = CliRunner().invoke(main, ["validate", str(pack)], env=NO_LOCALE)
    assert valid.output == f"{pack} : valide (1 indicateur, 1 entrée, 1 fichier)\n"

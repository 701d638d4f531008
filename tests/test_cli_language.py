"""The command line answers in the reader's language: `--lang`, else the environment, else French; `--help` too."""

import inspect
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from kpi_engine.cli import main
from kpi_engine.cli.group import COMMANDS
from kpi_engine.cli.help_fr import FRENCH
from kpi_engine.cli.language import command_line_language, environment_language, first_sentence, translated

ROOT = Path(__file__).resolve().parent.parent
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
    if isinstance(command, click.Group):  # `kpi`'s commands are imported when asked for: ask for each
        for name in command.list_commands(ctx):
            child = command.get_command(ctx, name)
            assert child is not None, name
            yield from _every_help_text(child, click.Context(child, parent=ctx))


def test_every_help_text_of_every_command_has_its_french():
    missing = [text for text in _every_help_text(main, click.Context(main)) if text not in FRENCH]
    assert not missing, missing


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_kpi_help_lists_each_command_with_the_first_sentence_of_its_help_without_importing_it(name):
    """`group.COMMANDS` keeps each summary so that `kpi --help` imports no command: it must stay the first
    sentence of the command's help, in both languages."""
    command = COMMANDS[name].load()
    assert command.help
    for lang in ("en", "fr"):
        assert translated(COMMANDS[name].summary, lang) == first_sentence(translated(inspect.cleandoc(command.help), lang))


def test_kpi_help_imports_no_command_module():
    """Start-up: listing the commands imports none of their modules (nor what they import: Jinja, the web server)."""
    code = (
        "import sys, kpi_engine.cli\n"
        "kpi_engine.cli.main(['--help'], standalone_mode=False)\n"
        "print(sorted(m for m in sys.modules if m.startswith(('kpi_engine.cli.', 'kpi_engine.web', 'kpi_engine.delivery', 'jinja2'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env={**os.environ, **NO_LOCALE, "PYTHONPATH": str(ROOT)})
    assert "  validate        Vérifier un pack" in done.stdout
    assert done.stdout.splitlines()[-1] == "['kpi_engine.cli.common', 'kpi_engine.cli.group', 'kpi_engine.cli.help_fr', 'kpi_engine.cli.language']"


def test_summaries_are_in_the_readers_language(tmp_path):
    pack = tmp_path / "pack.yaml"
    pack.write_text("inputs:\n  ca: {rollup: sum}\nkpis:\n  k: {formula: ca +, frequency: monthly}\n")
    french = CliRunner().invoke(main, ["validate", str(pack)], env=NO_LOCALE)
    assert french.exit_code == 1 and french.stderr == "1 problème\n"
    english = CliRunner().invoke(main, ["validate", str(pack), "--lang", "en"], env=NO_LOCALE)
    assert english.stderr == "1 problem\n"
    pack.write_text("inputs:\n  ca: {rollup: sum}\nkpis:\n  k: {formula: ca, frequency: monthly}\n")
    valid = CliRunner().invoke(main, ["validate", str(pack)], env=NO_LOCALE)
    assert valid.output == f"{pack} : valide (1 indicateur, 1 donnée d'entrée, 1 fichier)\n"


@pytest.mark.parametrize(
    ("args", "french", "english"),
    [
        (["evaluate", "x"], "Erreur : Il manque l'option '--facts'.", "Error: Missing option '--facts'."),
        (["evaluate"], "Erreur : Il manque l'argument 'PACK'.", "Error: Missing argument 'PACK'."),
        (
            ["evaluate", "x", "--facts", "f.csv", "--format", "xml"],
            "Erreur : Valeur invalide pour '--format' : 'xml' n'est pas l'une des valeurs possibles : 'table', 'json', 'jsonl', 'csv', 'xlsx'.",
            "Error: Invalid value for '--format': 'xml' is not one of 'table', 'json', 'jsonl', 'csv', 'xlsx'.",
        ),
        (["evaluate", "--facs", "x"], "Erreur : L'option '--facs' n'existe pas. (Vouliez-vous dire l'une de celles-ci : '--as-of', '--facts', '--force' ?)",
         "Error: No such option '--facs'. (Did you mean one of: '--as-of', '--facts', '--force'?)"),
        (["evaluat"], "Erreur : La commande 'evaluat' n'existe pas. (Vouliez-vous dire l'une de celles-ci : 'evaluate', 'validate' ?)",
         "Error: No such command 'evaluat'. (Did you mean one of: 'evaluate', 'validate'?)"),
        (["notify", "x", "--facts", "f", "--state", "s", "--attempts", "20"],
         "Erreur : Valeur invalide pour '--attempts' : 20 n'est pas dans l'intervalle 1<=x<=10.",
         "Error: Invalid value for '--attempts': 20 is not in the range 1<=x<=10."),
        (["evaluate", "a", "b", "--facts", "f"], "Erreur : Argument en trop : b", "Error: Got unexpected extra argument (b)"),
    ],
)
def test_clicks_own_usage_errors_are_in_the_readers_language(args, french, english):
    shown = CliRunner().invoke(main, args, env=NO_LOCALE)
    assert shown.exit_code == 2 and shown.stderr.endswith(french + "\n"), shown.stderr
    command = "main" if args[0] == "evaluat" else f"main {args[0]}"
    assert shown.stderr.startswith(f"Utilisation : {command} [OPTIONS]") and f"\nSaisissez '{command} --help' pour l'aide.\n" in shown.stderr
    asked = CliRunner().invoke(main, [*args, "--lang", "en"], env=NO_LOCALE)
    assert asked.stderr.startswith(f"Usage: {command} [OPTIONS]") and f"\nTry '{command} --help' for help.\n" in asked.stderr
    assert asked.stderr.endswith(english + "\n"), asked.stderr


def test_lang_may_come_before_the_command():
    english = CliRunner().invoke(main, ["--lang", "en", "evaluate", "x"], env=NO_LOCALE)
    assert english.exit_code == 2 and english.stderr.endswith("Error: Missing option '--facts'.\n")
    french = CliRunner().invoke(main, ["--lang", "fr", "evaluate", "x"], env={**NO_LOCALE, "LANG": "en_US.UTF-8"})
    assert french.stderr.endswith("Erreur : Il manque l'option '--facts'.\n")


def test_the_clis_own_usage_errors_are_in_the_readers_language(tmp_path):
    facts = tmp_path / "f.csv"
    facts.write_text("period,entity,ventes_marchandises\n2025-01,lyon,10\n")
    args = ["evaluate", "examples/company", "--facts", str(facts), "--entity", "lyn"]
    french = CliRunner().invoke(main, args, env=NO_LOCALE)
    assert french.stderr.endswith(
        "Erreur : Valeur invalide pour --entity : aucune donnée pour l'entité « lyn » (vouliez-vous dire « lyon » ?) ; entités : lyon, groupe_durand\n"
    )
    english = CliRunner().invoke(main, [*args, "--lang", "en"], env=NO_LOCALE)
    assert english.stderr.endswith("Error: Invalid value for --entity: no facts for entity 'lyn' (did you mean 'lyon'?); entities: lyon, groupe_durand\n")


_COMPARE_CHOICES = {"fr": "écrivez une ou plusieurs de budget, year_ago, ytd, séparées par des virgules",
                    "en": "write one or more of budget, year_ago, ytd, separated by commas"}


@pytest.mark.parametrize(
    ("written", "french", "english"),
    [
        ("budgte", "« budgte » n'est pas une comparaison (vouliez-vous dire « budget » ?)", "'budgte' is not a comparison (did you mean 'budget'?)"),
        ("ytd,foo", "« foo » n'est pas une comparaison", "'foo' is not a comparison"),
        ("budgte,yd", "« budgte », « yd » ne sont pas des comparaisons", "'budgte', 'yd' are not comparisons"),
        (" , ", "aucune comparaison nommée", "no comparison named"),
    ],
)
def test_a_refused_comparison_is_worded_in_the_readers_language(tmp_path, written, french, english):
    facts = tmp_path / "f.csv"
    facts.write_text("period,entity,ventes_marchandises\n2025-01,lyon,10\n")
    args = ["evaluate", "examples/company", "--facts", str(facts), "--compare", written]
    in_french = CliRunner().invoke(main, args, env=NO_LOCALE)
    assert in_french.exit_code == 2
    assert in_french.stderr.endswith(f"Erreur : Valeur invalide pour '--compare' : {french} : {_COMPARE_CHOICES['fr']}\n")
    in_english = CliRunner().invoke(main, [*args, "--lang", "en"], env=NO_LOCALE)
    assert in_english.stderr.endswith(f"Error: Invalid value for '--compare': {english}: {_COMPARE_CHOICES['en']}\n")


def test_an_unknown_kpi_is_told_with_the_closest_name_in_the_readers_language():
    args = ["explain", "examples/company", "taux_marge_nete", "--facts", "examples/facts/monthly.csv", "--period", "2025-03", "--entity", "lyon"]
    french = CliRunner().invoke(main, args, env=NO_LOCALE)
    assert french.stderr.endswith("Erreur : Valeur invalide pour KPI : indicateur inconnu « taux_marge_nete » (vouliez-vous dire « taux_marge_nette » ?)\n")
    english = CliRunner().invoke(main, [*args, "--lang", "en"], env=NO_LOCALE)
    assert english.stderr.endswith("Error: Invalid value for KPI: unknown KPI 'taux_marge_nete' (did you mean 'taux_marge_nette'?)\n")


def test_every_usage_message_template_reads_back_from_its_english():
    from kpi_engine.cli.help_fr import MESSAGES
    from kpi_engine.cli.language import translated_message

    samples = {name: f"<{name}>" for name in ("message", "param_hint", "value", "choice", "choices", "name", "possibility", "possibilities",
                                             "args", "filename", "range", "format", "command", "option", "entities", "entity", "hint",
                                             "kpi", "engine", "period", "span", "state", "text", "month", "fiscal", "first", "last", "names")}
    for english, french in MESSAGES.items():
        filled = english.replace("!r", "").format(**samples)
        assert translated_message(filled, "fr") == french.format(**samples), english


@pytest.mark.parametrize(
    ("options", "pack_start", "tests_start", "other_language"),
    [
        ((), "# Pack KPI de l'entreprise.\n# Il reprend", "# Tests du pack de l'entreprise : lancez-les", "It reuses"),
        (("--lang", "en"), "# The company's KPI pack.\n# It reuses", "# Tests of the company pack: run them", "Il reprend"),
    ],
)
def test_init_writes_its_comments_in_the_command_language(tmp_path, options, pack_start, tests_start, other_language):
    runner = CliRunner(env=NO_LOCALE)
    folder = str(tmp_path / "mon-entreprise")
    assert runner.invoke(main, ["init", folder, *options]).exit_code == 0
    pack = (tmp_path / "mon-entreprise" / "pack.yaml").read_text(encoding="utf-8")
    tests = (tmp_path / "mon-entreprise" / "tests" / "pack.test.yaml").read_text(encoding="utf-8")
    assert pack.startswith(pack_start) and tests.startswith(tests_start)
    assert other_language not in pack and "$" not in pack + tests  # every slot filled, in one language
    for command in ("validate", "test"):  # the created pack still validates and passes its tests
        result = runner.invoke(main, [command, folder, *options])
        assert result.exit_code == 0, result.output

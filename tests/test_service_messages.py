"""What goes wrong around the engine read in the reader's language (issue 13): delivery job files and their
channels, the alert store, report options, the web users file, and what the SQL engine refuses.

Each case of `tests/data/service_messages/cases.yaml` is a set of files, a command run on them through the
command line, and every line it prints, exactly, in English (the text of record) and French.
"""

from __future__ import annotations

import pickle
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from kpi_engine.cli import main
from kpi_engine.delivery.channels import DeliveryError
from kpi_engine.delivery.job import DurationError, parse_duration
from kpi_engine.reasons import Reason
from kpi_engine.service_messages import SERVICE_MESSAGES

CASES: dict[str, Any] = yaml.safe_load((Path(__file__).parent / "data" / "service_messages" / "cases.yaml").read_text(encoding="utf-8"))


def _asked(value: Any, lang: str) -> Any:
    return value.replace("{lang}", lang) if isinstance(value, str) else value


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_mistake_around_the_engine_is_told_in_the_readers_language(name: str, lang: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    case = CASES[name]
    for path, text in case["files"].items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    env = {key: _asked(value, lang) for key, value in case.get("env", {}).items()}
    result = CliRunner().invoke(main, [_asked(arg, lang) for arg in case["args"]], env=env, input=case.get("input"))
    assert result.exit_code == case["exit"], result.output
    assert result.output.splitlines() == case[lang]


def test_every_service_message_has_its_own_french() -> None:
    """Each code whose English is a phrase (not only fields, quotes and keywords) has a French text of its own."""
    for code, (english, french) in SERVICE_MESSAGES.items():
        if re.search(r"[a-z]{2,} [a-z]{2,}", re.sub(r"\{\w+\}|'[^']*'|\([^)]*\)", "", english)):
            assert english != french, code


def test_an_error_keeps_the_english_of_record_and_words_itself_for_the_reader() -> None:
    with pytest.raises(DurationError) as raised:
        parse_duration("1 mois")
    assert str(raised.value) == raised.value.message == "'1 mois' is not a duration: write a number and m, h, d or w (30m, 12h, 7d, 2w)"
    assert raised.value.text("fr") == "« 1 mois » n'est pas une durée : écrivez un nombre suivi de m, h, d ou w (30m, 12h, 7d, 2w)"
    assert isinstance(raised.value, ValueError)  # what callers of parse_duration catch
    failed = DeliveryError(Reason.of("webhook_failed", server="chat.example.fr", failure=Reason.of("no_answer_in_time")))
    assert failed.message == "webhook chat.example.fr: no answer in time (timeout)"  # what the store keeps as the last error
    assert failed.text("fr") == "webhook chat.example.fr : pas de réponse à temps (délai dépassé)"
    copied = pickle.loads(pickle.dumps(failed))  # noqa: S301  # our own error, as a worker process hands it back
    assert (type(copied), copied.message, copied.text("fr")) == (DeliveryError, failed.message, failed.text("fr"))

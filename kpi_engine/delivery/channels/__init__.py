"""The ways to deliver a notification, one module per channel, listed in one registry.

A channel is built from its settings (a mapping: command-line options or a job
file's `channels:` entry) and the environment (where its secrets live, never in
YAML or on the command line). It has a stable `key`, under which the store keeps
its deliveries, and a `send` that either delivers the whole notification or
raises `DeliveryError`; the notifier retries, and what is not delivered stays
pending for the next run.

Adding a channel: a module with a `build(settings, environ) -> Channel` function,
one line in `CHANNELS`, its settings in `schemas/job.schema.json` and its
command-line options in `cli/notify.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import import_module
from typing import Any, Protocol

from ...errors import WordedError
from ...reasons import Reason
from ..compose import Notification


class DeliveryError(WordedError):
    """A notification could not be delivered (connection refused, refused by the server, timeout...)."""


class ChannelError(WordedError):
    """A channel cannot be built from its settings (a missing sender, a bad URL, a secret missing)."""


class Channel(Protocol):
    """Delivers one notification (one recipient, one run) or raises DeliveryError."""

    @property
    def key(self) -> str:
        """A stable name for the store: the same destination gives the same key in every run (no secret in it)."""
        ...

    @property
    def rich(self) -> bool:
        """Whether its messages carry more than alerts: the targets met, an attached scorecard (an alert payload cannot)."""
        ...

    def send(self, notification: Notification) -> None: ...


@dataclass(frozen=True)
class ChannelType:
    """A registry entry: the channel's name (its key under `channels:` in a job file) and its module.

    The module (under `kpi_engine.delivery.channels`, with a `build(settings, environ)`
    function) is imported only when the channel is built: `kpi` starts without smtplib or urllib.
    """

    name: str
    module: str

    def build(self, settings: Mapping[str, Any], environ: Mapping[str, str]) -> Channel:
        builder: Callable[[Mapping[str, Any], Mapping[str, str]], Channel] = import_module(f"{__name__}.{self.module}").build
        return builder(settings, environ)


CHANNELS: dict[str, ChannelType] = {
    "email": ChannelType("email", "email"),
    "webhook": ChannelType("webhook", "webhook"),
}


def build_channel(name: str, settings: Mapping[str, Any], environ: Mapping[str, str]) -> Channel:
    """The channel `name` of the registry, built from its settings; ChannelError when it cannot be."""
    if name not in CHANNELS:
        raise ChannelError(Reason.of("unknown_channel", name=name, channels=", ".join(CHANNELS)))
    return CHANNELS[name].build(settings, environ)

"""The ways to deliver a notification, one module per channel, listed in one registry.

A channel is built from its settings (a mapping: command-line options or a job
file's `channels:` entry) and the environment (where its secrets live, never in
YAML or on the command line). It has a stable `key`, under which the store keeps
its deliveries, and a `send` that either delivers the whole notification or
raises `DeliveryError`; the notifier retries, and what is not delivered stays
pending for the next run.

Adding a channel: a module with a `build(settings, environ) -> Channel` function
and a `SETTINGS` JSON schema of its settings, and one line in `CHANNELS`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from ..compose import Notification


class DeliveryError(Exception):
    """A notification could not be delivered (connection refused, refused by the server, timeout...)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ChannelError(Exception):
    """A channel cannot be built from its settings (a missing sender, a bad URL, a secret missing)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Channel(Protocol):
    """Delivers one notification (one recipient, one run) or raises DeliveryError."""

    @property
    def key(self) -> str:
        """A stable name for the store: the same destination gives the same key in every run (no secret in it)."""
        ...

    def send(self, notification: Notification) -> None: ...


@dataclass(frozen=True)
class ChannelType:
    """A registry entry: how to build the channel, and the JSON schema of its settings in a job file."""

    name: str
    build: Callable[[Mapping[str, Any], Mapping[str, str]], Channel]
    settings: Mapping[str, Any]


def _registry() -> dict[str, ChannelType]:
    from . import email, webhook

    return {
        "email": ChannelType("email", email.build, email.SETTINGS),
        "webhook": ChannelType("webhook", webhook.build, webhook.SETTINGS),
    }


CHANNELS: dict[str, ChannelType] = _registry()


def build_channel(name: str, settings: Mapping[str, Any], environ: Mapping[str, str]) -> Channel:
    """The channel `name` of the registry, built from its settings; ChannelError when it cannot be."""
    if name not in CHANNELS:
        raise ChannelError(f"unknown channel '{name}'; channels: {', '.join(CHANNELS)}")
    return CHANNELS[name].build(settings, environ)

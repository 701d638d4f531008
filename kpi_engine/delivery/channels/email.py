"""E-mail over SMTP (standard library `smtplib` and `email`): one message per owner, HTML with a text part.

Settings: `smtp` ("host:port"), `sender` (the From address), `starttls`
(upgrade the connection before anything else is said), `timeout` (seconds).
Login happens when `KPI_SMTP_USER` is set in the environment, with
`KPI_SMTP_PASSWORD`; a password is only ever sent over STARTTLS.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from typing import Any

from ...owners import is_address
from ..compose import Notification, compose
from . import ChannelError, DeliveryError

USER_VARIABLE, PASSWORD_VARIABLE = "KPI_SMTP_USER", "KPI_SMTP_PASSWORD"


@dataclass(frozen=True)
class EmailChannel:
    host: str
    port: int
    sender: str
    starttls: bool = False
    timeout: float = 10.0
    credentials: tuple[str, str] | None = None

    @property
    def key(self) -> str:
        return "email"

    @property
    def rich(self) -> bool:
        return True

    def send(self, notification: Notification) -> None:
        owner = notification.owner
        if owner is None or not owner.emails:
            raise DeliveryError(f"no e-mail address for owner '{notification.recipient}': add it under owners: in the pack")
        message = _email(notification, self.sender)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as server:
                if self.starttls:
                    server.starttls(context=ssl.create_default_context())
                if self.credentials:
                    server.login(*self.credentials)
                refused = server.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            raise DeliveryError(f"{self.host}:{self.port} refused every recipient: {_refusals(error.recipients)}") from None
        except smtplib.SMTPResponseException as error:
            raise DeliveryError(f"{self.host}:{self.port} answered {error.smtp_code} {_text(error.smtp_error)}") from None
        except (smtplib.SMTPException, OSError) as error:
            raise DeliveryError(f"{self.host}:{self.port}: {_reason(error)}") from None
        if refused:  # some addresses accepted: the whole message is retried, a duplicate rather than a loss
            raise DeliveryError(f"{self.host}:{self.port} refused {_refusals(refused)}")


def build(settings: Mapping[str, Any], environ: Mapping[str, str]) -> EmailChannel:
    host, _, port = str(settings.get("smtp", "")).rpartition(":")
    if not host or not port.isdigit():
        raise ChannelError(f"SMTP server '{settings.get('smtp', '')}' should read HOST:PORT, e.g. smtp.example.fr:587")
    sender = str(settings.get("sender") or "")
    if not is_address(sender):
        raise ChannelError(f"sender '{sender}' is not an e-mail address; give the From address with --sender")
    user, password = environ.get(USER_VARIABLE), environ.get(PASSWORD_VARIABLE)
    if user and not password:
        raise ChannelError(f"{USER_VARIABLE} is set but {PASSWORD_VARIABLE} is not")
    starttls = bool(settings.get("starttls", False))
    if user and not starttls:
        raise ChannelError(f"{USER_VARIABLE} is set: a password is only sent over an encrypted connection; add --starttls")
    credentials = (user, password) if user and password else None
    return EmailChannel(host, int(port), sender, starttls, float(settings.get("timeout", 10.0)), credentials)


def _email(notification: Notification, sender: str) -> EmailMessage:
    composed = compose(notification)
    owner = notification.owner
    if owner is None:  # send() delivers only notifications addressed to an owner
        raise TypeError("an e-mail goes to an owner")
    message = EmailMessage()
    message["Subject"] = composed.subject
    message["From"] = sender
    message["To"] = ", ".join(formataddr((owner.name, address)) for address in owner.emails)
    message["Date"] = format_datetime(notification.now)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
    message["Content-Language"] = notification.lang
    message.set_content(composed.text)
    message.add_alternative(composed.html, subtype="html")
    for attachment in notification.attachments:
        message.add_attachment(attachment.html, subtype="html", filename=attachment.filename)
    return message


def _refusals(refused: Mapping[str, tuple[int, bytes]]) -> str:
    return "; ".join(f"{address} ({code} {_text(reason)})" for address, (code, reason) in refused.items())


def _text(reason: bytes | str) -> str:
    return reason.decode("utf-8", "replace") if isinstance(reason, bytes) else reason


def _reason(error: Exception) -> str:
    if isinstance(error, (socket.timeout, TimeoutError)):
        return "no answer in time (timeout)"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused (is the SMTP server running, and the port right?)"
    return str(error) or type(error).__name__

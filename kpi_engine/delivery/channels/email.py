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
from ...reasons import Reason
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
            raise DeliveryError(Reason.of("no_owner_email", owner=notification.recipient))
        message, where = _email(notification, self.sender), f"{self.host}:{self.port}"
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as server:
                if self.starttls:
                    server.starttls(context=ssl.create_default_context())
                if self.credentials:
                    server.login(*self.credentials)
                refused = server.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            raise DeliveryError(Reason.of("smtp_refused_all", server=where, refusals=_refusals(error.recipients))) from None
        except smtplib.SMTPResponseException as error:
            raise DeliveryError(Reason.of("smtp_answered", server=where, status=error.smtp_code, answer=_text(error.smtp_error))) from None
        except (smtplib.SMTPException, OSError) as error:
            raise DeliveryError(Reason.of("server_failed", server=where, failure=_reason(error))) from None
        if refused:  # some addresses accepted: the whole message is retried, a duplicate rather than a loss
            raise DeliveryError(Reason.of("smtp_refused_some", server=where, refusals=_refusals(refused)))


def build(settings: Mapping[str, Any], environ: Mapping[str, str]) -> EmailChannel:
    host, _, port = str(settings.get("smtp", "")).rpartition(":")
    if not host or not port.isdigit():
        raise ChannelError(Reason.of("smtp_host_port", smtp=settings.get("smtp", "")))
    sender = str(settings.get("sender") or "")
    if not is_address(sender):
        raise ChannelError(Reason.of("sender_not_address", sender=sender))
    user, password = environ.get(USER_VARIABLE), environ.get(PASSWORD_VARIABLE)
    if user and not password:
        raise ChannelError(Reason.of("password_missing", user=USER_VARIABLE, password=PASSWORD_VARIABLE))
    starttls = bool(settings.get("starttls", False))
    if user and not starttls:
        raise ChannelError(Reason.of("password_needs_starttls", user=USER_VARIABLE))
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


def _reason(error: Exception) -> Reason:
    """Why the server could not be reached, in words; any other error as the system says it."""
    if isinstance(error, (socket.timeout, TimeoutError)):
        return Reason.of("no_answer_in_time")
    if isinstance(error, ConnectionRefusedError):
        return Reason.of("connection_refused")
    return Reason.of("as_written", text=str(error) or type(error).__name__)

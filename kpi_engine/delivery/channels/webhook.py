"""Webhooks (standard library `urllib`): a JSON POST shaped like Prometheus Alertmanager's (version 4).

Chat and incident tools that accept Alertmanager webhooks accept these: one
POST per owner and run, `receiver` is the owner role, each alert has `status`
(firing or resolved), `labels` (alertname, kpi, entity, period, severity, owner,
rule), `annotations`, `startsAt`, `endsAt` and `fingerprint`. Every alert is
listed, but the text people read is given once per series (same KPI, entity and
rule), on its latest alert: `summary` in the owner's language, `since` (since
when it fires) and `restated`; the series' other alerts carry `grouped_in`, the
fingerprint of that latest alert. Settings: `url`, `timeout` (seconds).
"""

from __future__ import annotations

import hashlib
import json
import socket
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ...reasons import Reason
from ..compose import Item, Notification
from ..lifecycle import RESOLVED
from ..store import Pending
from . import ChannelError, DeliveryError

ZERO_TIME = "0001-01-01T00:00:00Z"  # Alertmanager's "no end yet"


@dataclass(frozen=True)
class WebhookChannel:
    url: str
    timeout: float = 10.0

    @property
    def key(self) -> str:
        """The host and a hash of the URL: webhook URLs often carry a secret token, which must not be stored."""
        return f"webhook:{urlsplit(self.url).netloc}#{hashlib.sha256(self.url.encode()).hexdigest()[:8]}"

    @property
    def rich(self) -> bool:
        return False

    def send(self, notification: Notification) -> None:
        body = json.dumps(payload(notification), ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(self.url, data=body, method="POST", headers={"Content-Type": "application/json"})  # noqa: S310 - http(s) only
        where = urlsplit(self.url).netloc
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - build() admits http(s) URLs only
                response.read()
        except urllib.error.HTTPError as error:
            raise DeliveryError(Reason.of("webhook_answered", server=where, status=error.code, answer=error.reason)) from None
        except (urllib.error.URLError, OSError) as error:
            reason = error.reason if isinstance(error, urllib.error.URLError) else error
            timed_out = isinstance(reason, (socket.timeout, TimeoutError))
            failure = Reason.of("no_answer_in_time") if timed_out else Reason.of("as_written", text=str(reason))
            raise DeliveryError(Reason.of("webhook_failed", server=where, failure=failure)) from None


def build(settings: Mapping[str, Any], environ: Mapping[str, str]) -> WebhookChannel:
    url = str(settings.get("url") or "")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ChannelError(Reason.of("webhook_url", url=url))
    return WebhookChannel(url, float(settings.get("timeout", 10.0)))


def payload(notification: Notification) -> dict[str, Any]:
    """The Alertmanager webhook document for one notification."""
    alerts = [alert for kind in ("new", "resolved", "reminder") for item in notification.grouped(kind) for alert in _alerts(item, notification)]
    firing = any(alert["status"] == "firing" for alert in alerts)
    role = notification.recipient
    return {
        "version": "4",
        "groupKey": f'{{}}:{{owner="{role}"}}',
        "truncatedAlerts": 0,
        "status": "firing" if firing else "resolved",
        "receiver": role,
        "groupLabels": {"owner": role},
        "commonLabels": _common([alert["labels"] for alert in alerts]),
        "commonAnnotations": _common([alert["annotations"] for alert in alerts]),
        "externalURL": "",
        "alerts": alerts,
    }


def _alerts(item: Item, notification: Notification) -> list[dict[str, Any]]:
    """Every alert of one series, the human text on the latest only (a chat shows one line per series)."""
    latest, lang = item.latest, notification.lang
    annotations = {"summary": latest.alert.messages.get(lang) or latest.alert.messages.get("fr", ""),
                   "description": notification.label(latest.alert.key.kpi)}
    if notification.streak(item):
        annotations["since"] = notification.streak(item)
    if item.restated:
        annotations["restated"] = "; ".join(notification.restatement(member) for member in item.restated)
    grouped = {"description": annotations["description"], "grouped_in": latest.alert.fingerprint}
    return [_alert(member, annotations if member is latest else grouped) for member in item.members]


def _alert(item: Pending, annotations: dict[str, str]) -> dict[str, Any]:
    alert = item.alert
    key = alert.key
    resolved = item.kind == RESOLVED
    return {
        "status": "resolved" if resolved else "firing",
        "labels": {"alertname": key.kpi, "kpi": key.kpi, "entity": key.entity, "period": key.period,
                   "severity": alert.severity, "owner": alert.owner, "rule": key.rule},
        "annotations": annotations,
        "startsAt": alert.first_seen,
        "endsAt": (alert.resolved_at or item.at) if resolved else ZERO_TIME,
        "generatorURL": "",
        "fingerprint": alert.fingerprint,
    }


def _common(mappings: list[dict[str, str]]) -> dict[str, str]:
    if not mappings:
        return {}
    return {key: value for key, value in mappings[0].items() if all(m.get(key) == value for m in mappings[1:])}

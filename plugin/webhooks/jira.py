"""POST /webhooks/jira: Jira Cloud's signed admin webhooks, verified and normalized.

Jira signs only admin webhooks created with a secret: ``X-Hub-Signature:
sha256=<lowercase hex HMAC-SHA256(secret, raw body)>`` (WebSub format; the
header is not ``-256``; https://developer.atlassian.com/cloud/jira/platform/webhooks/).
Jira signs no timestamp, so freshness comes from the payload's ``timestamp``
(ms since the epoch) once the signature holds: Jira may deliver up to about 30
minutes late (JIRA-RETRY), so older than an hour is refused and dedupe on
``X-Atlassian-Webhook-Identifier`` (stable across retries) catches the rest.
Only ``jira:issue_updated`` with a status change in its changelog is queued.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, current_app, request
from flask.typing import ResponseReturnValue

from plugin.events import Event
from plugin.webhooks.base import WebhookError, enqueue, matches_any, parse_json_object, read_body

blueprint = Blueprint("webhooks_jira", __name__)
SIGNATURE_HEADER = "X-Hub-Signature"
DELIVERY_HEADER = "X-Atlassian-Webhook-Identifier"
SIGNATURE_PREFIX = "sha256="
MAX_AGE_SECONDS = 3600  # Jira retries up to ~30 min late; an hour leaves room for slow retries
MAX_FUTURE_SECONDS = 300  # clock skew between Jira and Baton
# Jira webhookEvent -> Baton kind. Everything else is acknowledged as ignored.
EVENT_KINDS = {"jira:issue_updated": "issue_updated"}


def sign(secret: str, body: bytes) -> str:
    """Compute the X-Hub-Signature value Jira sends for a raw body."""
    return SIGNATURE_PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_signature(body: bytes, header: str | None, secrets: list[str]) -> None:
    """Check X-Hub-Signature over the raw bytes in constant time; raise a 401 when wrong."""
    if not secrets:
        raise WebhookError(401, "not_configured",
                           "BATON_JIRA_WEBHOOK_SECRET is not set; Baton refuses unsigned webhooks "
                           "(create the Jira webhook with a secret)")
    if not header:
        raise WebhookError(401, "missing_signature",
                           f"{SIGNATURE_HEADER} is required (set a secret on the Jira webhook)")
    if not matches_any(lambda secret: sign(secret, body), secrets, header.strip().lower()):
        raise WebhookError(401, "bad_signature", "signature does not match BATON_JIRA_WEBHOOK_SECRET")


def check_fresh(timestamp_ms: int, now: float, max_age: int) -> None:
    """Refuse a delivery whose payload timestamp is too old or too far ahead (replay guard)."""
    age = now - timestamp_ms / 1000.0
    if age > max_age:
        raise WebhookError(401, "stale_timestamp",
                           f"delivery is {int(age)} s old (allowed: {max_age} s); the next "
                           "`baton jira sync` picks up the change")
    if age < -MAX_FUTURE_SECONDS:
        raise WebhookError(401, "stale_timestamp",
                           f"timestamp is {int(-age)} s in the future (allowed: {MAX_FUTURE_SECONDS} s)")


def payload_timestamp(data: dict[str, Any]) -> int:
    """Read the envelope's ``timestamp`` (ms), or raise a 400 naming it."""
    value = data.get("timestamp")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise WebhookError(400, "malformed_payload", "Jira payload needs a numeric 'timestamp' (ms)")
    return int(value)


def event_id(delivery_id: str | None, body: bytes) -> str:
    """Use Jira's delivery id (stable across retries), else a hash of the body (also stable)."""
    if delivery_id and len(delivery_id) <= 200:
        return delivery_id
    return "sha256-" + hashlib.sha256(body).hexdigest()[:40]


def _str_or_none(value: Any) -> str | None:
    """Event values are strings or None; empty means None."""
    return None if value in (None, "") else str(value)


def _dict(value: Any) -> dict[str, Any]:
    """A nested object, or {} when the payload has something else there (never a 500)."""
    return value if isinstance(value, dict) else {}


def require_jira_body(data: dict[str, Any]) -> str:
    """Return the body's webhookEvent, or raise a 400 saying this is not a Jira webhook."""
    if not isinstance(data.get("webhookEvent"), str):
        raise WebhookError(400, "malformed_payload", "expected a Jira webhook body ('webhookEvent')")
    return data["webhookEvent"]


def _status_item(data: dict[str, Any]) -> dict[str, Any] | None:
    """The changelog item that moved the status, if any (``fieldId`` is absent on old payloads)."""
    items = _dict(data.get("changelog")).get("items")
    items = items if isinstance(items, list) else []
    return next((i for i in items if isinstance(i, dict) and i.get("field") == "status"), None)


def _iso(timestamp_ms: int) -> str:
    """Render Jira's millisecond timestamp as ISO-8601 UTC."""
    moment = datetime.fromtimestamp(timestamp_ms / 1000.0, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def normalize(data: dict[str, Any], delivery_id: str | None, body: bytes) -> Event | None:
    """Map a Jira webhook to an issue_updated Event; None for anything but a status change."""
    kind = EVENT_KINDS.get(require_jira_body(data))
    item = _status_item(data)
    if kind is None or item is None:
        return None
    issue, user = _dict(data.get("issue")), _dict(data.get("user"))
    if not issue.get("key") or not isinstance(issue["key"], str):
        raise WebhookError(400, "malformed_payload", "jira:issue_updated needs 'issue.key'")
    fields = _dict(issue.get("fields"))
    timestamp_ms = payload_timestamp(data)
    category = _dict(_dict(fields.get("status")).get("statusCategory")).get("key")
    return Event(
        id=event_id(delivery_id, body), vendor="jira", kind=kind,
        ticket_id=str(issue["key"]), occurred_at=_iso(timestamp_ms),
        actor_id=_str_or_none(user.get("accountId") or user.get("name")),
        previous={"status": _str_or_none(item.get("fromString"))},
        current={"status": _str_or_none(item.get("toString")), "status_category": _str_or_none(category),
                 "resolved": "true" if fields.get("resolution") else "false"},
        raw={"issue_key": str(issue["key"]), "issue_id": _str_or_none(issue.get("id")),
             "summary": str(fields.get("summary") or ""), "timestamp_ms": timestamp_ms,
             "changelog_id": _str_or_none(_dict(data.get("changelog")).get("id")),
             "actor_name": str(user.get("displayName") or user.get("name") or "")},
    )


@blueprint.post("/webhooks/jira")
def receive() -> ResponseReturnValue:
    """Verify, parse, check freshness, normalize and enqueue one Jira delivery."""
    settings = current_app.extensions["baton"].settings
    body = read_body(request, settings["server"]["max_body_bytes"])
    jira = settings["jira"]
    secrets = [s for s in (jira.get("webhook_secret", ""), jira.get("previous_webhook_secret", "")) if s]
    verify_signature(body, request.headers.get(SIGNATURE_HEADER), secrets)
    data = parse_json_object(body)
    require_jira_body(data)
    max_age = int(jira.get("max_delivery_age_seconds", MAX_AGE_SECONDS))
    check_fresh(payload_timestamp(data), time.time(), max_age)
    delivery_id = request.headers.get(DELIVERY_HEADER) or None
    event = normalize(data, delivery_id, body)
    return enqueue(event, ignored_id=event_id(delivery_id, body), vendor="jira",
                   ignored_kind=str(data.get("webhookEvent") or "other"))

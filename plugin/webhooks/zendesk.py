"""POST /webhooks/zendesk: Zendesk's signed webhooks, verified and normalized.

Zendesk signs base64(HMAC-SHA256(secret, TIMESTAMP + RAW_BODY)) in
X-Zendesk-Webhook-Signature, with an ISO-8601 timestamp in
X-Zendesk-Webhook-Signature-Timestamp
(https://developer.zendesk.com/documentation/webhooks/verifying/). Two body
shapes arrive: ticket event subscriptions (``zen:event-type:ticket.*``) and the
JSON body of Baton's own trigger (README, "Zendesk trigger body").
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, current_app, request
from flask.typing import ResponseReturnValue

from plugin.events import Event
from plugin.webhooks.base import WebhookError, enqueue, matches_any, parse_json_object, read_body

blueprint = Blueprint("webhooks_zendesk", __name__)
SIGNATURE_HEADER = "X-Zendesk-Webhook-Signature"
TIMESTAMP_HEADER = "X-Zendesk-Webhook-Signature-Timestamp"
INVOCATION_HEADER = "X-Zendesk-Webhook-Invocation-Id"

# Zendesk event type -> Baton event kind; anything else is acknowledged and ignored.
EVENT_KINDS = {
    "zen:event-type:ticket.agent_assignment_changed": ("assignment_changed", "assignee_id"),
    "zen:event-type:ticket.group_assignment_changed": ("assignment_changed", "group_id"),
    "zen:event-type:ticket.comment_added": ("comment_added", None),
    "zen:event-type:ticket.tags_changed": ("tags_changed", "tags"),
}
TRIGGER_MARKER = "baton_trigger"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Compute Zendesk's signature for a timestamp and raw body."""
    digest = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def parse_timestamp(value: str) -> datetime:
    """Parse Zendesk's ISO-8601 signature timestamp (it is not a Unix epoch)."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise WebhookError(401, "bad_timestamp", f"{TIMESTAMP_HEADER} is not ISO-8601") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def verify(body: bytes, headers: Any, secrets: list[str], tolerance: int, now: datetime) -> None:
    """Check signature and freshness over the raw bytes; raise a 401 WebhookError if wrong."""
    if not secrets:
        raise WebhookError(401, "not_configured",
                           "BATON_ZENDESK_WEBHOOK_SECRET is not set; Baton refuses unsigned webhooks")
    signature, timestamp = headers.get(SIGNATURE_HEADER), headers.get(TIMESTAMP_HEADER)
    if not signature or not timestamp:
        raise WebhookError(401, "missing_signature",
                           f"{SIGNATURE_HEADER} and {TIMESTAMP_HEADER} are required")
    skew = abs((now - parse_timestamp(timestamp)).total_seconds())
    if skew > tolerance:
        raise WebhookError(401, "stale_timestamp", f"timestamp is {int(skew)} s away from now "
                           f"(allowed: {tolerance} s)")
    if not matches_any(lambda secret: sign(secret, timestamp, body), secrets, signature):
        raise WebhookError(401, "bad_signature",
                           "signature does not match BATON_ZENDESK_WEBHOOK_SECRET")


def _str_or_none(value: Any) -> str | None:
    return None if value in (None, "", "null") else str(value)


def _ticket_snapshot(detail: dict[str, Any]) -> dict[str, Any]:
    """Turn an event's ticket detail into Baton's neutral snapshot (ids as strings, lowercase)."""
    return {
        "subject": str(detail.get("subject") or ""),
        "status": str(detail.get("status") or "").lower(),
        "assignee_id": _str_or_none(detail.get("assignee_id")),
        "group_id": _str_or_none(detail.get("group_id")),
        "requester_id": _str_or_none(detail.get("requester_id")),
        "updated_at": _str_or_none(detail.get("updated_at")),
        "tags": [str(t) for t in detail.get("tags") or []],
    }


def _sequence_id(data: dict[str, Any]) -> str | None:
    """Events from one ticket update share a sequence id (Zendesk's meta.sequence)."""
    for holder in (data.get("event") or {}, data):
        sequence = (holder.get("meta") or {}).get("sequence") if isinstance(holder, dict) else None
        if isinstance(sequence, dict) and sequence.get("id") is not None:
            return str(sequence["id"])
    return None


def normalize_event(data: dict[str, Any]) -> Event | None:
    """Map a ticket event subscription payload to an Event; None for types Baton ignores."""
    kind_and_field = EVENT_KINDS.get(str(data.get("type")))
    if kind_and_field is None:
        return None
    kind, field = kind_and_field
    detail, change = data.get("detail") or {}, data.get("event") or {}
    if not data.get("id") or not detail.get("id"):
        raise WebhookError(400, "malformed_payload", "ticket event needs 'id' and 'detail.id'")
    previous = {field: _str_or_none(change.get("previous"))} if field and field != "tags" else {}
    current = {field: _str_or_none(change.get("current"))} if field and field != "tags" else {}
    if kind == "comment_added":
        comment = change.get("comment") or {}
        current = {"comment_id": _str_or_none(comment.get("id")),
                   "author_id": _str_or_none((comment.get("author") or {}).get("id"))}
    return Event(
        id=str(data["id"]), vendor="zendesk", kind=kind, ticket_id=str(detail["id"]),
        occurred_at=str(data.get("time") or ""), actor_id=_str_or_none(detail.get("actor_id")),
        previous=previous, current=current,
        raw={"type": data.get("type"), "ticket": _ticket_snapshot(detail),
             "sequence": _sequence_id(data)},
    )


def normalize_trigger(data: dict[str, Any], invocation_id: str | None, body: bytes) -> Event:
    """Map the body of Baton's own trigger (placeholders arrive as strings) to an Event."""
    ticket_id = _str_or_none(data.get("ticket_id"))
    if not ticket_id or not ticket_id.isdigit():
        raise WebhookError(400, "malformed_payload", "trigger body needs a numeric 'ticket_id'")
    event_id = invocation_id or "trg-" + hashlib.sha256(body).hexdigest()[:32]
    snapshot = _ticket_snapshot({**data, "tags": str(data.get("tags") or "").split()})
    return Event(
        id=event_id, vendor="zendesk", kind="ticket_updated", ticket_id=ticket_id,
        occurred_at=str(data.get("updated_at") or ""), actor_id=_str_or_none(data.get("actor_id")),
        current={"assignee_id": snapshot["assignee_id"], "group_id": snapshot["group_id"]},
        raw={"type": "trigger", "ticket": snapshot},
    )


def normalize(data: dict[str, Any], invocation_id: str | None, body: bytes) -> Event | None:
    """Pick the right normalizer for the body's shape."""
    if TRIGGER_MARKER in data:
        return normalize_trigger(data, invocation_id, body)
    if "type" in data:
        return normalize_event(data)
    raise WebhookError(400, "malformed_payload",
                       "expected a Zendesk ticket event ('type') or Baton's trigger body "
                       f"('{TRIGGER_MARKER}')")


@blueprint.post("/webhooks/zendesk")
def receive() -> ResponseReturnValue:
    """Verify, parse, normalize, dedupe and enqueue one Zendesk delivery."""
    settings = current_app.extensions["baton"].settings
    body = read_body(request, settings["server"]["max_body_bytes"])
    zendesk = settings["zendesk"]
    secrets = [s for s in (zendesk["webhook_secret"], zendesk["previous_webhook_secret"]) if s]
    verify(body, request.headers, secrets, settings["server"]["signature_tolerance_seconds"],
           datetime.now(UTC))
    data = parse_json_object(body)
    event = normalize(data, request.headers.get(INVOCATION_HEADER), body)
    return enqueue(event, ignored_id=str(data.get("id") or ""), vendor="zendesk",
                   ignored_kind=str(data.get("type") or "other").removeprefix("zen:event-type:"))

"""Zendesk-style signed event-subscription webhooks for sandbox audits, delivered off-thread."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import queue
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import requests

from .zendesk_shapes import Json, id_str

if TYPE_CHECKING:
    from .zendesk import ZendeskSandbox

PREFIX = "zen:event-type:ticket."
DEFAULT_EVENT_TYPES = frozenset(PREFIX + name for name in (
    "agent_assignment_changed", "group_assignment_changed", "comment_added", "status_changed",
    "tags_changed",
))
_FIELD_EVENTS = {"assignee_id": "agent_assignment_changed",
                 "group_id": "group_assignment_changed", "status": "status_changed",
                 "priority": "priority_changed", "tags": "tags_changed"}
_ULID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_STOP = object()


def ulid_like() -> str:
    """A 26-character Crockford base32 id, the format of Zendesk webhook and invocation ids."""
    return "01" + "".join(secrets.choice(_ULID_ALPHABET) for _ in range(24))


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Zendesk's signature: base64(HMAC-SHA256(secret, TIMESTAMP + BODY)), secret used raw."""
    digest = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _upper(value: str | None) -> str | None:
    """Event payloads spell enum values in capitals (OPEN, URGENT)."""
    return value.upper() if value else None


def ticket_detail(ticket: Json, actor_id: int, channel: str) -> Json:
    """The `detail` snapshot: the ticket with ids as strings and enum values upper-cased."""
    return {
        "actor_id": id_str(actor_id), "assignee_id": id_str(ticket["assignee_id"]),
        "brand_id": id_str(ticket["brand_id"]), "created_at": ticket["created_at"],
        "custom_status": id_str(ticket["custom_status_id"]),
        "description": ticket["description"], "external_id": ticket["external_id"],
        "form_id": id_str(ticket["ticket_form_id"]), "group_id": id_str(ticket["group_id"]),
        "id": str(ticket["id"]), "is_public": ticket["is_public"],
        "organization_id": id_str(ticket["organization_id"]),
        "priority": _upper(ticket["priority"]), "requester_id": id_str(ticket["requester_id"]),
        "status": _upper(ticket["status"]), "subject": ticket["subject"],
        "submitter_id": id_str(ticket["submitter_id"]), "tags": list(ticket["tags"]),
        "type": _upper(ticket["type"]), "updated_at": ticket["updated_at"],
        "via": {"channel": "web_service" if channel == "api" else channel},
    }


@dataclass
class Delivery:
    """One delivery attempt, as the webhook's activity log would show it."""

    event_type: str
    ticket_id: int
    event_id: str
    invocation_id: str
    attempt: int
    status_code: int | None
    error: str | None = None


@dataclass
class Job:
    """One webhook body waiting to be sent."""

    event_type: str
    ticket_id: int
    event_id: str
    body: bytes


class WebhookSender:
    """Turns each audit into Zendesk ticket events and POSTs them, signed, on a worker thread."""

    def __init__(
        self, sandbox: ZendeskSandbox, url: str, secret: str, *, account_id: int = 22129848,
        webhook_id: str | None = None, deliver_times: int = 1,
        event_types: Iterable[str] = DEFAULT_EVENT_TYPES, timeout: float = 12.0,
        max_retry_wait: float = 2.0, sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.sandbox, self.url, self.secret = sandbox, url, secret
        self.account_id = account_id
        self.webhook_id = webhook_id or ulid_like()
        self.deliver_times = deliver_times
        self.event_types = frozenset(event_types)
        self.timeout, self.max_retry_wait, self._sleep = timeout, max_retry_wait, sleep
        self.deliveries: list[Delivery] = []
        self._queue: queue.Queue[Any] = queue.Queue()
        self._pending = 0
        self._idle = threading.Condition()
        self._session = requests.Session()
        self._thread = threading.Thread(target=self._run, daemon=True, name="zendesk-webhooks")

    def start(self) -> None:
        """Subscribe to the sandbox's audits and start delivering."""
        self.sandbox.subscribe(self.on_audit)
        self._thread.start()

    def on_audit(self, audit: Json, ticket: Json) -> None:
        """Queue one webhook per subscribed event in the audit; never blocks on the network."""
        for envelope in self.envelopes(audit, ticket):
            body = (json.dumps(envelope, indent=3, sort_keys=True) + "\n").encode()
            job = Job(envelope["type"], ticket["id"], envelope["id"], body)
            with self._idle:
                self._pending += 1
            self._queue.put(job)

    def envelopes(self, audit: Json, ticket: Json) -> list[Json]:
        """The event envelopes an audit produces, sharing one sequence id (the audit's)."""
        if any(e["type"] == "Create" for e in audit["events"]):
            pairs = [(PREFIX + "created", {})]
        else:
            pairs = [p for p in map(self._event_body, audit["events"]) if p]
        pairs = [(kind, body) for kind, body in pairs if kind in self.event_types]
        detail = ticket_detail(ticket, audit["author_id"], audit["via"]["channel"])
        now = self.sandbox.clock().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        out = []
        for position, (kind, body) in enumerate(pairs, start=1):
            sequence = {"id": str(audit["id"]), "position": position, "total": len(pairs)}
            out.append({
                "type": kind, "account_id": self.account_id, "id": str(uuid.uuid4()),
                "time": now, "zendesk_event_version": "2022-11-06",
                "subject": f"zen:ticket:{ticket['id']}", "detail": detail,
                "event": {**body, "meta": {"sequence": sequence}},
            })
        return out

    def _event_body(self, event: Json) -> tuple[str, Json] | None:
        """The event type and `event` object for one audit event, or None if none applies."""
        if event["type"] == "Comment":
            author = self.sandbox.user(event["author_id"])
            return PREFIX + "comment_added", {"comment": {
                "id": str(event["id"]), "body": event["body"], "is_public": event["public"],
                "author": {"id": str(author["id"]), "is_staff": author["role"] != "end-user",
                           "name": author["name"]}}}
        name = _FIELD_EVENTS.get(event.get("field_name", ""))
        if event["type"] != "Change" or name is None:
            return None
        if name == "tags_changed":
            old, new = event["previous_value"] or [], event["value"] or []
            return PREFIX + name, {"tags_added": [t for t in new if t not in old],
                                   "tags_removed": [t for t in old if t not in new]}
        if name in ("status_changed", "priority_changed"):
            return PREFIX + name, {"previous": _upper(event["previous_value"]),
                                   "current": _upper(event["value"])}
        return PREFIX + name, {"previous": event["previous_value"], "current": event["value"]}

    def _run(self) -> None:
        """Worker loop: deliver each job `deliver_times` times, then mark it done."""
        while True:
            job = self._queue.get()
            if job is _STOP:
                return
            try:
                for _ in range(self.deliver_times):
                    self._deliver(job)
            finally:
                with self._idle:
                    self._pending -= 1
                    self._idle.notify_all()

    def _deliver(self, job: Job) -> None:
        """One invocation with Zendesk's retry policy: 409 x3, 429/503 with Retry-After < 60."""
        invocation_id = ulid_like()
        limits = {409: 3, 429: 3, 503: 3, "timeout": 5}
        for attempt in range(1, 10):
            status, error, retry_after = self._attempt(job, invocation_id, attempt)
            key = "timeout" if error == "timeout" else status
            if key not in limits or limits[key] == 0:
                return
            if status in (429, 503) and (retry_after is None or retry_after >= 60):
                return
            limits[key] -= 1
            self._sleep(min(retry_after or 0.0, self.max_retry_wait))

    def _attempt(
        self, job: Job, invocation_id: str, attempt: int
    ) -> tuple[int | None, str | None, float | None]:
        """POST once with fresh signature headers; log and return (status, error, retry_after)."""
        timestamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        headers = {
            "Content-Type": "application/json; charset=utf-8", "User-Agent": "Zendesk Webhook",
            "X-Zendesk-Account-Id": str(self.account_id), "X-Zendesk-Webhook-Id": self.webhook_id,
            "X-Zendesk-Webhook-Invocation-Id": invocation_id,
            "X-Zendesk-Webhook-Signature-Timestamp": timestamp,
            "X-Zendesk-Webhook-Signature": sign(self.secret, timestamp, job.body),
        }
        status = error = retry_after = None
        try:
            response = self._session.post(self.url, data=job.body, headers=headers,
                                          timeout=self.timeout)
            status = response.status_code
            retry_after = _seconds(response.headers.get("Retry-After"))
        except requests.Timeout:
            error = "timeout"
        except requests.RequestException as exc:
            error = type(exc).__name__
        self.deliveries.append(Delivery(job.event_type, job.ticket_id, job.event_id,
                                        invocation_id, attempt, status, error))
        return status, error, retry_after

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until everything queued so far was delivered (or gave up); False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout=timeout)

    def close(self, timeout: float = 5.0) -> None:
        """Stop listening, let the worker finish what is queued, and end its thread."""
        self.sandbox.unsubscribe(self.on_audit)
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join(timeout=timeout)
        self._session.close()


def _seconds(value: str | None) -> float | None:
    """Retry-After in seconds, or None when absent or not a number."""
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None

"""What every vendor receiver shares: the HTTP contract and the request pipeline.

The contract, written once: 202 {"event_id", "status"} with status queued,
duplicate or ignored; 400 malformed, 401 unauthenticated or stale, 413 too
large, 415 not JSON, 503 queue unavailable (with Retry-After, so the vendor
retries and nothing is lost). The request path never calls a vendor API.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from flask import Request, current_app, jsonify
from flask.typing import ResponseReturnValue

from plugin.events import Event
from plugin.queue import QueueUnavailable

log = logging.getLogger("plugin.webhooks")
# Zendesk only retries a 503 whose Retry-After is under 60 s.
RETRY_AFTER_SECONDS = 30


class WebhookError(Exception):
    """A request Baton refuses, with the status and code the contract gives it."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def error_response(status: int, code: str, message: str) -> ResponseReturnValue:
    """Render the documented JSON error body."""
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    if status == 503:
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def read_body(request: Request, max_bytes: int) -> bytes:
    """Return the raw body after the size and content-type checks, before any parsing."""
    if request.content_length is not None and request.content_length > max_bytes:
        raise WebhookError(413, "too_large", f"body exceeds {max_bytes} bytes")
    if request.mimetype != "application/json":
        raise WebhookError(415, "unsupported_media_type",
                           f"expected Content-Type application/json, got {request.mimetype or 'none'}")
    body = request.get_data(cache=True)
    if len(body) > max_bytes:
        raise WebhookError(413, "too_large", f"body exceeds {max_bytes} bytes")
    return body


def parse_json_object(body: bytes) -> dict[str, Any]:
    """Parse the body as a JSON object or raise a 400 naming the problem."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise WebhookError(400, "malformed_json", f"body is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise WebhookError(400, "malformed_payload", "body must be a JSON object")
    return data


def matches_any(expected: Callable[[str], bytes | str], secrets: Iterable[str], given: str) -> bool:
    """Compare a signature against each configured secret in constant time (rotation)."""
    given_bytes = given.encode()
    found = False
    for secret in secrets:
        value = expected(secret)
        candidate = value.encode() if isinstance(value, str) else value
        found |= hmac.compare_digest(candidate, given_bytes)
    return found


def enqueue(event: Event | None, ignored_id: str, vendor: str, ignored_kind: str = "other") -> ResponseReturnValue:
    """Queue a normalized event (or acknowledge an ignored one) and answer 202."""
    if event is None:
        current_app.extensions["baton"].queue.count_ignored(vendor, ignored_kind[:60] or "other")
        return jsonify({"event_id": ignored_id, "status": "ignored"}), 202
    try:
        status = current_app.extensions["baton"].queue.submit(event)
    except QueueUnavailable as exc:
        log.error("queue unavailable, answering 503: %s", exc)
        return error_response(503, "queue_unavailable", "event queue unavailable; retry later")
    log.info("webhook %s %s ticket=%s status=%s", event.vendor, event.kind, event.ticket_id, status)
    return jsonify({"event_id": event.id, "status": status}), 202

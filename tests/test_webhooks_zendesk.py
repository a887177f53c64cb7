"""POST /webhooks/zendesk: signature, freshness, shapes, and the documented errors."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest

from plugin.app import create_app
from plugin.queue import InProcessQueue, QueueUnavailable
from plugin.webhooks.zendesk import sign
from tests.conftest import FIXTURES, make_settings

SECRET = "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ=="
EVENT = (FIXTURES / "zendesk" / "zendesk_event_ticket_agent_assignment_changed.json").read_bytes()


def independent_signature(secret: str, timestamp: str, body: bytes) -> str:
    """Zendesk's documented scheme, computed here without Baton's code."""
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("utf-8") + body, hashlib.sha256)
    return base64.b64encode(mac.digest()).decode("ascii")


def now_stamp(offset: timedelta = timedelta()) -> str:
    return (datetime.now(UTC) + offset).strftime("%Y-%m-%dT%H:%M:%SZ")


class RecordingQueue:
    def __init__(self) -> None:
        self.events: list = []
        self.seen: set[str] = set()
        self.ignored: list[tuple[str, str]] = []

    def submit(self, event) -> str:
        if event.dedupe_key in self.seen:
            return "duplicate"
        self.seen.add(event.dedupe_key)
        self.events.append(event)
        return "queued"

    def ping(self) -> bool:
        return True

    def count_ignored(self, vendor: str, kind: str) -> None:
        self.ignored.append((vendor, kind))

    def stats(self) -> dict:
        return {"received": {}, "depth": {"queued": len(self.events)}}


class BrokenQueue(RecordingQueue):
    def submit(self, event) -> str:
        raise QueueUnavailable("connection refused")


@pytest.fixture()
def queue() -> RecordingQueue:
    return RecordingQueue()


@pytest.fixture()
def client(queue):
    settings = make_settings(zendesk={"webhook_secret": SECRET, "previous_webhook_secret": "old-secret"},
                             server={"max_body_bytes": 4096})
    return create_app(settings, queue=queue).test_client()


def post(client, body: bytes, *, secret: str = SECRET, stamp: str | None = None, headers=None):
    stamp = stamp or now_stamp()
    base = {"Content-Type": "application/json; charset=utf-8",
            "X-Zendesk-Webhook-Signature": independent_signature(secret, stamp, body),
            "X-Zendesk-Webhook-Signature-Timestamp": stamp}
    base.update(headers or {})
    return client.post("/webhooks/zendesk", data=body, headers={k: v for k, v in base.items() if v is not None})


def test_signature_matches_the_documented_vectors() -> None:
    vectors = json.loads((FIXTURES / "zendesk" / "zendesk_webhook_signature_vectors.json").read_text())
    computed = vectors["vectors"][1]
    assert sign(computed["secret"], computed["timestamp"], computed["body"].encode()) == computed["signature"]
    real = vectors["vectors"][2]
    body = (FIXTURES / "zendesk" / real["body_file"]).read_bytes()
    assert sign(real["secret"], real["timestamp"], body) == real["signature"]


def test_signed_event_is_queued_and_normalized(client, queue) -> None:
    response = post(client, EVENT)
    assert response.status_code == 202
    assert response.json == {"event_id": "c6d7e8f9-0a1b-2c3d-4e5f-6a7b8c9d0e1f", "status": "queued"}
    event = queue.events[0]
    assert (event.kind, event.ticket_id, event.actor_id) == ("assignment_changed", "5158", "8447388090494")
    assert event.previous == {"assignee_id": "8447388090494"}
    assert event.current == {"assignee_id": "8447388090496"}
    assert event.raw["ticket"]["status"] == "open" and event.raw["ticket"]["group_id"] == "8447320466430"


def test_redelivery_is_acknowledged_as_duplicate(client, queue) -> None:
    statuses = [post(client, EVENT).json["status"] for _ in range(3)]
    assert statuses == ["queued", "duplicate", "duplicate"]
    assert len(queue.events) == 1


def test_tampered_body_is_refused(client, queue) -> None:
    stamp = now_stamp()
    signature = independent_signature(SECRET, stamp, EVENT)
    tampered = EVENT.replace(b"8447388090496", b"8447388090497")
    response = post(client, tampered, stamp=stamp, headers={"X-Zendesk-Webhook-Signature": signature})
    assert response.status_code == 401
    assert response.json["error"]["code"] == "bad_signature"
    assert queue.events == []


@pytest.mark.parametrize("offset", [timedelta(minutes=-6), timedelta(minutes=6)])
def test_stale_or_future_timestamp_is_refused(client, offset) -> None:
    response = post(client, EVENT, stamp=now_stamp(offset))
    assert response.status_code == 401
    assert response.json["error"]["code"] == "stale_timestamp"


def test_timestamp_within_tolerance_is_accepted(client) -> None:
    assert post(client, EVENT, stamp=now_stamp(timedelta(minutes=-4))).status_code == 202


@pytest.mark.parametrize("missing", ["X-Zendesk-Webhook-Signature", "X-Zendesk-Webhook-Signature-Timestamp"])
def test_missing_header_is_refused(client, missing) -> None:
    response = post(client, EVENT, headers={missing: None})
    assert response.status_code == 401
    assert response.json["error"]["code"] == "missing_signature"


def test_previous_secret_still_verifies_during_rotation(client) -> None:
    assert post(client, EVENT, secret="old-secret").status_code == 202
    assert post(client, EVENT, secret="never-configured").status_code == 401


def test_unconfigured_secret_fails_closed(queue) -> None:
    app = create_app(make_settings(), queue=queue)
    response = post(app.test_client(), EVENT)
    assert response.status_code == 401
    assert "BATON_ZENDESK_WEBHOOK_SECRET" in response.json["error"]["message"]


def test_garbled_timestamp_is_refused(client) -> None:
    response = post(client, EVENT, stamp="yesterday")
    assert response.status_code == 401 and response.json["error"]["code"] == "bad_timestamp"


@pytest.mark.parametrize("body,code", [
    (b'{"type": "zen:event-type:ticket.agent_assignment_changed", ', "malformed_json"),
    (b"[1, 2, 3]", "malformed_payload"),
    (b'{"type": "zen:event-type:ticket.agent_assignment_changed", "detail": {}}', "malformed_payload"),
    (b'{"hello": "world"}', "malformed_payload"),
    (b'{"baton_trigger": "v1", "ticket_id": "abc"}', "malformed_payload"),
    (b"\xff\xfe not utf-8", "malformed_json"),
])
def test_malformed_bodies_get_400_naming_the_problem(client, queue, body, code) -> None:
    response = post(client, body)
    assert response.status_code == 400
    assert response.json["error"]["code"] == code
    assert queue.events == []


def test_wrong_content_type_gets_415(client) -> None:
    response = post(client, EVENT, headers={"Content-Type": "text/plain"})
    assert response.status_code == 415
    assert response.json["error"]["code"] == "unsupported_media_type"


def test_oversized_body_gets_413(client) -> None:
    response = post(client, b'{"pad": "' + b"x" * 5000 + b'"}')
    assert response.status_code == 413
    assert response.json["error"]["code"] == "too_large"


def test_event_types_baton_does_not_use_are_ignored(client, queue) -> None:
    body = (FIXTURES / "zendesk" / "zendesk_event_user_deleted_real_body.txt").read_bytes()
    response = post(client, body)
    assert response.status_code == 202 and response.json["status"] == "ignored"
    assert queue.events == [] and queue.ignored == [("zendesk", "user.deleted")]


def test_batons_trigger_body_is_accepted_with_string_placeholders(client, queue) -> None:
    body = json.dumps({"baton_trigger": "v1", "ticket_id": "77", "assignee_id": "5", "group_id": "",
                       "status": "Open", "actor_id": "5", "updated_at": "2026-05-04T09:00:00Z",
                       "tags": "vip billing"}).encode()
    response = post(client, body, headers={"X-Zendesk-Webhook-Invocation-Id": "inv-123"})
    assert response.status_code == 202 and response.json == {"event_id": "inv-123", "status": "queued"}
    event = queue.events[0]
    assert event.kind == "ticket_updated" and event.current == {"assignee_id": "5", "group_id": None}
    assert event.raw["ticket"]["tags"] == ["vip", "billing"] and event.raw["ticket"]["status"] == "open"


def test_queue_outage_answers_503_with_short_retry_after() -> None:
    app = create_app(make_settings(zendesk={"webhook_secret": SECRET}), queue=BrokenQueue())
    response = post(app.test_client(), EVENT)
    assert response.status_code == 503
    assert response.json["error"]["code"] == "queue_unavailable"
    assert 0 < int(response.headers["Retry-After"]) < 60


def test_unknown_path_and_method_are_json_errors(client) -> None:
    assert client.get("/webhooks/zendesk").status_code == 405
    assert client.get("/webhooks/zendesk").json["error"]["code"] == "method_not_allowed"


def test_in_process_queue_dedupes_and_runs_in_order() -> None:
    seen: list[dict] = []
    queue = InProcessQueue(seen.append)
    app = create_app(make_settings(zendesk={"webhook_secret": SECRET}), queue=queue)
    client = app.test_client()
    assert [post(client, EVENT).json["status"] for _ in range(2)] == ["queued", "duplicate"]
    queue.join()
    assert [e["id"] for e in seen] == ["c6d7e8f9-0a1b-2c3d-4e5f-6a7b8c9d0e1f"]

"""POST /webhooks/jira: X-Hub-Signature, payload freshness, normalization, redelivery and ordering."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import pytest

from plugin.app import create_app
from plugin.events import Event
from plugin.sandbox.jira import JiraSandbox
from plugin.webhooks.jira import blueprint, normalize, sign
from tests.conftest import FIXTURES, make_settings
from tests.test_webhooks_zendesk import RecordingQueue

SECRET, OLD = "jira-webhook-secret", "jira-old-secret"
STATUS = json.loads((FIXTURES / "jira" / "jira_issue_updated_status.json").read_text())


def independent_signature(secret: str, body: bytes) -> str:
    """Jira's scheme (WebSub): sha256= + lowercase hex HMAC-SHA256 of the raw body."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def fresh(payload: dict[str, Any], age_seconds: float = 0.0) -> bytes:
    """The fixture with its timestamp moved to ``age_seconds`` ago (Jira signs no header timestamp)."""
    return json.dumps({**payload, "timestamp": int((time.time() - age_seconds) * 1000)}).encode()


def build_app(queue: RecordingQueue, **jira: Any) -> Any:
    app = create_app(make_settings(jira=jira, server={"max_body_bytes": 65536}), queue=queue)
    if "webhooks_jira" not in app.blueprints:  # until app.py registers it
        app.register_blueprint(blueprint)
    return app


@pytest.fixture()
def queue() -> RecordingQueue:
    return RecordingQueue()


@pytest.fixture()
def client(queue: RecordingQueue) -> Any:
    return build_app(queue, webhook_secret=SECRET, previous_webhook_secret=OLD).test_client()


def post(client: Any, body: bytes, *, secret: str | None = SECRET, delivery: str | None = "wh-1",
         headers: dict[str, str] | None = None) -> Any:
    base = {"Content-Type": "application/json; charset=utf-8"}
    if secret is not None:
        base["X-Hub-Signature"] = independent_signature(secret, body)
    if delivery is not None:
        base["X-Atlassian-Webhook-Identifier"] = delivery
    return client.post("/webhooks/jira", data=body, headers={**base, **(headers or {})})


def test_sign_matches_the_websub_format() -> None:
    body = b'{"webhookEvent": "jira:issue_updated"}'
    assert sign("s3cret", body) == independent_signature("s3cret", body)
    assert sign("s3cret", body).startswith("sha256=") and len(sign("s3cret", body)) == 7 + 64


def test_status_change_is_queued_and_normalized(client, queue) -> None:
    body = fresh(STATUS)
    response = post(client, body, delivery="6b7c8d9e-aaaa-4bbb-8ccc-0d1e2f3a4b5c")
    assert response.status_code == 202
    assert response.json == {"event_id": "6b7c8d9e-aaaa-4bbb-8ccc-0d1e2f3a4b5c", "status": "queued"}
    event = queue.events[0]
    assert (event.vendor, event.kind, event.ticket_id) == ("jira", "issue_updated", "TEST-1")
    assert event.actor_id == "99:b8d8a054-2e12-4839-bd5f-5f2b7c5f5e3a"
    assert event.previous == {"status": "To Do"}
    assert event.current == {"status": "In Progress", "status_category": "indeterminate", "resolved": "false"}
    assert event.raw["actor_name"] == "James Williams" and event.raw["issue_id"] == "10000"
    assert event.raw["summary"] == "Fix That" and event.raw["timestamp_ms"] == json.loads(body)["timestamp"]
    assert Event.from_dict(event.to_dict()) == event  # survives RQ's JSON serializer


def test_occurred_at_comes_from_the_payload_timestamp() -> None:
    event = normalize(STATUS, "d-1", b"{}")
    assert event is not None and event.occurred_at == "2017-01-30T17:32:14.721Z"


def test_forged_signature_is_refused(client, queue) -> None:
    response = post(client, fresh(STATUS), secret="attacker-guess")
    assert response.status_code == 401 and response.json["error"]["code"] == "bad_signature"
    assert "BATON_JIRA_WEBHOOK_SECRET" in response.json["error"]["message"] and queue.events == []


def test_tampered_body_is_refused(client, queue) -> None:
    body = fresh(STATUS)
    signature = independent_signature(SECRET, body)
    tampered = body.replace(b'"In Progress"', b'"Done"')
    response = post(client, tampered, secret=None, headers={"X-Hub-Signature": signature})
    assert response.status_code == 401 and response.json["error"]["code"] == "bad_signature"
    assert queue.events == []


@pytest.mark.parametrize("header", [None, "", "sha1=abc"])
def test_missing_or_wrong_scheme_signature_is_refused(client, queue, header) -> None:
    headers = {} if header is None else {"X-Hub-Signature": header}
    response = post(client, fresh(STATUS), secret=None, headers=headers)
    expected = "missing_signature" if not header else "bad_signature"
    assert response.status_code == 401 and response.json["error"]["code"] == expected
    assert queue.events == []


def test_previous_secret_verifies_during_rotation(client) -> None:
    assert post(client, fresh(STATUS), secret=OLD).status_code == 202


def test_unconfigured_secret_fails_closed(queue) -> None:
    response = post(build_app(queue).test_client(), fresh(STATUS))
    assert response.status_code == 401 and response.json["error"]["code"] == "not_configured"
    assert "BATON_JIRA_WEBHOOK_SECRET" in response.json["error"]["message"] and queue.events == []


@pytest.mark.parametrize("age,status", [(2 * 3600, 401), (61 * 60, 401), (-10 * 60, 401),
                                        (40 * 60, 202), (-60, 202)])
def test_stale_or_future_payload_timestamp(client, queue, age, status) -> None:
    response = post(client, fresh(STATUS, age_seconds=age))
    assert response.status_code == status
    if status == 401:
        assert response.json["error"]["code"] == "stale_timestamp" and queue.events == []


def test_stale_window_is_configurable(queue) -> None:
    client = build_app(queue, webhook_secret=SECRET, max_delivery_age_seconds=600).test_client()
    assert post(client, fresh(STATUS, age_seconds=15 * 60)).json["error"]["code"] == "stale_timestamp"


@pytest.mark.parametrize("body,code", [
    (b'{"webhookEvent": "jira:issue_updated", ', "malformed_json"),
    (b"[1, 2]", "malformed_payload"),
    (b'{"hello": "world"}', "malformed_payload"),
    (b'{"webhookEvent": "jira:issue_updated", "timestamp": "yesterday"}', "malformed_payload"),
    (json.dumps({**STATUS, "timestamp": int(time.time() * 1000), "issue": {"id": "1"}}).encode(),
     "malformed_payload"),
    (json.dumps({**STATUS, "timestamp": int(time.time() * 1000), "issue": ["TEST-1"]}).encode(),
     "malformed_payload"),
])
def test_malformed_bodies_get_400(client, queue, body, code) -> None:
    response = post(client, body)
    assert response.status_code == 400 and response.json["error"]["code"] == code
    assert queue.events == []


@pytest.mark.parametrize("fixture", ["jira_issue_updated_assignee.json", "jira_comment_created.json"])
def test_other_events_are_ignored_with_202(client, queue, fixture) -> None:
    payload = json.loads((FIXTURES / "jira" / fixture).read_text())
    response = post(client, fresh(payload), delivery="wh-ignored")
    assert response.status_code == 202 and response.json == {"event_id": "wh-ignored", "status": "ignored"}
    assert queue.events == []


def test_odd_nested_shapes_are_ignored_not_a_500(client, queue) -> None:
    body = fresh({**STATUS, "changelog": ["status"], "user": "admin"})
    response = post(client, body, delivery="wh-odd")
    assert response.status_code == 202 and response.json["status"] == "ignored" and queue.events == []


def test_redelivery_keeps_its_event_id_and_is_a_duplicate(client, queue) -> None:
    body = fresh(STATUS)
    answers = [post(client, body, delivery="wh-same").json for _ in range(3)]
    assert [a["event_id"] for a in answers] == ["wh-same"] * 3
    assert [a["status"] for a in answers] == ["queued", "duplicate", "duplicate"] and len(queue.events) == 1


def test_without_a_delivery_id_the_body_hash_is_the_stable_id(client, queue) -> None:
    body = fresh(STATUS)
    ids = {post(client, body, delivery=None).json["event_id"] for _ in range(2)}
    assert ids == {"sha256-" + hashlib.sha256(body).hexdigest()[:40]} and len(queue.events) == 1


@pytest.fixture()
def jira_site(client) -> JiraSandbox:
    """A sandbox Jira whose webhooks go to the receiver through Flask's test client."""
    site = JiraSandbox()
    site.add_user("baton@support.example", "token")
    site.create_issue("SUP", "Bug", "Refund fails with R42")

    def deliver(body: bytes, headers: dict[str, str]) -> int:
        return client.post("/webhooks/jira", data=body, headers=headers).status_code

    site.configure_webhook(deliver, SECRET, deliver_times=2)
    return site


def test_sandbox_redeliveries_are_deduped_and_cost_no_jira_request(jira_site, queue) -> None:
    delivery = jira_site.transition("SUP-1", "In Progress", by="Dana Engineer")
    assert delivery is not None and delivery.status_codes == [202, 202]
    assert len(queue.events) == 1 and queue.events[0].id == delivery.identifier
    assert queue.events[0].raw["actor_name"] == "Dana Engineer"
    assert jira_site.requests == []  # the webhook carries the status: zero Jira reads per event


def test_out_of_order_deliveries_still_tell_which_status_is_latest(jira_site, queue) -> None:
    jira_site.deliver_times = 0  # hold the deliveries, then send them late and reversed
    first = jira_site.transition("SUP-1", "In Progress")
    second = jira_site.transition("SUP-1", "Done")
    assert first is not None and second is not None
    for delivery in (second, first, second):
        jira_site.redeliver(delivery)
    assert [e.current["status"] for e in queue.events] == ["Done", "In Progress"]
    latest = max(queue.events, key=lambda e: (e.raw["timestamp_ms"], int(e.raw["changelog_id"])))
    assert latest.current == {"status": "Done", "status_category": "done", "resolved": "true"}
    assert second.status_codes == [202, 202] and len(queue.events) == 2

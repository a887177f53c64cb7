"""The Zendesk sandbox answers like Zendesk: paths, shapes, errors, pagination, signed webhooks."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from flask import Flask, Response, request
from flask.testing import FlaskClient
from requests.adapters import HTTPAdapter
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.serving import make_server
from werkzeug.test import Client
from zenpy import Zenpy
from zenpy.lib.exception import APIException

from plugin.sandbox import SandboxServer, ZendeskSandbox, create_app

EMAIL, TOKEN, SECRET = "baton@example.com", "tok-123", "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ=="
START = datetime(2025, 1, 8, 12, 0, 0, tzinfo=UTC)
AUTH = {"Authorization": "Basic " + base64.b64encode(f"{EMAIL}/token:{TOKEN}".encode()).decode()}
RULE = {"id": 35079792, "title": "Assign to first responder"}


class World:
    """A seeded sandbox plus the ids tests refer to."""

    def __init__(self) -> None:
        ticks = itertools.count()
        self.sandbox = ZendeskSandbox(clock=lambda: START + timedelta(seconds=next(ticks)))
        sb = self.sandbox
        self.baton = sb.add_user("Baton", EMAIL, "admin")
        self.ann = sb.add_user("Ann Agent", "ann@example.com")
        self.bob = sb.add_user("Bob Agent", "bob@example.com")
        self.customer = sb.add_user("Cara Customer", "cara@example.org", "end-user")
        self.billing, self.tier2 = sb.add_group("Billing"), sb.add_group("Tier 2")
        sb.add_membership(self.ann, self.billing)
        sb.add_membership(self.bob, self.tier2)
        sb.add_api_token(EMAIL, TOKEN)
        self.ticket = sb.create_ticket(self.customer, "Charged twice", "I was charged twice.",
                                       group_id=self.billing, tags=["billing"])
        self.client: FlaskClient = create_app(sb).test_client()


@pytest.fixture
def world() -> Iterator[World]:
    w = World()
    yield w
    w.sandbox.close()


def put_ticket(w: World, body: dict[str, Any], **headers: str) -> Any:
    """PUT /api/v2/tickets/{id}.json as the API user."""
    return w.client.put(f"/api/v2/tickets/{w.ticket}.json", json={"ticket": body},
                        headers={**AUTH, **headers})


def test_authentication_and_users_me(world: World) -> None:
    bad = "Basic " + base64.b64encode(f"{EMAIL}/token:wrong".encode()).decode()
    assert world.client.get("/api/v2/users/me.json").status_code == 401
    denied = world.client.get("/api/v2/users/me.json", headers={"Authorization": bad})
    assert denied.status_code == 401
    assert denied.get_json() == {"error": "Couldn't authenticate you"}
    me = world.client.get("/api/v2/users/me.json", headers=AUTH).get_json()["user"]
    assert (me["id"], me["email"], me["role"]) == (world.baton, EMAIL, "admin")
    assert me["url"] == f"http://localhost/api/v2/users/{world.baton}.json"
    many = world.client.get(f"/api/v2/users/show_many.json?ids={world.ann},{world.bob},1",
                            headers=AUTH).get_json()["users"]
    assert [u["name"] for u in many] == ["Ann Agent", "Bob Agent"]
    group = world.client.get(f"/api/v2/groups/{world.tier2}", headers=AUTH).get_json()["group"]
    assert group["name"] == "Tier 2"
    assert world.sandbox.requests[-1] == ("GET", f"/api/v2/groups/{world.tier2}")
    assert len(world.sandbox.requests) == 5


def test_get_ticket_and_missing_ticket(world: World) -> None:
    ticket = world.client.get(f"/api/v2/tickets/{world.ticket}.json", headers=AUTH).get_json()
    t = ticket["ticket"]
    assert (t["id"], t["requester_id"], t["group_id"]) == (world.ticket, world.customer,
                                                          world.billing)
    assert (t["status"], t["assignee_id"], t["tags"]) == ("new", None, ["billing"])
    assert t["created_at"].endswith("Z") and t["via"]["channel"] == "web"
    missing = world.client.get("/api/v2/tickets/999999.json", headers=AUTH)
    assert missing.status_code == 404
    assert missing.get_json() == {"error": "RecordNotFound", "description": "Not found"}


def test_create_audit_has_create_events_with_string_ids(world: World) -> None:
    (audit,) = world.sandbox.ticket_audits(world.ticket)
    fields = {e["field_name"]: e["value"] for e in audit["events"] if e["type"] == "Create"}
    assert fields["group_id"] == str(world.billing) and fields["requester_id"] == str(
        world.customer)
    assert fields["status"] == "new" and fields["tags"] == ["billing"]
    comment = audit["events"][0]
    assert comment["type"] == "Comment" and comment["audit_id"] == audit["id"]
    assert all(e["id"] > audit["id"] for e in audit["events"])


def test_put_assignee_with_private_note_makes_one_api_audit(world: World) -> None:
    body = {"assignee_id": world.ann, "comment": {"body": "Refund failed, R42.", "public": False},
            "metadata": {"custom": {"baton": {"action": "assign"}}}}
    response = put_ticket(world, body, **{"User-Agent": "Zenpy/2.0.57"})
    assert response.status_code == 200
    data = response.get_json()
    assert data["ticket"]["assignee_id"] == world.ann and data["ticket"]["status"] == "open"
    audit = data["audit"]
    assert audit["via"] == {"channel": "api", "source": {"from": {}, "to": {}, "rel": None}}
    assert audit["author_id"] == world.baton
    assert audit["metadata"]["system"]["client"] == "Zenpy/2.0.57"
    assert audit["metadata"]["custom"] == {"baton": {"action": "assign"}}
    kinds = [(e["type"], e.get("field_name")) for e in audit["events"]]
    assert kinds == [("Comment", None), ("Change", "assignee_id"), ("Change", "status")]
    change = audit["events"][1]
    assert (change["value"], change["previous_value"]) == (str(world.ann), None)
    assert audit["events"][0]["public"] is False
    assert len(world.sandbox.ticket_audits(world.ticket)) == 2
    flat = put_ticket(world, {"status": "pending", "metadata": {"time_spent": "4m12s"}})
    assert flat.get_json()["audit"]["metadata"]["custom"] == {"time_spent": "4m12s"}


def test_assigning_outside_the_group_is_refused(world: World) -> None:
    before = world.sandbox.ticket(world.ticket)
    response = put_ticket(world, {"assignee_id": world.bob})
    assert response.status_code == 422
    assert response.get_json() == {
        "error": "RecordInvalid", "description": "Record validation errors",
        "details": {"assignee": [{"description": "Assignee is not a member of the group"}]}}
    assert world.sandbox.ticket(world.ticket) == before
    moved = put_ticket(world, {"group_id": world.tier2, "assignee_id": world.bob}).get_json()
    changes = {e["field_name"]: (e["previous_value"], e["value"])
               for e in moved["audit"]["events"]}
    assert changes["group_id"] == (str(world.billing), str(world.tier2))
    assert changes["assignee_id"] == (None, str(world.bob))


def test_safe_update_rejects_a_stale_stamp(world: World) -> None:
    stamp = world.sandbox.ticket(world.ticket)["updated_at"]
    world.sandbox.act(world.ticket, world.ann, assignee_id=world.ann)
    stale = put_ticket(world, {"status": "pending", "safe_update": True, "updated_stamp": stamp})
    assert stale.status_code == 409
    assert stale.get_json()["error"] == "UpdateConflict"
    assert world.sandbox.ticket(world.ticket)["status"] == "open"
    fresh = world.sandbox.ticket(world.ticket)["updated_at"]
    ok = put_ticket(world, {"status": "pending", "safe_update": True, "updated_stamp": fresh})
    assert ok.status_code == 200 and ok.get_json()["ticket"]["status"] == "pending"
    tags = world.client.put(f"/api/v2/tickets/{world.ticket}/tags.json", headers=AUTH,
                            json={"tags": ["x"], "safe_update": "true", "updated_stamp": fresh})
    assert tags.status_code == 409


def test_tags_endpoints_set_add_remove(world: World) -> None:
    url = f"/api/v2/tickets/{world.ticket}/tags.json"
    assert world.client.post(url, json={"tags": ["VIP", "refund"]}, headers=AUTH).get_json() == {
        "tags": ["vip", "refund"]}
    assert world.client.put(url, json={"tags": ["urgent", "vip"]}, headers=AUTH).get_json() == {
        "tags": ["vip", "refund", "urgent"]}
    assert world.client.delete(url, json={"tags": ["refund"]}, headers=AUTH).get_json() == {
        "tags": ["vip", "urgent"]}
    data = put_ticket(world, {"additional_tags": ["baton_transferred"],
                              "remove_tags": ["vip"]}).get_json()
    assert data["ticket"]["tags"] == ["urgent", "baton_transferred"]
    (change,) = data["audit"]["events"]
    assert (change["field_name"], change["previous_value"], change["value"]) == (
        "tags", ["vip", "urgent"], ["urgent", "baton_transferred"])
    assert [m for m, _ in world.sandbox.requests] == ["POST", "PUT", "DELETE", "PUT"]


def test_audits_cursor_pagination_and_sideloads(world: World) -> None:
    for status in ("open", "pending", "open", "hold"):
        world.sandbox.act(world.ticket, world.ann, status=status)
    url = f"/api/v2/tickets/{world.ticket}/audits.json?page[size]=2&include=users,tickets"
    seen, pages = [], 0
    while url:
        body = world.client.get(url, headers=AUTH).get_json()
        seen += [a["id"] for a in body["audits"]]
        pages += 1
        assert body["tickets"][0]["id"] == world.ticket
        assert {u["id"] for u in body["users"]} >= {a["author_id"] for a in body["audits"]}
        url = body["links"]["next"] if body["meta"]["has_more"] else None
    assert pages == 3
    assert seen == [a["id"] for a in world.sandbox.ticket_audits(world.ticket)]
    assert len(seen) == 5
    too_big = world.client.get(f"/api/v2/tickets/{world.ticket}/audits?page[size]=101",
                               headers=AUTH)
    assert too_big.status_code == 400


def test_comments_endpoint_shape(world: World) -> None:
    world.sandbox.act(world.ticket, world.ann, comment={"body": "Looking <now>", "public": False})
    body = world.client.get(f"/api/v2/tickets/{world.ticket}/comments.json?page[size]=100",
                            headers=AUTH).get_json()
    first, note = body["comments"]
    assert (first["author_id"], first["public"], first["body"]) == (
        world.customer, True, "I was charged twice.")
    assert (note["author_id"], note["public"], note["plain_body"]) == (
        world.ann, False, "Looking <now>")
    assert "&lt;now&gt;" in note["html_body"] and note["attachments"] == []
    assert note["type"] == "Comment" and note["via"]["channel"] == "web"
    assert body["meta"]["has_more"] is False


def test_trigger_changes_carry_rule_via(world: World) -> None:
    audit = world.sandbox.act(world.ticket, world.ann, assignee_id=world.ann, via_rule=RULE)
    assert audit is not None and audit["via"]["channel"] == "web"
    assign = next(e for e in audit["events"] if e["field_name"] == "assignee_id")
    assert assign["via"] == {"channel": "rule", "source": {
        "from": {"id": RULE["id"], "title": RULE["title"]}, "to": {}, "rel": "trigger"}}


def test_fail_next_answers_with_retry_after(world: World) -> None:
    world.sandbox.fail_next(2, status=429, retry_after=7)
    url = f"/api/v2/tickets/{world.ticket}.json"
    for _ in range(2):
        limited = world.client.get(url, headers=AUTH)
        assert limited.status_code == 429 and limited.headers["Retry-After"] == "7"
        assert limited.get_json()["error"] == "APIRateLimitExceeded"
    assert world.client.get(url, headers=AUTH).status_code == 200
    assert world.sandbox.requests == [("GET", f"/api/v2/tickets/{world.ticket}")] * 3


def test_works_mounted_under_a_prefix(world: World) -> None:
    outer = Flask("outer")
    outer.wsgi_app = DispatcherMiddleware(  # type: ignore[method-assign]
        outer.wsgi_app, {"/sandbox/zendesk": create_app(world.sandbox)})
    client = Client(outer)
    response = client.get(f"/sandbox/zendesk/api/v2/tickets/{world.ticket}.json", headers=AUTH)
    assert response.status_code == 200
    assert response.get_json()["ticket"]["url"] == (
        f"http://localhost/sandbox/zendesk/api/v2/tickets/{world.ticket}.json")
    world.sandbox.act(world.ticket, world.ann, status="open")
    page = client.get(f"/sandbox/zendesk/api/v2/tickets/{world.ticket}/audits?page[size]=1",
                      headers=AUTH).get_json()
    assert page["links"]["next"].startswith(
        f"http://localhost/sandbox/zendesk/api/v2/tickets/{world.ticket}/audits?")
    assert world.sandbox.requests[0] == ("GET", f"/api/v2/tickets/{world.ticket}")


class _Rewrite(HTTPAdapter):
    """Send zenpy's https://sub.zendesk.com URLs to the local server; keep the original request."""

    def __init__(self, base: str) -> None:
        super().__init__()
        self.base = base

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        parts = urlsplit(request.url or "")
        local = request.copy()
        local.url = self.base + parts.path + (f"?{parts.query}" if parts.query else "")
        response = super().send(local, **kwargs)
        response.request = request
        return response


@pytest.fixture
def served(world: World) -> Iterator[SandboxServer]:
    server = SandboxServer(world.sandbox).start()
    yield server
    server.shutdown()


def test_zenpy_talks_to_the_sandbox_over_http(world: World, served: SandboxServer) -> None:
    session = requests.Session()
    session.mount("https://", _Rewrite(served.url))
    zd = Zenpy(subdomain="baton-sandbox", email=EMAIL, token=TOKEN, session=session,
               disable_cache=True)
    assert zd.users.me().id == world.baton
    ticket = zd.tickets(id=world.ticket)
    assert ticket.subject == "Charged twice"
    ticket.assignee_id = world.ann
    result = zd.tickets.update(ticket)
    assert result.ticket.assignee_id == world.ann
    assert result.audit.metadata.system.client.startswith("Zenpy/")
    path = f"/api/v2/tickets/{world.ticket}"
    assert world.sandbox.requests[1:3] == [("GET", path), ("PUT", path)]  # 1 read, 1 write
    audits = list(zd.tickets.audits(ticket=world.ticket))
    assert [a.via.channel for a in audits] == ["web", "api"]
    comments = list(zd.tickets.comments(ticket=world.ticket))
    assert comments[0].body == "I was charged twice."
    assert sorted(zd.tickets.add_tags(world.ticket, ["baton_ok"])) == ["baton_ok", "billing"]
    ticket = zd.tickets(id=world.ticket)
    ticket.assignee_id = world.bob
    with pytest.raises(APIException, match="Assignee is not a member of the group"):
        zd.tickets.update(ticket)
    world.sandbox.fail_next(1, status=429, retry_after=1)
    assert zd.tickets(id=world.ticket).tags == ["billing", "baton_ok"]
    assert world.sandbox.requests[-2:] == [("GET", path)] * 2


class Receiver:
    """A real HTTP endpoint that records raw webhook requests and answers scripted statuses."""

    def __init__(
        self, script: list[tuple[int, dict[str, str]]] | None = None, delays: tuple[float, ...] = ()
    ) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.script, self.delays = list(script or []), list(delays)
        app = Flask("receiver")
        app.add_url_rule("/hooks/zendesk", "hook", self.hook, methods=["POST"])
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/zendesk"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def hook(self) -> Response:
        self.received.append((dict(request.headers), request.get_data()))
        if self.delays:
            time.sleep(self.delays.pop(0))
        status, headers = self.script.pop(0) if self.script else (200, {})
        return Response("{}", status=status, headers=headers, mimetype="application/json")

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def expected_signature(timestamp: str, body: bytes) -> str:
    digest = hmac.new(SECRET.encode(), timestamp.encode() + body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def test_webhooks_are_signed_enveloped_sequenced_and_duplicated(
    world: World, receiver: Receiver
) -> None:
    sender = world.sandbox.configure_webhook(receiver.url, SECRET, deliver_times=2)
    audit = world.sandbox.act(world.ticket, world.ann, group_id=world.tier2, assignee_id=world.bob,
                              comment={"body": "Over to Tier 2", "public": False})
    assert audit is not None
    assert sender.wait_idle(10)
    assert len(receiver.received) == 8
    bodies = []
    for headers, raw in receiver.received:
        stamp = headers["X-Zendesk-Webhook-Signature-Timestamp"]
        assert datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ")
        assert headers["X-Zendesk-Webhook-Signature"] == expected_signature(stamp, raw)
        assert headers["User-Agent"] == "Zendesk Webhook"
        assert headers["Content-Type"] == "application/json; charset=utf-8"
        assert headers["X-Zendesk-Account-Id"] == "22129848"
        assert headers["X-Zendesk-Webhook-Id"] == sender.webhook_id
        bodies.append(json.loads(raw))
    raw_by_id: dict[str, set[bytes]] = {}
    for _, raw in receiver.received:
        raw_by_id.setdefault(json.loads(raw)["id"], set()).add(raw)
    assert len(raw_by_id) == 4 and all(len(v) == 1 for v in raw_by_id.values())
    by_type = {b["type"].rsplit(".", 1)[1]: b for b in bodies}
    assert set(by_type) == {"comment_added", "group_assignment_changed",
                            "agent_assignment_changed", "status_changed"}
    agent = by_type["agent_assignment_changed"]
    assert agent["event"]["previous"] is None and agent["event"]["current"] == str(world.bob)
    assert by_type["status_changed"]["event"]["current"] == "OPEN"
    assert by_type["group_assignment_changed"]["event"]["previous"] == str(world.billing)
    comment = by_type["comment_added"]["event"]["comment"]
    assert comment["is_public"] is False and comment["body"] == "Over to Tier 2"
    assert comment["author"] == {"id": str(world.ann), "is_staff": True, "name": "Ann Agent"}
    assert agent["subject"] == f"zen:ticket:{world.ticket}"
    assert agent["zendesk_event_version"] == "2022-11-06" and agent["account_id"] == 22129848
    assert agent["time"].startswith("2025-01-08T12:00:") and agent["time"].endswith("Z")
    detail = agent["detail"]
    assert (detail["id"], detail["actor_id"], detail["status"]) == (
        str(world.ticket), str(world.ann), "OPEN")
    assert detail["group_id"] == str(world.tier2) and detail["via"] == {"channel": "web"}
    sequences = [b["event"]["meta"]["sequence"] for b in by_type.values()]
    assert {s["id"] for s in sequences} == {str(audit["id"])}
    assert sorted(s["position"] for s in sequences) == [1, 2, 3, 4]
    assert {s["total"] for s in sequences} == {4}
    assert [d.status_code for d in sender.deliveries] == [200] * 8


def test_api_update_webhook_says_web_service_and_tags(world: World, receiver: Receiver) -> None:
    sender = world.sandbox.configure_webhook(receiver.url, SECRET)
    response = world.client.post(f"/api/v2/tickets/{world.ticket}/tags.json", headers=AUTH,
                                 json={"tags": ["vip"]})
    assert response.status_code == 200
    assert sender.wait_idle(10)
    ((_, raw),) = receiver.received
    body = json.loads(raw)
    assert body["type"] == "zen:event-type:ticket.tags_changed"
    assert body["event"]["tags_added"] == ["vip"] and body["event"]["tags_removed"] == ["billing"]
    assert body["detail"]["via"] == {"channel": "web_service"}
    assert body["detail"]["actor_id"] == str(world.baton)


def test_webhook_retries_follow_zendesk_policy(world: World) -> None:
    receiver = Receiver([(503, {"Retry-After": "0"}), (200, {}), (500, {}),
                         (429, {"Retry-After": "120"})])
    try:
        sender = world.sandbox.configure_webhook(receiver.url, SECRET)
        world.sandbox.act(world.ticket, world.ann, status="pending")
        world.sandbox.act(world.ticket, world.ann, status="hold")
        world.sandbox.act(world.ticket, world.ann, status="open")
        assert sender.wait_idle(10)
    finally:
        receiver.close()
    log = [(d.event_type.rsplit(".", 1)[1], d.attempt, d.status_code) for d in sender.deliveries]
    assert log == [("status_changed", 1, 503), ("status_changed", 2, 200),
                   ("status_changed", 1, 500), ("status_changed", 1, 429)]
    assert sender.deliveries[0].invocation_id == sender.deliveries[1].invocation_id
    assert {d.ticket_id for d in sender.deliveries} == {world.ticket}


def test_webhook_timeout_is_retried_with_the_same_body(world: World) -> None:
    receiver = Receiver(delays=(0.6,))
    try:
        sender = world.sandbox.configure_webhook(receiver.url, SECRET, timeout=0.2)
        world.sandbox.act(world.ticket, world.ann, status="pending")
        assert sender.wait_idle(10)
    finally:
        receiver.close()
    assert [(d.attempt, d.status_code, d.error) for d in sender.deliveries] == [
        (1, None, "timeout"), (2, 200, None)]
    first, second = (raw for _, raw in receiver.received)
    assert first == second and json.loads(first)["event"]["current"] == "PENDING"

"""The Freshdesk adapter over HTTP mocks: one read, errors mapped once, writes, and first sight."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import responses

from plugin.actions import AddTags, InternalNote, RemoveTags, RevertAssignment, SetField
from plugin.adapters.base import AuthFailed, NotFound, Rejected, RetryLater
from plugin.adapters.freshdesk import FreshdeskAdapter
from plugin.adapters.freshdesk_shapes import build_change, html_to_text, note_html, ticket_from_api
from plugin.events import Event
from plugin.model import KnownAssignment
from tests.conftest import FIXTURES

BASE = "https://acme.freshdesk.com"
NOW = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)


def fixture(name: str) -> object:
    return json.loads((FIXTURES / "freshdesk" / name).read_text())


def ticket_body(conversations: list[dict] | None = None, **fields: object) -> dict:
    raw = dict(fixture("freshdesk_ticket_get.json"))  # responder 6010396333, no group, tags foo, bar
    raw.update(fields)
    listed = fixture("freshdesk_conversations_list.json")
    raw["conversations"] = conversations if conversations is not None else listed
    return raw


def event(kind: str = "assignment_changed", previous: dict | None = None, **raw: object) -> Event:
    return Event(id="fd-1", vendor="freshdesk", kind=kind, ticket_id="1", occurred_at="2016-05-18T23:42:50Z",
                 previous=previous or {}, raw=dict(raw))


@pytest.fixture()
def adapter() -> FreshdeskAdapter:
    return FreshdeskAdapter(BASE, "api-key", sleep=lambda seconds: None)


@responses.activate
def test_one_read_loads_ticket_and_conversations(adapter) -> None:
    responses.get(f"{BASE}/api/v2/tickets/1", json=ticket_body(), match=[
        responses.matchers.query_param_matcher({"include": "conversations"})])
    responses.get(f"{BASE}/api/v2/agents/6010396000", json={"id": 6010396000, "contact": {"name": "Alex"}})
    responses.get(f"{BASE}/api/v2/agents/6010396333", json={"id": 6010396333, "contact": {"name": "Blake"}})
    known = KnownAssignment("6010396000", None, NOW - timedelta(days=2000))
    ctx = adapter.load_context(event(), NOW, baton_user_id="999", last_known=known)
    assert ctx.names == {"6010396000": "Alex", "6010396333": "Blake"}
    assert adapter.requests_made == [("GET", "/api/v2/tickets/1"), ("GET", "/api/v2/agents/6010396000"),
                                     ("GET", "/api/v2/agents/6010396333")]
    adapter.requests_made.clear()
    ctx = adapter.load_context(event(), NOW, baton_user_id="999", last_known=known)
    assert adapter.requests_made == [("GET", "/api/v2/tickets/1")]  # names are cached for an hour
    assert responses.calls[0].request.headers["Authorization"].startswith("Basic YXBpLWtleTpY")  # api-key:X
    assert (ctx.ticket.assignee_id, ctx.ticket.status, ctx.ticket.tags) == ("6010396333", "open", ("foo", "bar"))
    assert [(c.id, c.author_role, c.public, c.body) for c in ctx.comments] == [
        ("description-1", "customer", True, "This is a sample ticket, feel free to delete it."),
        ("1", "agent", False, "This is a private note"), ("2", "agent", True, "This is a reply")]
    change = ctx.change
    assert change is not None and (change.previous_assignee_id, change.assignee_id) == ("6010396000", "6010396333")


@responses.activate
def test_ten_included_conversations_mean_reading_all_pages(adapter) -> None:
    note = fixture("freshdesk_note_private.json")
    many = [{**note, "id": i, "created_at": f"2016-05-19T05:{i % 60:02d}:00Z"} for i in range(130)]
    responses.get(f"{BASE}/api/v2/tickets/1", json=ticket_body(many[:10]))
    responses.get(f"{BASE}/api/v2/tickets/1/conversations", json=many[:100],
                  match=[responses.matchers.query_param_matcher({"page": "1", "per_page": "100"})])
    responses.get(f"{BASE}/api/v2/tickets/1/conversations", json=many[100:],
                  match=[responses.matchers.query_param_matcher({"page": "2", "per_page": "100"})])
    ctx = adapter.load_context(event(kind="comment_added"), NOW, "999", None)
    assert len(ctx.comments) == 131 and len(adapter.requests_made) == 3


@responses.activate
@pytest.mark.parametrize("status,body,headers,error", [
    (429, {"message": "rate limited"}, {"Retry-After": "17"}, RetryLater),
    (503, {}, {}, RetryLater),
    (404, {"code": "not_found"}, {}, NotFound),
    (401, {"code": "invalid_credentials", "message": "You have to be logged in"}, {}, AuthFailed),
    (400, {"description": "Validation failed", "errors": [
        {"field": "responder_id", "message": "There is no agent", "code": "invalid_value"}]}, {}, Rejected),
])
def test_errors_map_to_batons_classes(adapter, status, body, headers, error) -> None:
    responses.put(f"{BASE}/api/v2/tickets/1", json=body, status=status, headers=headers)
    with pytest.raises(error) as raised:
        adapter.request("PUT", "/api/v2/tickets/1", json={})
    assert raised.value.status == status
    if status == 429:
        assert raised.value.retry_after == 17.0
    if status == 400:
        assert "Validation failed: responder_id: There is no agent (invalid_value)" in str(raised.value)


@responses.activate
def test_connection_failure_is_retry_later() -> None:
    adapter = FreshdeskAdapter("http://127.0.0.1:9", "key", timeout=0.5)
    with pytest.raises(RetryLater):
        adapter.whoami()


@responses.activate
def test_low_rate_limit_remaining_paces_the_next_request() -> None:
    slept: list[float] = []
    adapter = FreshdeskAdapter(BASE, "key", sleep=slept.append, pace_seconds=2.0)
    responses.get(f"{BASE}/api/v2/agents/me", json={"id": 5}, headers={"X-RateLimit-Remaining": "3"})
    assert adapter.whoami() == "5" and slept == []
    assert adapter.whoami() == "5" and slept == [2.0] and adapter.rate_remaining == 3


@responses.activate
def test_revert_posts_the_note_then_one_update_with_the_whole_tag_list(adapter) -> None:
    responses.post(f"{BASE}/api/v2/tickets/1/notes", json=fixture("freshdesk_note_private.json"), status=201)
    responses.put(f"{BASE}/api/v2/tickets/1", json=fixture("freshdesk_ticket_update_response.json"))
    ticket = ticket_from_api(ticket_body(), BASE)
    writes = [RevertAssignment("r", "c1", assignee_id="6010396000", group_id=None),
              InternalNote("r", "c1", body="Missing: Reason.\nAdd <a note>"),
              AddTags("r", "c1", tags=("baton_handoff_reverted", "foo")), RemoveTags("r", "c1", tags=("bar",)),
              SetField("r", "c1", field_id="cf_handoff", value="missing")]
    keys = ["k-revert", "k-note", "k-add", "k-remove", "k-field"]
    assert adapter.apply(ticket, writes, keys) == 2
    assert [c.request.method for c in responses.calls] == ["POST", "PUT"]
    note = json.loads(responses.calls[0].request.body)
    assert note["private"] is True and "Add &lt;a note&gt;" in note["body"] and "baton-key: k-note" in note["body"]
    assert json.loads(responses.calls[1].request.body) == {
        "responder_id": 6010396000, "group_id": None, "tags": ["foo", "baton_handoff_reverted"],
        "custom_fields": {"cf_handoff": "missing"}}


@responses.activate
def test_keys_are_read_back_only_from_batons_own_notes(adapter) -> None:
    mine = {**fixture("freshdesk_note_private.json"), "id": 7, "user_id": 999,
            "body": note_html("Heads-up", ["freshdesk:1:fdabc:require_handoff_note:InternalNote"])}
    pasted = {**mine, "id": 8, "user_id": 1, "body": note_html("copied", ["freshdesk:1:forged:x:InternalNote"])}
    responses.get(f"{BASE}/api/v2/tickets/1", json=ticket_body([mine, pasted]))
    ctx = adapter.load_context(event(kind="comment_added"), NOW, "999", None)
    assert ctx.applied_keys == frozenset({"freshdesk:1:fdabc:require_handoff_note:InternalNote"})
    assert [c.author_role for c in ctx.comments[1:]] == ["system", "agent"]


def test_html_notes_keep_one_label_per_line() -> None:
    assert html_to_text("<div>Handoff</div><div>Situation: A &amp; B</div><p>Tried:<br>x</p>") == \
        "Handoff\nSituation: A & B\nTried:\nx"


def test_first_sight_mid_life_without_previous_values_judges_nothing() -> None:
    ticket = ticket_from_api(ticket_body(group_id=8), BASE)
    change, history = build_change(event(), ticket, None, NOW)
    assert change is None and history == ()


def test_first_sight_with_previous_values_from_triggered_event_is_judged() -> None:
    ticket = ticket_from_api(ticket_body(group_id=8), BASE)
    change, history = build_change(event(previous={"assignee_id": "77"}), ticket, None, NOW)
    assert change is not None and history == (change,)
    assert (change.previous_assignee_id, change.previous_group_id) == ("77", "8")  # group did not move
    assert (change.assignee_id, change.group_id) == ("6010396333", "8") and change.actor_kind == "agent"


def test_known_holder_gives_the_change_and_a_history_that_starts_when_baton_last_saw_it() -> None:
    ticket = ticket_from_api(ticket_body(group_id=8), BASE)
    seen = datetime(2016, 5, 18, 23, 40, 12, 500000, tzinfo=UTC)
    change, history = build_change(event(), ticket, KnownAssignment("77", "7", seen), NOW)
    assert change is not None and (change.previous_assignee_id, change.previous_group_id) == ("77", "7")
    assert history[0].at == seen.replace(microsecond=0) and history[1] is change
    again, _ = build_change(event(), ticket, KnownAssignment("77", "7", seen), NOW)
    assert again is not None and again.id == change.id  # a re-run finds the same keys


def test_echo_of_batons_own_revert_is_no_change() -> None:
    ticket = ticket_from_api(ticket_body(group_id=8), BASE)
    known = KnownAssignment("6010396333", "8", NOW)
    assert build_change(event(previous={"assignee_id": "5"}), ticket, known, NOW) == (None, ())


def test_automation_changes_are_marked_as_rules() -> None:
    ticket = ticket_from_api(ticket_body(group_id=8), BASE)
    change, _ = build_change(event(performed_by="system"), ticket, KnownAssignment("77", "8", NOW), NOW)
    assert change is not None and change.actor_kind == "rule"

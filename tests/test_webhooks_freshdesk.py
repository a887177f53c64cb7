"""Baton's Freshdesk body, flat or wrapped: normalized to Events, with stable ids for redeliveries."""

from __future__ import annotations

import json

import pytest

from plugin.webhooks.freshdesk import event_kind, normalize, parse_triggered_event
from tests.conftest import FIXTURES


def load(name: str) -> dict:
    return json.loads((FIXTURES / "freshdesk" / name).read_text())


def test_agent_change_carries_previous_and_current_ids() -> None:
    event_id, event = normalize(load("baton_body_agent_changed.json"))
    assert event is not None and event.id == event_id and event_id.startswith("fd-")
    assert (event.vendor, event.kind, event.ticket_id) == ("freshdesk", "assignment_changed", "101")
    assert event.previous == {"assignee_id": "6001", "group_id": "8001"}
    assert event.current == {"assignee_id": "6002", "group_id": "8002"}
    assert event.occurred_at == "2026-05-04T09:05:00Z"
    assert event.raw["ticket"]["status"] == "open" and event.raw["ticket"]["group_name"] == "Billing"


def test_same_body_gets_the_same_id_and_a_later_update_a_new_one() -> None:
    body = load("baton_body_agent_changed.json")
    first, _ = normalize(body)
    assert normalize(json.loads(json.dumps(body)))[0] == first
    assert normalize({**body, "updated_at": "2026-05-04T09:07:00Z"})[0] != first
    assert normalize({**body, "triggered_event": "{note_type:private}"})[0] != first


def test_unrendered_placeholders_are_treated_as_unknown() -> None:
    _, event = normalize(load("baton_body_unrendered_ids.json"))
    assert event is not None and event.kind == "ticket_updated"  # no triggered_event: the worker compares
    assert "assignee_id" not in event.raw["ticket"] and event.raw["ticket"]["group_id"] is None
    assert event.previous == {} and event.current == {"group_id": None}


def test_wrapped_creation_body_seeds_an_unassigned_ticket() -> None:
    _, event = normalize(load("baton_body_ticket_created.json"))
    assert event is not None and event.kind == "ticket_updated" and event.raw["created"] is True
    assert event.raw["ticket"]["assignee_id"] is None and event.raw["ticket"]["group_id"] is None
    assert event.raw["type"] == "freshdesk_webhook"


@pytest.mark.parametrize("fixture,kind", [
    ("freshdesk_webhook_private_note.json", "comment_added"),
    ("freshdesk_webhook_ticket_created.json", "ticket_updated"),
    ("freshdesk_webhook_status_changed.json", None),
])
def test_zulip_style_bodies_from_real_freshdesk_deliveries(fixture: str, kind: str | None) -> None:
    event_id, event = normalize(load(fixture))
    assert event_id.startswith("fd-") and (event.kind if event else None) == kind
    if event:
        assert event.ticket_id == "11" and event.raw["ticket"]["requester_email"] == "requester-bob@example.com"


@pytest.mark.parametrize("text,parsed", [
    ("{status:{from:4,to:6}}", {"status": {"from": "4", "to": "6"}}),
    ("{note_type:private}", {"note_type": "private"}),
    ("{ticket_action:created}", {"ticket_action": "created"}),
    ("{responder_id:{from:,to:42}, group_id:{from:7,to:8}}",
     {"responder_id": {"from": "", "to": "42"}, "group_id": {"from": "7", "to": "8"}}),
    ("{{triggered_event}}", {}), ("", {}), ("{status:{from:4", {}), ("status changed", {}),
])
def test_triggered_event_pseudo_json(text: str, parsed: dict) -> None:
    assert parse_triggered_event(text) == parsed


@pytest.mark.parametrize("parsed,kind", [
    ({"responder_id": {"from": "1", "to": "2"}}, "assignment_changed"),
    ({"group_id": {"from": "1", "to": "2"}}, "assignment_changed"),
    ({"note_type": "private"}, "comment_added"), ({"reply_sent": "sent"}, "comment_added"),
    ({"tags": {"added": "x"}}, "tags_changed"), ({"priority": {"from": "1", "to": "2"}}, None),
    ({"custom_field": {"from": "a", "to": "b"}}, "ticket_updated"), ({}, "ticket_updated"),
])
def test_event_kinds(parsed: dict, kind: str | None) -> None:
    assert event_kind(parsed) == kind


def test_agent_names_instead_of_ids_are_not_taken_for_ids() -> None:
    body = {**load("baton_body_agent_changed.json"),
            "triggered_event": "{responder_id:{from:Alex Rivera,to:Blake Chen}}"}
    _, event = normalize(body)
    assert event is not None and event.previous == {} and event.current == {"assignee_id": "6002",
                                                                             "group_id": "8002"}

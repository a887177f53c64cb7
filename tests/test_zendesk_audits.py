"""Reading Zendesk audits (payloads in Zendesk's real shapes) into comments and assignment history."""

from __future__ import annotations

import json

from plugin.adapters.zendesk_audits import fill_unchanged, parse_audits
from tests.conftest import FIXTURES


def audits(name: str) -> list[dict]:
    return json.loads((FIXTURES / "zendesk" / name).read_text())["audits"]


def test_change_made_by_a_trigger_is_marked_as_rule() -> None:
    comments, moves, keys = parse_audits(audits("zendesk_audit_assignee_change.json"), requester_id="1",
                                         baton_user_id="999")
    [move] = moves
    assert (move.actor_kind, move.channel) == ("rule", "web")
    assert (move.previous_assignee_id, move.assignee_id) == ("35436", "20978392")
    assert (move.previous_group_id, move.group_id) == ("98738", "26425647")
    [note] = comments
    assert note.is_internal_agent_note and note.body == "This is a new private comment"
    assert keys == set()


def test_change_through_the_api_by_an_agent_and_by_baton() -> None:
    raw = audits("zendesk_audit_assignee_change_via_api.json")
    [move] = parse_audits(raw, requester_id="1", baton_user_id="999")[1]
    assert (move.actor_kind, move.channel, move.actor_id) == ("agent", "api", "5246746")
    [by_baton] = parse_audits(raw, requester_id="1", baton_user_id="5246746")[1]
    assert by_baton.actor_kind == "baton"
    comments = parse_audits(raw, requester_id="1", baton_user_id="5246746")[0]
    assert comments[0].author_role == "system"  # Baton's own notes never count as an agent's


def test_requester_comments_are_the_customer_and_keys_are_read_from_metadata() -> None:
    raw = audits("zendesk_audit_assignee_change_via_api.json")
    raw[0]["metadata"]["custom"]["baton_keys"] = ["zendesk:666:1:rule:AddTags"]
    comments, _, keys = parse_audits(raw, requester_id="5246746", baton_user_id="999")
    assert comments[0].author_role == "customer"
    assert keys == {"zendesk:666:1:rule:AddTags"}


def test_a_group_only_change_keeps_the_assignee_it_did_not_touch() -> None:
    raw = audits("zendesk_audit_assignee_change_via_api.json")
    group_only = json.loads(json.dumps(raw[0]))
    group_only.update(id=2127301200, created_at="2011-09-26T08:00:00Z", events=[
        {"id": 2127301201, "type": "Change", "field_name": "group_id", "previous_value": "1", "value": "2"}])
    moves = fill_unchanged(parse_audits(raw + [group_only], requester_id="1", baton_user_id="999")[1])
    assert [(m.previous_assignee_id, m.assignee_id, m.previous_group_id, m.group_id) for m in moves] == [
        ("35436", "20978392", None, None), ("20978392", "20978392", "1", "2")]

"""The worker against the sandbox Zendesk over real HTTP, through zenpy: load, decide, apply."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from plugin.events import Event
from plugin.jobs import handle_event, run_with_retries
from tests.conftest import COMPLETE_NOTE
from tests.sandbox_world import SandboxWorld, start_sandbox


@pytest.fixture()
def world() -> Iterator[SandboxWorld]:
    w = start_sandbox()
    yield w
    w.close()


def reassignment_event(world: SandboxWorld, ticket_id: int, audit: dict, event_id: str = "evt-1") -> Event:
    """The Event Baton's receiver would build from Zendesk's agent_assignment_changed webhook."""
    ticket = world.sandbox.ticket(ticket_id)
    return Event(
        id=event_id, vendor="zendesk", kind="assignment_changed", ticket_id=str(ticket_id),
        occurred_at=ticket["updated_at"], actor_id=str(audit["author_id"]),
        previous={"assignee_id": str(world.people["alex"])}, current={"assignee_id": str(ticket["assignee_id"])},
        raw={"ticket": {"subject": ticket["subject"], "status": ticket["status"],
                        "assignee_id": str(ticket["assignee_id"]), "group_id": str(ticket["group_id"]),
                        "requester_id": str(ticket["requester_id"]), "updated_at": ticket["updated_at"],
                        "tags": ticket["tags"]}, "sequence": str(audit["id"])},
    )


def moved_without_note(world: SandboxWorld) -> tuple[int, dict]:
    sb, p = world.sandbox, world.people
    tid = sb.create_ticket(p["dana"], "Charged twice", "I was charged twice for May.")
    sb.act(tid, p["alex"], assignee_id=p["alex"], group_id=p["support"])
    audit = sb.act(tid, p["alex"], assignee_id=p["blake"], group_id=p["billing"])
    return tid, audit


def test_reassignment_without_note_is_reverted_in_one_read_and_one_write(world, tmp_path) -> None:
    runtime = world.runtime(tmp_path)
    runtime.baton_user_id(runtime.adapters["zendesk"])  # learned once per process
    warm_tid, warm_audit = moved_without_note(world)  # first sight of these agents and groups
    handle_event(runtime, reassignment_event(world, warm_tid, warm_audit, "evt-warm"))
    tid, audit = moved_without_note(world)
    stamp_before = world.sandbox.ticket(tid)["updated_at"]
    world.bodies.clear()
    outcome = handle_event(runtime, reassignment_event(world, tid, audit))
    assert outcome == "reverted"
    assert [(m, p) for m, p, _ in world.bodies] == [
        ("GET", f"/api/v2/tickets/{tid}/audits.json"), ("PUT", f"/api/v2/tickets/{tid}.json")]
    body = world.writes()[0]["ticket"]
    assert body["assignee_id"] == world.people["alex"] and body["group_id"] == world.people["support"]
    assert body["comment"]["public"] is False
    assert "Missing: Situation, Tried, Promised, Reason." in body["comment"]["body"]
    assert "back with Alex Rivera in group Support" in body["comment"]["body"]
    assert body["additional_tags"] == ["baton_handoff_reverted"]
    assert body["safe_update"] is True and body["updated_stamp"] == stamp_before
    keys = body["metadata"]["custom"]["baton_keys"]
    assert f"zendesk:{tid}:{audit['id']}:require_handoff_note:RevertAssignment" in keys
    ticket = world.sandbox.ticket(tid)
    assert (ticket["assignee_id"], ticket["group_id"]) == (world.people["alex"], world.people["support"])


def test_complete_note_is_accepted_and_tagged(world, tmp_path) -> None:
    sb, p = world.sandbox, world.people
    runtime = world.runtime(tmp_path)
    tid = sb.create_ticket(p["dana"], "Charged twice", "I was charged twice for May.")
    sb.act(tid, p["alex"], assignee_id=p["alex"], group_id=p["support"])
    sb.act(tid, p["alex"], comment={"public": False, "body": COMPLETE_NOTE})
    audit = sb.act(tid, p["alex"], assignee_id=p["blake"], group_id=p["billing"])
    assert handle_event(runtime, reassignment_event(world, tid, audit)) == "accepted"
    ticket = sb.ticket(tid)
    assert ticket["assignee_id"] == p["blake"]
    assert {"baton_handoff_ok", "baton_transferred"} <= set(ticket["tags"])
    assert runtime.store.recent_handoffs(ticket_id=str(tid))[0]["outcome"] == "accepted"


def test_names_are_learned_once_and_cached(world, tmp_path) -> None:
    runtime = world.runtime(tmp_path)
    runtime.baton_user_id(runtime.adapters["zendesk"])
    tid, audit = moved_without_note(world)
    world.bodies.clear()
    handle_event(runtime, reassignment_event(world, tid, audit))
    paths = sorted(path for _, path, _ in world.bodies)
    assert paths == sorted([f"/api/v2/tickets/{tid}/audits.json", "/api/v2/users/show_many.json",
                            f"/api/v2/groups/{world.people['support']}.json",
                            f"/api/v2/groups/{world.people['billing']}.json", f"/api/v2/tickets/{tid}.json"])


def test_second_event_of_the_same_update_reads_nothing(world, tmp_path) -> None:
    runtime = world.runtime(tmp_path)
    tid, audit = moved_without_note(world)
    handle_event(runtime, reassignment_event(world, tid, audit, "evt-assignee"))
    world.bodies.clear()
    group_event = reassignment_event(world, tid, audit, "evt-group")
    assert handle_event(runtime, group_event) == "ignored: same update as an event already processed"
    assert world.bodies == []


def test_job_retried_after_crash_between_write_and_record_writes_nothing_twice(world, tmp_path,
                                                                               monkeypatch) -> None:
    runtime = world.runtime(tmp_path)
    tid, audit = moved_without_note(world)
    event = reassignment_event(world, tid, audit)

    def crash(*args, **kwargs):
        raise RuntimeError("worker killed")

    monkeypatch.setattr(runtime.store, "record_action", crash)
    with pytest.raises(RuntimeError):
        handle_event(runtime, event)
    monkeypatch.undo()
    assert len(world.writes()) == 1
    # RQ re-runs the job: the ticket's audit metadata shows the keys, so nothing is written again.
    fresh = reassignment_event(world, tid, audit)
    handle_event(runtime, Event(**{**fresh.__dict__, "raw": {**fresh.raw, "sequence": None}}))
    assert len(world.writes()) == 1
    baton_notes = [c for c in world.sandbox.comments(tid) if c["author_id"] == world.people["baton"]]
    assert len(baton_notes) == 1


def test_rate_limit_is_retried_after_retry_after(world, tmp_path) -> None:
    runtime = world.runtime(tmp_path)
    runtime.baton_user_id(runtime.adapters["zendesk"])
    scheduled: list[tuple[str, int, float]] = []
    runtime.retry_hook = lambda event, attempt, delay: scheduled.append((event.id, attempt, delay))
    tid, audit = moved_without_note(world)
    world.sandbox.fail_next(1, status=429, retry_after=7)
    outcome = run_with_retries(runtime, reassignment_event(world, tid, audit).to_dict())
    assert outcome.startswith("retrying in 7 s (attempt 2 of 6)")
    assert scheduled == [("evt-1", 2, 7.0)]
    assert run_with_retries(runtime, reassignment_event(world, tid, audit).to_dict(), attempt=2) == "reverted"


def test_rate_limit_on_the_last_attempt_becomes_a_dead_letter(world, tmp_path) -> None:
    runtime = world.runtime(tmp_path)
    runtime.retry_hook = lambda *args: None
    tid, audit = moved_without_note(world)
    world.sandbox.fail_next(5, status=503, retry_after=1)
    outcome = run_with_retries(runtime, reassignment_event(world, tid, audit).to_dict(), attempt=6)
    assert outcome.startswith("dead letter: gave up after 6 attempt(s)")
    letters = runtime.store.dead_letters()
    assert len(letters) == 1 and letters[0]["event"]["id"] == "evt-1" and "503" in letters[0]["reason"]


def test_unknown_ticket_is_a_dead_letter_not_a_crash(world, tmp_path) -> None:
    runtime = world.runtime(tmp_path)
    event = Event(id="evt-x", vendor="zendesk", kind="ticket_updated", ticket_id="999999",
                  occurred_at="2026-05-04T09:00:00Z", actor_id="1")
    outcome = run_with_retries(runtime, event.to_dict())
    assert outcome.startswith("dead letter: NotFound")
    assert runtime.store.dead_letters()[0]["event_id"] == "evt-x"


def test_batons_own_change_is_ignored_without_reading(world, tmp_path) -> None:
    runtime = world.runtime(tmp_path)
    baton_id = runtime.baton_user_id(runtime.adapters["zendesk"])
    world.bodies.clear()
    event = Event(id="evt-echo", vendor="zendesk", kind="assignment_changed", ticket_id="4001",
                  occurred_at="2026-05-04T09:00:00Z", actor_id=baton_id)
    assert handle_event(runtime, event) == "ignored: Baton's own change"
    assert world.bodies == []


def test_a_conflict_reloads_the_ticket_and_keeps_the_requesters_account(world, tmp_path) -> None:
    from dataclasses import replace

    from plugin.model import Account

    runtime = world.runtime(tmp_path)
    looked_up: list[str] = []

    class Directory:
        def account_for(self, email: str) -> Account:
            looked_up.append(email)
            return Account(name="Whitfield Freight", flags=("high_value",))

    runtime.accounts = Directory()
    sb, p = world.sandbox, world.people
    tid = sb.create_ticket(p["dana"], "Charged twice", "I was charged twice for May.")
    sb.act(tid, p["alex"], assignee_id=p["alex"], group_id=p["support"])
    sb.act(tid, p["alex"], comment={"public": False, "body": COMPLETE_NOTE})
    audit = sb.act(tid, p["alex"], assignee_id=p["blake"], group_id=p["billing"])
    event = reassignment_event(world, tid, audit)
    stale_ticket = {**event.raw["ticket"], "updated_at": "2020-01-01T00:00:00Z"}
    stale = replace(event, raw={**event.raw, "ticket": stale_ticket})
    assert handle_event(runtime, stale) == "accepted"  # the safe update got 409, Baton reloaded and decided again
    assert looked_up and set(looked_up) == {"dana@example.com"}
    assert "baton_high_value" in sb.ticket(tid)["tags"]

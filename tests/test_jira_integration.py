"""Jira linking, status mirroring and HubSpot context end to end: the worker against the sandboxes over HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from plugin.config import load_settings
from plugin.demo_crm import KEY_FIELD, STATUS_FIELD, crm_overrides, seed_hubspot
from plugin.events import Event
from plugin.jobs import Runtime, handle_event
from plugin.mirror import run_sync
from plugin.sandbox import HubSpotSandbox, HubSpotSandboxServer, JiraSandbox, JiraSandboxServer
from plugin.webhooks.jira import normalize
from plugin.wiring import build_runtime
from tests.conftest import COMPLETE_NOTE
from tests.sandbox_world import SandboxWorld, start_sandbox

FIELD_KEY, FIELD_STATUS = int(KEY_FIELD), int(STATUS_FIELD)


@dataclass
class World:
    desk: SandboxWorld
    jira: JiraSandbox
    crm: HubSpotSandbox
    runtime: Runtime
    servers: tuple[Any, ...]
    counter: int = 0
    env: dict[str, str] | None = None

    def ticket_event(self, tid: int, kind: str = "tags_changed", actor: str = "alex") -> Event:
        """The Event Baton's receiver builds from a Zendesk ticket webhook, with the ticket's snapshot."""
        t = self.desk.sandbox.ticket(tid)
        self.counter += 1
        return Event(id=f"zd-{self.counter}", vendor="zendesk", kind=kind, ticket_id=str(tid),
                     occurred_at=t["updated_at"], actor_id=str(self.desk.people[actor]),
                     raw={"ticket": {"subject": t["subject"], "status": t["status"], "tags": t["tags"],
                                     "assignee_id": str(t["assignee_id"]), "group_id": str(t["group_id"]),
                                     "requester_id": str(t["requester_id"]), "updated_at": t["updated_at"]}})

    def open_ticket(self, subject: str = "Exports fail with error 500", status: str = "open") -> int:
        sb, p = self.desk.sandbox, self.desk.people
        tid = sb.create_ticket(p["dana"], subject, "Every CSV export fails with a 500 since Monday.")
        sb.act(tid, p["alex"], assignee_id=p["alex"], group_id=p["support"], status=status)
        return tid

    def note(self, tid: int, body: str) -> Event:
        self.desk.sandbox.act(tid, self.desk.people["alex"], comment={"public": False, "body": body})
        return self.ticket_event(tid, "comment_added")

    def field(self, tid: int, field_id: int) -> Any:
        fields = self.desk.sandbox.ticket(tid)["custom_fields"]
        return next((f["value"] for f in fields if f["id"] == field_id), None)

    def baton_notes(self, tid: int) -> list[str]:
        return [c["body"] for c in self.desk.sandbox.comments(tid)
                if c["author_id"] == self.desk.people["baton"] and not c["public"]]

    def deliver(self, body: bytes, headers: dict[str, str]) -> int:
        """Stand in for POST /webhooks/jira: normalize the signed body and run the job inline."""
        event = normalize(json.loads(body), headers.get("X-Atlassian-Webhook-Identifier"), body)
        if event is not None:
            handle_event(self.runtime, event)
        return 202


@pytest.fixture()
def world(tmp_path) -> Iterator[World]:
    """The Zendesk, Jira and HubSpot sandboxes on real ports, and a worker runtime pointed at them."""
    desk = start_sandbox()
    jira, crm = JiraSandbox(projects=("SUP",)), HubSpotSandbox(token="pat-test")
    jira.add_user("baton@support.example", "jira-token")
    seed_hubspot(crm)
    servers = (JiraSandboxServer(jira).start(), HubSpotSandboxServer(crm).start())
    env = {**desk.env(f"sqlite:///{tmp_path / 'baton.db'}"), "BATON_JIRA_URL": servers[0].url,
           "BATON_JIRA_EMAIL": "baton@support.example", "BATON_JIRA_TOKEN": "jira-token",
           "BATON_JIRA_WEBHOOK_SECRET": "jira-secret", "BATON_HUBSPOT_URL": servers[1].url,
           "BATON_HUBSPOT_TOKEN": "pat-test"}
    overrides = crm_overrides()
    overrides["hubspot"]["timeout_seconds"] = 0.5
    w = World(desk, jira, crm, build_runtime(load_settings(path=None, environ=env, overrides=overrides)), servers)
    w.env = env
    jira.configure_webhook(w.deliver, "jira-secret")
    yield w
    for server in servers:
        server.shutdown()
    desk.close()


def escalate(world: World, tid: int) -> str:
    world.desk.sandbox.act(tid, world.desk.people["alex"], add_tags=["baton_escalate_jira"])
    handle_event(world.runtime, world.ticket_event(tid))
    return world.field(tid, FIELD_KEY)


def test_escalation_creates_one_issue_with_the_summary_and_one_remote_link(world) -> None:
    tid = world.open_ticket()
    key = escalate(world, tid)
    assert key == "SUP-1" and list(world.jira.issues) == ["SUP-1"]
    issue = world.jira.issues["SUP-1"]["fields"]
    assert issue["summary"] == "Exports fail with error 500" and issue["issuetype"]["name"] == "Bug"
    assert issue["description"].startswith("Baton handoff summary")
    assert f"/agent/tickets/{tid}" in issue["description"]
    links = world.jira.remote_links["SUP-1"]
    assert [li["globalId"] for li in links] == [f"baton:zendesk:ticket:{tid}"]
    assert links[0]["object"]["url"].endswith(f"/agent/tickets/{tid}")
    ticket = world.desk.sandbox.ticket(tid)
    assert world.field(tid, FIELD_STATUS) == "To Do"
    assert "baton_jira_linked" in ticket["tags"] and "baton_escalate_jira" not in ticket["tags"]
    assert world.baton_notes(tid)[-1].startswith("Baton linked this ticket to SUP-1 (To Do)")
    assert [p for _, p in world.jira.requests] == [
        "/rest/api/2/issue", "/rest/api/2/issue/SUP-1", "/rest/api/2/issue/SUP-1/remotelink"]


def test_relinking_creates_no_duplicate_remote_link_and_no_second_issue(world) -> None:
    tid = world.open_ticket()
    escalate(world, tid)
    handle_event(world.runtime, world.note(tid, "Engineering confirmed SUP-1 covers this."))
    escalate(world, tid)  # the macro again
    assert list(world.jira.issues) == ["SUP-1"] and len(world.jira.remote_links["SUP-1"]) == 1
    assert "already linked to SUP-1; Baton did not create another issue" in world.baton_notes(tid)[-1]
    # Even a store that forgot the link re-links through the same globalId: Jira updates, never adds.
    world.runtime.tracker.link_ticket("SUP-1", "https://x.example/t", "again", f"baton:zendesk:ticket:{tid}")
    assert len(world.jira.remote_links["SUP-1"]) == 1


def test_one_issue_three_tickets_each_get_one_note_and_the_field_in_one_read_and_one_write(world) -> None:
    first = world.open_ticket()
    escalate(world, first)
    others = [world.open_ticket("Exports broken too"), world.open_ticket("CSV export 500")]
    for tid in others:
        handle_event(world.runtime, world.note(tid, "Same bug as SUP-1, linking."))
    assert len(world.jira.remote_links["SUP-1"]) == 3
    zendesk, jira_before = world.runtime.adapters["zendesk"], len(world.jira.requests)
    before = len(zendesk.requests_made)
    world.jira.transition("SUP-1", "In Progress")
    made = zendesk.requests_made[before:]
    assert len(made) == 6 and sum(1 for m, _ in made if m == "GET") == 3  # per ticket: 1 read, 1 write
    assert len(world.jira.requests) == jira_before  # mirroring costs Jira nothing
    for tid in (first, *others):
        notes = [n for n in world.baton_notes(tid) if "moved from" in n]
        assert notes == ["SUP-1 moved from To Do to In Progress by Dana Engineer."]
        assert world.field(tid, FIELD_STATUS) == "In Progress"


def test_redelivered_and_out_of_order_events_end_with_the_latest_status_once(world) -> None:
    tid = world.open_ticket()
    escalate(world, tid)
    world.jira.deliver_times = 0  # hold the webhooks, deliver them by hand
    progress = world.jira.transition("SUP-1", "In Progress")
    done = world.jira.transition("SUP-1", "Done")
    world.jira.redeliver(done)
    world.jira.redeliver(done)  # a redelivery
    world.jira.redeliver(progress)  # older, arrives last
    assert world.field(tid, FIELD_STATUS) == "Done"
    assert [n for n in world.baton_notes(tid) if "moved from" in n] == [
        "SUP-1 moved from In Progress to Done by Dana Engineer."]


def test_resolved_issue_reopens_a_pending_ticket(world) -> None:
    tid = world.open_ticket(status="pending")
    escalate(world, tid)
    world.jira.transition("SUP-1", "Done")
    assert world.desk.sandbox.ticket(tid)["status"] == "open"
    assert "support owns the reply to the customer" in world.baton_notes(tid)[-1]


def test_sync_repairs_a_missed_webhook_and_a_late_webhook_then_changes_nothing(world) -> None:
    tid = world.open_ticket()
    escalate(world, tid)
    world.jira.deliver_times = 0
    missed = world.jira.transition("SUP-1", "In Review")
    result = run_sync(world.runtime)
    assert result == {"issues_checked": 1, "issues_repaired": 1}
    assert world.field(tid, FIELD_STATUS) == "In Review"
    assert "(found by the Jira sync; the webhook was missed)" in world.baton_notes(tid)[-1]
    notes = len(world.baton_notes(tid))
    world.jira.redeliver(missed)  # the webhook turns up after all
    assert run_sync(world.runtime)["issues_repaired"] == 0
    assert len(world.baton_notes(tid)) == notes


def accepted_handoff(world: World, subject: str) -> tuple[int, str]:
    """Move a ticket to Blake in Billing after a complete note; return it and Baton's summary note."""
    sb, p = world.desk.sandbox, world.desk.people
    tid = world.open_ticket(subject)
    sb.act(tid, p["alex"], comment={"public": False, "body": COMPLETE_NOTE})
    audit = sb.act(tid, p["alex"], assignee_id=p["blake"], group_id=p["billing"])
    event = world.ticket_event(tid, "assignment_changed")
    event = Event(**{**event.__dict__, "raw": {**event.raw, "sequence": str(audit["id"])}})
    assert handle_event(world.runtime, event) == "accepted"
    return tid, world.baton_notes(tid)[-1]


def test_handoff_summary_shows_account_context_and_sets_high_value_warm_cache_costs_nothing(world) -> None:
    tid, summary = accepted_handoff(world, "Charged twice")
    assert ("Account: Whitfield Freight (tier enterprise, lifecycle customer). Open deals: Fleet renewal 2026 "
            "48,000.00 (contractsent). Tickets in the last 30 days: 1. High-value account.") in summary
    assert "baton_high_value" in world.desk.sandbox.ticket(tid)["tags"]
    assert len(world.crm.requests) == 4  # cold: contact, then company, deals, tickets
    _, again = accepted_handoff(world, "Charged twice again")
    assert len(world.crm.requests) == 4 and "Whitfield Freight" in again  # warm: zero requests


def test_hubspot_timeout_still_accepts_the_handoff_and_says_context_is_unavailable(world) -> None:
    world.crm.delay_seconds = world.runtime.accounts.timeout + 0.5
    tid, summary = accepted_handoff(world, "Charged twice")
    assert "Account: Account context unavailable: HubSpot did not answer; check the account by hand." in summary
    assert "baton_high_value" not in world.desk.sandbox.ticket(tid)["tags"]


def test_baton_jira_sync_command_repairs_and_prints_a_summary(world, tmp_path, monkeypatch, capsys) -> None:
    from plugin.cli import main

    tid = world.open_ticket()
    escalate(world, tid)
    world.jira.deliver_times = 0
    world.jira.transition("SUP-1", "Done")
    config = tmp_path / "baton.toml"
    config.write_text(f'[jira]\nkey_field_id = "{KEY_FIELD}"\nstatus_field_id = "{STATUS_FIELD}"\n')
    for name, value in {**(world.env or {}), "BATON_CONFIG": str(config)}.items():
        monkeypatch.setenv(name, value)
    assert main(["jira", "sync"]) == 0
    out, err = capsys.readouterr()
    assert out == "Jira sync: 1 linked issues checked, 1 with a status change mirrored onto their tickets\n"
    assert err.startswith("[1/1] SUP-1: zendesk:")
    assert world.field(tid, FIELD_STATUS) == "Done"

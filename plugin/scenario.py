"""The demo's scripted scenario: what a support team would see in its first ten minutes.

Each step acts in the sandbox helpdesk as an agent would, waits for Baton, and
checks what Baton did, so `baton demo --scenario-only` doubles as an end-to-end test.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

COMPLETE_NOTE = """Handoff
Situation: Dana was charged twice for the May subscription; the first refund attempt failed.
Tried: refunded the duplicate charge in the billing admin; the refund errored with code R42.
Promised: an answer by end of day today.
Customer: frustrated, paying for three years, mentioned cancelling.
Reason: needs someone with Stripe access to investigate why the refund did not process.
Account: high-value account; open invoice dispute."""


class Checks:
    """Print each expectation as it is checked and count the failures."""

    def __init__(self, out: Callable[[str], None]):
        self.out, self.failures = out, 0

    def expect(self, label: str, ok: bool, detail: str = "") -> None:
        self.out(f"   {'ok  ' if ok else 'FAIL'} {label}" + (f" ({detail})" if detail and not ok else ""))
        self.failures += 0 if ok else 1


def _baton_notes(world: Any, ticket_id: int) -> list[dict]:
    baton = world.people["baton"]
    return [c for c in world.sandbox.comments(ticket_id) if c["author_id"] == baton and not c["public"]]


def _last_outcome(world: Any, ticket_id: int) -> str:
    rows = world.runtime.store.recent_handoffs(limit=1, ticket_id=str(ticket_id))
    return rows[0]["outcome"] if rows else "none"


def _baton_requests(world: Any) -> int:
    return len(world.runtime.adapters["zendesk"].requests_made)


def describe_cost(world: Any, since: int) -> str:
    """Say how many Zendesk requests Baton made since a point, and what they were for."""
    made = world.runtime.adapters["zendesk"].requests_made[since:]
    names = sum(1 for _, path in made if "/users" in path or "/groups" in path)
    writes = sum(1 for method, _ in made if method != "GET")
    reads = len(made) - names - writes
    detail = f"{reads} read, {writes} write" + (f", {names} to learn agent and group names (cached)"
                                               if names else "")
    return f"{len(made)} ({detail})"


def play(world: Any, out: Callable[[str], None] = print) -> int:
    """Run the scenario against a started DemoWorld; return the number of failed checks."""
    sb, p, checks = world.sandbox, world.people, Checks(out)
    out("Baton demo: a sandbox Zendesk with Support (Alex) and Billing (Blake).\n")
    out("1. Dana writes in, and Alex takes the ticket from the unassigned queue.")
    t1 = sb.create_ticket(p["dana"], "Charged twice for my May subscription",
                          "Hi, I was charged twice for May (order A-1043). Please refund one charge.")
    sb.act(t1, p["alex"], assignee_id=p["alex"], group_id=p["support"])
    world.settle()
    checks.expect("first assignment is left alone", _last_outcome(world, t1) == "exempt")

    out("2. Alex replies, then moves the ticket to Blake in Billing without a handoff note.")
    sb.act(t1, p["alex"], comment={"public": True, "body": (
        "I'm sorry about this, Dana. I refunded the duplicate charge but the refund failed with "
        "error R42. I'll get back to you by end of day today.")})
    world.settle()
    tags = set(sb.ticket(t1)["tags"])
    checks.expect("context flags from Alex's reply: baton_promised_callback, baton_already_apologized",
                  {"baton_promised_callback", "baton_already_apologized"} <= tags, str(sorted(tags)))
    before = _baton_requests(world)
    sb.act(t1, p["alex"], assignee_id=p["blake"], group_id=p["billing"])
    world.settle()
    ticket, notes = sb.ticket(t1), _baton_notes(world, t1)
    checks.expect("Baton put the ticket back with Alex in Support",
                  (ticket["assignee_id"], ticket["group_id"]) == (p["alex"], p["support"]),
                  f"assignee {ticket['assignee_id']}, group {ticket['group_id']}")
    checks.expect("Baton tagged it baton_handoff_reverted", "baton_handoff_reverted" in ticket["tags"])
    checks.expect("Baton's internal note lists the missing fields",
                  bool(notes) and "Missing: Situation, Tried, Promised, Reason." in notes[-1]["body"])
    if notes:
        out("   Baton's note to Alex:\n" + "\n".join("   | " + line for line in notes[-1]["body"].splitlines()))
    out(f"   Zendesk API requests Baton made for this reassignment: {describe_cost(world, before)}")

    out("3. Alex writes a complete handoff note and moves the ticket again.")
    sb.act(t1, p["alex"], comment={"public": False, "body": COMPLETE_NOTE})
    sb.act(t1, p["alex"], assignee_id=p["blake"], group_id=p["billing"])
    world.settle()
    ticket = sb.ticket(t1)
    checks.expect("the move is accepted: Blake in Billing holds the ticket",
                  (ticket["assignee_id"], ticket["group_id"]) == (p["blake"], p["billing"]))
    checks.expect("tagged baton_handoff_ok and baton_transferred, reverted tag removed",
                  {"baton_handoff_ok", "baton_transferred"} <= set(ticket["tags"])
                  and "baton_handoff_reverted" not in ticket["tags"], str(ticket["tags"]))
    checks.expect("the handoff is recorded as accepted", _last_outcome(world, t1) == "accepted")
    summary = _baton_notes(world, t1)[-1]["body"] if _baton_notes(world, t1) else ""
    checks.expect("Blake gets Baton's handoff summary as an internal note",
                  summary.startswith("Baton handoff summary"), summary[:80])
    if summary:
        out("   Baton's summary for Blake:\n" + "\n".join("   | " + line for line in summary.splitlines()))

    out("4. A second ticket is moved without a note while Zendesk delivers every webhook three times.")
    _duplicate_deliveries(world, checks)
    out(f"\n{'All checks passed.' if not checks.failures else f'{checks.failures} check(s) failed.'}")
    return checks.failures


def _duplicate_deliveries(world: Any, checks: Checks) -> None:
    sb, p = world.sandbox, world.people
    t2 = sb.create_ticket(p["dana"], "Invoice PDF is blank", "The invoice PDF for April opens blank.")
    sb.act(t2, p["alex"], assignee_id=p["alex"], group_id=p["support"])
    world.settle()
    sender = sb.webhooks[0]
    sender.deliver_times = 3
    before = _baton_requests(world)
    try:
        sb.act(t2, p["alex"], assignee_id=p["blake"], group_id=p["billing"])
        world.settle()
    finally:
        sender.deliver_times = 1
    checks.out(f"   Zendesk API requests for this reassignment: {describe_cost(world, before)}")
    ticket = sb.ticket(t2)
    reverts = [a for a in sb.ticket_audits(t2) if a["author_id"] == p["baton"]
               and any(e.get("field_name") == "assignee_id" for e in a["events"])]
    checks.expect("reverted exactly once, with one note", len(reverts) == 1 and len(_baton_notes(world, t2)) == 1,
                  f"{len(reverts)} reverts, {len(_baton_notes(world, t2))} notes")
    checks.expect("the ticket is back with Alex", ticket["assignee_id"] == p["alex"])

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


def _last_outcome(world: Any, ticket_id: int) -> str:
    rows = world.runtime.store.recent_handoffs(limit=1, ticket_id=str(ticket_id))
    return rows[0]["outcome"] if rows else "none"


def _baton_requests(world: Any) -> int:
    return len(world.runtime.adapters[world.vendor].requests_made)


def describe_cost(world: Any, since: int) -> str:
    """Say how many helpdesk API requests Baton made since a point, and what they were for."""
    made = world.runtime.adapters[world.vendor].requests_made[since:]
    names = sum(1 for _, path in made if any(part in path for part in ("/users", "/agents", "/groups")))
    writes = sum(1 for method, _ in made if method != "GET")
    reads = len(made) - names - writes
    detail = f"{reads} read{'s' if reads != 1 else ''}, {writes} write{'s' if writes != 1 else ''}" + (
        f", {names} to learn agent and group names (cached)" if names else "")
    return f"{len(made)} ({detail})"


def play(world: Any, out: Callable[[str], None] = print) -> int:
    """Run the scenario against a started DemoWorld; return the number of failed checks."""
    hd, p, checks = world.desk, world.people, Checks(out)
    out(f"Baton demo: a sandbox {hd.name} with Support (Alex) and Billing (Blake).\n")
    out("1. Dana writes in, and Alex takes the ticket from the unassigned queue.")
    t1 = hd.create("dana", "Charged twice for my May subscription",
                   "Hi, I was charged twice for May (order A-1043). Please refund one charge.")
    hd.move(t1, "alex", "alex", "support")
    world.settle()
    checks.expect("first assignment is left alone", _last_outcome(world, t1) == "exempt")

    out("2. Alex replies, then moves the ticket to Blake in Billing without a handoff note.")
    hd.reply(t1, "alex", "I'm sorry about this, Dana. I refunded the duplicate charge but the refund failed "
             "with error R42. I'll get back to you by end of day today.")
    world.settle()
    tags = set(hd.tags(t1))
    checks.expect("context flags from Alex's reply: baton_promised_callback, baton_already_apologized",
                  {"baton_promised_callback", "baton_already_apologized"} <= tags, str(sorted(tags)))
    before = _baton_requests(world)
    hd.move(t1, "alex", "blake", "billing")
    world.settle()
    crm_before = len(world.hubspot.requests)
    holder, notes = hd.holder(t1), hd.baton_notes(t1)
    checks.expect("Baton put the ticket back with Alex in Support", holder == (p["alex"], p["support"]),
                  f"assignee {holder[0]}, group {holder[1]}")
    checks.expect("Baton tagged it baton_handoff_reverted", "baton_handoff_reverted" in hd.tags(t1))
    checks.expect("Baton's internal note lists the missing fields",
                  bool(notes) and "Missing: Situation, Tried, Promised, Reason." in notes[-1])
    if notes:
        out("   Baton's note to Alex:\n" + "\n".join("   | " + line for line in notes[-1].splitlines()))
    out(f"   {hd.name} API requests Baton made for this reassignment: {describe_cost(world, before)}")

    out("3. Alex writes a complete handoff note and moves the ticket again.")
    hd.note(t1, "alex", COMPLETE_NOTE)
    hd.move(t1, "alex", "blake", "billing")
    world.settle()
    tags = hd.tags(t1)
    checks.expect("the move is accepted: Blake in Billing holds the ticket",
                  hd.holder(t1) == (p["blake"], p["billing"]))
    checks.expect("tagged baton_handoff_ok and baton_transferred, reverted tag removed",
                  {"baton_handoff_ok", "baton_transferred"} <= set(tags)
                  and "baton_handoff_reverted" not in tags, str(tags))
    checks.expect("the handoff is recorded as accepted", _last_outcome(world, t1) == "accepted")
    summary = hd.baton_notes(t1)[-1] if hd.baton_notes(t1) else ""
    checks.expect("Blake gets Baton's handoff summary as an internal note",
                  summary.startswith("Baton handoff summary"), summary[:80])
    checks.expect("the summary shows Dana's HubSpot account: company, open deal, lifecycle, recent tickets",
                  "Account: Whitfield Freight (tier enterprise, lifecycle customer). Open deals: Fleet renewal"
                  in summary, summary)
    checks.expect("HubSpot marks the account high value: tagged baton_high_value", "baton_high_value" in tags)
    out(f"   HubSpot requests for this handoff: {len(world.hubspot.requests) - crm_before} (the account is "
        f"cached since step 2, which cost {crm_before})")
    if summary:
        out("   Baton's summary for Blake:\n" + "\n".join("   | " + line for line in summary.splitlines()))

    out("   Blake's first reply asks Dana for her order number, which she gave in her first message.")
    hd.reply(t1, "blake", "Hi Dana, I'm looking into the double charge. Could you send me your order number?")
    world.settle()
    handoff = world.runtime.store.recent_handoffs(limit=1, ticket_id=str(t1))[0]
    checks.expect("Baton records a repeat question on this handoff, with its evidence",
                  handoff["repeat_question"] is True and bool(handoff["asked_again"]), str(handoff["asked_again"]))

    out(f"4. A second ticket is moved without a note while {hd.name} delivers every webhook three times.")
    _duplicate_deliveries(world, checks)
    _jira_steps(world, checks, t1)
    out(f"\n{'All checks passed.' if not checks.failures else f'{checks.failures} check(s) failed.'}")
    return checks.failures


def _duplicate_deliveries(world: Any, checks: Checks) -> None:
    hd, p = world.desk, world.people
    t2 = hd.create("dana", "Invoice PDF is blank", "The invoice PDF for April opens blank.")
    hd.move(t2, "alex", "alex", "support")
    world.settle()
    hd.deliver_times(3)
    before = _baton_requests(world)
    try:
        hd.move(t2, "alex", "blake", "billing")
        world.settle()
    finally:
        hd.deliver_times(1)
    checks.out(f"   {hd.name} API requests for this reassignment: {describe_cost(world, before)}")
    reverts, notes = hd.baton_reverts(t2), len(hd.baton_notes(t2))
    checks.expect("reverted exactly once, with one note", reverts == 1 and notes == 1,
                  f"{reverts} reverts, {notes} notes")
    checks.expect("the ticket is back with Alex", hd.holder(t2)[0] == p["alex"])


def _jira_steps(world: Any, checks: Checks, t1: int) -> None:
    """Escalate to Jira, link a second ticket by a note, and mirror the issue's move to Done onto both."""
    hd, out, (key_field, status_field) = world.desk, checks.out, _fields(world)
    out("5. Blake escalates ticket 1 to engineering with the macro (tag baton_escalate_jira).")
    hd.tag_with_note(t1, "blake", "baton_escalate_jira", "Escalating: the refund API returns R42 for everyone.")
    world.settle()
    issue = world.jira.issues.get("SUP-1", {}).get("fields", {})
    checks.expect("Jira issue SUP-1 created, its description holding Baton's handoff summary",
                  str(issue.get("description", "")).startswith("Baton handoff summary"))
    checks.expect("one remote link on SUP-1 back to the ticket",
                  len(world.jira.remote_links.get("SUP-1", [])) == 1)
    checks.expect("the ticket shows the key, the status and the tag baton_jira_linked",
                  hd.field(t1, key_field) == "SUP-1" and hd.field(t1, status_field) == "To Do"
                  and "baton_jira_linked" in hd.tags(t1), f"{hd.field(t1, key_field)} {hd.tags(t1)}")
    out("6. Another of Dana's tickets, waiting on her (pending), is linked by a note naming SUP-1.")
    t3 = hd.create("dana", "Refund still missing", "My refund from last week has still not arrived.")
    hd.move(t3, "alex", "alex", "support")
    hd.set_pending(t3, "alex")
    hd.note(t3, "alex", "Same root cause as SUP-1; waiting on engineering.")
    world.settle()
    links = world.jira.remote_links.get("SUP-1", [])
    checks.expect("SUP-1 now has two remote links, one per ticket", len(links) == 2)
    out("7. Engineering moves SUP-1 to Done in Jira; Jira sends its signed webhook.")
    before, jira_before = _baton_requests(world), len(world.jira.requests)
    world.jira.transition("SUP-1", "Done")
    world.settle()
    for tid in (t1, t3):
        moved = [n for n in hd.baton_notes(tid) if "SUP-1 moved from To Do to Done by Dana Engineer." in n]
        checks.expect(f"ticket {tid}: status field Done and one note saying who moved SUP-1",
                      hd.field(tid, status_field) == "Done" and len(moved) == 1)
    checks.expect("the pending ticket is reopened and its assignee told support owns the reply",
                  hd.status(t3) == "open" and "support owns the reply" in hd.baton_notes(t3)[-1])
    out(f"   {hd.name} API requests for this status event, two linked tickets: {describe_cost(world, before)}; "
        f"Jira requests: {len(world.jira.requests) - jira_before}")


def _fields(world: Any) -> tuple[str, str]:
    """The ticket fields Baton writes the Jira key and status to."""
    jira = world.settings["jira"]
    return jira["key_field_id"], jira["status_field_id"]

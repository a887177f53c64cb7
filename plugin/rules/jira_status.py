"""Mirror a linked issue's status change onto the ticket: the field, a note, and a reopen when resolved.

Engineering owns the fix, support owns the customer: when the issue is
resolved, a ticket waiting (pending or on-hold) is reopened and its assignee
told that the reply to the customer is theirs.
"""

from __future__ import annotations

from plugin.actions import Action, InternalNote, SetField, SetStatus
from plugin.config import Settings
from plugin.model import IssueChange, TicketContext

RULE = "jira_status"
WAITING = ("pending", "hold")
WRITABLE = ("new", "open", "pending", "hold", "solved")  # a closed ticket takes no more updates


def status_value(ctx: TicketContext, change: IssueChange) -> str:
    """Render the status field: the status alone, or every linked issue's when there are several."""
    others = [link for link in ctx.links if link.issue_key != change.issue_key]
    if not others:
        return change.to_status
    shown = [*((link.issue_key, link.last_status) for link in others), (change.issue_key, change.to_status)]
    return "; ".join(f"{key}: {status or '?'}" for key, status in sorted(shown))


def moved_line(change: IssueChange) -> str:
    """Say what moved, from where to where, and who moved it."""
    who = f"by {change.actor_name}" if change.actor_name else "(found by the Jira sync; the webhook was missed)"
    before = change.from_status or "an unknown status"
    return f"{change.issue_key} moved from {before} to {change.to_status} {who}."


def decide(ctx: TicketContext, settings: Settings) -> list[Action]:
    """Set the status field, note the move, and reopen a waiting ticket when the issue is resolved."""
    change = ctx.issue_change
    if change is None or ctx.ticket.status not in WRITABLE:
        return []
    subject = f"{change.issue_key}:{change.to_status}@{change.stamp}"
    field_id = settings["jira"]["status_field_id"]
    actions: list[Action] = [SetField(RULE, subject, field_id=field_id, value=status_value(ctx, change))] \
        if field_id else []
    body = moved_line(change)
    if change.resolved and ctx.ticket.status in WAITING:
        actions.append(SetStatus(RULE, subject, status="open"))
        holder = ctx.names.get(ctx.ticket.assignee_id or "", "Assignee")
        body += (f"\nThe issue is resolved, so Baton reopened this {ctx.ticket.status} ticket. {holder}: "
                 "support owns the reply to the customer; tell them what was fixed (engineering does not "
                 "contact them).")
    return [*actions, InternalNote(RULE, subject, body=body)]

"""End-of-shift wrap-ups: nobody leaves a shift with silent tickets.

Before a shift ends, each open ticket its agent holds with no status note
since the shift began gets a reminder and the tag ``needs_wrapup``; at shift
end each ticket becomes a digest line for the incoming shift. When the agent
then writes the note, the tag comes off by itself.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from plugin.actions import Action, AddTags, InternalNote, RemoveTags
from plugin.config import Settings
from plugin.model import DONE_STATUSES, TicketContext

RULE = "shift_wrapup"
REMINDER_MARK = "Shift wrap-up:"
WAITING_ON = {"pending": "the customer's reply", "hold": "a third party or another team",
              "new": "us: nobody has answered yet", "open": "us: the next step is ours"}


def has_status_note(ctx: TicketContext, agent_id: str, since: datetime) -> bool:
    """Tell whether the agent wrote an internal note on the ticket since a moment."""
    return any(c.is_internal_agent_note and c.author_id == agent_id and c.created_at >= since
               for c in ctx.comments)


def reminder(ctx: TicketContext, settings: Settings, shift_key: str, shift_start: datetime,
             ends_at: datetime) -> list[Action]:
    """Ask the holder for a status note, unless they wrote one this shift or the ticket is done."""
    agent = ctx.ticket.assignee_id
    if agent is None or ctx.ticket.status in DONE_STATUSES or has_status_note(ctx, agent, shift_start):
        return []
    minutes = max(int((ends_at - ctx.now).total_seconds() // 60), 0)
    body = (f"{REMINDER_MARK} your shift ends in {minutes} minutes. Add a short internal note for "
            "whoever picks this up: what is this ticket waiting on, and what does the customer "
            "expect next?")
    subject = f"wrapup:{shift_key}"
    return [InternalNote(RULE, subject, body=body), AddTags(RULE, subject, tags=(settings.tag("needs_wrapup"),))]


def decide(ctx: TicketContext, settings: Settings) -> list[Action]:
    """Clear ``needs_wrapup`` once the holder has written a note after Baton's reminder."""
    tag = settings.tag("needs_wrapup")
    if tag not in ctx.ticket.tags or ctx.ticket.assignee_id is None:
        return []
    reminders = [c for c in ctx.comments if c.author_role == "system" and c.body.startswith(REMINDER_MARK)]
    if not reminders:
        return []
    last = reminders[-1]
    answered = [c for c in ctx.comments if c.is_internal_agent_note and c.order > last.order
                and c.author_id == ctx.ticket.assignee_id]
    return [RemoveTags(RULE, f"wrapup-done:{answered[-1].id}", tags=(tag,))] if answered else []


def digest_line(ctx: TicketContext, due_within: timedelta = timedelta(hours=24)) -> dict[str, Any]:
    """Describe one ticket for the incoming shift: waiting on what, what the customer expects."""
    promises = ctx.brief.promises if ctx.brief else ()
    expects = promises[-1][0] if promises else ""
    due = [{"promise": text, "deadline": deadline.isoformat()} for text, deadline in promises
           if deadline is not None and deadline <= ctx.now + due_within]
    noted = any(c.is_internal_agent_note and c.author_id == ctx.ticket.assignee_id for c in ctx.comments[-5:])
    return {"ticket_id": ctx.ticket.id, "subject": ctx.ticket.subject, "status": ctx.ticket.status,
            "url": ctx.ticket.url, "waiting_on": WAITING_ON.get(ctx.ticket.status, ctx.ticket.status),
            "customer_expects": expects or "nothing promised", "promises_due": due,
            "status_note": noted}

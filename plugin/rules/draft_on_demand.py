"""An agent asks for a handoff draft by adding the tag ``baton_draft`` (a macro does it).

Baton answers with the draft as an internal note, ready to edit and post, and
removes the tag so the agent can ask again later.
"""

from __future__ import annotations

from plugin.actions import Action, InternalNote, RemoveTags
from plugin.config import Settings
from plugin.model import TicketContext

RULE = "draft_on_demand"


def decide(ctx: TicketContext, settings: Settings) -> list[Action]:
    """Post the draft and clear the request tag when the tag is on the ticket."""
    request_tag = settings.tag("draft")
    if request_tag not in ctx.ticket.tags or ctx.brief is None:
        return []
    stamp = ctx.ticket.updated_at.isoformat() if ctx.ticket.updated_at else ctx.now.isoformat()
    subject = f"draft@{stamp}"
    body = (f"Handoff draft requested. Baton filled in what the conversation shows "
            f"({ctx.brief.summarizer}); check it, complete the Reason, then post it as your "
            f"internal note before reassigning:\n\n{ctx.brief.prefilled_note}\n\n---\n{ctx.brief.summary_note}")
    return [InternalNote(RULE, subject, body=body), RemoveTags(RULE, subject, tags=(request_tag,))]

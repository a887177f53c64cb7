"""Handoff quality: did the receiving agent's first public reply ask a repeat question?

Measured once per handoff, when that first reply exists: the questions in it
are checked against what the customer had already given before the reply.
"""

from __future__ import annotations

from plugin.actions import Action, RecordQuality
from plugin.config import Settings
from plugin.model import Assignment, Comment, TicketContext
from plugin.quality import check_repeat, verdict_to_json

RULE = "handoff_quality"


def first_reply(ctx: TicketContext, handoff: Assignment) -> Comment | None:
    """Return the receiving agent's first public reply after the handoff."""
    return next((c for c in ctx.comments if c.public and c.author_id == handoff.assignee_id
                 and c.created_at >= handoff.at), None)


def decide(ctx: TicketContext, settings: Settings) -> list[Action]:
    """Judge the first reply after the latest transfer Baton recorded, once it exists."""
    handoff = ctx.pending_transfer
    reply = first_reply(ctx, handoff) if handoff and handoff.assignee_id else None
    if handoff is None or reply is None:
        return []
    before = [c for c in ctx.comments if c.order < reply.order]
    verdict = verdict_to_json(check_repeat(before, reply.body or reply.html))
    return [RecordQuality(RULE, handoff.id, repeat=verdict["repeat"], asked_again=tuple(verdict["asked_again"]),
                          reply_comment_id=reply.id, reply_at=reply.created_at.isoformat())]

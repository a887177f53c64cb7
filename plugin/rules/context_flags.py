"""Context flags as tags, set and cleared as the conversation changes.

The flags tell the next agent what a topic tag never will: a callback was
promised, the customer already got an apology, it took several attempts, they
are frustrated or may churn. Only the difference from the ticket's tags is written.
"""

from __future__ import annotations

from plugin.actions import Action, AddTags, RemoveTags
from plugin.config import Settings
from plugin.model import TicketContext

RULE = "context_flags"
FLAGS = ("promised_callback", "already_apologized", "multiple_attempts", "escalated", "frustrated",
         "churn_risk", "high_value")


def wanted_flags(ctx: TicketContext) -> set[str]:
    """Return the flags the conversation (and the account, when known) calls for."""
    wanted = set(ctx.brief.flags) if ctx.brief else set()
    if ctx.account is not None and "high_value" in ctx.account.flags:
        wanted.add("high_value")
    return wanted & set(FLAGS)


def decide(ctx: TicketContext, settings: Settings) -> list[Action]:
    """Add the flags now called for and remove those no longer true."""
    if ctx.brief is None:
        return []
    current = set(ctx.ticket.tags)
    wanted = {settings.tag(flag) for flag in wanted_flags(ctx)}
    known = {settings.tag(flag) for flag in FLAGS}
    if ctx.account is None or not ctx.account.available:
        known.discard(settings.tag("high_value"))  # never clear what an unreachable CRM set
    to_add = tuple(sorted(wanted - current))
    to_remove = tuple(sorted((known - wanted) & current))
    # The subject names the target state, so a later change of flags is a new decision.
    subject = "flags:" + ",".join(sorted(wanted)) + "@" + (ctx.comments[-1].id if ctx.comments else "-")
    actions: list[Action] = []
    if to_add:
        actions.append(AddTags(RULE, subject, tags=to_add))
    if to_remove:
        actions.append(RemoveTags(RULE, subject, tags=to_remove))
    return actions

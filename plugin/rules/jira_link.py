"""Escalate a ticket to the tracker, or link an issue an agent named.

The tag ``baton_escalate_jira`` (set by a macro) asks for a new issue in the
project configured for the ticket's group; an issue key written in an agent's
internal note or in the key field links that issue. The tag always comes off
with a note saying what happened, so a request is never dropped silently.
"""

from __future__ import annotations

import re

from plugin.actions import Action, EscalateToJira, InternalNote, LinkIssue, RemoveTags
from plugin.config import Settings
from plugin.model import TicketContext

RULE = "jira_link"
ESCALATE_TAG = "escalate_jira"


def named_keys(ctx: TicketContext, settings: Settings) -> list[str]:
    """Return issue keys agents wrote in internal notes or in the key field, first mention first."""
    pattern = re.compile(settings.issue_key_pattern())
    texts = [c.body for c in ctx.comments if c.is_internal_agent_note and c.author_id != ctx.baton_user_id]
    field_id = settings["jira"]["key_field_id"]
    texts.append(ctx.ticket.custom_fields.get(field_id, "") if field_id else "")
    return list(dict.fromkeys(key for text in texts for key in pattern.findall(text)))


def description(ctx: TicketContext) -> str:
    """Write the issue's description: Baton's handoff summary and a link back to the ticket."""
    summary = ctx.brief.summary_note if ctx.brief else "(no conversation summary available)"
    return f"{summary}\n\nHelpdesk ticket: {ctx.ticket.url}\nEscalated by Baton from ticket #{ctx.ticket.id}."


def escalate(ctx: TicketContext, settings: Settings) -> list[Action]:
    """Answer the escalate tag: create an issue, or say why not; always remove the tag."""
    tag = settings.tag(ESCALATE_TAG)
    stamp = ctx.ticket.updated_at.isoformat() if ctx.ticket.updated_at else ctx.now.isoformat()
    subject = f"escalate@{stamp}"
    done = [RemoveTags(RULE, subject, tags=(tag,))]
    target = settings.jira_project_for(ctx.ticket.group_id)
    if ctx.links:
        keys = ", ".join(link.issue_key for link in ctx.links)
        # Re-assert the links (idempotent by globalId) in case an earlier attempt stopped half-way.
        relinks: list[Action] = [LinkIssue(RULE, f"link:{k.issue_key}", issue_key=k.issue_key) for k in ctx.links]
        return [*relinks, InternalNote(RULE, subject, body=f"This ticket is already linked to {keys}; "
                                       "Baton did not create another issue."), *done]
    if not settings.jira_configured:
        return [InternalNote(RULE, subject, body="Baton could not escalate this ticket: Jira is not configured "
                             "(BATON_JIRA_URL, BATON_JIRA_EMAIL, BATON_JIRA_TOKEN)."), *done]
    if target is None:
        return [InternalNote(RULE, subject, body="Baton could not escalate this ticket: no Jira project is "
                             f"configured for group {ctx.name_of(ctx.ticket.group_id)} ([jira.projects] or "
                             "jira.default_project)."), *done]
    title = ctx.ticket.subject.strip() or f"Ticket #{ctx.ticket.id}"
    return [EscalateToJira(RULE, subject, project=target[0], issue_type=target[1], summary=title,
                           description=description(ctx)), *done]


def decide(ctx: TicketContext, settings: Settings) -> list[Action]:
    """Escalate on the tag; link every named issue not linked yet."""
    actions = escalate(ctx, settings) if settings.tag(ESCALATE_TAG) in ctx.ticket.tags else []
    if not settings.jira_configured:
        return actions
    linked = {link.issue_key for link in ctx.links}
    actions += [LinkIssue(RULE, f"link:{key}", issue_key=key) for key in named_keys(ctx, settings)
                if key not in linked]
    return actions

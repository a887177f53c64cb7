"""Apply escalations and links through the tracker, and show every link on its ticket.

Runs inside the executor, before the ticket writes: an escalation creates the
issue, then (as a link) adds the ticket's remote link with a stable globalId
and reads the issue's status; the link is recorded in the store at once, so a
job re-run never creates a second issue. The ticket then gets the key field,
the status field, the ``jira_linked`` tag and a note, each write keyed per
issue, so whatever an interrupted run left out is written by the next one.
"""

from __future__ import annotations

import logging
from typing import Protocol

from plugin.actions import TRACKER_WRITES, Action, AddTags, EscalateToJira, InternalNote, LinkIssue, SetField
from plugin.adapters.base import AuthFailed, NotFound, Rejected
from plugin.config import Settings
from plugin.events import Event
from plugin.model import Ticket, TicketContext
from plugin.store import Store

log = logging.getLogger(__name__)
RULE = "jira_link"


class Tracker(Protocol):
    """What linking needs from the issue tracker (JiraAdapter provides it)."""

    base_url: str

    def create_issue(self, project: str, issue_type: str, summary: str, description: str) -> str: ...

    def issue_status(self, key: str) -> tuple[str, bool]: ...

    def link_ticket(self, key: str, ticket_url: str, ticket_title: str, global_id: str) -> None: ...


def link_issue(tracker: Tracker, store: Store, ticket: Ticket, key: str, now_ms: int) -> str:
    """Add the ticket's remote link to an issue, record the link, and return the issue's status."""
    from plugin.adapters.jira import global_id_for

    status, _ = tracker.issue_status(key)
    title = f"{ticket.vendor.capitalize()} ticket #{ticket.id}: {ticket.subject}"
    tracker.link_ticket(key, ticket.url, title, global_id_for(ticket.vendor, ticket.id))
    store.link(ticket.vendor, ticket.id, key, status, now_ms)
    return status


def _run(ctx: TicketContext, action: Action, tracker: Tracker, store: Store, event: Event,
         now_ms: int) -> list[Action]:
    """Apply one tracker action; a refused key becomes a note instead of a retry loop."""
    ticket = ctx.ticket
    if isinstance(action, EscalateToJira):
        key = tracker.create_issue(action.project, action.issue_type, action.summary, action.description)
        store.record_action(action.key(ticket), ticket.vendor, ticket.id, action.rule, action.kind, event.id)
        store.link(ticket.vendor, ticket.id, key, "", now_ms)  # before the remote link: a re-run finds it
        action = LinkIssue(RULE, f"link:{key}", issue_key=key)
    if not isinstance(action, LinkIssue):
        return []
    notes: list[Action] = []
    try:
        link_issue(tracker, store, ticket, action.issue_key, now_ms)
    except (NotFound, Rejected, AuthFailed) as exc:  # retrying will not help: say so on the ticket
        log.warning("ticket %s: could not link %s: %s", ticket.id, action.issue_key, exc)
        notes.append(InternalNote(RULE, action.subject, body=f"Baton could not link {action.issue_key}: {exc}"))
    store.record_action(action.key(ticket), ticket.vendor, ticket.id, action.rule, action.kind, event.id)
    return notes


def shown_links(ctx: TicketContext, store: Store, settings: Settings, base_url: str) -> list[Action]:
    """Return the writes that show each stored link on the ticket (the executor skips those already made)."""
    links = store.links_for_ticket(ctx.ticket.vendor, ctx.ticket.id)
    jira, writes = settings["jira"], []
    all_keys = ", ".join(link.issue_key for link in links)
    for link in links:
        subject = f"linked:{link.issue_key}"
        if jira["key_field_id"]:
            writes.append(SetField(RULE, subject, field_id=jira["key_field_id"], value=all_keys))
        if jira["status_field_id"] and link.last_status:
            writes.append(SetField(RULE, subject + ":status", field_id=jira["status_field_id"],
                                   value=link.last_status))
        writes.append(AddTags(RULE, subject, tags=(settings.tag("jira_linked"),)))
        writes.append(InternalNote(RULE, subject, body=(
            f"Baton linked this ticket to {link.issue_key} ({link.last_status or 'status unknown'}): "
            f"{base_url.rstrip('/')}/browse/{link.issue_key}. Its status changes will show here.")))
    return writes


def apply_tracker_actions(ctx: TicketContext, actions: list[Action], tracker: Tracker, store: Store,
                          settings: Settings, event: Event, now_ms: int) -> list[Action]:
    """Run the tracker actions not applied yet; return the ticket writes that show the links."""
    pending = [a for a in actions if isinstance(a, TRACKER_WRITES)]
    done = store.applied_keys([a.key(ctx.ticket) for a in pending])
    extra: list[Action] = []
    for action in pending:
        if action.key(ctx.ticket) not in done:
            extra += _run(ctx, action, tracker, store, event, now_ms)
    return extra + shown_links(ctx, store, settings, tracker.base_url)

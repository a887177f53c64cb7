"""Mirror a tracker issue's status onto every linked ticket, once, in order; and repair missed webhooks.

A status event fans out to the issue's linked tickets (from the store). Each
ticket is skipped when the store already mirrored an equal or newer change
(ordered by the tracker's timestamp, then changelog id), so redelivered and
out-of-order events end with the latest status, applied once. Otherwise the
ticket costs one helpdesk read and its writes; the tracker costs nothing. Baton's
own ticket writes come back as helpdesk webhooks with Baton as actor and are
ignored there, and mirroring never writes to the tracker: no loop either way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from plugin.adapters.base import Conflict
from plugin.events import Event
from plugin.executor import execute
from plugin.model import IssueChange, TicketContext
from plugin.rules import jira_status

if TYPE_CHECKING:
    from plugin.jobs import Runtime

log = logging.getLogger(__name__)
LAST_SYNC_KEY = "jira:last_sync"
FIRST_SYNC_LOOKBACK = timedelta(days=30)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def event_order(event: Event) -> tuple[int, int]:
    """Order tracker changes by their timestamp, then changelog id (both from the payload)."""
    return _int(event.raw.get("timestamp_ms")), _int(event.raw.get("changelog_id"))


def handle_issue_event(runtime: Runtime, event: Event) -> str:
    """Mirror one issue status change onto each linked ticket; return what happened per ticket."""
    key = str(event.raw.get("issue_key") or event.ticket_id)
    linked = runtime.store.tickets_for_issue(key)
    if not linked:
        return f"ignored: no ticket is linked to {key}"
    outcomes = [f"{row['vendor']}:{row['ticket_id']} {mirror_one(runtime, event, key, row)}" for row in linked]
    return "; ".join(outcomes)


def mirror_one(runtime: Runtime, event: Event, key: str, link: dict[str, Any]) -> str:
    """Bring one linked ticket up to this change, unless it already shows the same or a newer one."""
    vendor, ticket_id, (stamp_ms, changelog) = link["vendor"], link["ticket_id"], event_order(event)
    to_status = event.current.get("status") or ""
    if (link["last_timestamp_ms"], link["last_changelog_id"]) >= (stamp_ms, changelog):
        return "skipped: an equal or newer change was already mirrored"
    with runtime.ticket_lock(vendor, ticket_id):
        if to_status == link["last_status"]:
            runtime.store.record_mirrored(vendor, ticket_id, key, to_status, stamp_ms, changelog)
            return f"already shows {to_status}"
        adapter = runtime.adapter(vendor)
        change = IssueChange(key, event.previous.get("status") or link["last_status"], to_status,
                             event.current.get("resolved") == "true", str(event.raw.get("actor_name") or ""),
                             f"{stamp_ms}.{changelog}")
        ctx = _context(runtime, adapter.fetch_ticket(ticket_id), change)
        try:
            applied = execute(ctx, jira_status.decide(ctx, runtime.settings), event, adapter, runtime.store)
        except Conflict:
            ctx = _context(runtime, adapter.fetch_ticket(ticket_id), change)
            applied = execute(ctx, jira_status.decide(ctx, runtime.settings), event, adapter, runtime.store)
        runtime.store.record_mirrored(vendor, ticket_id, key, to_status, stamp_ms, changelog)
        return applied.outcome


def _context(runtime: Runtime, ticket: Any, change: IssueChange) -> TicketContext:
    """Build the mirror rule's context: the ticket's state, its links, the change (no history needed)."""
    adapter = runtime.adapter(ticket.vendor)
    return TicketContext(ticket=ticket, comments=(), assignments=(), now=runtime.clock(),
                         baton_user_id=runtime.baton_user_id(adapter), issue_change=change,
                         links=runtime.store.links_for_ticket(ticket.vendor, ticket.id))


def sync_events(runtime: Runtime, started: datetime) -> list[Event]:
    """Ask the tracker which linked issues changed since the last sync; one event per status that differs."""
    if runtime.tracker is None:
        return []
    last = runtime.store.get_value(LAST_SYNC_KEY)
    since = datetime.fromisoformat(last) if last else started - FIRST_SYNC_LOOKBACK
    keys = runtime.store.linked_issue_keys()
    found = runtime.tracker.updated_issues(keys, since) if keys else []
    stamp_ms = int(started.timestamp() * 1000)
    events = []
    for key, status, resolved in found:
        if any(row["last_status"] != status for row in runtime.store.tickets_for_issue(key)):
            events.append(Event(id=f"sync-{key}-{stamp_ms}", vendor="jira", kind="issue_updated", ticket_id=key,
                                occurred_at=started.isoformat(), current={
                                    "status": status, "resolved": "true" if resolved else "false"},
                                raw={"issue_key": key, "timestamp_ms": stamp_ms, "changelog_id": "0",
                                     "actor_name": "", "source": "sync"}))
    return events


def run_sync(runtime: Runtime, progress: Callable[[str], None] = lambda _: None) -> dict[str, int]:
    """Repair what missed webhooks left behind: mirror each linked issue whose status moved since the last sync."""
    from plugin.jobs import handle_event

    started = runtime.clock()
    events = sync_events(runtime, started)
    for done, event in enumerate(events, start=1):
        outcome = handle_event(runtime, event)
        progress(f"[{done}/{len(events)}] {event.ticket_id}: {outcome}")
    runtime.store.set_value(LAST_SYNC_KEY, started.isoformat())
    return {"issues_checked": len(runtime.store.linked_issue_keys()), "issues_repaired": len(events)}


def sync_due(runtime: Runtime, now: datetime) -> bool:
    """Tell whether the scheduled sync should run now (every jira.sync_minutes; 0 turns it off)."""
    minutes = runtime.settings["jira"]["sync_minutes"]
    if runtime.tracker is None or minutes <= 0:
        return False
    last = runtime.store.get_value(LAST_SYNC_KEY)
    return last is None or now - datetime.fromisoformat(last) >= timedelta(minutes=minutes)

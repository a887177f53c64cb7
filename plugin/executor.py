"""Apply a rule's actions to a ticket, each at most once, and record what happened.

An action's key is looked up in two ledgers before it is applied: Baton's store
and the ticket's own history (Baton writes its keys into each update's audit
metadata). So a job retried after a crash between the write and the record
finds its write on the ticket and does not write again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from plugin.actions import TICKET_WRITES, Action, RecordHandoff, RecordQuality, RevertAssignment
from plugin.adapters.base import HelpdeskAdapter
from plugin.config import Settings
from plugin.events import Event
from plugin.linking import Tracker, apply_tracker_actions
from plugin.model import TicketContext
from plugin.store import HandoffRecord, Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Applied:
    """What the executor did: actions written, skipped as already applied, requests sent."""

    written: tuple[str, ...]
    skipped: tuple[str, ...]
    requests: int
    outcome: str
    revert: RevertAssignment | None = None


def execute(ctx: TicketContext, actions: list[Action], event: Event, adapter: HelpdeskAdapter,
            store: Store, tracker: Tracker | None = None, settings: Settings | None = None) -> Applied:
    """Apply tracker actions (escalate, link), then ticket writes once, then record actions and handoffs."""
    if tracker is not None and settings is not None:
        now_ms = int(ctx.now.timestamp() * 1000)
        actions = actions + apply_tracker_actions(ctx, actions, tracker, store, settings, event, now_ms)
    keys = {action: action.key(ctx.ticket) for action in actions}
    done = store.applied_keys(list(keys.values())) | set(ctx.applied_keys)
    writes = [a for a in actions if isinstance(a, TICKET_WRITES)]
    pending = [a for a in writes if keys[a] not in done]
    skipped = tuple(keys[a] for a in writes if keys[a] in done)
    requests = adapter.apply(ctx.ticket, pending, [keys[a] for a in pending]) if pending else 0
    for action in pending:
        store.record_action(keys[action], ctx.ticket.vendor, ctx.ticket.id, action.rule, action.kind,
                            event.id)
    outcomes = [_record_handoff(ctx, action, store) for action in actions
                if isinstance(action, RecordHandoff)]
    outcomes += [_record_quality(ctx, action, store) for action in actions if isinstance(action, RecordQuality)]
    outcomes = [o for o in outcomes if o]
    if skipped:
        log.info("ticket %s: %d action(s) already applied, skipped", ctx.ticket.id, len(skipped))
    revert = next((a for a in actions if isinstance(a, RevertAssignment)), None)
    described = ", ".join(outcomes) or (
        "applied " + ", ".join(f"{a.rule}.{a.kind}" for a in pending) if pending else "no action")
    return Applied(tuple(keys[a] for a in pending), skipped, requests, described, revert)


def _record_quality(ctx: TicketContext, action: RecordQuality, store: Store) -> str:
    stored = store.record_quality(ctx.ticket.vendor, ctx.ticket.id, action.subject, action.repeat,
                                  list(action.asked_again), datetime.fromisoformat(action.reply_at))
    if not stored:
        return ""
    return "first reply asked a repeat question" if action.repeat else "first reply asked nothing again"


def _record_handoff(ctx: TicketContext, action: RecordHandoff, store: Store) -> str:
    change = ctx.change
    if change is None:
        return action.outcome
    store.record_handoff(HandoffRecord(
        vendor=ctx.ticket.vendor, ticket_id=ctx.ticket.id, change_id=change.id, changed_at=change.at,
        actor_id=change.actor_id, from_assignee=change.previous_assignee_id,
        from_group=change.previous_group_id, to_assignee=change.assignee_id, to_group=change.group_id,
        outcome=action.outcome, missing=action.missing, vague=action.vague, details=action.details,
    ))
    why = action.details.get("why") if action.details else None
    return f"{action.outcome} ({why})" if why else action.outcome

"""The worker's scheduled work: shift wrap-ups, run once per shift however many workers run.

A tick (every minute) asks which shifts are due a reminder or a digest; the
store's claim makes the first worker to ask the only one that acts.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from typing import Any

from plugin.events import Event
from plugin.executor import execute
from plugin.jobs import Runtime
from plugin.rules import shift_wrapup
from plugin.shifts import ShiftInstance, due, shifts_from_settings

log = logging.getLogger(__name__)


def run_shift_wrapups(runtime: Runtime, now: datetime) -> list[str]:
    """Send reminders and build digests for every shift due at ``now``; return what was done."""
    done = []
    reminder_minutes = runtime.settings["wrapup"]["reminder_minutes"]
    for instance, phase in due(shifts_from_settings(runtime.settings), now, reminder_minutes):
        if not runtime.store.claim_shift_run(instance.key, phase):
            continue
        for vendor, adapter in runtime.adapters.items():
            count = _run_phase(runtime, adapter, instance, phase, now)
            done.append(f"{instance.key} {phase} on {vendor}: {count} ticket(s)")
    for line in done:
        log.info("wrap-up: %s", line)
    return done


def _run_phase(runtime: Runtime, adapter: Any, instance: ShiftInstance, phase: str, now: datetime) -> int:
    baton_id = runtime.baton_user_id(adapter)
    per_agent: dict[str, list[dict[str, Any]]] = {agent: [] for agent in instance.shift.agents}
    tickets = adapter.open_tickets(list(instance.shift.agents))
    for ticket_id, snapshot in tickets:
        ctx = adapter.load_ticket(ticket_id, snapshot, now, baton_id)
        if runtime.summarize is not None:
            ctx = replace(ctx, brief=runtime.summarize(ctx))
        if phase == "reminder":
            actions = shift_wrapup.reminder(ctx, runtime.settings, instance.key, instance.starts_at,
                                            instance.ends_at)
            marker = Event(id=f"wrapup:{instance.key}", vendor=adapter.vendor, kind="ticket_updated",
                           ticket_id=ticket_id, occurred_at=now.isoformat())
            execute(ctx, actions, marker, adapter, runtime.store)
        elif ctx.ticket.assignee_id in per_agent:
            per_agent[ctx.ticket.assignee_id].append(shift_wrapup.digest_line(ctx))
    if phase == "digest":
        for agent, entries in per_agent.items():
            runtime.store.save_digest(instance.key, instance.shift.name, instance.shift.team, agent,
                                      instance.ends_at, entries)
    return len(tickets)

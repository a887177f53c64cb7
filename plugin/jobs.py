"""The worker side: load the ticket, decide, apply, record; retry or dead-letter on failure.

``process_event`` is what RQ runs (its arguments are plain JSON). Everything it
needs comes from a ``Runtime`` built once per worker process from the settings,
and ``handle_event`` takes that runtime explicitly, so tests run it inline.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import redis

from plugin.actions import Action
from plugin.adapters.base import Conflict, HelpdeskAdapter, RetryLater, VendorError
from plugin.config import Settings, load_settings
from plugin.events import Event
from plugin.executor import Applied, execute
from plugin.model import Brief, TicketContext
from plugin.rules import all_rules
from plugin.store import Store

if TYPE_CHECKING:
    from plugin.adapters.hubspot import HubSpotAdapter
    from plugin.adapters.jira import JiraAdapter

log = logging.getLogger(__name__)
DECIDE_ON = ("assignment_changed", "ticket_updated", "comment_added", "tags_changed")
LOCK_SECONDS = 120


class TicketBusy(RetryLater):
    """Another worker holds this ticket's lock: one ticket's events apply in order."""


@dataclass
class Runtime:
    """A worker process's settings, store, adapters and queue hooks."""

    settings: Settings
    store: Store
    adapters: dict[str, HelpdeskAdapter] = field(default_factory=dict)
    redis: redis.Redis | None = None
    retry_hook: Callable[[Event, int, float], None] | None = None
    summarize: Callable[[TicketContext], Brief] | None = None
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    tracker: JiraAdapter | None = None  # the issue tracker, when configured
    accounts: HubSpotAdapter | None = None  # the CRM, when configured
    _local_locks: dict[str, threading.Lock] = field(default_factory=dict)

    def adapter(self, vendor: str) -> HelpdeskAdapter:
        """Return the adapter for a vendor, or fail permanently if it is not configured."""
        if vendor not in self.adapters:
            raise VendorError(f"{vendor} is not configured (see README, Configuration)")
        return self.adapters[vendor]

    def baton_user_id(self, adapter: HelpdeskAdapter) -> str:
        """Return Baton's own helpdesk user id, learned once and cached in the store."""
        key = f"{adapter.vendor}:baton_user_id"
        cached = self.store.get_value(key)
        if cached:
            return cached
        user_id = adapter.whoami()
        self.store.set_value(key, user_id)
        return user_id

    @contextlib.contextmanager
    def ticket_lock(self, vendor: str, ticket_id: str) -> Iterator[None]:
        """Hold a per-ticket lock (in Redis when there is one) so events apply one at a time."""
        name = f"baton:lock:{vendor}:{ticket_id}"
        if self.redis is None:
            with self._local_locks.setdefault(name, threading.Lock()):
                yield
            return
        lock = self.redis.lock(name, timeout=LOCK_SECONDS, blocking_timeout=10)
        if not lock.acquire():
            raise TicketBusy(f"ticket {ticket_id} is busy", retry_after=5)
        try:
            yield
        finally:
            with contextlib.suppress(redis.exceptions.LockError):
                lock.release()


def decide(ctx: TicketContext, settings: Settings) -> list[Action]:
    """Run every rule over the context and collect their actions."""
    return [action for _, rule in all_rules() for action in rule(ctx, settings)]


def handle_event(runtime: Runtime, event: Event) -> str:
    """Process one event under its ticket's lock; return the outcome recorded."""
    from plugin.mirror import handle_issue_event

    process = handle_issue_event if event.kind == "issue_updated" else _process
    with runtime.ticket_lock(event.vendor, event.ticket_id):
        outcome = process(runtime, event)
    runtime.store.record_event(event.vendor, event.id, event.kind, event.ticket_id, outcome)
    log.info("event %s %s ticket=%s: %s", event.vendor, event.id, event.ticket_id, outcome)
    return outcome


def _process(runtime: Runtime, event: Event) -> str:
    adapter = runtime.adapter(event.vendor)
    baton_id = runtime.baton_user_id(adapter)
    if event.actor_id and event.actor_id == baton_id:
        return "ignored: Baton's own change"
    if event.kind not in DECIDE_ON:
        return f"ignored: nothing to decide on {event.kind}"
    # Zendesk sends one event per changed field (assignee, group) for the same update.
    sequence = event.raw.get("sequence")
    sequence_key = f"{event.vendor}:{event.ticket_id}:sequence:{sequence}" if sequence else None
    if sequence_key and runtime.store.get_value(sequence_key):
        return "ignored: same update as an event already processed"
    last_known = runtime.store.last_assignment(event.vendor, event.ticket_id)
    ctx = adapter.load_context(event, runtime.clock(), baton_id, last_known)
    ctx = replace(ctx, links=runtime.store.links_for_ticket(ctx.ticket.vendor, ctx.ticket.id))
    if ctx.change is not None and ctx.change.actor_kind == "baton":
        return "ignored: Baton's own change"
    try:
        applied = _decide_and_apply(runtime, adapter, ctx, event)
    except Conflict:
        log.info("ticket %s changed while deciding; reloading once", event.ticket_id)
        applied = _decide_and_apply(runtime, adapter, _reloaded(adapter, ctx), event)
    if sequence_key:
        runtime.store.set_value(sequence_key, event.id)
    _remember(runtime, ctx, applied)
    return applied.outcome


def _remember(runtime: Runtime, ctx: TicketContext, applied: Applied | None) -> None:
    """Keep who holds the ticket now: after a revert, the agent it went back to."""
    revert = applied.revert if applied else None
    assignee, group = (revert.assignee_id, revert.group_id) if revert else (
        ctx.ticket.assignee_id, ctx.ticket.group_id)
    runtime.store.remember_assignment(ctx.ticket.vendor, ctx.ticket.id, assignee, group)


def _reloaded(adapter: HelpdeskAdapter, ctx: TicketContext) -> TicketContext:
    """Reload the ticket's state, keeping what the first load learned about its requester."""
    fresh = adapter.reload_ticket(ctx)
    if fresh.ticket.requester_email or fresh.ticket.requester_id != ctx.ticket.requester_id:
        return fresh
    return replace(fresh, ticket=replace(fresh.ticket, requester_email=ctx.ticket.requester_email))


def _decide_and_apply(runtime: Runtime, adapter: HelpdeskAdapter, ctx: TicketContext,
                      event: Event) -> Applied:
    if runtime.accounts is not None and ctx.ticket.requester_email:
        # Never raises: a failing CRM answers available=False and the handoff goes ahead.
        ctx = replace(ctx, account=runtime.accounts.account_for(ctx.ticket.requester_email))
    if runtime.summarize is not None:
        ctx = replace(ctx, brief=runtime.summarize(ctx))
    ctx = replace(ctx, pending_transfer=runtime.store.pending_transfer(ctx.ticket.vendor, ctx.ticket.id))
    return execute(ctx, decide(ctx, runtime.settings), event, adapter, runtime.store,
                   tracker=runtime.tracker, settings=runtime.settings)


def run_with_retries(runtime: Runtime, data: dict[str, Any], attempt: int = 1) -> str:
    """Handle an event; schedule a retry on rate limits, dead-letter what cannot succeed."""
    event = Event.from_dict(data)
    max_attempts = runtime.settings["queue"]["max_attempts"]
    try:
        return handle_event(runtime, event)
    except RetryLater as exc:
        if attempt < max_attempts and runtime.retry_hook is not None:
            delay = min(max(exc.retry_after, 1.0) * (2 ** (attempt - 1)), 3600.0)
            runtime.retry_hook(event, attempt + 1, delay)
            return f"retrying in {delay:.0f} s (attempt {attempt + 1} of {max_attempts}): {exc}"
        return _dead_letter(runtime, event, f"gave up after {attempt} attempt(s): {exc}")
    except VendorError as exc:
        return _dead_letter(runtime, event, f"{type(exc).__name__}: {exc}")


def _dead_letter(runtime: Runtime, event: Event, reason: str) -> str:
    runtime.store.record_dead_letter(event.vendor, event.id, event.to_dict(), reason)
    runtime.store.record_event(event.vendor, event.id, event.kind, event.ticket_id, f"dead letter: {reason}")
    log.error("event %s dead-lettered: %s", event.id, reason)
    return f"dead letter: {reason}"


_RUNTIME: Runtime | None = None


def worker_runtime() -> Runtime:
    """Build (once per worker process) the runtime from the environment's settings."""
    global _RUNTIME
    if _RUNTIME is None:
        from plugin.wiring import build_runtime

        _RUNTIME = build_runtime(load_settings())
    return _RUNTIME


def process_event(data: dict[str, Any], attempt: int = 1) -> str:
    """RQ entry point: process one queued event (plain JSON arguments)."""
    return run_with_retries(worker_runtime(), data, attempt)


def tick() -> list[str]:
    """RQ entry point, enqueued once a minute by `baton worker`: wrap-ups, the Jira sync, hourly upkeep."""
    from plugin.mirror import run_sync, sync_due
    from plugin.wrapups import run_shift_wrapups

    runtime, now = worker_runtime(), datetime.now(UTC)
    done = run_shift_wrapups(runtime, now)
    if sync_due(runtime, now):
        result = run_sync(runtime)
        done.append(f"Jira sync: {result['issues_repaired']} of {result['issues_checked']} linked issues repaired")
    if now.minute == 0:
        runtime.store.optimize()
        done.append("refreshed the database's query statistics")
    return done


def on_job_failure(job: Any, connection: Any, exc_type: Any, exc_value: Any, tb: Any) -> None:
    """RQ failure callback: a job that crashed for good becomes a visible dead letter."""
    if job.retries_left:
        return
    data = job.args[0] if job.args else {}
    worker_runtime().store.record_dead_letter(
        str(data.get("vendor", "?")), str(data.get("id", job.id)), data,
        f"job crashed: {exc_type.__name__}: {exc_value}")


def retry_in(queue_enqueue_in: Callable[..., Any]) -> Callable[[Event, int, float], None]:
    """Build a retry hook that re-enqueues an event after a delay (RQ's scheduler runs it)."""
    def hook(event: Event, attempt: int, delay: float) -> None:
        queue_enqueue_in(timedelta(seconds=delay), "plugin.jobs.process_event", event.to_dict(), attempt)
    return hook

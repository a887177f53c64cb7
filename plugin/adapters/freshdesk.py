"""Freshdesk through requests on API v2: one read for the ticket and its conversations, then writes.

Freshdesk's API keeps no assignment history (vendor-reference PROTOCOLS.md B2),
so the change an event is about is built from who holds the ticket now (the
read) and who held it when Baton last saw it (``last_known``, from Baton's
store), or the previous values the webhook's triggered_event states. A private
note cannot ride on a ticket update, so a revert costs one read and two writes
(note, then update). The note carries Baton's idempotency key in a footer, so a
job re-run after a crash finds it and does not post it again; the update sets
absolute values (agent, group, the whole tag list), so re-applying it is harmless.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

import requests

from plugin.actions import (
    Action,
    InternalNote,
    PublicReply,
)
from plugin.adapters.base import NotFound, VendorError, error_for_status, parse_retry_after
from plugin.adapters.freshdesk_shapes import (
    INCLUDED_CONVERSATIONS,
    LOW_WATER,
    MAX_PAGES,
    NAME_CACHE_SECONDS,
    PAGE_SIZE,
    build_change,
    note_html,
    parse_conversations,
    ticket_from_api,
    unmoved_ticket,
    update_body,
)
from plugin.events import Event
from plugin.model import Assignment, KnownAssignment, Ticket, TicketContext

log = logging.getLogger(__name__)


class FreshdeskAdapter:
    """Baton's Freshdesk client: requests with basic auth ``api_key:X`` against the configured URL."""

    vendor = "freshdesk"

    def __init__(self, base_url: str, api_key: str, timeout: float = 15.0,
                 sleep: Callable[[float], None] = time.sleep, pace_seconds: float = 1.0):
        if not base_url or not api_key:
            raise VendorError("Freshdesk needs BATON_FRESHDESK_URL and BATON_FRESHDESK_API_KEY")
        self.base_url, self.timeout = base_url.rstrip("/"), timeout
        self.session = requests.Session()
        self.session.auth = (api_key, "X")
        self.requests_made: list[tuple[str, str]] = []
        self.rate_remaining: int | None = None
        self.names: dict[str, tuple[str, float]] = {}
        self._sleep, self.pace_seconds = sleep, pace_seconds

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        """Send one API call; the one place Freshdesk's answers become Baton's errors."""
        if self.rate_remaining is not None and self.rate_remaining <= LOW_WATER:
            log.warning("Freshdesk rate limit nearly spent (%d left); pacing", self.rate_remaining)
            self._sleep(self.pace_seconds)
        try:
            response = self.session.request(method, self.base_url + path, timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            raise error_for_status(503, f"Freshdesk unreachable: {type(exc).__name__}") from exc
        self.requests_made.append((method, path))
        remaining = response.headers.get("X-RateLimit-Remaining")
        self.rate_remaining = int(remaining) if remaining and remaining.isdigit() else self.rate_remaining
        if response.status_code >= 400:
            raise error_for_status(response.status_code, _describe(response),
                                   parse_retry_after(response.headers.get("Retry-After")))
        return response.json() if response.content else None

    def whoami(self) -> str:
        return str(self.request("GET", "/api/v2/agents/me")["id"])

    def load_context(self, event: Event, now: datetime, baton_user_id: str | None,
                     last_known: KnownAssignment | None = None) -> TicketContext:
        seed = self._creation_seed(event, last_known) or unmoved_ticket(event, last_known)
        if seed is not None:  # a new ticket, or an echo of what Baton knows: no read needed
            return TicketContext(ticket=seed, comments=(), assignments=(), now=now, baton_user_id=baton_user_id)
        raw = self._ticket_with_conversations(event.ticket_id)
        ticket = ticket_from_api(raw, self.base_url)
        if not ticket.requester_email:  # the webhook renders {{ticket.requester.email}}; the read does not
            rendered = (event.raw.get("ticket") or {}).get("requester_email")
            ticket = replace(ticket, requester_email=str(rendered or ""))
        comments, keys = parse_conversations(raw, baton_user_id)
        change, history = build_change(event, ticket, last_known, now)
        names = self._names_for(change) if change and not change.from_unassigned else {}
        return TicketContext(ticket=ticket, comments=tuple(comments), assignments=history, now=now,
                             change=change, baton_user_id=baton_user_id, applied_keys=frozenset(keys),
                             names=names)

    def _creation_seed(self, event: Event, last_known: KnownAssignment | None) -> Ticket | None:
        """The ticket as created, from the webhook, when it rendered the agent and group ids."""
        shot = event.raw.get("ticket") or {}
        if not event.raw.get("created") or "assignee_id" not in shot or "group_id" not in shot:
            return None
        assignee, group = (last_known.assignee_id, last_known.group_id) if last_known else (
            shot["assignee_id"], shot["group_id"])
        return Ticket(id=event.ticket_id, vendor="freshdesk", subject=shot.get("subject", ""),
                      status=shot.get("status") or "open", assignee_id=assignee, group_id=group)

    def _ticket_with_conversations(self, ticket_id: str) -> dict[str, Any]:
        """One read for the common case; the paginated endpoint only when 10 came back."""
        raw = self.request("GET", f"/api/v2/tickets/{ticket_id}", params={"include": "conversations"})
        if len(raw.get("conversations") or []) >= INCLUDED_CONVERSATIONS:
            raw["conversations"] = self._all_conversations(ticket_id)
        return raw

    def _all_conversations(self, ticket_id: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for page in range(1, MAX_PAGES + 1):
            chunk = self.request("GET", f"/api/v2/tickets/{ticket_id}/conversations",
                                 params={"page": page, "per_page": PAGE_SIZE}) or []
            out += chunk
            if len(chunk) < PAGE_SIZE:
                break
        return out

    def _names_for(self, change: Assignment) -> dict[str, str]:
        """Name the agents and groups of a move (for notes), cached for an hour; one read per cold id."""
        wanted = [(f"a{a}", f"/api/v2/agents/{a}") for a in (change.previous_assignee_id, change.assignee_id) if a]
        wanted += [(f"g{g}", f"/api/v2/groups/{g}") for g in (change.previous_group_id, change.group_id) if g]
        now = time.monotonic()
        for key, path in wanted:
            if self.names.get(key, ("", 0.0))[1] < now:
                with contextlib.suppress(NotFound):
                    found = self.request("GET", path)
                    name = (found.get("contact") or {}).get("name") if key[0] == "a" else found.get("name")
                    self.names[key] = (str(name or ""), now + NAME_CACHE_SECONDS)
        return {key[1:]: self.names[key][0] for key, _ in wanted if self.names.get(key, ("", 0))[0]}

    def fetch_ticket(self, ticket_id: str) -> Ticket:
        """Read one ticket's current state, custom fields included (one read, no conversations)."""
        return ticket_from_api(self.request("GET", f"/api/v2/tickets/{ticket_id}"), self.base_url)

    def reload_ticket(self, ctx: TicketContext) -> TicketContext:
        fresh = ticket_from_api(self.request("GET", f"/api/v2/tickets/{ctx.ticket.id}"), self.base_url)
        return replace(ctx, ticket=fresh)

    def apply(self, ticket: Ticket, writes: list[Action], keys: list[str]) -> int:
        # The note first: if the job dies before the update, its re-run finds the note's key
        # and still makes the update; the other way round the re-run would see nothing to do.
        sent = 0
        for action, key in zip(writes, keys, strict=True):
            if isinstance(action, InternalNote):
                self.request("POST", f"/api/v2/tickets/{ticket.id}/notes",
                             json={"body": note_html(action.body, [key]), "private": True})
                sent += 1
            elif isinstance(action, PublicReply):
                self.request("POST", f"/api/v2/tickets/{ticket.id}/reply",
                             json={"body": note_html(action.body, [])})
                sent += 1
        body = update_body(ticket, writes)
        if body:
            self.request("PUT", f"/api/v2/tickets/{ticket.id}", json=body)
            sent += 1
        return sent

    def check(self) -> str:
        me = self.request("GET", "/api/v2/agents/me")
        email = (me.get("contact") or {}).get("email", "?")
        return f"Freshdesk reachable at {self.base_url} as {email} (agent {me['id']})"


def _describe(response: requests.Response) -> str:
    """Say what Freshdesk refused, with its validation errors (field, message, code)."""
    try:
        data = response.json()
    except ValueError:
        return f"Freshdesk answered {response.status_code}"
    if not isinstance(data, dict):
        return f"Freshdesk answered {response.status_code}"
    errors = "; ".join(f"{e.get('field')}: {e.get('message')} ({e.get('code')})"
                       for e in data.get("errors") or [] if isinstance(e, dict))
    text = data.get("description") or data.get("message") or data.get("code") or ""
    return f"Freshdesk answered {response.status_code}: {text}" + (f": {errors}" if errors else "")

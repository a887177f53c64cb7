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
import hashlib
import html
import logging
import re
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import requests

from plugin.actions import (
    Action,
    AddTags,
    InternalNote,
    PublicReply,
    RemoveTags,
    RevertAssignment,
    SetField,
    SetStatus,
)
from plugin.adapters.base import NotFound, VendorError, error_for_status, parse_retry_after
from plugin.events import Event
from plugin.model import Assignment, Comment, KnownAssignment, Ticket, TicketContext

log = logging.getLogger(__name__)
STATUSES = {2: "open", 3: "pending", 4: "solved", 5: "closed"}  # custom statuses (6+) count as open
STATUS_CODES = {"open": 2, "hold": 2, "pending": 3, "solved": 4, "closed": 5}  # Freshdesk has no on-hold
INCLUDED_CONVERSATIONS = 10  # ?include=conversations returns at most 10 (PROTOCOLS.md B2)
PAGE_SIZE = 100
MAX_PAGES = 50
LOW_WATER = 10  # X-RateLimit-Remaining at or below this: pace requests
NAME_CACHE_SECONDS = 3600.0
KEY_MARK = "baton-key:"
_KEYS = re.compile(re.escape(KEY_MARK) + r"\s*([^\s<]+)")


def _id(value: Any) -> str | None:
    return None if value in (None, "", "null") else str(value)


def _time(value: Any) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def html_to_text(markup: str) -> str:
    """Turn Freshdesk's HTML body into lines of text, so note labels stay one per line."""
    text = re.sub(r"(?i)<br\s*/?>|</(?:div|p|li|h[1-6])>", "\n", markup)
    text = html.unescape(re.sub(r"<[^>]+>", "", text))
    lines = [line.strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def note_html(text: str, keys: list[str]) -> str:
    """Render a note as HTML with Baton's idempotency keys in a small footer."""
    lines = "<br>".join(html.escape(line) for line in text.splitlines())
    footer = f'<p style="color:#8a8a8a;font-size:11px">{KEY_MARK} {" ".join(keys)}</p>' if keys else ""
    return f"<div>{lines}</div>{footer}"


def ticket_from_api(raw: dict[str, Any], base_url: str) -> Ticket:
    """Build Baton's Ticket from a Freshdesk ticket object."""
    custom = {k: str(v) for k, v in (raw.get("custom_fields") or {}).items() if v is not None}
    return Ticket(
        id=str(raw["id"]), vendor="freshdesk", subject=str(raw.get("subject") or ""),
        status=STATUSES.get(raw.get("status"), "open"), assignee_id=_id(raw.get("responder_id")),
        group_id=_id(raw.get("group_id")), requester_id=_id(raw.get("requester_id")),
        tags=tuple(raw.get("tags") or ()), updated_at=_time(raw.get("updated_at")),
        url=f"{base_url}/a/tickets/{raw['id']}",
        requester_email=str((raw.get("requester") or {}).get("email") or ""), custom_fields=custom,
    )


def parse_conversations(raw: dict[str, Any], baton_user_id: str | None) -> tuple[list[Comment], set[str]]:
    """Read the description and conversations as comments, and the keys in Baton's own notes."""
    requester = _id(raw.get("requester_id"))
    description = str(raw.get("description") or "")
    comments = [Comment(id=f"description-{raw['id']}", author_id=requester, author_role="customer",
                        public=True, created_at=_time(raw.get("created_at")) or datetime.now(UTC),
                        body=html_to_text(description) or str(raw.get("description_text") or ""),
                        html=description, seq=0)]
    keys: set[str] = set()
    ordered = sorted(raw.get("conversations") or [], key=lambda c: (str(c.get("created_at")), c.get("id") or 0))
    for seq, item in enumerate(ordered, start=1):
        author = _id(item.get("user_id"))
        body = html_to_text(str(item.get("body") or "")) or str(item.get("body_text") or "")
        mine = baton_user_id is not None and author == baton_user_id
        role = "system" if mine else "customer" if author == requester or item.get("incoming") else "agent"
        if mine:
            keys.update(_KEYS.findall(str(item.get("body") or "") + " " + str(item.get("body_text") or "")))
        comments.append(Comment(id=str(item.get("id")), author_id=author, author_role=role,
                                public=not item.get("private", False), created_at=_time(item["created_at"])
                                or datetime.now(UTC), body=body, html=str(item.get("body") or ""), seq=seq))
    return comments, keys


def _previous(event: Event, current: tuple[str | None, str | None],
              last_known: KnownAssignment | None) -> tuple[str | None, str | None] | None:
    """Who held the ticket before: what triggered_event states, else Baton's memory; None if unknown."""
    told = {k: event.previous[k] for k in ("assignee_id", "group_id") if k in event.previous}
    if not told and last_known is None:
        return None  # first sight mid-life: nothing says who passed the ticket on
    base = (last_known.assignee_id, last_known.group_id) if last_known else current
    return told.get("assignee_id", base[0]), told.get("group_id", base[1])


def build_change(event: Event, ticket: Ticket, last_known: KnownAssignment | None,
                 now: datetime) -> tuple[Assignment | None, tuple[Assignment, ...]]:
    """Build the change to judge and the history a rule sees (Baton's memory, then the change)."""
    current = (ticket.assignee_id, ticket.group_id)
    if last_known is not None and (last_known.assignee_id, last_known.group_id) == current:
        return None, ()  # nothing moved since Baton last saw it: its own echo, or a redelivery
    previous = _previous(event, current, last_known)
    if previous is None or previous == current:
        return None, ()
    basis = last_known.seen_at.isoformat() if last_known else event.occurred_at or event.id
    digest = hashlib.sha256(repr((ticket.id, previous, current, basis)).encode()).hexdigest()[:16]
    kind = "rule" if event.raw.get("performed_by") == "system" else "agent"
    change = Assignment(id=f"fd{digest}", at=_time(event.occurred_at) or ticket.updated_at or now,
                        actor_id=None, actor_kind=kind, channel="freshdesk", previous_assignee_id=previous[0],
                        previous_group_id=previous[1], assignee_id=current[0], group_id=current[1], seq=1)
    if last_known is None:
        return change, (change,)
    # Notes count from when Baton last saw the ticket; whole seconds, as Freshdesk stamps notes.
    known = Assignment(id=f"known-{digest}", at=last_known.seen_at.replace(microsecond=0), actor_id=None,
                       actor_kind="system", channel="baton", previous_assignee_id=None, previous_group_id=None,
                       assignee_id=last_known.assignee_id, group_id=last_known.group_id, seq=0)
    return change, (known, change) if known.order < change.order else (change,)


def _unmoved(event: Event, last_known: KnownAssignment | None) -> Ticket | None:
    """For an assignment event whose rendered agent and group are what Baton last saw (the echo
    of its own revert, or a redelivery), the ticket as Baton knows it; else None."""
    shot = event.raw.get("ticket") or {}
    if event.kind != "assignment_changed" or last_known is None or "assignee_id" not in shot \
            or "group_id" not in shot or (shot["assignee_id"], shot["group_id"]) != (
                last_known.assignee_id, last_known.group_id):
        return None
    return Ticket(id=event.ticket_id, vendor="freshdesk", subject=shot.get("subject", ""),
                  status=shot.get("status") or "open", assignee_id=last_known.assignee_id,
                  group_id=last_known.group_id)


def update_body(ticket: Ticket, writes: list[Action]) -> dict[str, Any]:
    """Fold agent, group, tag and field writes into one PUT body; tags replace the whole list."""
    body: dict[str, Any] = {}
    tags = list(ticket.tags)
    for action in writes:
        if isinstance(action, RevertAssignment):
            body["responder_id"] = int(action.assignee_id) if action.assignee_id else None
            body["group_id"] = int(action.group_id) if action.group_id else None
        elif isinstance(action, AddTags):
            tags += [t for t in action.tags if t not in tags]
        elif isinstance(action, RemoveTags):
            tags = [t for t in tags if t not in action.tags]
        elif isinstance(action, SetField):
            body.setdefault("custom_fields", {})[action.field_id] = action.value
        elif isinstance(action, SetStatus):
            body["status"] = STATUS_CODES.get(action.status, 2)
    if tags != list(ticket.tags):
        body["tags"] = tags
    return body


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
        seed = self._creation_seed(event, last_known) or _unmoved(event, last_known)
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

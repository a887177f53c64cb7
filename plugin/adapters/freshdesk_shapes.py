"""Reading and writing Freshdesk's shapes: tickets, conversations, Baton's key footer, update bodies.

Pure functions over API v2 JSON, so they are tested against recorded payloads without a server.
"""

from __future__ import annotations

import hashlib
import html
import logging
import re
from datetime import UTC, datetime
from typing import Any

from plugin.actions import (
    Action,
    AddTags,
    RemoveTags,
    RevertAssignment,
    SetField,
    SetStatus,
)
from plugin.events import Event
from plugin.model import Assignment, Comment, KnownAssignment, Ticket

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


def unmoved_ticket(event: Event, last_known: KnownAssignment | None) -> Ticket | None:
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

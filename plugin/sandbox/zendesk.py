"""An in-memory Zendesk account whose tickets, audits and errors follow Zendesk's REST behaviour."""

from __future__ import annotations

import copy
import itertools
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .controls import SandboxControls
from .zendesk_shapes import (
    PRIORITIES,
    ROLES,
    STATUSES,
    UI_CLIENT,
    Json,
    comment_event,
    id_str,
    iso,
    new_group,
    new_ticket,
    new_user,
    not_found,
    record_invalid,
    resolve_tags,
    rule_via,
    update_conflict,
    via,
)

if TYPE_CHECKING:
    from .webhook_sender import WebhookSender

Clock = Callable[[], datetime]
AuditListener = Callable[[Json, Json], None]
_KEEP: Any = object()
_SCALARS = ("assignee_id", "group_id", "status", "priority", "subject")


class ZendeskSandbox(SandboxControls):
    """Thread-safe state of one Zendesk account; every ticket change becomes exactly one audit."""

    def __init__(self, clock: Clock | None = None, subdomain: str = "baton-sandbox") -> None:
        self.clock: Clock = clock or (lambda: datetime.now(UTC))
        self.subdomain = subdomain
        self.lock = threading.RLock()
        self.users: dict[int, Json] = {}
        self.groups: dict[int, Json] = {}
        self.memberships: list[Json] = []
        self.tickets: dict[int, Json] = {}
        self.audits: dict[int, list[Json]] = {}
        self.api_tokens: dict[tuple[str, str], int] = {}
        self.requests: list[tuple[str, str]] = []
        self.webhooks: list[WebhookSender] = []
        self._failures: list[tuple[int, int]] = []
        self._listeners: list[AuditListener] = []
        self._user_ids = itertools.count(9001)
        self._group_ids = itertools.count(7001)
        self._membership_ids = itertools.count(8001)
        self._ticket_ids = itertools.count(4001)
        self._event_ids = itertools.count(60000001)

    def now(self) -> str:
        """The injected clock's time, as Zendesk renders it."""
        return iso(self.clock())

    # -- seeding ---------------------------------------------------------------------------
    def add_user(self, name: str, email: str, role: str = "agent") -> int:
        """Create a user; agents and admins may be assigned tickets, end-users may not."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}")
        with self.lock:
            uid, now = next(self._user_ids), self.now()
            self.users[uid] = new_user(uid, name, email, role, now)
            return uid

    def add_group(self, name: str) -> int:
        """Create a group that tickets can be routed to."""
        with self.lock:
            gid, now = next(self._group_ids), self.now()
            self.groups[gid] = new_group(gid, name, now)
            return gid

    def add_membership(self, user_id: int, group_id: int) -> int:
        """Put an agent in a group; the first membership becomes the user's default group."""
        with self.lock:
            user = self._user(user_id)
            self._get(self.groups, group_id)
            is_default = user["default_group_id"] is None
            if is_default:
                user["default_group_id"] = group_id
            mid, now = next(self._membership_ids), self.now()
            self.memberships.append({
                "id": mid, "user_id": user_id, "group_id": group_id, "default": is_default,
                "created_at": now, "updated_at": now,
            })
            return mid

    def add_api_token(self, email: str, token: str) -> None:
        """Allow basic auth as `{email}/token:{token}` for the user with that email."""
        with self.lock:
            user = next((u for u in self.users.values() if u["email"] == email), None)
            if user is None:
                raise ValueError(f"no user with email {email}")
            self.api_tokens[(email, token)] = user["id"]

    def create_ticket(
        self, requester_id: int, subject: str, description: str, *, assignee_id: int | None = None,
        group_id: int | None = None, priority: str | None = None, tags: Iterable[str] = (),
        channel: str = "web", status: str | None = None,
    ) -> int:
        """Open a ticket as its requester would, recording Zendesk's Create audit."""
        with self.lock:
            self._user(requester_id)
            tid, now = next(self._ticket_ids), self.now()
            ticket = new_ticket(tid, requester_id, subject, description, channel, now)
            changes = {"subject": subject, "assignee_id": assignee_id, "group_id": group_id,
                       "priority": priority, "status": status or "new", "tags": list(tags)}
            ticket.update(self._resolve(ticket, changes))
            self.tickets[tid], self.audits[tid] = ticket, []
            audit_id = next(self._event_ids)
            events = [self._comment_event({"body": description, "public": True}, requester_id)]
            for name in ("subject", "requester_id", "priority", "type", "assignee_id",
                         "group_id", "status"):
                value = id_str(ticket[name]) if name.endswith("_id") else ticket[name]
                events.append({"id": next(self._event_ids), "type": "Create",
                               "field_name": name, "value": value})
            if ticket["tags"]:
                events.append({"id": next(self._event_ids), "type": "Create",
                               "field_name": "tags", "value": list(ticket["tags"])})
            self._commit(audit_id, ticket, requester_id, events, via(channel), UI_CLIENT, {}, now)
            return tid

    # -- updates ---------------------------------------------------------------------------
    def act(
        self, ticket_id: int, actor_id: int, *, assignee_id: Any = _KEEP, group_id: Any = _KEEP,
        status: str | None = None, priority: str | None = None, comment: Json | None = None,
        tags: Iterable[str] | None = None, add_tags: Iterable[str] = (),
        remove_tags: Iterable[str] = (), channel: str = "web", via_rule: Json | None = None,
    ) -> Json | None:
        """Update a ticket as an agent in the UI, or as the trigger `via_rule` ({id, title})."""
        changes: Json = {"additional_tags": list(add_tags), "remove_tags": list(remove_tags)}
        for name, value in (("assignee_id", assignee_id), ("group_id", group_id)):
            if value is not _KEEP:
                changes[name] = value
        for name, value in (("status", status), ("priority", priority), ("tags", tags)):
            if value is not None:
                changes[name] = value
        _, audit = self.update_ticket(ticket_id, actor_id, changes, comment=comment,
                                      audit_via=via(channel), client=UI_CLIENT, via_rule=via_rule)
        return audit

    def update_ticket(
        self, ticket_id: int, author_id: int, changes: Json, *, comment: Json | None = None,
        audit_via: Json | None = None, client: str = "", custom_metadata: Json | None = None,
        updated_stamp: str | None = None, via_rule: Json | None = None,
    ) -> tuple[Json, Json | None]:
        """Apply one update atomically; returns the ticket and its audit (None if nothing changed)."""
        with self.lock:
            ticket = self._get(self.tickets, ticket_id)
            self._user(author_id)
            if updated_stamp is not None and updated_stamp != ticket["updated_at"]:
                raise update_conflict()
            if ticket["status"] == "closed":
                raise record_invalid("status", "Status: closed prevents ticket update")
            resolved = self._resolve(ticket, changes)
            audit_id = next(self._event_ids)
            events = [self._comment_event(comment, author_id)] if comment else []
            events += self._change_events(ticket, resolved, via_rule)
            audit = None
            if events:
                audit = self._commit(audit_id, ticket, author_id, events,
                                     audit_via or via("api"), client, custom_metadata or {})
            return copy.deepcopy(ticket), audit

    def _resolve(self, ticket: Json, changes: Json) -> Json:
        """Validate requested changes and work out the fields Zendesk would end up setting."""
        out = {k: changes[k] for k in _SCALARS if k in changes}
        group = out.get("group_id", ticket["group_id"])
        assignee = out.get("assignee_id", ticket["assignee_id"])
        if group is not None and group not in self.groups:
            raise record_invalid("group", "Group is invalid")
        if assignee is not None:
            user = self.users.get(assignee)
            if user is None or user["role"] == "end-user":
                raise record_invalid("assignee", "Assignee must be an agent")
            if group is None and user["default_group_id"] is not None:
                out["group_id"] = group = user["default_group_id"]
            elif group is not None and not self.is_member(assignee, group):
                raise record_invalid("assignee", "Assignee is not a member of the group")
        status = out.get("status", ticket["status"])
        if status not in STATUSES:
            raise record_invalid("status", f"Status: {status} is not valid")
        if status == "new" and assignee is not None:
            out["status"] = "open"
        if out.get("priority", ticket["priority"]) not in PRIORITIES:
            raise record_invalid("priority", "Priority is not valid")
        out["tags"] = resolve_tags(ticket["tags"], changes)
        if "custom_fields" in changes:
            out["custom_fields"] = changes["custom_fields"]
        return out

    def _change_events(self, ticket: Json, resolved: Json, via_rule: Json | None) -> list[Json]:
        """Change events (with previous_value) for every field whose value really moves."""
        events: list[Json] = []

        def change(name: str, value: Any, previous: Any) -> None:
            event = {"id": next(self._event_ids), "type": "Change", "field_name": name,
                     "value": value, "previous_value": previous}
            if via_rule:
                event["via"] = rule_via(via_rule)
            events.append(event)

        for name in (*_SCALARS, "tags"):
            if name in resolved and resolved[name] != ticket[name]:
                as_str = name.endswith("_id")
                change(name, id_str(resolved[name]) if as_str else resolved[name],
                       id_str(ticket[name]) if as_str else ticket[name])
                ticket[name] = resolved[name]
        ticket["raw_subject"] = ticket["subject"]
        current = {f["id"]: f["value"] for f in ticket["custom_fields"]}
        for field in resolved.get("custom_fields", []):
            if current.get(field["id"]) != field["value"]:
                change(str(field["id"]), field["value"], current.get(field["id"]))
                current[field["id"]] = field["value"]
        ticket["custom_fields"] = [{"id": k, "value": v} for k, v in current.items()]
        ticket["fields"] = copy.deepcopy(ticket["custom_fields"])
        return events

    def _comment_event(self, comment: Json, author_id: int) -> Json:
        """A Comment event by the comment's own author_id when given, else the updater."""
        author = comment.get("author_id") or author_id
        self._user(author)
        return comment_event(next(self._event_ids), comment, author)

    def _commit(
        self, audit_id: int, ticket: Json, author_id: int, events: list[Json], audit_via: Json,
        client: str, custom: Json, now: str | None = None,
    ) -> Json:
        """Record one audit for all events, bump updated_at, and tell listeners (in order)."""
        now = now or self.now()
        for event in events:
            if event["type"] == "Comment":
                event["audit_id"] = audit_id
        audit = {
            "id": audit_id, "ticket_id": ticket["id"], "created_at": now, "author_id": author_id,
            "metadata": {"system": {"client": client, "ip_address": "127.0.0.1",
                                    "location": "Sandbox"}, "custom": copy.deepcopy(custom)},
            "via": audit_via, "events": events,
        }
        ticket["updated_at"] = now
        self.audits[ticket["id"]].append(audit)
        for listener in list(self._listeners):
            listener(copy.deepcopy(audit), copy.deepcopy(ticket))
        return copy.deepcopy(audit)

    # -- reading ---------------------------------------------------------------------------
    @staticmethod
    def _get(table: dict[int, Json], key: int) -> Json:
        """The stored record, or Zendesk's 404."""
        if key not in table:
            raise not_found()
        return table[key]

    def _user(self, user_id: int) -> Json:
        """The stored user, or Zendesk's 404."""
        return self._get(self.users, user_id)

    def user(self, user_id: int) -> Json:
        """A copy of one user (404 error if missing)."""
        with self.lock:
            return copy.deepcopy(self._get(self.users, user_id))

    def group(self, group_id: int) -> Json:
        """A copy of one group (404 error if missing)."""
        with self.lock:
            return copy.deepcopy(self._get(self.groups, group_id))

    def ticket(self, ticket_id: int) -> Json:
        """A copy of one ticket (404 error if missing)."""
        with self.lock:
            return copy.deepcopy(self._get(self.tickets, ticket_id))

    def ticket_audits(self, ticket_id: int) -> list[Json]:
        """Copies of a ticket's audits, oldest first."""
        with self.lock:
            self._get(self.tickets, ticket_id)
            return copy.deepcopy(self.audits[ticket_id])

    def comments(self, ticket_id: int) -> list[Json]:
        """The ticket's comments as the comments endpoint shows them, oldest first."""
        out = []
        for audit in self.ticket_audits(ticket_id):
            for event in audit["events"]:
                if event["type"] == "Comment":
                    extra = {"created_at": audit["created_at"], "via": audit["via"],
                             "metadata": audit["metadata"]}
                    out.append({**event, **extra})
        return out

    def is_member(self, user_id: int, group_id: int) -> bool:
        """Whether the agent belongs to the group (assignment is refused otherwise)."""
        with self.lock:
            return any(m["user_id"] == user_id and m["group_id"] == group_id
                       for m in self.memberships)

    def authenticate(self, email: str, token: str) -> int | None:
        """The user id behind an API token, or None."""
        with self.lock:
            return self.api_tokens.get((email, token))

    # -- test hooks ------------------------------------------------------------------------
    def record_request(self, method: str, path: str) -> None:
        """Count an API call so tests can assert how many reads and writes happened."""
        with self.lock:
            self.requests.append((method, path))

    def configure_webhook(self, url: str, secret: str, **options: Any) -> WebhookSender:
        """Send signed event webhooks for every audit to `url`; returns the running sender."""
        from .webhook_sender import WebhookSender

        return self._start_sender(WebhookSender(self, url, secret, **options))

"""An in-memory Freshdesk account: agents, groups, contacts, tickets and conversations.

It follows API v2's shapes (vendor-reference fixtures freshdesk_*.json): integer
statuses 2..5, ``responder_id``, tags that a PUT replaces, conversations with
``private``/``incoming``/``user_id``, and 400 "Validation failed" bodies. Every
change is told to listeners (the webhook sender plays Freshdesk's automation rules).
"""

from __future__ import annotations

import copy
import html
import itertools
import re
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from .controls import SandboxControls

if TYPE_CHECKING:
    from .freshdesk_api import FreshdeskWebhookSender

Json = dict[str, Any]
Clock = Callable[[], datetime]
ChangeListener = Callable[[Json, Json], None]
STATUS_LABELS = {2: "Open", 3: "Pending", 4: "Resolved", 5: "Closed"}
UPDATABLE = ("responder_id", "group_id", "status", "priority", "subject", "tags", "custom_fields", "type")
_KEEP: Any = object()


class FreshdeskError(Exception):
    """A refused request, with the HTTP status and the JSON body Freshdesk would answer with."""

    def __init__(self, status: int, body: Json) -> None:
        super().__init__(f"{status} {body}")
        self.status, self.body = status, body


def invalid(field: str, message: str, code: str = "invalid_value") -> FreshdeskError:
    """Freshdesk's 400 validation body (PROTOCOLS.md B2); the messages are modelled [U]."""
    return FreshdeskError(400, {"description": "Validation failed",
                                "errors": [{"field": field, "message": message, "code": code}]})


def not_found() -> FreshdeskError:
    """Freshdesk's 404 for an unknown id (body shape [U])."""
    return FreshdeskError(404, {"code": "not_found", "message": "Resource not found"})


def iso(moment: datetime) -> str:
    """Freshdesk's timestamps: UTC, whole seconds, Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def text_of(body: str) -> str:
    """body_text as Freshdesk derives it from the HTML body (line breaks kept)."""
    text = re.sub(r"(?i)<br\s*/?>|</(?:div|p|li)>", "\n", body)
    return html.unescape(re.sub(r"<[^>]+>", "", text)).strip()


class FreshdeskSandbox(SandboxControls):
    """Thread-safe state of one Freshdesk account; every change is logged and told to listeners."""

    def __init__(self, clock: Clock | None = None, domain: str = "baton-sandbox") -> None:
        self.clock: Clock = clock or (lambda: datetime.now(UTC))
        self.domain = domain
        self.lock = threading.RLock()
        self.agents: dict[int, Json] = {}
        self.contacts: dict[int, Json] = {}
        self.groups: dict[int, Json] = {}
        self.tickets: dict[int, Json] = {}
        self.conversations: dict[int, list[Json]] = {}
        self.activities: dict[int, list[Json]] = {}
        self.api_keys: dict[str, int] = {}
        self.requests: list[tuple[str, str]] = []
        self.webhooks: list[FreshdeskWebhookSender] = []
        self.rate_limit_total = 400
        self._window: tuple[str, int] = ("", 0)
        self._failures: list[tuple[int, int]] = []
        self._listeners: list[ChangeListener] = []
        self._ids = {name: itertools.count(start) for name, start in (
            ("agent", 6001), ("contact", 43001), ("group", 8001), ("ticket", 101), ("conversation", 5001))}

    # -- seeding ---------------------------------------------------------------------------
    def add_agent(self, name: str, email: str) -> int:
        """Create an agent (a contact with agent rights); tickets may be assigned to it."""
        with self.lock:
            aid, now = next(self._ids["agent"]), iso(self.clock())
            self.agents[aid] = {"id": aid, "available": True, "occasional": False, "signature": None,
                                "ticket_scope": 1, "type": "support_agent", "created_at": now, "updated_at": now,
                                "contact": {"name": name, "email": email, "active": True, "language": "en",
                                            "time_zone": "UTC", "created_at": now, "updated_at": now}}
            return aid

    def add_contact(self, name: str, email: str) -> int:
        """Create a customer contact who can request tickets."""
        with self.lock:
            cid, now = next(self._ids["contact"]), iso(self.clock())
            self.contacts[cid] = {"id": cid, "name": name, "email": email, "active": True,
                                  "created_at": now, "updated_at": now}
            return cid

    def add_group(self, name: str, agent_ids: Iterable[int] = ()) -> int:
        """Create a group with its agents."""
        with self.lock:
            gid, now = next(self._ids["group"]), iso(self.clock())
            self.groups[gid] = {"id": gid, "name": name, "description": None, "agent_ids": list(agent_ids),
                                "created_at": now, "updated_at": now}
            return gid

    def add_api_key(self, key: str, agent_id: int) -> None:
        """Let basic auth ``key:X`` act as the agent."""
        with self.lock:
            self._get(self.agents, agent_id)
            self.api_keys[key] = agent_id

    # -- tickets ---------------------------------------------------------------------------
    def create_ticket(self, requester_id: int, subject: str, description: str, *, responder_id: int | None = None,
                      group_id: int | None = None, tags: Iterable[str] = (), priority: int = 1) -> int:
        """Open a ticket as its requester would (email channel)."""
        with self.lock:
            self._get(self.contacts, requester_id)
            tid, now = next(self._ids["ticket"]), iso(self.clock())
            self._validate({"responder_id": responder_id, "group_id": group_id})
            self.tickets[tid] = {
                "id": tid, "subject": subject, "description": f"<div>{html.escape(description)}</div>",
                "description_text": description, "status": 2, "priority": priority, "source": 1,
                "type": None, "requester_id": requester_id, "responder_id": responder_id, "group_id": group_id,
                "company_id": None, "product_id": None, "email_config_id": None, "spam": False,
                "fr_escalated": False, "is_escalated": False, "cc_emails": [], "fwd_emails": [],
                "reply_cc_emails": [], "to_emails": None, "tags": list(tags), "custom_fields": {},
                "attachments": [], "created_at": now, "updated_at": now, "due_by": now, "fr_due_by": now,
            }
            self.conversations[tid], self.activities[tid] = [], []
            self._tell({"kind": "created", "actor_id": None, "changes": {}}, tid)
            return tid

    def act(self, ticket_id: int, actor_id: int, *, responder_id: Any = _KEEP, group_id: Any = _KEEP,
            status: int | None = None, tags: list[str] | None = None) -> Json:
        """Update a ticket as an agent in the UI would."""
        changes: Json = {k: v for k, v in (("responder_id", responder_id), ("group_id", group_id))
                         if v is not _KEEP}
        changes.update({k: v for k, v in (("status", status), ("tags", tags)) if v is not None})
        return self.update_ticket(ticket_id, actor_id, changes)

    def update_ticket(self, ticket_id: int, actor_id: int, changes: Json) -> Json:
        """Apply one update atomically (UI or API); log the activity and tell listeners."""
        with self.lock:
            ticket = self._get(self.tickets, ticket_id)
            unknown = [k for k in changes if k not in UPDATABLE]
            if unknown:
                raise invalid(unknown[0], "Unexpected/invalid field in request", "invalid_field")
            self._validate(changes)
            moved = {k: (ticket[k], v) for k, v in changes.items() if k != "custom_fields" and ticket[k] != v}
            ticket["custom_fields"].update(changes.get("custom_fields") or {})
            for name, (_, value) in moved.items():
                ticket[name] = copy.deepcopy(value)
            if moved or changes.get("custom_fields"):
                self._touch(ticket)
                self.activities[ticket_id].append({"actor_id": actor_id, "at": ticket["updated_at"],
                                                   "changes": copy.deepcopy(moved)})
                self._tell({"kind": "updated", "actor_id": actor_id, "changes": moved}, ticket_id)
            return copy.deepcopy(ticket)

    def add_note(self, ticket_id: int, user_id: int, body: str, private: bool = True) -> Json:
        """Add a note (private by default, as the API's default); told to listeners."""
        return self._converse(ticket_id, user_id, body, private=private, source=2, kind="note")

    def reply(self, ticket_id: int, user_id: int, body: str) -> Json:
        """Send a public reply to the requester."""
        return self._converse(ticket_id, user_id, body, private=False, source=0, kind="reply")

    def _converse(self, ticket_id: int, user_id: int, body: str, *, private: bool, source: int, kind: str) -> Json:
        with self.lock:
            ticket = self._get(self.tickets, ticket_id)
            if user_id not in self.agents and user_id not in self.contacts:
                raise invalid("user_id", "There is no contact or agent matching the given user_id")
            self._touch(ticket)
            now = ticket["updated_at"]
            item = {"body": body, "body_text": text_of(body), "id": next(self._ids["conversation"]),
                    "incoming": user_id in self.contacts, "private": private, "user_id": user_id,
                    "support_email": None, "source": source, "ticket_id": ticket_id, "to_emails": [],
                    "from_email": None, "cc_emails": None, "bcc_emails": None, "created_at": now,
                    "updated_at": now, "attachments": []}
            self.conversations[ticket_id].append(item)
            self._tell({"kind": kind, "actor_id": user_id, "changes": {}, "note": copy.deepcopy(item)}, ticket_id)
            return copy.deepcopy(item)

    def _validate(self, changes: Json) -> None:
        """Refuse unknown agents, groups, statuses and non-list tags with Freshdesk's 400."""
        if changes.get("responder_id") is not None and changes["responder_id"] not in self.agents:
            raise invalid("responder_id", "There is no agent matching the given responder_id")
        if changes.get("group_id") is not None and changes["group_id"] not in self.groups:
            raise invalid("group_id", "There is no group matching the given group_id")
        if "status" in changes and changes["status"] not in STATUS_LABELS:
            raise invalid("status", "It should be one of these values: '2,3,4,5'")
        if "tags" in changes and not (isinstance(changes["tags"], list)
                                      and all(isinstance(t, str) for t in changes["tags"])):
            raise invalid("tags", "It should be an Array of Strings", "datatype_mismatch")

    def _touch(self, ticket: Json) -> None:
        """Bump updated_at; whole seconds, kept strictly increasing so scripted updates stay distinct."""
        now = self.clock().astimezone(UTC).replace(microsecond=0)
        last = datetime.fromisoformat(ticket["updated_at"].replace("Z", "+00:00"))
        ticket["updated_at"] = iso(max(now, last + timedelta(seconds=1)))

    def _tell(self, change: Json, ticket_id: int) -> None:
        """Call listeners inside the lock, so they see changes in order."""
        ticket = copy.deepcopy(self.tickets[ticket_id])
        for listener in list(self._listeners):
            listener(copy.deepcopy(change), ticket)

    # -- reading ---------------------------------------------------------------------------
    @staticmethod
    def _get(table: dict[int, Json], key: Any) -> Json:
        if key not in table:
            raise not_found()
        return table[key]

    def ticket(self, ticket_id: int) -> Json:
        """A copy of one ticket (404 error if missing)."""
        with self.lock:
            return copy.deepcopy(self._get(self.tickets, ticket_id))

    def ticket_conversations(self, ticket_id: int) -> list[Json]:
        """Copies of a ticket's conversations, oldest first."""
        with self.lock:
            self._get(self.tickets, ticket_id)
            return copy.deepcopy(self.conversations[ticket_id])

    def agent(self, agent_id: int) -> Json:
        """A copy of one agent (404 error if missing)."""
        with self.lock:
            return copy.deepcopy(self._get(self.agents, agent_id))

    def group(self, group_id: int) -> Json:
        """A copy of one group (404 error if missing)."""
        with self.lock:
            return copy.deepcopy(self._get(self.groups, group_id))

    def authenticate(self, api_key: str) -> int | None:
        """The agent behind an API key, or None."""
        with self.lock:
            return self.api_keys.get(api_key)

    # -- test hooks ------------------------------------------------------------------------
    def record_request(self, method: str, path: str) -> int:
        """Count an API call; return how many calls are left in this minute's rate-limit window."""
        with self.lock:
            self.requests.append((method, path))
            minute = self.clock().strftime("%Y%m%d%H%M")
            used = self._window[1] + 1 if self._window[0] == minute else 1
            self._window = (minute, used)
            return max(self.rate_limit_total - used, 0)

    def configure_webhook(self, url: str, token: str, **options: Any) -> FreshdeskWebhookSender:
        """Play Baton's automation rules: POST Baton's body to ``url`` with the token."""
        from .freshdesk_api import FreshdeskWebhookSender

        return self._start_sender(FreshdeskWebhookSender(self, url, token, **options))

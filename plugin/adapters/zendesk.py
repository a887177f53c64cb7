"""Zendesk through zenpy: load a ticket's history from its audits, write in one update.

One reassignment costs one read (the audits: comments, assignment changes and
who made them) and one write (assignee, group, note, tags and Baton's
idempotency keys in the audit's metadata). The ticket's state comes with the
event; a safe update (``updated_stamp``) turns a stale snapshot into a 409.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import replace
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from zenpy import Zenpy
from zenpy.lib.api_objects import Comment as ZenpyComment
from zenpy.lib.api_objects import Ticket as ZenpyTicket
from zenpy.lib.exception import APIException, RecordNotFoundException

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
from plugin.adapters.zendesk_audits import (
    KEYS_FIELD,
    change_for,
    complete_snapshot,
    custom_field_values,
    fill_unchanged,
    parse_audits,
    snapshot_of,
    snapshot_ticket,
)
from plugin.events import Event
from plugin.model import Assignment, KnownAssignment, Ticket, TicketContext

PLACEHOLDER_HOST = "zendesk.baton.invalid"
NAME_CACHE_SECONDS = 3600.0  # agent and group names rarely change; a cold name costs one read


class BaseUrlAdapter(HTTPAdapter):
    """Send zenpy's https://{subdomain}.zendesk.com URLs to the configured base URL.

    zenpy always builds its own URL (ZENPY-NOTES.md); this rewrites it per client,
    and raises Baton's errors on 429/5xx before zenpy's sleep-and-retry loop can.
    """

    def __init__(self, base_url: str, timeout: float = 15.0):
        super().__init__(max_retries=0)
        self.base = urlsplit(base_url.rstrip("/"))
        self.timeout = timeout
        self.requests: list[tuple[str, str]] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        original_url = request.url or ""
        parts = urlsplit(original_url)
        request.url = urlunsplit((self.base.scheme, self.base.netloc, self.base.path + parts.path,
                                  parts.query, ""))
        kwargs["timeout"] = kwargs.get("timeout") or self.timeout
        try:
            response = super().send(request, **kwargs)
        except requests.RequestException as exc:
            raise error_for_status(503, f"Zendesk unreachable: {type(exc).__name__}") from exc
        finally:
            request.url = original_url
        response.request = request
        self.requests.append((request.method or "GET", parts.path))
        if response.status_code == 429 or response.status_code >= 500:
            raise error_for_status(response.status_code, f"Zendesk answered {response.status_code}",
                                   parse_retry_after(response.headers.get("Retry-After")))
        return response


class ZendeskAdapter:
    """Baton's Zendesk client: zenpy over a session bound to the configured base URL."""

    vendor = "zendesk"

    def __init__(self, base_url: str, email: str, token: str, timeout: float = 15.0):
        if not base_url or not email or not token:
            raise VendorError("Zendesk needs BATON_ZENDESK_URL, BATON_ZENDESK_EMAIL and BATON_ZENDESK_TOKEN")
        self.base_url = base_url
        self.transport = BaseUrlAdapter(base_url, timeout)
        session = requests.Session()
        session.mount("https://", self.transport)
        session.auth = (f"{email}/token", token)
        self.client = Zenpy(subdomain="baton", domain=PLACEHOLDER_HOST.split(".", 1)[1], email=email,
                            token=token, session=session, disable_cache=True)
        self.names: dict[str, tuple[str, float]] = {}
        self.emails: dict[str, str] = {}  # user id -> email, learned with names (requesters' for the CRM)

    @property
    def requests_made(self) -> list[tuple[str, str]]:
        """Every (method, path) this client sent, for measuring API cost."""
        return self.transport.requests

    def whoami(self) -> str:
        return str(self._call(self.client.users.me).id)

    def load_context(self, event: Event, now: datetime, baton_user_id: str | None,
                     last_known: KnownAssignment | None = None) -> TicketContext:
        # Zendesk's audits carry the full assignment history, so last_known is not needed.
        ctx = self.load_ticket(event.ticket_id, dict(event.raw.get("ticket") or {}), now, baton_user_id)
        change = change_for(event, list(ctx.assignments))
        requester = ctx.ticket.requester_id
        names = self._names_for(change, requester) if change and not change.from_unassigned else {}
        email = self.emails.get(requester or "", "")
        return replace(ctx, change=change, names=names, ticket=replace(ctx.ticket, requester_email=email))

    def fetch_ticket(self, ticket_id: str) -> Ticket:
        """Read one ticket's current state, custom fields included (one read, no history)."""
        return snapshot_ticket(ticket_id, self._fetch_snapshot(ticket_id), self.base_url)

    def load_ticket(self, ticket_id: str, snapshot: dict[str, Any], now: datetime,
                    baton_user_id: str | None) -> TicketContext:
        """Load one ticket's history (one read), taking its state from a snapshot when complete."""
        if not complete_snapshot(snapshot):
            snapshot = self._fetch_snapshot(ticket_id)
        ticket = snapshot_ticket(ticket_id, snapshot, self.base_url)
        audits = [a.to_dict() for a in self._call(lambda: list(self.client.tickets.audits(ticket=int(ticket_id))))]
        comments, assignments, keys = parse_audits(audits, ticket.requester_id, baton_user_id)
        ticket = replace(ticket, custom_fields={**custom_field_values(audits), **ticket.custom_fields})
        history = tuple(fill_unchanged(assignments))
        return TicketContext(ticket=ticket, comments=tuple(comments), assignments=history, now=now,
                             baton_user_id=baton_user_id, applied_keys=frozenset(keys))

    def open_tickets(self, agent_ids: list[str]) -> list[tuple[str, dict[str, Any]]]:
        """List unsolved tickets held by these agents: (id, snapshot), one search per agent."""
        found: dict[str, dict[str, Any]] = {}
        for agent in agent_ids:
            results = self._call(lambda a=agent: list(self.client.search(
                type="ticket", assignee=int(a), status_less_than="solved")))
            for ticket in results:
                found[str(ticket.id)] = snapshot_of(ticket.to_dict())
        return sorted(found.items(), key=lambda pair: int(pair[0]))

    def _names_for(self, change: Assignment, requester_id: str | None = None) -> dict[str, str]:
        """Name the agents and groups of a move (for notes), from a cache or one read each kind.

        The requester rides along in the same users read, so the CRM lookup gets their email for free.
        """
        users = {u for u in (change.previous_assignee_id, change.assignee_id) if u}
        groups = {g for g in (change.previous_group_id, change.group_id) if g}
        now = time.monotonic()
        cold_users = [u for u in users if self.names.get(f"u{u}", ("", 0.0))[1] < now]
        if requester_id and cold_users and requester_id not in self.emails:
            cold_users.append(requester_id)
        if cold_users:
            for user in self._call(lambda: list(self.client.users(ids=[int(u) for u in cold_users]))):
                self.names[f"u{user.id}"] = (str(user.name), now + NAME_CACHE_SECONDS)
                self.emails[str(user.id)] = str(user.email or "")
        for group in groups:
            if self.names.get(f"g{group}", ("", 0.0))[1] < now:
                with contextlib.suppress(NotFound):
                    found = self._call(lambda g=group: self.client.groups(id=int(g)))
                    self.names[f"g{group}"] = (str(found.name), now + NAME_CACHE_SECONDS)
        return {key[1:]: name for key, (name, _) in self.names.items()
                if key[1:] in users | groups and key[0] in "ug"}

    def reload_ticket(self, ctx: TicketContext) -> TicketContext:
        fresh = snapshot_ticket(ctx.ticket.id, self._fetch_snapshot(ctx.ticket.id), self.base_url)
        return TicketContext(**{**ctx.__dict__, "ticket": fresh})

    def apply(self, ticket: Ticket, writes: list[Action], keys: list[str]) -> int:
        comments = [a for a in writes if isinstance(a, (InternalNote, PublicReply))]
        fields = _update_fields(writes)
        requests_sent = 0
        for index, comment in enumerate(comments or [None]):
            body: dict[str, Any] = dict(fields) if index == 0 else {}
            if comment is not None:
                body["comment"] = ZenpyComment(body=comment.body, public=isinstance(comment, PublicReply))
            if index == 0 and ticket.updated_at is not None:
                body.update(safe_update=True, updated_stamp=ticket.updated_at.strftime("%Y-%m-%dT%H:%M:%SZ"))
            body["metadata"] = {"custom": {KEYS_FIELD: keys}}
            if len(body) > 1:
                self._call(lambda b=body: self.client.tickets.update(ZenpyTicket(id=int(ticket.id), **b)))
                requests_sent += 1
        return requests_sent

    def check(self) -> str:
        me = self._call(self.client.users.me)
        return f"Zendesk reachable at {self.base_url} as {me.email} (user {me.id}, role {me.role})"

    def _fetch_snapshot(self, ticket_id: str) -> dict[str, Any]:
        return snapshot_of(self._call(lambda: self.client.tickets(id=int(ticket_id))).to_dict())

    @staticmethod
    def _call(func: Any) -> Any:
        """Run a zenpy call, mapping its exceptions to Baton's error classes."""
        try:
            return func()
        except RecordNotFoundException as exc:
            raise error_for_status(404, f"Zendesk: not found ({exc})") from exc
        except APIException as exc:
            response = getattr(exc, "response", None)
            status = response.status_code if response is not None else 400
            raise error_for_status(status, f"Zendesk answered {status}: {str(exc)[:300]}") from exc


def _update_fields(writes: list[Action]) -> dict[str, Any]:
    """Fold assignment, tag and field writes into one ticket update body."""
    fields: dict[str, Any] = {}
    for action in writes:
        if isinstance(action, RevertAssignment):
            fields["assignee_id"] = int(action.assignee_id) if action.assignee_id else None
            if action.group_id:
                fields["group_id"] = int(action.group_id)
        elif isinstance(action, AddTags):
            fields.setdefault("additional_tags", []).extend(action.tags)
        elif isinstance(action, RemoveTags):
            fields.setdefault("remove_tags", []).extend(action.tags)
        elif isinstance(action, SetField):
            fields.setdefault("custom_fields", []).append({"id": int(action.field_id), "value": action.value})
        elif isinstance(action, SetStatus):
            fields["status"] = action.status
    return fields

"""What the worker needs from a helpdesk, and the one place vendor errors become Baton's.

Adapters raise only these error classes, so the worker decides retry, reload
or dead-letter without knowing which vendor answered.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from plugin.actions import Action
from plugin.events import Event
from plugin.model import KnownAssignment, Ticket, TicketContext


class VendorError(Exception):
    """A vendor call failed; ``permanent`` errors are not worth retrying."""

    permanent = True

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


class RetryLater(VendorError):
    """Rate-limited or temporarily down (429, 5xx, timeout): retry after ``retry_after`` seconds."""

    permanent = False

    def __init__(self, message: str, retry_after: float = 30.0, status: int | None = None):
        super().__init__(message, status)
        self.retry_after = retry_after


class Conflict(VendorError):
    """The ticket changed since it was read (a safe update's 409): reload and decide again."""

    permanent = False


class NotFound(VendorError):
    """The ticket or user does not exist (any more)."""


class Rejected(VendorError):
    """The vendor refused the request as invalid (400, 422); retrying will not help."""


class AuthFailed(VendorError):
    """The credentials were refused (401, 403)."""


def error_for_status(status: int, message: str, retry_after: float | None = None) -> VendorError:
    """Map an HTTP status to Baton's error class: one table for every adapter."""
    if status == 429 or status >= 500:
        return RetryLater(message, retry_after if retry_after is not None else 30.0, status)
    if status == 409:
        return Conflict(message, status)
    if status == 404:
        return NotFound(message, status)
    if status in (401, 403):
        return AuthFailed(message, status)
    return Rejected(message, status)


def parse_retry_after(value: str | None, default: float = 30.0) -> float:
    """Read a Retry-After header given in seconds (the form these vendors send)."""
    try:
        return max(0.0, float(value)) if value is not None else default
    except ValueError:
        return default


class HelpdeskAdapter(Protocol):
    """The worker's view of a helpdesk."""

    vendor: str

    def whoami(self) -> str:
        """Return the helpdesk user id Baton writes as (to recognise its own echoes)."""

    def load_context(self, event: Event, now: datetime, baton_user_id: str | None,
                     last_known: KnownAssignment | None = None) -> TicketContext:
        """Load the ticket, its comments and assignment history for an event.

        ``last_known`` is who held the ticket when Baton last saw it; helpdesks whose API
        keeps no assignment history build the change from it.
        """

    def load_ticket(self, ticket_id: str, snapshot: dict, now: datetime,
                    baton_user_id: str | None) -> TicketContext:
        """Load one ticket and its history outside any event (scheduled work)."""

    def fetch_ticket(self, ticket_id: str) -> Ticket:
        """Read one ticket's current state without its history (one read)."""

    def open_tickets(self, agent_ids: list[str]) -> list[tuple[str, dict]]:
        """List the unsolved tickets these agents hold, as (ticket id, neutral snapshot)."""

    def reload_ticket(self, ctx: TicketContext) -> TicketContext:
        """Return the context with the ticket's current state (after a Conflict)."""

    def apply(self, ticket: Ticket, writes: list[Action], keys: list[str]) -> int:
        """Apply ticket writes in as few requests as the API allows; return the request count."""

    def check(self) -> str:
        """Reach the API with the configured credentials; return a one-line description."""

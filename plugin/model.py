"""Vendor-neutral ticket data: what adapters load and rules read.

Plain frozen dataclasses, so a rule can be tested by building one by hand and
no vendor SDK object ever leaves ``plugin/adapters/``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

AuthorRole = Literal["customer", "agent", "system"]
ActorKind = Literal["agent", "rule", "baton", "system"]

OPEN_STATUSES = ("new", "open", "pending", "hold")
DONE_STATUSES = ("solved", "closed")


@dataclass(frozen=True)
class Comment:
    """One message on a ticket: a public reply or an internal note."""

    id: str
    author_id: str | None
    author_role: AuthorRole
    public: bool
    created_at: datetime
    body: str
    html: str = ""
    author_name: str = ""
    seq: int = 0  # position of its record in the ticket's history: orders same-second events

    @property
    def order(self) -> tuple[datetime, int]:
        """Sort key that stays right when two records share a timestamp."""
        return (self.created_at, self.seq)

    @property
    def is_internal_agent_note(self) -> bool:
        """Tell whether this is a private note written by a human agent."""
        return not self.public and self.author_role == "agent"


@dataclass(frozen=True)
class Assignment:
    """One change of assignee and/or group, as the helpdesk's history records it."""

    id: str
    at: datetime
    actor_id: str | None
    actor_kind: ActorKind
    channel: str
    previous_assignee_id: str | None
    assignee_id: str | None
    previous_group_id: str | None
    group_id: str | None
    seq: int = 0  # position of its record in the ticket's history: orders same-second events

    @property
    def order(self) -> tuple[datetime, int]:
        """Sort key that stays right when two records share a timestamp."""
        return (self.at, self.seq)

    @property
    def from_unassigned(self) -> bool:
        """Tell whether nobody held the ticket before this change."""
        return self.previous_assignee_id is None


@dataclass(frozen=True)
class KnownAssignment:
    """Who held a ticket when Baton last saw it: the history of helpdesks that keep none."""

    assignee_id: str | None
    group_id: str | None
    seen_at: datetime


@dataclass(frozen=True)
class Account:
    """What the CRM knows about the requester's company (filled in by later adapters)."""

    name: str = ""
    tier: str = ""
    lifecycle_stage: str = ""
    open_deal_amount: float = 0.0
    flags: tuple[str, ...] = ()
    available: bool = True
    summary: str = ""  # one line for the handoff summary (contact, company, deals, recent tickets)


@dataclass(frozen=True)
class IssueLink:
    """A tracker issue linked to the ticket, with the status Baton last mirrored onto it."""

    issue_key: str
    last_status: str = ""


@dataclass(frozen=True)
class IssueChange:
    """A linked issue's status change, as the mirror rule needs it (set by the worker, not by rules)."""

    issue_key: str
    from_status: str
    to_status: str
    resolved: bool
    actor_name: str
    stamp: str  # what makes this change unique (the tracker's timestamp), for idempotency keys


@dataclass(frozen=True)
class Brief:
    """The summarizer's output as rules use it: rendered notes and context flags.

    The worker makes it before rules run (a summarizer may call an LLM); rules only read it.
    """

    summary_note: str
    prefilled_note: str
    flags: frozenset[str]
    summarizer: str
    promises: tuple[tuple[str, datetime | None], ...] = ()  # (what was promised, by when)


@dataclass(frozen=True)
class Ticket:
    """The ticket's current state."""

    id: str
    vendor: str
    subject: str
    status: str
    assignee_id: str | None
    group_id: str | None
    requester_id: str | None = None
    tags: tuple[str, ...] = ()
    updated_at: datetime | None = None
    url: str = ""
    requester_email: str = ""
    custom_fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TicketContext:
    """Everything a rule may look at: the ticket, its history and the moment of decision.

    ``change`` is the assignment change the triggering event is about (None when
    the event is not a reassignment). ``now`` is the only clock a rule may read.
    """

    ticket: Ticket
    comments: tuple[Comment, ...]
    assignments: tuple[Assignment, ...]
    now: datetime
    change: Assignment | None = None
    account: Account | None = None
    baton_user_id: str | None = None
    timezone: str = "UTC"
    names: dict[str, str] = field(default_factory=dict)
    brief: Brief | None = None  # what the summarizer made of the conversation, before rules run
    applied_keys: frozenset[str] = frozenset()  # Baton's action keys the ticket's history shows
    # The latest transfer Baton recorded (accepted or flagged) whose first reply is not judged yet.
    pending_transfer: Assignment | None = None
    links: tuple[IssueLink, ...] = ()  # tracker issues linked to this ticket (from Baton's store)
    issue_change: IssueChange | None = None  # the linked issue's change the event is about, if any

    def name_of(self, user_or_group_id: str | None) -> str:
        """Return a display name for an id, or the id itself when no name is known."""
        if user_or_group_id is None:
            return "nobody"
        return self.names.get(user_or_group_id, f"#{user_or_group_id}")

    def previous_change(self, change: Assignment) -> Assignment | None:
        """Return the assignment change made before ``change``, if any."""
        earlier = [a for a in self.assignments if a.order < change.order]
        return earlier[-1] if earlier else None

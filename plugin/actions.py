"""The action vocabulary: what a rule may ask Baton to do to a ticket.

Rules return actions; only the executor applies them, through an adapter.
Every action names the rule that chose it, and ``key`` makes it idempotent:
applying an action whose key was already applied changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from plugin.model import Ticket


@dataclass(frozen=True)
class Action:
    """Base of every action; ``subject`` is what the decision is about (e.g. a change id)."""

    rule: str
    subject: str

    @property
    def kind(self) -> str:
        """Name the action kind, used in idempotency keys and records."""
        return type(self).__name__

    def key(self, ticket: Ticket) -> str:
        """Build the idempotency key: vendor, ticket, subject, rule and action kind."""
        return f"{ticket.vendor}:{ticket.id}:{self.subject}:{self.rule}:{self.kind}"


@dataclass(frozen=True)
class RevertAssignment(Action):
    """Put the ticket back with its previous assignee and group, together."""

    assignee_id: str | None = None
    group_id: str | None = None


@dataclass(frozen=True)
class InternalNote(Action):
    """Post a private note that agents see and customers never do."""

    body: str = ""


@dataclass(frozen=True)
class PublicReply(Action):
    """Post a reply the customer sees."""

    body: str = ""


@dataclass(frozen=True)
class AddTags(Action):
    """Add tags (full names, prefix already applied)."""

    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class RemoveTags(Action):
    """Remove tags (full names, prefix already applied)."""

    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class SetField(Action):
    """Set a custom ticket field to a value."""

    field_id: str = ""
    value: str = ""


@dataclass(frozen=True)
class SetStatus(Action):
    """Set the ticket's status (a neutral name: open, pending, hold, solved)."""

    status: str = ""


@dataclass(frozen=True)
class EscalateToJira(Action):
    """Create a tracker issue for the ticket and link it (project and type chosen per group)."""

    project: str = ""
    issue_type: str = ""
    summary: str = ""
    description: str = ""


@dataclass(frozen=True)
class LinkIssue(Action):
    """Link an existing tracker issue to the ticket (a remote link on the issue, fields on the ticket)."""

    issue_key: str = ""


@dataclass(frozen=True)
class RecordHandoff(Action):
    """Record the outcome of a reassignment in Baton's store (no helpdesk write)."""

    outcome: str = ""
    missing: tuple[str, ...] = ()
    vague: tuple[str, ...] = ()
    details: dict = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class RecordQuality(Action):
    """Record whether the first reply after a handoff asked the customer to repeat themselves."""

    repeat: bool = False
    asked_again: tuple[dict, ...] = field(default=(), hash=False, compare=False)
    reply_comment_id: str = ""
    reply_at: str = ""


TICKET_WRITES = (RevertAssignment, InternalNote, PublicReply, AddTags, RemoveTags, SetField, SetStatus)
TRACKER_WRITES = (EscalateToJira, LinkIssue)

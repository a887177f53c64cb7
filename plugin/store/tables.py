"""Baton's tables: handoffs, applied actions, processed events, dead letters, shifts, issue links.

SQLite by default, PostgreSQL by DATABASE_URL. Tables are created on start-up.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

handoffs = Table(
    "handoffs", metadata,
    Column("id", Integer, primary_key=True),
    Column("vendor", String(20), nullable=False),
    Column("ticket_id", String(100), nullable=False, index=True),
    Column("change_id", String(100), nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False, index=True),
    Column("recorded_at", DateTime(timezone=True), nullable=False, index=True),
    Column("actor_id", String(100)),
    Column("from_assignee", String(100)), Column("from_group", String(100)),
    Column("to_assignee", String(100)), Column("to_group", String(100)),
    Column("outcome", String(20), nullable=False),
    Column("missing", String(200), nullable=False, default=""),
    Column("vague", String(200), nullable=False, default=""),
    Column("details", JSON, nullable=False, default=dict),
    Column("repeat_question", Boolean),  # None until the receiving agent's first reply is judged
    Column("asked_again", JSON),
    Column("first_reply_at", DateTime(timezone=True)),
    Column("first_reply_seconds", Integer),
    Column("bounced", Boolean, nullable=False, default=False),  # sent straight back by its next move
    UniqueConstraint("vendor", "ticket_id", "change_id", name="uq_handoff_change"),
    # Covering indexes for the quality page: its aggregates read only these columns.
    Index("ix_handoffs_quality", "outcome", "changed_at", "to_group", "from_assignee", "to_assignee",
          "repeat_question", "first_reply_seconds", "bounced"),
    Index("ix_handoffs_ticket", "vendor", "ticket_id", "changed_at"),
)

actions = Table(
    "actions", metadata,
    Column("key", String(400), primary_key=True),
    Column("vendor", String(20), nullable=False),
    Column("ticket_id", String(100), nullable=False, index=True),
    Column("rule", String(60), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("event_id", String(200), nullable=False),
    Column("applied_at", DateTime(timezone=True), nullable=False),
)

events = Table(
    "events", metadata,
    Column("id", Integer, primary_key=True),
    Column("vendor", String(20), nullable=False),
    Column("event_id", String(200), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("ticket_id", String(100), nullable=False, index=True),
    Column("processed_at", DateTime(timezone=True), nullable=False, index=True),
    Column("outcome", String(200), nullable=False),
)

dead_letters = Table(
    "dead_letters", metadata,
    Column("id", Integer, primary_key=True),
    Column("vendor", String(20), nullable=False),
    Column("event_id", String(200), nullable=False),
    Column("event", JSON, nullable=False),
    Column("reason", Text, nullable=False),
    Column("failed_at", DateTime(timezone=True), nullable=False, index=True),
    Column("replayed_at", DateTime(timezone=True)),
)

ticket_assignments = Table(
    "ticket_assignments", metadata,
    Column("vendor", String(20), primary_key=True),
    Column("ticket_id", String(100), primary_key=True),
    Column("assignee_id", String(100)),
    Column("group_id", String(100)),
    Column("seen_at", DateTime(timezone=True), nullable=False),
)

shift_runs = Table(
    "shift_runs", metadata,
    Column("shift_key", String(120), primary_key=True),
    Column("phase", String(20), primary_key=True),
    Column("claimed_at", DateTime(timezone=True), nullable=False),
)

wrapup_digests = Table(
    "wrapup_digests", metadata,
    Column("id", Integer, primary_key=True),
    Column("shift_key", String(120), nullable=False, index=True),
    Column("shift_name", String(60), nullable=False),
    Column("team", String(60), nullable=False, default=""),
    Column("agent_id", String(100), nullable=False),
    Column("ended_at", DateTime(timezone=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    Column("entries", JSON, nullable=False),
    UniqueConstraint("shift_key", "agent_id", name="uq_digest_agent"),
)

links = Table(
    "links", metadata,
    Column("id", Integer, primary_key=True),
    Column("vendor", String(20), nullable=False),
    Column("ticket_id", String(100), nullable=False),
    Column("issue_key", String(100), nullable=False, index=True),
    Column("linked_at", DateTime(timezone=True), nullable=False),
    Column("last_status", String(100), nullable=False, default=""),
    # The newest Jira change mirrored: (timestamp_ms, changelog_id) orders out-of-order deliveries.
    Column("last_timestamp_ms", BigInteger, nullable=False, default=0),
    Column("last_changelog_id", BigInteger, nullable=False, default=0),
    UniqueConstraint("vendor", "ticket_id", "issue_key", name="uq_link"),
    Index("ix_links_ticket", "vendor", "ticket_id"),
)

settings_kv = Table(
    "kv", metadata,
    Column("key", String(200), primary_key=True),
    Column("value", Text, nullable=False),
)


def utcnow() -> datetime:
    """Return the current time, aware, in UTC."""
    return datetime.now(UTC)


def aware(moment: datetime) -> datetime:
    """Treat a naive datetime read back from SQLite as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

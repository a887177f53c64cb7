"""Baton's records: handoffs, applied actions, processed events and dead letters.

SQLite by default, PostgreSQL by DATABASE_URL; no state lives in a process.
The actions table is the idempotency ledger: an action key recorded as applied
is never applied again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from plugin.model import Assignment, KnownAssignment

metadata = MetaData()

handoffs = Table(
    "handoffs", metadata,
    Column("id", Integer, primary_key=True),
    Column("vendor", String(20), nullable=False),
    Column("ticket_id", String(100), nullable=False, index=True),
    Column("change_id", String(100), nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False, index=True),
    Column("actor_id", String(100)),
    Column("from_assignee", String(100)), Column("from_group", String(100)),
    Column("to_assignee", String(100)), Column("to_group", String(100)),
    Column("outcome", String(20), nullable=False, index=True),
    Column("missing", String(200), nullable=False, default=""),
    Column("vague", String(200), nullable=False, default=""),
    Column("details", JSON, nullable=False, default=dict),
    Column("repeat_question", Boolean),  # None until the receiving agent's first reply is judged
    Column("asked_again", JSON),
    Column("first_reply_at", DateTime(timezone=True)),
    Column("first_reply_seconds", Integer),
    UniqueConstraint("vendor", "ticket_id", "change_id", name="uq_handoff_change"),
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

settings_kv = Table(
    "kv", metadata,
    Column("key", String(200), primary_key=True),
    Column("value", Text, nullable=False),
)


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class HandoffRecord:
    """One reassignment and what Baton made of it."""

    vendor: str
    ticket_id: str
    change_id: str
    changed_at: datetime
    actor_id: str | None
    from_assignee: str | None
    from_group: str | None
    to_assignee: str | None
    to_group: str | None
    outcome: str
    missing: tuple[str, ...] = ()
    vague: tuple[str, ...] = ()
    details: dict[str, Any] | None = None


class Store:
    """Queries over Baton's tables; one instance per process, safe across threads."""

    def __init__(self, url: str):
        self.url = url
        connect_args = {"check_same_thread": False, "timeout": 30} if url.startswith("sqlite") else {}
        self.engine: Engine = create_engine(url, connect_args=connect_args, pool_pre_ping=True)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        metadata.create_all(self.engine)

    def ping(self) -> bool:
        """Tell whether the database answers."""
        with self.engine.connect() as conn:
            return conn.execute(select(1)).scalar() == 1

    def applied_keys(self, keys: list[str]) -> set[str]:
        """Return which of these action keys were already applied."""
        if not keys:
            return set()
        with self.engine.connect() as conn:
            rows = conn.execute(select(actions.c.key).where(actions.c.key.in_(keys)))
            return {row.key for row in rows}

    def record_action(self, key: str, vendor: str, ticket_id: str, rule: str, kind: str,
                      event_id: str) -> None:
        """Mark an action applied; recording it twice is harmless."""
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(actions).values(
                    key=key, vendor=vendor, ticket_id=ticket_id, rule=rule, kind=kind,
                    event_id=event_id, applied_at=_utcnow()))
        except IntegrityError:
            pass

    def record_handoff(self, record: HandoffRecord) -> bool:
        """Store a handoff once per change; return False when it was already recorded."""
        values = {**record.__dict__, "missing": ",".join(record.missing),
                  "vague": ",".join(record.vague), "details": record.details or {},
                  "recorded_at": _utcnow()}
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(handoffs).values(**values))
        except IntegrityError:
            return False
        return True

    def record_event(self, vendor: str, event_id: str, kind: str, ticket_id: str, outcome: str) -> None:
        """Remember that an event was processed and how it ended."""
        with self.engine.begin() as conn:
            conn.execute(insert(events).values(vendor=vendor, event_id=event_id, kind=kind,
                                               ticket_id=ticket_id, outcome=outcome[:200],
                                               processed_at=_utcnow()))

    def record_dead_letter(self, vendor: str, event_id: str, event_data: dict, reason: str) -> int:
        """Park an event that could not be processed, with its reason, for replay."""
        with self.engine.begin() as conn:
            result = conn.execute(insert(dead_letters).values(
                vendor=vendor, event_id=event_id, event=event_data, reason=reason, failed_at=_utcnow()))
            return int(result.inserted_primary_key[0])

    def dead_letters(self, include_replayed: bool = False) -> list[dict[str, Any]]:
        """List dead letters, newest first."""
        query = select(dead_letters).order_by(dead_letters.c.id.desc())
        if not include_replayed:
            query = query.where(dead_letters.c.replayed_at.is_(None))
        with self.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    def mark_replayed(self, dead_letter_id: int) -> dict[str, Any] | None:
        """Mark a dead letter replayed and return its event, or None if unknown or done."""
        with self.engine.begin() as conn:
            row = conn.execute(select(dead_letters).where(
                dead_letters.c.id == dead_letter_id, dead_letters.c.replayed_at.is_(None))).first()
            if row is None:
                return None
            conn.execute(update(dead_letters).where(dead_letters.c.id == dead_letter_id)
                         .values(replayed_at=_utcnow()))
            return dict(row.event)

    def recent_handoffs(self, limit: int = 50, ticket_id: str | None = None) -> list[dict[str, Any]]:
        """Return the latest handoffs, newest first."""
        query = select(handoffs).order_by(handoffs.c.recorded_at.desc(), handoffs.c.id.desc()).limit(limit)
        if ticket_id:
            query = query.where(handoffs.c.ticket_id == ticket_id)
        with self.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    def handoff_queue(self, since: datetime, limit: int = 200) -> list[dict[str, Any]]:
        """Return tickets transferred since a moment (accepted or flagged), newest first, one per ticket."""
        query = (select(handoffs).where(handoffs.c.recorded_at >= since,
                                        handoffs.c.outcome.in_(("accepted", "flagged")))
                 .order_by(handoffs.c.recorded_at.desc(), handoffs.c.id.desc()).limit(limit * 4))
        with self.engine.connect() as conn:
            rows = [dict(row._mapping) for row in conn.execute(query)]
        seen: set[tuple[str, str]] = set()
        latest = []
        for row in rows:
            if (row["vendor"], row["ticket_id"]) not in seen:
                seen.add((row["vendor"], row["ticket_id"]))
                latest.append(row)
        return latest[:limit]

    def record_quality(self, vendor: str, ticket_id: str, change_id: str, repeat: bool,
                       asked_again: list[dict[str, Any]], reply_at: datetime) -> bool:
        """Store the first-reply verdict of a transfer once; False when already judged or not a transfer."""
        where = (handoffs.c.vendor == vendor, handoffs.c.ticket_id == ticket_id,
                 handoffs.c.change_id == change_id, handoffs.c.repeat_question.is_(None),
                 handoffs.c.outcome.in_(("accepted", "flagged")))
        with self.engine.begin() as conn:
            row = conn.execute(select(handoffs.c.changed_at).where(*where)).first()
            if row is None:
                return False
            changed = row.changed_at if row.changed_at.tzinfo else row.changed_at.replace(tzinfo=UTC)
            conn.execute(update(handoffs).where(*where).values(
                repeat_question=repeat, asked_again=asked_again, first_reply_at=reply_at,
                first_reply_seconds=max(int((reply_at - changed).total_seconds()), 0)))
        return True

    def pending_transfer(self, vendor: str, ticket_id: str) -> Assignment | None:
        """Return the ticket's latest transfer if its first reply has not been judged yet."""
        query = (select(handoffs).where(handoffs.c.vendor == vendor, handoffs.c.ticket_id == ticket_id,
                                        handoffs.c.outcome.in_(("accepted", "flagged")))
                 .order_by(handoffs.c.changed_at.desc(), handoffs.c.id.desc()).limit(1))
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None or row.repeat_question is not None:
            return None
        changed = row.changed_at if row.changed_at.tzinfo else row.changed_at.replace(tzinfo=UTC)
        return Assignment(id=row.change_id, at=changed, actor_id=row.actor_id, actor_kind="agent", channel="",
                          previous_assignee_id=row.from_assignee, assignee_id=row.to_assignee,
                          previous_group_id=row.from_group, group_id=row.to_group)

    def ticket_trail(self, vendor: str, ticket_id: str) -> list[dict[str, Any]]:
        """Return every reassignment of one ticket, oldest first: who moved it, where, with which note."""
        query = (select(handoffs).where(handoffs.c.vendor == vendor, handoffs.c.ticket_id == ticket_id)
                 .order_by(handoffs.c.changed_at, handoffs.c.id))
        with self.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    def outcome_counts(self) -> dict[str, int]:
        """Count handoffs by outcome."""
        query = select(handoffs.c.outcome, func.count()).group_by(handoffs.c.outcome)
        with self.engine.connect() as conn:
            return {outcome: count for outcome, count in conn.execute(query)}

    def event_outcomes(self, ticket_id: str | None = None) -> list[dict[str, Any]]:
        """Return processed events, oldest first (for tests, the demo and debugging)."""
        query = select(events).order_by(events.c.id)
        if ticket_id:
            query = query.where(events.c.ticket_id == ticket_id)
        with self.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    def last_assignment(self, vendor: str, ticket_id: str) -> KnownAssignment | None:
        """Return who held the ticket when Baton last saw it, if it has seen it."""
        query = select(ticket_assignments).where(ticket_assignments.c.vendor == vendor,
                                                 ticket_assignments.c.ticket_id == ticket_id)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        seen = row.seen_at if row.seen_at.tzinfo else row.seen_at.replace(tzinfo=UTC)
        return KnownAssignment(row.assignee_id, row.group_id, seen)

    def remember_assignment(self, vendor: str, ticket_id: str, assignee_id: str | None,
                            group_id: str | None) -> None:
        """Record who holds the ticket now (for helpdesks whose API has no assignment history)."""
        values = {"assignee_id": assignee_id, "group_id": group_id, "seen_at": _utcnow()}
        where = (ticket_assignments.c.vendor == vendor, ticket_assignments.c.ticket_id == ticket_id)
        with self.engine.begin() as conn:
            if conn.execute(update(ticket_assignments).where(*where).values(**values)).rowcount == 0:
                conn.execute(insert(ticket_assignments).values(vendor=vendor, ticket_id=ticket_id, **values))

    def claim_shift_run(self, shift_key: str, phase: str) -> bool:
        """Claim a shift's reminder or digest; only the first claimant in any process gets True."""
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(shift_runs).values(shift_key=shift_key, phase=phase, claimed_at=_utcnow()))
        except IntegrityError:
            return False
        return True

    def save_digest(self, shift_key: str, shift_name: str, team: str, agent_id: str, ended_at: datetime,
                    entries: list[dict[str, Any]]) -> None:
        """Store one agent's end-of-shift digest (once per shift and agent)."""
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(wrapup_digests).values(
                    shift_key=shift_key, shift_name=shift_name, team=team, agent_id=agent_id,
                    ended_at=ended_at, created_at=_utcnow(), entries=entries))
        except IntegrityError:
            pass

    def digests(self, limit: int = 50) -> list[dict[str, Any]]:
        """Return the latest end-of-shift digests, newest first."""
        query = select(wrapup_digests).order_by(wrapup_digests.c.created_at.desc(),
                                                wrapup_digests.c.id.desc()).limit(limit)
        with self.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    def digest(self, digest_id: int) -> dict[str, Any] | None:
        """Return one digest by id."""
        with self.engine.connect() as conn:
            row = conn.execute(select(wrapup_digests).where(wrapup_digests.c.id == digest_id)).first()
        return dict(row._mapping) if row else None

    def get_value(self, key: str) -> str | None:
        """Read a small cached value (e.g. Baton's own helpdesk user id)."""
        with self.engine.connect() as conn:
            return conn.execute(select(settings_kv.c.value).where(settings_kv.c.key == key)).scalar()

    def set_value(self, key: str, value: str) -> None:
        """Write a small cached value."""
        with self.engine.begin() as conn:
            if conn.execute(update(settings_kv).where(settings_kv.c.key == key)
                            .values(value=value)).rowcount == 0:
                conn.execute(insert(settings_kv).values(key=key, value=value))


def _sqlite_pragmas(dbapi_connection: Any, _: Any) -> None:
    """WAL lets the dashboard read while workers write."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def dumps(value: Any) -> str:
    """Serialize for logs and exports."""
    return json.dumps(value, default=str, sort_keys=True)

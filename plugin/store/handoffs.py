"""Queries about handoffs: recording them, the queue, one ticket's trail, first-reply quality."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from plugin.model import Assignment
from plugin.store.tables import handoffs, utcnow


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


GUARDED = ("accepted", "flagged", "reverted")


def _bounces(conn: Any, record: HandoffRecord) -> bool:
    """Tell whether a move sends the ticket straight back where the previous move took it from."""
    previous = conn.execute(
        select(handoffs.c.from_assignee, handoffs.c.to_assignee, handoffs.c.from_group, handoffs.c.to_group)
        .where(handoffs.c.vendor == record.vendor, handoffs.c.ticket_id == record.ticket_id,
               handoffs.c.outcome.in_(GUARDED), handoffs.c.changed_at <= record.changed_at)
        .order_by(handoffs.c.changed_at.desc(), handoffs.c.id.desc()).limit(1)).first()
    if previous is None:
        return False
    back_agents = (record.from_assignee, record.to_assignee) == (previous.to_assignee, previous.from_assignee)
    back_groups = (record.from_group, record.to_group) == (previous.to_group, previous.from_group) and (
        record.from_group != record.to_group)
    return bool(record.from_assignee and back_agents) or bool(record.from_group and back_groups)


class HandoffQueries:
    """Handoff reads and writes, mixed into Store (which provides ``engine``)."""

    engine: Engine

    def record_handoff(self, record: HandoffRecord) -> bool:
        """Store a handoff once per change; return False when it was already recorded."""
        values = {**record.__dict__, "missing": ",".join(record.missing),
                  "vague": ",".join(record.vague), "details": record.details or {},
                  "recorded_at": utcnow()}
        try:
            with self.engine.begin() as conn:
                values["bounced"] = record.outcome in GUARDED and _bounces(conn, record)
                conn.execute(insert(handoffs).values(**values))
        except IntegrityError:
            return False
        return True

    def recent_handoffs(self, limit: int = 50, ticket_id: str | None = None) -> list[dict[str, Any]]:
        """Return the latest handoffs, newest first."""
        query = select(handoffs).order_by(handoffs.c.recorded_at.desc(), handoffs.c.id.desc()).limit(limit)
        if ticket_id:
            query = query.where(handoffs.c.ticket_id == ticket_id)
        with self.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    def handoff_queue(self, since: datetime, limit: int = 200) -> list[dict[str, Any]]:
        """Return tickets transferred since a moment (accepted or flagged), newest first, one per ticket."""
        query = (select(handoffs).where(handoffs.c.changed_at >= since,
                                        handoffs.c.outcome.in_(("accepted", "flagged")))
                 .order_by(handoffs.c.changed_at.desc(), handoffs.c.id.desc()).limit(limit * 4))
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

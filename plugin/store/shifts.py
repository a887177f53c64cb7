"""Queries about who holds tickets and about shifts: last known assignment, wrap-up claims, digests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from plugin.model import KnownAssignment
from plugin.store.tables import shift_runs, ticket_assignments, utcnow, wrapup_digests


class ShiftQueries:
    """Assignment memory and shift wrap-up records, mixed into Store (which provides ``engine``)."""

    engine: Engine

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
        values = {"assignee_id": assignee_id, "group_id": group_id, "seen_at": utcnow()}
        where = (ticket_assignments.c.vendor == vendor, ticket_assignments.c.ticket_id == ticket_id)
        with self.engine.begin() as conn:
            if conn.execute(update(ticket_assignments).where(*where).values(**values)).rowcount == 0:
                conn.execute(insert(ticket_assignments).values(vendor=vendor, ticket_id=ticket_id, **values))

    def claim_shift_run(self, shift_key: str, phase: str) -> bool:
        """Claim a shift's reminder or digest; only the first claimant in any process gets True."""
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(shift_runs).values(shift_key=shift_key, phase=phase, claimed_at=utcnow()))
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
                    ended_at=ended_at, created_at=utcnow(), entries=entries))
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

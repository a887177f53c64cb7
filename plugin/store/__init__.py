"""Baton's records: handoffs, applied actions, processed events and dead letters.

SQLite by default, PostgreSQL by DATABASE_URL; no state lives in a process.
The actions table is the idempotency ledger: an action key recorded as applied
is never applied again.
"""

from __future__ import annotations

import json
import time
from typing import Any

from sqlalchemy import case, create_engine, event, func, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

from plugin.store.analytics import AnalyticsQueries
from plugin.store.handoffs import HandoffQueries, HandoffRecord
from plugin.store.links import LinkQueries
from plugin.store.shifts import ShiftQueries
from plugin.store.tables import actions, dead_letters, events, metadata, settings_kv, utcnow

__all__ = ["HandoffRecord", "Store", "dumps"]


class Store(HandoffQueries, ShiftQueries, AnalyticsQueries, LinkQueries):
    """Queries over Baton's tables; one instance per process, safe across threads."""

    def __init__(self, url: str):
        self.url = url
        connect_args = {"check_same_thread": False, "timeout": 30} if url.startswith("sqlite") else {}
        self.engine: Engine = create_engine(url, connect_args=connect_args, pool_pre_ping=True)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._create_tables()

    def _create_tables(self, attempts: int = 5) -> None:
        """Create missing tables; another process creating them at the same moment is not an error.

        gunicorn starts its workers together, and each checks then creates: the loser of that
        race sees "already exists" and simply checks again.
        """
        for attempt in range(attempts):
            try:
                metadata.create_all(self.engine)
                return
            except (OperationalError, ProgrammingError, IntegrityError):
                if attempt == attempts - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))

    def optimize(self) -> None:
        """Refresh the query planner's statistics (SQLite: ANALYZE), so dashboard queries use their indexes."""
        if not self.url.startswith("sqlite"):
            return  # PostgreSQL's autovacuum keeps its statistics current
        with self.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")

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
                    event_id=event_id, applied_at=utcnow()))
        except IntegrityError:
            pass

    def record_event(self, vendor: str, event_id: str, kind: str, ticket_id: str, outcome: str) -> None:
        """Remember that an event was processed and how it ended."""
        with self.engine.begin() as conn:
            conn.execute(insert(events).values(vendor=vendor, event_id=event_id, kind=kind,
                                               ticket_id=ticket_id, outcome=outcome[:200],
                                               processed_at=utcnow()))

    def record_dead_letter(self, vendor: str, event_id: str, event_data: dict, reason: str) -> int:
        """Park an event that could not be processed, with its reason, for replay."""
        with self.engine.begin() as conn:
            result = conn.execute(insert(dead_letters).values(
                vendor=vendor, event_id=event_id, event=event_data, reason=reason, failed_at=utcnow()))
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
                         .values(replayed_at=utcnow()))
            return dict(row.event)

    def event_counts(self) -> list[dict[str, Any]]:
        """Count processed events by vendor, kind and result (a dead letter is a failure)."""
        failed = events.c.outcome.like("dead letter%")
        result = case((failed, "failed"), else_="processed")
        query = select(events.c.vendor, events.c.kind, result.label("result"), func.count().label("count")) \
            .group_by(events.c.vendor, events.c.kind, result).order_by(events.c.vendor, events.c.kind)
        with self.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    def event_outcomes(self, ticket_id: str | None = None) -> list[dict[str, Any]]:
        """Return processed events, oldest first (for tests, the demo and debugging)."""
        query = select(events).order_by(events.c.id)
        if ticket_id:
            query = query.where(events.c.ticket_id == ticket_id)
        with self.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

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

"""Handoff quality figures for the dashboard: aggregates computed in the database.

Volume counts every guarded move (accepted, flagged, reverted); a note is
complete when the move was accepted; the repeat-question rate is over the
transfers whose first reply has been judged.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.engine import Engine

from plugin.store.tables import handoffs

GUARDED = ("accepted", "flagged", "reverted")
DIMENSIONS = {"team": handoffs.c.to_group, "sender": handoffs.c.from_assignee,
              "receiver": handoffs.c.to_assignee}


def _measures() -> list[Any]:
    judged = handoffs.c.repeat_question.is_not(None)
    return [
        func.count().label("volume"),
        func.sum(case((handoffs.c.outcome == "accepted", 1), else_=0)).label("complete"),
        func.sum(case((judged, 1), else_=0)).label("judged"),
        func.sum(case((handoffs.c.repeat_question.is_(True), 1), else_=0)).label("repeats"),
        func.avg(handoffs.c.first_reply_seconds).label("avg_first_reply_seconds"),
    ]


def _shape(row: Any) -> dict[str, Any]:
    data = dict(row._mapping)
    volume, judged = data["volume"] or 0, data["judged"] or 0
    data["complete_share"] = round((data["complete"] or 0) / volume, 3) if volume else None
    data["repeat_rate"] = round((data["repeats"] or 0) / judged, 3) if judged else None
    seconds = data["avg_first_reply_seconds"]
    data["avg_first_reply_seconds"] = round(float(seconds)) if seconds is not None else None
    return data


class AnalyticsQueries:
    """Aggregates over handoffs, mixed into Store (which provides ``engine``)."""

    engine: Engine

    def _window(self, since: datetime) -> Any:
        return and_(handoffs.c.changed_at >= since, handoffs.c.outcome.in_(GUARDED))

    def quality_totals(self, since: datetime) -> dict[str, Any]:
        """Return volume, complete-note share, repeat rate and time to first reply since a moment."""
        with self.engine.connect() as conn:
            row = conn.execute(select(*_measures()).where(self._window(since))).one()
        totals = _shape(row)
        totals["ping_pong_tickets"] = self.ping_pong_tickets(since)
        return totals

    def quality_by(self, dimension: str, since: datetime, limit: int = 50) -> list[dict[str, Any]]:
        """Return the same figures per team (destination group), sending agent or receiving agent."""
        column = DIMENSIONS[dimension]
        query = (select(column.label("key"), *_measures()).where(self._window(since)).group_by(column)
                 .order_by(func.count().desc()).limit(limit))
        with self.engine.connect() as conn:
            return [_shape(row) for row in conn.execute(query)]

    def quality_by_day(self, since: datetime) -> list[dict[str, Any]]:
        """Return the figures per day, oldest first (for the charts)."""
        day = func.date(handoffs.c.changed_at)
        query = select(day.label("day"), *_measures()).where(self._window(since)).group_by(day).order_by(day)
        with self.engine.connect() as conn:
            return [{**_shape(row), "day": str(row.day)} for row in conn.execute(query)]

    def ping_pong_tickets(self, since: datetime) -> int:
        """Count tickets bounced straight back (A to B, then B to A; agents or groups), marked when recorded."""
        query = select(func.count(func.distinct(handoffs.c.vendor + ":" + handoffs.c.ticket_id))).where(
            self._window(since), handoffs.c.bounced.is_(True))
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar() or 0)

"""Queries about ticket <-> issue links: many to many, each with the last status mirrored onto the ticket."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from plugin.model import IssueLink
from plugin.store.tables import links, utcnow


class LinkQueries:
    """Link reads and writes, mixed into Store (which provides ``engine``)."""

    engine: Engine

    def link(self, vendor: str, ticket_id: str, issue_key: str, status: str, timestamp_ms: int) -> bool:
        """Record a link with the issue's status at link time; False when it already existed.

        An existing link whose status is still unknown (recorded right after creating the issue)
        takes the status now read.
        """
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(links).values(
                    vendor=vendor, ticket_id=ticket_id, issue_key=issue_key, linked_at=utcnow(),
                    last_status=status, last_timestamp_ms=timestamp_ms, last_changelog_id=0))
        except IntegrityError:
            if status:
                with self.engine.begin() as conn:
                    conn.execute(update(links).where(
                        links.c.vendor == vendor, links.c.ticket_id == ticket_id, links.c.issue_key == issue_key,
                        links.c.last_status == "").values(last_status=status))
            return False
        return True

    def links_for_ticket(self, vendor: str, ticket_id: str) -> tuple[IssueLink, ...]:
        """Return the issues a ticket is linked to, oldest link first."""
        query = (select(links).where(links.c.vendor == vendor, links.c.ticket_id == ticket_id)
                 .order_by(links.c.id))
        with self.engine.connect() as conn:
            return tuple(IssueLink(row.issue_key, row.last_status) for row in conn.execute(query))

    def tickets_for_issue(self, issue_key: str) -> list[dict[str, Any]]:
        """Return every ticket linked to an issue, with what was last mirrored onto it."""
        query = select(links).where(links.c.issue_key == issue_key).order_by(links.c.id)
        with self.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    def linked_issue_keys(self) -> list[str]:
        """Return every issue key linked to at least one ticket."""
        with self.engine.connect() as conn:
            return sorted({row.issue_key for row in conn.execute(select(links.c.issue_key))})

    def record_mirrored(self, vendor: str, ticket_id: str, issue_key: str, status: str,
                        timestamp_ms: int, changelog_id: int) -> bool:
        """Advance a link's mirrored status only for a newer change; False when it was not newer."""
        row = links.c
        newer = (row.last_timestamp_ms < timestamp_ms) | (
            (row.last_timestamp_ms == timestamp_ms) & (row.last_changelog_id < changelog_id))
        with self.engine.begin() as conn:
            result = conn.execute(update(links).where(
                row.vendor == vendor, row.ticket_id == ticket_id, row.issue_key == issue_key, newer).values(
                last_status=status, last_timestamp_ms=timestamp_ms, last_changelog_id=changelog_id))
        return result.rowcount > 0

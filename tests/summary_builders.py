"""Build small tickets by hand for the summary tests (helpers only, no tests here)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from plugin.model import Assignment, Comment, Ticket, TicketContext

START = datetime(2025, 6, 10, 7, 0, tzinfo=UTC)  # Tuesday, 09:00 in Berlin


def comment(cid: str, role: str, body: str, minutes: int, public: bool = True) -> Comment:
    """Return a comment ``minutes`` after START."""
    return Comment(id=cid, author_id=None, author_role=role, public=public,
                   created_at=START + timedelta(minutes=minutes), body=body)


def context(*comments: Comment, timezone: str = "Europe/Berlin", reassignments: int = 0,
            status: str = "open") -> TicketContext:
    """Return a ticket context holding ``comments``."""
    ticket = Ticket(id="1", vendor="zendesk", subject="Charged twice", status=status,
                    assignee_id="a1", group_id="g1")
    assignments = tuple(
        Assignment(id=f"as{n}", at=START + timedelta(minutes=n), actor_id="x",
                   actor_kind="agent", channel="web", previous_assignee_id=f"a{n}",
                   assignee_id=f"a{n + 1}", previous_group_id="g1", group_id="g1")
        for n in range(reassignments)
    )
    now = max((c.created_at for c in comments), default=START) + timedelta(minutes=5)
    return TicketContext(ticket=ticket, comments=tuple(comments), assignments=assignments,
                         now=now, timezone=timezone)


def billing_ticket() -> TicketContext:
    """Return the DESIGN.md example as a conversation."""
    return context(
        comment("11", "customer", "I was charged twice for the May subscription. I've been "
                "paying for three years and I'm thinking about cancelling.", 0),
        comment("12", "agent", "I'm sorry about that. I refunded the duplicate charge in the "
                "billing admin but the refund errored with code R42. I'll get you an answer "
                "by end of day today.", 20),
        comment("13", "agent", "Refund errored R42, needs someone with Stripe access.", 25,
                public=False),
        comment("14", "customer", "This is ridiculous, second time this happens.", 40),
    )

"""The vendor-neutral Event: what a webhook becomes before it is queued.

Webhook modules build Events; the worker reads them. The raw payload rides along
for debugging and replay, never for rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from marshmallow import Schema, fields, post_load, validate

# What happened, in Baton's words. Vendor event names map onto these in webhooks/.
EVENT_KINDS = (
    "assignment_changed",  # assignee and/or group changed
    "comment_added",
    "tags_changed",
    "ticket_updated",  # something else changed; worker decides whether it matters
    "issue_updated",  # a linked tracker issue changed (Jira)
)


@dataclass(frozen=True)
class Event:
    """One thing that happened in a helpdesk, as Baton understands it."""

    id: str
    vendor: str
    kind: str
    ticket_id: str
    occurred_at: str
    actor_id: str | None = None
    previous: dict[str, str | None] = field(default_factory=dict)
    current: dict[str, str | None] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def dedupe_key(self) -> str:
        """Key under which redeliveries of this event are recognised."""
        return f"{self.vendor}:{self.id}"

    def to_dict(self) -> dict[str, Any]:
        """Serialize to plain JSON types (for RQ's JSON serializer); on the ack path, so no schema."""
        return {"id": self.id, "vendor": self.vendor, "kind": self.kind, "ticket_id": self.ticket_id,
                "occurred_at": self.occurred_at, "actor_id": self.actor_id, "previous": dict(self.previous),
                "current": dict(self.current), "raw": self.raw}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Event:
        """Rebuild an Event from ``to_dict`` output, validating it (the worker reads untrusted Redis)."""
        return _SCHEMA.load(data)


class EventSchema(Schema):
    id = fields.String(required=True, validate=validate.Length(1, 200))
    vendor = fields.String(required=True, validate=validate.OneOf(("zendesk", "freshdesk", "jira")))
    kind = fields.String(required=True, validate=validate.OneOf(EVENT_KINDS))
    ticket_id = fields.String(required=True, validate=validate.Length(1, 100))
    occurred_at = fields.String(required=True)
    actor_id = fields.String(allow_none=True, load_default=None)
    previous = fields.Dict(keys=fields.String(), values=fields.String(allow_none=True),
                           load_default=dict)
    current = fields.Dict(keys=fields.String(), values=fields.String(allow_none=True),
                          load_default=dict)
    raw = fields.Dict(load_default=dict)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Event:
        return Event(**data)


_SCHEMA = EventSchema()

"""Reading Zendesk's shapes: audits into comments and assignment history, tickets into snapshots.

Pure functions over the JSON the API returns, so they are tested against recorded
payloads without a server.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from plugin.events import Event
from plugin.model import Assignment, Comment, Ticket

KEYS_FIELD = "baton_keys"


def id_or_none(value: Any) -> str | None:
    return None if value in (None, "", "null") else str(value)


def parse_time(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def parse_audits(audits: list[dict[str, Any]], requester_id: str | None,
                 baton_user_id: str | None) -> tuple[list[Comment], list[Assignment], set[str]]:
    """Read comments, assignment changes and Baton's applied keys out of a ticket's audits."""
    comments: list[Comment] = []
    assignments: list[Assignment] = []
    keys: set[str] = set()
    ordered = sorted(audits, key=lambda a: (parse_time(a["created_at"]), int(a.get("id") or 0)))
    for seq, audit in enumerate(ordered):
        author = id_or_none(audit.get("author_id"))
        at = parse_time(audit["created_at"])
        keys.update((audit.get("metadata") or {}).get("custom", {}).get(KEYS_FIELD) or [])
        for event in audit.get("events") or []:
            if event.get("type") == "Comment":
                comments.append(_comment(event, author, at, requester_id, baton_user_id, seq))
        change = _assignment(audit, author, at, baton_user_id, seq)
        if change:
            assignments.append(change)
    return comments, assignments, keys


def _comment(event: dict[str, Any], audit_author: str | None, at: datetime, requester_id: str | None,
             baton_user_id: str | None, seq: int) -> Comment:
    author = id_or_none(event.get("author_id")) or audit_author
    role = "system" if author == baton_user_id or author == "-1" else (
        "customer" if author == requester_id else "agent")
    return Comment(id=str(event.get("id")), author_id=author, author_role=role,
                   public=bool(event.get("public", True)), created_at=at,
                   body=str(event.get("body") or event.get("plain_body") or ""),
                   html=str(event.get("html_body") or ""), seq=seq)


def _assignment(audit: dict[str, Any], author: str | None, at: datetime,
                baton_user_id: str | None, seq: int) -> Assignment | None:
    changes = {e.get("field_name"): e for e in audit.get("events") or []
               if e.get("type") in ("Change", "Create")
               and e.get("field_name") in ("assignee_id", "group_id")}
    if not changes:
        return None
    by_rule = any((e.get("via") or {}).get("channel") == "rule" for e in changes.values())
    kind = "baton" if baton_user_id and author == baton_user_id else (
        "rule" if by_rule else "system" if author in (None, "-1") else "agent")
    assignee, group = changes.get("assignee_id"), changes.get("group_id")
    return Assignment(
        id=str(audit.get("id")), at=at, actor_id=author, actor_kind=kind,
        channel=str((audit.get("via") or {}).get("channel") or ""),
        previous_assignee_id=id_or_none(assignee.get("previous_value")) if assignee else None,
        assignee_id=id_or_none(assignee.get("value")) if assignee else None,
        previous_group_id=id_or_none(group.get("previous_value")) if group else None,
        group_id=id_or_none(group.get("value")) if group else None, seq=seq,
    )


def custom_field_values(audits: list[dict[str, Any]]) -> dict[str, str]:
    """Read the latest value of each custom field from the audits' Change events (ids as names)."""
    values: dict[str, str] = {}
    for audit in sorted(audits, key=lambda a: (parse_time(a["created_at"]), int(a.get("id") or 0))):
        for event in audit.get("events") or []:
            name = str(event.get("field_name") or "")
            if event.get("type") in ("Change", "Create") and name.isdigit():
                values[name] = "" if event.get("value") is None else str(event["value"])
    return {k: v for k, v in values.items() if v}


def fill_unchanged(assignments: list[Assignment]) -> list[Assignment]:
    """Carry the assignee or group an audit did not change forward from earlier audits."""
    filled: list[Assignment] = []
    assignee: str | None = None
    group: str | None = None
    for a in assignments:
        moved_assignee = a.assignee_id is not None or a.previous_assignee_id is not None
        moved_group = a.group_id is not None or a.previous_group_id is not None
        prev_a = a.previous_assignee_id if moved_assignee else assignee
        prev_g = a.previous_group_id if moved_group else group
        assignee = a.assignee_id if moved_assignee else assignee
        group = a.group_id if moved_group else group
        filled.append(replace(a, previous_assignee_id=prev_a, assignee_id=assignee,
                              previous_group_id=prev_g, group_id=group))
    return filled


def snapshot_ticket(ticket_id: str, snapshot: dict[str, Any], base_url: str) -> Ticket:
    """Build a Ticket from the neutral snapshot a webhook carried."""
    updated = snapshot.get("updated_at")
    return Ticket(
        id=ticket_id, vendor="zendesk", subject=snapshot.get("subject") or "",
        status=(snapshot.get("status") or "open").lower(), assignee_id=id_or_none(snapshot.get("assignee_id")),
        group_id=id_or_none(snapshot.get("group_id")), requester_id=id_or_none(snapshot.get("requester_id")),
        tags=tuple(snapshot.get("tags") or ()), updated_at=parse_time(updated) if updated else None,
        url=f"{base_url.rstrip('/')}/agent/tickets/{ticket_id}",
        custom_fields=dict(snapshot.get("custom_fields") or {}),
    )


def complete_snapshot(snapshot: dict[str, Any]) -> bool:
    return bool(snapshot.get("updated_at") and snapshot.get("status") and snapshot.get("requester_id"))


def snapshot_of(raw: dict[str, Any]) -> dict[str, Any]:
    """Reduce a Zendesk ticket object to Baton's neutral snapshot."""
    return {"subject": raw.get("subject"), "status": raw.get("status"),
            "assignee_id": id_or_none(raw.get("assignee_id")), "group_id": id_or_none(raw.get("group_id")),
            "requester_id": id_or_none(raw.get("requester_id")), "updated_at": raw.get("updated_at"),
            "tags": raw.get("tags") or [],
            "custom_fields": {str(f["id"]): str(f["value"]) for f in raw.get("custom_fields") or []
                              if f.get("value") not in (None, "")}}


def change_for(event: Event, history: list[Assignment]) -> Assignment | None:
    """Find the assignment change an event is about: its audit, else the latest matching one."""
    if event.kind not in ("assignment_changed", "ticket_updated") or not history:
        return None
    sequence = id_or_none(event.raw.get("sequence"))
    for change in reversed(history):
        if sequence and change.id == sequence:
            return change
    wanted = {k: v for k, v in event.current.items() if k in ("assignee_id", "group_id")}
    for change in reversed(history):
        if all(getattr(change, k) == v for k, v in wanted.items()):
            return change
    return history[-1]

"""Read the vendor-neutral conversation file that `baton draft` takes.

Admins feed it their own exported tickets, so every mistake in the file must come
back as a message naming the field, never as a traceback.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from plugin.model import Account, Assignment, Comment, Ticket, TicketContext

ROLES = ("customer", "agent", "system")


def conversation_to_context(data: dict) -> TicketContext:
    """Build a TicketContext from a conversation dict; raise ValueError naming a bad field."""
    if not isinstance(data, Mapping):
        raise ValueError("conversation: expected a JSON object")
    zone = _timezone(data.get("timezone", "UTC"))
    comments = _comments(data.get("comments"), zone)
    now_raw = data.get("now")
    now = _moment(now_raw, "now", zone) if now_raw is not None else _latest(comments)
    ticket = Ticket(
        id=str(data.get("ticket_id", data.get("id", "conversation"))),
        vendor="file",
        subject=_text(data, "subject", "subject"),
        status=_text(data, "status", "status") or "open",
        assignee_id=None,
        group_id=None,
    )
    return TicketContext(
        ticket=ticket,
        comments=comments,
        assignments=_assignments(data.get("assignments", []), zone),
        now=now,
        account=_account(data.get("account")),
        timezone=zone.key,
    )


def _timezone(name: object) -> ZoneInfo:
    """Load the account's IANA timezone."""
    if not isinstance(name, str) or not name:
        raise ValueError("timezone: expected an IANA timezone name such as 'Europe/Berlin'")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"timezone: unknown IANA timezone {name!r}") from exc


def _moment(value: object, where: str, zone: ZoneInfo) -> datetime:
    """Parse an ISO-8601 date-time; a value without offset is read in the account's zone."""
    if not isinstance(value, str):
        raise ValueError(f"{where}: expected an ISO-8601 date-time string, got {value!r}")
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise ValueError(f"{where}: not an ISO-8601 date-time: {value!r}") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def _text(data: Mapping[str, Any], key: str, where: str) -> str:
    """Read an optional string field."""
    value = data.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"{where}: expected a string, got {type(value).__name__}")
    return value


def _comments(raw: object, zone: ZoneInfo) -> tuple[Comment, ...]:
    """Parse the comments list."""
    if not isinstance(raw, list):
        raise ValueError("comments: expected a list of comment objects")
    return tuple(_comment(item, f"comments[{index}]", zone) for index, item in enumerate(raw))


def _comment(item: object, where: str, zone: ZoneInfo) -> Comment:
    """Parse one comment, checking each field."""
    if not isinstance(item, Mapping):
        raise ValueError(f"{where}: expected an object")
    if item.get("id") in (None, ""):
        raise ValueError(f"{where}.id: missing")
    role = item.get("author_role")
    if role not in ROLES:
        raise ValueError(f"{where}.author_role: expected one of {', '.join(ROLES)}, got {role!r}")
    public = item.get("public", True)
    if not isinstance(public, bool):
        raise ValueError(f"{where}.public: expected true or false, got {public!r}")
    if "created_at" not in item:
        raise ValueError(f"{where}.created_at: missing")
    return Comment(
        id=str(item["id"]),
        author_id=str(item["author_id"]) if item.get("author_id") is not None else None,
        author_role=role,
        public=public,
        created_at=_moment(item["created_at"], f"{where}.created_at", zone),
        body=_text(item, "body", f"{where}.body"),
        html=_text(item, "html", f"{where}.html"),
        author_name=_text(item, "author_name", f"{where}.author_name"),
    )


def _latest(comments: tuple[Comment, ...]) -> datetime:
    """Use the latest comment's time as "now" when the file gives none."""
    if not comments:
        raise ValueError("now: missing, and there are no comments to take it from")
    return max(c.created_at for c in comments)


def _assignments(raw: object, zone: ZoneInfo) -> tuple[Assignment, ...]:
    """Parse the optional assignment history (reassignments count toward multiple_attempts)."""
    if not isinstance(raw, list):
        raise ValueError("assignments: expected a list")
    parsed = []
    for index, item in enumerate(raw):
        where = f"assignments[{index}]"
        if not isinstance(item, Mapping):
            raise ValueError(f"{where}: expected an object")
        parsed.append(Assignment(
            id=str(item.get("id", index)),
            at=_moment(item.get("at"), f"{where}.at", zone),
            actor_id=item.get("actor_id"),
            actor_kind=item.get("actor_kind", "agent"),
            channel=str(item.get("channel", "web")),
            previous_assignee_id=item.get("previous_assignee_id"),
            assignee_id=item.get("assignee_id"),
            previous_group_id=item.get("previous_group_id"),
            group_id=item.get("group_id"),
        ))
    return tuple(sorted(parsed, key=lambda a: (a.at, a.id)))


def _account(raw: object) -> Account | None:
    """Parse the optional CRM account block."""
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise ValueError("account: expected an object")
    return Account(
        name=str(raw.get("name", "")),
        tier=str(raw.get("tier", "")),
        lifecycle_stage=str(raw.get("lifecycle_stage", "")),
        open_deal_amount=float(raw.get("open_deal_amount", 0.0) or 0.0),
        flags=tuple(str(f) for f in raw.get("flags", ())),
    )

"""Zendesk's JSON shapes and error bodies, kept in one place so the sandbox answers like the vendor."""

from __future__ import annotations

import html
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

Json = dict[str, Any]

STATUSES = ("new", "open", "pending", "hold", "solved", "closed")
PRIORITIES = (None, "low", "normal", "high", "urgent")
ROLES = ("end-user", "agent", "admin")
UI_CLIENT = "Mozilla/5.0 (X11; Linux x86_64) Baton-Sandbox-Agent-UI"


class SandboxError(Exception):
    """A refused request, carrying the HTTP status and the JSON body Zendesk would answer with."""

    def __init__(self, status: int, body: Json) -> None:
        super().__init__(f"{status} {body.get('error')}")
        self.status = status
        self.body = body


def not_found() -> SandboxError:
    """Zendesk's answer for an id that does not exist."""
    return SandboxError(404, {"error": "RecordNotFound", "description": "Not found"})


def record_invalid(field: str, description: str) -> SandboxError:
    """Zendesk's 422 shape, so callers parse validation failures as they would on the vendor."""
    details = {field: [{"description": description}]}
    return SandboxError(
        422, {"error": "RecordInvalid", "description": "Record validation errors", "details": details}
    )


def update_conflict() -> SandboxError:
    """Zendesk's 409 for a safe update made against a stale `updated_stamp`."""
    return SandboxError(409, {
        "error": "UpdateConflict",
        "description": "Safe Update prevented the update due to outdated ticket data. "
        "Please fetch the latest ticket data and try again.",
    })


def iso(moment: datetime) -> str:
    """Render a timestamp the way Zendesk's REST API does: UTC, whole seconds, 'Z'."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def id_str(value: Any) -> Any:
    """Audit events carry id values as strings, as real Zendesk output does."""
    return None if value is None else str(value)


def normalize_tags(tags: Iterable[str]) -> list[str]:
    """Zendesk lowercases tags, splits on whitespace and keeps each once."""
    out: list[str] = []
    for raw in tags:
        for tag in str(raw).lower().split():
            if tag not in out:
                out.append(tag)
    return out


def resolve_tags(current: list[str], changes: Json) -> list[str]:
    """Tags after a replace (`tags`), then `additional_tags`, then `remove_tags`."""
    tags = normalize_tags(changes["tags"]) if "tags" in changes else list(current)
    tags += [t for t in normalize_tags(changes.get("additional_tags") or []) if t not in tags]
    removed = set(normalize_tags(changes.get("remove_tags") or []))
    return [t for t in tags if t not in removed]


def via(channel: str) -> Json:
    """The audit-level via object for an update made through `channel` ("api", "web", ...)."""
    return {"channel": channel, "source": {"from": {}, "to": {}, "rel": None}}


def rule_via(rule: Json) -> Json:
    """The event-level via that marks a change as made by the trigger `rule` ({id, title})."""
    source = {"from": {"id": rule["id"], "title": rule["title"]}, "to": {}, "rel": "trigger"}
    return {"channel": "rule", "source": source}


def new_user(uid: int, name: str, email: str, role: str, now: str) -> Json:
    """A user record with the fields Zendesk's users endpoints return."""
    return {
        "id": uid, "name": name, "email": email, "role": role, "active": True,
        "verified": True, "suspended": False, "default_group_id": None,
        "organization_id": None, "time_zone": "UTC", "locale": "en-US",
        "created_at": now, "updated_at": now,
    }


def new_group(gid: int, name: str, now: str) -> Json:
    """A group record with the fields Zendesk's groups endpoint returns."""
    return {
        "id": gid, "name": name, "description": "", "default": False, "deleted": False,
        "is_public": True, "created_at": now, "updated_at": now,
    }


def new_ticket(
    tid: int, requester_id: int, subject: str, description: str, channel: str, now: str
) -> Json:
    """A ticket with every field Zendesk returns, before its Create audit applies."""
    return {
        "id": tid, "external_id": None, "via": via(channel), "created_at": now,
        "updated_at": now, "type": None, "subject": subject, "raw_subject": subject,
        "description": description, "priority": None, "status": "new", "recipient": None,
        "requester_id": requester_id, "submitter_id": requester_id, "assignee_id": None,
        "organization_id": None, "group_id": None, "collaborator_ids": [],
        "follower_ids": [], "email_cc_ids": [], "forum_topic_id": None, "problem_id": None,
        "has_incidents": False, "is_public": True, "due_at": None, "tags": [],
        "custom_fields": [], "satisfaction_rating": None, "sharing_agreement_ids": [],
        "custom_status_id": 1, "fields": [], "followup_ids": [], "ticket_form_id": 1,
        "brand_id": 1, "allow_channelback": False, "allow_attachments": True,
        "from_messaging_channel": False,
    }


def comment_event(event_id: int, comment: Json, author_id: int) -> Json:
    """A Comment event; the HTML body is derived from the plain one when not given."""
    body = comment.get("body") or ""
    html_body = comment.get("html_body") or (
        '<div class="zd-comment" dir="auto"><p>'
        + html.escape(body).replace("\n", "<br>") + "</p></div>")
    return {"id": event_id, "type": "Comment", "author_id": author_id, "body": body,
            "html_body": html_body, "plain_body": body,
            "public": bool(comment.get("public", True)), "attachments": []}

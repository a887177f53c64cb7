"""POST /webhooks/freshdesk: Baton's Freshdesk automation body, authenticated by a shared token.

Freshdesk signs nothing (vendor-reference PROTOCOLS.md B1), so the automation
rule's "Trigger webhook" action sends Baton's token in the X-Baton-Token
header, or as the password of basic auth with the user ``baton``. Freshdesk
sends no delivery id either: the event id is derived from the ticket, the
change and the ticket's updated_at, so a redelivery gets the same id. The body
is "Baton's Freshdesk body" (docs/freshdesk.md); the ``{"freshdesk_webhook":
{...}}`` wrapper other integrations use is accepted too. Placeholders arrive
as strings, and one Freshdesk does not know may arrive empty or unrendered.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import uuid
from typing import Any

from flask import Blueprint, current_app, request
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import Authorization

from plugin.events import Event
from plugin.webhooks.base import WebhookError, enqueue, matches_any, parse_json_object, read_body

blueprint = Blueprint("webhooks_freshdesk", __name__)
TOKEN_HEADER = "X-Baton-Token"
BASIC_USER = "baton"
MARKER = "baton_freshdesk"
WRAPPER = "freshdesk_webhook"
# Freshdesk field names in triggered_event -> Baton's; "agent"/"group" are guesses at other spellings [U].
ASSIGNMENT_FIELDS = {"responder_id": "assignee_id", "agent_id": "assignee_id", "agent": "assignee_id",
                     "group_id": "group_id", "group": "group_id"}
# Changes that no rule looks at: acknowledged, never queued.
IGNORED_FIELDS = {"status", "priority", "ticket_type", "type", "source", "due_by", "fr_due_by"}
# Ticket status labels as {{ticket.status}} renders them -> Baton's neutral statuses.
STATUS_LABELS = {"open": "open", "pending": "pending", "resolved": "solved", "closed": "closed"}
_UNRENDERED = re.compile(r"^\{\{.*\}\}$")


def authenticate(headers: Any, authorization: Authorization | None, tokens: list[str]) -> None:
    """Accept the token from X-Baton-Token or basic auth (user baton); raise a 401 otherwise."""
    if not tokens:
        raise WebhookError(401, "not_configured",
                           "BATON_FRESHDESK_WEBHOOK_TOKEN is not set; Baton refuses unauthenticated webhooks")
    given = headers.get(TOKEN_HEADER)
    if given is None and authorization is not None and authorization.type == "basic":
        if not hmac.compare_digest((authorization.username or "").encode(), BASIC_USER.encode()):
            raise WebhookError(401, "bad_token", f"basic auth user must be '{BASIC_USER}'")
        given = authorization.password or ""
    if given is None:
        raise WebhookError(401, "missing_token", f"send the token in {TOKEN_HEADER}, or as the password "
                           f"of basic auth with the user '{BASIC_USER}'")
    if not matches_any(lambda token: token, tokens, given):
        raise WebhookError(401, "bad_token", "token does not match BATON_FRESHDESK_WEBHOOK_TOKEN")


class _PseudoJson:
    """Reader for triggered_event's unquoted JSON: ``{status:{from:4,to:6}}``, ``{note_type:private}``."""

    def __init__(self, text: str):
        self.text, self.pos = text, 0

    def peek(self) -> str:
        """Skip spaces and return the next character ('' at the end)."""
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def _expect(self, char: str) -> None:
        if self.peek() != char:
            raise ValueError(f"expected {char!r} at {self.pos}")
        self.pos += 1

    def value(self) -> Any:
        """Read an object or a bare value."""
        return self.object() if self.peek() == "{" else self.atom()

    def object(self) -> dict[str, Any]:
        """Read ``{key:value,...}``."""
        self._expect("{")
        out: dict[str, Any] = {}
        while self.peek() not in ("}", ""):
            key = self.atom()
            self._expect(":")
            out[key] = self.value()
            if self.peek() == ",":
                self.pos += 1
        self._expect("}")
        return out

    def atom(self) -> str:
        """Read a bare value up to the next delimiter, quotes stripped."""
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in ",:{}":
            self.pos += 1
        return self.text[start:self.pos].strip().strip('"')


def parse_triggered_event(text: str) -> dict[str, Any]:
    """Read {{triggered_event}}; an empty or unreadable value gives {} (the worker then compares states)."""
    if not text or _UNRENDERED.match(text.strip()):
        return {}
    try:
        reader = _PseudoJson(text.strip())
        parsed = reader.object()
    except ValueError:
        return {}
    return parsed if reader.peek() == "" else {}


def _rendered(data: dict[str, Any], *names: str) -> str | None:
    """The first of ``names`` Freshdesk rendered: None when absent or left as a raw placeholder."""
    for name in names:
        value = data.get(name)
        if value is not None and not _UNRENDERED.match(str(value).strip()):
            return str(value).strip()
    return None


def _id_value(value: Any) -> tuple[bool, str | None]:
    """(usable, id): digits are an id, empty means nobody, anything else (a name) is unusable."""
    text = "" if value is None else str(value).strip()
    if text in ("", "null", "nil", "none", "None"):
        return True, None
    return (True, text) if text.isdigit() else (False, None)


def _moves(parsed: dict[str, Any]) -> tuple[dict[str, str | None], dict[str, str | None]]:
    """Previous and current assignee/group that triggered_event states, where it gives ids."""
    previous: dict[str, str | None] = {}
    current: dict[str, str | None] = {}
    for name, change in parsed.items():
        field = ASSIGNMENT_FIELDS.get(name)
        if field is None or not isinstance(change, dict):
            continue
        for side, target in (("from", previous), ("to", current)):
            usable, value = _id_value(change.get(side)) if side in change else (False, None)
            if usable:
                target[field] = value
    return previous, current


def event_kind(parsed: dict[str, Any]) -> str | None:
    """Map triggered_event to Baton's event kind; None for changes no rule looks at (status, priority)."""
    names = {name.lower() for name in parsed}
    if names & set(ASSIGNMENT_FIELDS):
        return "assignment_changed"
    if "note_type" in names or any("reply" in name for name in names):
        return "comment_added"
    if any(name.startswith("tag") for name in names):
        return "tags_changed"
    if names and names <= IGNORED_FIELDS:
        return None
    return "ticket_updated"  # a new ticket or an unknown change: the worker compares with what it knows


def snapshot(data: dict[str, Any]) -> dict[str, Any]:
    """Baton's neutral view of the rendered placeholders; ids only when Freshdesk rendered them."""
    status = (_rendered(data, "status", "ticket_status") or "").lower()
    out: dict[str, Any] = {
        "subject": _rendered(data, "subject", "ticket_subject") or "",
        "status": STATUS_LABELS.get(status, status),
        "requester_email": _rendered(data, "requester_email") or "",
        "agent_email": _rendered(data, "agent_email") or "",
        "group_name": _rendered(data, "group_name") or "",
        "updated_at": _rendered(data, "updated_at") or "",
    }
    for name, field in (("responder_id", "assignee_id"), ("group_id", "group_id")):
        rendered = _rendered(data, name)
        usable, value = _id_value(rendered) if rendered is not None else (False, None)
        if usable:
            out[field] = value
    return out


def derive_event_id(ticket_id: str, parsed: dict[str, Any], trigger: str, shot: dict[str, Any]) -> str:
    """A stable id from the ticket, the change and updated_at, so Freshdesk's redeliveries dedupe.

    Without a rendered updated_at two identical moves could not be told apart, so the id is then
    unique per delivery: a redelivery costs the worker one read and changes nothing.
    """
    if not shot["updated_at"]:
        return "fd-" + uuid.uuid4().hex
    change = json.dumps(parsed, sort_keys=True) if parsed else trigger.strip()
    basis = json.dumps([ticket_id, change, shot.get("assignee_id"), shot.get("group_id"), shot["status"],
                        shot["updated_at"]])
    return "fd-" + hashlib.sha256(basis.encode()).hexdigest()[:40]


def normalize(data: dict[str, Any]) -> tuple[str, Event | None]:
    """Map Baton's Freshdesk body (flat or wrapped) to an event id and Event; None when ignored."""
    wrapped = isinstance(data.get(WRAPPER), dict)
    body = data[WRAPPER] if wrapped else data
    if not wrapped and MARKER not in body and "ticket_id" not in body:
        raise WebhookError(400, "malformed_payload", f"expected Baton's Freshdesk body ('{MARKER}', "
                           f"'ticket_id') or a '{WRAPPER}' object")
    ticket_id = _rendered(body, "ticket_id") or ""
    if not ticket_id.isdigit():
        raise WebhookError(400, "malformed_payload", "Freshdesk body needs a numeric 'ticket_id'")
    trigger = _rendered(body, "triggered_event") or ""
    parsed = parse_triggered_event(trigger)
    shot = snapshot(body)
    event_id = derive_event_id(ticket_id, parsed, trigger, shot)
    kind = event_kind(parsed)
    if kind is None:
        return event_id, None
    previous, current = _moves(parsed)
    current = current or {k: shot[k] for k in ("assignee_id", "group_id") if k in shot}
    performed_by = (_rendered(body, "performed_by") or "").lower()
    return event_id, Event(
        id=event_id, vendor="freshdesk", kind=kind, ticket_id=ticket_id, occurred_at=shot["updated_at"],
        previous=previous, current=current,
        raw={"type": WRAPPER if wrapped else MARKER, "triggered_event": trigger, "ticket": shot,
             "created": parsed.get("ticket_action") == "created", "performed_by": performed_by},
    )


@blueprint.post("/webhooks/freshdesk")
def receive() -> ResponseReturnValue:
    """Authenticate, parse, normalize, dedupe and enqueue one Freshdesk delivery."""
    settings = current_app.extensions["baton"].settings
    body = read_body(request, settings["server"]["max_body_bytes"])
    freshdesk = settings["freshdesk"]
    tokens = [t for t in (freshdesk["webhook_token"], freshdesk["previous_webhook_token"]) if t]
    authenticate(request.headers, request.authorization, tokens)
    event_id, event = normalize(parse_json_object(body))
    return enqueue(event, ignored_id=event_id, vendor="freshdesk")

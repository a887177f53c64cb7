"""Flask routes serving a ZendeskSandbox at Zendesk's REST paths, so zenpy talks to it unchanged."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, g, jsonify, request
from werkzeug.exceptions import HTTPException

from .server import LocalServer
from .zendesk import ZendeskSandbox
from .zendesk_search import register_search
from .zendesk_shapes import Json, SandboxError

_FAILURE_BODIES = {
    429: {"error": "APIRateLimitExceeded",
          "description": "Number of allowed API requests per minute exceeded"},
    503: {"error": "ServiceUnavailable", "description": "Zendesk is temporarily unavailable"},
}
_UPDATABLE = ("assignee_id", "group_id", "status", "priority", "subject", "tags",
              "additional_tags", "remove_tags", "custom_fields")


def _error(status: int, body: Json, headers: dict[str, str] | None = None) -> Response:
    """A JSON error response in Zendesk's shape."""
    response = jsonify(body)
    response.status_code = status
    response.headers.update(headers or {})
    return response


def _base_url() -> str:
    """Scheme, host and mount prefix of this request, for `url` fields and pagination links."""
    return request.url_root.rstrip("/")


def _with_url(kind: str, record: Json) -> Json:
    """Add the `url` attribute Zendesk puts on every resource."""
    return {"url": f"{_base_url()}/api/v2/{kind}/{record['id']}.json", **record}


def _encode_cursor(index: int) -> str:
    """An opaque cursor, as Zendesk's are."""
    return base64.urlsafe_b64encode(json.dumps({"o": index}).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> int:
    """Read back a cursor made by `_encode_cursor`; a bad one is the client's error."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return int(json.loads(base64.urlsafe_b64decode(padded))["o"])
    except (ValueError, KeyError, TypeError) as exc:
        raise SandboxError(400, {"error": "InvalidPaginationParameter",
                                 "description": "page[after] or page[before] is invalid"}) from exc


def _page_link(**page: Any) -> str:
    """This endpoint's URL with the caller's other query parameters and a new page."""
    args = {k: v for k, v in request.args.items() if not k.startswith("page")}
    return f"{_base_url()}{request.path}?{urlencode({**args, **page})}"


def paginate(key: str, items: list[Json]) -> Json:
    """Cursor pagination when `page[...]` is given, else Zendesk's offset pagination."""
    if not any(k.startswith("page[") for k in request.args):
        per_page = min(request.args.get("per_page", 100, type=int), 100)
        page = max(request.args.get("page", 1, type=int), 1)
        start, end = (page - 1) * per_page, page * per_page
        return {key: items[start:end], "count": len(items),
                "next_page": _page_link(page=page + 1, per_page=per_page) if end < len(items)
                else None,
                "previous_page": _page_link(page=page - 1, per_page=per_page) if page > 1
                else None}
    size = request.args.get("page[size]", 100, type=int)
    if size > 100 or size < 1:
        raise SandboxError(400, {"error": "InvalidPaginationParameter",
                                 "description": "page[size] must be between 1 and 100"})
    start, end = 0, size
    if "page[after]" in request.args:
        start = _decode_cursor(request.args["page[after]"])
        end = start + size
    elif "page[before]" in request.args:
        end = _decode_cursor(request.args["page[before]"])
        start = max(end - size, 0)
    chunk = items[start:end]
    after = _encode_cursor(start + len(chunk)) if chunk else None
    before = _encode_cursor(start) if chunk else None
    has_more = start + len(chunk) < len(items)
    links = {"next": _page_link(**{"page[after]": after, "page[size]": size}) if has_more
             else None,
             "prev": _page_link(**{"page[before]": before, "page[size]": size}) if start > 0
             else None}
    return {key: chunk, "meta": {"has_more": has_more, "after_cursor": after,
                                 "before_cursor": before}, "links": links}


def _ids(value: Any) -> Any:
    """Accept ids sent as numbers or numeric strings, as Zendesk does."""
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise SandboxError(400, {"error": "InvalidValue",
                                 "description": f"{value!r} is not an id"}) from exc


def _json_body(key: str) -> Json:
    """The request's JSON object under `key`; anything else is a 400."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get(key), (dict, list)):
        raise SandboxError(400, {"error": "InvalidParameter",
                                 "description": f"Parameter {key} is required"})
    return body


def _custom_metadata(meta: Any) -> Json:
    """Audit metadata.custom: `{"custom": {...}}` as given, or Zendesk's flat `{key: value}` form."""
    if not isinstance(meta, dict):
        return {}
    if set(meta) == {"custom"} and isinstance(meta["custom"], dict):
        return meta["custom"]
    return meta


def _stamp(data: Json) -> str | None:
    """The updated_stamp to enforce: any `safe_update` value (even false) turns it on."""
    return data.get("updated_stamp") if "safe_update" in data else None


def create_app(sandbox: ZendeskSandbox) -> Flask:
    """A Flask app for the sandbox; mountable under any URL prefix (SCRIPT_NAME)."""
    app = Flask("baton_zendesk_sandbox")
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions["zendesk_sandbox"] = sandbox

    def route(rule: str, methods: tuple[str, ...] = ("GET",)) -> Callable[[Callable], Callable]:
        """Register a rule with and without the `.json` suffix zenpy appends."""
        def register(view: Callable) -> Callable:
            app.add_url_rule(rule, view.__name__, view, methods=list(methods))
            app.add_url_rule(rule + ".json", view.__name__ + "_json", view,
                             methods=list(methods))
            return view
        return register

    @app.before_request
    def gatekeeper() -> Response | None:
        """Count the call, authenticate it, then play any planned failure."""
        sandbox.record_request(request.method, request.path.removesuffix(".json"))
        auth = request.authorization
        user_id = None
        if auth and auth.username and auth.username.endswith("/token"):
            user_id = sandbox.authenticate(auth.username.removesuffix("/token"),
                                           auth.password or "")
        if user_id is None:
            return _error(401, {"error": "Couldn't authenticate you"})
        g.user_id = user_id
        failure = sandbox.take_failure()
        if failure:
            status, retry_after = failure
            body = _FAILURE_BODIES.get(status, {"error": "SimulatedFailure"})
            return _error(status, body, {"Retry-After": str(retry_after)})
        return None

    @app.errorhandler(SandboxError)
    def sandbox_error(exc: SandboxError) -> Response:
        """Zendesk's JSON error bodies for refused requests."""
        return _error(exc.status, exc.body)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        """Unknown paths and methods answer in JSON, like the rest of the API."""
        if exc.code == 404:
            return _error(404, {"error": "InvalidEndpoint", "description": "Not found"})
        return _error(exc.code or 500, {"error": exc.name, "description": exc.description})

    _register_reads(sandbox, route)
    _register_writes(sandbox, route)
    register_search(sandbox, route, paginate)
    return app


def _register_reads(sandbox: ZendeskSandbox, route: Callable) -> None:
    """GET endpoints for users, groups, tickets, audits and comments."""

    @route("/api/v2/users/me")
    def me() -> Json:
        """Who the API token belongs to; Baton learns its own user id here."""
        return {"user": _with_url("users", sandbox.user(g.user_id))}

    @route("/api/v2/users/<int:user_id>")
    def show_user(user_id: int) -> Json:
        """One user by id."""
        return {"user": _with_url("users", sandbox.user(user_id))}

    @route("/api/v2/users/show_many")
    def show_many_users() -> Json:
        """Several users in one call; unknown ids are skipped as Zendesk does."""
        ids = [_ids(i) for i in request.args.get("ids", "").split(",") if i.strip()]
        with sandbox.lock:
            found = [sandbox.user(i) for i in ids if i in sandbox.users]
        return {"users": [_with_url("users", u) for u in found]}

    @route("/api/v2/groups/<int:group_id>")
    def show_group(group_id: int) -> Json:
        """One group by id."""
        return {"group": _with_url("groups", sandbox.group(group_id))}

    @route("/api/v2/groups/<int:group_id>/memberships")
    def group_memberships(group_id: int) -> Json:
        """Who is in a group, to check before assigning."""
        sandbox.group(group_id)
        with sandbox.lock:
            rows = [dict(m) for m in sandbox.memberships if m["group_id"] == group_id]
        return paginate("group_memberships", rows)

    @route("/api/v2/tickets/<int:ticket_id>")
    def show_ticket(ticket_id: int) -> Json:
        """One ticket by id."""
        return {"ticket": _with_url("tickets", sandbox.ticket(ticket_id))}

    @route("/api/v2/tickets/<int:ticket_id>/audits")
    def list_audits(ticket_id: int) -> Json:
        """A ticket's audits with optional users/tickets sideloads."""
        body = paginate("audits", sandbox.ticket_audits(ticket_id))
        include = {s.strip() for s in (request.args.get("include") or "").split(",")}
        if "users" in include:
            body["users"] = _sideload_users(sandbox, body["audits"])
        if "tickets" in include:
            body["tickets"] = [_with_url("tickets", sandbox.ticket(ticket_id))]
        return body

    @route("/api/v2/tickets/<int:ticket_id>/comments")
    def list_comments(ticket_id: int) -> Json:
        """A ticket's comments, oldest first."""
        return paginate("comments", sandbox.comments(ticket_id))


def _sideload_users(sandbox: ZendeskSandbox, audits: list[Json]) -> list[Json]:
    """Users named by the audits: authors and users in user-valued events."""
    ids: list[int] = []
    for audit in audits:
        ids.append(audit["author_id"])
        for event in audit["events"]:
            ids.append(event.get("author_id"))
            if event.get("field_name") in ("assignee_id", "requester_id", "submitter_id"):
                ids += [event.get("value"), event.get("previous_value")]
    wanted = {int(i) for i in ids if i is not None}
    with sandbox.lock:
        return [_with_url("users", sandbox.user(i)) for i in sorted(wanted) if i in sandbox.users]


def _register_writes(sandbox: ZendeskSandbox, route: Callable) -> None:
    """PUT ticket and the three tags endpoints."""

    @route("/api/v2/tickets/<int:ticket_id>", methods=("PUT",))
    def update_ticket(ticket_id: int) -> Json:
        """Update a ticket; one audit via the API channel."""
        data = _json_body("ticket")["ticket"]
        changes = {k: data[k] for k in _UPDATABLE if k in data}
        if "fields" in data and "custom_fields" not in data:
            changes["custom_fields"] = data["fields"]
        for key in ("assignee_id", "group_id"):
            if key in changes:
                changes[key] = _ids(changes[key])
        comment = data.get("comment")
        if isinstance(comment, str):
            comment = {"body": comment}
        custom = _custom_metadata(data.get("metadata"))
        ticket, audit = sandbox.update_ticket(
            ticket_id, g.user_id, changes, comment=comment, custom_metadata=custom,
            client=request.headers.get("User-Agent", ""), updated_stamp=_stamp(data))
        body: Json = {"ticket": _with_url("tickets", ticket)}
        if audit is not None:
            body["audit"] = audit
        return body

    @route("/api/v2/tickets/<int:ticket_id>/tags", methods=("POST", "PUT", "DELETE"))
    def ticket_tags(ticket_id: int) -> Json:
        """POST sets, PUT adds, DELETE removes tags."""
        data = _json_body("tags")
        key = {"POST": "tags", "PUT": "additional_tags", "DELETE": "remove_tags"}[request.method]
        ticket, _ = sandbox.update_ticket(
            ticket_id, g.user_id, {key: list(data["tags"])},
            client=request.headers.get("User-Agent", ""), updated_stamp=_stamp(data))
        return {"tags": ticket["tags"]}


class SandboxServer(LocalServer):
    """A real HTTP server for the sandbox on a background thread (port 0 picks a free port)."""

    def __init__(self, sandbox: ZendeskSandbox, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(sandbox, create_app(sandbox), host, port)

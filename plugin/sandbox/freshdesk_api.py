"""Flask routes serving a FreshdeskSandbox at API v2's paths, and Baton's automation rules as webhooks.

The webhook sender plays the rules docs/freshdesk.md asks admins to create
(ticket created; agent or group updated; note added) and renders Baton's body
as Freshdesk renders placeholders: every value a string, status as its label.
"""

from __future__ import annotations

import json
from typing import Any

import requests
from flask import Flask, Response, g, jsonify, request
from werkzeug.exceptions import HTTPException

from .freshdesk import STATUS_LABELS, FreshdeskError, FreshdeskSandbox, Json, invalid
from .server import LocalServer
from .webhook_sender import Delivery, Job, WebhookSender

# Freshdesk's retries come 5, 30 and 60 minutes after a failure (PROTOCOLS.md B1); compressed here.
RETRY_DELAYS = (300.0, 1800.0, 3600.0)
_INCLUDED_CONVERSATIONS = 10


def _error(status: int, body: Json, headers: dict[str, str] | None = None) -> Response:
    response = jsonify(body)
    response.status_code = status
    response.headers.update(headers or {})
    return response


def create_app(sandbox: FreshdeskSandbox) -> Flask:
    """A Flask app for the sandbox; mountable under any URL prefix (SCRIPT_NAME)."""
    app = Flask("baton_freshdesk_sandbox")
    app.json.sort_keys = False  # type: ignore[attr-defined]

    @app.before_request
    def gatekeeper() -> Response | None:
        """Count the call against the rate limit, authenticate ``api_key:X``, play planned failures."""
        g.remaining = sandbox.record_request(request.method, request.path)
        auth = request.authorization
        g.agent_id = sandbox.authenticate(auth.username or "") if auth and auth.type == "basic" else None
        if g.agent_id is None:
            return _error(401, {"code": "invalid_credentials",
                                "message": "You have to be logged in to perform this action."})
        failure = sandbox.take_failure()
        if failure:
            status, retry_after = failure
            return _error(status, {"message": f"Simulated {status}"}, {"Retry-After": str(retry_after)})
        return None

    @app.after_request
    def rate_headers(response: Response) -> Response:
        """Every answer carries Freshdesk's rate-limit headers."""
        response.headers["X-RateLimit-Total"] = str(sandbox.rate_limit_total)
        response.headers["X-RateLimit-Remaining"] = str(getattr(g, "remaining", sandbox.rate_limit_total))
        response.headers["X-RateLimit-Used-CurrentRequest"] = "1"
        return response

    @app.errorhandler(FreshdeskError)
    def refused(exc: FreshdeskError) -> Response:
        return _error(exc.status, exc.body)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        return _error(exc.code or 500, {"code": "invalid_request", "message": exc.description or exc.name})

    _register(app, sandbox)
    return app


def _json_object() -> Json:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise FreshdeskError(400, {"description": "Validation failed", "errors": [
            {"field": "body", "message": "Request body must be a JSON object", "code": "invalid_json"}]})
    return body


def _register(app: Flask, sandbox: FreshdeskSandbox) -> None:
    """The endpoints Baton uses, in Freshdesk's shapes."""

    @app.get("/api/v2/agents/me")
    def me() -> Json:
        return sandbox.agent(g.agent_id)

    @app.get("/api/v2/agents/<int:agent_id>")
    def show_agent(agent_id: int) -> Json:
        return sandbox.agent(agent_id)

    @app.get("/api/v2/groups/<int:group_id>")
    def show_group(group_id: int) -> Json:
        return sandbox.group(group_id)

    @app.get("/api/v2/tickets/<int:ticket_id>")
    def show_ticket(ticket_id: int) -> Json:
        ticket = sandbox.ticket(ticket_id)
        include = {s.strip() for s in request.args.get("include", "").split(",") if s.strip()}
        if include - {"conversations", "requester", "stats", "company"}:
            raise invalid("include", "It should be one of these values: 'conversations,requester,company,stats'")
        if "conversations" in include:
            ticket["conversations"] = sandbox.ticket_conversations(ticket_id)[:_INCLUDED_CONVERSATIONS]
        if "requester" in include:
            contact = sandbox.contacts.get(ticket["requester_id"]) or {}
            ticket["requester"] = {k: contact.get(k) for k in ("id", "name", "email")}
        return ticket

    @app.get("/api/v2/tickets/<int:ticket_id>/conversations")
    def list_conversations(ticket_id: int) -> Response:
        items = sandbox.ticket_conversations(ticket_id)
        per_page = request.args.get("per_page", 30, type=int)
        page = max(request.args.get("page", 1, type=int), 1)
        if not 1 <= per_page <= 100:
            raise invalid("per_page", "It should be a Positive Number less than or equal to 100")
        response = jsonify(items[(page - 1) * per_page:page * per_page])
        if page * per_page < len(items):
            response.headers["Link"] = f'<{request.base_url}?page={page + 1}&per_page={per_page}>; rel="next"'
        return response

    @app.put("/api/v2/tickets/<int:ticket_id>")
    def update_ticket(ticket_id: int) -> Json:
        return sandbox.update_ticket(ticket_id, g.agent_id, _json_object())

    @app.post("/api/v2/tickets/<int:ticket_id>/notes")
    def add_note(ticket_id: int) -> tuple[Json, int]:
        data = _json_object()
        if not isinstance(data.get("body"), str) or not data["body"].strip():
            raise invalid("body", "It should not be blank as this is a mandatory field", "missing_field")
        note = sandbox.add_note(ticket_id, int(data.get("user_id") or g.agent_id), data["body"],
                                private=bool(data.get("private", True)))
        return note, 201

    @app.post("/api/v2/tickets/<int:ticket_id>/reply")
    def reply(ticket_id: int) -> tuple[Json, int]:
        data = _json_object()
        if not isinstance(data.get("body"), str) or not data["body"].strip():
            raise invalid("body", "It should not be blank as this is a mandatory field", "missing_field")
        return sandbox.reply(ticket_id, g.agent_id, data["body"]), 201


def triggered_event(change: Json) -> str | None:
    """{{triggered_event}} for the rules docs/freshdesk.md asks for; None when no rule fires.

    The status form ``{status:{from:4,to:6}}`` is real; the agent and group forms are modelled on it [U].
    """
    if change["kind"] == "created":
        return "{ticket_action:created}"
    if change["kind"] == "note":
        return "{note_type:%s}" % ("private" if change["note"]["private"] else "public")
    if change["kind"] == "reply":
        return "{reply_sent:sent}"  # [U]: the form for "Reply is sent" is not documented
    moved = [(name, change["changes"][name]) for name in ("responder_id", "group_id") if name in change["changes"]]
    if change["kind"] != "updated" or not moved:
        return None
    parts = [f"{name}:{{from:{_blank(old)},to:{_blank(new)}}}" for name, (old, new) in moved]
    return "{" + ",".join(parts) + "}"


def _blank(value: Any) -> str:
    """Freshdesk renders an unset id as nothing."""
    return "" if value is None else str(value)


def render_body(sandbox: FreshdeskSandbox, change: Json, ticket: Json) -> Json | None:
    """Baton's Freshdesk body as Freshdesk renders it (strings; labels; empty when unset)."""
    trigger = triggered_event(change)
    if trigger is None:
        return None
    agent = sandbox.agents.get(ticket["responder_id"]) or {"contact": {}}
    group = sandbox.groups.get(ticket["group_id"]) or {}
    requester = sandbox.contacts.get(ticket["requester_id"]) or {}
    return {
        "baton_freshdesk": "v1", "ticket_id": str(ticket["id"]), "triggered_event": trigger,
        "responder_id": str(ticket["responder_id"] or ""), "agent_email": agent["contact"].get("email", ""),
        "group_id": str(ticket["group_id"] or ""), "group_name": group.get("name", ""),
        "status": STATUS_LABELS[ticket["status"]], "subject": ticket["subject"],
        "requester_email": requester.get("email", ""), "updated_at": ticket["updated_at"],
    }


class FreshdeskWebhookSender(WebhookSender):
    """POSTs Baton's body for each change a rule matches, with the token, off-thread."""

    def __init__(self, sandbox: FreshdeskSandbox, url: str, token: str, *, basic_auth: bool = False,
                 deliver_times: int = 1, timeout: float = 12.0, max_retry_wait: float = 0.2) -> None:
        super().__init__(sandbox, url, token, deliver_times=deliver_times, event_types=(),  # type: ignore[arg-type]
                         timeout=timeout, max_retry_wait=max_retry_wait)
        self.basic_auth = basic_auth
        self._thread.name = "freshdesk-webhooks"

    def on_audit(self, audit: Json, ticket: Json) -> None:
        """Queue Baton's body when a rule matches the change; never blocks on the network."""
        body = render_body(self.sandbox, audit, ticket)  # type: ignore[arg-type]
        if body is None:
            return
        job = Job(audit["kind"], ticket["id"], body["updated_at"], json.dumps(body).encode())
        with self._idle:
            self._pending += 1
        self._queue.put(job)

    def _deliver(self, job: Any) -> None:
        """One delivery and up to three retries when Baton fails or times out."""
        for attempt, delay in enumerate((0.0, *RETRY_DELAYS), start=1):
            if delay:
                self._sleep(min(delay, self.max_retry_wait))
            status, error, _ = self._attempt(job, "", attempt)
            if error is None and status is not None and status < 400:
                return

    def _attempt(self, job: Any, invocation_id: str, attempt: int) -> tuple[int | None, str | None, float | None]:
        """POST once with the token (header, or basic auth user baton); log the attempt."""
        headers = {"Content-Type": "application/json", "User-Agent": "Freshdesk"}
        auth = ("baton", self.secret) if self.basic_auth else None
        if not self.basic_auth:
            headers["X-Baton-Token"] = self.secret
        status = error = None
        try:
            status = self._session.post(self.url, data=job.body, headers=headers, auth=auth,
                                        timeout=self.timeout).status_code
        except requests.Timeout:
            error = "timeout"
        except requests.RequestException as exc:
            error = type(exc).__name__
        self.deliveries.append(Delivery(job.event_type, job.ticket_id, job.event_id, invocation_id, attempt,
                                        status, error))
        return status, error, None


class FreshdeskSandboxServer(LocalServer):
    """A real HTTP server for the sandbox on a background thread (port 0 picks a free port)."""

    def __init__(self, sandbox: FreshdeskSandbox, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(sandbox, create_app(sandbox), host, port)

"""An in-memory HubSpot CRM: the v3 endpoints Baton's HubSpot adapter calls, in HubSpot's shapes.

Served: ``GET /crm/v3/objects/contacts/{id}`` (``idProperty=email``, ``properties``,
``associations``), ``GET /crm/v3/objects/contacts`` (``limit``, for ``baton
check``) and ``POST /crm/v3/objects/{companies,deals,tickets}/batch/read``
(200, or 207 with an ``errors`` list when some ids are unknown). Bearer-token
auth; error bodies as PROTOCOLS.md D and the 429 fixtures show them. Knobs:
``delay_seconds`` (a slow HubSpot, for timeouts), ``fail_next`` and ``requests``.
"""

from __future__ import annotations

import itertools
import threading
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from .server import LocalServer

Json = dict[str, Any]
KINDS = ("contacts", "companies", "deals", "tickets")
# Type names HubSpot's v3 read shows for a contact's associations (primary, then unlabelled).
ASSOCIATION_TYPES = {"companies": "contact_to_company", "deals": "contact_to_deal", "tickets": "contact_to_ticket"}
_SECONDLY = {"status": "error", "message": "You have reached your secondly limit.", "errorType": "RATE_LIMIT",
             "policyName": "SECONDLY"}


def _stamp(moment: datetime) -> str:
    """HubSpot's timestamp format: UTC with milliseconds and Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _error(status: int, body: Json, headers: dict[str, str] | None = None) -> Response:
    """A JSON error body in HubSpot's shape, with a fresh correlationId."""
    response = jsonify({**body, "correlationId": str(uuid.uuid4())})
    response.status_code = status
    response.headers.update(headers or {})
    return response


class HubSpotSandbox:
    """Thread-safe CRM records, contact associations, planned failures and a request log."""

    def __init__(self, token: str = "pat-sandbox") -> None:
        self.lock = threading.RLock()
        self.token = token
        self.records: dict[str, dict[str, Json]] = {kind: {} for kind in KINDS}
        self.associations: dict[str, dict[str, list[str]]] = {}
        self.requests: list[tuple[str, str]] = []
        self.delay_seconds = 0.0
        self._failures: list[int | None] = []
        self._ids = itertools.count(5_790_939_450)

    def add(self, kind: str, properties: dict[str, Any], created_at: datetime | None = None) -> str:
        """Store a record of a kind with its properties (values kept as HubSpot's strings)."""
        with self.lock:
            record_id = str(next(self._ids))
            created = created_at or datetime.now(UTC)
            props = {k: None if v is None else str(v) for k, v in properties.items()}
            self.records[kind][record_id] = {"id": record_id, "created": created, "properties": {
                **props, "hs_object_id": record_id, "createdate": _stamp(created)}}
            return record_id

    def associate(self, contact_id: str, kind: str, record_id: str) -> None:
        """Associate a contact with a company, deal or ticket."""
        with self.lock:
            self.associations.setdefault(contact_id, {}).setdefault(kind, []).append(record_id)

    def fail_next(self, count: int, status: int = 429, after: int = 0) -> None:
        """Let ``after`` requests through, then answer ``count`` with ``status`` (429 as SECONDLY)."""
        with self.lock:
            self._failures += [None] * after + [status] * count

    def take_failure(self) -> int | None:
        """Pop the next planned answer: None lets the request through."""
        with self.lock:
            return self._failures.pop(0) if self._failures else None

    def find_contact(self, id_or_value: str, id_property: str | None) -> Json | None:
        """A contact by id, or by a unique property such as email (case-insensitive, as HubSpot)."""
        contacts = self.records["contacts"]
        if not id_property or id_property == "hs_object_id":
            return contacts.get(id_or_value)
        wanted = id_or_value.lower()
        return next((c for c in contacts.values()
                     if str(c["properties"].get(id_property) or "").lower() == wanted), None)

    def shape(self, record: Json, properties: list[str]) -> Json:
        """A SimplePublicObject: default properties plus the requested ones that exist."""
        keep = {"createdate", "hs_object_id", "lastmodifieddate", *properties}
        props = {k: v for k, v in record["properties"].items() if k in keep}
        return {"id": record["id"], "properties": props, "createdAt": _stamp(record["created"]),
                "updatedAt": _stamp(record["created"]), "archived": False}


def _listed(name: str) -> list[str]:
    """A query list sent either repeated (the SDK's ``multi`` format) or comma-separated."""
    return [p for value in request.args.getlist(name) for p in value.split(",") if p]


def create_app(sandbox: HubSpotSandbox) -> Flask:
    """A Flask app serving the sandbox's CRM endpoints."""
    app = Flask("baton_hubspot_sandbox")
    app.json.sort_keys = False  # type: ignore[attr-defined]

    @app.before_request
    def gatekeeper() -> Response | None:
        """Log the call, check the bearer token, play any delay or planned failure."""
        sandbox.requests.append((request.method, request.path))
        if sandbox.delay_seconds:
            time.sleep(sandbox.delay_seconds)
        if request.headers.get("Authorization") != f"Bearer {sandbox.token}":
            return _error(401, {"status": "error", "category": "INVALID_AUTHENTICATION",
                                "message": "Authentication credentials not found."})
        failure = sandbox.take_failure()
        if failure == 429:
            return _error(429, {**_SECONDLY, "requestId": str(uuid.uuid4())}, {"Retry-After": "1"})
        if failure:
            return _error(failure, {"status": "error", "category": "INTERNAL_ERROR",
                                    "message": "internal error"})
        return None

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        """Unknown paths and methods answer in HubSpot's JSON error shape."""
        return _error(exc.code or 500, {"status": "error", "message": exc.description or exc.name,
                                        "category": "VALIDATION_ERROR"})

    _register(app, sandbox)
    return app


def _register(app: Flask, sandbox: HubSpotSandbox) -> None:
    """Contact read, contact list, batch reads."""

    @app.get("/crm/v3/objects/contacts/<contact_id>")
    def read_contact(contact_id: str) -> Response | Json:
        """A contact by id or idProperty, with the associations asked for (404 when unknown)."""
        with sandbox.lock:
            contact = sandbox.find_contact(contact_id, request.args.get("idProperty"))
            if contact is None:
                return _error(404, {"status": "error", "category": "OBJECT_NOT_FOUND",
                                    "message": "Object not found.  objectId are usually numeric.",
                                    "context": {"id": [contact_id]}})
            body = sandbox.shape(contact, _listed("properties"))
            linked = sandbox.associations.get(contact["id"], {})
        associations = {kind: {"results": [{"id": i, "type": ASSOCIATION_TYPES[kind]} for i in ids]
                               + [{"id": i, "type": ASSOCIATION_TYPES[kind] + "_unlabeled"} for i in ids]}
                        for kind, ids in linked.items() if kind in _listed("associations") and ids}
        return {**body, "associations": associations} if associations else body

    @app.get("/crm/v3/objects/contacts")
    def list_contacts() -> Json:
        """The first page of contacts (what ``check`` reads)."""
        limit = min(request.args.get("limit", 10, type=int), 100)
        with sandbox.lock:
            rows = [sandbox.shape(c, _listed("properties")) for c in sandbox.records["contacts"].values()]
        return {"results": rows[:limit]}

    @app.post("/crm/v3/objects/<kind>/batch/read")
    def batch_read(kind: str) -> Response | Json:
        """Read records by id: 200, or 207 with an errors entry naming the unknown ids."""
        if kind not in ("companies", "deals", "tickets"):
            return _error(404, {"status": "error", "message": f"Unknown object type {kind}",
                                "category": "OBJECT_NOT_FOUND"})
        body = request.get_json(silent=True) or {}
        ids = [str(i.get("id")) for i in body.get("inputs") or [] if isinstance(i, dict)]
        with sandbox.lock:
            found = [sandbox.shape(sandbox.records[kind][i], body.get("properties") or [])
                     for i in ids if i in sandbox.records[kind]]
        now = _stamp(datetime.now(UTC))
        out: Json = {"status": "COMPLETE", "results": found, "startedAt": now, "completedAt": now}
        missing = [i for i in ids if i not in sandbox.records[kind]]
        if not missing:
            return out
        message = f"Could not get some {kind.upper()} objects, they may be deleted or not exist."
        out.update(numErrors=1, errors=[{"status": "error", "category": "OBJECT_NOT_FOUND", "message": message,
                                         "context": {"ids": missing}, "links": {}, "errors": []}])
        response = jsonify(out)
        response.status_code = 207
        return response


class HubSpotSandboxServer(LocalServer):
    """A real HTTP server for the sandbox on a background thread (port 0 picks a free port)."""

    def __init__(self, sandbox: HubSpotSandbox, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(sandbox, create_app(sandbox), host, port)

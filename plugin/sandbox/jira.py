"""An in-memory Jira Cloud site: the REST endpoints Baton's Jira adapter calls, and signed webhooks.

Shapes follow vendor-reference PROTOCOLS.md C and its fixtures: issue create
answers ``{"id","key","self"}``; a remote link POST with a known ``globalId``
updates (200) instead of creating (201); search is the Cloud ``search/jql``
endpoint with a JQL subset (``key in (...)``, ``updated >= "yyyy/MM/dd HH:mm"``
in the user's timezone); ``transition`` sends a ``jira:issue_updated`` webhook
signed with ``X-Hub-Signature`` and an ``X-Atlassian-Webhook-Identifier`` that
stays the same across redeliveries.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import itertools
import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests

Json = dict[str, Any]
Deliver = Callable[[bytes, dict[str, str]], int]
# status name -> (status id, statusCategory id, key, name), as Jira Cloud's default workflow has them
STATUSES = {
    "To Do": ("10000", 2, "new", "To Do"),
    "In Progress": ("3", 4, "indeterminate", "In Progress"),
    "In Review": ("10001", 4, "indeterminate", "In Progress"),
    "Done": ("10002", 3, "done", "Done"),
}
JIRA_TIME = "%Y-%m-%dT%H:%M:%S.000+0000"


class JiraError(Exception):
    """A refused request, rendered in Jira's error shape."""

    def __init__(self, status: int, messages: list[str], errors: dict[str, str] | None = None):
        super().__init__(status, messages)
        self.status, self.body = status, {"errorMessages": messages, "errors": errors or {}}


@dataclass
class Delivery:
    """One webhook sent (or resent): what went out and what Baton answered."""

    identifier: str
    body: bytes
    headers: dict[str, str]
    status_codes: list[int] = field(default_factory=list)


def http_deliverer(url: str, timeout: float = 10.0) -> Deliver:
    """Post webhook bodies to a URL over real HTTP, returning the status code."""
    def deliver(body: bytes, headers: dict[str, str]) -> int:
        return requests.post(url, data=body, headers=headers, timeout=timeout).status_code
    return deliver


class JiraSandbox:
    """Thread-safe state of one Jira site: projects, issues, remote links, users, failures."""

    def __init__(self, projects: tuple[str, ...] = ("SUP",), timezone: str = "UTC") -> None:
        self.lock = threading.RLock()
        self.projects = {key: str(10000 + n) for n, key in enumerate(projects)}
        self.issue_types = ("Bug", "Task", "Story")
        self.timezone = timezone
        self.users: dict[tuple[str, str], Json] = {}
        self.issues: dict[str, Json] = {}
        self.remote_links: dict[str, list[Json]] = {}
        self.requests: list[tuple[str, str]] = []
        self.deliveries: list[Delivery] = []
        self.deliver: Deliver | None = None
        self.webhook_secret = ""
        self.deliver_times = 1
        self._failures: list[tuple[int, int]] = []
        self._ids = itertools.count(10001)
        self._changelog_ids = itertools.count(20001)
        self._counters = {key: itertools.count(1) for key in projects}

    def add_user(self, email: str, token: str, display_name: str = "Baton") -> Json:
        """Register an API token; Jira Cloud's basic auth is email + API token."""
        user = {"accountId": "5b10ac8d82e05b22cc7d4e" + str(len(self.users)).zfill(2), "emailAddress": email,
                "displayName": display_name, "active": True, "timeZone": self.timezone}
        self.users[(email, token)] = user
        return user

    def authenticate(self, email: str, token: str) -> Json | None:
        """Return the user for credentials, or None."""
        return self.users.get((email, token))

    def fail_next(self, count: int, status: int = 429, retry_after: int = 7) -> None:
        """Answer the next ``count`` requests with ``status`` and a Retry-After."""
        with self.lock:
            self._failures += [(status, retry_after)] * count

    def take_failure(self) -> tuple[int, int] | None:
        """Pop the next planned failure, if any."""
        with self.lock:
            return self._failures.pop(0) if self._failures else None

    def configure_webhook(self, deliver: Deliver, secret: str, deliver_times: int = 1) -> None:
        """Send issue_updated webhooks through ``deliver``, signed with ``secret``."""
        self.deliver, self.webhook_secret, self.deliver_times = deliver, secret, deliver_times

    def create_issue(self, project: str, issue_type: str, summary: str, description: str = "") -> Json:
        """Create an issue in ``To Do``; 400 in Jira's shape for an unknown project or type."""
        errors = {}
        if project not in self.projects:
            errors["project"] = "valid project is required"
        if issue_type not in self.issue_types:
            errors["issuetype"] = "Specify a valid issue type"
        if not summary.strip():
            errors["summary"] = "You must specify a summary of the issue."
        if errors:
            raise JiraError(400, [], errors)
        with self.lock:
            key = f"{project}-{next(self._counters[project])}"
            now = datetime.now(UTC)
            self.issues[key] = {"id": str(next(self._ids)), "key": key, "fields": {
                "summary": summary, "description": description, "project": {"key": project},
                "issuetype": {"name": issue_type}, "status": status_object("To Do"),
                "resolution": None, "created": now.strftime(JIRA_TIME), "updated": now.strftime(JIRA_TIME),
            }, "updated_at": now}
            return self.issues[key]

    def issue(self, key: str) -> Json:
        """One issue by key, or Jira's 404."""
        with self.lock:
            if key not in self.issues:
                raise JiraError(404, ["Issue does not exist or you do not have permission to see it."])
            return self.issues[key]

    def upsert_remote_link(self, key: str, link: Json) -> tuple[Json, bool]:
        """Create a remote link, or replace the one with the same globalId; return (link, created)."""
        self.issue(key)
        obj = link.get("object")
        if not isinstance(obj, dict) or not obj.get("url") or not obj.get("title"):
            raise JiraError(400, [], {"object": "'url' and 'title' are required"})
        if len(str(link.get("globalId") or "")) > 255:
            raise JiraError(400, [], {"globalId": "must be at most 255 characters"})
        with self.lock:
            links = self.remote_links.setdefault(key, [])
            global_id = link.get("globalId")
            existing = next((li for li in links if global_id and li.get("globalId") == global_id), None)
            if existing is not None:
                # Jira sets fields missing from an update to null (PROTOCOLS.md C3).
                fresh = {"id": existing["id"], "globalId": global_id, "object": obj,
                         "application": link.get("application"), "relationship": link.get("relationship")}
                links[links.index(existing)] = fresh
                return fresh, False
            created = {"id": next(self._ids), "globalId": global_id, "object": obj,
                       "application": link.get("application"), "relationship": link.get("relationship")}
            links.append(created)
            return created, True

    def transition(self, key: str, to_status: str, by: str = "Dana Engineer",
                   timestamp_ms: int | None = None) -> Delivery | None:
        """Move an issue to a status and send the signed jira:issue_updated webhook."""
        if to_status not in STATUSES:
            raise JiraError(400, [f"No transition to status {to_status!r}"])
        with self.lock:
            issue = self.issue(key)
            fields = issue["fields"]
            before = fields["status"]
            now = datetime.now(UTC)
            fields["status"] = status_object(to_status)
            resolution_before = fields["resolution"]
            fields["resolution"] = {"id": "10000", "name": "Done"} if STATUSES[to_status][2] == "done" else None
            fields["updated"], issue["updated_at"] = now.strftime(JIRA_TIME), now
            payload = self._issue_updated(issue, before, resolution_before, by, timestamp_ms)
        return self._send(payload) if self.deliver else None

    def _issue_updated(self, issue: Json, before: Json, resolution_before: Json | None, by: str,
                       timestamp_ms: int | None) -> Json:
        """The webhook payload, shaped like fixtures/jira_issue_updated_status.json."""
        items = [{"field": "status", "fieldtype": "jira", "fieldId": "status", "from": before["id"],
                  "fromString": before["name"], "to": issue["fields"]["status"]["id"],
                  "toString": issue["fields"]["status"]["name"]}]
        if (resolution_before is None) != (issue["fields"]["resolution"] is None):
            after = issue["fields"]["resolution"]
            items.append({"field": "resolution", "fieldtype": "jira", "fieldId": "resolution",
                          "from": resolution_before and resolution_before["id"],
                          "fromString": resolution_before and resolution_before["name"],
                          "to": after and after["id"], "toString": after and after["name"]})
        return {
            "timestamp": timestamp_ms if timestamp_ms is not None else int(time.time() * 1000),
            "webhookEvent": "jira:issue_updated", "issue_event_type_name": "issue_generic",
            "user": {"accountId": "5b10a2844c20165700ede21g", "displayName": by, "active": True},
            "issue": {"id": issue["id"], "key": issue["key"], "fields": copy.deepcopy(issue["fields"])},
            "changelog": {"id": str(next(self._changelog_ids)), "items": items},
        }

    def _send(self, payload: Json) -> Delivery:
        """Sign and deliver ``deliver_times`` times with one identifier (Jira's retry semantics)."""
        body = json.dumps(payload).encode()
        delivery = Delivery(str(uuid.uuid4()), body, {
            "Content-Type": "application/json; charset=utf-8", "User-Agent": "Atlassian Webhook HTTP Client",
            "X-Atlassian-Webhook-Identifier": "", "X-Atlassian-Webhook-Flow": "Primary",
            "X-Hub-Signature": "sha256=" + hmac.new(self.webhook_secret.encode(), body,
                                                    hashlib.sha256).hexdigest()})
        delivery.headers["X-Atlassian-Webhook-Identifier"] = delivery.identifier
        self.deliveries.append(delivery)
        for _ in range(self.deliver_times):
            self.redeliver(delivery)
        return delivery

    def redeliver(self, delivery: Delivery) -> int:
        """Send a delivery again, as Jira's retry does: same body, signature and identifier."""
        if self.deliver is None:
            raise RuntimeError("configure_webhook first")
        headers = dict(delivery.headers)
        if delivery.status_codes:
            headers["X-Atlassian-Webhook-Retry"] = str(len(delivery.status_codes))
        status = self.deliver(delivery.body, headers)
        delivery.status_codes.append(status)
        return status


def status_object(name: str) -> Json:
    """A status as the REST API and webhooks show it, with its statusCategory."""
    status_id, category_id, category_key, category_name = STATUSES[name]
    return {"id": status_id, "name": name, "statusCategory": {
        "id": category_id, "key": category_key, "name": category_name}}

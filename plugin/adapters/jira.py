"""Jira Cloud through the ``jira`` library: create, link, read status, and find what changed since a sync.

A status change costs Baton no Jira request: the webhook carries the new
status, its category and the resolution. Escalating costs one POST for the
issue and one per linked ticket for the remote link; ``baton jira sync`` costs
one search per 50 linked keys (plus one ``/myself`` per process, for the JQL
timezone). No Jira SDK object leaves this module.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import requests
from jira import JIRA, JIRAError
from requests.adapters import HTTPAdapter

from plugin.adapters.base import NotFound, Rejected, VendorError, error_for_status, parse_retry_after

ISSUE_KEY = re.compile(r"^[A-Z][A-Z0-9_]*-[1-9][0-9]*$")
KEYS_PER_SEARCH = 50
PAGE_SIZE = 100
SYNC_FIELDS = ["status", "resolution", "updated"]
T = TypeVar("T")


class CountingAdapter(HTTPAdapter):
    """Record every (method, path) the library sends, for measuring API cost."""

    def __init__(self) -> None:
        super().__init__(max_retries=0)
        self.requests: list[tuple[str, str]] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        self.requests.append((request.method or "GET", urlsplit(request.url or "").path))
        return super().send(request, **kwargs)


def global_id_for(vendor: str, ticket_id: str) -> str:
    """Return the remote link's globalId for a ticket: stable, so re-linking updates, never duplicates."""
    return f"baton:{vendor}:ticket:{ticket_id}"


class JiraAdapter:
    """Baton's Jira client: the ``jira`` library without its server-info call or retry sleeps."""

    vendor = "jira"

    def __init__(self, base_url: str, email: str, token: str, timeout: float = 10.0):
        if not base_url or not email or not token:
            raise VendorError("Jira needs BATON_JIRA_URL, jira.email and BATON_JIRA_TOKEN")
        self.base_url = base_url.rstrip("/")
        # get_server_info=False skips GET /rest/api/2/serverInfo on construction; max_retries=0 stops
        # ResilientSession sleeping through 429/5xx, so the worker's backoff honours Retry-After instead.
        self.client = JIRA(server=self.base_url, basic_auth=(email, token), get_server_info=False,
                           max_retries=0, timeout=timeout, options={"check_update": False})
        self.transport = CountingAdapter()
        self.client._session.mount("https://", self.transport)
        self.client._session.mount("http://", self.transport)
        self._zone: ZoneInfo | None = None

    @property
    def requests_made(self) -> list[tuple[str, str]]:
        """Every (method, path) this client sent."""
        return self.transport.requests

    def create_issue(self, project: str, issue_type: str, summary: str, description: str) -> str:
        """Create an issue (one POST) and return its key."""
        fields = {"project": {"key": project}, "issuetype": {"name": issue_type},
                  "summary": summary[:255], "description": description}
        # Dicts (not names) for project and type, and prefetch=False: no lookups, no re-read.
        issue = self._call(lambda: self.client.create_issue(fields=fields, prefetch=False))
        return str(issue.key)

    def issue_status(self, key: str) -> tuple[str, bool]:
        """Return the issue's status name and whether it is resolved (one GET)."""
        issue = self._call(lambda: self.client.issue(_checked(key), fields="status,resolution"))
        return _status_of(issue.raw)

    def link_ticket(self, key: str, ticket_url: str, ticket_title: str, global_id: str) -> None:
        """Create or update the ticket's remote link on the issue (one POST, idempotent by globalId)."""
        if not global_id or len(global_id) > 255:
            raise Rejected("a remote link globalId must be 1-255 characters")
        # Not add_remote_link: it first GETs /rest/applinks/latest/listApplicationlinks (usually
        # refused to non-admins). Not add_simple_link: it sends no globalId, so every call adds a
        # duplicate. Jira updates the link whose globalId matches (200) or creates one (201); an
        # update nulls omitted fields, so the whole link is sent every time (PROTOCOLS.md C3).
        url = self.client._get_url(f"issue/{quote(_checked(key), safe='')}/remotelink")
        body = {"globalId": global_id, "relationship": "support ticket",
                "object": {"url": ticket_url, "title": ticket_title[:255]}}
        self._call(lambda: self.client._session.post(url, data=json.dumps(body)))

    def updated_issues(self, keys: list[str], since: datetime) -> list[tuple[str, str, bool]]:
        """Return (key, status, resolved) for linked issues updated since a moment, by JQL."""
        wanted = sorted({k for k in keys if ISSUE_KEY.match(k)})
        found: list[tuple[str, str, bool]] = []
        for start in range(0, len(wanted), KEYS_PER_SEARCH):
            chunk = wanted[start:start + KEYS_PER_SEARCH]
            try:
                found += self._search(chunk, since)
            except Rejected:
                # JQL fails as a whole when one key no longer exists: read the chunk one by one.
                found += self._read_each(chunk)
        return found

    def check(self) -> str:
        """Reach Jira with the configured credentials; return a one-line description."""
        me = self._call(self.client.myself)
        return f"Jira reachable at {self.base_url} as {me.get('displayName')} ({me.get('accountId')})"

    def _search(self, keys: list[str], since: datetime) -> list[tuple[str, str, bool]]:
        """Page through Cloud's search/jql (the old /search is retired on Cloud) for one chunk."""
        # JQL reads dates in the searching user's timezone, so `since` is converted to it.
        local = utc(since).astimezone(self._user_zone()).strftime("%Y/%m/%d %H:%M")
        params: dict[str, Any] = {"jql": f'key in ({", ".join(keys)}) AND updated >= "{local}"',
                                  "fields": SYNC_FIELDS, "maxResults": PAGE_SIZE}
        found: list[tuple[str, str, bool]] = []
        while True:
            page = self._call(lambda: self.client._get_json("search/jql", params=params, use_post=True))
            found += [(str(i["key"]), *_status_of(i)) for i in page.get("issues") or []]
            if page.get("isLast", True) or not page.get("nextPageToken"):
                return found
            params["nextPageToken"] = page["nextPageToken"]

    def _read_each(self, keys: list[str]) -> list[tuple[str, str, bool]]:
        """Read each issue's status, skipping issues that were deleted or moved out of sight."""
        found = []
        for key in keys:
            try:
                found.append((key, *self.issue_status(key)))
            except NotFound:
                continue
        return found

    def _user_zone(self) -> ZoneInfo:
        """The Jira user's timezone (one /myself per process), UTC when unknown."""
        if self._zone is None:
            name = str(self._call(self.client.myself).get("timeZone") or "UTC")
            try:
                self._zone = ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                self._zone = ZoneInfo("UTC")
        return self._zone

    @staticmethod
    def _call(func: Callable[[], T]) -> T:
        """Run a library call, mapping its errors to Baton's classes (429/5xx honour Retry-After)."""
        try:
            return func()
        except JIRAError as exc:
            status = exc.status_code or 503
            headers = exc.response.headers if exc.response is not None else {}
            raise error_for_status(status, f"Jira answered {status}: {str(exc.text or '')[:300]}",
                                   parse_retry_after(headers.get("Retry-After"))) from exc
        except requests.RequestException as exc:
            raise error_for_status(503, f"Jira unreachable: {type(exc).__name__}") from exc


def _checked(key: str) -> str:
    """Refuse anything that is not an issue key before it reaches a URL or JQL."""
    if not ISSUE_KEY.match(key):
        raise Rejected(f"{key!r} is not a Jira issue key (like PROJ-123)")
    return key


def _status_of(raw: dict[str, Any]) -> tuple[str, bool]:
    """Read (status name, resolved) from an issue's raw JSON: resolved means a resolution is set."""
    fields = raw.get("fields") or {}
    return str((fields.get("status") or {}).get("name") or ""), fields.get("resolution") is not None


def utc(moment: datetime) -> datetime:
    """Treat a naive datetime as UTC (the store keeps UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

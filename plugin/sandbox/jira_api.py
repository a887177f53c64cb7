"""Flask routes serving a JiraSandbox at Jira Cloud's REST v2 paths, so the ``jira`` library talks to it."""

from __future__ import annotations

import base64
import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, Response, g, jsonify, request
from werkzeug.exceptions import HTTPException

from .jira import JiraError, JiraSandbox, Json
from .server import LocalServer

_KEYS = re.compile(r"^key\s+in\s*\(([^)]*)\)$", re.IGNORECASE)
_UPDATED = re.compile(r'^updated\s*>=\s*"(\d{4}/\d{2}/\d{2} \d{2}:\d{2})"$', re.IGNORECASE)
_RATE_LIMITED = {"errorMessages": ["Rate limit exceeded."], "errors": {}}


def _error(status: int, body: Json, headers: dict[str, str] | None = None) -> Response:
    """A JSON error response in Jira's {"errorMessages", "errors"} shape."""
    response = jsonify(body)
    response.status_code = status
    response.headers.update(headers or {})
    return response


def _issue_json(issue: Json, wanted: str | list[str] | None) -> Json:
    """An issue resource with ``self`` and only the requested fields (all when none asked)."""
    names = wanted.split(",") if isinstance(wanted, str) else wanted
    fields = issue["fields"] if not names or "*all" in names else {
        k: v for k, v in issue["fields"].items() if k in names}
    return {"id": issue["id"], "key": issue["key"],
            "self": f"{request.url_root}rest/api/2/issue/{issue['id']}", "fields": fields}


def run_jql(sandbox: JiraSandbox, jql: str) -> list[Json]:
    """Evaluate the JQL subset Baton sends: ``key in (...)`` AND ``updated >= "..."``."""
    found = list(sandbox.issues.values())
    for clause in re.split(r"\s+AND\s+", jql.strip(), flags=re.IGNORECASE):
        if match := _KEYS.match(clause):
            keys = [k.strip().strip('"') for k in match.group(1).split(",") if k.strip()]
            missing = [k for k in keys if k not in sandbox.issues]
            if missing:
                # Jira refuses a JQL naming an issue key that does not exist.
                raise JiraError(400, [f"An issue with key '{missing[0]}' does not exist for field 'key'."])
            found = [i for i in found if i["key"] in keys]
        elif match := _UPDATED.match(clause):
            # JQL dates are read in the searching user's timezone.
            since = datetime.strptime(match.group(1), "%Y/%m/%d %H:%M").replace(
                tzinfo=ZoneInfo(sandbox.timezone))
            found = [i for i in found if i["updated_at"] >= since]
        else:
            raise JiraError(400, [f"Error in the JQL Query: the sandbox does not understand {clause!r}."])
    return sorted(found, key=lambda i: int(i["id"]))


def create_app(sandbox: JiraSandbox) -> Flask:
    """A Flask app for the Jira sandbox."""
    app = Flask("baton_jira_sandbox")
    app.json.sort_keys = False  # type: ignore[attr-defined]

    @app.before_request
    def gatekeeper() -> Response | None:
        """Count the call, check basic auth (email + API token), then play any planned failure."""
        sandbox.requests.append((request.method, request.path))
        auth = request.authorization
        user = sandbox.authenticate(auth.username or "", auth.password or "") if auth else None
        if user is None:
            return _error(401, {"errorMessages": ["You are not authenticated. Authentication required."],
                                "errors": {}})
        g.user = user
        failure = sandbox.take_failure()
        if failure:
            status, retry_after = failure
            return _error(status, _RATE_LIMITED if status == 429 else {"errorMessages": ["Unavailable"]},
                          {"Retry-After": str(retry_after)})
        return None

    @app.errorhandler(JiraError)
    def jira_error(exc: JiraError) -> Response:
        """Refused requests answer in Jira's error shape."""
        return _error(exc.status, exc.body)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        """Unknown paths and methods answer in JSON too."""
        return _error(exc.code or 500, {"errorMessages": [exc.description or exc.name], "errors": {}})

    _register(app, sandbox)
    return app


def _register(app: Flask, sandbox: JiraSandbox) -> None:
    """The endpoints: myself, issue create/read, remote links, search/jql."""

    @app.get("/rest/api/2/myself")
    def myself() -> Json:
        """The authenticated user, with the timeZone JQL dates are read in."""
        return dict(g.user)

    @app.post("/rest/api/2/issue")
    def create_issue() -> tuple[Json, int]:
        """Create an issue from {"fields": {project, issuetype, summary, description}}."""
        fields = (request.get_json(silent=True) or {}).get("fields") or {}
        issue = sandbox.create_issue(str((fields.get("project") or {}).get("key") or ""),
                                     str((fields.get("issuetype") or {}).get("name") or ""),
                                     str(fields.get("summary") or ""), str(fields.get("description") or ""))
        return {"id": issue["id"], "key": issue["key"],
                "self": f"{request.url_root}rest/api/2/issue/{issue['id']}"}, 201

    @app.get("/rest/api/2/issue/<key>")
    def get_issue(key: str) -> Json:
        """One issue, limited to the ``fields`` asked for."""
        return _issue_json(sandbox.issue(key), request.args.get("fields"))

    @app.post("/rest/api/2/issue/<key>/remotelink")
    def post_remote_link(key: str) -> tuple[Json, int]:
        """Create (201) or, for a known globalId, update (200) a remote link."""
        link, created = sandbox.upsert_remote_link(key, request.get_json(silent=True) or {})
        return {"id": link["id"], "self": f"{request.url_root}rest/api/2/issue/{key}/remotelink/{link['id']}"}, (
            201 if created else 200)

    @app.get("/rest/api/2/issue/<key>/remotelink")
    def list_remote_links(key: str) -> Response:
        """An issue's remote links, optionally only the one with ``globalId``."""
        sandbox.issue(key)
        links = sandbox.remote_links.get(key, [])
        wanted = request.args.get("globalId")
        return jsonify([li for li in links if wanted is None or li["globalId"] == wanted])

    @app.route("/rest/api/2/search/jql", methods=["GET", "POST"])
    def search() -> Json:
        """Cloud's enhanced search: JQL subset, nextPageToken paging, ``isLast``."""
        if request.method == "POST":
            params: dict[str, Any] = request.get_json(silent=True) or {}
        else:
            params = dict(request.args)
        found = run_jql(sandbox, str(params.get("jql") or ""))
        size = min(int(params.get("maxResults") or 50), 5000)
        token = params.get("nextPageToken")
        start = int(base64.b64decode(token).decode()) if token else 0
        page = found[start:start + size]
        body: Json = {"issues": [_issue_json(i, params.get("fields")) for i in page],
                      "isLast": start + size >= len(found)}
        if not body["isLast"]:
            body["nextPageToken"] = base64.b64encode(str(start + size).encode()).decode()
        return body


class JiraSandboxServer(LocalServer):
    """A real HTTP server for the sandbox on a background thread (port 0 picks a free port)."""

    def __init__(self, sandbox: JiraSandbox, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(sandbox, create_app(sandbox), host, port)

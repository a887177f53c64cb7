"""GET /: recent handoffs and their outcomes, behind the admin token.

Authentication: BATON_DASHBOARD_TOKEN as a bearer token, or as the password of
HTTP basic auth (any user name), so a browser can log in with its own prompt.
"""

from __future__ import annotations

import hmac

from flask import Blueprint, Response, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue

blueprint = Blueprint("dashboard", __name__, template_folder="templates")


def _authorized() -> bool:
    token = current_app.extensions["baton"].settings["dashboard"]["token"]
    if not token:
        return False
    header = request.headers.get("Authorization", "")
    given = header[7:] if header.startswith("Bearer ") else (
        request.authorization.password if request.authorization else "") or ""
    return hmac.compare_digest(given.encode(), token.encode())


@blueprint.before_request
def require_token() -> ResponseReturnValue | None:
    """Refuse every dashboard request without the admin token."""
    if _authorized():
        return None
    if not current_app.extensions["baton"].settings["dashboard"]["token"]:
        return Response("The dashboard is off: set BATON_DASHBOARD_TOKEN to enable it.\n", 503,
                        mimetype="text/plain")
    return Response("Authentication required.\n", 401, {"WWW-Authenticate": 'Basic realm="Baton"'},
                    mimetype="text/plain")


@blueprint.get("/")
def index() -> ResponseReturnValue:
    """Render the recent handoffs page."""
    store = current_app.extensions["baton"].store
    return render_template("dashboard.html", handoffs=store.recent_handoffs(limit=100),
                           counts=store.outcome_counts(), dead_letters=store.dead_letters()[:20])


@blueprint.get("/api/handoffs")
def handoffs_json() -> ResponseReturnValue:
    """Return the same data as JSON, for scripts and tests."""
    store = current_app.extensions["baton"].store
    limit = min(max(request.args.get("limit", 100, type=int) or 100, 1), 1000)
    rows = store.recent_handoffs(limit=limit, ticket_id=request.args.get("ticket_id"))
    return jsonify({"handoffs": rows, "counts": store.outcome_counts()})

"""Dashboard authentication: BATON_DASHBOARD_TOKEN as a bearer token or a basic-auth password.

Basic auth lets a browser log in with its own prompt (any user name); the
token comes only from the environment. Without a token the dashboard is off.
"""

from __future__ import annotations

import hmac

from flask import Blueprint, Response, current_app, request
from flask.typing import ResponseReturnValue


def _given_token() -> str:
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return header[7:]
    return (request.authorization.password if request.authorization else "") or ""


def require_token() -> ResponseReturnValue | None:
    """Refuse a dashboard request without the admin token (a before_request hook)."""
    token = current_app.extensions["baton"].settings["dashboard"]["token"]
    if not token:
        return Response("The dashboard is off: set BATON_DASHBOARD_TOKEN to enable it.\n", 503,
                        mimetype="text/plain")
    if hmac.compare_digest(_given_token().encode(), token.encode()):
        return None
    return Response("Authentication required.\n", 401, {"WWW-Authenticate": 'Basic realm="Baton"'},
                    mimetype="text/plain")


def protected_blueprint(name: str, import_name: str) -> Blueprint:
    """Create a blueprint whose every route needs the dashboard token."""
    blueprint = Blueprint(name, import_name, template_folder="templates")
    blueprint.before_request(require_token)
    return blueprint

"""The web app: webhook receivers, health and metrics, the dashboard.

Configuration is read inside ``create_app``, never at import, so gunicorn,
``baton serve``, the demo and tests each build their own app.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from flask import Flask, jsonify
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from plugin.config import Settings, load_settings
from plugin.queue import EventQueue, RedisEventQueue
from plugin.store import Store
from plugin.webhooks.base import WebhookError, error_response

log = logging.getLogger(__name__)


@dataclass
class AppState:
    """What the request path needs: settings, the queue, the store (read-only there)."""

    settings: Settings
    queue: EventQueue
    store: Store


def create_app(settings: Settings | None = None, queue: EventQueue | None = None,
               store: Store | None = None) -> Flask:
    """Build the Flask app; without arguments, from config file and environment."""
    settings = settings or load_settings()
    if queue is None:
        if not settings["queue"]["redis_url"]:
            raise RuntimeError("REDIS_URL is not set: `baton serve` and gunicorn need Redis "
                               "(`baton demo` runs without it)")
        queue = RedisEventQueue(settings["queue"]["redis_url"], settings["queue"]["name"],
                                settings["queue"]["dedupe_ttl_seconds"])
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings["server"]["max_body_bytes"]
    app.extensions["baton"] = AppState(settings, queue, store or Store(settings["store"]["database_url"]))
    _register(app)
    return app


def _register(app: Flask) -> None:
    from plugin.web.dashboard import blueprint as dashboard
    from plugin.web.metrics import metrics
    from plugin.web.quality import blueprint as quality
    from plugin.web.wrapups import blueprint as wrapups
    from plugin.webhooks.freshdesk import blueprint as freshdesk
    from plugin.webhooks.jira import blueprint as jira
    from plugin.webhooks.zendesk import blueprint as zendesk

    app.register_blueprint(zendesk)
    app.register_blueprint(freshdesk)
    app.register_blueprint(jira)
    app.register_blueprint(dashboard)
    app.register_blueprint(wrapups)
    app.register_blueprint(quality)
    app.jinja_env.globals["has_endpoint"] = lambda name: name in app.view_functions
    app.add_url_rule("/healthz", "healthz", lambda: jsonify({"status": "ok"}))
    app.add_url_rule("/readyz", "readyz", readyz)
    app.add_url_rule("/metrics", "metrics", metrics)
    app.register_error_handler(WebhookError, lambda e: error_response(e.status, e.code, e.message))
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)


def readyz() -> ResponseReturnValue:
    """Answer 200 only when the queue and the database both answer."""
    from flask import current_app

    state: AppState = current_app.extensions["baton"]
    checks = {"queue": _safe(state.queue.ping), "database": _safe(state.store.ping)}
    return jsonify({"ready": all(checks.values()), **checks}), 200 if all(checks.values()) else 503


def _safe(check: Any) -> bool:
    try:
        return bool(check())
    except Exception:  # readiness must answer, whatever broke
        return False


def _http_error(exc: HTTPException) -> ResponseReturnValue:
    code = {413: "too_large", 404: "not_found", 405: "method_not_allowed"}.get(exc.code or 500, "http_error")
    return error_response(exc.code or 500, code, exc.description or exc.name)


def _unexpected(exc: Exception) -> ResponseReturnValue:
    log.exception("unexpected error")
    return error_response(500, "internal_error", "unexpected error; see Baton's log")

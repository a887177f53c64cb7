"""Dashboard pages: overview, the handoff queue, and one ticket's reassignment trail.

Each page has a JSON twin under /api/ and the handoff list a CSV export, so
a team can script against what it sees. Pages read the store, never a vendor.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Response, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue

from plugin.store.tables import aware
from plugin.web.auth import protected_blueprint

blueprint = protected_blueprint("dashboard", __name__)
CSV_COLUMNS = ("recorded_at", "changed_at", "vendor", "ticket_id", "actor_id", "from_assignee", "from_group",
               "to_assignee", "to_group", "outcome", "missing", "vague")


def _store() -> Any:
    return current_app.extensions["baton"].store


def _queue_rows() -> tuple[list[dict[str, Any]], int]:
    minutes = current_app.extensions["baton"].settings["dashboard"]["handoff_queue_minutes"]
    now = datetime.now(UTC)
    rows = _store().handoff_queue(since=now - timedelta(minutes=minutes))
    for row in rows:
        row["age_minutes"] = int((now - aware(row["changed_at"])).total_seconds() // 60)
        row["complete"] = not row["missing"] and not row["vague"]
        row["flags"] = (row.get("details") or {}).get("flags", [])
        row["summary"] = (row.get("details") or {}).get("summary", "")
    return rows, minutes


@blueprint.get("/")
def index() -> ResponseReturnValue:
    """Render the overview: outcome counts, recent handoffs, dead letters."""
    store = _store()
    return render_template("dashboard.html", handoffs=store.recent_handoffs(limit=100),
                           counts=store.outcome_counts(), dead_letters=store.dead_letters()[:20])


@blueprint.get("/queue")
def handoff_queue() -> ResponseReturnValue:
    """Render the tickets transferred recently: where an incoming shift starts."""
    rows, minutes = _queue_rows()
    return render_template("queue.html", rows=rows, minutes=minutes)


@blueprint.get("/tickets/<vendor>/<ticket_id>")
def ticket_trail(vendor: str, ticket_id: str) -> ResponseReturnValue:
    """Render one ticket's reassignment trail: who moved it, from where to where, with which note."""
    return render_template("ticket.html", vendor=vendor, ticket_id=ticket_id,
                           trail=_store().ticket_trail(vendor, ticket_id))


@blueprint.get("/api/handoffs")
def handoffs_json() -> ResponseReturnValue:
    """Return recent handoffs and outcome counts as JSON."""
    limit = min(max(request.args.get("limit", 100, type=int) or 100, 1), 1000)
    rows = _store().recent_handoffs(limit=limit, ticket_id=request.args.get("ticket_id"))
    return jsonify({"handoffs": rows, "counts": _store().outcome_counts()})


@blueprint.get("/api/queue")
def queue_json() -> ResponseReturnValue:
    """Return the handoff queue as JSON."""
    rows, minutes = _queue_rows()
    return jsonify({"window_minutes": minutes, "tickets": rows})


@blueprint.get("/api/tickets/<vendor>/<ticket_id>")
def ticket_json(vendor: str, ticket_id: str) -> ResponseReturnValue:
    """Return one ticket's reassignment trail as JSON."""
    return jsonify({"vendor": vendor, "ticket_id": ticket_id, "trail": _store().ticket_trail(vendor, ticket_id)})


@blueprint.get("/api/handoffs.csv")
def handoffs_csv() -> ResponseReturnValue:
    """Export recent handoffs as CSV (up to 10,000 rows)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(_store().recent_handoffs(limit=10_000))
    return Response(buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=baton-handoffs.csv"})

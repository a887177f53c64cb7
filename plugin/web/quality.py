"""Handoff quality: how often the next agent asks a repeat question, by team, agent and day.

Shown beside handoff volume, the share of complete notes, ping-pong tickets
and time to first reply, so leaders measure quality rather than volume.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue

from plugin.web.auth import protected_blueprint
from plugin.web.charts import bar_chart

blueprint = protected_blueprint("quality", __name__)


def quality_data(days: int) -> dict[str, Any]:
    """Collect every figure the quality page shows, for a window of days."""
    store = current_app.extensions["baton"].store
    since = datetime.now(UTC) - timedelta(days=days)
    return {"days": days, "totals": store.quality_totals(since),
            "by_day": store.quality_by_day(since),
            "by_team": store.quality_by("team", since), "by_sender": store.quality_by("sender", since),
            "by_receiver": store.quality_by("receiver", since)}


def _days() -> int:
    return min(max(request.args.get("days", 30, type=int) or 30, 1), 365)


@blueprint.get("/quality")
def page() -> ResponseReturnValue:
    """Render the handoff quality page with its charts."""
    data = quality_data(_days())
    by_day = data["by_day"]
    charts = {
        "rate": bar_chart([(d["day"], d["repeat_rate"]) for d in by_day], percent=True,
                          title="Repeat-question rate per day", color="#c92a2a"),
        "volume": bar_chart([(d["day"], d["volume"]) for d in by_day], title="Handoffs per day"),
        "complete": bar_chart([(d["day"], d["complete_share"]) for d in by_day], percent=True,
                              title="Share of complete notes per day", color="#2f9e44"),
    }
    return render_template("quality.html", charts=charts, **data)


@blueprint.get("/api/quality")
def quality_json() -> ResponseReturnValue:
    """Return the quality figures as JSON."""
    return jsonify(quality_data(_days()))

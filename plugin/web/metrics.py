"""GET /metrics in Prometheus' text format: deliveries, processing, outcomes, queue, quality.

Counters come from shared places (Redis for deliveries, the database for the
rest), so every gunicorn process and worker reports the same figures.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Response, current_app
from flask.typing import ResponseReturnValue


def _family(name: str, kind: str, help_text: str, samples: Iterable[tuple[dict[str, str], float]]) -> list[str]:
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
    for labels, value in samples:
        label_text = ",".join(f'{k}="{_escape(v)}"' for k, v in labels.items())
        lines.append(f"{name}{{{label_text}}} {value:g}" if label_text else f"{name} {value:g}")
    return lines


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _received(stats: dict[str, Any]) -> list[tuple[dict[str, str], float]]:
    samples = []
    for field, count in sorted(stats.get("received", {}).items()):
        vendor, kind, status = (field.split("|") + ["", "", ""])[:3]
        samples.append(({"vendor": vendor, "kind": kind, "status": status}, count))
    return samples


def render(state: Any) -> str:
    """Collect every metric family as Prometheus text."""
    store = state.store
    try:
        stats = state.queue.stats()
    except Exception:  # a scrape must answer even when Redis is down; readiness reports that
        stats = {"received": {}, "depth": {}}
    processed = [({"vendor": r["vendor"], "kind": r["kind"], "result": r["result"]}, r["count"])
                 for r in store.event_counts()]
    outcomes = [({"outcome": k}, v) for k, v in sorted(store.outcome_counts().items())]
    totals = store.quality_totals(datetime.now(UTC) - timedelta(days=30))
    lines = (
        _family("baton_webhooks_received_total", "counter", "Webhook deliveries acknowledged, by vendor, kind "
                "and status (queued, duplicate, ignored).", _received(stats))
        + _family("baton_events_processed_total", "counter", "Events the worker finished, by vendor, kind and "
                  "result (processed, failed).", processed)
        + _family("baton_handoffs_total", "counter", "Handoffs recorded, by outcome.", outcomes)
        + _family("baton_queue_jobs", "gauge", "Jobs in Baton's queue, by state.",
                  [({"state": k}, v) for k, v in sorted(stats.get("depth", {}).items())])
        + _family("baton_dead_letters", "gauge", "Events parked for replay.", [({}, len(store.dead_letters()))])
        + _family("baton_repeat_question_rate", "gauge", "Share of judged first replies after a handoff that "
                  "asked a repeat question, last 30 days.", [({}, totals["repeat_rate"] or 0.0)])
    )
    return "\n".join(lines) + "\n"


def metrics() -> ResponseReturnValue:
    """Serve the metrics (unauthenticated, like most Prometheus endpoints: no personal data)."""
    return Response(render(current_app.extensions["baton"]), mimetype="text/plain; version=0.0.4")

"""`baton demo --scenario-only`: the scripted scenario as an end-to-end test, and the dashboard."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from plugin.app import create_app
from plugin.queue import InProcessQueue
from plugin.store import HandoffRecord, Store
from tests.conftest import make_settings

REPO = Path(__file__).resolve().parents[1]


def test_scenario_only_plays_every_step_and_exits_zero(tmp_path) -> None:
    result = subprocess.run([sys.executable, "-m", "plugin.cli", "demo", "--scenario-only"], cwd=tmp_path,
                            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)},
                            capture_output=True, text=True, timeout=180)
    out = result.stdout
    assert result.returncode == 0, out + result.stderr[-3000:]
    assert "FAIL" not in out and out.rstrip().endswith("All checks passed.")
    assert "ok   first assignment is left alone" in out
    assert "ok   Baton put the ticket back with Alex in Support" in out
    assert "ok   the move is accepted: Blake in Billing holds the ticket" in out
    assert "ok   reverted exactly once, with one note" in out
    assert "Zendesk API requests for this reassignment: 2 (1 read, 1 write)" in out


def seeded_app(tmp_path):
    settings = make_settings(dashboard={"token": "s3cret"},
                             store={"database_url": f"sqlite:///{tmp_path / 'dash.db'}"})
    store = Store(settings["store"]["database_url"])
    store.record_handoff(HandoffRecord(
        vendor="zendesk", ticket_id="4001", change_id="77", changed_at=datetime(2026, 5, 4, 9, tzinfo=UTC),
        actor_id="9002", from_assignee="9002", from_group="7001", to_assignee="9003", to_group="7002",
        outcome="reverted", missing=("situation", "reason")))
    return create_app(settings, queue=InProcessQueue(lambda data: None), store=store)


def test_dashboard_needs_the_token_and_lists_handoffs(tmp_path) -> None:
    client = seeded_app(tmp_path).test_client()
    assert client.get("/").status_code == 401
    assert client.get("/", headers={"Authorization": "Bearer wrong"}).status_code == 401
    page = client.get("/", auth=("admin", "s3cret"))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "zendesk #4001" in html and "missing: situation, reason" in html
    data = client.get("/api/handoffs", headers={"Authorization": "Bearer s3cret"}).json
    assert data["counts"] == {"reverted": 1} and data["handoffs"][0]["ticket_id"] == "4001"


def test_dashboard_is_off_without_a_token(tmp_path) -> None:
    app = create_app(make_settings(), queue=InProcessQueue(lambda data: None))
    response = app.test_client().get("/")
    assert response.status_code == 503 and b"BATON_DASHBOARD_TOKEN" in response.data


def test_health_readiness_and_metrics(tmp_path) -> None:
    client = seeded_app(tmp_path).test_client()
    assert client.get("/healthz").json == {"status": "ok"}
    assert client.get("/readyz").json == {"ready": True, "queue": True, "database": True}
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'baton_handoffs_total{outcome="reverted"} 1' in metrics and "baton_dead_letters 0" in metrics


def test_handoff_queue_trail_and_csv(tmp_path) -> None:
    app = seeded_app(tmp_path)
    store = app.extensions["baton"].store
    store.record_handoff(HandoffRecord(
        vendor="zendesk", ticket_id="4001", change_id="78", changed_at=datetime.now(UTC) - timedelta(minutes=10),
        actor_id="9002", from_assignee="9002", from_group="7001", to_assignee="9003", to_group="7002",
        outcome="accepted", details={"note": "Handoff\nSituation: double charge", "flags": ["frustrated"],
                                     "summary": "Baton handoff summary\nThe customer was charged twice."}))
    client = app.test_client()
    auth = {"Authorization": "Bearer s3cret"}
    queue = client.get("/api/queue", headers=auth).json
    assert queue["window_minutes"] == 120
    assert [(t["ticket_id"], t["outcome"], t["complete"], t["flags"]) for t in queue["tickets"]] == [
        ("4001", "accepted", True, ["frustrated"])]
    assert 9 <= queue["tickets"][0]["age_minutes"] <= 11  # age since the transfer, not since recording
    page = client.get("/queue", headers=auth).get_data(as_text=True)
    assert "The customer was charged twice." in page and "frustrated" in page
    trail = client.get("/api/tickets/zendesk/4001", headers=auth).json["trail"]
    assert [h["outcome"] for h in trail] == ["reverted", "accepted"]
    html = client.get("/tickets/zendesk/4001", headers=auth).get_data(as_text=True)
    assert "Situation: double charge" in html and "missing: situation, reason" in html
    csv_text = client.get("/api/handoffs.csv", headers=auth).get_data(as_text=True)
    lines = csv_text.strip().splitlines()
    assert lines[0].startswith("recorded_at,changed_at,vendor,ticket_id")
    assert len(lines) == 3 and ",accepted," in lines[1] and ",reverted," in lines[2]
    assert client.get("/api/handoffs.csv").status_code == 401

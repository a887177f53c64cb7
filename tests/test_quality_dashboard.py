"""The handoff quality page: aggregates by team, agent and day, ping-pong tickets, charts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from plugin.app import create_app
from plugin.queue import InProcessQueue
from plugin.store import HandoffRecord, Store
from tests.conftest import make_settings

NOW = datetime.now(UTC).replace(microsecond=0)


def record(store: Store, ticket: str, change: str, hours_ago: float, frm: tuple[str, str], to: tuple[str, str],
           outcome: str, repeat: bool | None = None, reply_minutes: int = 10) -> None:
    changed = NOW - timedelta(hours=hours_ago)
    store.record_handoff(HandoffRecord(vendor="zendesk", ticket_id=ticket, change_id=change, changed_at=changed,
                                       actor_id=frm[0], from_assignee=frm[0], from_group=frm[1],
                                       to_assignee=to[0], to_group=to[1], outcome=outcome))
    if repeat is not None:
        store.record_quality("zendesk", ticket, change, repeat, [{"kind": "order_number"}] if repeat else [],
                             changed + timedelta(minutes=reply_minutes))


def seeded(tmp_path):
    settings = make_settings(dashboard={"token": "t"}, store={"database_url": f"sqlite:///{tmp_path / 'q.db'}"})
    store = Store(settings["store"]["database_url"])
    record(store, "1", "a", 30, ("alex", "support"), ("blake", "billing"), "accepted", repeat=True)
    record(store, "1", "b", 29, ("blake", "billing"), ("alex", "support"), "accepted", repeat=False,
           reply_minutes=30)
    record(store, "2", "c", 5, ("alex", "support"), ("blake", "billing"), "flagged", repeat=False)
    record(store, "3", "d", 2, ("alex", "support"), ("casey", "billing"), "reverted")
    record(store, "4", "e", 1, ("dana", "support"), ("erin", "tech"), "exempt")
    record(store, "5", "f", 24 * 40, ("alex", "support"), ("blake", "billing"), "accepted", repeat=True)
    return create_app(settings, queue=InProcessQueue(lambda data: None), store=store)


def test_totals_by_dimension_and_ping_pong(tmp_path) -> None:
    store = seeded(tmp_path).extensions["baton"].store
    since = NOW - timedelta(days=30)
    totals = store.quality_totals(since)
    assert (totals["volume"], totals["complete"], totals["judged"], totals["repeats"]) == (4, 2, 3, 1)
    assert totals["repeat_rate"] == round(1 / 3, 3) and totals["complete_share"] == 0.5
    assert totals["avg_first_reply_seconds"] == round((10 + 30 + 10) * 60 / 3)
    assert totals["ping_pong_tickets"] == 1  # ticket 1 went alex -> blake -> alex
    teams = {r["key"]: r for r in store.quality_by("team", since)}
    billing = teams["billing"]
    assert (billing["volume"], billing["repeats"], billing["repeat_rate"]) == (3, 1, 0.5)
    assert "tech" not in teams  # exempt moves are not handoffs
    receivers = {r["key"]: r["volume"] for r in store.quality_by("receiver", since)}
    assert receivers == {"blake": 2, "alex": 1, "casey": 1}
    days = store.quality_by_day(since)
    assert sum(d["volume"] for d in days) == 4 and all(len(d["day"]) == 10 for d in days)


def test_quality_page_renders_charts_and_tables(tmp_path) -> None:
    client = seeded(tmp_path).test_client()
    html = client.get("/quality", headers={"Authorization": "Bearer t"}).get_data(as_text=True)
    assert "Repeat-question rate" in html and html.count("<svg") == 3
    assert "33%" in html and "Ping-pong tickets" in html
    data = client.get("/api/quality?days=365", headers={"Authorization": "Bearer t"}).json
    assert data["totals"]["volume"] == 5 and data["days"] == 365
    assert client.get("/quality").status_code == 401

"""GET /metrics: deliveries counted in Redis, processing and outcomes from the store, queue depth."""

from __future__ import annotations

from plugin.app import create_app
from plugin.queue import RedisEventQueue
from plugin.store import HandoffRecord
from tests.conftest import T0, make_settings
from tests.test_webhooks_zendesk import EVENT, FIXTURES, SECRET, post


def test_metrics_count_deliveries_processing_outcomes_and_depth(redis_url, tmp_path) -> None:
    settings = make_settings(zendesk={"webhook_secret": SECRET}, queue={"redis_url": redis_url},
                             store={"database_url": f"sqlite:///{tmp_path / 'm.db'}"})
    app = create_app(settings, queue=RedisEventQueue(redis_url))
    client = app.test_client()
    assert [post(client, EVENT).json["status"] for _ in range(3)] == ["queued", "duplicate", "duplicate"]
    ignored = (FIXTURES / "zendesk" / "zendesk_event_user_deleted_real_body.txt").read_bytes()
    assert post(client, ignored).json["status"] == "ignored"
    store = app.extensions["baton"].store
    store.record_event("zendesk", "e1", "assignment_changed", "5", "reverted")
    store.record_event("zendesk", "e2", "assignment_changed", "5", "dead letter: NotFound")
    store.record_handoff(HandoffRecord(vendor="zendesk", ticket_id="5", change_id="a", changed_at=T0,
                                       actor_id="1", from_assignee="1", from_group="2", to_assignee="3",
                                       to_group="4", outcome="reverted"))
    text = client.get("/metrics").get_data(as_text=True)
    assert 'baton_webhooks_received_total{vendor="zendesk",kind="assignment_changed",status="queued"} 1' in text
    assert 'baton_webhooks_received_total{vendor="zendesk",kind="assignment_changed",status="duplicate"} 2' in text
    assert 'baton_webhooks_received_total{vendor="zendesk",kind="user.deleted",status="ignored"} 1' in text
    assert 'baton_events_processed_total{vendor="zendesk",kind="assignment_changed",result="processed"} 1' in text
    assert 'baton_events_processed_total{vendor="zendesk",kind="assignment_changed",result="failed"} 1' in text
    assert 'baton_handoffs_total{outcome="reverted"} 1' in text
    assert 'baton_queue_jobs{state="queued"} 1' in text
    assert "baton_repeat_question_rate 0" in text
    assert "# TYPE baton_webhooks_received_total counter" in text

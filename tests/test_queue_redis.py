"""RedisEventQueue against a real redis-server: dedupe, the RQ job it stores, and failures."""

from __future__ import annotations

import json

import pytest
import redis
from rq import Queue, SimpleWorker
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer

import plugin.queue
from plugin.events import Event
from plugin.queue import CRASH_RETRY, JOB_FUNC, ON_FAILURE, QueueUnavailable, RedisEventQueue, job_id_for
from plugin.webhooks.zendesk import normalize
from tests.conftest import FIXTURES, free_port

pytestmark = pytest.mark.redis
EVENT = json.loads((FIXTURES / "zendesk" / "zendesk_event_ticket_agent_assignment_changed.json").read_text())


def event(event_id: str = "c6d7e8f9") -> Event:
    built = normalize({**EVENT, "id": event_id}, None, b"")
    assert built is not None
    return built


def record(data: dict) -> str:
    """Stand-in for plugin.jobs.process_event, run by a real RQ worker."""
    from rq import get_current_job

    get_current_job().connection.set("recorded", json.dumps(data))
    return data["id"]


def test_event_is_queued_once_then_acknowledged_as_duplicate(redis_url: str) -> None:
    queue = RedisEventQueue(redis_url)
    first = event()
    assert queue.submit(first) == "queued"
    assert queue.submit(event()) == "duplicate"
    client = redis.Redis.from_url(redis_url)
    assert client.llen("rq:queue:baton") == 1
    assert 7 * 86400 - 60 < client.ttl(f"baton:dedupe:zendesk:{first.id}") <= 7 * 86400
    assert queue.submit(event("another")) == "queued"
    assert client.llen("rq:queue:baton") == 2


def test_queued_job_is_the_rq_job_baton_enqueues(redis_url: str) -> None:
    queue = RedisEventQueue(redis_url)
    sent = event()
    queue.submit(sent)
    client = redis.Redis.from_url(redis_url)
    job = Job.fetch(job_id_for(sent), connection=client, serializer=JSONSerializer)
    assert job.func_name == "plugin.jobs.process_event"
    assert list(job.args) == [sent.to_dict()]
    assert job.kwargs == {}
    assert (job.retries_left, job.retry_intervals) == (3, [5, 30, 120])
    assert job.failure_callback.__name__ == "on_job_failure"
    assert (job.result_ttl, job.failure_ttl, job.origin) == (3600, 7 * 86400, "baton")
    assert job.get_status() == JobStatus.QUEUED
    assert [j.decode() for j in client.lrange("rq:queue:baton", 0, -1)] == [job.id]
    assert Queue("baton", connection=client).key.encode() in client.smembers("rq:queues")


def test_job_hash_matches_what_rq_enqueue_call_stores(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    sent = event()
    RedisEventQueue(redis_url).submit(sent)
    ours = client.hgetall(f"rq:job:{job_id_for(sent)}")
    client.flushdb()
    rq_queue = Queue("baton", connection=client, serializer=JSONSerializer)
    rq_queue.enqueue_call(JOB_FUNC, args=(sent.to_dict(),), job_id=job_id_for(sent), retry=CRASH_RETRY,
                          result_ttl=3600, failure_ttl=7 * 86400, on_failure=ON_FAILURE,
                          description=f"{sent.vendor} {sent.kind} ticket {sent.ticket_id}")
    theirs = client.hgetall(f"rq:job:{job_id_for(sent)}")
    timestamps = {b"created_at", b"enqueued_at"}
    assert ours.keys() == theirs.keys()
    assert {k: v for k, v in ours.items() if k not in timestamps} == \
        {k: v for k, v in theirs.items() if k not in timestamps}


def test_a_real_rq_worker_runs_the_queued_job(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plugin.queue, "JOB_FUNC", f"{__name__}.record")
    queue = RedisEventQueue(redis_url)
    sent = event()
    assert queue.submit(sent) == "queued"
    client = redis.Redis.from_url(redis_url)
    worker = SimpleWorker([Queue("baton", connection=client, serializer=JSONSerializer)],
                          connection=client, serializer=JSONSerializer)
    assert worker.work(burst=True)
    assert json.loads(client.get("recorded")) == sent.to_dict()
    job = Job.fetch(job_id_for(sent), connection=client, serializer=JSONSerializer)
    assert job.get_status() == JobStatus.FINISHED
    assert client.llen("rq:queue:baton") == 0


def test_failed_enqueue_raises_and_leaves_no_dedupe_key(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    client.set("rq:queue:baton", "not a list")  # RPUSH inside the enqueue now fails (WRONGTYPE)
    queue = RedisEventQueue(redis_url)
    sent = event()
    with pytest.raises(QueueUnavailable):
        queue.submit(sent)
    assert not client.exists(queue.dedupe_key(sent))
    client.delete("rq:queue:baton")
    assert queue.submit(sent) == "queued"  # the vendor's retry gets through


def test_unreachable_redis_raises_queue_unavailable() -> None:
    queue = RedisEventQueue(f"redis://127.0.0.1:{free_port()}/0")
    with pytest.raises(QueueUnavailable):
        queue.submit(event())
    assert queue.ping() is False


def test_redis_restart_without_cached_script_still_queues(redis_url: str) -> None:
    queue = RedisEventQueue(redis_url)
    queue.submit(event("one"))
    redis.Redis.from_url(redis_url).script_flush()
    assert queue.submit(event("two")) == "queued"

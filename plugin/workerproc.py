"""`baton worker` and dead-letter replay: RQ's worker with Baton's safety settings.

The JSON serializer (pickle is unsafe against an untrusted Redis), a short
worker TTL so a dead worker's job is picked up in seconds, and the scheduler
on, so jobs delayed by a vendor's Retry-After run when they are due.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime
from typing import Any

import redis
from rq import Queue, Worker
from rq.exceptions import DuplicateJobError
from rq.serializers import JSONSerializer

from plugin.config import Settings
from plugin.events import Event
from plugin.queue import RedisEventQueue
from plugin.store import Store

log = logging.getLogger(__name__)
TICK_FUNC = "plugin.jobs.tick"


def run_worker(settings: Settings, burst: bool = False) -> int:
    """Work Baton's queue until stopped (or until empty with ``burst``)."""
    url = settings["queue"]["redis_url"]
    if not url:
        raise SystemExit("baton worker needs REDIS_URL (the demo runs without it: `baton demo`)")
    connection = redis.Redis.from_url(url)
    queue = Queue(settings["queue"]["name"], connection=connection, serializer=JSONSerializer)
    worker = Worker([queue], connection=connection, serializer=JSONSerializer,
                    worker_ttl=settings["queue"]["worker_ttl_seconds"])
    if not burst:
        threading.Thread(target=_tick_every_minute, args=(queue,), daemon=True, name="baton-tick").start()
    worker.work(with_scheduler=True, burst=burst)
    return 0


def enqueue_tick(queue: Queue, now: datetime) -> bool:
    """Enqueue this minute's tick once, however many workers try (the job id is the minute)."""
    try:
        queue.enqueue_call(TICK_FUNC, job_id=f"tick-{now:%Y%m%d%H%M}", unique=True, result_ttl=3600,
                           failure_ttl=86400, description="scheduled wrap-ups")
    except DuplicateJobError:
        return False
    return True


def _tick_every_minute(queue: Queue) -> None:
    while True:
        try:
            enqueue_tick(queue, datetime.now(UTC))
        except redis.RedisError as exc:  # Redis away: the next minute tries again
            log.warning("could not enqueue the scheduling tick: %s", exc)
        time.sleep(60 - datetime.now(UTC).second % 60 + 1)


def list_dead_letters(settings: Settings) -> list[dict[str, Any]]:
    """Return dead letters not yet replayed, newest first."""
    return [{k: row[k] for k in ("id", "vendor", "event_id", "reason", "failed_at")}
            for row in Store(settings["store"]["database_url"]).dead_letters()]


def replay_dead_letter(settings: Settings, dead_letter_id: int) -> str:
    """Queue a dead letter's event again, bypassing dedupe, and mark it replayed."""
    store = Store(settings["store"]["database_url"])
    data = store.mark_replayed(dead_letter_id)
    if data is None:
        return f"dead letter {dead_letter_id} not found or already replayed"
    queue = RedisEventQueue(settings["queue"]["redis_url"], settings["queue"]["name"])
    event = Event.from_dict(data)
    queue.connection.delete(queue.dedupe_key(event))
    return f"dead letter {dead_letter_id}: event {event.id} {queue.submit(event)}"

"""Hand events from the request path to the worker: dedupe, then enqueue.

Two back ends share one small interface. ``RedisEventQueue`` is production: RQ
with the JSON serializer (pickle is unsafe against an untrusted Redis), a Retry
so a killed job is re-run, and dedupe keys kept 7 days (Jira delivers up to 30
minutes late). ``InProcessQueue`` serves ``baton demo`` when no Redis is set.
"""

from __future__ import annotations

import hashlib
import logging
import queue as stdlib_queue
import threading
import time
from collections.abc import Callable
from typing import Protocol

import redis
from rq import Callback, Queue, Retry
from rq.serializers import JSONSerializer

from plugin.events import Event

log = logging.getLogger(__name__)
JOB_FUNC = "plugin.jobs.process_event"
# Crash re-runs (a worker killed mid-job); vendor rate limits are retried by the job itself.
CRASH_RETRY = Retry(max=3, interval=[5, 30, 120])
ON_FAILURE = Callback("plugin.jobs.on_job_failure")


class QueueUnavailable(Exception):
    """The queue could not take the event; the vendor must retry (HTTP 503)."""


class EventQueue(Protocol):
    def submit(self, event: Event) -> str:
        """Queue an event once; return 'queued' or 'duplicate'."""

    def ping(self) -> bool:
        """Tell whether the queue is reachable."""


def job_id_for(event: Event) -> str:
    """Return an RQ job id (only [A-Za-z0-9_-]) stable for the event."""
    return "evt-" + hashlib.sha256(event.dedupe_key.encode()).hexdigest()[:32]


class RedisEventQueue:
    """Dedupe in Redis and enqueue an RQ job, in two round trips."""

    def __init__(self, redis_url: str, name: str = "baton", dedupe_ttl: int = 7 * 86400):
        self.connection = redis.Redis.from_url(redis_url, socket_timeout=2, socket_connect_timeout=2)
        self.queue = Queue(name, connection=self.connection, serializer=JSONSerializer)
        self.dedupe_ttl = dedupe_ttl
        self.name = name

    def dedupe_key(self, event: Event) -> str:
        return f"baton:dedupe:{event.dedupe_key}"

    def submit(self, event: Event) -> str:
        key = self.dedupe_key(event)
        try:
            if not self.connection.set(key, 1, nx=True, ex=self.dedupe_ttl):
                return "duplicate"
            try:
                self._enqueue(event)
            except Exception:
                self.connection.delete(key)  # let the vendor's retry through
                raise
        except redis.RedisError as exc:
            raise QueueUnavailable(str(exc)) from exc
        return "queued"

    def _enqueue(self, event: Event) -> None:
        with self.connection.pipeline() as pipe:
            self.queue.enqueue_call(
                JOB_FUNC, args=(event.to_dict(),), job_id=job_id_for(event), retry=CRASH_RETRY,
                result_ttl=3600, failure_ttl=7 * 86400, pipeline=pipe, on_failure=ON_FAILURE,
                description=f"{event.vendor} {event.kind} ticket {event.ticket_id}",
            )
            pipe.execute()

    def ping(self) -> bool:
        try:
            return bool(self.connection.ping())
        except redis.RedisError:
            return False


class InProcessQueue:
    """A thread that runs jobs in arrival order; for the demo, when no Redis is configured."""

    def __init__(self, handler: Callable[[dict], object], dedupe_ttl: int = 7 * 86400):
        self.handler = handler
        self.dedupe_ttl = dedupe_ttl
        self.seen: dict[str, float] = {}
        self.pending: stdlib_queue.Queue[dict | None] = stdlib_queue.Queue()
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._run, name="baton-inprocess-worker", daemon=True)
        self.thread.start()

    def submit(self, event: Event) -> str:
        now = time.monotonic()
        with self.lock:
            if self.seen.get(event.dedupe_key, 0) > now:
                return "duplicate"
            self.seen[event.dedupe_key] = now + self.dedupe_ttl
        self.pending.put(event.to_dict())
        return "queued"

    def ping(self) -> bool:
        return self.thread.is_alive()

    def join(self) -> None:
        """Wait until every queued event has been processed."""
        self.pending.join()

    def close(self) -> None:
        self.pending.put(None)

    def _run(self) -> None:
        while (item := self.pending.get()) is not None:
            try:
                self.handler(item)
            except Exception:  # a demo worker must survive a bad job, as RQ's would
                log.exception("job failed")
            finally:
                self.pending.task_done()

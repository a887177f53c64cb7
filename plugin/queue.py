"""Hand events from the request path to the worker: dedupe, then enqueue.

Two back ends share one small interface. ``RedisEventQueue`` is production: RQ
with the JSON serializer (pickle is unsafe against an untrusted Redis), a Retry
so a killed job is re-run, and dedupe keys kept 7 days (Jira delivers up to 30
minutes late). ``InProcessQueue`` serves ``baton demo`` when no Redis is set.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import queue as stdlib_queue
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol

import redis
from rq import Callback, Queue, Retry
from rq.job import Job
from rq.serializers import JSONSerializer
from rq.utils import utcformat

from plugin.events import Event

log = logging.getLogger(__name__)
JOB_FUNC = "plugin.jobs.process_event"
RECEIVED_KEY = "baton:stats:received"
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

    def count_ignored(self, vendor: str, kind: str) -> None:
        """Count a delivery acknowledged but not queued."""

    def stats(self) -> dict[str, Any]:
        """Return delivery counters and queue depths."""


def job_id_for(event: Event) -> str:
    """Return an RQ job id (only [A-Za-z0-9_-]) stable for the event."""
    return "evt-" + hashlib.sha256(event.dedupe_key.encode()).hexdigest()[:32]


# Dedupe and enqueue in one round trip. Only when SET NX creates the dedupe key does the script
# make the writes RQ's own enqueue makes (SADD rq:queues, HSET the job hash, RPUSH its id); if
# one of them fails it deletes the dedupe key again, so the vendor's retry gets through.
# ARGV: dedupe TTL, job id, the job's text fields as one JSON object, the counter field for
# /metrics, then binary fields as name/value pairs (one JSON argument instead of ~40 is most of
# redis-py's encoding cost). KEYS[5] counts deliveries by vendor, kind and status.
SUBMIT_SCRIPT = """
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  redis.call('HINCRBY', KEYS[5], ARGV[4] .. '|duplicate', 1)
  return 0
end
local function failed(reply) return type(reply) == 'table' and reply.err ~= nil end
local fields = {}
for name, value in pairs(cjson.decode(ARGV[3])) do
  fields[#fields + 1] = name
  fields[#fields + 1] = value
end
for i = 5, #ARGV do fields[#fields + 1] = ARGV[i] end
local reply = redis.pcall('SADD', KEYS[4], KEYS[3])
if not failed(reply) then reply = redis.pcall('HSET', KEYS[2], unpack(fields)) end
if not failed(reply) then reply = redis.pcall('RPUSH', KEYS[3], ARGV[2]) end
if failed(reply) then
  redis.call('DEL', KEYS[1])
  return reply
end
redis.call('HINCRBY', KEYS[5], ARGV[4] .. '|queued', 1)
return 1
"""


_TEMPLATE_EVENT = Event(id="template", vendor="zendesk", kind="ticket_updated", ticket_id="0", occurred_at="")


def _split_fields(mapping: dict[str, Any]) -> tuple[dict[str, str], list[Any]]:
    """Split a job hash into its text fields and its binary name/value pairs (as the script wants them)."""
    text, binary = {}, []
    for name, value in mapping.items():
        if isinstance(value, bytes):
            binary += [name, value]
        else:
            text[name] = value if isinstance(value, str) else str(value)
    return text, binary


class RedisEventQueue:
    """Dedupe in Redis and enqueue an RQ job, in one round trip."""

    def __init__(self, redis_url: str, name: str = "baton", dedupe_ttl: int = 7 * 86400):
        self.connection = redis.Redis.from_url(redis_url, socket_timeout=2, socket_connect_timeout=2)
        self.queue = Queue(name, connection=self.connection, serializer=JSONSerializer)
        self.dedupe_ttl = dedupe_ttl
        self.name = name
        self._submit = self.connection.register_script(SUBMIT_SCRIPT)
        self._template: dict[str, str] | None = None

    def dedupe_key(self, event: Event) -> str:
        return f"baton:dedupe:{event.dedupe_key}"

    def submit(self, event: Event) -> str:
        text, binary = self.job_fields(event)
        keys = [self.dedupe_key(event), f"rq:job:{job_id_for(event)}", self.queue.key,
                self.queue.redis_queues_keys, RECEIVED_KEY]
        counter = f"{event.vendor}|{event.kind}"
        try:
            created = self._submit(keys=keys, args=[self.dedupe_ttl, job_id_for(event), json.dumps(text), counter,
                                                    *binary])
        except redis.RedisError as exc:
            raise QueueUnavailable(str(exc)) from exc
        return "queued" if created else "duplicate"

    def job_fields(self, event: Event) -> tuple[dict[str, str], list[Any]]:
        """Return the job hash RQ would store for an event: text fields, then binary name/value pairs.

        Built from a template job made once, because RQ's create_job costs more than the rest
        of the request; tests check the result equals what RQ's own enqueue stores.
        """
        if self._template is None:
            self._template = _split_fields(self.job_for(_TEMPLATE_EVENT).to_dict())[0]
        now = utcformat(datetime.now(UTC))
        text = {**self._template, "created_at": now, "enqueued_at": now,
                "description": f"{event.vendor} {event.kind} ticket {event.ticket_id}"}
        data = zlib.compress(JSONSerializer.dumps((JOB_FUNC, None, (event.to_dict(),), {})))
        return text, ["data", data]

    def job_for(self, event: Event) -> Job:
        """Build the RQ job for an event, in the state RQ's enqueue would store it (not saved)."""
        job = self.queue.create_job(
            JOB_FUNC, args=(event.to_dict(),), job_id=job_id_for(event), retry=CRASH_RETRY,
            result_ttl=3600, failure_ttl=7 * 86400, on_failure=ON_FAILURE,
            description=f"{event.vendor} {event.kind} ticket {event.ticket_id}",
        )
        job.enqueued_at = datetime.now(UTC)
        return job

    def ping(self) -> bool:
        try:
            return bool(self.connection.ping())
        except redis.RedisError:
            return False

    def count_ignored(self, vendor: str, kind: str) -> None:
        """Count a delivery acknowledged but not queued (an event type Baton does not use)."""
        with contextlib.suppress(redis.RedisError):  # a counter never fails a webhook
            self.connection.hincrby(RECEIVED_KEY, f"{vendor}|{kind}|ignored", 1)

    def stats(self) -> dict[str, Any]:
        """Return delivery counters and queue depths, for /metrics."""
        received = {k.decode(): int(v) for k, v in self.connection.hgetall(RECEIVED_KEY).items()}
        depth = {"queued": self.queue.count, "scheduled": self.queue.scheduled_job_registry.count,
                 "failed": self.queue.failed_job_registry.count}
        return {"received": received, "depth": depth}


class InProcessQueue:
    """A thread that runs jobs in arrival order; for the demo, when no Redis is configured."""

    def __init__(self, handler: Callable[[dict], object], dedupe_ttl: int = 7 * 86400):
        self.handler = handler
        self.dedupe_ttl = dedupe_ttl
        self.seen: dict[str, float] = {}
        self.received: Counter[str] = Counter()
        self.pending: stdlib_queue.Queue[dict | None] = stdlib_queue.Queue()
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._run, name="baton-inprocess-worker", daemon=True)
        self.thread.start()

    def submit(self, event: Event) -> str:
        now = time.monotonic()
        with self.lock:
            duplicate = self.seen.get(event.dedupe_key, 0) > now
            self.received[f"{event.vendor}|{event.kind}|{'duplicate' if duplicate else 'queued'}"] += 1
            if duplicate:
                return "duplicate"
            self.seen[event.dedupe_key] = now + self.dedupe_ttl
        self.pending.put(event.to_dict())
        return "queued"

    def ping(self) -> bool:
        return self.thread.is_alive()

    def count_ignored(self, vendor: str, kind: str) -> None:
        """Count a delivery acknowledged but not queued."""
        with self.lock:
            self.received[f"{vendor}|{kind}|ignored"] += 1

    def stats(self) -> dict[str, Any]:
        """Return delivery counters and the queue depth, for /metrics."""
        with self.lock:
            return {"received": dict(self.received), "depth": {"queued": self.pending.qsize()}}

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

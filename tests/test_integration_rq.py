"""End to end with real parts: signed webhook -> receiver -> Redis -> `baton worker` (RQ) -> Zendesk HTTP.

The sandbox sends Zendesk's webhooks to Baton's receiver over HTTP; a real RQ
worker process (`baton worker --burst`) takes the jobs from a real redis-server
and reverts the ticket through zenpy; the revert request body is asserted.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import redis
from rq import Queue
from rq.serializers import JSONSerializer
from werkzeug.serving import make_server

from plugin.app import create_app
from plugin.store import Store
from tests.sandbox_world import SECRET, start_sandbox

REPO = Path(__file__).resolve().parents[1]


def run_worker(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **env, "PYTHONPATH": str(REPO)}
    full_env.pop("BATON_CONFIG", None)
    return subprocess.run([sys.executable, "-m", "plugin.cli", "worker", "--burst"], env=full_env,
                          cwd=cwd, capture_output=True, text=True, timeout=120)


def test_reassignment_event_end_to_end_with_redis_and_rq_worker(redis_url, tmp_path) -> None:
    world = start_sandbox()
    database_url = f"sqlite:///{tmp_path / 'baton.db'}"
    env = world.env(database_url, redis_url)
    app = create_app(world.settings(database_url, redis_url))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sender = world.sandbox.configure_webhook(f"http://127.0.0.1:{server.server_port}/webhooks/zendesk",
                                             SECRET, deliver_times=3)
    try:
        sb, p = world.sandbox, world.people
        tid = sb.create_ticket(p["dana"], "Charged twice", "I was charged twice for May.")
        sb.act(tid, p["alex"], assignee_id=p["alex"], group_id=p["support"])
        sb.act(tid, p["alex"], assignee_id=p["blake"], group_id=p["billing"])
        assert sender.wait_idle(timeout=20)
        queue = Queue("baton", connection=redis.Redis.from_url(redis_url), serializer=JSONSerializer)
        assert queue.count == 4  # two events per update (assignee, group), each delivered 3 times
        assert {d.status_code for d in sender.deliveries} == {202}

        result = run_worker(env, tmp_path)
        assert result.returncode == 0, result.stderr[-2000:]
        assert sender.wait_idle(timeout=20)  # Baton's own update comes back as webhooks (echoes)
        result = run_worker(env, tmp_path)
        assert result.returncode == 0, result.stderr[-2000:]
        assert queue.count == 0

        writes = world.writes()
        assert len(writes) == 1, writes
        body = writes[0]["ticket"]
        assert (body["assignee_id"], body["group_id"]) == (p["alex"], p["support"])
        assert body["comment"]["public"] is False and "Missing:" in body["comment"]["body"]
        assert body["additional_tags"] == ["baton_handoff_reverted"] and body["safe_update"] is True
        ticket = sb.ticket(tid)
        assert (ticket["assignee_id"], ticket["group_id"]) == (p["alex"], p["support"])

        store = Store(database_url)
        outcomes = [row["outcome"] for row in store.event_outcomes(str(tid))]
        assert outcomes.count("reverted") == 1
        assert "exempt (first assignment from the unassigned queue)" in outcomes
        assert any(o == "ignored: Baton's own change" for o in outcomes)
        assert store.dead_letters() == []
    finally:
        world.close()
        server.shutdown()


def test_worker_uses_short_ttl_and_json_serializer(redis_url, tmp_path) -> None:
    """A registered worker advertises its TTL; a job enqueued with pickle would not even load."""
    world = start_sandbox()
    try:
        env = world.env(f"sqlite:///{tmp_path / 'b.db'}", redis_url)
        full_env = {**os.environ, **env, "PYTHONPATH": str(REPO)}
        proc = subprocess.Popen([sys.executable, "-m", "plugin.cli", "worker"], env=full_env, cwd=tmp_path,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            client = redis.Redis.from_url(redis_url)
            deadline = time.monotonic() + 20
            keys: list = []
            while time.monotonic() < deadline and not keys:
                keys = client.keys("rq:worker:*")
                keys = [k for k in keys if client.type(k) == b"hash"]
                time.sleep(0.2)
            assert keys, "worker never registered"
            ttl = client.ttl(keys[0])
            # RQ's default is 420 s; Baton's 20 s plus RQ's margin (60 s; 90 s while a job runs).
            assert 0 < ttl <= 90
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    finally:
        world.close()


def test_the_scheduling_tick_is_enqueued_once_per_minute(redis_url) -> None:
    from datetime import UTC, datetime

    from plugin.workerproc import enqueue_tick

    queue = Queue("baton", connection=redis.Redis.from_url(redis_url), serializer=JSONSerializer)
    minute = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)
    assert enqueue_tick(queue, minute) is True
    assert enqueue_tick(queue, minute.replace(second=40)) is False  # a second worker, same minute
    assert enqueue_tick(queue, minute.replace(minute=31)) is True
    assert queue.count == 2 and queue.jobs[0].func_name == "plugin.jobs.tick"

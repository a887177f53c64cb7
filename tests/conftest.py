"""Shared fixtures: a real redis-server on a free port, settings, contexts built by hand."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis

from plugin.config import Settings, load_settings
from plugin.model import Assignment, Comment, Ticket, TicketContext

FIXTURES = Path(__file__).parent / "fixtures"
T0 = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start a real redis-server for the session; `make test` installs it when missing."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed: run the tests with `make test`, which installs it")
    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", str(workdir)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture()
def redis_url(redis_server: str) -> str:
    """A clean Redis database for one test."""
    redis.Redis.from_url(redis_server).flushdb()
    return redis_server


def make_settings(**sections: dict) -> Settings:
    """Settings from defaults plus overrides, ignoring the machine's environment."""
    base = {"store": {"database_url": "sqlite://"}}
    for name, values in sections.items():
        if isinstance(values, dict):
            base.setdefault(name, {}).update(values)
        else:
            base[name] = values
    return load_settings(path=None, environ={}, overrides=base)


@pytest.fixture()
def settings() -> Settings:
    return make_settings()


def comment(cid: str, body: str, minutes: int, *, role: str = "agent", public: bool = False,
            author: str = "101") -> Comment:
    return Comment(id=cid, author_id=author, author_role=role, public=public,
                   created_at=T0 + timedelta(minutes=minutes), body=body)


def move(aid: str, minutes: int, frm: tuple[str | None, str | None], to: tuple[str | None, str | None],
         *, actor: str = "101", kind: str = "agent") -> Assignment:
    return Assignment(id=aid, at=T0 + timedelta(minutes=minutes), actor_id=actor, actor_kind=kind,
                      channel="web", previous_assignee_id=frm[0], previous_group_id=frm[1],
                      assignee_id=to[0], group_id=to[1])


def context(comments: list[Comment], assignments: list[Assignment], *, status: str = "open",
            change: Assignment | None = None, baton: str = "999") -> TicketContext:
    last = change or (assignments[-1] if assignments else None)
    ticket = Ticket(id="42", vendor="zendesk", subject="Charged twice", status=status,
                    assignee_id=last.assignee_id if last else None, group_id=last.group_id if last else None,
                    requester_id="7")
    return TicketContext(ticket=ticket, comments=tuple(comments), assignments=tuple(assignments),
                         now=T0 + timedelta(hours=1), change=last, baton_user_id=baton)


COMPLETE_NOTE = """Handoff
Situation: customer was charged twice for the May subscription; first refund attempt failed.
Tried: refunded the duplicate charge in the billing admin; the refund errored with code R42.
Promised: an answer by end of day today.
Customer: frustrated, paying for three years, mentioned cancelling.
Reason: needs someone with Stripe access to investigate why the refund did not process.
Account: high-value account; open invoice dispute."""

"""`baton check` and `baton dead-letters`: one line per service, and replay of parked events."""

from __future__ import annotations

import json

import redis

from plugin.checks import run_checks
from plugin.cli import main
from plugin.events import Event
from plugin.store import Store
from tests.sandbox_world import start_sandbox


def test_check_reports_each_service_and_fails_without_aof(redis_url, tmp_path, monkeypatch) -> None:
    world = start_sandbox()
    try:
        for name, value in world.env(f"sqlite:///{tmp_path / 'c.db'}", redis_url).items():
            monkeypatch.setenv(name, value)
        monkeypatch.chdir(tmp_path)
        lines: list[str] = []
        assert run_checks(lines.append) == 1
        assert lines[0] == "ok   Config: valid (defaults)"
        assert lines[1].startswith("FAIL Redis: reachable, but appendonly is off")
        assert lines[2] == "ok   Database: ok (sqlite)"
        assert lines[3].startswith("ok   Zendesk reachable at http://127.0.0.1:")
        assert "as baton@support.example" in lines[3]

        redis.Redis.from_url(redis_url).config_set("appendonly", "yes")
        lines.clear()
        assert run_checks(lines.append) == 0
        assert lines[1] == "ok   Redis: reachable, appendonly yes"
    finally:
        redis.Redis.from_url(redis_url).config_set("appendonly", "no")
        world.close()


def test_check_names_a_bad_key_and_bad_credentials(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "baton.toml").write_text('[guard]\nmode = "block"\n')
    lines: list[str] = []
    assert run_checks(lines.append) == 1
    assert lines == ["FAIL config: invalid configuration (config/baton.toml): guard.mode: "
                     "Must be one of: revert, flag, off."]


def test_check_reports_refused_zendesk_credentials(redis_url, tmp_path, monkeypatch) -> None:
    world = start_sandbox()
    try:
        env = world.env(f"sqlite:///{tmp_path / 'c.db'}", redis_url)
        env["BATON_ZENDESK_TOKEN"] = "wrong"
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        monkeypatch.chdir(tmp_path)
        lines: list[str] = []
        assert run_checks(lines.append) == 1
        assert lines[-1].startswith("FAIL Zendesk: Zendesk answered 401")
    finally:
        world.close()


def test_dead_letter_is_listed_and_replayed_once(redis_url, tmp_path, monkeypatch, capsys) -> None:
    database_url = f"sqlite:///{tmp_path / 'd.db'}"
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.chdir(tmp_path)
    event = Event(id="evt-dead", vendor="zendesk", kind="ticket_updated", ticket_id="5",
                  occurred_at="2026-05-04T09:00:00Z")
    letter = Store(database_url).record_dead_letter("zendesk", event.id, event.to_dict(), "NotFound: gone")
    assert main(["dead-letters"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(d["id"], d["event_id"], d["reason"]) for d in listed] == [(letter, "evt-dead", "NotFound: gone")]
    assert main(["dead-letters", "--replay", str(letter)]) == 0
    assert capsys.readouterr().out.strip() == f"dead letter {letter}: event evt-dead queued"
    assert redis.Redis.from_url(redis_url).llen("rq:queue:baton") == 1
    assert main(["dead-letters", "--replay", str(letter)]) == 0
    assert "already replayed" in capsys.readouterr().out


def test_check_reaches_freshdesk_when_configured(redis_url, tmp_path, monkeypatch) -> None:
    from tests.freshdesk_world import API_KEY, TOKEN, start_freshdesk

    world = start_freshdesk()
    try:
        for name, value in {"BATON_FRESHDESK_URL": world.url, "BATON_FRESHDESK_API_KEY": API_KEY,
                            "BATON_FRESHDESK_WEBHOOK_TOKEN": TOKEN, "REDIS_URL": redis_url,
                            "DATABASE_URL": f"sqlite:///{tmp_path / 'f.db'}"}.items():
            monkeypatch.setenv(name, value)
        monkeypatch.chdir(tmp_path)
        lines: list[str] = []
        run_checks(lines.append)
        assert lines[-1].startswith(f"ok   Freshdesk reachable at {world.url} as ")
        monkeypatch.setenv("BATON_FRESHDESK_API_KEY", "wrong-key")
        lines.clear()
        assert run_checks(lines.append) == 1
        assert lines[-1].startswith("FAIL Freshdesk: ")
    finally:
        world.close()

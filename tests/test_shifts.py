"""Shift wrap-ups: due moments (pure), the reminder rule (pure), and a full run against the sandbox."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from plugin.config import ConfigError, load_settings
from plugin.model import Brief
from plugin.rules import shift_wrapup
from plugin.shifts import due, shifts_from_settings
from plugin.web.wrapups import digest_markdown
from plugin.wiring import build_runtime
from plugin.wrapups import run_shift_wrapups
from tests.conftest import T0, comment, context, make_settings
from tests.sandbox_world import start_sandbox

EU_DAY = {"name": "EU day", "team": "Support", "timezone": "Europe/Berlin", "days": ["mon", "tue"],
          "start": "08:00", "end": "16:00", "agents": ["101"]}
NIGHT = {"name": "Night", "timezone": "UTC", "days": ["mon"], "start": "22:00", "end": "06:00", "agents": ["7"]}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_reminder_window_digest_window_and_days() -> None:
    shifts = shifts_from_settings(make_settings(shifts=[EU_DAY]))
    # Monday 2026-05-04; Berlin is UTC+2 in May, so the shift ends 14:00 UTC.
    assert due(shifts, at("2026-05-04T13:39:00+00:00"), 20) == []
    [(instance, phase)] = due(shifts, at("2026-05-04T13:41:00+00:00"), 20)
    assert phase == "reminder" and instance.key == "EU day@2026-05-04"
    assert instance.ends_at == at("2026-05-04T14:00:00+00:00")
    assert [p for _, p in due(shifts, at("2026-05-04T14:05:00+00:00"), 20)] == ["digest"]
    assert due(shifts, at("2026-05-04T14:31:00+00:00"), 20) == []
    assert due(shifts, at("2026-05-06T13:45:00+00:00"), 20) == []  # Wednesday: not a working day


def test_overnight_shift_belongs_to_the_day_it_started() -> None:
    shifts = shifts_from_settings(make_settings(shifts=[NIGHT]))
    [(instance, phase)] = due(shifts, at("2026-05-05T05:50:00+00:00"), 20)  # Tuesday morning
    assert (instance.key, phase) == ("Night@2026-05-04", "reminder")


@pytest.mark.parametrize("bad,message", [
    ({**EU_DAY, "timezone": "Mars/Olympus"}, "unknown timezone"),
    ({**EU_DAY, "end": "25:00"}, "must be HH:MM"),
    ({**EU_DAY, "days": ["monday"]}, "shifts.0.days.0"),
    ({**EU_DAY, "agents": []}, "shifts.0.agents"),
])
def test_bad_shift_config_names_the_key(bad, message) -> None:
    with pytest.raises(ConfigError, match=message):
        make_settings(shifts=[bad])


def test_reminder_only_without_a_status_note_this_shift(settings) -> None:
    start, end = T0, T0 + timedelta(hours=8)
    quiet = replace(context([comment("c1", "Customer asks again", 30, role="customer", public=True)], []),
                    now=end - timedelta(minutes=20))
    quiet = replace(quiet, ticket=replace(quiet.ticket, assignee_id="101"))
    note, tag = shift_wrapup.reminder(quiet, settings, "EU day@2026-05-04", start, end)
    assert note.body.startswith("Shift wrap-up: your shift ends in 20 minutes.")
    assert tag.tags == ("baton_needs_wrapup",)
    noted = replace(quiet, comments=(*quiet.comments, comment("c2", "Waiting on the refund to land.", 60)))
    assert shift_wrapup.reminder(noted, settings, "EU day@2026-05-04", start, end) == []
    solved = replace(quiet, ticket=replace(quiet.ticket, status="solved"))
    assert shift_wrapup.reminder(solved, settings, "EU day@2026-05-04", start, end) == []


def test_tag_comes_off_once_the_agent_answers_the_reminder(settings) -> None:
    reminder = comment("c1", "Shift wrap-up: your shift ends in 20 minutes.", 10, role="system", author="999")
    ctx = context([reminder], [])
    ctx = replace(ctx, ticket=replace(ctx.ticket, assignee_id="101", tags=("baton_needs_wrapup",)))
    assert shift_wrapup.decide(ctx, settings) == []
    answered = replace(ctx, comments=(reminder, comment("c2", "Waiting on billing.", 12)))
    [remove] = shift_wrapup.decide(answered, settings)
    assert remove.tags == ("baton_needs_wrapup",)


def test_digest_line_says_what_the_ticket_waits_on_and_what_is_due() -> None:
    ctx = context([comment("c1", "Will call you back tomorrow", 5, public=True)], [])
    ctx = replace(ctx, ticket=replace(ctx.ticket, status="pending", assignee_id="101"),
                  brief=Brief("", "", frozenset(), "offline",
                              promises=(("call you back tomorrow", T0 + timedelta(hours=20)),)))
    line = shift_wrapup.digest_line(ctx)
    assert line["waiting_on"] == "the customer's reply"
    assert line["customer_expects"] == "call you back tomorrow"
    assert line["promises_due"] == [{"promise": "call you back tomorrow",
                                     "deadline": (T0 + timedelta(hours=20)).isoformat()}]


def test_wrapups_run_once_per_shift_against_the_sandbox(tmp_path) -> None:
    world = start_sandbox()
    try:
        sb, p = world.sandbox, world.people
        shift = {**EU_DAY, "agents": [str(p["alex"])], "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                 "timezone": "UTC", "start": "00:00", "end": "23:59"}
        settings = load_settings(path=None, environ=world.env(f"sqlite:///{tmp_path / 'w.db'}"),
                                 overrides={"shifts": [shift]})
        runtime = build_runtime(settings)
        quiet = sb.create_ticket(p["dana"], "Invoice missing", "Where is my invoice?")
        sb.act(quiet, p["alex"], assignee_id=p["alex"], group_id=p["support"])
        noted = sb.create_ticket(p["dana"], "Login loop", "I cannot log in.")
        sb.act(noted, p["alex"], assignee_id=p["alex"], group_id=p["support"])
        sb.act(noted, p["alex"], comment={"public": False, "body": "Waiting on engineering for the SSO fix."})
        today = datetime.now(UTC).date()
        reminder_time = datetime.combine(today, datetime.min.time(), tzinfo=UTC) + timedelta(hours=23, minutes=45)
        assert run_shift_wrapups(runtime, reminder_time) == [f"EU day@{today} reminder on zendesk: 2 ticket(s)"]
        assert run_shift_wrapups(runtime, reminder_time + timedelta(minutes=1)) == []  # claimed once
        assert "baton_needs_wrapup" in sb.ticket(quiet)["tags"]
        assert "baton_needs_wrapup" not in sb.ticket(noted)["tags"]
        digest_time = reminder_time + timedelta(minutes=20)
        assert run_shift_wrapups(runtime, digest_time) == [f"EU day@{today} digest on zendesk: 2 ticket(s)"]
        [digest] = runtime.store.digests()
        assert digest["agent_id"] == str(p["alex"])
        assert sorted(e["ticket_id"] for e in digest["entries"]) == sorted([str(quiet), str(noted)])
        markdown = digest_markdown(digest)
        assert markdown.startswith(f"# Shift wrap-up: EU day, agent {p['alex']}")
        assert "## #" in markdown and "waiting on us: the next step is ours" in markdown
    finally:
        world.close()

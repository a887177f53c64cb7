"""Deadline phrases resolve to a moment in the account's timezone, anchored on the comment."""

from datetime import UTC, datetime

import pytest

from plugin.summary.deadlines import resolve_deadline

TUESDAY_0930_BERLIN = datetime(2025, 6, 10, 7, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("I'll get back to you by end of day.", "2025-06-10T17:00:00+02:00"),
        ("I'll call you tomorrow morning.", "2025-06-11T12:00:00+02:00"),
        ("We'll reply within 48 hours.", "2025-06-12T09:30:00+02:00"),
        ("You'll hear from us within 3 business days.", "2025-06-13T09:30:00+02:00"),
        ("I'll email you by Friday.", "2025-06-13T17:00:00+02:00"),
        ("I'll update you by 3pm.", "2025-06-10T15:00:00+02:00"),
        ("We'll send tracking next week.", "2025-06-20T17:00:00+02:00"),
        ("I'll confirm within the hour.", "2025-06-10T10:30:00+02:00"),
        ("I'll send it by June 30th.", "2025-06-30T17:00:00+02:00"),
    ],
)
def test_phrases_resolve_in_berlin(phrase: str, expected: str) -> None:
    assert resolve_deadline(phrase, TUESDAY_0930_BERLIN, "Europe/Berlin").isoformat() == expected


def test_same_phrase_means_a_different_moment_in_denver() -> None:
    moment = resolve_deadline("by end of day", TUESDAY_0930_BERLIN, "America/Denver")
    assert moment.isoformat() == "2025-06-10T17:00:00-06:00"  # 01:30 there


def test_business_days_skip_the_weekend() -> None:
    friday = datetime(2025, 6, 13, 14, 0, tzinfo=UTC)
    moment = resolve_deadline("within 2 business days", friday, "UTC")
    assert moment.isoformat() == "2025-06-17T14:00:00+00:00"


def test_end_of_day_said_after_hours_means_before_midnight() -> None:
    evening = datetime(2025, 6, 10, 18, 0, tzinfo=UTC)
    assert resolve_deadline("by end of day", evening, "UTC").isoformat() == (
        "2025-06-10T23:59:00+00:00")


def test_vague_phrases_have_no_deadline() -> None:
    for phrase in ("I'll get back to you soon.", "We'll look into it ASAP.", "I'll update you."):
        assert resolve_deadline(phrase, TUESDAY_0930_BERLIN, "Europe/Berlin") is None


def test_dst_change_keeps_wall_clock_time() -> None:
    before_dst = datetime(2025, 3, 29, 10, 0, tzinfo=UTC)  # Saturday, CET
    moment = resolve_deadline("I'll call you tomorrow at 9am", before_dst, "Europe/Berlin")
    assert moment.isoformat() == "2025-03-30T09:00:00+02:00"

"""Shifts and their wrap-up moments, computed from the settings and a clock.

Pure: given the configured shifts and a moment, say which shift instance is
in its reminder window (the last ``reminder_minutes`` before its end) or has
just ended (digest). A shift that ends after midnight belongs to the day it started.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from plugin.config import WEEKDAYS, Settings

# A digest may run this long after a shift ends (a worker restart or a late tick still catches it).
DIGEST_GRACE = timedelta(minutes=30)


@dataclass(frozen=True)
class Shift:
    """A recurring shift from the configuration."""

    name: str
    team: str
    timezone: str
    days: tuple[str, ...]
    start: time
    end: time
    agents: tuple[str, ...]


@dataclass(frozen=True)
class ShiftInstance:
    """One occurrence of a shift, with its start and end as aware datetimes."""

    shift: Shift
    starts_at: datetime
    ends_at: datetime

    @property
    def key(self) -> str:
        """Name the occurrence: the shift and the local date it started."""
        return f"{self.shift.name}@{self.starts_at.date().isoformat()}"


def shifts_from_settings(settings: Settings) -> list[Shift]:
    """Build Shift objects from the validated ``[[shifts]]`` tables."""
    return [Shift(name=s["name"], team=s["team"], timezone=s["timezone"], days=tuple(s["days"]),
                  start=time.fromisoformat(s["start"]), end=time.fromisoformat(s["end"]),
                  agents=tuple(str(a) for a in s["agents"])) for s in settings["shifts"]]


def instances_near(shift: Shift, now: datetime) -> list[ShiftInstance]:
    """Return the occurrences that started yesterday or today (local time) on a working day."""
    zone = ZoneInfo(shift.timezone)
    local_today = now.astimezone(zone).date()
    found = []
    for day in (local_today - timedelta(days=1), local_today):
        if WEEKDAYS[day.weekday()] not in shift.days:
            continue
        starts = datetime.combine(day, shift.start, tzinfo=zone)
        ends = datetime.combine(day, shift.end, tzinfo=zone)
        if ends <= starts:
            ends += timedelta(days=1)
        found.append(ShiftInstance(shift, starts, ends))
    return found


def due_phase(instance: ShiftInstance, now: datetime, reminder_minutes: int) -> str | None:
    """Say whether an occurrence is due its 'reminder' or its 'digest' at ``now``."""
    if instance.ends_at - timedelta(minutes=reminder_minutes) <= now < instance.ends_at:
        return "reminder"
    if instance.ends_at <= now < instance.ends_at + DIGEST_GRACE:
        return "digest"
    return None


def due(shifts: list[Shift], now: datetime, reminder_minutes: int) -> list[tuple[ShiftInstance, str]]:
    """List every (occurrence, phase) due at ``now``."""
    pairs = []
    for shift in shifts:
        for instance in instances_near(shift, now):
            phase = due_phase(instance, now, reminder_minutes)
            if phase:
                pairs.append((instance, phase))
    return pairs

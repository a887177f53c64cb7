"""Resolve a promise's deadline phrase to a date and time in the account's timezone.

"By end of day", "tomorrow morning", "within 48 hours" mean different moments in
Berlin and in Denver; the receiving agent needs the moment, not the phrase. The
anchor is when the promise was made (the comment's time), never the real clock.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

END_OF_BUSINESS = time(17, 0)
_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "twelve": 12, "couple of": 2,
    "a couple of": 2, "few": 3, "a few": 3, "24": 24, "48": 48, "72": 72,
}
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = (
    "january", "february", "march", "april", "may", "june", "july", "august",
    "september", "october", "november", "december",
)
_NUM = r"(\d{1,3}|an?|one|two|three|four|five|six|seven|eight|nine|ten|twelve|(?:a )?couple of|(?:a )?few)"
_DURATION = re.compile(
    rf"\b(?:within|in|in the next|under|inside of|no later than)\s+(?:\d{{1,3}}\s*(?:-|to|or)\s*)?"
    rf"{_NUM}\s*(min(?:ute)?s?|h(?:ou)?rs?|hours?|h|days?|business days?|working days?|weeks?)\b"
)
_WITHIN_THE_HOUR = re.compile(r"\bwithin the (?:hour|next hour)\b")
_CLOCK = re.compile(r"\b(?:by|at|before|around|until)\s+(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?")
_EOD = re.compile(r"\b(end of (?:the )?(?:business )?day|eod|cob|close of business|end of business)\b")
_MONTH_DAY = re.compile(
    rf"\b(?:({'|'.join(_MONTHS)})\s+(\d{{1,2}})(?:st|nd|rd|th)?|(\d{{1,2}})(?:st|nd|rd|th)?\s+"
    rf"(?:of\s+)?({'|'.join(_MONTHS)}))\b"
)
_PARTS = (("morning", time(12, 0)), ("noon", time(12, 0)), ("midday", time(12, 0)),
          ("lunch", time(13, 0)), ("afternoon", time(17, 0)), ("evening", time(21, 0)),
          ("tonight", time(21, 0)))


def resolve_deadline(text: str, said_at: datetime, timezone: str) -> datetime | None:
    """Return the moment a promise falls due, or None when it names no deadline."""
    local = said_at.astimezone(ZoneInfo(timezone))
    low = text.lower()
    day = _day(low, local.date())
    clock = _clock(low)
    if day is not None or clock is not None:
        return _combine(day, clock, local)
    return _after_duration(low, local)


def _combine(day: date | None, clock: time | None, local: datetime) -> datetime:
    """Join a day and a time of day, rolling a bare clock time past now to tomorrow."""
    moment = datetime.combine(day or local.date(), clock or END_OF_BUSINESS, local.tzinfo)
    if moment > local:
        return moment
    if day is None:
        return moment + timedelta(days=1)
    if day == local.date():
        return datetime.combine(day, time(23, 59), local.tzinfo)
    return moment


def _day(low: str, today: date) -> date | None:
    """Find the last calendar day a phrase allows ("tomorrow", "Friday", "next week")."""
    if re.search(r"\btomorrow\b|\btmrw\b", low):
        return today + timedelta(days=1)
    if re.search(r"\b(today|tonight|this (morning|afternoon|evening))\b", low) or _EOD.search(low):
        return today
    if re.search(r"\bnext business day\b|\bnext working day\b", low):
        return _add_business_days(today, 1)
    if re.search(r"\b(end of (the|this) week|this week)\b", low):
        return today + timedelta(days=max(0, 4 - today.weekday()))
    if re.search(r"\bnext week\b", low):
        return today + timedelta(days=11 - today.weekday())
    for index, name in enumerate(_WEEKDAYS):
        if re.search(rf"\b(by|on|until|before|next|this|come)\s+{name}\b", low):
            return today + timedelta(days=(index - today.weekday()) % 7 or 7)
    return _month_day(low, today)


def _month_day(low: str, today: date) -> date | None:
    """Resolve "June 5" or "5th of June" to its next occurrence."""
    match = _MONTH_DAY.search(low)
    if not match:
        return None
    month_name = match.group(1) or match.group(4)
    day_number = int(match.group(2) or match.group(3))
    month = _MONTHS.index(month_name) + 1
    for year in (today.year, today.year + 1):
        try:
            candidate = date(year, month, day_number)
        except ValueError:
            return None
        if candidate >= today:
            return candidate
    return None


def _clock(low: str) -> time | None:
    """Find a time of day: "by 3pm", "at 15:30", "morning", "end of day"."""
    match = _CLOCK.search(low)
    if match and (match.group(3) or match.group(2)):
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        meridiem = (match.group(3) or "").replace(".", "")
        hour = hour % 12 + (12 if meridiem == "pm" else 0) if meridiem else hour
        if hour < 24 and minute < 60:
            return time(hour, minute)
    if _EOD.search(low):
        return END_OF_BUSINESS
    for word, moment in _PARTS:
        if re.search(rf"\b{word}\b", low):
            return moment
    return None


def _after_duration(low: str, local: datetime) -> datetime | None:
    """Add a stated duration ("within 48 hours", "in 3 business days") to the anchor."""
    if _WITHIN_THE_HOUR.search(low):
        return local + timedelta(hours=1)
    match = _DURATION.search(low)
    if not match:
        return None
    amount = _NUMBERS.get(match.group(1)) or int(match.group(1))
    unit = match.group(2)
    if unit.startswith(("business", "working")):
        return datetime.combine(_add_business_days(local.date(), amount), local.timetz())
    if unit.startswith("min"):
        return local + timedelta(minutes=amount)
    if unit.startswith("h"):
        return local + timedelta(hours=amount)
    if unit.startswith("week"):
        return local + timedelta(weeks=amount)
    return local + timedelta(days=amount)


def _add_business_days(start: date, count: int) -> date:
    """Step forward ``count`` weekdays from ``start``."""
    current = start
    while count > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            count -= 1
    return current

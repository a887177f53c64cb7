"""Read a handoff file and print the verdict: the I/O edge behind `baton quality check HANDOFF.json`.

A handoff file is a conversation file plus "first_reply_after_handoff"; admins export
their own, so every mistake comes back as a ValueError naming the field.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from plugin.inputs import read_text
from plugin.model import Comment
from plugin.quality.check import RepeatVerdict, check_repeat
from plugin.quality.text import plain
from plugin.summary import conversation_to_context

REPLY = "first_reply_after_handoff"


def verdict_to_json(verdict: RepeatVerdict) -> dict:
    """Render a verdict as the JSON the try-it command prints."""
    return {
        "repeat": verdict.repeat,
        "asked_again": [
            {"kind": a.kind, "question": a.question, "given_in": a.given_in, "value": a.value}
            for a in verdict.asked_again
        ],
    }


def _reply(raw: object) -> tuple[str, object]:
    """Read the reply as a string or an object with body/html; return its text and created_at."""
    if isinstance(raw, str):
        text, moment = plain(raw), None
    elif isinstance(raw, Mapping):
        for key in ("body", "html"):
            if raw.get(key) is not None and not isinstance(raw[key], str):
                raise ValueError(f"{REPLY}.{key}: expected a string, got {type(raw[key]).__name__}")
        text, moment = plain(raw.get("body") or "", raw.get("html") or ""), raw.get("created_at")
    elif raw is None:
        raise ValueError(f"{REPLY}: missing (the receiving agent's first public reply)")
    else:
        raise ValueError(f"{REPLY}: expected a string or an object with body/html, got {type(raw).__name__}")
    if not text.strip():
        raise ValueError(f"{REPLY}: the reply has no text")
    return text, moment


def _before(comments: tuple[Comment, ...], moment: object, zone: str) -> tuple[Comment, ...]:
    """Keep the comments written before the reply, when the reply says when it was written."""
    if moment is None:
        return comments
    try:
        at = datetime.fromisoformat(str(moment))
    except ValueError as exc:
        raise ValueError(f"{REPLY}.created_at: not an ISO-8601 date-time: {moment!r}") from exc
    at = at if at.tzinfo else at.replace(tzinfo=ZoneInfo(zone))
    return tuple(c for c in comments if c.created_at < at)


def handoff_from_json(data: dict) -> tuple[tuple[Comment, ...], str]:
    """Split a handoff file into the conversation before the handoff and the first reply's text."""
    if not isinstance(data, Mapping):
        raise ValueError("handoff: expected a JSON object")
    text, moment = _reply(data.get(REPLY))
    ctx = conversation_to_context(dict(data))
    return _before(ctx.comments, moment, ctx.timezone), text




def quality_command(path: str) -> dict:
    """Check one handoff file (or "-" for stdin) and return the `baton quality check` JSON."""
    try:
        data = json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from exc
    comments, reply = handoff_from_json(data)
    return verdict_to_json(check_repeat(comments, reply))

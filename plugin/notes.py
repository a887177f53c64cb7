"""The structured handoff note: its template, a forgiving parser and a strict validator.

Agents write notes by hand under pressure, so the parser accepts labels in any
order and case, with bullets or bold; the validator is what holds the line, and
it says exactly which fields are missing or too vague to help the next agent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FIELDS = ("situation", "tried", "promised", "customer", "reason", "account")
REQUIRED = ("situation", "tried", "promised", "reason")
LABELS = {
    "situation": "Situation", "tried": "Tried", "promised": "Promised",
    "customer": "Customer", "reason": "Reason", "account": "Account",
}
ALIASES = {
    "situation": "situation", "summary": "situation", "problem": "situation",
    "tried": "tried", "what was tried": "tried", "already tried": "tried", "steps taken": "tried",
    "promised": "promised", "what was promised": "promised", "promises": "promised",
    "customer": "customer", "customer state": "customer", "customer's state": "customer",
    "mood": "customer", "reason": "reason", "reason for transfer": "reason",
    "transfer reason": "reason", "account": "account", "account flags": "account",
}

TEMPLATE = """Handoff
Situation: <the customer's problem in plain words, and where it stands now>
Tried: <what was already done, and what happened>
Promised: <what the customer was told to expect, with when; or "nothing">
Customer: <their state: patient, confused, frustrated, mentioned cancelling...>
Reason: <why the next person is needed: what they can do that you could not>
Account: <account flags worth knowing: high value, open dispute, renewal due...>"""

_LABEL_LINE = re.compile(
    r"^\s*(?:[-*•>]+\s*)?(?:\*\*|__)?\s*(?P<label>[A-Za-z' ]{3,24}?)\s*(?:\*\*|__)?\s*:"
    r"\s*(?:\*\*|__)?\s*(?P<value>.*)$"
)
_FILLER = {"n/a", "na", "-", "--", "?", "...", "tbd", "tba", "see above", "see ticket",
           "see below", "same", "as above", "idk", "unknown", "x", "todo", "none", "nothing"}
_NOTHING = {"nothing", "none", "no", "nothing yet", "no promises", "nothing promised",
            "none yet", "no promise", "nothing was promised"}
_DESTINATION = re.compile(
    r"\b(?:escalat\w*|transfer\w*|pass\w*|mov\w*|send\w*|sent|assign\w*|hand\w*(?:\s+over)?|"
    r"rout\w*|forward\w*|giv\w*|needs?|for|to|the|team|queue|tier|level|dept|department|group|"
    r"please|pls|over|this|ticket|it|l[1-3]|t[1-3]|\d)\b",
    re.IGNORECASE,
)
MIN_REASON_WORDS = 6


@dataclass(frozen=True)
class Verdict:
    """What the validator found: complete, or which fields are missing or vague."""

    complete: bool
    missing: tuple[str, ...]
    vague: tuple[str, ...]

    def to_dict(self) -> dict:
        """Return the documented JSON shape of `baton note check`."""
        return {"complete": self.complete, "missing": list(self.missing), "vague": list(self.vague)}


def _strip_markup(text: str) -> str:
    return re.sub(r"(\*\*|__)", "", text).strip()


def parse_note(text: str) -> dict[str, str]:
    """Extract the labelled fields of a handoff note; continuation lines join their field."""
    found: dict[str, str] = {}
    current: str | None = None
    for line in text.replace("\r\n", "\n").split("\n"):
        match = _LABEL_LINE.match(line)
        field = ALIASES.get(match.group("label").strip().lower()) if match else None
        if match and field:
            current = field
            found[field] = _strip_markup(match.group("value"))
        elif current and line.strip() and not line.strip().lower().startswith("handoff"):
            found[current] = f"{found[current]} {_strip_markup(line.strip(' -*•'))}".strip()
        elif not line.strip():
            current = None
    return found


def looks_like_handoff_note(text: str) -> bool:
    """Tell a handoff note (header or two labelled fields) from an ordinary internal note."""
    first = text.strip().split("\n", 1)[0].strip(" *_#:").lower()
    return first == "handoff" or len(parse_note(text)) >= 2


def is_vague_reason(reason: str) -> bool:
    """Say whether a reason only names a destination or is too short to say why."""
    words = re.findall(r"[A-Za-z0-9']+", reason)
    if len(words) < MIN_REASON_WORDS:
        return True
    substantive = [w for w in words if not _DESTINATION.fullmatch(w)]
    return len(substantive) < 3


def _is_vague(field: str, value: str) -> bool:
    normalized = value.strip().strip(".!").lower()
    if field == "promised":
        return normalized not in _NOTHING and normalized in _FILLER
    if normalized in _FILLER or len(normalized) < 3:
        return True
    return field == "reason" and is_vague_reason(value)


def validate_note(text: str) -> Verdict:
    """Check a note against the handoff format: required fields present and specific."""
    fields = parse_note(text)
    missing = tuple(f for f in REQUIRED if not fields.get(f, "").strip())
    vague = tuple(f for f in FIELDS if fields.get(f, "").strip() and _is_vague(f, fields[f]))
    return Verdict(complete=not missing and not vague, missing=missing, vague=vague)

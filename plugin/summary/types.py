"""The summarizer's vocabulary: options, the draft it returns, and the interface.

Everything here is a plain frozen dataclass so a draft can be compared in tests,
rendered without the ticket, and serialised by ``draft_to_json``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol

from plugin.model import TicketContext

Tone = Literal["frustrated", "neutral", "positive"]
TONES: tuple[str, ...] = ("frustrated", "neutral", "positive")

FLAG_NAMES: tuple[str, ...] = (
    "promised_callback",
    "already_apologized",
    "multiple_attempts",
    "escalated",
    "frustrated",
    "churn_risk",
)


@dataclass(frozen=True)
class SummaryOptions:
    """How a summarizer is chosen and tuned; the API key never shows in repr or logs."""

    llm_url: str = ""
    llm_api_key: str = field(default="", repr=False)
    llm_model: str = "gpt-4o-mini"
    llm_timeout_seconds: float = 10.0
    redact_patterns: tuple[str, ...] = ()
    multiple_attempts_replies: int = 3
    multiple_attempts_reassignments: int = 2


@dataclass(frozen=True)
class Claim:
    """One statement in a draft and the comment it came from."""

    text: str
    comment_id: str


@dataclass(frozen=True)
class Promise:
    """Something an agent committed to, with its deadline when one was stated."""

    text: str
    comment_id: str
    deadline: datetime | None = None


@dataclass(frozen=True)
class HandoffDraft:
    """What a summarizer found in a ticket: fields, evidence and confidence.

    ``refs`` maps each cited comment id to its human reference ("#3, 14:05") so the
    note can be rendered without the ticket. ``made_at`` is the latest comment time
    considered and ``comment_count`` how many comments were read, so a later render
    can say how many messages arrived since.
    """

    summary: str
    situation: tuple[Claim, ...]
    tried: tuple[Claim, ...]
    promises: tuple[Promise, ...]
    apologies: tuple[str, ...]
    tone: str
    churn_risk: bool
    customer: tuple[Claim, ...]
    account: str
    flags: tuple[str, ...]
    evidence: Mapping[str, tuple[str, ...]]
    confidence: Mapping[str, float]
    summarizer: str
    made_at: datetime | None
    comment_count: int
    refs: Mapping[str, str] = field(default_factory=dict)
    timezone: str = "UTC"


class Summarizer(Protocol):
    """Anything that turns a ticket's context into a handoff draft."""

    name: str

    def draft(self, ctx: TicketContext) -> HandoffDraft:
        """Draft the handoff for ``ctx``."""
        ...

"""The default summarizer: offline, deterministic, no model download.

It reads the ticket sentence by sentence with rules and a bundled sentiment lexicon,
so the same ticket always gives the same draft and nothing leaves the machine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from plugin.model import DONE_STATUSES, TicketContext
from plugin.summary.commitments import (
    is_apology,
    is_escalation,
    is_promise,
    normalise,
    says_resolved,
)
from plugin.summary.deadlines import resolve_deadline
from plugin.summary.fields import Message, read_messages, situation, tried
from plugin.summary.prose import compose_summary
from plugin.summary.tone import ToneReading, read_tone
from plugin.summary.types import Claim, HandoffDraft, Promise, SummaryOptions

_CLAUSE_BREAK = re.compile(r";|, and |, but | - |: ")
_EVENT_ANCHORED = re.compile(
    r"^\s*(?:once|when|after|as soon as)\b|\b(?:of|after|from) (?:receiving|receipt|we receive|"
    r"you receive|delivery|arrival)\b"
)
_CUE_WORDS = {
    "churn": "mentioned leaving or cancelling",
    "loyalty": "long-standing customer",
    "repeat": "has contacted support repeatedly",
    "frustration": "frustrated",
}


class OfflineSummarizer:
    """Draft handoffs with rules and a lexicon sentiment model, fully offline."""

    name = "offline"

    def __init__(self, options: SummaryOptions | None = None) -> None:
        self.options = options or SummaryOptions()

    def draft(self, ctx: TicketContext) -> HandoffDraft:
        """Draft the handoff for ``ctx`` from its comments alone."""
        messages = read_messages(ctx)
        found = _Findings.read(messages, ctx)
        flags = _flags(found, messages, ctx, self.options)
        return HandoffDraft(
            summary=compose_summary(found.situation, found.tried, found.promises,
                                    found.tone, messages, ctx.timezone),
            situation=tuple(found.situation),
            tried=tuple(found.tried),
            promises=tuple(found.promises),
            apologies=tuple(found.apologies),
            tone=found.tone.tone,
            churn_risk=found.tone.churn_risk,
            customer=tuple(_customer_claims(found.tone)),
            account=describe_account(ctx),
            flags=tuple(sorted(flags)),
            evidence=_evidence(found, flags, messages),
            confidence=_confidence(found),
            summarizer=self.name,
            made_at=max((c.created_at for c in ctx.comments), default=None),
            comment_count=len(ctx.comments),
            refs=comment_refs(messages, ctx.timezone),
            timezone=ctx.timezone,
        )


@dataclass(frozen=True)
class _Findings:
    """What the rules found in one ticket, before it becomes a draft."""

    situation: list[Claim]
    tried: list[Claim]
    promises: list[Promise]
    apologies: list[str]
    escalations: list[str]
    tone: ToneReading

    @classmethod
    def read(cls, messages: list[Message], ctx: TicketContext) -> _Findings:
        """Run every detector over the messages."""
        agent = [m for m in messages if m.role == "agent"]
        customer = [(m.comment.id, list(m.sentences)) for m in messages if m.role == "customer"]
        return cls(
            situation=situation(messages, ctx.ticket.subject),
            tried=tried(messages),
            promises=find_promises(agent, ctx.timezone),
            apologies=[m.comment.id for m in agent
                       if any(is_apology(s, not m.comment.public) for s in m.sentences)],
            escalations=[m.comment.id for m in agent if any(is_escalation(s) for s in m.sentences)],
            tone=read_tone(customer),
        )


def find_promises(agent_messages: list[Message], timezone: str) -> list[Promise]:
    """Return each agent sentence that commits to something, with its resolved deadline."""
    promises: list[Promise] = []
    for message in agent_messages:
        internal = not message.comment.public
        for sentence in message.sentences:
            if is_promise(sentence, internal):
                deadline = promise_deadline(sentence, message.comment.created_at, timezone,
                                            internal)
                promises.append(Promise(sentence, message.comment.id, deadline))
    return promises


def promise_deadline(
    sentence: str, said_at: datetime, timezone: str, internal: bool = False
) -> datetime | None:
    """Resolve the deadline of the clause that makes the promise, not of the whole sentence."""
    if _EVENT_ANCHORED.search(normalise(sentence)):
        return None
    for clause in _CLAUSE_BREAK.split(sentence):
        if clause.strip() and is_promise(clause, internal):
            deadline = resolve_deadline(clause, said_at, timezone)
            if deadline is not None:
                return deadline
    return resolve_deadline(sentence, said_at, timezone)


def _flags(
    found: _Findings, messages: list[Message], ctx: TicketContext, options: SummaryOptions
) -> set[str]:
    """Decide the context flags from the findings and the assignment history."""
    flags: set[str] = set()
    if found.promises:
        flags.add("promised_callback")
    if found.apologies:
        flags.add("already_apologized")
    if found.escalations:
        flags.add("escalated")
    if found.tone.tone == "frustrated":
        flags.add("frustrated")
    if found.tone.churn_risk:
        flags.add("churn_risk")
    if _multiple_attempts(messages, ctx, options):
        flags.add("multiple_attempts")
    return flags


def _multiple_attempts(messages: list[Message], ctx: TicketContext, options: SummaryOptions) -> bool:
    """Tell whether N public agent replies went by unresolved, or M reassignments happened."""
    reassignments = sum(1 for a in ctx.assignments if a.previous_assignee_id is not None)
    if reassignments >= options.multiple_attempts_reassignments:
        return True
    replies = [m for m in messages if m.role == "agent" and m.comment.public]
    customer = [m for m in messages if m.role == "customer"]
    resolved = ctx.ticket.status in DONE_STATUSES or (
        bool(customer) and any(says_resolved(s) for s in customer[-1].sentences)
    )
    return len(replies) >= options.multiple_attempts_replies and not resolved


def _customer_claims(reading: ToneReading) -> list[Claim]:
    """Quote each cue sentence once (the latest per kind), naming every kind it shows."""
    latest: dict[str, tuple[str, str]] = {}
    for kind, comment_id, sentence in reading.cues:
        latest[kind] = (comment_id, sentence)
    kinds_of: dict[tuple[str, str], list[str]] = {}
    for kind in ("frustration", "churn", "repeat", "loyalty"):
        if kind in latest:
            kinds_of.setdefault(latest[kind], []).append(_CUE_WORDS[kind])
    return [
        Claim(f"{', '.join(kinds)}: \u201c{sentence}\u201d", comment_id)
        for (comment_id, sentence), kinds in kinds_of.items()
    ]


def _evidence(found: _Findings, flags: set[str], messages: list[Message]) -> dict[str, tuple[str, ...]]:
    """Map each field and flag to the comment ids it rests on."""
    replies = tuple(m.comment.id for m in messages if m.role == "agent" and m.comment.public)
    cue_ids = tuple(dict.fromkeys(cid for _, cid, _ in found.tone.cues))
    churn_ids = tuple(dict.fromkeys(cid for kind, cid, _ in found.tone.cues if kind == "churn"))
    evidence = {
        "situation": tuple(dict.fromkeys(c.comment_id for c in found.situation)),
        "tried": tuple(dict.fromkeys(c.comment_id for c in found.tried)),
        "promises": tuple(dict.fromkeys(p.comment_id for p in found.promises)),
        "apologies": tuple(found.apologies),
        "escalated": tuple(found.escalations),
        "tone": cue_ids,
        "churn_risk": churn_ids or (cue_ids if found.tone.churn_risk else ()),
        "multiple_attempts": replies if "multiple_attempts" in flags else (),
    }
    return {field: ids for field, ids in evidence.items() if ids}


def _confidence(found: _Findings) -> dict[str, float]:
    """Say how sure each field is: found by an explicit cue, inferred, or absent."""
    dated = sum(1 for p in found.promises if p.deadline is not None)
    return {
        "situation": 0.8 if found.situation else 0.0,
        "tried": 0.7 if found.tried else 0.3,
        "promises": (0.9 if dated else 0.8) if found.promises else 0.7,
        "apologies": 0.9,
        "tone": round(found.tone.confidence, 2),
    }


UNAVAILABLE_ACCOUNT = "Account context unavailable: the CRM did not answer; check the account by hand."


def describe_account(ctx: TicketContext) -> str:
    """Describe the CRM account in one line, or return "" when none is known."""
    account = ctx.account
    if account is None:
        return ""
    if account.summary or not account.available:
        return account.summary or UNAVAILABLE_ACCOUNT
    parts = [account.name, account.tier and f"tier {account.tier}", account.lifecycle_stage]
    if account.open_deal_amount:
        parts.append(f"open deal {account.open_deal_amount:,.0f}")
    parts.extend(account.flags)
    return "; ".join(p for p in parts if p)


def comment_refs(messages: list[Message], timezone: str) -> dict[str, str]:
    """Map each comment id to "#position, weekday day month hh:mm" in the account's zone."""
    zone = ZoneInfo(timezone)
    return {
        m.comment.id: f"#{m.position}, {m.comment.created_at.astimezone(zone):%a %d %b %H:%M}"
        for m in messages
    }

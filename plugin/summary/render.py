"""Render a draft: the note for the receiving agent, the pre-filled handoff note, JSON.

Every statement carries its source ("#3, Tue 10 Jun 14:05") so the reader can check
it in one click, and a field with no evidence says so instead of guessing.
"""

from __future__ import annotations

from plugin.model import TicketContext
from plugin.summary.prose import format_moment
from plugin.summary.types import FLAG_NAMES, Claim, HandoffDraft, Promise

NOT_FOUND = "(not found in the conversation \u2014 please fill in)"
NO_PROMISE = "(no promise found in the conversation \u2014 write \u201cnothing\u201d or add it)"
REASON_BLANK = "(only you know why the ticket moves \u2014 please fill in)"
NO_ACCOUNT = "(no account details available \u2014 add any you know)"


def context_flags(draft: HandoffDraft) -> set[str]:
    """Return the draft's context flags, unprefixed, limited to the known names."""
    return {flag for flag in draft.flags if flag in FLAG_NAMES}


def _cite(draft: HandoffDraft, comment_id: str) -> str:
    """Return the human reference of a comment, e.g. "#3, Tue 10 Jun 14:05"."""
    return draft.refs.get(comment_id, f"comment {comment_id}")


def _claims(draft: HandoffDraft, claims: tuple[Claim, ...]) -> str:
    """Join claims into one line, each with its source."""
    return "; ".join(f"{c.text.rstrip(' .')} ({_cite(draft, c.comment_id)})" for c in claims)


def _promise(draft: HandoffDraft, promise: Promise) -> str:
    """Render one promise with its deadline and source."""
    due = f", due {format_moment(promise.deadline, draft.timezone)}" if promise.deadline else ""
    return f"\u201c{promise.text.strip()}\u201d ({_cite(draft, promise.comment_id)}{due})"


def customer_line(draft: HandoffDraft) -> str:
    """Describe the customer's state with the cues that showed it."""
    head = draft.tone + (", churn risk" if draft.churn_risk else "")
    if not draft.customer:
        return f"{head} (no frustration or churn cues in the customer's messages)"
    return f"{head}; {_claims(draft, draft.customer)}"


def field_lines(draft: HandoffDraft) -> list[str]:
    """Return the six handoff lines, with placeholders where nothing was found."""
    promised = "; ".join(_promise(draft, p) for p in draft.promises) or NO_PROMISE
    return [
        f"Situation: {_claims(draft, draft.situation) or NOT_FOUND}",
        f"Tried: {_claims(draft, draft.tried) or NOT_FOUND}",
        f"Promised: {promised}",
        f"Customer: {customer_line(draft)}",
        f"Reason: {REASON_BLANK}",
        f"Account: {draft.account or NO_ACCOUNT}",
    ]


def render_prefilled_note(draft: HandoffDraft) -> str:
    """Render the DESIGN.md handoff note, ready to paste, edit and post."""
    return "\n".join(["Handoff", *field_lines(draft)])


def render_summary_note(draft: HandoffDraft, ctx: TicketContext) -> str:
    """Render the internal note the receiving agent reads first."""
    lines = [f"Baton handoff summary (written by the {_writer(draft)})", draft.summary, ""]
    lines.extend(line for line in field_lines(draft) if not line.startswith("Reason:"))
    flags = sorted(context_flags(draft))
    lines.append(f"Flags: {', '.join(flags) if flags else 'none'}")
    newer = messages_since(draft, ctx)
    if newer:
        plural = "message has" if newer == 1 else "messages have"
        lines.append(f"{newer} {plural} arrived since this draft was made: read them first.")
    return "\n".join(lines)


def messages_since(draft: HandoffDraft, ctx: TicketContext) -> int:
    """Count comments newer than the draft (by time, or by count when times tie)."""
    if draft.made_at is None:
        return len(ctx.comments)
    by_time = sum(1 for c in ctx.comments if c.created_at > draft.made_at)
    return max(by_time, len(ctx.comments) - draft.comment_count)


def _writer(draft: HandoffDraft) -> str:
    """Name the summarizer that wrote the draft, and why the fallback ran if it did."""
    if draft.summarizer == "offline":
        return "offline summarizer"
    if draft.summarizer.startswith("offline"):
        return "offline summarizer" + draft.summarizer[len("offline"):]
    return f"{draft.summarizer} summarizer"


def draft_to_json(draft: HandoffDraft) -> dict:
    """Return the `baton draft` JSON shape of a draft."""
    return {
        "summary": draft.summary,
        "situation": " ".join(c.text.rstrip(" .") + "." for c in draft.situation),
        "tried": [c.text for c in draft.tried],
        "promises": [
            {
                "text": p.text,
                "deadline": p.deadline.isoformat() if p.deadline else None,
                "comment_id": p.comment_id,
            }
            for p in draft.promises
        ],
        "apologies": list(draft.apologies),
        "tone": draft.tone,
        "churn_risk": draft.churn_risk,
        "flags": sorted(context_flags(draft)),
        "evidence": {field: list(ids) for field, ids in draft.evidence.items()},
        "summarizer": draft.summarizer,
    }

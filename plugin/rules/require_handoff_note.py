"""No reassignment without a structured handoff note.

When a ticket moves to another agent or group, look for the transferring agent's
internal handoff note written since the previous move. A complete note is
accepted and tagged; otherwise the move is reverted or flagged, per destination
group, and the agent is told exactly what to add.
"""

from __future__ import annotations

from datetime import timedelta

from plugin.actions import (
    Action,
    AddTags,
    InternalNote,
    PublicReply,
    RecordHandoff,
    RemoveTags,
    RevertAssignment,
)
from plugin.config import Settings
from plugin.model import DONE_STATUSES, Assignment, Comment, TicketContext
from plugin.notes import LABELS, TEMPLATE, Verdict, looks_like_handoff_note, validate_note

RULE = "require_handoff_note"
# A note saved a moment after the reassignment (two quick submits) still counts.
NOTE_GRACE = timedelta(minutes=2)


def exemption(ctx: TicketContext, change: Assignment, settings: Settings) -> str | None:
    """Return why this change needs no handoff note, or None when the guard applies."""
    guard = settings["guard"]
    if change.actor_kind == "baton" or (ctx.baton_user_id and change.actor_id == ctx.baton_user_id):
        return "made by Baton"
    if change.actor_kind == "rule" and guard["exempt_automations"]:
        return "made by a trigger or automation"
    if change.previous_assignee_id == change.assignee_id and change.previous_group_id == change.group_id:
        return "nothing moved"
    if change.from_unassigned:
        return "first assignment from the unassigned queue"
    if change.group_id and change.group_id in guard["exempt_groups"]:
        return "destination group is exempt"
    if ctx.ticket.status in DONE_STATUSES:
        return f"ticket is {ctx.ticket.status}"
    if settings.guard_mode_for(change.group_id) == "off":
        return "guard is off for the destination group"
    return None


def find_handoff_note(ctx: TicketContext, change: Assignment) -> Comment | None:
    """Pick the note that speaks for this move: agents' internal notes since the previous move."""
    previous = ctx.previous_change(change)
    notes = [
        c for c in ctx.comments
        if c.is_internal_agent_note and c.author_id != ctx.baton_user_id
        and (previous is None or c.order > previous.order) and c.created_at <= change.at + NOTE_GRACE
    ]
    handoffs = [c for c in notes if looks_like_handoff_note(c.body)]
    return (handoffs or notes or [None])[-1]


def describe_problems(verdict: Verdict) -> str:
    """Say in one or two lines what the note lacks."""
    lines = []
    if verdict.missing:
        lines.append("Missing: " + ", ".join(LABELS[f] for f in verdict.missing) + ".")
    if verdict.vague:
        lines.append("Too vague: " + ", ".join(LABELS[f] for f in verdict.vague)
                     + ("; a reason says why the next person is needed, not only where the ticket"
                        " goes." if "reason" in verdict.vague else "."))
    return "\n".join(lines)


def _template_for(ctx: TicketContext) -> str:
    """Return the note pre-filled from the conversation when there is a brief, else the blank template."""
    return ctx.brief.prefilled_note if ctx.brief else TEMPLATE


def revert_note(ctx: TicketContext, change: Assignment, verdict: Verdict) -> str:
    """Tell the transferring agent why the ticket came back and what to add."""
    back_to = f"{ctx.name_of(change.previous_assignee_id)} in group {ctx.name_of(change.previous_group_id)}"
    return (
        f"Baton put this ticket back with {back_to}: it was reassigned to "
        f"{ctx.name_of(change.assignee_id)} (group {ctx.name_of(change.group_id)}) without a complete "
        f"handoff note.\n{describe_problems(verdict)}\n\n"
        "Add an internal note in this format, then reassign the ticket:\n\n" + _template_for(ctx)
    )


def flag_note(ctx: TicketContext, change: Assignment, verdict: Verdict) -> str:
    """Tell the receiving agent the ticket arrived without a proper handoff."""
    return (
        f"Heads-up for {ctx.name_of(change.assignee_id)}: this ticket was passed on by "
        f"{ctx.name_of(change.previous_assignee_id)} without a complete handoff note.\n"
        f"{describe_problems(verdict)}\nRead the conversation before replying, so the customer is "
        "not asked to repeat themselves. A draft of what Baton could find:\n\n" + _template_for(ctx)
    )


def customer_notice(ctx: TicketContext, change: Assignment, settings: Settings) -> list[Action]:
    """Tell the customer their request reached a new team (opt-in per group, never within a team)."""
    template = settings["notice"]["groups"].get(str(change.group_id)) if change.group_id else None
    if not template or change.group_id == change.previous_group_id:
        return []
    # Only names go into the template: the customer never sees internal text.
    body = template.replace("{group}", ctx.name_of(change.group_id)).replace(
        "{agent}", ctx.name_of(change.assignee_id).split(" ")[0])
    return [PublicReply(RULE, change.id, body=body)]


def decide(ctx: TicketContext, settings: Settings) -> list[Action]:
    """Accept, revert or flag the reassignment in ``ctx.change``."""
    change = ctx.change
    if change is None:
        return []
    why = exemption(ctx, change, settings)
    if why:
        return [RecordHandoff(RULE, change.id, outcome="exempt", details={"why": why})]
    note = find_handoff_note(ctx, change)
    verdict = validate_note(note.body) if note else Verdict(False, ("situation", "tried",
                                                                    "promised", "reason"), ())
    people = (change.previous_assignee_id, change.previous_group_id, change.assignee_id, change.group_id)
    details = {"note_comment_id": note.id if note else None, "note": note.body[:4000] if note else "",
               "summary": ctx.brief.summary_note if ctx.brief else "",
               "flags": sorted(ctx.brief.flags) if ctx.brief else [],
               "names": {i: ctx.names[i] for i in people if i and i in ctx.names}}
    tag = settings.tag
    if verdict.complete:
        summary = [InternalNote(RULE, change.id, body=ctx.brief.summary_note)] if ctx.brief else []
        return [
            *summary,
            *customer_notice(ctx, change, settings),
            AddTags(RULE, change.id, tags=(tag("handoff_ok"), tag("transferred"))),
            RemoveTags(RULE, change.id, tags=(tag("handoff_missing_note"), tag("handoff_reverted"))),
            RecordHandoff(RULE, change.id, outcome="accepted", details=details),
        ]
    record = RecordHandoff(RULE, change.id, outcome="", missing=verdict.missing,
                           vague=verdict.vague, details=details)
    if settings.guard_mode_for(change.group_id) == "revert":
        return [
            RevertAssignment(RULE, change.id, assignee_id=change.previous_assignee_id,
                             group_id=change.previous_group_id),
            InternalNote(RULE, change.id, body=revert_note(ctx, change, verdict)),
            AddTags(RULE, change.id, tags=(tag("handoff_reverted"),)),
            _with_outcome(record, "reverted"),
        ]
    return [
        InternalNote(RULE, change.id, body=flag_note(ctx, change, verdict)),
        AddTags(RULE, change.id, tags=(tag("handoff_missing_note"), tag("transferred"))),
        _with_outcome(record, "flagged"),
    ]


def _with_outcome(record: RecordHandoff, outcome: str) -> RecordHandoff:
    return RecordHandoff(record.rule, record.subject, outcome=outcome, missing=record.missing,
                         vague=record.vague, details=record.details)

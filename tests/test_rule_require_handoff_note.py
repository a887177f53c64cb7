"""The reassignment guard as a pure function: contexts built by hand, no mocks."""

from __future__ import annotations

from plugin.actions import AddTags, InternalNote, RecordHandoff, RemoveTags, RevertAssignment
from plugin.rules.require_handoff_note import decide
from tests.conftest import COMPLETE_NOTE, comment, context, make_settings, move

A, B = "101", "202"
BILLING, SUPPORT = "900", "800"


def kinds(actions) -> list[str]:
    return [a.kind for a in actions]


def outcome(actions) -> str:
    return next(a for a in actions if isinstance(a, RecordHandoff)).outcome


def test_move_without_note_is_reverted_to_previous_assignee_and_group(settings) -> None:
    ctx = context([comment("c1", "Customer says hi", 1, role="customer", public=True)],
                  [move("a1", 0, (None, SUPPORT), (A, SUPPORT)), move("a2", 5, (A, SUPPORT), (B, BILLING))])
    actions = decide(ctx, settings)
    revert = next(a for a in actions if isinstance(a, RevertAssignment))
    assert (revert.assignee_id, revert.group_id) == (A, SUPPORT)
    note = next(a for a in actions if isinstance(a, InternalNote)).body
    assert "Missing: Situation, Tried, Promised, Reason." in note
    assert "Situation: <" in note  # the template to fill in
    assert next(a for a in actions if isinstance(a, AddTags)).tags == ("baton_handoff_reverted",)
    assert outcome(actions) == "reverted"


def test_complete_note_since_previous_move_is_accepted(settings) -> None:
    ctx = context([comment("c1", COMPLETE_NOTE, 4)],
                  [move("a1", 0, (None, SUPPORT), (A, SUPPORT)), move("a2", 5, (A, SUPPORT), (B, BILLING))])
    actions = decide(ctx, settings)
    assert kinds(actions) == ["AddTags", "RemoveTags", "RecordHandoff"]
    assert actions[0].tags == ("baton_handoff_ok", "baton_transferred")
    assert outcome(actions) == "accepted"


def test_note_written_before_the_previous_move_does_not_count(settings) -> None:
    ctx = context([comment("c1", COMPLETE_NOTE, 1)],
                  [move("a1", 0, (None, SUPPORT), (A, SUPPORT)), move("a2", 3, (A, SUPPORT), (B, SUPPORT)),
                   move("a3", 9, (B, SUPPORT), (A, BILLING))])
    assert outcome(decide(ctx, settings)) == "reverted"


def test_public_reply_and_customer_text_are_not_notes(settings) -> None:
    ctx = context([comment("c1", COMPLETE_NOTE, 2, public=True),
                   comment("c2", COMPLETE_NOTE, 3, role="customer", public=True)],
                  [move("a1", 0, (None, SUPPORT), (A, SUPPORT)), move("a2", 5, (A, SUPPORT), (B, BILLING))])
    assert outcome(decide(ctx, settings)) == "reverted"


def test_batons_own_note_with_the_template_is_not_a_handoff_note(settings) -> None:
    ctx = context([comment("c1", COMPLETE_NOTE, 2, author="999", role="system")],
                  [move("a1", 0, (None, SUPPORT), (A, SUPPORT)), move("a2", 5, (A, SUPPORT), (B, BILLING))])
    assert outcome(decide(ctx, settings)) == "reverted"


def test_vague_reason_is_reported(settings) -> None:
    note = COMPLETE_NOTE.replace(
        "needs someone with Stripe access to investigate why the refund did not process.",
        "escalating to billing")
    ctx = context([comment("c1", note, 4)],
                  [move("a1", 0, (None, SUPPORT), (A, SUPPORT)), move("a2", 5, (A, SUPPORT), (B, BILLING))])
    actions = decide(ctx, settings)
    body = next(a for a in actions if isinstance(a, InternalNote)).body
    assert "Too vague: Reason" in body and "Missing" not in body
    assert next(a for a in actions if isinstance(a, RecordHandoff)).vague == ("reason",)


def test_flag_mode_per_destination_group_keeps_the_assignment() -> None:
    settings = make_settings(guard={"groups": {BILLING: "flag"}})
    ctx = context([], [move("a1", 0, (None, SUPPORT), (A, SUPPORT)), move("a2", 5, (A, SUPPORT), (B, BILLING))])
    actions = decide(ctx, settings)
    assert not any(isinstance(a, RevertAssignment) for a in actions)
    assert next(a for a in actions if isinstance(a, AddTags)).tags == (
        "baton_handoff_missing_note", "baton_transferred")
    assert "Heads-up" in next(a for a in actions if isinstance(a, InternalNote)).body
    assert outcome(actions) == "flagged"


def test_off_mode_and_exemptions_record_why() -> None:
    moves = [move("a1", 0, (None, SUPPORT), (A, SUPPORT)), move("a2", 5, (A, SUPPORT), (B, BILLING))]
    cases = [
        (make_settings(guard={"mode": "off"}), context([], moves), "guard is off"),
        (make_settings(guard={"exempt_groups": [BILLING]}), context([], moves), "exempt"),
        (make_settings(), context([], moves, status="solved"), "ticket is solved"),
        (make_settings(), context([], moves[:1]), "first assignment"),
        (make_settings(), context([], [moves[0], move("a2", 5, (A, SUPPORT), (B, BILLING), actor="999")]),
         "made by Baton"),
        (make_settings(), context([], [moves[0], move("a2", 5, (A, SUPPORT), (B, BILLING), kind="rule")]),
         "trigger or automation"),
    ]
    for settings, ctx, why in cases:
        actions = decide(ctx, settings)
        assert kinds(actions) == ["RecordHandoff"], why
        assert actions[0].outcome == "exempt" and why in actions[0].details["why"]


def test_automation_changes_are_guarded_when_not_exempt() -> None:
    settings = make_settings(guard={"exempt_automations": False})
    ctx = context([], [move("a1", 0, (None, SUPPORT), (A, SUPPORT)),
                       move("a2", 5, (A, SUPPORT), (B, BILLING), kind="rule")])
    assert outcome(decide(ctx, settings)) == "reverted"


def test_same_context_same_actions_and_keys(settings) -> None:
    ctx = context([], [move("a1", 0, (None, SUPPORT), (A, SUPPORT)), move("a2", 5, (A, SUPPORT), (B, BILLING))])
    first, second = decide(ctx, settings), decide(ctx, settings)
    assert first == second
    keys = [a.key(ctx.ticket) for a in first]
    assert len(set(keys)) == len(keys)
    assert keys[0] == "zendesk:42:a2:require_handoff_note:RevertAssignment"


def test_tag_prefix_is_configurable() -> None:
    settings = make_settings(baton={"tag_prefix": "bt_"})
    ctx = context([comment("c1", COMPLETE_NOTE, 4)],
                  [move("a1", 0, (None, SUPPORT), (A, SUPPORT)), move("a2", 5, (A, SUPPORT), (B, BILLING))])
    actions = decide(ctx, settings)
    assert next(a for a in actions if isinstance(a, AddTags)).tags == ("bt_handoff_ok", "bt_transferred")
    assert next(a for a in actions if isinstance(a, RemoveTags)).tags == (
        "bt_handoff_missing_note", "bt_handoff_reverted")

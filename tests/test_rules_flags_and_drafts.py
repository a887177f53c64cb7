"""Context flags and on-demand drafts as pure rules, and the summary note on accepted handoffs."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from plugin.actions import AddTags, InternalNote, RemoveTags
from plugin.model import Account, Brief
from plugin.rules import context_flags, draft_on_demand, require_handoff_note
from tests.conftest import COMPLETE_NOTE, T0, comment, context, move

BRIEF = Brief(summary_note="Baton handoff summary\nThe customer was charged twice.",
              prefilled_note="Handoff\nSituation: charged twice (#1)", summarizer="offline",
              flags=frozenset({"promised_callback", "frustrated"}))


def with_tags(ctx, *tags):
    return replace(ctx, ticket=replace(ctx.ticket, tags=tuple(tags), updated_at=T0 + timedelta(minutes=9)))


def test_flags_are_added_and_stale_ones_removed(settings) -> None:
    ctx = replace(with_tags(context([comment("c1", "hi", 1, role="customer", public=True)], []),
                            "vip", "baton_churn_risk", "baton_frustrated"), brief=BRIEF)
    actions = context_flags.decide(ctx, settings)
    assert [type(a) for a in actions] == [AddTags, RemoveTags]
    assert actions[0].tags == ("baton_promised_callback",)
    assert actions[1].tags == ("baton_churn_risk",)


def test_flags_already_right_write_nothing(settings) -> None:
    ctx = replace(with_tags(context([], []), "baton_promised_callback", "baton_frustrated"), brief=BRIEF)
    assert context_flags.decide(ctx, settings) == []


def test_a_change_of_flags_is_a_new_decision_with_a_new_key(settings) -> None:
    first = replace(context([comment("c1", "hi", 1)], []), brief=BRIEF)
    later = replace(context([comment("c1", "hi", 1), comment("c2", "x", 2)], []),
                    brief=replace(BRIEF, flags=frozenset({"churn_risk"})))
    key_first = context_flags.decide(first, settings)[0].key(first.ticket)
    key_later = context_flags.decide(later, settings)[0].key(later.ticket)
    assert key_first != key_later


def test_high_value_comes_from_the_account_and_survives_an_unreachable_crm(settings) -> None:
    base = with_tags(context([], []), "baton_high_value")
    valued = replace(base, brief=replace(BRIEF, flags=frozenset()),
                     account=Account(name="Acme", flags=("high_value",)))
    assert context_flags.decide(valued, settings) == []
    unreachable = replace(valued, account=Account(available=False))
    assert context_flags.decide(unreachable, settings) == []
    not_valued = replace(valued, account=Account(name="Acme"))
    assert context_flags.decide(not_valued, settings)[0].tags == ("baton_high_value",)


def test_no_brief_no_flags(settings) -> None:
    assert context_flags.decide(with_tags(context([], []), "baton_frustrated"), settings) == []


def test_draft_tag_gets_the_draft_and_is_removed(settings) -> None:
    ctx = replace(with_tags(context([], []), "baton_draft"), brief=BRIEF)
    note, remove = draft_on_demand.decide(ctx, settings)
    assert isinstance(note, InternalNote) and "Situation: charged twice (#1)" in note.body
    assert remove.tags == ("baton_draft",)
    assert draft_on_demand.decide(replace(ctx, ticket=replace(ctx.ticket, tags=())), settings) == []


def test_accepted_handoff_posts_the_summary_and_revert_carries_the_prefilled_note(settings) -> None:
    moves = [move("a1", 0, (None, "800"), ("101", "800")), move("a2", 5, ("101", "800"), ("202", "900"))]
    accepted = require_handoff_note.decide(replace(context([comment("c1", COMPLETE_NOTE, 4)], moves),
                                                   brief=BRIEF), settings)
    assert accepted[0] == InternalNote("require_handoff_note", "a2", body=BRIEF.summary_note)
    reverted = require_handoff_note.decide(replace(context([], moves), brief=BRIEF), settings)
    body = next(a for a in reverted if isinstance(a, InternalNote)).body
    assert body.endswith(BRIEF.prefilled_note) and "Situation: <" not in body


def test_customer_notice_is_opt_in_per_group_and_never_within_a_team() -> None:
    from tests.conftest import make_settings

    settings = make_settings(notice={"groups": {"900": "Your request has been passed to our {group} team. "
                                                "{agent} is fully up to speed on your situation."}})
    moves = [move("a1", 0, (None, "800"), ("101", "800")), move("a2", 5, ("101", "800"), ("202", "900"))]
    ctx = replace(context([comment("c1", COMPLETE_NOTE, 4)], moves), names={"900": "Billing", "202": "Blake Chen"})
    replies = [a for a in require_handoff_note.decide(ctx, settings) if a.kind == "PublicReply"]
    assert [r.body for r in replies] == [
        "Your request has been passed to our Billing team. Blake is fully up to speed on your situation."]
    assert COMPLETE_NOTE.splitlines()[1] not in replies[0].body
    same_team = [move("a1", 0, (None, "900"), ("101", "900")), move("a2", 5, ("101", "900"), ("202", "900"))]
    inside = require_handoff_note.decide(context([comment("c1", COMPLETE_NOTE, 4)], same_team), settings)
    assert not [a for a in inside if a.kind == "PublicReply"]
    other_group = make_settings(notice={"groups": {"555": "Your request has been passed on."}})
    assert not [a for a in require_handoff_note.decide(ctx, other_group) if a.kind == "PublicReply"]
    reverted = require_handoff_note.decide(replace(ctx, comments=()), settings)
    assert not [a for a in reverted if a.kind == "PublicReply"]


def test_first_reply_after_a_transfer_is_judged_once(settings) -> None:
    from plugin.rules import handoff_quality

    transfer = move("a2", 5, ("101", "800"), ("202", "900"))
    customer = comment("c1", "I was charged twice, order A-1043, email dana@example.com", 1, role="customer",
                       public=True, author="7")
    reply = comment("c2", "Hi! Could you send me your order number?", 8, public=True, author="202")
    ctx = replace(context([customer, reply], [transfer]), pending_transfer=transfer)
    [record] = handoff_quality.decide(ctx, settings)
    assert record.repeat is True and record.subject == "a2" and record.reply_comment_id == "c2"
    assert record.asked_again[0]["kind"] == "order_number" and record.asked_again[0]["given_in"] == "c1"
    fine = replace(ctx, comments=(customer, comment("c2", "I've refunded it; you'll see it in 3 days.", 8,
                                                     public=True, author="202")))
    assert handoff_quality.decide(fine, settings)[0].repeat is False
    assert handoff_quality.decide(replace(ctx, pending_transfer=None), settings) == []
    other_agent = replace(ctx, comments=(customer, replace(reply, author_id="101")))
    assert handoff_quality.decide(other_agent, settings) == []


def test_cli_quality_check(tmp_path, capsys) -> None:
    import json

    from plugin.cli import main

    path = tmp_path / "handoff.json"
    path.write_text(json.dumps({
        "subject": "Charged twice", "timezone": "UTC", "now": "2026-05-04T10:00:00+00:00",
        "comments": [{"id": "1", "author_role": "customer", "author_name": "Dana", "public": True,
                      "created_at": "2026-05-04T09:00:00+00:00", "body": "My order A-1043 was charged twice.",
                      "html": ""}],
        "first_reply_after_handoff": "Hello, what is your order number?"}))
    assert main(["quality", "check", str(path)]) == 0
    verdict = json.loads(capsys.readouterr().out)
    assert verdict["repeat"] is True and verdict["asked_again"][0]["given_in"] == "1"
    path.write_text("{not json")
    assert main(["quality", "check", str(path)]) == 2
    assert "baton:" in capsys.readouterr().err

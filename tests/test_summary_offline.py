"""The offline summarizer finds the handoff fields, with evidence, deterministically."""

from dataclasses import replace

from plugin.summary import OfflineSummarizer, SummaryOptions, context_flags
from plugin.summary.commitments import is_apology, is_escalation, is_promise
from tests.summary_builders import billing_ticket, comment, context


def test_design_example_fields_and_flags() -> None:
    draft = OfflineSummarizer().draft(billing_ticket())
    assert [p.comment_id for p in draft.promises] == ["12"]
    assert draft.promises[0].deadline.isoformat() == "2025-06-10T17:00:00+02:00"
    assert draft.apologies == ("12",)
    assert draft.tone == "frustrated" and draft.churn_risk
    assert context_flags(draft) == {
        "promised_callback", "already_apologized", "frustrated", "churn_risk"}
    assert draft.situation[0].comment_id == "11"
    assert "they were charged twice" in draft.situation[0].text
    assert draft.evidence["promises"] == ("12",)
    assert any("refunded the duplicate charge" in step.text for step in draft.tried)


def test_summary_is_two_to_four_sentences_in_third_person() -> None:
    summary = OfflineSummarizer().draft(billing_ticket()).summary
    assert summary.startswith("The customer says they were charged twice")
    assert 2 <= summary.count(". ") + 1 <= 4
    assert " I " not in summary


def test_draft_is_deterministic_and_ignores_the_clock() -> None:
    ctx = billing_ticket()
    first = OfflineSummarizer().draft(ctx)
    later = OfflineSummarizer().draft(replace(ctx, now=ctx.now.replace(year=2030)))
    assert first == later


def test_multiple_attempts_counts_unresolved_public_replies() -> None:
    replies = [comment(str(n), "agent", "Could you try again please?", n * 10) for n in range(3)]
    ticket = context(comment("c", "customer", "Login fails.", 0), *replies)
    assert "multiple_attempts" in OfflineSummarizer().draft(ticket).flags
    options = SummaryOptions(multiple_attempts_replies=4)
    assert "multiple_attempts" not in OfflineSummarizer(options).draft(ticket).flags


def test_multiple_attempts_counts_reassignments() -> None:
    ticket = context(comment("c", "customer", "Login fails.", 0), reassignments=2)
    assert "multiple_attempts" in OfflineSummarizer().draft(ticket).flags
    options = SummaryOptions(multiple_attempts_reassignments=3)
    assert "multiple_attempts" not in OfflineSummarizer(options).draft(ticket).flags


def test_resolved_ticket_is_not_multiple_attempts() -> None:
    replies = [comment(str(n), "agent", "Could you try again please?", n * 10) for n in range(3)]
    thanks = comment("z", "customer", "That worked, thanks!", 60)
    ticket = context(comment("c", "customer", "Login fails.", 0), *replies, thanks)
    assert "multiple_attempts" not in OfflineSummarizer().draft(ticket).flags


def test_promise_rules() -> None:
    assert is_promise("I'll call you back tomorrow morning.")
    assert is_promise("Someone from our billing team will contact you within 24 hours.")
    assert is_promise("You'll receive a confirmation email within 10 minutes.")
    assert not is_promise("If that doesn't help, I'll escalate it.")
    assert not is_promise("We will need the tracking number.")
    assert not is_promise("Shall I call you tomorrow?")
    assert not is_promise("I'll be happy to help if anything else comes up.")
    assert is_promise("Told the customer we'd call back by 3pm.", internal=True)


def test_apology_and_escalation_rules() -> None:
    assert is_apology("Sorry for the delay!")
    assert is_apology("I apologize that your tickets went unanswered.")
    assert not is_apology("Sorry, could you send the order number?")
    assert not is_apology("Spoke to the customer about the refund.", internal=True)
    assert is_escalation("I've escalated this to our payments team.")
    assert not is_escalation("If that fails, I'll escalate.")


def test_no_agent_reply_yet_is_said_plainly() -> None:
    draft = OfflineSummarizer().draft(context(comment("1", "customer", "Is the inbox down?", 0)))
    assert "No agent has replied yet." in draft.summary
    assert draft.promises == () and draft.apologies == ()

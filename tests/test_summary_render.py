"""Notes say where each statement came from, and say so when nothing was found."""

from dataclasses import replace
from datetime import timedelta

from plugin.summary import OfflineSummarizer, draft_to_json, render_prefilled_note, render_summary_note
from tests.summary_builders import billing_ticket, comment, context

LABELS = ["Handoff", "Situation:", "Tried:", "Promised:", "Customer:", "Reason:", "Account:"]


def test_prefilled_note_has_the_design_format_with_sources() -> None:
    note = render_prefilled_note(OfflineSummarizer().draft(billing_ticket()))
    lines = note.splitlines()
    assert [line.split(" ")[0] for line in lines] == LABELS
    assert lines[1].endswith("(#1, Tue 10 Jun 09:00)")
    assert "\u201cI'll get you an answer by end of day today.\u201d" in lines[3]
    assert "due Tue 10 Jun 2025 17:00 Europe/Berlin" in lines[3]
    assert lines[5] == "Reason: (only you know why the ticket moves \u2014 please fill in)"


def test_fields_without_evidence_say_so() -> None:
    draft = OfflineSummarizer().draft(context(comment("1", "customer", "Is the inbox down?", 0)))
    note = render_prefilled_note(draft)
    assert "Tried: (not found in the conversation \u2014 please fill in)" in note
    assert "Promised: (no promise found in the conversation" in note
    assert "Account: (no account details available" in note


def test_summary_note_counts_messages_since_the_draft() -> None:
    ctx = billing_ticket()
    draft = OfflineSummarizer().draft(ctx)
    assert "arrived since" not in render_summary_note(draft, ctx)
    later = ctx.comments[-1].created_at + timedelta(minutes=5)
    newer = [replace(ctx.comments[0], id=f"n{i}", created_at=later) for i in range(2)]
    grown = replace(ctx, comments=ctx.comments + tuple(newer))
    note = render_summary_note(draft, grown)
    assert "2 messages have arrived since this draft was made" in note
    assert note.splitlines()[0] == "Baton handoff summary (written by the offline summarizer)"


def test_draft_json_has_the_design_shape() -> None:
    data = draft_to_json(OfflineSummarizer().draft(billing_ticket()))
    assert set(data) == {"summary", "situation", "tried", "promises", "apologies", "tone",
                         "churn_risk", "flags", "evidence", "summarizer"}
    assert data["promises"] == [{
        "text": "I'll get you an answer by end of day today.",
        "deadline": "2025-06-10T17:00:00+02:00", "comment_id": "12"}]
    assert data["apologies"] == ["12"]
    assert data["flags"] == ["already_apologized", "churn_risk", "frustrated",
                             "promised_callback"]
    assert data["evidence"]["promises"] == ["12"]
    assert data["summarizer"] == "offline"

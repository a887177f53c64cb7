"""The repeat-question check behind `baton quality check`: extractors, judgement rules, labelled set, file I/O."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from plugin.model import Comment
from plugin.quality import (
    AskedAgain,
    RepeatVerdict,
    check_repeat,
    handoff_from_json,
    quality_command,
    verdict_to_json,
)
from plugin.quality.catalog import KINDS
from plugin.quality.check import asked_kinds, is_question, reply_questions
from plugin.quality.text import content_stems, html_to_text, split_sentences, strip_quoted

HANDOFFS = Path(__file__).parent / "fixtures" / "handoffs"
T0 = datetime(2025, 6, 10, 9, 0, tzinfo=UTC)
KIND = {k.name: k for k in KINDS}


def _comment(cid: str, role: str, body: str, minutes: int = 0, public: bool = True) -> Comment:
    return Comment(id=cid, author_id=None, author_role=role, public=public,  # type: ignore[arg-type]
                   created_at=T0 + timedelta(minutes=minutes), body=body)


def _kinds(sentence: str) -> list[str]:
    return [k.name for k in asked_kinds(sentence)]


def _find(kind: str, text: str, question: str = "") -> str | None:
    return KIND[kind].find(text, question)


# ---------------------------------------------------------------- text


def test_html_to_text_keeps_blocks_and_entities() -> None:
    html = "<p>Hi&nbsp;Leo,</p><p>Order <b>#55120</b> &amp; more<br>next line</p><style>p{}</style>"
    assert html_to_text(html) == "Hi Leo,\n\nOrder #55120 & more\nnext line"


def test_strip_quoted_drops_the_earlier_thread() -> None:
    text = "Refund issued.\n\nOn Tue, Jun 10, 2025 at 9:00 AM Ann wrote:\n> What is your order number?"
    assert strip_quoted(text) == "Refund issued."


def test_split_sentences_on_marks_and_lines() -> None:
    text = "Hi Jane, I've started it. Could you tell me the email? Also, would you like a discount?\nBest,\nSam"
    assert split_sentences(text) == [
        "Hi Jane, I've started it.", "Could you tell me the email?", "Also, would you like a discount?",
        "Best,", "Sam",
    ]


def test_content_stems_fold_suffixes_and_synonyms() -> None:
    assert content_stems("Is this affecting all of your users, or only some?") >= {"happen", "user"}
    assert content_stems("charged") == content_stems("charge") == {"charg"}


# ---------------------------------------------------------------- questions and what they ask


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("What's your order number?", True),
        ("Please send us the invoice ID.", True),
        ("I'll need the invoice ID so I can reissue it.", True),
        ("Let me know the tracking number when you have it.", True),
        ("I've refunded the duplicate charge.", False),
        ("Thanks for sending the screenshot, I can see the message.", False),
    ],
)
def test_is_question(sentence: str, expected: bool) -> None:
    assert is_question(sentence) is expected


@pytest.mark.parametrize(
    ("sentence", "kinds"),
    [
        ("Could you send me your order number and a photo of the damage?", ["order_number", "attachment"]),
        ("What error message do you see when you try to log in?", ["error_message"]),
        ("When did you first see these errors, and which endpoint are you calling?", ["date", "endpoint"]),
        ("What kind of phone are you using, and which version of Android?", ["device", "version"]),
        ("Are you using an iPhone or an Android phone?", ["device"]),
        ("What username do you use to sign in?", ["account_number"]),
        ("May I ask why you'd like to cancel?", ["reason"]),
        ("Could you describe the issue you're experiencing?", ["description"]),
        ("Have you tried clearing your browser cache?", ["steps_tried"]),
    ],
)
def test_asked_kinds_classifies_what_a_question_requests(sentence: str, kinds: list[str]) -> None:
    assert _kinds(sentence) == kinds


@pytest.mark.parametrize(
    "sentence",
    [
        "Can you try clearing the cache and tell me if it works?",  # a new action, new result
        "Could you try in Firefox and let me know whether the same error appears?",
        "What's the new email address you'd like us to use?",  # a new value
        "Do you have another order number that was affected?",
        "Could you check your email, including the spam folder?",  # look, don't tell
        "When would be a good time to call you tomorrow?",  # the future
        "Are you still seeing the error message?",  # today's state
        "Is there anything else I can help you with?",
    ],
)
def test_asks_for_new_information_have_no_kind(sentence: str) -> None:
    assert _kinds(sentence) == []


# ---------------------------------------------------------------- finders


def test_identifier_finders_need_the_noun_and_a_digit() -> None:
    assert _find("order_number", "I was charged twice for order #A-10432 on 2 May.") == "A-10432"
    assert _find("order_number", "Order number: 7781-3392\nReason: wrong size") == "7781-3392"
    assert _find("invoice_number", "Hi, invoice INV-2291 charges us for 12 seats.") == "INV-2291"
    assert _find("account_number", "Account ID 88213-EU, workspace 'northwind'.") == "88213-EU"
    assert _find("account_number", "My username is mkrueger and I need access.") == "mkrueger"
    assert _find("tracking_number", "The tracking number is 1Z999AA10123456784.") == "1Z999AA10123456784"
    assert _find("order_number", "We exchange the code within 2 seconds of the order.") is None


def test_contact_finders() -> None:
    assert _find("email", "The account email is dan.ortiz@fastmail.com. Thanks") == "dan.ortiz@fastmail.com"
    assert _find("phone", "Please call me back on +44 20 7946 0958, after 3pm.") == "+44 20 7946 0958"
    assert _find("phone", "My order 7781-3392 and VAT IT01234567890.") is None
    assert _find("address", "Reship to 214 Maple Street, Apt 3B, Brooklyn, NY 11215.") == "214 Maple Street"


def test_error_finder_reads_codes_statuses_and_quoted_wording() -> None:
    assert _find("error_message", 'I get "Error 403: access denied" on login.') == '"Error 403: access denied"'
    assert _find("error_message", "About 1% of calls return 502 Bad Gateway.") == "502 Bad Gateway"
    body = 'The response is: {"error":"invalid_grant","error_description":"expired"}.'
    assert _find("error_message", body) == '"error":"invalid_grant"'
    assert _find("error_message", "I'm on Chrome and it doesn't work.") is None


def test_date_finder_matches_the_topic_of_the_question() -> None:
    assert _find("date", "I was charged $120 on March 3.", "When was the charge?") == "on March"
    text = "My order 4410-22 was missing the charger. I wrote to you yesterday."
    assert _find("date", text, "When did you place the order?") is None  # yesterday is about the e-mail
    assert _find("date", text, "When did this start?") == "yesterday"  # no topic: any date counts


def test_attempt_finder_matches_the_named_fix() -> None:
    text = "I've already cleared my cache and cookies, same result."
    assert _find("steps_tried", text, "Have you tried clearing your cache?") == text
    assert _find("steps_tried", text, "Have you tried reinstalling the app?") is None


def test_description_needs_a_real_message() -> None:
    assert _find("description", "Help!") is None
    first = "Since 8am the dashboard shows a spinner forever for everyone in our team."
    assert _find("description", "Hello,\n" + first + " Please help.") == first


# ---------------------------------------------------------------- check_repeat


def test_asking_for_a_given_order_number_is_a_repeat_with_evidence() -> None:
    comments = [_comment("1", "customer", "Order #A-1043 never arrived."), _comment("2", "agent", "Escalating.")]
    verdict = check_repeat(comments, "Hi! Sorry about that. What is your order number?")
    expected = AskedAgain("order_number", "What is your order number?", "1", "A-1043")
    assert verdict == RepeatVerdict(True, (expected,))


def test_confirming_the_value_is_not_a_repeat_but_confirming_blind_is() -> None:
    comments = [_comment("1", "customer", "I returned order A-1043 last week, no refund yet.")]
    assert not check_repeat(comments, "Just to confirm, your order is A-1043?").repeat
    assert check_repeat(comments, "Could you confirm your order number?").repeat


def test_a_value_only_the_web_form_gave_counts() -> None:
    comments = [_comment("1", "system", "Order number: 7781-3392"), _comment("2", "customer", "Wrong size.", 1)]
    verdict = check_repeat(comments, "What's your order number?")
    assert verdict.asked_again[0].given_in == "1"


def test_an_answered_earlier_question_is_a_repeat_and_an_unanswered_one_is_not() -> None:
    comments = [
        _comment("1", "customer", "We want the Business plan."),
        _comment("2", "agent", "How many seats do you need on the new plan?", 10),
        _comment("3", "customer", "We need 35 seats.", 60),
    ]
    verdict = check_repeat(comments, "How many seats will you need?")
    expected = AskedAgain("earlier_answer", "How many seats will you need?", "3", "We need 35 seats.")
    assert verdict.asked_again == (expected,)
    assert not check_repeat(comments[:2], "How many seats will you need?").repeat


def test_questions_about_what_was_not_given_are_not_repeats() -> None:
    comments = [_comment("1", "customer", "This month's bill is much higher than usual. What happened?")]
    verdict = check_repeat(comments, "Could you send me the invoice number for this month's bill? Thanks!")
    assert verdict == RepeatVerdict(False, ())


def test_quoted_history_in_the_reply_is_ignored() -> None:
    comments = [_comment("1", "customer", "My order #99812 is late.")]
    reply = "Refund issued.\n\nOn Tue, Jun 10, 2025 at 9:00 AM Customer wrote:\n> What is your order number?"
    assert reply_questions(reply) == []
    assert not check_repeat(comments, reply).repeat


def test_verdict_to_json_shape() -> None:
    verdict = RepeatVerdict(True, (AskedAgain("email", "What's your email?", "7", "a@b.io"),))
    assert verdict_to_json(verdict) == {
        "repeat": True,
        "asked_again": [{"kind": "email", "question": "What's your email?", "given_in": "7", "value": "a@b.io"}],
    }


# ---------------------------------------------------------------- the labelled set


def _labelled() -> list[tuple[str, dict, RepeatVerdict]]:
    cases = []
    for path in sorted(HANDOFFS.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        cases.append((path.name, data["expected"], check_repeat(*handoff_from_json(data))))
    return cases


def test_labelled_set_precision_and_recall_at_least_0_8() -> None:
    cases = _labelled()
    positives = sum(e["repeat"] for _, e, _ in cases)
    assert len(cases) >= 40 and 0.4 <= positives / len(cases) <= 0.6
    tp = sum(e["repeat"] and v.repeat for _, e, v in cases)
    fp = sum(v.repeat and not e["repeat"] for _, e, v in cases)
    fn = sum(e["repeat"] and not v.repeat for _, e, v in cases)
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    print(f"\nrepeat-question detection on {len(cases)} handoffs: precision {precision:.3f}, recall {recall:.3f}")
    assert precision >= 0.8 and recall >= 0.8


def test_labelled_kinds_match_on_detected_repeats() -> None:
    cases = [(n, e, v) for n, e, v in _labelled() if e["repeat"] and v.repeat]
    right = [n for n, e, v in cases if set(e["kinds"]) == {a.kind for a in v.asked_again}]
    assert len(right) >= 0.8 * len(cases)


# ---------------------------------------------------------------- handoff files and the command


def _handoff(reply: object = "Hi! What's your order number?") -> dict:
    return {
        "subject": "Late parcel", "timezone": "Europe/Berlin", "now": "2025-06-10T15:00:00+02:00",
        "comments": [
            {"id": "11", "author_role": "customer", "author_name": "Ann", "public": True,
             "created_at": "2025-06-10T09:00:00+02:00", "body": "Order 88-1920 is late.", "html": ""},
            {"id": "12", "author_role": "customer", "author_name": "Ann", "public": True,
             "created_at": "2025-06-10T16:00:00+02:00", "body": "My order number is 55-0001.", "html": ""},
        ],
        "first_reply_after_handoff": reply,
    }


def test_handoff_from_json_reads_a_string_reply() -> None:
    comments, reply = handoff_from_json(_handoff())
    assert [c.id for c in comments] == ["11", "12"] and reply == "Hi! What's your order number?"


def test_handoff_from_json_reads_an_html_reply_and_keeps_comments_before_it() -> None:
    reply = {"id": "13", "body": "", "html": "<p>Hi!</p><p>What's your order number?</p>",
             "created_at": "2025-06-10T15:00:00+02:00"}
    comments, text = handoff_from_json(_handoff(reply))
    assert [c.id for c in comments] == ["11"] and text == "Hi!\n\nWhat's your order number?"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"first_reply_after_handoff": None}, "first_reply_after_handoff: missing"),
        ({"first_reply_after_handoff": 42}, "first_reply_after_handoff: expected a string or an object"),
        ({"first_reply_after_handoff": {"body": "  "}}, "first_reply_after_handoff: the reply has no text"),
        ({"first_reply_after_handoff": {"body": ["x"]}}, r"first_reply_after_handoff\.body: expected a string"),
        ({"first_reply_after_handoff": {"body": "Hi?", "created_at": "soon"}},
         r"first_reply_after_handoff\.created_at: not an ISO-8601"),
        ({"comments": "none"}, "comments: expected a list"),
    ],
)
def test_bad_handoff_fields_are_named(change: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        handoff_from_json({**_handoff(), **change})


def test_missing_comment_field_is_named_with_its_index() -> None:
    data = _handoff()
    del data["comments"][1]["created_at"]
    with pytest.raises(ValueError, match=r"comments\[1\]\.created_at: missing"):
        handoff_from_json(data)


def test_quality_command_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "handoff.json"
    path.write_text(json.dumps(_handoff()), encoding="utf-8")
    assert quality_command(str(path)) == {
        "repeat": True,
        "asked_again": [{"kind": "order_number", "question": "What's your order number?", "given_in": "11",
                         "value": "88-1920"}],
    }


def test_quality_command_reads_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(_handoff("Thanks, it ships today."))))
    assert quality_command("-") == {"repeat": False, "asked_again": []}


def test_quality_command_names_bad_json_and_missing_files(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"comments": [\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.json: not valid JSON \(line 2"):
        quality_command(str(path))
    with pytest.raises(ValueError, match="cannot read file"):
        quality_command(str(tmp_path / "absent.json"))
    path.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(ValueError, match="handoff: expected a JSON object"):
        quality_command(str(path))

"""The LLM backend against a stubbed OpenAI-compatible server: every path ends in a note."""

import json

import pytest
import requests
import responses

from plugin.summary import LLMSummarizer, SummaryOptions, make_summarizer, render_summary_note
from tests.summary_builders import billing_ticket, comment, context

URL = "https://llm.example.test/v1"
ENDPOINT = URL + "/chat/completions"
OPTIONS = SummaryOptions(llm_url=URL, llm_api_key="sk-test-key", llm_timeout_seconds=2.0)


def _reply(answer: object) -> dict:
    content = answer if isinstance(answer, str) else json.dumps(answer)
    return {"choices": [{"message": {"role": "assistant", "content": content}}]}


def _answer(**changes: object) -> dict:
    answer = {
        "summary": "Customer was double charged; the refund failed with R42.",
        "situation": [{"text": "charged twice for May", "comment_id": "11"}],
        "tried": [{"text": "refund attempted, failed with R42", "comment_id": "12"}],
        "promises": [{"text": "answer by end of day", "deadline": None, "comment_id": "12"}],
        "apologies": ["12"],
        "tone": "frustrated",
        "churn_risk": True,
        "customer": [{"text": "mentioned cancelling", "comment_id": "11"}],
    }
    answer.update(changes)
    return answer


def _sent() -> dict:
    return json.loads(responses.calls[0].request.body)


@responses.activate
def test_valid_answer_is_used_and_verified() -> None:
    responses.post(ENDPOINT, json=_reply(_answer()))
    ctx = billing_ticket()
    draft = LLMSummarizer(OPTIONS).draft(ctx)
    assert draft.summarizer == "llm:gpt-4o-mini"
    assert draft.summary.startswith("Customer was double charged")
    assert draft.promises[0].deadline.isoformat() == "2025-06-10T17:00:00+02:00"
    assert set(draft.flags) >= {"promised_callback", "already_apologized", "churn_risk"}
    assert "written by the llm:gpt-4o-mini summarizer" in render_summary_note(draft, ctx)
    assert responses.calls[0].request.headers["Authorization"] == "Bearer sk-test-key"
    assert _sent()["response_format"] == {"type": "json_object"}


@responses.activate
def test_invalid_json_falls_back_offline() -> None:
    responses.post(ENDPOINT, json=_reply("Sure! Here is the summary: the customer..."))
    draft = LLMSummarizer(OPTIONS).draft(billing_ticket())
    assert draft.summarizer == "offline (LLM fallback: invalid JSON)"
    assert draft.promises and draft.summary.startswith("The customer says")


@responses.activate
def test_wrong_shape_falls_back_offline() -> None:
    responses.post(ENDPOINT, json=_reply(_answer(tone="livid")))
    draft = LLMSummarizer(OPTIONS).draft(billing_ticket())
    assert draft.summarizer == "offline (LLM fallback: answer failed validation (tone))"


@responses.activate
def test_timeout_falls_back_offline() -> None:
    responses.post(ENDPOINT, body=requests.Timeout("read timed out"))
    ctx = billing_ticket()
    draft = LLMSummarizer(OPTIONS).draft(ctx)
    assert draft.summarizer == "offline (LLM fallback: timeout)"
    note = render_summary_note(draft, ctx)
    assert "written by the offline summarizer (LLM fallback: timeout)" in note


@responses.activate
def test_rate_limit_falls_back_offline() -> None:
    responses.post(ENDPOINT, status=429, json={"error": {"message": "slow down"}},
                   headers={"Retry-After": "20"})
    draft = LLMSummarizer(OPTIONS).draft(billing_ticket())
    assert draft.summarizer == "offline (LLM fallback: rate limited (429))"
    assert len(responses.calls) == 1


@responses.activate
def test_invented_evidence_is_rejected() -> None:
    invented = _answer(
        promises=[{"text": "full refund by Friday", "deadline": None, "comment_id": "999"}],
        apologies=["12", "998"],
    )
    responses.post(ENDPOINT, json=_reply(invented))
    draft = LLMSummarizer(OPTIONS).draft(billing_ticket())
    assert draft.promises == ()
    assert draft.apologies == ("12",)
    assert "promised_callback" not in draft.flags
    assert draft.summarizer == "llm:gpt-4o-mini (2 unsupported claims removed)"


@responses.activate
def test_only_invented_situation_falls_back() -> None:
    responses.post(ENDPOINT, json=_reply(_answer(
        situation=[{"text": "wants a refund", "comment_id": "77"}])))
    draft = LLMSummarizer(OPTIONS).draft(billing_ticket())
    assert draft.summarizer.startswith("offline (LLM fallback: no situation statement")


@responses.activate
def test_outgoing_request_is_redacted() -> None:
    responses.post(ENDPOINT, json=_reply(_answer(
        situation=[{"text": "card declined", "comment_id": "1"}], promises=[], apologies=[],
        tried=[], customer=[])))
    ctx = context(comment("1", "customer", "My card 4111 1111 1111 1111 was declined. Reach me "
                          "at jane@example.org or +44 20 7946 0958. IBAN GB82 WEST 1234 5698 "
                          "7654 32, I live at 10 Downing Street. Token: "
                          "ghp_abcdefghijklmnopqrstuvwxyz0123456789", 0))
    options = SummaryOptions(llm_url=URL, redact_patterns=(r"Downing",))
    LLMSummarizer(options).draft(ctx)
    sent = _sent()["messages"][1]["content"]
    for secret in ("4111", "jane@", "7946", "GB82", "ghp_", "Downing"):
        assert secret not in sent
    for label in ("[CARD]", "[EMAIL]", "[PHONE]", "[IBAN]", "[ADDRESS]", "[SECRET]"):
        assert label in sent
    assert "Authorization" not in responses.calls[0].request.headers


def test_api_key_is_not_in_repr() -> None:
    assert "sk-test-key" not in repr(OPTIONS)


@pytest.mark.parametrize(("url", "kind"), [("", "OfflineSummarizer"), (URL, "LLMSummarizer")])
def test_make_summarizer_picks_by_url(url: str, kind: str) -> None:
    assert type(make_summarizer(SummaryOptions(llm_url=url))).__name__ == kind

"""An optional LLM summarizer for any OpenAI-compatible chat-completions endpoint.

Personal data is redacted before the request is built; the answer is validated, every
claim must cite a comment that exists, and any failure falls back to the offline
summarizer, whose draft then says that it stood in and why.
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import requests
from marshmallow import ValidationError

from plugin.model import TicketContext
from plugin.summary.llm_schema import ANSWER_SHAPE, DraftSchema
from plugin.summary.offline import OfflineSummarizer, promise_deadline
from plugin.summary.redact import Redactor
from plugin.summary.text import comment_text
from plugin.summary.types import Claim, HandoffDraft, Promise, SummaryOptions

log = logging.getLogger(__name__)

SYSTEM_PROMPT = (
    "You summarise a helpdesk ticket for the agent who receives it. Use only what the "
    "comments say. Every statement cites the id of the comment it comes from. Write "
    "promises only when an agent committed to something; resolve deadlines in the "
    "account timezone given. Answer with one JSON object exactly in this shape:\n" + ANSWER_SHAPE
)


class LLMFailure(Exception):
    """The LLM answer could not be used; ``reason`` is short enough for a note."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class LLMSummarizer:
    """Draft with an LLM, verify against the ticket, fall back offline on any failure."""

    def __init__(
        self, options: SummaryOptions, fallback: OfflineSummarizer | None = None,
        session: requests.Session | None = None,
    ) -> None:
        self.options = options
        self.name = f"llm:{options.llm_model}"
        self.fallback = fallback or OfflineSummarizer(options)
        self.session = session or requests.Session()
        Redactor(options.redact_patterns)  # a bad extra pattern fails here, not per ticket

    def draft(self, ctx: TicketContext) -> HandoffDraft:
        """Draft with the LLM, or with the offline summarizer when the LLM fails."""
        base = self.fallback.draft(ctx)
        try:
            return self._llm_draft(ctx, base)
        except LLMFailure as failure:
            log.warning("llm summarizer fell back to offline: %s", failure.reason)
            return replace(base, summarizer=f"offline (LLM fallback: {failure.reason})")

    def build_request(self, ctx: TicketContext) -> dict:
        """Build the chat-completions body, with personal data redacted."""
        redactor = Redactor(self.options.redact_patterns)
        zone = ZoneInfo(ctx.timezone)
        comments = [
            {"id": c.id, "role": c.author_role, "public": c.public,
             "created_at": c.created_at.astimezone(zone).isoformat(),
             "text": redactor.redact(comment_text(c))}
            for c in sorted(ctx.comments, key=lambda c: c.created_at)
        ]
        ticket = {"subject": redactor.redact(ctx.ticket.subject), "timezone": ctx.timezone,
                  "now": ctx.now.astimezone(zone).isoformat(), "comments": comments}
        return {
            "model": self.options.llm_model,
            "temperature": 0,
            "response_format": {"type": "json_object"},
            "messages": [
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": json.dumps(ticket, ensure_ascii=False)},
            ],
        }

    def _endpoint(self) -> str:
        """Accept a base URL (".../v1") or the full chat-completions URL."""
        url = self.options.llm_url.rstrip("/")
        return url if url.endswith("/chat/completions") else f"{url}/chat/completions"

    def _llm_draft(self, ctx: TicketContext, base: HandoffDraft) -> HandoffDraft:
        """Ask, parse, validate and ground the LLM's answer."""
        answer = load_answer(self._ask(self.build_request(ctx)))
        return ground(answer, ctx, base, self.name)

    def _ask(self, body: dict) -> str:
        """POST the request and return the assistant's message text."""
        headers = {"Content-Type": "application/json"}
        if self.options.llm_api_key:
            headers["Authorization"] = f"Bearer {self.options.llm_api_key}"
        try:
            response = self.session.post(self._endpoint(), json=body, headers=headers,
                                         timeout=self.options.llm_timeout_seconds)
        except requests.Timeout as exc:
            raise LLMFailure("timeout") from exc
        except requests.RequestException as exc:
            raise LLMFailure("endpoint unreachable") from exc
        if response.status_code == 429:
            raise LLMFailure("rate limited (429)")
        if response.status_code >= 400:
            raise LLMFailure(f"HTTP {response.status_code}")
        try:
            return response.json()["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise LLMFailure("malformed chat-completions response") from exc


def load_answer(content: str) -> dict:
    """Parse the assistant's text as JSON and validate it; raise LLMFailure otherwise."""
    try:
        raw = json.loads(_strip_fence(content))
    except (TypeError, ValueError) as exc:
        raise LLMFailure("invalid JSON") from exc
    try:
        return DraftSchema().load(raw)
    except ValidationError as exc:
        named = ", ".join(sorted(exc.messages)) if isinstance(exc.messages, dict) else ""
        raise LLMFailure(f"answer failed validation ({named or 'shape'})") from exc


def _strip_fence(content: str) -> str:
    """Drop a Markdown code fence some models wrap JSON in."""
    text = (content or "").strip()
    if text.startswith("```"):
        text = text.strip("`")
        text = text[text.find("\n") + 1 :] if "\n" in text else text
    return text


def ground(answer: dict, ctx: TicketContext, base: HandoffDraft, name: str) -> HandoffDraft:
    """Keep only claims whose cited comment exists (promises and apologies: an agent's)."""
    by_id = {c.id: c for c in ctx.comments}
    agent_ids = {c.id for c in ctx.comments if c.author_role == "agent"}
    rejected = 0

    def keep(items: list[dict], allowed: set[str] | dict) -> list[dict]:
        """Drop items citing a comment outside ``allowed``, counting them."""
        nonlocal rejected
        kept = [i for i in items if i["comment_id"] in allowed]
        rejected += len(items) - len(kept)
        return kept

    situation = [Claim(i["text"], i["comment_id"]) for i in keep(answer["situation"], by_id)]
    if not situation:
        raise LLMFailure("no situation statement cites a comment in the ticket")
    promises = [_promise(i, by_id, ctx.timezone) for i in keep(answer["promises"], agent_ids)]
    apologies = [a for a in dict.fromkeys(answer["apologies"]) if a in agent_ids]
    rejected += len(set(answer["apologies"])) - len(apologies)
    draft = replace(
        base,
        summary=answer["summary"].strip(),
        situation=tuple(situation),
        tried=tuple(Claim(i["text"], i["comment_id"]) for i in keep(answer["tried"], by_id)),
        promises=tuple(promises),
        apologies=tuple(apologies),
        tone=answer["tone"],
        churn_risk=answer["churn_risk"],
        customer=tuple(Claim(i["text"], i["comment_id"]) for i in keep(answer["customer"], by_id)),
        summarizer=name + (f" ({rejected} unsupported claims removed)" if rejected else ""),
    )
    return replace(draft, flags=_flags(draft, base), evidence=_evidence(draft, base))


def _promise(item: dict, by_id: dict, timezone: str) -> Promise:
    """Build a promise; trust the model's deadline only when it is a valid offset date-time."""
    deadline: datetime | None = None
    if item.get("deadline"):
        try:
            deadline = datetime.fromisoformat(item["deadline"])
        except ValueError:
            deadline = None
        if deadline is not None and deadline.tzinfo is None:
            deadline = None
    if deadline is None:
        deadline = promise_deadline(item["text"], by_id[item["comment_id"]].created_at, timezone)
    return Promise(item["text"], item["comment_id"], deadline)


def _flags(draft: HandoffDraft, base: HandoffDraft) -> tuple[str, ...]:
    """Recompute the content flags from the LLM's fields; keep the history-based ones."""
    flags = {f for f in base.flags if f in ("multiple_attempts", "escalated")}
    flags |= {"promised_callback"} if draft.promises else set()
    flags |= {"already_apologized"} if draft.apologies else set()
    flags |= {"frustrated"} if draft.tone == "frustrated" else set()
    flags |= {"churn_risk"} if draft.churn_risk else set()
    return tuple(sorted(flags))


def _evidence(draft: HandoffDraft, base: HandoffDraft) -> dict[str, tuple[str, ...]]:
    """Map fields to the comment ids the LLM's kept claims cite."""
    evidence = {
        "situation": tuple(dict.fromkeys(c.comment_id for c in draft.situation)),
        "tried": tuple(dict.fromkeys(c.comment_id for c in draft.tried)),
        "promises": tuple(dict.fromkeys(p.comment_id for p in draft.promises)),
        "apologies": draft.apologies,
        "tone": tuple(dict.fromkeys(c.comment_id for c in draft.customer)),
        "escalated": base.evidence.get("escalated", ()),
        "multiple_attempts": base.evidence.get("multiple_attempts", ()),
    }
    return {field: ids for field, ids in evidence.items() if ids}

"""Baton's summarizers: an offline default, an optional LLM backend, and their renderings.

A summarizer turns a TicketContext into a HandoffDraft; the renderers turn a draft
into the note for the receiving agent, the pre-filled handoff note, or JSON.
"""

from plugin.summary.conversation import conversation_to_context
from plugin.summary.factory import make_summarizer
from plugin.summary.llm import LLMSummarizer
from plugin.summary.offline import OfflineSummarizer
from plugin.summary.render import (
    context_flags,
    draft_to_json,
    render_prefilled_note,
    render_summary_note,
)
from plugin.summary.types import Claim, HandoffDraft, Promise, Summarizer, SummaryOptions

__all__ = [
    "Claim",
    "HandoffDraft",
    "LLMSummarizer",
    "OfflineSummarizer",
    "Promise",
    "Summarizer",
    "SummaryOptions",
    "context_flags",
    "conversation_to_context",
    "draft_to_json",
    "make_summarizer",
    "render_prefilled_note",
    "render_summary_note",
]

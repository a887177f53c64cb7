"""Choose the summarizer from options: LLM with offline fallback when a URL is set."""

from __future__ import annotations

from plugin.summary.llm import LLMSummarizer
from plugin.summary.offline import OfflineSummarizer
from plugin.summary.types import Summarizer, SummaryOptions


def make_summarizer(options: SummaryOptions) -> Summarizer:
    """Return the LLM summarizer (falling back offline) when llm_url is set, else offline."""
    if options.llm_url:
        return LLMSummarizer(options, fallback=OfflineSummarizer(options))
    return OfflineSummarizer(options)

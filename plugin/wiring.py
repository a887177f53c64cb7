"""Build the worker's and the web app's parts from settings, in one place.

Configured vendors get adapters; a Redis URL gets the RQ queue, no Redis gets
the in-process queue (``baton demo``). Nothing here runs at import time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import redis
from rq import Queue
from rq.serializers import JSONSerializer

from plugin.adapters.base import HelpdeskAdapter
from plugin.config import Settings
from plugin.jobs import Runtime, retry_in
from plugin.model import Brief, TicketContext
from plugin.store import Store

if TYPE_CHECKING:
    from plugin.adapters.hubspot import HubSpotAdapter
    from plugin.adapters.jira import JiraAdapter


def build_adapters(settings: Settings) -> dict[str, HelpdeskAdapter]:
    """Create an adapter for each vendor whose credentials are configured."""
    adapters: dict[str, HelpdeskAdapter] = {}
    zendesk = settings["zendesk"]
    if zendesk["url"] and zendesk["email"] and zendesk["token"]:
        from plugin.adapters.zendesk import ZendeskAdapter

        adapters["zendesk"] = ZendeskAdapter(zendesk["url"], zendesk["email"], zendesk["token"])
    freshdesk = settings["freshdesk"]
    if freshdesk["url"] and freshdesk["api_key"]:
        from plugin.adapters.freshdesk import FreshdeskAdapter

        adapters["freshdesk"] = FreshdeskAdapter(freshdesk["url"], freshdesk["api_key"])
    return adapters


def build_tracker(settings: Settings) -> JiraAdapter | None:
    """Create the Jira adapter when Jira is configured."""
    if not settings.jira_configured:
        return None
    from plugin.adapters.jira import JiraAdapter

    jira = settings["jira"]
    return JiraAdapter(jira["url"], jira["email"], jira["token"], timeout=jira["timeout_seconds"])


def build_accounts(settings: Settings) -> HubSpotAdapter | None:
    """Create the HubSpot adapter (cached lookups, high_value rule) when its token is set."""
    hubspot = settings["hubspot"]
    if not hubspot["token"]:
        return None
    from plugin.adapters.hubspot import HighValueRule, HubSpotAdapter

    return HubSpotAdapter(hubspot["url"], hubspot["token"], ttl_seconds=hubspot["ttl_seconds"],
                          timeout=hubspot["timeout_seconds"], high_value=HighValueRule.from_settings(hubspot),
                          tier_property=hubspot["tier_property"],
                          failure_ttl_seconds=hubspot["failure_ttl_seconds"])


def build_summarizer(settings: Settings) -> Callable[[TicketContext], Brief]:
    """Return the function that briefs rules on a ticket (offline by default, LLM when configured)."""
    from plugin.summary import (
        SummaryOptions,
        context_flags,
        make_summarizer,
        render_prefilled_note,
        render_summary_note,
    )

    llm, flags = settings["llm"], settings["flags"]
    summarizer = make_summarizer(SummaryOptions(
        llm_url=str(llm.get("url", "")), llm_api_key=str(llm.get("api_key", "")),
        llm_model=str(llm.get("model", "gpt-4o-mini")), redact_patterns=tuple(llm.get("redact_patterns", ())),
        multiple_attempts_replies=flags["multiple_attempts_replies"],
        multiple_attempts_reassignments=flags["multiple_attempts_reassignments"]))

    def brief(ctx: TicketContext) -> Brief:
        draft = summarizer.draft(ctx)
        return Brief(summary_note=render_summary_note(draft, ctx), prefilled_note=render_prefilled_note(draft),
                     flags=frozenset(context_flags(draft)), summarizer=draft.summarizer,
                     promises=tuple((p.text, p.deadline) for p in draft.promises))

    return brief


def build_runtime(settings: Settings, store: Store | None = None) -> Runtime:
    """Assemble a worker runtime: store, adapters, Redis lock and retry scheduling."""
    store = store or Store(settings["store"]["database_url"])
    runtime = Runtime(settings=settings, store=store, adapters=build_adapters(settings),
                      summarize=build_summarizer(settings), tracker=build_tracker(settings),
                      accounts=build_accounts(settings))
    redis_url = settings["queue"]["redis_url"]
    if redis_url:
        runtime.redis = redis.Redis.from_url(redis_url)
        queue = Queue(settings["queue"]["name"], connection=runtime.redis, serializer=JSONSerializer)
        runtime.retry_hook = retry_in(queue.enqueue_in)
    return runtime

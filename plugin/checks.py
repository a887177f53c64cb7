"""`baton check`: validate the configuration and reach each configured service, one line each."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import redis

from plugin.config import ConfigError, Settings, load_settings
from plugin.store import Store


def check_redis(settings: Settings) -> tuple[bool, str]:
    """Reach Redis and say whether it persists acknowledged events (AOF)."""
    url = settings["queue"]["redis_url"]
    if not url:
        return False, "Redis: REDIS_URL is not set (required for serve and worker)"
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
        client.ping()
        aof = client.config_get("appendonly").get("appendonly")
    except redis.RedisError as exc:
        return False, f"Redis: cannot reach {url.split('@')[-1]}: {exc}"
    if aof != "yes":
        return False, ("Redis: reachable, but appendonly is off: acknowledged events queued when it "
                       "dies are lost; set `appendonly yes`")
    return True, "Redis: reachable, appendonly yes"


def check_database(settings: Settings) -> tuple[bool, str]:
    """Open the store (creating tables if needed) and run a query."""
    url = settings["store"]["database_url"]
    try:
        Store(url).ping()
    except Exception as exc:  # any driver error is a failed check, reported as such
        return False, f"Database: cannot use {url.split('@')[-1]}: {type(exc).__name__}: {exc}"
    return True, f"Database: ok ({url.split('://')[0]})"


def _reach(name: str, build: Callable[[], Any], webhook_secret: str, secret_env: str) -> tuple[bool, str]:
    """Build a vendor client, call its check, and warn when its webhooks would be refused."""
    from plugin.adapters.base import VendorError

    try:
        line = build().check()
    except VendorError as exc:
        return False, f"{name}: {exc}"
    if not webhook_secret:
        return False, f"{line}; but {secret_env} is not set, so webhooks are refused"
    return True, line


def check_zendesk(settings: Settings) -> tuple[bool, str] | None:
    """Call /users/me with the configured credentials (skipped when Zendesk is not configured)."""
    zendesk = settings["zendesk"]
    if not zendesk["url"]:
        return None
    from plugin.adapters.zendesk import ZendeskAdapter

    return _reach("Zendesk", lambda: ZendeskAdapter(zendesk["url"], zendesk["email"], zendesk["token"]),
                  zendesk["webhook_secret"], "BATON_ZENDESK_WEBHOOK_SECRET")


def check_freshdesk(settings: Settings) -> tuple[bool, str] | None:
    """Call the Freshdesk API with the configured key (skipped when Freshdesk is not configured)."""
    freshdesk = settings["freshdesk"]
    if not freshdesk["url"]:
        return None
    from plugin.adapters.freshdesk import FreshdeskAdapter

    return _reach("Freshdesk", lambda: FreshdeskAdapter(freshdesk["url"], freshdesk["api_key"]),
                  freshdesk["webhook_token"], "BATON_FRESHDESK_WEBHOOK_TOKEN")


def check_jira(settings: Settings) -> tuple[bool, str] | None:
    """Call /myself with the configured account (skipped when Jira is not configured)."""
    if not settings["jira"]["url"]:
        return None
    from plugin.adapters.base import VendorError
    from plugin.wiring import build_tracker

    try:
        tracker = build_tracker(settings)
    except VendorError as exc:
        return False, f"Jira: {exc}"
    if tracker is None:
        return False, "Jira: BATON_JIRA_URL is set but BATON_JIRA_EMAIL or BATON_JIRA_TOKEN is not"
    return _reach("Jira", lambda: tracker, settings["jira"]["webhook_secret"], "BATON_JIRA_WEBHOOK_SECRET")


def check_hubspot(settings: Settings) -> tuple[bool, str] | None:
    """Read one contact with the configured token (skipped when HubSpot is not configured)."""
    from plugin.adapters.base import VendorError
    from plugin.wiring import build_accounts

    try:
        accounts = build_accounts(settings)
        return (True, accounts.check()) if accounts is not None else None
    except VendorError as exc:
        return False, f"HubSpot: {exc}"


def run_checks(out: Callable[[str], None]) -> int:
    """Print one line per check; exit 1 if any failed."""
    try:
        settings = load_settings()
    except ConfigError as exc:
        out(f"FAIL config: {exc}")
        return 1
    results: list[tuple[bool, str]] = [(True, f"Config: valid ({settings.source})")]
    results += [check_redis(settings), check_database(settings)]
    optional = (check_zendesk(settings), check_freshdesk(settings), check_jira(settings), check_hubspot(settings))
    results += [result for result in optional if result]
    for ok, line in results:
        out(f"{'ok  ' if ok else 'FAIL'} {line}")
    return 0 if all(ok for ok, _ in results) else 1

"""`baton demo`: the whole system on embedded defaults, against the sandbox helpdesk.

One process: Baton's web app with the Zendesk (or, with ``--vendor freshdesk``,
the Freshdesk) sandbox mounted at /sandbox/<vendor>, SQLite in a temporary
folder, and the in-process queue. The sandbox sends real webhooks over HTTP to
Baton's receiver (signed for Zendesk, with the token for Freshdesk), and Baton's
worker calls the sandbox's REST API, as it would call the vendor. Each vendor's
desk gives the scenario the same verbs, so one scenario plays on both.
"""

from __future__ import annotations

import html
import logging
import secrets
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.serving import make_server

from plugin.app import create_app
from plugin.config import Settings, load_settings
from plugin.demo_crm import crm_overrides, crm_parts
from plugin.jobs import Runtime, run_with_retries
from plugin.queue import InProcessQueue
from plugin.sandbox import FreshdeskSandbox, ZendeskSandbox, create_freshdesk_app
from plugin.sandbox import create_app as create_sandbox_app
from plugin.wiring import build_runtime


class ZendeskDesk:
    """The scenario's verbs on the Zendesk sandbox (people by name)."""

    name, vendor = "Zendesk", "zendesk"

    def __init__(self, sandbox: ZendeskSandbox, people: dict[str, int]):
        self.sandbox, self.people = sandbox, people

    def create(self, requester: str, subject: str, body: str) -> int:
        return self.sandbox.create_ticket(self.people[requester], subject, body)

    def move(self, ticket_id: int, actor: str, assignee: str, group: str) -> None:
        p = self.people
        self.sandbox.act(ticket_id, p[actor], assignee_id=p[assignee], group_id=p[group])

    def reply(self, ticket_id: int, actor: str, body: str) -> None:
        self.sandbox.act(ticket_id, self.people[actor], comment={"public": True, "body": body})

    def note(self, ticket_id: int, actor: str, body: str) -> None:
        self.sandbox.act(ticket_id, self.people[actor], comment={"public": False, "body": body})

    def holder(self, ticket_id: int) -> tuple[int | None, int | None]:
        ticket = self.sandbox.ticket(ticket_id)
        return ticket["assignee_id"], ticket["group_id"]

    def tags(self, ticket_id: int) -> list[str]:
        return list(self.sandbox.ticket(ticket_id)["tags"])

    def baton_notes(self, ticket_id: int) -> list[str]:
        return [c["body"] for c in self.sandbox.comments(ticket_id)
                if c["author_id"] == self.people["baton"] and not c["public"]]

    def baton_reverts(self, ticket_id: int) -> int:
        return sum(1 for a in self.sandbox.ticket_audits(ticket_id) if a["author_id"] == self.people["baton"]
                   and any(e.get("field_name") == "assignee_id" for e in a["events"]))

    def deliver_times(self, times: int) -> None:
        self.sandbox.webhooks[0].deliver_times = times

    def tag_with_note(self, ticket_id: int, actor: str, tag: str, body: str) -> None:
        """Add a tag and an internal note in one update, as a macro does."""
        self.sandbox.act(ticket_id, self.people[actor], add_tags=[tag], comment={"public": False, "body": body})

    def set_pending(self, ticket_id: int, actor: str) -> None:
        self.sandbox.act(ticket_id, self.people[actor], status="pending")

    def status(self, ticket_id: int) -> str:
        return str(self.sandbox.ticket(ticket_id)["status"])

    def field(self, ticket_id: int, field_id: str) -> str | None:
        return next((f["value"] for f in self.sandbox.ticket(ticket_id)["custom_fields"]
                     if str(f["id"]) == field_id), None)


class FreshdeskDesk:
    """The scenario's verbs on the Freshdesk sandbox (people by name; notes typed as HTML lines)."""

    name, vendor = "Freshdesk", "freshdesk"

    def __init__(self, sandbox: FreshdeskSandbox, people: dict[str, int]):
        self.sandbox, self.people = sandbox, people

    def create(self, requester: str, subject: str, body: str) -> int:
        return self.sandbox.create_ticket(self.people[requester], subject, body)

    def move(self, ticket_id: int, actor: str, assignee: str, group: str) -> None:
        p = self.people
        self.sandbox.act(ticket_id, p[actor], responder_id=p[assignee], group_id=p[group])

    def reply(self, ticket_id: int, actor: str, body: str) -> None:
        self.sandbox.reply(ticket_id, self.people[actor], _as_html(body))

    def note(self, ticket_id: int, actor: str, body: str) -> None:
        self.sandbox.add_note(ticket_id, self.people[actor], _as_html(body))

    def holder(self, ticket_id: int) -> tuple[int | None, int | None]:
        ticket = self.sandbox.ticket(ticket_id)
        return ticket["responder_id"], ticket["group_id"]

    def tags(self, ticket_id: int) -> list[str]:
        return list(self.sandbox.ticket(ticket_id)["tags"])

    def baton_notes(self, ticket_id: int) -> list[str]:
        return [c["body_text"] for c in self.sandbox.ticket_conversations(ticket_id)
                if c["user_id"] == self.people["baton"] and c["private"]]

    def baton_reverts(self, ticket_id: int) -> int:
        return sum(1 for a in self.sandbox.activities[ticket_id]
                   if a["actor_id"] == self.people["baton"] and "responder_id" in a["changes"])

    def deliver_times(self, times: int) -> None:
        self.sandbox.webhooks[0].deliver_times = times

    def tag_with_note(self, ticket_id: int, actor: str, tag: str, body: str) -> None:
        """Add a tag, then a note: Freshdesk's automation fires on the note, not on tags."""
        self.sandbox.act(ticket_id, self.people[actor], tags=[*self.tags(ticket_id), tag])
        self.note(ticket_id, actor, body)

    def set_pending(self, ticket_id: int, actor: str) -> None:
        self.sandbox.act(ticket_id, self.people[actor], status=3)

    def status(self, ticket_id: int) -> str:
        labels = {2: "open", 3: "pending", 4: "solved", 5: "closed"}
        return labels.get(self.sandbox.ticket(ticket_id)["status"], "?")

    def field(self, ticket_id: int, field_id: str) -> str | None:
        return self.sandbox.ticket(ticket_id)["custom_fields"].get(field_id)


def _as_html(text: str) -> str:
    """What Freshdesk's editor saves: one <div> per line."""
    return "".join(f"<div>{html.escape(line)}</div>" for line in text.splitlines())


@dataclass
class DemoWorld:
    """The sandbox's people and groups, and Baton running against them."""

    sandbox: Any
    settings: Settings
    runtime: Runtime
    queue: InProcessQueue
    url: str
    people: dict[str, int] = field(default_factory=dict)
    server: Any = None
    desk: Any = None
    vendor: str = "zendesk"
    jira: Any = None
    hubspot: Any = None

    def settle(self, timeout: float = 20.0) -> None:
        """Wait until every webhook is delivered and every job has run (echoes included)."""
        deadline = time.monotonic() + timeout
        quiet_rounds = 0
        while quiet_rounds < 2 and time.monotonic() < deadline:
            before = len(self.sandbox.requests) + sum(len(s.deliveries) for s in self.sandbox.webhooks)
            for sender in self.sandbox.webhooks:
                sender.wait_idle(timeout=max(0.1, deadline - time.monotonic()))
            self.queue.join()
            after = len(self.sandbox.requests) + sum(len(s.deliveries) for s in self.sandbox.webhooks)
            quiet_rounds = quiet_rounds + 1 if before == after else 0

    def close(self) -> None:
        self.sandbox.close()
        self.queue.close()
        if self.server is not None:
            self.server.shutdown()


def seed(sandbox: ZendeskSandbox) -> dict[str, int]:
    """Create the demo's customer, agents, groups and Baton's API user."""
    people = {
        "dana": sandbox.add_user("Dana Whitfield", "dana@example.com", role="end-user"),
        "alex": sandbox.add_user("Alex Rivera", "alex@support.example", role="agent"),
        "blake": sandbox.add_user("Blake Chen", "blake@support.example", role="agent"),
        "baton": sandbox.add_user("Baton", "baton@support.example", role="admin"),
        "support": sandbox.add_group("Support"),
        "billing": sandbox.add_group("Billing"),
    }
    sandbox.add_membership(people["alex"], people["support"])
    sandbox.add_membership(people["blake"], people["billing"])
    return people


def seed_freshdesk(sandbox: FreshdeskSandbox) -> dict[str, int]:
    """Create the same customer, agents and groups in the Freshdesk sandbox."""
    people = {
        "dana": sandbox.add_contact("Dana Whitfield", "dana@example.com"),
        "alex": sandbox.add_agent("Alex Rivera", "alex@support.example"),
        "blake": sandbox.add_agent("Blake Chen", "blake@support.example"),
        "baton": sandbox.add_agent("Baton", "baton@support.example"),
    }
    people["support"] = sandbox.add_group("Support", [people["alex"]])
    people["billing"] = sandbox.add_group("Billing", [people["blake"]])
    return people


def _zendesk_parts(url: str) -> tuple[Any, dict[str, int], dict[str, str], Any, Callable[[], Any]]:
    """The Zendesk sandbox, its people, Baton's environment for it, its app and webhook hook-up."""
    sandbox = ZendeskSandbox()
    people = seed(sandbox)
    token, webhook_secret = secrets.token_urlsafe(24), secrets.token_urlsafe(32)
    sandbox.add_api_token("baton@support.example", token)
    env = {"BATON_ZENDESK_URL": url + sandbox_prefix("zendesk"), "BATON_ZENDESK_EMAIL": "baton@support.example",
           "BATON_ZENDESK_TOKEN": token, "BATON_ZENDESK_WEBHOOK_SECRET": webhook_secret}
    return sandbox, people, env, create_sandbox_app(sandbox), lambda: sandbox.configure_webhook(
        f"{url}/webhooks/zendesk", webhook_secret)


def _freshdesk_parts(url: str) -> tuple[Any, dict[str, int], dict[str, str], Any, Callable[[], Any]]:
    """The Freshdesk sandbox, its people, Baton's environment for it, its app and webhook hook-up."""
    sandbox = FreshdeskSandbox()
    people = seed_freshdesk(sandbox)
    api_key, webhook_token = secrets.token_urlsafe(24), secrets.token_urlsafe(32)
    sandbox.add_api_key(api_key, people["baton"])
    env = {"BATON_FRESHDESK_URL": url + sandbox_prefix("freshdesk"), "BATON_FRESHDESK_API_KEY": api_key,
           "BATON_FRESHDESK_WEBHOOK_TOKEN": webhook_token}
    return sandbox, people, env, create_freshdesk_app(sandbox), lambda: sandbox.configure_webhook(
        f"{url}/webhooks/freshdesk", webhook_token)


def sandbox_prefix(vendor: str) -> str:
    """Where the vendor's sandbox API is mounted in the demo."""
    return f"/sandbox/{vendor}"


VENDOR_PARTS: dict[str, tuple[Callable[[str], Any], Any]] = {
    "zendesk": (_zendesk_parts, ZendeskDesk), "freshdesk": (_freshdesk_parts, FreshdeskDesk)}


def start_world(port: int, database_dir: Path, vendor: str = "zendesk") -> DemoWorld:
    """Start the vendor's sandbox and Baton on one local port; return handles to both."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the scenario prints what matters
    server = make_server("127.0.0.1", port, lambda env, start: app(env, start), threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    parts, desk_type = VENDOR_PARTS[vendor]
    sandbox, people, env, sandbox_app, connect_webhook = parts(url)
    jira, hubspot, crm_env, crm_apps = crm_parts(url)
    settings = load_settings(path=None, overrides=crm_overrides(vendor), environ={
        **env, **crm_env, "BATON_DASHBOARD_TOKEN": "demo",
        "DATABASE_URL": f"sqlite:///{database_dir / 'baton-demo.db'}"})
    runtime = build_runtime(settings)
    queue = InProcessQueue(lambda data: run_with_retries(runtime, data))
    baton_app = create_app(settings, queue=queue, store=runtime.store)
    app = DispatcherMiddleware(baton_app.wsgi_app, {sandbox_prefix(vendor): sandbox_app, **crm_apps})
    threading.Thread(target=server.serve_forever, daemon=True, name="baton-demo-http").start()
    connect_webhook()
    return DemoWorld(sandbox, settings, runtime, queue, url, people, server, desk_type(sandbox, people), vendor,
                     jira, hubspot)


def run_demo(scenario_only: bool = False, port: int | None = None,
             out: Callable[[str], None] = print, vendor: str = "zendesk") -> int:
    """Play the scripted scenario; then serve the dashboard until interrupted (unless scenario_only)."""
    from plugin.scenario import play

    with tempfile.TemporaryDirectory(prefix="baton-demo-") as folder:
        world = start_world(port if port is not None else (0 if scenario_only else 8000), Path(folder), vendor)
        try:
            failures = play(world, out)
            if scenario_only:
                return 1 if failures else 0
            out(f"\nDashboard: {world.url}/  (user: admin, password: demo)")
            out(f"Sandbox {world.desk.name} API: {world.url}{sandbox_prefix(vendor)}/api/v2/tickets/<id>")
            out("Press Ctrl-C to stop.")
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            return 0
        finally:
            world.close()

"""`baton demo`: the whole system on embedded defaults, against the sandbox helpdesk.

One process: Baton's web app with the Zendesk sandbox mounted at
/sandbox/zendesk, SQLite in a temporary folder, and the in-process queue. The
sandbox sends real signed webhooks over HTTP to Baton's receiver, and Baton's
worker calls the sandbox's REST API through zenpy, as it would call Zendesk.
"""

from __future__ import annotations

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
from plugin.jobs import Runtime, run_with_retries
from plugin.queue import InProcessQueue
from plugin.sandbox import ZendeskSandbox
from plugin.sandbox import create_app as create_sandbox_app
from plugin.wiring import build_runtime

SANDBOX_PREFIX = "/sandbox/zendesk"


@dataclass
class DemoWorld:
    """The sandbox's people and groups, and Baton running against them."""

    sandbox: ZendeskSandbox
    settings: Settings
    runtime: Runtime
    queue: InProcessQueue
    url: str
    people: dict[str, int] = field(default_factory=dict)
    server: Any = None

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


def start_world(port: int, database_dir: Path) -> DemoWorld:
    """Start the sandbox and Baton on one local port; return handles to both."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the scenario prints what matters
    sandbox = ZendeskSandbox()
    people = seed(sandbox)
    token, webhook_secret = secrets.token_urlsafe(24), secrets.token_urlsafe(32)
    sandbox.add_api_token("baton@support.example", token)
    server = make_server("127.0.0.1", port, lambda env, start: app(env, start), threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    settings = load_settings(path=None, environ={
        "BATON_ZENDESK_URL": url + SANDBOX_PREFIX, "BATON_ZENDESK_EMAIL": "baton@support.example",
        "BATON_ZENDESK_TOKEN": token, "BATON_ZENDESK_WEBHOOK_SECRET": webhook_secret,
        "BATON_DASHBOARD_TOKEN": "demo", "DATABASE_URL": f"sqlite:///{database_dir / 'baton-demo.db'}",
    })
    runtime = build_runtime(settings)
    queue = InProcessQueue(lambda data: run_with_retries(runtime, data))
    baton_app = create_app(settings, queue=queue, store=runtime.store)
    app = DispatcherMiddleware(baton_app.wsgi_app, {SANDBOX_PREFIX: create_sandbox_app(sandbox)})
    threading.Thread(target=server.serve_forever, daemon=True, name="baton-demo-http").start()
    sandbox.configure_webhook(f"{url}/webhooks/zendesk", webhook_secret)
    return DemoWorld(sandbox, settings, runtime, queue, url, people, server)


def run_demo(scenario_only: bool = False, port: int | None = None,
             out: Callable[[str], None] = print) -> int:
    """Play the scripted scenario; then serve the dashboard until interrupted (unless scenario_only)."""
    from plugin.scenario import play

    with tempfile.TemporaryDirectory(prefix="baton-demo-") as folder:
        world = start_world(port if port is not None else (0 if scenario_only else 8000), Path(folder))
        try:
            failures = play(world, out)
            if scenario_only:
                return 1 if failures else 0
            out(f"\nDashboard: {world.url}/  (user: admin, password: demo)")
            out(f"Sandbox Zendesk API: {world.url}{SANDBOX_PREFIX}/api/v2/tickets/<id>.json")
            out("Press Ctrl-C to stop.")
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            return 0
        finally:
            world.close()

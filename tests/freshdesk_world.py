"""A seeded sandbox Freshdesk on a real HTTP port, and a Baton runtime pointed at it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from plugin.config import Settings, load_settings
from plugin.demo import seed_freshdesk
from plugin.events import Event
from plugin.jobs import Runtime
from plugin.sandbox import FreshdeskSandbox, FreshdeskSandboxServer
from plugin.sandbox.freshdesk_api import render_body
from plugin.webhooks.freshdesk import normalize
from plugin.wiring import build_runtime

API_KEY, TOKEN = "sandbox-api-key", "sandbox-webhook-token"


@dataclass
class FreshdeskWorld:
    sandbox: FreshdeskSandbox
    people: dict[str, int]
    server: FreshdeskSandboxServer
    bodies: list[dict] = field(default_factory=list)  # Baton's webhook bodies as the rules rendered them

    @property
    def url(self) -> str:
        return self.server.url

    def settings(self, database_url: str) -> Settings:
        return load_settings(path=None, environ={
            "BATON_FRESHDESK_URL": self.url, "BATON_FRESHDESK_API_KEY": API_KEY,
            "BATON_FRESHDESK_WEBHOOK_TOKEN": TOKEN, "DATABASE_URL": database_url})

    def runtime(self, tmp_path: Path) -> Runtime:
        return build_runtime(self.settings(f"sqlite:///{tmp_path / 'baton.db'}"))

    def _collect(self, change: dict, ticket: dict) -> None:
        body = render_body(self.sandbox, change, ticket)
        if body is not None:
            self.bodies.append(body)

    def last_event(self) -> Event:
        """The Event Baton's receiver makes of the latest webhook body (as sent over the wire)."""
        _, event = normalize(json.loads(json.dumps(self.bodies[-1])))
        assert event is not None
        return event

    def close(self) -> None:
        self.sandbox.close()
        self.server.shutdown()


def start_freshdesk() -> FreshdeskWorld:
    """Seed the demo's people, serve the sandbox API, and record the webhook bodies it would send."""
    sandbox = FreshdeskSandbox()
    people = seed_freshdesk(sandbox)
    sandbox.add_api_key(API_KEY, people["baton"])
    world = FreshdeskWorld(sandbox, people, FreshdeskSandboxServer(sandbox).start())
    sandbox.subscribe(world._collect)
    return world

"""A seeded sandbox Zendesk on a real HTTP port, and a Baton runtime pointed at it."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from werkzeug.serving import make_server

from plugin.config import Settings, load_settings
from plugin.demo import seed
from plugin.jobs import Runtime
from plugin.sandbox import ZendeskSandbox
from plugin.sandbox import create_app as create_sandbox_app
from plugin.wiring import build_runtime

TOKEN, SECRET = "sandbox-token", "sandbox-webhook-secret"


@dataclass
class SandboxWorld:
    sandbox: ZendeskSandbox
    people: dict[str, int]
    url: str
    server: Any
    bodies: list[tuple[str, str, Any]] = field(default_factory=list)

    def env(self, database_url: str, redis_url: str = "") -> dict[str, str]:
        """The environment a Baton process needs to work against this sandbox."""
        env = {"BATON_ZENDESK_URL": self.url, "BATON_ZENDESK_EMAIL": "baton@support.example",
               "BATON_ZENDESK_TOKEN": TOKEN, "BATON_ZENDESK_WEBHOOK_SECRET": SECRET,
               "DATABASE_URL": database_url}
        if redis_url:
            env["REDIS_URL"] = redis_url
        return env

    def settings(self, database_url: str, redis_url: str = "") -> Settings:
        return load_settings(path=None, environ=self.env(database_url, redis_url))

    def runtime(self, tmp_path: Path) -> Runtime:
        return build_runtime(self.settings(f"sqlite:///{tmp_path / 'baton.db'}"))

    def writes(self) -> list[dict]:
        """Bodies of the PUT requests Baton sent to the sandbox, parsed."""
        return [body for method, path, body in self.bodies if method == "PUT"]

    def close(self) -> None:
        self.sandbox.close()
        self.server.shutdown()


def start_sandbox() -> SandboxWorld:
    """Seed the demo's people and serve the sandbox API, recording every request body."""
    sandbox = ZendeskSandbox()
    people = seed(sandbox)
    sandbox.add_api_token("baton@support.example", TOKEN)
    api = create_sandbox_app(sandbox)
    bodies: list[tuple[str, str, Any]] = []

    def recording_app(environ: dict, start_response: Any) -> Any:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        bodies.append((environ["REQUEST_METHOD"], environ["PATH_INFO"], json.loads(raw) if raw else None))
        import io

        environ["wsgi.input"] = io.BytesIO(raw)
        return api(environ, start_response)

    server = make_server("127.0.0.1", 0, recording_app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return SandboxWorld(sandbox, people, f"http://127.0.0.1:{server.server_port}", server, bodies)

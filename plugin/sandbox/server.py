"""A sandbox's real HTTP server on a background thread, for tests and the demo."""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server


class LocalServer:
    """Serve a sandbox's Flask app on loopback (port 0 picks a free port)."""

    def __init__(self, sandbox: Any, app: Flask, host: str = "127.0.0.1", port: int = 0) -> None:
        self.sandbox = sandbox
        self._server: BaseWSGIServer = make_server(host, port, app, threaded=True)
        self.port = self._server.server_port
        self.url = f"http://{host}:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True,
                                        name=f"{app.name}-http")

    def start(self) -> LocalServer:
        """Begin serving; returns self so it chains."""
        self._thread.start()
        return self

    def shutdown(self) -> None:
        """Stop serving and free the port (serve_forever polls every 50 ms, so this is quick)."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

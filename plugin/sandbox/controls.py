"""What every sandbox offers tests: listeners on its changes, and planned failures."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


class SandboxControls:
    """Listeners and planned failures, mixed into a sandbox that provides ``lock``."""

    lock: threading.RLock
    _listeners: list[Callable[..., Any]]
    _failures: list[tuple[int, int]]
    webhooks: list[Any]

    def _start_sender(self, sender: Any) -> Any:
        """Start a webhook sender and keep it, so close() stops it."""
        sender.start()
        self.webhooks.append(sender)
        return sender

    def close(self) -> None:
        """Stop every webhook sender's thread."""
        for sender in self.webhooks:
            sender.close()
        self.webhooks.clear()

    def subscribe(self, listener: Callable[..., Any]) -> None:
        """Call ``listener`` after every change, inside the lock so order holds."""
        with self.lock:
            self._listeners.append(listener)

    def unsubscribe(self, listener: Callable[..., Any]) -> None:
        """Stop calling a listener."""
        with self.lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def fail_next(self, n: int, status: int = 429, retry_after: int = 1) -> None:
        """Make the next n API calls answer ``status`` with a Retry-After header."""
        with self.lock:
            self._failures.extend([(status, retry_after)] * n)

    def take_failure(self) -> tuple[int, int] | None:
        """Consume one planned failure, if any."""
        with self.lock:
            return self._failures.pop(0) if self._failures else None

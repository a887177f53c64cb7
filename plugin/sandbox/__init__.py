"""Embedded stand-ins for vendor APIs, so `baton demo` and integration tests need no real account."""

from .webhook_sender import DEFAULT_EVENT_TYPES, Delivery, WebhookSender, sign
from .zendesk import ZendeskSandbox
from .zendesk_api import SandboxServer, create_app
from .zendesk_shapes import SandboxError

__all__ = [
    "DEFAULT_EVENT_TYPES",
    "Delivery",
    "SandboxError",
    "SandboxServer",
    "WebhookSender",
    "ZendeskSandbox",
    "create_app",
    "sign",
]

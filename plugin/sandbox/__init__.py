"""Embedded stand-ins for vendor APIs, so `baton demo` and integration tests need no real account."""

from .freshdesk import FreshdeskError, FreshdeskSandbox
from .freshdesk_api import FreshdeskSandboxServer, FreshdeskWebhookSender
from .freshdesk_api import create_app as create_freshdesk_app
from .hubspot import HubSpotSandbox, HubSpotSandboxServer
from .jira import JiraError, JiraSandbox
from .jira_api import JiraSandboxServer
from .jira_api import create_app as create_jira_app
from .webhook_sender import DEFAULT_EVENT_TYPES, Delivery, WebhookSender, sign
from .zendesk import ZendeskSandbox
from .zendesk_api import SandboxServer, create_app
from .zendesk_shapes import SandboxError

__all__ = [
    "DEFAULT_EVENT_TYPES",
    "Delivery",
    "FreshdeskError",
    "FreshdeskSandbox",
    "FreshdeskSandboxServer",
    "FreshdeskWebhookSender",
    "HubSpotSandbox",
    "HubSpotSandboxServer",
    "JiraError",
    "JiraSandbox",
    "JiraSandboxServer",
    "SandboxError",
    "SandboxServer",
    "WebhookSender",
    "ZendeskSandbox",
    "create_app",
    "create_freshdesk_app",
    "create_jira_app",
    "sign",
]

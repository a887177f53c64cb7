"""The demo's Jira and HubSpot: sandboxes seeded with an escalation project and Dana's high-value account.

Both run in the demo's process, mounted under /sandbox/jira and /sandbox/hubspot
beside the helpdesk sandbox, so Baton calls them over HTTP as it would call the
vendors, and the Jira sandbox sends its signed webhooks to /webhooks/jira.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from plugin.sandbox import HubSpotSandbox, JiraSandbox, create_jira_app
from plugin.sandbox.hubspot import create_app as create_hubspot_app
from plugin.sandbox.jira import http_deliverer

JIRA_EMAIL = "baton@support.example"
KEY_FIELD, STATUS_FIELD = "9001", "9002"  # the helpdesk's Jira key and Jira status ticket fields
# Where each sandbox helpdesk keeps them: Zendesk names custom fields by id, Freshdesk by cf_ name.
FIELDS = {"zendesk": (KEY_FIELD, STATUS_FIELD), "freshdesk": ("cf_jira_key", "cf_jira_status")}


def seed_hubspot(sandbox: HubSpotSandbox, email: str = "dana@example.com") -> str:
    """Create Dana as a customer of a high-value company with an open deal and a recent ticket."""
    contact = sandbox.add("contacts", {"email": email, "firstname": "Dana", "lastname": "Whitfield",
                                       "lifecyclestage": "customer"})
    company = sandbox.add("companies", {"name": "Whitfield Freight", "domain": "example.com",
                                        "tier": "enterprise"})
    deal = sandbox.add("deals", {"dealname": "Fleet renewal 2026", "amount": "48000",
                                 "dealstage": "contractsent", "hs_is_closed": "false"})
    won = sandbox.add("deals", {"dealname": "Pilot", "amount": "5000", "dealstage": "closedwon",
                                "hs_is_closed": "true"})
    recent = sandbox.add("tickets", {"subject": "Invoice question"},
                         created_at=datetime.now(UTC) - timedelta(days=3))
    for kind, record in (("companies", company), ("deals", deal), ("deals", won), ("tickets", recent)):
        sandbox.associate(contact, kind, record)
    return contact


def crm_parts(url: str, token: str = "") -> tuple[JiraSandbox, HubSpotSandbox, dict[str, str], dict[str, Any]]:
    """The Jira and HubSpot sandboxes, Baton's environment for them, and their apps by mount point."""
    jira, hubspot = JiraSandbox(projects=("SUP",)), HubSpotSandbox(token=token or secrets.token_urlsafe(16))
    jira_token, webhook_secret = secrets.token_urlsafe(24), secrets.token_urlsafe(32)
    jira.add_user(JIRA_EMAIL, jira_token)
    seed_hubspot(hubspot)
    env = {"BATON_JIRA_URL": url + "/sandbox/jira", "BATON_JIRA_EMAIL": JIRA_EMAIL, "BATON_JIRA_TOKEN": jira_token,
           "BATON_JIRA_WEBHOOK_SECRET": webhook_secret, "BATON_HUBSPOT_URL": url + "/sandbox/hubspot",
           "BATON_HUBSPOT_TOKEN": hubspot.token}
    jira.configure_webhook(http_deliverer(url + "/webhooks/jira"), webhook_secret)
    apps = {"/sandbox/jira": create_jira_app(jira), "/sandbox/hubspot": create_hubspot_app(hubspot)}
    return jira, hubspot, env, apps


def crm_overrides(helpdesk: str = "zendesk") -> dict[str, Any]:
    """The demo's [jira] and [hubspot] settings: fields, one project, the high-value rule."""
    key_field, status_field = FIELDS[helpdesk]
    return {"jira": {"key_field_id": key_field, "status_field_id": status_field, "default_project": "SUP",
                     "default_issue_type": "Bug"},
            "hubspot": {"high_value_min_deal_amount": 10000, "high_value_company_property": "tier",
                        "high_value_company_values": ["enterprise"]}}

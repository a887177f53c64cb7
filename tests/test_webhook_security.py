"""One security suite for every vendor receiver: bad or missing credentials, bad bodies, redelivery.

Each vendor gives three small helpers: a valid body, the headers that authenticate a body,
and headers with wrong credentials. The assertions are the contract in DESIGN.md.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

import pytest

from plugin.app import create_app
from plugin.webhooks.zendesk import sign
from tests.conftest import FIXTURES, make_settings
from tests.test_webhooks_zendesk import RecordingQueue

SECRET, OLD = "zendesk-secret", "zendesk-old-secret"
TOKEN, OLD_TOKEN = "freshdesk-token", "freshdesk-old-token"


def zendesk_auth(body: bytes, secret: str = SECRET) -> dict[str, str]:
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"X-Zendesk-Webhook-Signature": sign(secret, stamp, body),
            "X-Zendesk-Webhook-Signature-Timestamp": stamp}


def freshdesk_auth(body: bytes, secret: str = TOKEN) -> dict[str, str]:
    return {"X-Baton-Token": secret}


def freshdesk_basic(body: bytes, secret: str = TOKEN, user: str = "baton") -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode()}


VENDORS: dict[str, dict[str, Any]] = {
    "zendesk": {
        "path": "/webhooks/zendesk",
        "valid": (FIXTURES / "zendesk" / "zendesk_event_ticket_agent_assignment_changed.json").read_bytes(),
        "auth": zendesk_auth, "previous": OLD,
        "missing_code": "missing_signature", "bad_code": "bad_signature",
    },
    "freshdesk": {
        "path": "/webhooks/freshdesk",
        "valid": (FIXTURES / "freshdesk" / "baton_body_agent_changed.json").read_bytes(),
        "auth": freshdesk_auth, "previous": OLD_TOKEN,
        "missing_code": "missing_token", "bad_code": "bad_token",
    },
}


@pytest.fixture(params=sorted(VENDORS))
def vendor(request) -> dict[str, Any]:
    return VENDORS[request.param]


@pytest.fixture()
def queue() -> RecordingQueue:
    return RecordingQueue()


@pytest.fixture()
def client(queue):
    settings = make_settings(zendesk={"webhook_secret": SECRET, "previous_webhook_secret": OLD},
                             freshdesk={"webhook_token": TOKEN, "previous_webhook_token": OLD_TOKEN},
                             server={"max_body_bytes": 4096})
    return create_app(settings, queue=queue).test_client()


def post(client, vendor: dict[str, Any], body: bytes, headers: dict[str, str]) -> Any:
    return client.post(vendor["path"], data=body, headers={"Content-Type": "application/json", **headers})


def test_valid_delivery_is_queued(client, queue, vendor) -> None:
    response = post(client, vendor, vendor["valid"], vendor["auth"](vendor["valid"]))
    assert response.status_code == 202 and response.json["status"] == "queued"
    assert queue.events[0].kind == "assignment_changed"


def test_bad_credentials_are_refused(client, queue, vendor) -> None:
    response = post(client, vendor, vendor["valid"], vendor["auth"](vendor["valid"], "wrong-secret"))
    assert response.status_code == 401 and response.json["error"]["code"] == vendor["bad_code"]
    assert queue.events == []


def test_missing_credentials_are_refused(client, queue, vendor) -> None:
    response = post(client, vendor, vendor["valid"], {})
    assert response.status_code == 401 and response.json["error"]["code"] == vendor["missing_code"]
    assert queue.events == []


def test_previous_secret_verifies_during_rotation(client, vendor) -> None:
    headers = vendor["auth"](vendor["valid"], vendor["previous"])
    assert post(client, vendor, vendor["valid"], headers).status_code == 202


def test_unconfigured_secret_fails_closed(queue, vendor) -> None:
    app = create_app(make_settings(), queue=queue)
    response = post(app.test_client(), vendor, vendor["valid"], vendor["auth"](vendor["valid"]))
    assert response.status_code == 401 and response.json["error"]["code"] == "not_configured"


@pytest.mark.parametrize("body,code", [
    (b'{"ticket_id": ', "malformed_json"), (b"[1, 2]", "malformed_payload"),
    (b'{"hello": "world"}', "malformed_payload"), (b"\xff\xfe not utf-8", "malformed_json"),
])
def test_malformed_body_gets_400(client, queue, vendor, body, code) -> None:
    response = post(client, vendor, body, vendor["auth"](body))
    assert response.status_code == 400 and response.json["error"]["code"] == code
    assert queue.events == []


def test_oversized_body_gets_413(client, vendor) -> None:
    body = b'{"pad": "' + b"x" * 5000 + b'"}'
    response = post(client, vendor, body, vendor["auth"](body))
    assert response.status_code == 413 and response.json["error"]["code"] == "too_large"


def test_redelivery_is_a_duplicate(client, queue, vendor) -> None:
    statuses = [post(client, vendor, vendor["valid"], vendor["auth"](vendor["valid"])).json["status"]
                for _ in range(3)]
    assert statuses == ["queued", "duplicate", "duplicate"] and len(queue.events) == 1


@pytest.mark.parametrize("headers,status", [
    (freshdesk_basic(b""), 202),
    (freshdesk_basic(b"", secret="wrong"), 401),
    (freshdesk_basic(b"", user="admin"), 401),
    ({"X-Baton-Token": ""}, 401),
])
def test_freshdesk_basic_auth_user_baton(client, headers: dict[str, str], status: int) -> None:
    vendor = VENDORS["freshdesk"]
    assert post(client, vendor, vendor["valid"], headers).status_code == status

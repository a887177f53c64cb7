"""HubSpotAdapter against the HubSpot sandbox over real HTTP: assembly, high-value rule, cache, failures."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from plugin.adapters.base import AuthFailed
from plugin.adapters.hubspot import AccountDetails, HighValueRule, HubSpotAdapter
from plugin.model import Account
from plugin.sandbox.hubspot import HubSpotSandbox, HubSpotSandboxServer

UNAVAILABLE_ACCOUNT = Account(available=False, summary=(
    "Account context unavailable: HubSpot did not answer; check the account by hand."))

TOKEN = "pat-na1-sandbox"
NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
COLD = [("GET", "/crm/v3/objects/contacts/{email}"), ("POST", "/crm/v3/objects/companies/batch/read"),
        ("POST", "/crm/v3/objects/deals/batch/read"), ("POST", "/crm/v3/objects/tickets/batch/read")]


def seed(crm: HubSpotSandbox) -> None:
    """Ana at Acme: one open and one won deal, two recent tickets and an old one, one deleted deal."""
    ana = crm.add("contacts", {"email": "Ana@Acme.example", "firstname": "Ana", "lastname": "Diaz",
                               "lifecyclestage": "customer"})
    crm.associate(ana, "companies", crm.add("companies", {"name": "Acme Corp", "tier": "enterprise",
                                                          "segment": "strategic"}))
    crm.associate(ana, "deals", crm.add("deals", {"dealname": "Renewal 2026", "amount": "12000.50",
                                                  "dealstage": "contractsent", "hs_is_closed": "false"}))
    crm.associate(ana, "deals", crm.add("deals", {"dealname": "Upsell", "amount": "3000", "dealstage": "closedwon",
                                                  "hs_is_closed": "true"}))
    crm.associate(ana, "deals", "1")  # deleted since: the batch read answers 207 without it
    for days in (2, 29, 45):
        crm.associate(ana, "tickets", crm.add("tickets", {"subject": f"ticket {days}"},
                                              created_at=NOW - timedelta(days=days)))
    crm.add("contacts", {"email": "lee@solo.example", "firstname": "Lee", "lifecyclestage": "lead"})


@pytest.fixture()
def crm() -> Iterator[tuple[HubSpotSandbox, str]]:
    sandbox = HubSpotSandbox(token=TOKEN)
    seed(sandbox)
    server = HubSpotSandboxServer(sandbox).start()
    yield sandbox, server.url
    server.shutdown()


def adapter(crm: tuple[HubSpotSandbox, str], rule: HighValueRule | None = None, **kwargs) -> HubSpotAdapter:
    return HubSpotAdapter(crm[1], kwargs.pop("token", TOKEN), high_value=rule, clock=lambda: NOW, **kwargs)


def test_account_is_assembled_in_four_requests(crm) -> None:
    hubspot = adapter(crm, HighValueRule(min_open_deal_amount=10000))
    details = hubspot.lookup("ana@acme.example")
    assert details.account == Account(name="Acme Corp", tier="enterprise", lifecycle_stage="customer",
                                       open_deal_amount=12000.5, flags=("high_value",), available=True)
    assert (details.found, details.contact_name, details.recent_tickets) == (True, "Ana Diaz", 2)
    assert [(d.name, d.amount, d.stage) for d in details.deals] == [("Renewal 2026", 12000.5, "contractsent")]
    assert hubspot.requests_made == COLD
    assert details.describe() == ("Acme Corp (tier enterprise, lifecycle customer). Open deals: Renewal 2026 "
                                  "12,000.50 (contractsent). Tickets in the last 30 days: 2. High-value account.")


def test_warm_cache_makes_zero_requests(crm) -> None:
    hubspot = adapter(crm, ttl_seconds=900)
    first = hubspot.account_for("ana@acme.example", now_monotonic=1000.0)
    made = list(hubspot.requests_made)
    assert hubspot.account_for(" ANA@acme.example ", now_monotonic=1899.0) == first
    assert hubspot.requests_made == made and len(made) == 4


def test_cache_expires_after_its_ttl(crm) -> None:
    hubspot = adapter(crm, ttl_seconds=900)
    hubspot.account_for("ana@acme.example", now_monotonic=1000.0)
    crm[0].records["companies"][next(iter(crm[0].records["companies"]))]["properties"]["name"] = "Acme Inc"
    assert hubspot.account_for("ana@acme.example", now_monotonic=1901.0).name == "Acme Inc"
    assert len(hubspot.requests_made) == 8


@pytest.mark.parametrize("rule,high", [
    (HighValueRule(min_open_deal_amount=12000), True),
    (HighValueRule(min_open_deal_amount=20000), False),  # the won deal does not count
    (HighValueRule(lifecycle_stages=("Customer", "evangelist")), True),
    (HighValueRule(lifecycle_stages=("opportunity",)), False),
    (HighValueRule(company_property="segment", company_values=("strategic",)), True),
    (HighValueRule(company_property="segment", company_values=("smb",)), False),
    (HighValueRule(), False),
])
def test_high_value_rule_variants(crm, rule, high) -> None:
    account = adapter(crm, rule).account_for("ana@acme.example")
    assert ("high_value" in account.flags) is high


def test_high_value_rule_from_settings() -> None:
    rule = HighValueRule.from_settings({"high_value_min_deal_amount": 5000,
                                        "high_value_lifecycle_stages": ["customer"],
                                        "high_value_company_property": "tier",
                                        "high_value_company_values": ["enterprise"]})
    assert rule == HighValueRule(5000.0, ("customer",), "tier", ("enterprise",))
    assert HighValueRule.from_settings({}) == HighValueRule()


def test_contact_without_company_or_deals_costs_one_request(crm) -> None:
    hubspot = adapter(crm, HighValueRule(lifecycle_stages=("customer",)))
    details = hubspot.lookup("lee@solo.example")
    assert details.account == Account(lifecycle_stage="lead", available=True)
    assert details.contact_name == "Lee" and hubspot.requests_made == COLD[:1]


def test_unknown_requester_is_available_and_cached(crm) -> None:
    hubspot = adapter(crm)
    details = hubspot.lookup("stranger@nowhere.example")
    assert details.account == Account(name="", available=True) and not details.found
    assert details.describe() == "No HubSpot contact for this requester."
    hubspot.lookup("stranger@nowhere.example")
    assert hubspot.requests_made == COLD[:1]


def test_timeout_answers_unavailable_within_the_timeout(crm) -> None:
    crm[0].delay_seconds = 2.0
    hubspot = adapter(crm, timeout=0.5)
    started = time.monotonic()
    details = hubspot.lookup("ana@acme.example")
    assert time.monotonic() - started < 1.5
    assert details.account == Account(available=False)
    assert details.describe().startswith("Account context unavailable")


def test_failure_is_remembered_briefly_then_retried(crm) -> None:
    crm[0].fail_next(1, 503)
    hubspot = adapter(crm, failure_ttl_seconds=60)
    assert not hubspot.account_for("ana@acme.example", now_monotonic=0.0).available
    assert not hubspot.account_for("ana@acme.example", now_monotonic=59.0).available
    assert hubspot.requests_made == COLD[:1]
    assert hubspot.account_for("ana@acme.example", now_monotonic=61.0).name == "Acme Corp"


@pytest.mark.parametrize("status", [429, 500, 503])
def test_rate_limit_and_server_errors_answer_unavailable(crm, status) -> None:
    crm[0].fail_next(1, status)
    hubspot = adapter(crm, failure_ttl_seconds=0)
    assert hubspot.account_for("ana@acme.example") == UNAVAILABLE_ACCOUNT
    assert hubspot.requests_made == COLD[:1] and len(crm[0].requests) == 1  # no client-side retries


def test_failure_midway_answers_unavailable(crm) -> None:
    crm[0].fail_next(1, 429, after=1)  # the contact read passes, the company batch read is rate limited
    hubspot = adapter(crm)
    assert hubspot.account_for("ana@acme.example") == UNAVAILABLE_ACCOUNT
    assert hubspot.requests_made == COLD[:2]


def test_wrong_token_answers_unavailable_and_check_says_why(crm) -> None:
    hubspot = adapter(crm, token="pat-revoked")
    assert hubspot.account_for("ana@acme.example") == UNAVAILABLE_ACCOUNT
    with pytest.raises(AuthFailed):
        hubspot.check()


def test_check_with_a_good_token(crm) -> None:
    assert adapter(crm).check() == f"HubSpot reachable at {crm[1]} (contacts readable)"


def test_empty_email_makes_no_request(crm) -> None:
    hubspot = adapter(crm)
    assert hubspot.lookup("  ") == AccountDetails(Account(available=True)) and hubspot.requests_made == []

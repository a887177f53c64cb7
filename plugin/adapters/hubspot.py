"""HubSpot account context through hubspot-api-client: contact, company, open deals, recent tickets.

A cold lookup costs one GET (the contact by email, with its associations) and
at most one batch read each for its company, deals and tickets: four requests.
The result is cached per email for ``ttl_seconds``, so a warm handoff costs
none. HubSpot failing never stops a handoff: the lookup answers
``Account(available=False)`` (remembered for ``failure_ttl_seconds`` so a
HubSpot outage does not add a timeout to every handoff) and the note says so.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import urllib3
from hubspot import HubSpot
from hubspot.crm.companies import ApiException as CompaniesError
from hubspot.crm.contacts import ApiException as ContactsError
from hubspot.crm.contacts.exceptions import NotFoundException as ContactNotFound
from hubspot.crm.deals import ApiException as DealsError
from hubspot.crm.tickets import ApiException as TicketsError
from urllib3.util.retry import Retry

from plugin.adapters.base import VendorError, error_for_status
from plugin.model import Account

log = logging.getLogger(__name__)
DEFAULT_URL = "https://api.hubapi.com"
CONTACT_PROPERTIES = ["email", "firstname", "lastname", "lifecyclestage"]
DEAL_PROPERTIES = ["dealname", "amount", "dealstage", "pipeline", "hs_is_closed"]
RECENT_TICKET_DAYS = 30
BATCH_LIMIT = 100  # HubSpot's batch read takes at most 100 inputs
# What a HubSpot call raises when HubSpot fails: HTTP errors per SDK module, network errors, odd bodies.
FAILURES = (ContactsError, CompaniesError, DealsError, TicketsError, urllib3.exceptions.HTTPError, ValueError)


@dataclass(frozen=True)
class HighValueRule:
    """When an account counts as high value: any one configured criterion is enough."""

    min_open_deal_amount: float | None = None
    lifecycle_stages: tuple[str, ...] = ()
    company_property: str | None = None
    company_values: tuple[str, ...] = ()

    def matches(self, lifecycle_stage: str, open_deal_amount: float, company: dict[str, str]) -> bool:
        """Tell whether the account meets a configured criterion (none configured: never)."""
        if self.min_open_deal_amount is not None and open_deal_amount >= self.min_open_deal_amount:
            return True
        if lifecycle_stage.lower() in {s.lower() for s in self.lifecycle_stages}:
            return True
        value = str(company.get(self.company_property) or "") if self.company_property else ""
        return bool(value) and value.lower() in {v.lower() for v in self.company_values}

    @classmethod
    def from_settings(cls, hubspot: dict[str, Any]) -> HighValueRule:
        """Build the rule from the [hubspot] section's high_value_* keys."""
        amount = hubspot.get("high_value_min_deal_amount")
        return cls(min_open_deal_amount=float(amount) if amount not in (None, "") else None,
                   lifecycle_stages=tuple(hubspot.get("high_value_lifecycle_stages") or ()),
                   company_property=hubspot.get("high_value_company_property") or None,
                   company_values=tuple(hubspot.get("high_value_company_values") or ()))


@dataclass(frozen=True)
class Deal:
    """One open deal, as the handoff summary shows it."""

    name: str
    amount: float
    stage: str


@dataclass(frozen=True)
class AccountDetails:
    """The Account plus what the handoff summary lists beside it."""

    account: Account
    found: bool = False
    contact_name: str = ""
    deals: tuple[Deal, ...] = ()
    recent_tickets: int = 0

    def describe(self) -> str:
        """Render one line for the handoff summary, saying plainly when context is missing."""
        if not self.account.available:
            return "Account context unavailable: HubSpot did not answer; check the account by hand."
        if not self.found:
            return "No HubSpot contact for this requester."
        a = self.account
        who = a.name or self.contact_name or "Contact without a company"
        facts = [f"tier {a.tier}" if a.tier else "", f"lifecycle {a.lifecycle_stage}" if a.lifecycle_stage else ""]
        deals = "; ".join(f"{d.name or 'deal'} {d.amount:,.2f} ({d.stage})" for d in self.deals) or "none"
        text = f"{who} ({', '.join(f for f in facts if f) or 'no tier'}). Open deals: {deals}. "
        text += f"Tickets in the last {RECENT_TICKET_DAYS} days: {self.recent_tickets}."
        return text + (" High-value account." if "high_value" in a.flags else "")


UNAVAILABLE = AccountDetails(Account(available=False))
UNKNOWN = AccountDetails(Account(name="", available=True))


class HubSpotAdapter:
    """Baton's HubSpot client: cached account lookups that never raise."""

    vendor = "hubspot"

    def __init__(self, base_url: str, token: str, ttl_seconds: float = 900.0, timeout: float = 5.0,
                 high_value: HighValueRule | None = None, *, tier_property: str = "tier",
                 failure_ttl_seconds: float = 60.0, closed_stages: tuple[str, ...] = ("closedwon", "closedlost"),
                 clock: Callable[[], datetime] | None = None):
        if not token:
            raise VendorError("HubSpot needs BATON_HUBSPOT_TOKEN (a private app access token)")
        self.base_url = (base_url or DEFAULT_URL).rstrip("/")
        self.ttl, self.failure_ttl, self.timeout = ttl_seconds, failure_ttl_seconds, timeout
        self.rule = high_value or HighValueRule()
        self.tier_property, self.closed_stages = tier_property, {s.lower() for s in closed_stages}
        self.clock = clock or (lambda: datetime.now(UTC))
        self.requests_made: list[tuple[str, str]] = []
        # No urllib3 retries: a 429 or timeout answers "unavailable" at once instead of tripling the wait.
        client = HubSpot(access_token=token, host=self.base_url, retry=Retry(total=0, redirect=0))
        self.contacts = self._counted(client.crm.contacts.basic_api)
        self.batch = {name: self._counted(getattr(client.crm, name).batch_api)
                      for name in ("companies", "deals", "tickets")}
        self._cache: dict[str, tuple[float, AccountDetails]] = {}

    def account_for(self, email: str, now_monotonic: float | None = None) -> Account:
        """Return the requester's account (cached) with its summary line; available=False when HubSpot fails."""
        details = self.lookup(email, now_monotonic)
        return replace(details.account, summary=details.describe())

    def lookup(self, email: str, now_monotonic: float | None = None) -> AccountDetails:
        """Return the account with its deals and recent tickets, from the cache when fresh."""
        now = time.monotonic() if now_monotonic is None else now_monotonic
        key = email.strip().lower()
        if not key:
            return UNKNOWN
        cached = self._cache.get(key)
        if cached and cached[0] > now:
            return cached[1]
        try:
            details, ttl = self._fetch(key), self.ttl
        except FAILURES as exc:
            log.warning("HubSpot account context unavailable: %s", _reason(exc))
            details, ttl = UNAVAILABLE, self.failure_ttl
        if ttl > 0:
            self._cache[key] = (now + ttl, details)
        return details

    def check(self) -> str:
        """Reach HubSpot with the configured token; return a one-line description."""
        try:
            self.contacts.get_page(limit=1, _request_timeout=self.timeout)
        except FAILURES as exc:
            status = getattr(exc, "status", None) or 503
            raise error_for_status(status, f"HubSpot: {_reason(exc)}") from exc
        return f"HubSpot reachable at {self.base_url} (contacts readable)"

    def _fetch(self, email: str) -> AccountDetails:
        """Contact by email with associations, then its company, deals and tickets (batch reads)."""
        try:
            contact = self.contacts.get_by_id(
                email, id_property="email", properties=CONTACT_PROPERTIES,
                associations=["companies", "deals", "tickets"], archived=False, _request_timeout=self.timeout)
        except ContactNotFound:
            return UNKNOWN
        ids = _associated_ids(contact.associations or {})
        company_props = ["name", "domain", "lifecyclestage", self.tier_property, self.rule.company_property]
        companies = self._read("companies", ids["companies"][:1], [p for p in company_props if p])
        deals = [d for d in self._read("deals", ids["deals"], DEAL_PROPERTIES) if self._open(d)]
        tickets = self._read("tickets", ids["tickets"], ["subject"])
        return self._assemble(contact, companies[0] if companies else None, deals, tickets)

    def _assemble(self, contact: Any, company: Any, deals: list[Any], tickets: list[Any]) -> AccountDetails:
        """Fold the CRM records into Baton's Account and the summary's details."""
        person, firm = contact.properties or {}, (company.properties if company else None) or {}
        open_deals = tuple(Deal(str(d.properties.get("dealname") or ""), _amount(d.properties.get("amount")),
                                str(d.properties.get("dealstage") or "")) for d in deals)
        total = sum(d.amount for d in open_deals)
        stage = str(person.get("lifecyclestage") or firm.get("lifecyclestage") or "")
        since = self.clock() - timedelta(days=RECENT_TICKET_DAYS)
        recent = sum(1 for t in tickets if t.created_at and _aware(t.created_at) >= since)
        flags = ("high_value",) if self.rule.matches(stage, total, firm) else ()
        account = Account(name=str(firm.get("name") or ""), tier=str(firm.get(self.tier_property) or ""),
                          lifecycle_stage=stage, open_deal_amount=total, flags=flags, available=True)
        name = " ".join(str(person.get(k) or "") for k in ("firstname", "lastname")).strip()
        return AccountDetails(account, True, name, open_deals, recent)

    def _read(self, kind: str, ids: list[str], properties: list[str]) -> list[Any]:
        """Batch-read records of one kind (one POST; none when there is nothing to read)."""
        if not ids:
            return []
        body = {"inputs": [{"id": i} for i in ids[:BATCH_LIMIT]], "properties": properties,
                "propertiesWithHistory": []}
        response = self.batch[kind].read(body, archived=False, _request_timeout=self.timeout)
        return list(response.results or [])

    def _open(self, deal: Any) -> bool:
        """A deal is open unless HubSpot marks it closed or its stage is a closed one."""
        props = deal.properties or {}
        return str(props.get("hs_is_closed") or "").lower() != "true" and str(
            props.get("dealstage") or "").lower() not in self.closed_stages

    def _counted(self, api: Any) -> Any:
        """Record each request an SDK API object sends (method, path), before it goes out."""
        rest = api.api_client.rest_client
        send = rest.request

        def request(method: str, url: str, *args: Any, **kwargs: Any) -> Any:
            path = urlsplit(url).path
            # A contact read by email names the email in its path: keep it out of the log.
            self.requests_made.append((method, path.rsplit("/", 1)[0] + "/{email}" if "%40" in path else path))
            return send(method, url, *args, **kwargs)

        rest.request = request
        return api


def _associated_ids(associations: dict[str, Any]) -> dict[str, list[str]]:
    """Ids per associated kind, primary first, each once (v3 lists labelled and unlabelled rows)."""
    out: dict[str, list[str]] = {"companies": [], "deals": [], "tickets": []}
    for kind in out:
        rows = getattr(associations.get(kind), "results", None) or []
        ordered = sorted(rows, key=lambda r: str(r.type or "").endswith("_unlabeled"))
        out[kind] = list(dict.fromkeys(str(r.id) for r in ordered))
    return out


def _amount(value: Any) -> float:
    """HubSpot sends amounts as strings, possibly empty."""
    try:
        return float(value) if value not in (None, "") else 0.0
    except (TypeError, ValueError):
        return 0.0


def _aware(moment: datetime) -> datetime:
    """Treat a naive timestamp as UTC so comparisons never raise."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _reason(exc: BaseException) -> str:
    """Describe a failure for logs without the response body (it may hold personal data)."""
    status = getattr(exc, "status", None)
    return f"HTTP {status}" if status else type(exc).__name__

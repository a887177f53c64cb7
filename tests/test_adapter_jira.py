"""JiraAdapter against the Jira sandbox over real HTTP: create, link, status, sync, errors."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from plugin.adapters.base import AuthFailed, NotFound, Rejected, RetryLater, VendorError
from plugin.adapters.jira import JiraAdapter, global_id_for
from plugin.sandbox.jira import JiraSandbox
from plugin.sandbox.jira_api import JiraSandboxServer

EMAIL, TOKEN = "baton@support.example", "jira-api-token"


@pytest.fixture()
def site() -> Iterator[tuple[JiraSandbox, str]]:
    sandbox = JiraSandbox(projects=("SUP", "OPS"), timezone="America/Los_Angeles")
    sandbox.add_user(EMAIL, TOKEN, display_name="Baton Bot")
    server = JiraSandboxServer(sandbox).start()
    yield sandbox, server.url
    server.shutdown()


@pytest.fixture()
def jira(site) -> JiraAdapter:
    return JiraAdapter(site[1], EMAIL, TOKEN, timeout=5)


def searches(adapter: JiraAdapter) -> int:
    return adapter.requests_made.count(("POST", "/rest/api/2/search/jql"))


def test_construction_sends_no_request(site, jira) -> None:
    assert site[0].requests == [] and jira.requests_made == []


def test_missing_credentials_name_the_settings() -> None:
    with pytest.raises(VendorError, match="BATON_JIRA_TOKEN"):
        JiraAdapter("https://example.atlassian.net", EMAIL, "")


def test_create_issue_in_one_request(site, jira) -> None:
    key = jira.create_issue("OPS", "Bug", "Refund fails with R42", "Handoff summary\n\nTicket: https://t/1")
    assert key == "OPS-1" and jira.requests_made == [("POST", "/rest/api/2/issue")]
    fields = site[0].issues["OPS-1"]["fields"]
    assert (fields["summary"], fields["issuetype"], fields["description"]) == (
        "Refund fails with R42", {"name": "Bug"}, "Handoff summary\n\nTicket: https://t/1")


def test_create_issue_in_unknown_project_is_rejected(jira) -> None:
    with pytest.raises(Rejected) as caught:
        jira.create_issue("NOPE", "Bug", "x", "y")
    assert caught.value.status == 400


def test_relinking_the_same_ticket_keeps_one_remote_link(site, jira) -> None:
    key = jira.create_issue("SUP", "Task", "Sync fails", "")
    url = "https://acme.zendesk.com/agent/tickets/"
    for title in ("Ticket #42", "Ticket #42: Sync fails"):
        jira.link_ticket(key, url + "42", title, global_id_for("zendesk", "42"))
    jira.link_ticket(key, url + "43", "Ticket #43", global_id_for("zendesk", "43"))
    links = site[0].remote_links[key]
    assert [(li["globalId"], li["object"]["title"]) for li in links] == [
        ("baton:zendesk:ticket:42", "Ticket #42: Sync fails"), ("baton:zendesk:ticket:43", "Ticket #43")]
    assert jira.requests_made.count(("POST", f"/rest/api/2/issue/{key}/remotelink")) == 3
    assert ("GET", "/rest/applinks/latest/listApplicationlinks") not in jira.requests_made


def test_link_rejects_a_global_id_jira_would_refuse(jira) -> None:
    with pytest.raises(Rejected):
        jira.link_ticket("SUP-1", "https://t/1", "t", "x" * 256)
    assert jira.requests_made == []


def test_issue_status_follows_transitions(site, jira) -> None:
    key = jira.create_issue("SUP", "Bug", "Charged twice", "")
    assert jira.issue_status(key) == ("To Do", False)
    site[0].transition(key, "Done")
    assert jira.issue_status(key) == ("Done", True)
    site[0].transition(key, "In Progress")
    assert jira.issue_status(key) == ("In Progress", False)


def test_status_of_a_missing_issue_is_not_found(jira) -> None:
    with pytest.raises(NotFound):
        jira.issue_status("SUP-404")


def test_not_a_key_is_refused_before_any_request(jira) -> None:
    with pytest.raises(Rejected):
        jira.issue_status("SUP-1 OR project = HR")
    assert jira.requests_made == []


def test_sync_finds_issues_updated_since_in_the_users_timezone(site, jira) -> None:
    sandbox = site[0]
    keys = [sandbox.create_issue("SUP", "Bug", f"issue {n}")["key"] for n in range(3)]
    old = datetime.now(UTC) - timedelta(days=2)
    sandbox.issues[keys[2]]["updated_at"] = old
    sandbox.transition(keys[0], "Done")
    since = datetime.now(UTC) - timedelta(minutes=2)
    assert jira.updated_issues(keys, since) == [(keys[0], "Done", True), (keys[1], "To Do", False)]
    assert jira.updated_issues(keys, datetime.now(UTC) + timedelta(minutes=2)) == []
    assert jira.requests_made.count(("GET", "/rest/api/2/myself")) == 1  # timezone read once


def test_sync_chunks_keys_by_fifty(site, jira) -> None:
    keys = [site[0].create_issue("SUP", "Task", f"issue {n}")["key"] for n in range(120)]
    found = jira.updated_issues(keys + ["not a key"], datetime.now(UTC) - timedelta(hours=1))
    assert len(found) == 120 and {status for _, status, _ in found} == {"To Do"}
    assert searches(jira) == 3


def test_sync_pages_through_results(site, jira, monkeypatch) -> None:
    monkeypatch.setattr("plugin.adapters.jira.PAGE_SIZE", 2)
    keys = [site[0].create_issue("SUP", "Task", f"issue {n}")["key"] for n in range(5)]
    assert [k for k, _, _ in jira.updated_issues(keys, datetime.now(UTC) - timedelta(hours=1))] == keys
    assert searches(jira) == 3


def test_sync_survives_a_deleted_issue(site, jira) -> None:
    keys = [site[0].create_issue("SUP", "Task", f"issue {n}")["key"] for n in range(2)]
    del site[0].issues[keys[1]]
    assert jira.updated_issues(keys, datetime.now(UTC) - timedelta(hours=1)) == [(keys[0], "To Do", False)]


def test_rate_limit_is_retry_later_with_retry_after_and_no_sleep(site, jira) -> None:
    site[0].fail_next(1, 429, retry_after=17)
    started = time.monotonic()
    with pytest.raises(RetryLater) as caught:
        jira.issue_status("SUP-1")
    assert (caught.value.status, caught.value.retry_after) == (429, 17.0)
    assert time.monotonic() - started < 1.0


def test_server_error_is_retry_later(site, jira) -> None:
    site[0].fail_next(1, 503, retry_after=5)
    with pytest.raises(RetryLater) as caught:
        jira.create_issue("SUP", "Bug", "x", "")
    assert (caught.value.status, caught.value.retry_after) == (503, 5.0)


def test_wrong_token_is_auth_failed(site) -> None:
    with pytest.raises(AuthFailed):
        JiraAdapter(site[1], EMAIL, "wrong").check()


def test_unreachable_jira_is_retry_later() -> None:
    adapter = JiraAdapter("http://127.0.0.1:9", EMAIL, TOKEN, timeout=1)
    with pytest.raises(RetryLater) as caught:
        adapter.issue_status("SUP-1")
    assert caught.value.status == 503


def test_check_names_the_user(site, jira) -> None:
    assert jira.check() == f"Jira reachable at {site[1]} as Baton Bot (5b10ac8d82e05b22cc7d4e00)"

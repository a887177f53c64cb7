"""The Jira rules as pure functions: escalate or link (jira_link), mirror a status change (jira_status)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from plugin.actions import EscalateToJira, InternalNote, LinkIssue, RemoveTags, SetField, SetStatus
from plugin.config import Settings
from plugin.model import Brief, IssueChange, IssueLink
from plugin.rules import jira_link, jira_status
from tests.conftest import comment, context, make_settings, move

JIRA = {"url": "https://acme.atlassian.net", "email": "baton@acme.example", "token": "t",
        "key_field_id": "9001", "status_field_id": "9002",
        "projects": {"20": {"project": "SUP", "issue_type": "Bug"}}}


@pytest.fixture()
def jira_settings() -> Settings:
    return make_settings(jira=JIRA)


def ticket_ctx(*comments, tags=(), status="open", links=(), fields=None):
    ctx = context(list(comments), [move("a1", 0, ("11", "20"), ("12", "20"))], status=status)
    ticket = replace(ctx.ticket, tags=tuple(tags), url="https://desk.example/agent/tickets/42",
                     custom_fields=fields or {})
    return replace(ctx, ticket=ticket, links=tuple(links), change=None)


def test_escalate_tag_creates_an_issue_in_the_groups_project_and_removes_the_tag(jira_settings) -> None:
    ctx = replace(ticket_ctx(tags=("baton_escalate_jira",)),
                  brief=Brief("Baton handoff summary\nCharged twice.", "", frozenset(), "offline"))
    escalate, remove = jira_link.decide(ctx, jira_settings)
    assert isinstance(escalate, EscalateToJira)
    assert (escalate.project, escalate.issue_type, escalate.summary) == ("SUP", "Bug", "Charged twice")
    assert escalate.description.startswith("Baton handoff summary\nCharged twice.")
    assert "https://desk.example/agent/tickets/42" in escalate.description
    assert remove == RemoveTags("jira_link", escalate.subject, tags=("baton_escalate_jira",))


def test_escalate_tag_without_jira_says_so_and_removes_the_tag(settings) -> None:
    note, remove = jira_link.decide(ticket_ctx(tags=("baton_escalate_jira",)), settings)
    assert isinstance(note, InternalNote) and "Jira is not configured" in note.body
    assert remove.tags == ("baton_escalate_jira",)


def test_escalate_tag_without_a_project_for_the_group_says_so() -> None:
    settings = make_settings(jira={**JIRA, "projects": {}})
    note, remove = jira_link.decide(ticket_ctx(tags=("baton_escalate_jira",)), settings)
    assert "no Jira project is configured for group #20" in note.body
    assert isinstance(remove, RemoveTags)


def test_escalate_tag_on_a_linked_ticket_relinks_and_creates_nothing(jira_settings) -> None:
    ctx = ticket_ctx(tags=("baton_escalate_jira",), links=[IssueLink("SUP-7", "In Progress")])
    actions = jira_link.decide(ctx, jira_settings)
    assert [type(a) for a in actions] == [LinkIssue, InternalNote, RemoveTags]
    assert actions[0].issue_key == "SUP-7" and "already linked to SUP-7" in actions[1].body


def test_keys_in_agents_notes_and_the_key_field_are_linked_once(jira_settings) -> None:
    ctx = ticket_ctx(comment("c1", "Engineering tracks this in SUP-12 and OPS-3; order A-1043.", 1),
                     comment("c2", "Customer mentions SUP-99", 2, role="customer", public=True),
                     comment("c3", "Baton linked SUP-55", 3, role="system", author="999"),
                     comment("c4", "again SUP-12", 4), fields={"9001": "SUP-40"},
                     links=[IssueLink("SUP-40", "Done")])
    actions = jira_link.decide(ctx, jira_settings)
    assert actions == [LinkIssue("jira_link", "link:SUP-12", issue_key="SUP-12")]


def test_keys_are_ignored_when_jira_is_not_configured(settings) -> None:
    assert jira_link.decide(ticket_ctx(comment("c1", "see SUP-12", 1)), settings) == []


def change(to="Done", resolved=True, actor="Dana Engineer") -> IssueChange:
    return IssueChange("SUP-12", "In Progress", to, resolved, actor, "1700000000000.20001")


def test_status_change_sets_the_field_and_notes_who_moved_it(jira_settings) -> None:
    ctx = replace(ticket_ctx(links=[IssueLink("SUP-12", "To Do")]), issue_change=change("In Progress", False))
    field, note = jira_status.decide(ctx, jira_settings)
    assert field == SetField("jira_status", "SUP-12:In Progress@1700000000000.20001", field_id="9002",
                             value="In Progress")
    assert note.body == "SUP-12 moved from In Progress to In Progress by Dana Engineer."


def test_resolved_issue_reopens_a_pending_ticket_and_hands_the_reply_to_support(jira_settings) -> None:
    ctx = replace(ticket_ctx(status="pending", links=[IssueLink("SUP-12", "In Progress")]),
                  issue_change=change(), names={"12": "Blake Chen"})
    field, reopen, note = jira_status.decide(ctx, jira_settings)
    assert field.value == "Done" and reopen == SetStatus("jira_status", field.subject, status="open")
    assert note.body.startswith("SUP-12 moved from In Progress to Done by Dana Engineer.\n")
    assert "Blake Chen: support owns the reply to the customer" in note.body


def test_resolved_issue_leaves_an_open_ticket_open(jira_settings) -> None:
    ctx = replace(ticket_ctx(links=[IssueLink("SUP-12", "In Progress")]), issue_change=change())
    assert [type(a) for a in jira_status.decide(ctx, jira_settings)] == [SetField, InternalNote]


def test_several_linked_issues_show_each_status_in_the_field(jira_settings) -> None:
    links = [IssueLink("SUP-12", "In Progress"), IssueLink("OPS-3", "To Do")]
    ctx = replace(ticket_ctx(links=links), issue_change=change())
    assert jira_status.decide(ctx, jira_settings)[0].value == "OPS-3: To Do; SUP-12: Done"


def test_a_sync_found_change_says_so_and_closed_tickets_are_left_alone(jira_settings) -> None:
    ctx = replace(ticket_ctx(), issue_change=change(actor=""))
    assert "(found by the Jira sync; the webhook was missed)" in jira_status.decide(ctx, jira_settings)[-1].body
    assert jira_status.decide(replace(ticket_ctx(status="closed"), issue_change=change()), jira_settings) == []
    assert jira_status.decide(ticket_ctx(), jira_settings) == []


def test_issue_key_pattern_narrows_to_configured_projects(jira_settings, settings) -> None:
    assert jira_settings.issue_key_pattern() == r"\b(?:SUP)-\d+\b"
    assert settings.issue_key_pattern() == r"\b[A-Z][A-Z0-9]+-\d+\b"

"""Rules: pure functions from a TicketContext and settings to a list of actions.

A rule does no I/O and reads no clock but ``ctx.now``; the same context always
gives the same actions, so rules are tested with hand-built contexts and no mock.
"""

from __future__ import annotations

from collections.abc import Callable

from plugin.actions import Action
from plugin.config import Settings
from plugin.model import TicketContext

Rule = Callable[[TicketContext, Settings], list[Action]]


def all_rules() -> list[tuple[str, Rule]]:
    """Return the rules the worker runs, in order."""
    from plugin.rules import (
        context_flags,
        draft_on_demand,
        handoff_quality,
        jira_link,
        jira_status,
        require_handoff_note,
        shift_wrapup,
    )

    modules = (require_handoff_note, context_flags, draft_on_demand, shift_wrapup, handoff_quality, jira_link,
               jira_status)
    return [(module.RULE, module.decide) for module in modules]

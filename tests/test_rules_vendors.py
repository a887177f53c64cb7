"""Every rule decides the same on a Freshdesk ticket as on a Zendesk one: only the key's vendor differs."""

from __future__ import annotations

from dataclasses import replace

import pytest

from plugin.actions import RevertAssignment
from plugin.jobs import decide
from plugin.model import TicketContext
from tests.conftest import COMPLETE_NOTE, comment, context, make_settings, move

A, B = "101", "202"
BILLING, SUPPORT = "900", "800"
FIRST = move("a1", 0, (None, SUPPORT), (A, SUPPORT))
MOVE = move("a2", 5, (A, SUPPORT), (B, BILLING))
APOLOGY = comment("c0", "I'm sorry about this, I'll get back to you by end of day today.", 2, public=True)

CASES = {
    "no note": (context([APOLOGY], [FIRST, MOVE]), {}),
    "complete note": (context([comment("c1", COMPLETE_NOTE, 4)], [FIRST, MOVE]), {}),
    "note before the previous move": (context([comment("c1", COMPLETE_NOTE, 1)], [
        FIRST, move("a2", 3, (A, SUPPORT), (B, SUPPORT)), move("a3", 9, (B, SUPPORT), (A, BILLING))]), {}),
    "vague reason": (context([comment("c1", COMPLETE_NOTE.replace(
        "needs someone with Stripe access to investigate why the refund did not process.",
        "escalating to billing"), 4)], [FIRST, MOVE]), {}),
    "flag mode": (context([], [FIRST, MOVE]), {"guard": {"groups": {BILLING: "flag"}}}),
    "first assignment": (context([], [FIRST]), {}),
    "solved ticket": (context([], [FIRST, MOVE], status="solved"), {}),
    "automation": (context([], [FIRST, move("a2", 5, (A, SUPPORT), (B, BILLING), kind="rule")]), {}),
    "by Baton": (context([], [FIRST, move("a2", 5, (A, SUPPORT), (B, BILLING), actor="999")]), {}),
}


def as_freshdesk(ctx: TicketContext) -> TicketContext:
    return replace(ctx, ticket=replace(ctx.ticket, vendor="freshdesk"))


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_actions_on_both_vendors(name: str) -> None:
    ctx, overrides = CASES[name]
    settings = make_settings(**overrides)
    on_zendesk, on_freshdesk = decide(ctx, settings), decide(as_freshdesk(ctx), settings)
    assert on_freshdesk == on_zendesk and on_zendesk  # every case decides something (at least a record)
    zendesk_keys = [a.key(ctx.ticket) for a in on_zendesk]
    freshdesk_keys = [a.key(as_freshdesk(ctx).ticket) for a in on_freshdesk]
    assert all(k.startswith("zendesk:42:") for k in zendesk_keys)
    assert [k.removeprefix("freshdesk:") for k in freshdesk_keys] == [k.removeprefix("zendesk:")
                                                                      for k in zendesk_keys]


def test_the_cases_cover_revert_accept_and_flag() -> None:
    settings = make_settings()
    assert any(isinstance(a, RevertAssignment) for a in decide(as_freshdesk(CASES["no note"][0]), settings))
    outcomes = {name: [getattr(a, "outcome", "") for a in decide(as_freshdesk(ctx), make_settings(**o))]
                for name, (ctx, o) in CASES.items()}
    assert "accepted" in outcomes["complete note"] and "flagged" in outcomes["flag mode"]
    assert "reverted" in outcomes["note before the previous move"] and "exempt" in outcomes["by Baton"]

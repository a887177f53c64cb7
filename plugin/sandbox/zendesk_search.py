"""GET /api/v2/search: the slice of Zendesk's search syntax Baton sends, over sandbox tickets.

Supported terms: ``type:ticket``, ``status:X``, ``status<X`` / ``status>X`` (Zendesk orders
new < open < pending < hold < solved < closed), ``assignee:ID``, ``group:ID``, ``tags:X``.
Repeating a field ORs its values, as Zendesk does; different fields AND.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import request

from .zendesk import ZendeskSandbox
from .zendesk_shapes import SandboxError

STATUS_ORDER = ("new", "open", "pending", "hold", "solved", "closed")
_TERM = re.compile(r'(\w+)(:|<|>)"?([^"\s]+)"?')


def parse_query(query: str) -> list[tuple[str, str, str]]:
    """Split a search query into (field, operator, value) terms; refuse what the sandbox cannot do."""
    terms = _TERM.findall(query)
    if not terms or " ".join(f"{f}{o}{v}" for f, o, v in terms) != re.sub(r'"', "", query).strip():
        raise SandboxError(400, {"error": "InvalidSearch", "description": f"unsupported query: {query}"})
    return terms


def _matches(ticket: dict[str, Any], field: str, op: str, values: list[str]) -> bool:
    if field == "type":
        return "ticket" in values
    if field == "status" and op in "<>":
        rank = STATUS_ORDER.index(ticket["status"])
        limit = STATUS_ORDER.index(values[0])
        return rank < limit if op == "<" else rank > limit
    actual = {"status": ticket["status"], "assignee": str(ticket["assignee_id"]),
              "group": str(ticket["group_id"])}.get(field)
    if field == "tags":
        return any(v in ticket["tags"] for v in values)
    if actual is None:
        raise SandboxError(400, {"error": "InvalidSearch", "description": f"unsupported field: {field}"})
    return actual in values


def search_tickets(sandbox: ZendeskSandbox, query: str) -> list[dict[str, Any]]:
    """Return the tickets a query matches, oldest first."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for field, op, value in parse_query(query):
        grouped.setdefault((field, op), []).append(value)
    with sandbox.lock:
        tickets = [sandbox.ticket(tid) for tid in sorted(sandbox.tickets)]
    return [t for t in tickets if all(_matches(t, f, o, v) for (f, o), v in grouped.items())]


def register_search(sandbox: ZendeskSandbox, route: Callable, paginate: Callable) -> None:
    """Add the search endpoint to the sandbox app."""

    @route("/api/v2/search")
    def search() -> dict[str, Any]:
        """Search tickets, answering in Zendesk's search-results shape."""
        results = [{**t, "result_type": "ticket"} for t in search_tickets(sandbox, request.args.get("query", ""))]
        return paginate("results", results)

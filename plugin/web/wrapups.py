"""End-of-shift digests: one per agent and shift, on the dashboard and as Markdown."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, current_app, jsonify, render_template
from flask.typing import ResponseReturnValue

from plugin.web.auth import protected_blueprint

blueprint = protected_blueprint("wrapups", __name__)


def digest_markdown(digest: dict[str, Any]) -> str:
    """Render a digest as Markdown, for pasting into a shift channel or a doc."""
    lines = [f"# Shift wrap-up: {digest['shift_name']}, agent {digest['agent_id']}",
             f"Shift ended {digest['ended_at']:%Y-%m-%d %H:%M %Z}.", ""]
    if not digest["entries"]:
        lines.append("No open tickets.")
    for entry in digest["entries"]:
        lines += [f"## #{entry['ticket_id']} {entry['subject']}",
                  f"- Status: {entry['status']}; waiting on {entry['waiting_on']}",
                  f"- The customer expects: {entry['customer_expects']}"]
        lines += [f"- Promise due {p['deadline']}: {p['promise']}" for p in entry["promises_due"]]
        if not entry["status_note"]:
            lines.append("- No status note from the agent this shift")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


@blueprint.get("/wrapups")
def page() -> ResponseReturnValue:
    """Render the latest end-of-shift digests."""
    return render_template("wrapups.html", digests=current_app.extensions["baton"].store.digests())


@blueprint.get("/api/wrapups")
def digests_json() -> ResponseReturnValue:
    """Return the latest digests as JSON."""
    return jsonify({"digests": current_app.extensions["baton"].store.digests()})


@blueprint.get("/wrapups/<int:digest_id>.md")
def markdown(digest_id: int) -> ResponseReturnValue:
    """Export one digest as Markdown."""
    digest = current_app.extensions["baton"].store.digest(digest_id)
    if digest is None:
        abort(404)
    return Response(digest_markdown(digest), mimetype="text/markdown",
                    headers={"Content-Disposition": f"attachment; filename=wrapup-{digest_id}.md"})

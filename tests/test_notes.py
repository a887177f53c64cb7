"""The handoff note parser and validator, and `baton note check`."""

from __future__ import annotations

import json

import pytest

from plugin.cli import main
from plugin.notes import TEMPLATE, is_vague_reason, looks_like_handoff_note, parse_note, validate_note
from tests.conftest import COMPLETE_NOTE


def test_design_example_is_complete() -> None:
    verdict = validate_note(COMPLETE_NOTE)
    assert verdict.to_dict() == {"complete": True, "missing": [], "vague": []}


def test_labels_any_case_order_bullets_and_bold() -> None:
    note = ("- **REASON**: the customer needs a refund override that only billing leads can approve\n"
            "* promised: nothing\n"
            "• __Tried__: reissued the invoice twice; both bounced\n"
            "**Situation:** invoice email never arrives")
    fields = parse_note(note)
    assert fields["situation"] == "invoice email never arrives"
    assert fields["tried"] == "reissued the invoice twice; both bounced"
    assert fields["promised"] == "nothing"
    assert validate_note(note).complete


def test_missing_fields_are_named() -> None:
    verdict = validate_note("Situation: login loop on iOS\nCustomer: patient")
    assert verdict.missing == ("tried", "promised", "reason")
    assert not verdict.complete


def test_continuation_lines_join_their_field() -> None:
    fields = parse_note("Tried: cleared cache\n  then reinstalled the app\nReason: x")
    assert fields["tried"] == "cleared cache then reinstalled the app"


@pytest.mark.parametrize("reason", [
    "escalating to billing", "Escalating to billing team", "transfer to tier 2",
    "for billing", "passing to the L2 queue", "needs billing",
])
def test_destination_only_reasons_are_vague(reason: str) -> None:
    assert is_vague_reason(reason)
    verdict = validate_note(COMPLETE_NOTE.replace(
        "needs someone with Stripe access to investigate why the refund did not process.", reason))
    assert verdict.vague == ("reason",) and not verdict.complete


@pytest.mark.parametrize("reason", [
    "needs someone with Stripe access to investigate why the refund did not process",
    "Only the billing team can issue credits above $500, and this customer is owed $740",
])
def test_specific_reasons_pass(reason: str) -> None:
    assert not is_vague_reason(reason)


def test_promised_nothing_is_valid_but_filler_is_vague() -> None:
    assert validate_note(COMPLETE_NOTE.replace("an answer by end of day today.", "nothing")).complete
    verdict = validate_note(COMPLETE_NOTE.replace("an answer by end of day today.", "tbd"))
    assert verdict.vague == ("promised",)


def test_template_is_recognised_but_incomplete_until_filled() -> None:
    assert looks_like_handoff_note(TEMPLATE)
    assert not looks_like_handoff_note("Called the customer, no answer.")


def test_cli_note_check_prints_verdict(tmp_path, capsys) -> None:
    path = tmp_path / "note.txt"
    path.write_text("Situation: x y z\nReason: escalating to billing", encoding="utf-8")
    assert main(["note", "check", str(path)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out == {"complete": False, "missing": ["tried", "promised"], "vague": ["reason"]}


def test_cli_note_check_missing_file_is_a_clear_error(capsys) -> None:
    assert main(["note", "check", "/nonexistent/note.txt"]) == 2
    assert "no such file: /nonexistent/note.txt" in capsys.readouterr().err

"""`baton draft` and `baton eval summaries` behind the CLI: files, stdin, clear errors."""

import io
import json
from pathlib import Path

import pytest

from plugin.summary import conversation_to_context
from plugin.summary.commands import draft_command, eval_command

LABELLED = Path(__file__).parent / "fixtures" / "conversations" / "labelled.jsonl"


def _conversation() -> dict:
    return json.loads(LABELLED.read_text().splitlines()[1])["conversation"]


def test_draft_command_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "conv.json"
    path.write_text(json.dumps(_conversation()))
    data = draft_command(str(path))
    assert data["promises"][0]["deadline"] == "2025-06-10T17:00:00+01:00"
    assert data["tone"] == "frustrated" and data["churn_risk"] is True


def test_draft_command_reads_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(_conversation())))
    assert draft_command("-")["summarizer"] == "offline"


def test_bad_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"comments": [\n')
    with pytest.raises(ValueError, match="not valid JSON"):
        draft_command(str(path))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone: unknown IANA timezone"),
        ({"now": "yesterday"}, "now: not an ISO-8601"),
        ({"comments": "none"}, "comments: expected a list"),
    ],
)
def test_bad_fields_are_named(change: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        conversation_to_context({**_conversation(), **change})


def test_bad_comment_field_is_named_with_its_index() -> None:
    data = _conversation()
    data["comments"][1]["author_role"] = "bot"
    with pytest.raises(ValueError, match=r"comments\[1\]\.author_role"):
        conversation_to_context(data)


def test_eval_command_prints_a_table_for_the_labelled_set() -> None:
    out = io.StringIO()
    result = eval_command(str(LABELLED), out=out, limit=5)
    assert result["labelled"] == 5
    assert "promise_recall" in out.getvalue()

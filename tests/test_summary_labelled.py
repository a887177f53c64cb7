"""Rates on the hand-labelled conversations: the goals the issue sets, asserted."""

import json
from collections import Counter
from pathlib import Path

import pytest

from plugin.summary import OfflineSummarizer
from plugin.summary.evaluate import FieldTally, labelled_example

HERE = Path(__file__).parent / "fixtures" / "conversations"


def _records(name: str) -> list[dict]:
    return [json.loads(line) for line in (HERE / name).read_text().splitlines() if line]


def _rates(name: str) -> dict:
    tally = FieldTally()
    summarizer = OfflineSummarizer()
    for record in _records(name):
        tally.add(summarizer.draft(labelled_example(record).ctx), record["expected"])
    return tally.rates()


def test_labelled_set_is_big_and_diverse() -> None:
    records = _records("labelled.jsonl")
    assert len(records) >= 40
    categories = Counter(r["category"] for r in records)
    assert set(categories) == {"billing", "technical", "account access", "outage",
                               "cancellation", "shipping"}
    tones = Counter(r["expected"]["tone"] for r in records)
    assert min(tones.values()) >= 8
    assert sum(1 for r in records if r["expected"]["promises"]) >= 20
    assert sum(1 for r in records if not r["expected"]["promises"]) >= 10
    assert max(len(r["conversation"]["comments"]) for r in records) >= 8


@pytest.fixture(scope="module")
def labelled() -> dict:
    return _rates("labelled.jsonl")


def test_promises_found_and_none_invented(labelled: dict) -> None:
    assert labelled["promise_recall"] >= 0.95
    assert labelled["promises_invented"] == 0
    assert labelled["promise_precision"] == 1.0
    assert labelled["deadline_accuracy"] >= 0.9


def test_apologies_found(labelled: dict) -> None:
    assert labelled["apology_recall"] >= 0.95
    assert labelled["apology_precision"] >= 0.95


def test_tone_and_flags(labelled: dict) -> None:
    assert labelled["tone_accuracy"] >= 0.85
    assert labelled["churn_accuracy"] >= 0.9
    assert labelled["flag_set_accuracy"] >= 0.85


def test_heldout_set_keeps_the_goals() -> None:
    rates = _rates("heldout.jsonl")
    assert rates["promises_invented"] == 0
    assert rates["promise_recall"] >= 0.95
    assert rates["apology_recall"] >= 0.95
    assert rates["tone_accuracy"] >= 0.8

"""ROUGE on TweetSumm test (110 dialogs) against Lead-4 computed in the same run.

The data lives outside the repo (evaluation only, non-commercial licence), so the
test is skipped where it is absent.
"""

import io
from pathlib import Path

import pytest

from plugin.summary.commands import eval_command

TEST_SPLIT = Path("/work/shared/datasets/tweetsumm/test.jsonl")


@pytest.mark.skipif(not TEST_SPLIT.exists(), reason="TweetSumm is not available here")
def test_offline_beats_lead4_by_a_fifth_on_rouge1() -> None:
    result = eval_command(str(TEST_SPLIT), out=io.StringIO())
    rouge = result["rouge"]
    assert result["dialogs"] == 110
    assert rouge["lead4"]["rouge1"] == pytest.approx(27.28, abs=0.05)  # README's figure
    best_lead = max(rouge["lead4"]["rouge1"], rouge["lead4_clean"]["rouge1"])
    assert rouge["summarizer"]["rouge1"] >= 1.2 * best_lead
    assert rouge["summarizer"]["rougeLsum"] > rouge["lead4_clean"]["rougeLsum"]
    assert rouge["summarizer"]["rouge2"] > rouge["lead4_clean"]["rouge2"]

"""ROUGE on TweetSumm test (110 dialogs) against Lead-4 computed in the same run.

The data lives outside the repo (evaluation only, non-commercial licence), so the
test is skipped where it is absent.
"""

import io
import os
from pathlib import Path

import pytest

from plugin.summary.commands import eval_command

# The project's shared/ folder sits beside the checkout (as in CI); BATON_TWEETSUMM overrides.
TEST_SPLIT = Path(os.environ.get("BATON_TWEETSUMM") or
                  Path(__file__).resolve().parents[2] / "shared" / "datasets" / "tweetsumm" / "test.jsonl")


@pytest.mark.skipif(not TEST_SPLIT.exists(),
                    reason="TweetSumm (evaluation only, never bundled) is not beside this checkout in ../shared")
def test_offline_beats_lead4_by_a_fifth_on_rouge1() -> None:
    result = eval_command(str(TEST_SPLIT), out=io.StringIO())
    rouge = result["rouge"]
    assert result["dialogs"] == 110
    assert rouge["lead4"]["rouge1"] == pytest.approx(27.28, abs=0.05)  # README's figure
    best_lead = max(rouge["lead4"]["rouge1"], rouge["lead4_clean"]["rouge1"])
    assert rouge["summarizer"]["rouge1"] >= 1.2 * best_lead
    assert rouge["summarizer"]["rougeLsum"] > rouge["lead4_clean"]["rougeLsum"]
    assert rouge["summarizer"]["rouge2"] > rouge["lead4_clean"]["rouge2"]

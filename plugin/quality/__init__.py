"""Handoff quality: did the receiving agent's first reply ask the customer a repeat question?

`check_repeat` judges one handoff (pure); `quality_command` is what `baton quality check`
runs on a handoff file.
"""

from plugin.quality.check import AskedAgain, RepeatVerdict, check_repeat
from plugin.quality.handoff import handoff_from_json, quality_command, verdict_to_json

__all__ = [
    "AskedAgain",
    "RepeatVerdict",
    "check_repeat",
    "handoff_from_json",
    "quality_command",
    "verdict_to_json",
]

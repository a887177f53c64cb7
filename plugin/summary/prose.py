"""Write the 2-4 sentence plain-language summary at the top of the note.

One sentence for the problem, one for what the agent did or said, one for the open
promise, one for the customer's state when it matters: the order an agent reads in.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from plugin.summary.commitments import is_apology, normalise
from plugin.summary.fields import Message
from plugin.summary.rewrite import agent_voice, lower_first, sentence_case
from plugin.summary.text import words
from plugin.summary.tone import ToneReading
from plugin.summary.types import Claim, Promise

_SMALL_TALK = re.compile(
    r"^(?:hi|hello|hey|thanks?|thank you|you're welcome|no problem|happy to help|"
    r"have a (?:great|good|nice))\b", re.IGNORECASE,
)
_STOP = frozenset(
    re.findall(
        r"\w+",
        "the a an and or to of in on for is are was were be it this that with my your i you we "
        "they our have has can not no do did at as by from so but just",
    )
)


def compose_summary(
    sit: list[Claim], steps: list[Claim], promises: list[Promise], tone: ToneReading,
    messages: list[Message], timezone: str,
) -> str:
    """Return the summary: problem, agent action, open promise, customer state."""
    parts = [_problem_sentence(sit), _agent_sentence(steps, messages, sit)]
    if promises:
        parts.append(_promise_sentence(promises[-1], timezone))
    parts.append(_state_sentence(tone))
    return " ".join(p for p in parts if p)


def _problem_sentence(sit: list[Claim]) -> str:
    """Say what the customer reported, in their words turned to the third person."""
    opening = [c.text for c in sit if not c.text.startswith("latest: ")]
    if not opening:
        return "The customer has not written yet."
    text = opening[0]
    verb = "asks" if text.rstrip().endswith("?") else "says"
    if len(opening) > 1 and len(words(text) + words(opening[1])) <= 30:
        text = f"{text.rstrip(' .')}; {lower_first(opening[1])}"
    return sentence_case(f"The customer {verb} {lower_first(text)}")


def _agent_sentence(steps: list[Claim], messages: list[Message], sit: list[Claim]) -> str:
    """Say what the agent did, asked for, or answered, preferring actions."""
    did = [c for c in steps if not c.text.startswith(("asked ", "suggested ", "customer already"))]
    asked = [c for c in steps if c.text.startswith(("asked ", "suggested "))]
    if did:
        return sentence_case("The agent " + did[0].text)
    if asked:
        return sentence_case("The agent " + asked[0].text)
    answer = _best_answer(messages, sit)
    if answer:
        return sentence_case("The agent replied that " + lower_first(agent_voice(answer)))
    return "No agent has replied yet." if not any(m.role == "agent" for m in messages) else ""


def _best_answer(messages: list[Message], sit: list[Claim]) -> str:
    """Pick the public agent sentence that best answers the stated problem."""
    problem = {w for c in sit for w in words(c.text)} - _STOP
    best, best_score = "", 0.0
    for rank, message in enumerate(m for m in messages if m.role == "agent" and m.comment.public):
        for sentence in message.sentences:
            tokens = words(sentence)
            if len(tokens) < 4 or _SMALL_TALK.match(sentence) or is_apology(sentence):
                continue
            content = set(tokens) - _STOP
            score = len(content & problem) + min(len(content), 12) / 6 - 0.5 * rank
            if score > best_score:
                best, best_score = sentence, score
    return best


def _promise_sentence(promise: Promise, timezone: str) -> str:
    """Say what was promised and, when stated, when it falls due."""
    text = sentence_case(agent_voice(promise.text)).rstrip(".")
    text = text if normalise(text).startswith(("the agent", "the team")) else f"Promised: {text}"
    if promise.deadline is None:
        return f"{text}."
    return f"{text} (due {format_moment(promise.deadline, timezone)})."


def _state_sentence(tone: ToneReading) -> str:
    """Say how the customer feels when it should change how the next agent writes."""
    kinds = {kind for kind, _, _ in tone.cues}
    if tone.tone == "frustrated":
        extra = " and has mentioned leaving" if "churn" in kinds else ""
        return f"The customer is frustrated{extra}."
    if tone.churn_risk:
        return "The customer has mentioned leaving or cancelling."
    return ""


def format_moment(moment: datetime, timezone: str) -> str:
    """Format a deadline for a note: weekday, date and time in the account's zone."""
    return f"{moment.astimezone(ZoneInfo(timezone)):%a %d %b %Y %H:%M} {timezone}"

"""Put customer and agent sentences into the third person a handoff note is written in.

"I was charged twice" reads as the note writer's own problem; "the customer says
they were charged twice" does not. The rules are small and predictable on purpose.
"""

from __future__ import annotations

import re

_CUSTOMER_SWAPS = (
    (r"\bI'm\b|\bI’m\b", "they're"), (r"\bI am\b", "they are"), (r"\bI was\b", "they were"),
    (r"\bI've\b|\bI’ve\b", "they've"), (r"\bI'll\b|\bI’ll\b", "they'll"), (r"\bI'd\b", "they'd"),
    (r"\bI\b", "they"), (r"\bmy\b", "their"), (r"\bme\b", "them"),
    (r"\bmyself\b", "themselves"), (r"\bmine\b", "theirs"),
    (r"\byou guys\b", "the company"), (r"\byour\b", "the company's"), (r"\byou\b", "the company"),
)
_AGENT_SWAPS = (
    (r"\bI'll\b|\bI’ll\b|\bI will\b", "the agent will"), (r"\bwe'll\b|\bwe’ll\b|\bwe will\b", "the team will"),
    (r"\bI've\b|\bI’ve\b|\bI have\b", "the agent has"), (r"\bwe've\b|\bwe’ve\b|\bwe have\b", "the team has"),
    (r"\bI'm\b|\bI’m\b|\bI am\b", "the agent is"), (r"\bwe're\b|\bwe’re\b|\bwe are\b", "the team is"),
    (r"\bI was\b", "the agent was"), (r"\bwe were\b", "the team was"), (r"\bI'd\b", "the agent would"),
    (r"\bwe'd\b", "the team would"), (r"\bI\b", "the agent"), (r"\bwe\b", "the team"),
    (r"\bme\b", "the agent"), (r"\bmyself\b", "themselves"), (r"\bus\b", "the team"),
    (r"\bour\b", "the company's"), (r"\bmy\b", "the agent's"),
    (r"\byou're\b|\byou’re\b|\byou are\b", "the customer is"), (r"\byou've\b|\byou have\b", "the customer has"),
    (r"\byou'll\b|\byou’ll\b", "the customer will"), (r"\byou were\b", "the customer was"),
    (r"\byour\b", "their"), (r"\byourself\b", "themselves"), (r"\byou\b", "the customer"),
)
_LEAD_SUBJECT = re.compile(
    r"^(?:(?:ok|okay|so|also|just|now|today|yesterday|earlier|already),?\s+)*"
    r"(?:i|we)(?:'ve|’ve| have| had|'d| already| just| also)*\s+",
    re.IGNORECASE,
)
_REQUEST = re.compile(
    r"^(?:(?:ok|okay|so|also|meanwhile|in the meantime|for now),?\s+)*(?:please|kindly|"
    r"could you(?: please)?|can you(?: please)?|would you(?: mind)?(?: please)?|"
    r"(?:i'd|we'd|i would|we would) (?:like|ask|recommend|suggest) (?:you )?(?:to )?|"
    r"(?:i|we) (?:recommend|suggest)(?: that you)?|go ahead and)\s+|^(?=try\b)",
    re.IGNORECASE,
)
_FILLER = re.compile(
    r"^(?:(?:hi|hello|hey|dear)\b[^,.!]{0,30}[,.!]\s*|(?:[A-Z][a-z]+|yes|ok|okay|sure),\s+)",
    re.IGNORECASE,
)
_NOT_A_STEP = re.compile(
    r"^(?:excuse|bear with|hold on|be patient|note that|let (?:us|me) know if|reach out if|"
    r"feel free|have a|enjoy|keep an eye)", re.IGNORECASE,
)


def _apply(sentence: str, swaps: tuple[tuple[str, str], ...]) -> str:
    """Apply word swaps in order, each at most once per position."""
    for pattern, replacement in swaps:
        sentence = re.sub(pattern, replacement, sentence, flags=re.IGNORECASE)
    return sentence


def customer_voice(sentence: str) -> str:
    """Rewrite a customer's sentence from "I" to "they"."""
    return _apply(_FILLER.sub("", sentence).strip(), _CUSTOMER_SWAPS)


def agent_voice(sentence: str) -> str:
    """Rewrite an agent's sentence to name "the agent", "the team" and "the customer"."""
    return _apply(_FILLER.sub("", sentence).strip(), _AGENT_SWAPS)


def request_clause(sentence: str) -> str | None:
    """Return "asked the customer to clear the cache" from "Could you clear the cache?"."""
    stripped = _FILLER.sub("", sentence).strip()
    match = _REQUEST.match(stripped)
    if not match:
        return None
    rest = stripped[match.end() :].rstrip(" ?!.")
    if len(rest.split()) < 2 or _NOT_A_STEP.match(rest):
        return None
    first = rest.split()[0].lower()
    verb = "suggested " if first.endswith("ing") else "asked the customer to "
    return verb + agent_voice(rest)


def action_clause(sentence: str) -> str:
    """Return "refunded the charge" from "I've refunded the charge.", in the agent's voice."""
    stripped = _FILLER.sub("", sentence).strip()
    rest = _LEAD_SUBJECT.sub("", stripped, count=1)
    return agent_voice(rest).rstrip(" .!")


def lower_first(text: str) -> str:
    """Lower-case the first letter unless the first word is an acronym or "I"."""
    if len(text) > 1 and text[0].isupper() and not text[1].isupper() and not text.startswith("I "):
        return text[0].lower() + text[1:]
    return text


def sentence_case(text: str) -> str:
    """Capitalise the first letter and end with one full stop."""
    text = text.strip().rstrip(" .;,")
    if not text:
        return ""
    end = "" if text[-1] in "?!" else "."
    return text[0].upper() + text[1:] + end

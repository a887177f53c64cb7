"""Read the customer's state: a lexicon sentiment model plus cues people actually write.

VADER scores polite complaints as neutral, so explicit cues (cancelling, switching
provider, "third time I'm writing", "customer for years") carry the churn signal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from plugin.summary.commitments import normalise, says_resolved

_FRUSTRATION = re.compile(
    r"\b(?:ridiculous|unacceptable|absurd|a joke|joke|useless|terrible|worst|awful|pathetic|"
    r"disgusting|fed up|sick of|tired of|frustrat\w*|furious|angry|annoyed|annoying|"
    r"disappointed|disappointing|outrageous|insane|waste of|incompetent|shocking|appalling|"
    r"nobody|no one (?:has|is|ever|bothered)|still (?:\w+ )?(?:not|no|waiting|haven't|hasn't|"
    r"isn't|can't|doesn't|don't|nothing)|(?:got|had|received|with) no (?:answer|reply|response)|"
    r"ugh|argh|come on|actually \w+ this time|(?:really|so|very|extremely|incredibly|absolutely) "
    r"(?:bad|poor|annoying|frustrating|disappointing|unhappy|upset|awful)|how many times|"
    r"keep (?:getting|being|asking|telling)|"
    r"(?:second|third|fourth|fifth|\d+(?:st|nd|rd|th)) time|(?:days|weeks|hours) (?:now|later)|"
    r"speak (?:to|with) (?:a|your) (?:manager|supervisor)|not good enough|seriously|"
    r"what is going on|sort (?:this|it) out|unbelievable|(?:losing|lost|costing us) (?:a |\w+ )?"
    r"(?:sales?|customers|money|business|orders|revenue)|hours of my time|can't believe|"
    r"nightmare|wtf|damn|hell|embarrass\w*|ignored|"
    r"scam|rip-?off|disaster|(?:want|need) (?:my|our) money back|"
    r"nothing (?:happened|has happened|has changed|has been done)|(?:last|other|previous) "
    r"(?:agent|person|rep) (?:said|told|promised)|it's been (?:\d+|a few|two|three|four|five|"
    r"several) (?:days|weeks|hours)|without (?:any )?(?:notice|warning|explanation|reply|"
    r"response)|(?:second|third|fourth|fifth) (?:outage|incident|ticket|email|call|request|"
    r"attempt))\b|!{2,}|\?{2,}|\?!"
)
_CHURN = re.compile(
    r"\b(?:(?:cancel|cancelling|canceling|terminate|end|close|delete)\s+(?:my |our |the )?"
    r"(?:\w+ )?(?:subscription|account|plan|membership|service|contract|license|licence)|"
    r"(?:going|want|wants|planning|about|thinking|considering|ready|plan) (?:to |of |about )?"
    r"(?:cancel|cancelling|canceling|leave|leaving|switch|switching)|i(?:'ll| will) cancel|"
    r"switch(?:ing)? (?:to|over to|provider|providers|companies|banks|carriers)|"
    r"(?:move|moving|go|going|take) (?:my|our) (?:business|account|money)|"
    r"(?:move|moving|go|going) (?:over )?to (?:a )?(?:competitor|another|different|\w+ instead)|"
    r"take (?:my|our) business elsewhere|(?:not|won't) (?:be )?renew\w*|competitor|"
    r"find (?:another|a different|a new) (?:provider|company|bank|service|supplier|tool)|"
    r"(?:evaluating|considering|looking at|exploring|trialling|testing) (?:other|alternative|"
    r"different) (?:vendors|providers|options|solutions|tools|companies|suppliers)|"
    r"done with (?:you|your|this)|last chance|chargeback|dispute (?:the|this) charge)\b"
)
_LOYALTY = re.compile(
    r"\b(?:(?:customer|member|subscriber|client|user) (?:for|since) (?:\w+ ){0,2}?"
    r"(?:years?|\d{4}|decades?|a long time)|(?:paying|using|subscribed|with you) (?:for|since) "
    r"(?:\w+ ){0,2}?(?:years?|\d{4})|(?:\w+ ){0,1}years? (?:as a|of being a) (?:loyal )?customer|"
    r"loyal customer|long[- ]time (?:customer|user|subscriber)|(?:used|been using|been with) "
    r"(?:\w+ ){0,2}?for (?:\w+ )?(?:years|decades))\b"
)
_REPEAT = re.compile(
    r"\b(?:(?:second|third|fourth|fifth|\d+(?:st|nd|rd|th)) time|already (?:called|emailed|"
    r"contacted|written|explained|told|sent|reported|chatted)|contacted (?:you|support) "
    r"(?:\w+ )?(?:times|before|already|again)|how many times|again and again|"
    r"(?:called|emailed|written|chatted) (?:\w+ )?(?:times|twice))\b"
)
_POSITIVE = re.compile(
    r"\b(?:thanks?|thank you|great|perfect|awesome|appreciate\w*|brilliant|excellent|lovely|"
    r"amazing|wonderful|happy|glad|love)\b"
)


@dataclass(frozen=True)
class ToneReading:
    """The customer's state and the sentences that showed it, by comment id."""

    tone: str
    churn_risk: bool
    cues: tuple[tuple[str, str, str], ...]
    confidence: float


@lru_cache(maxsize=1)
def _analyzer() -> SentimentIntensityAnalyzer:
    """Load VADER's bundled lexicon once per process."""
    return SentimentIntensityAnalyzer()


def read_tone(messages: list[tuple[str, list[str]]]) -> ToneReading:
    """Judge tone and churn risk from customer messages: (comment id, sentences), in order."""
    cues: list[tuple[str, str, str]] = []
    scores: list[float] = []
    for comment_id, sentences in messages:
        text = " ".join(sentences)
        scores.append(_analyzer().polarity_scores(text)["compound"] if text else 0.0)
        cues.extend(_cues(comment_id, sentences))
    kinds = [kind for kind, _, _ in cues]
    tone, confidence = _decide(scores, kinds, messages)
    if tone == "frustrated" and "frustration" not in kinds:
        cues.append(_most_negative(messages))
    churn = "churn" in kinds or (tone == "frustrated" and "loyalty" in kinds)
    return ToneReading(tone, churn, tuple(cues), confidence)


def _most_negative(messages: list[tuple[str, list[str]]]) -> tuple[str, str, str]:
    """Return the customer sentence VADER scores lowest, as evidence for a frustrated tone."""
    scored = [
        (_analyzer().polarity_scores(sentence)["compound"], index, comment_id, sentence)
        for index, (comment_id, sentences) in enumerate(messages)
        for sentence in sentences
    ]
    _, _, comment_id, sentence = min(scored)
    return ("frustration", comment_id, sentence)


def _cues(comment_id: str, sentences: list[str]) -> list[tuple[str, str, str]]:
    """List the (kind, comment id, sentence) cues a message carries."""
    found: list[tuple[str, str, str]] = []
    for sentence in sentences:
        low = normalise(sentence)
        shouting = len(re.findall(r"\b[A-Z]{3,}\b", sentence)) >= 3
        for kind, pattern in (("churn", _CHURN), ("loyalty", _LOYALTY), ("repeat", _REPEAT)):
            if pattern.search(low):
                found.append((kind, comment_id, sentence))
        if _FRUSTRATION.search(low) or shouting:
            found.append(("frustration", comment_id, sentence))
    return found


def _decide(
    scores: list[float], kinds: list[str], messages: list[tuple[str, list[str]]]
) -> tuple[str, float]:
    """Combine sentiment and cues into a tone and a confidence between 0 and 1."""
    if not scores:
        return "neutral", 0.3
    lowest, last = min(scores), scores[-1]
    strong = kinds.count("frustration") + kinds.count("repeat")
    churn = "churn" in kinds
    if strong >= 2 or (strong == 1 and (churn or lowest <= -0.25)) or lowest <= -0.8:
        return "frustrated", min(1.0, 0.6 + 0.1 * strong + max(0.0, -lowest) / 4)
    last_sentences = messages[-1][1]
    last_text = normalise(" ".join(last_sentences))
    pleased = last >= 0.5 or (last >= 0.3 and (
        last_text.rstrip().endswith("!") or any(says_resolved(s) for s in last_sentences)))
    if pleased and _POSITIVE.search(last_text) and not strong:
        return "positive", min(1.0, 0.5 + last / 2)
    return "neutral", max(0.3, 0.7 - 0.2 * strong)

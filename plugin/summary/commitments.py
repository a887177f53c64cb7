"""Find what agents committed to, apologised for and escalated, sentence by sentence.

These feed the context flags the next agent relies on: a missed promise or a second
apology for the same fault is what makes a handoff visible to the customer.
"""

from __future__ import annotations

import re

_ADVERBS = r"(?:(?:also|personally|definitely|certainly|then|both|now|gladly|happily|" \
    r"absolutely|be sure to|make sure to|try to|aim to|still|promptly|immediately)\s+)*"
_SELF_FUTURE = r"\b(?:i|we)\s*(?:'ll|’ll|\s+will|\s+shall|'re going to|’re going to|'m going to|" \
    r"’m going to|\s+are going to|\s+am going to)\s+"
_ACTS = (
    r"(?:call|ring|phone|get back|follow up|follow-up|update|send|email|e-mail|reply|respond|"
    r"let you know|reach out|contact|check|double-check|investigate|look into|look at|dig into|"
    r"refund|process|credit|escalate|have (?:an?|the|this|it|your|someone)|ship|dispatch|post|"
    r"fix|resolve|confirm|keep you|notify|arrange|issue|reissue|replace|review|text|message|"
    r"circle back|monitor|be in touch|touch base|chase|push|raise|pass|forward|report|"
    r"get (?:this|it|that|you|your|an?)|sort|expedite|waive|apply|cancel|reset|restore|book|"
    r"schedule|ask|flag|loop in|reverse|return|write|set up|activate|unlock|reactivate|"
    r"reimburse|transfer|delete|remove|share|deliver|walk you|organi[sz]e|extend|add)"
)
_PROMISE_PATTERNS = (
    re.compile(_SELF_FUTURE + _ADVERBS + _ACTS + r"\b"),
    re.compile(r"\b(?:i|we)\b[^;!?]*?\band (?:will|'ll also|shall)\s+" + _ADVERBS + _ACTS + r"\b"),
    re.compile(
        r"\b(?:someone(?: from [\w ]{1,30}?)?|(?:a|one of our|our|the) (?:[\w-]+ ){0,2}?"
        r"(?:team|department|engineers?|"
        r"specialists?|technicians?|colleagues?|manager|supervisor|courier|agents?))\s+"
        r"(?:will|is going to|shall)\s+" + _ADVERBS + _ACTS + r"\b"
    ),
    re.compile(
        r"\byou(?:'ll|’ll| will| should)\s+(?:\w+\s+)?(?:hear (?:back )?from|receive|get|have)\s+"
        r"(?:(?:a|an|the|your|our|my|us|me|back)\b.*)?\b(?:call|update|reply|response|email|"
        r"refund|answer|replacement|credit|confirmation|link|code|us|me|invoice|label)\b"
    ),
    re.compile(r"\bexpect (?:a|an|the|our|my) (?:call|update|reply|response|email|refund|answer)"),
    re.compile(
        r"\b(?:it|they|the (?:replacement|refund|refunds|parcel|package|order|item|credit|"
        r"money|new \w+))\s+(?:should|will)\s+(?:\w+ )?(?:arrive|reach you|appear|show|be "
        r"(?:delivered|credited|back|with you|refunded))\b"
    ),
    re.compile(r"\b(?:i|we) (?:promise|guarantee)\b"),
    re.compile(r"\byou(?:'ll| will) have (?:it|them|this|that|the \w+|your \w+)\b"),
    re.compile(r"\bthey(?:'ll| will)\s+" + _ADVERBS + _ACTS + r"\b.*\byou\b"),
)
_REPORTED_PROMISE = re.compile(
    r"\b(?:(?:told|informed)\s+(?:the\s+)?(?:customer|cx|client|them|him|her)\b.*\b(?:we'd|"
    r"we would|i'd|i would|will|by|within|tomorrow|today)\b|(?<!they )(?<!customer )"
    r"(?:promised|assured|committed to))"
)
_NOT_PROMISE = re.compile(
    r"\b(?:will need|'ll need|will have to|'ll have to|will be (?:happy|glad|here)|"
    r"'ll be (?:happy|glad|here)|won't|will not|can't promise|cannot promise|can't guarantee|"
    r"cannot guarantee|unable to|if you (?:want|need|like|have)|hope to|feel free)\b"
)
_CONDITIONAL = re.compile(r"^\s*(?:if|unless|should|in case|whether)\b|,\s*if\b|\bif (?:so|not)\b")

_APOLOGY = re.compile(
    r"\b(?:sorry|apologi[sz]e|apologies|apology|apologi[sz]ing|my bad|our bad|"
    r"(?:i|we) regret|pardon the)\b"
)
_NOT_APOLOGY = re.compile(
    r"\b(?:no need to apologi[sz]e|don'?t apologi[sz]e|not sorry|sorry,? (?:but|could|can|"
    r"what|who|where|which|did|do|i didn't|i missed|wrong)|no apology)\b"
)
_REPORTED_APOLOGY = re.compile(r"\b(?:apologi[sz]ed|said sorry)\b")

_ESCALATION = re.compile(
    r"\b(?:escalat(?:e|ed|ing|ion)|rais(?:ed|ing) (?:this|it|a ticket|a bug|an incident|a case|"
    r"the [\w -]{1,25}? with)|"
    r"(?:passed|handed|forwarded|transferred|sent|referred)(?: (?:this|it|your case|your "
    r"request|the case|the issue|your ticket))? (?:on |over )?to (?:our|the|a) |loop(?:ed|ing)? in|"
    r"tier[ -]?[23]|level[ -]?[23] (?:support|team)|second[- ]line|senior (?:engineer|"
    r"technician|team)|engineering team|(?:dev|development|product) team)"
)
_NOT_ESCALATION = re.compile(
    r"\b(?:no need to escalate|not (?:been )?escalated|don'?t escalate|won'?t escalate|"
    r"can'?t escalate|cannot escalate|unable to escalate)\b|^\s*if\b|\bif (?:that|this|it) "
    r"(?:doesn't|does not|don't|fails|still)"
)
_RESOLVED = re.compile(
    r"\b(?:(?:that|it|this) (?:worked|did the trick|fixed it|solved it|sorted it)|"
    r"(?:is|are|now|it's|all|everything's) (?:working|resolved|fixed|sorted)(?: now)?\b(?! yet)|"
    r"(?:works?|working|going through|prints? fine|loads? fine) (?:now|again)|"
    r"(?:can|able to) (?:now )?(?:log|sign) in\b|"
    r"all (?:good|sorted|set) now|problem solved|issue (?:is )?resolved|works (?:now|again)|"
    r"received (?:it|the refund|my refund|the package|my order))"
)
_UNRESOLVED = re.compile(r"\b(?:not|n't|still|no longer|never)\b")


def normalise(sentence: str) -> str:
    """Lower-case a sentence and straighten curly apostrophes for matching."""
    return sentence.lower().replace("’", "'").replace("‘", "'")


def is_promise(sentence: str, internal: bool = False) -> bool:
    """Tell whether an agent sentence commits to a future action for the customer."""
    low = normalise(sentence)
    if internal:
        return bool(_REPORTED_PROMISE.search(low)) and not _NOT_PROMISE.search(low)
    if low.rstrip().endswith("?") or _NOT_PROMISE.search(low) or _CONDITIONAL.search(low):
        return False
    return any(pattern.search(low) for pattern in _PROMISE_PATTERNS)


def is_apology(sentence: str, internal: bool = False) -> bool:
    """Tell whether an agent sentence apologises (or, in a note, reports an apology)."""
    low = normalise(sentence)
    if _NOT_APOLOGY.search(low):
        return False
    if internal:
        return bool(_REPORTED_APOLOGY.search(low))
    return bool(_APOLOGY.search(low))


def is_escalation(sentence: str) -> bool:
    """Tell whether an agent sentence says the case went (or goes) to a higher tier."""
    low = normalise(sentence)
    return bool(_ESCALATION.search(low)) and not _NOT_ESCALATION.search(low)


def says_resolved(sentence: str) -> bool:
    """Tell whether a customer sentence reports that the problem is gone."""
    low = normalise(sentence)
    match = _RESOLVED.search(low)
    return bool(match) and not _UNRESOLVED.search(low[: match.start()][-25:])

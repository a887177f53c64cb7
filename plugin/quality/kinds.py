"""What a question can ask for, and how to find that thing in what the customer already wrote.

Each Kind pairs an "ask" pattern (does this question request it?) with a finder (is it
in this text, and what is the value?). Patterns are lexicons, not models, so a wrong
verdict can be traced to one line here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from plugin.quality.text import content_stems, split_sentences

Finder = Callable[[str, str], "str | None"]
_I = re.IGNORECASE
_ID_FILLER = r"(?:\s*(?:number|no\.?|nr\.?|num|ids?|#|code|ref(?:erence)?|is|was|:|-))*\s*"
_ID_VALUE = r"(?P<v>#?[A-Za-z0-9][\w-]*\d[\w-]*)"
_ID_ASK = r"\s*(?:numbers?|num|no\.?|nr|#|ids?|codes?|ref|reference)\b"


@dataclass(frozen=True)
class Kind:
    """One kind of information a reply may ask for again."""

    name: str
    ask: re.Pattern[str]
    find: Finder
    from_anyone: bool = True  # agents' and forms' statements count too, not only the customer's
    confirmable: bool = True  # a question quoting a value of this kind only confirms it


def _first(compiled: re.Pattern[str], text: str) -> str | None:
    """Return the first match's value group (or whole match)."""
    match = compiled.search(text)
    if match is None:
        return None
    return (match.groupdict().get("v") or match.group(0)).strip()


def identifier(nouns: str, extra: str = "") -> tuple[re.Pattern[str], Finder]:
    """Build ask/find for an identifier introduced by one of ``nouns`` (order 88-1920, INV-2291)."""
    anchored = re.compile(rf"\b(?:{nouns})\b{_ID_FILLER}{_ID_VALUE}" + (f"|(?P<x>{extra})" if extra else ""), _I)
    ask = re.compile(rf"\b(?:{nouns}){_ID_ASK}|\b(?:which|what) (?:{nouns})s?\b", _I)

    def find(text: str, _question: str) -> str | None:
        """Find the identifier: a noun then a value with a digit, or a known prefix."""
        for match in anchored.finditer(text):
            value = match.group("v") or (match.groupdict().get("w") or match.group("x") if extra else None)
            if value and len(value.strip("#")) >= 3:
                return value.strip()
        return None

    return ask, find


def pattern(regex: str) -> Finder:
    """Make a finder from one regex."""
    compiled = re.compile(regex, _I)
    return lambda text, _question: _first(compiled, text)


_PHONE = re.compile(r"(?<![\w-])\+?\(?\d[\d\s().-]{6,}\d(?![\w-])")
_PHONE_CONTEXT = re.compile(r"\b(?:phone|call|mobile|cell|reach|number|tel|whatsapp)\b", _I)


def find_phone(text: str, _question: str) -> str | None:
    """Find a phone number: 9-15 digits, written with separators or next to a phone word."""
    for sentence in split_sentences(text):
        for match in _PHONE.finditer(sentence):
            value = match.group(0).strip()
            digits = re.sub(r"\D", "", value)
            formatted = bool(re.search(r"[+\s().]", value)) or _PHONE_CONTEXT.search(sentence)
            if 9 <= len(digits) <= 15 and formatted and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                return value
    return None


_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_WEEKDAY = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day"
_DATE = re.compile(
    rf"\b{_MONTH}\.? \d{{1,2}}(?:st|nd|rd|th)?\b|\b\d{{1,2}}(?:st|nd|rd|th)? (?:of )?{_MONTH}\b"
    rf"|\b(?:in|since|on|early|mid|late|last|this|end of) {_MONTH}\b|\b\d{{4}}-\d{{2}}-\d{{2}}\b"
    rf"|\b\d{{1,2}}[/.]\d{{1,2}}(?:[/.]\d{{2,4}})?\b|\b(?:on|since|last|this|past) {_WEEKDAY}\b"
    r"|\b(?:on|since|from) the \d{1,2}(?:st|nd|rd|th)\b|\byesterday\b|\blast (?:night|week|month)\b"
    r"|\bthis (?:morning|afternoon|evening)\b|\bearlier today\b"
    r"|\b(?:a|an|one|two|three|\d+) (?:minutes?|hours?|days?|weeks?|months?) ago\b"
    r"|\b(?:since|at|around|about|from) (?:about |around )?\d{1,2}(?::\d{2})?\s*(?:am|pm|utc|gmt|[a-z]{2,4}t)\b"
    r"|\b(?:since|at|around|about|from) (?:about |around )?\d{1,2}:\d{2}\b",
    _I,
)
DATE_ASK = re.compile(
    r"\bwhen (?:did|was|were|have|has|had|exactly|approximately|roughly|first)\b|\bsince (?:when|what)\b"
    r"|\b(?:what|which) (?:date|day|time)\b|\bhow long (?:ago|has|have)\b|\bthe (?:date|day|time)\b|\bdate of\b",
    _I,
)
_DATE_GENERIC = frozenset(
    {"first", "start", "began", "begin", "notic", "see", "saw", "happen", "occur", "issu", "problem", "error",
     "exact", "approximately", "roughly", "around", "time", "date", "day", "long", "ago", "since", "seen",
     "experienc"}
)


def _date_topic(question: str) -> set[str]:
    """Name what the date is of ("the charge", "the order"), from the words after the ask."""
    match = DATE_ASK.search(question)
    if match is None:
        return set()
    tail = re.split(r"[,;?.!]|\b(?:and|or|but|so)\b", question[match.end():], maxsplit=1)[0]
    return content_stems(tail) - _DATE_GENERIC


def find_date(text: str, question: str) -> str | None:
    """Find a date or time, in a sentence about the same thing as the question when it names one."""
    topic = _date_topic(question)
    for sentence in split_sentences(text):
        match = _DATE.search(sentence)
        if match and (not topic or topic & content_stems(sentence)):
            return match.group(0)
    return None


_ERROR = re.compile(
    r"[\"']error[\"']\s*:\s*[\"'][^\"']+[\"']|(?<!\w)(?P<v>[\"“'‘][^\"”'’\n]{6,160}[\"”'’])(?!\w)"
    r"|(?<=says )(?P<s>[^.?!]{4,120})"
    r"|\b(?:error|code|status)\s*:?\s*\(?[A-Z]{0,4}[-_]?\d{2,5}\b|\bHTTP\s*[45]\d\d\b"
    r"|\b[45]\d\d (?:Bad Gateway|Bad Request|Internal Server Error|Service Unavailable|Not Found|Forbidden"
    r"|Unauthorized|Gateway Time-?out|Too Many Requests)\b"
    r"|\b[A-Z]\w+(?:Error|Exception)\b",
    _I,
)
_ERROR_CONTEXT = re.compile(
    r"\b(?:error|message|says?|said|shows?|response|fails?|failed|returns?|code|warning|get|got|getting|see|seeing"
    r"|appears?|pops? up)\b",
    _I,
)


def find_error(text: str, _question: str) -> str | None:
    """Find an error the customer reported: a code, an HTTP status, an exception, or quoted wording."""
    for sentence in split_sentences(text):
        if not _ERROR_CONTEXT.search(sentence):
            continue
        match = _ERROR.search(sentence)
        if match:
            return match.group(0).strip()
    return None


_ACTIONS = {
    "cache": r"\bcache|\bcookies?\b",
    "restart": r"\brestart|\breboot|\bturn(?:ed|ing)? (?:it )?off and on",
    "reinstall": r"\breinstall|\bre-install|\bun-?install",
    "private": r"\bincognito|\bprivate (?:window|mode|browsing)",
    "logout": r"\blog(?:ged|ging)? out\b|\bsign(?:ed|ing)? out\b",
    "update": r"\bupdat|\bupgrad|\blatest version",
    "password": r"\bpassword reset|\breset(?:ting)? (?:my |the |your )?password",
    "spam": r"\bspam\b|\bjunk\b",
}
_ATTEMPT = re.compile(
    r"\b(?:tried|already|didn't help|did not help|doesn't help|no luck|same (?:result|thing|error|problem))\b"
    r"|\b(?:i|we)(?:'ve| have)? (?:cleared|restarted|rebooted|reinstalled|reset|updated|logged out|signed out)\b",
    _I,
)


def find_attempt(text: str, question: str) -> str | None:
    """Find a fix the customer says they tried: the one the question names, or any when it names none."""
    named = [rx for rx in _ACTIONS.values() if re.search(rx, question, _I)]
    for sentence in split_sentences(text):
        if _ATTEMPT.search(sentence) and (not named or any(re.search(rx, sentence, _I) for rx in named)):
            return sentence
    return None


def find_description(text: str, _question: str) -> str | None:
    """Treat a message of a dozen words or more as the customer having described the problem."""
    if len(re.findall(r"\w+", text)) < 12:
        return None
    sentences = split_sentences(text)
    first = next((s for s in sentences if len(s.split()) >= 5), sentences[0])
    return first if len(first) <= 160 else first[:157] + "..."

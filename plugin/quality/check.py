"""The repeat-question check: did the receiving agent's first reply ask for what the customer gave?

Pure and deterministic: comments and a reply in, a verdict out. Rules of judgement:
- a question counts when it requests a kind of information (catalog.KINDS) that the
  conversation before the handoff already holds, or repeats an earlier agent question
  the customer answered;
- a question that quotes the value ("Just to confirm, your order is A-1043?") or says
  "you mentioned ..." and asks only yes/no is a confirmation, not a repeat; "Could you
  confirm your order number?" without the value is a repeat;
- a request to do something new and report back ("try clearing the cache and tell me if
  it works"), or for another / new / different item, asks for new information.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from plugin.model import Comment
from plugin.quality.catalog import KINDS
from plugin.quality.kinds import Kind
from plugin.quality.text import content_stems, html_to_text, looks_like_html, plain, split_sentences, strip_quoted

_I = re.IGNORECASE
_VERBS = (
    r"(?:send|share|provide|confirm|tell|let|give|include|attach|describe|explain|reply|forward|paste|upload|list"
    r"|verify)"
)
_REQUEST = re.compile("|".join((
    r"^\W*(?:please|kindly|send|share|provide|confirm|paste|attach|describe|explain|forward|upload|give)\b",
    rf"\b(?:please|kindly) {_VERBS}\b",
    rf"\b(?:can|could|would|will) you (?:please )?{_VERBS}\b",
    r"\bi(?:'ll| will)? need (?:your|the|a|an|to (?:know|see|get|have))\b",
    r"\b(?:i|we)(?:'d| would) need\b",
    r"\b(?:let|tell) (?:me|us)\b",
    r"\bsend (?:me|us|over)\b",
    r"\b(?:reply|respond) with\b",
    r"\bif you could\b",
    r"\bmind (?:sharing|sending|telling)\b",
)), _I)
_NEW_ACTION = re.compile("|".join((  # asks to do something and report back: the answer will be new
    r"\b(?:can|could|would|will) you (?:please )?(?:try|retry)\b",
    r"\b(?:please|kindly) (?:try|retry)\b",
    r"^\W*(?:try|retry)\b",
    r"\b(?:try|retry)(?:ing)? (?:\w+\W+){0,5}and (?:let|tell|see|check|report)\b",
    r"\byou (?:could|might|can) try\b",
    r"\b(?:once|after) you(?:'ve)? \w+",
    r"\bnext time\b|\bfrom now on\b|\bgoing forward\b|\bstill\b|\banything else\b",
)), _I)
_NEW_ITEM = re.compile(  # "another order", "the new email": right before the asked-for noun
    r"\b(?:another|other|additional|new|different|second|extra|any more)\W+(?:\w+\W+){0,2}$", _I
)
_OWN_INBOX = re.compile(  # "check your email": look somewhere, not tell us the address
    r"\b(?:check|checking|look in|looking in|search|open|monitor|keep an eye on)\W+(?:\w+\W+)?$", _I
)
_ACK = re.compile(
    r"\byou (?:mentioned|said|noted|wrote|told (?:us|me)|shared|indicated)\b|\bas you (?:mentioned|said)\b", _I
)
_FUTURE = re.compile(r"\bwhen (?:would|will|can|could|should|is|are)\b|\bgood time\b|\bwould you like\b", _I)
_WH = re.compile(r"\b(?:what|which|when|where|how)\b", _I)
_UNSURE = re.compile(r"\b(?:not sure|don't know|do not know|no idea|can't remember|cannot remember|unsure)\b", _I)


@dataclass(frozen=True)
class AskedAgain:
    """One question in the reply that asked for something the conversation already had."""

    kind: str
    question: str
    given_in: str
    value: str


@dataclass(frozen=True)
class RepeatVerdict:
    """Whether the first reply after a handoff asked a repeat question, with the evidence."""

    repeat: bool
    asked_again: tuple[AskedAgain, ...]


def is_question(sentence: str) -> bool:
    """Tell whether a sentence asks the customer for something: a question mark or a request."""
    return "?" in sentence or bool(_REQUEST.search(sentence))


def asked_kinds(sentence: str) -> list[Kind]:
    """Return the kinds a question asks for, leaving out asks for new things (try, another, still)."""
    if _NEW_ACTION.search(sentence):
        return []
    kinds = []
    for kind in KINDS:
        match = kind.ask.search(sentence)
        if match is None or _future_date(kind, sentence):
            continue
        prefix = sentence[: match.start()]
        if not _NEW_ITEM.search(prefix) and not _OWN_INBOX.search(prefix):
            kinds.append(kind)
    return kinds


def _future_date(kind: Kind, sentence: str) -> bool:
    """A "when would suit you" question asks about the future, not a date the customer gave."""
    return kind.name == "date" and bool(_FUTURE.search(sentence))


def _norm(text: str) -> str:
    """Reduce a value to letters and digits so "#A-1043" and "a1043" compare equal."""
    return re.sub(r"[^a-z0-9@]", "", text.lower())


def _quotes(value: str, question: str) -> bool:
    """Tell whether the question reads the given value back, which makes it a confirmation."""
    offers_choices = re.search(r"\bor\b", question, _I)  # "iPhone or Android?" still makes them answer
    return len(_norm(value)) >= 3 and _norm(value) in _norm(question) and not offers_choices


def _sources(comments: Sequence[Comment], kind: Kind) -> list[Comment]:
    """Order where to look: the customer first, then forms and agents' notes when the kind allows."""
    customer = [c for c in comments if c.author_role == "customer"]
    if not kind.from_anyone:
        return customer
    return customer + [c for c in comments if c.author_role == "system"] + [
        c for c in comments if c.author_role == "agent"
    ]


def find_given(comments: Sequence[Comment], kind: Kind, question: str) -> AskedAgain | None:
    """Find the comment that already gave what ``question`` asks for, unless the question confirms it."""
    if _ACK.search(question) and not _WH.search(question):
        return None
    for comment in _sources(comments, kind):
        value = kind.find(plain(comment.body, comment.html), question)
        if value:
            if kind.confirmable and _quotes(value, question):
                return None
            return AskedAgain(kind.name, question, comment.id, value)
    return None


def _similar(first: str, second: str) -> bool:
    """Tell whether two questions ask the same thing: two or more shared stems, most of the shorter."""
    a, b = content_stems(first), content_stems(second)
    shared = a & b
    return len(shared) >= 2 and len(shared) >= 0.6 * min(len(a), len(b))


def earlier_answer(comments: Sequence[Comment], question: str) -> AskedAgain | None:
    """Find an earlier public agent question like this one that the customer then answered."""
    ordered = sorted(comments, key=lambda c: c.order)
    for index, comment in enumerate(ordered):
        if comment.author_role != "agent" or not comment.public:
            continue
        sentences = split_sentences(plain(comment.body, comment.html))
        asked = [s for s in sentences if "?" in s and _similar(s, question)]
        answer = next((c for c in ordered[index + 1:] if c.author_role == "customer"), None)
        if asked and answer is not None:
            text = plain(answer.body, answer.html)
            if text.strip() and not _UNSURE.search(text):
                return AskedAgain("earlier_answer", question, answer.id, split_sentences(text)[0][:160])
    return None


def reply_questions(first_reply: str) -> list[str]:
    """Return the reply's own question sentences, without the quoted thread."""
    text = html_to_text(first_reply) if looks_like_html(first_reply) else first_reply
    return [s for s in split_sentences(strip_quoted(text)) if is_question(s)]


def check_repeat(comments: Sequence[Comment], first_reply: str) -> RepeatVerdict:
    """Judge one handoff: which of the reply's questions ask again for what was already given."""
    found: list[AskedAgain] = []
    for question in reply_questions(first_reply):
        hits = [hit for kind in asked_kinds(question) if (hit := find_given(comments, kind, question))]
        if not hits and not _NEW_ACTION.search(question):
            hit = earlier_answer(comments, question)
            hits = [hit] if hit else []
        found.extend(hit for hit in hits if (hit.kind, hit.question) not in {(f.kind, f.question) for f in found})
    return RepeatVerdict(repeat=bool(found), asked_again=tuple(found))

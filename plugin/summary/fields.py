"""Pick the handoff fields out of the conversation: the situation and what was tried.

A sentence is kept with the comment it came from, so every statement in the note can
point at its source and nothing is stated that the ticket does not say.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from plugin.model import Comment, TicketContext
from plugin.summary.commitments import is_promise, normalise
from plugin.summary.rewrite import action_clause, customer_voice, request_clause
from plugin.summary.text import comment_text, split_sentences, words
from plugin.summary.types import Claim

_PROBLEM = re.compile(
    r"\b(?:not|n't|cannot|unable|error\w*|fail\w*|broken|missing|wrong|charged|twice|double|"
    r"refund\w*|declined|locked|lost|never|late|delay\w*|stuck|crash\w*|down|outage|issue|"
    r"problem|help|why|how|stopped|invalid|denied|damaged|cancel\w*|overcharged|billed|"
    r"deliver\w*|password|log ?in|access|still|again|bug|slow|expired|disappeared|blank|"
    r"arrived|order|account|payment|charge|invoice|can i|need|want|trying|tried)\b"
)
_SMALL_TALK = re.compile(
    r"^(?:hi|hello|hey|dear|good (?:morning|afternoon|evening)|thanks?|thank you|regards|"
    r"cheers|ok|okay|yes|no|sure|great|perfect|awesome|hope you)\b.{0,30}$",
    re.IGNORECASE,
)
_DID = re.compile(
    r"^(?:(?:ok|okay|so|also|just|now|today|yesterday|earlier|already),?\s+)*(?:i|we)"
    r"(?:'ve|’ve| have| had| already| just| also)*\s+(?:\w+ly\s+)?(?:refunded|reset|restarted|"
    r"cleared|checked|verified|confirmed|reissued|resent|re-sent|sent|issued|processed|"
    r"escalated|updated|changed|removed|added|unlocked|re-enabled|enabled|disabled|tested|"
    r"reproduced|replaced|cancell?ed|credited|applied|rebooted|reinstalled|created|opened|"
    r"raised|filed|contacted|spoke|called|tried|looked|investigated|ran|re-ran|traced|located|"
    r"found|submitted|forwarded|passed|synced|resynced|migrated|merged|upgraded|downgraded|"
    r"extended|waived|booked|scheduled|arranged|requested|flagged|reviewed|corrected|fixed|"
    r"restored|reactivated|adjusted|generated|regenerated|revoked|rolled|re-?shipped|"
    r"dispatched|logged|cleared|purged|whitelisted|allowlisted|emailed|notified|chased)\b",
    re.IGNORECASE,
)
_NOTE_DID = re.compile(
    r"^(?:refunded|reset|restarted|cleared|checked|verified|confirmed|reissued|resent|sent|"
    r"issued|processed|escalated|updated|removed|unlocked|tested|reproduced|replaced|"
    r"cancell?ed|credited|applied|called|tried|looked|investigated|ran|raised|filed|"
    r"contacted|spoke|forwarded|passed|reviewed|fixed|restored|chased|emailed|pinged)\b",
    re.IGNORECASE,
)
_CUSTOMER_TRIED = re.compile(
    r"\b(?:i|we)(?:'ve|’ve| have)?\s+(?:already\s+|also\s+)?(?:tried|restarted|cleared|"
    r"reinstalled|updated|reset|rebooted|logged out|checked|followed|uninstalled|unplugged|"
    r"changed|switched|contacted)\b",
    re.IGNORECASE,
)
_LATEST = re.compile(r"\b(?:still|again|now|anymore|any more|another|also|yet)\b")


@dataclass(frozen=True)
class Message:
    """One comment as the summarizer reads it: its position and its clean sentences."""

    position: int
    comment: Comment
    sentences: tuple[str, ...]

    @property
    def role(self) -> str:
        """Name who wrote it: customer, agent or system."""
        return self.comment.author_role


def read_messages(ctx: TicketContext) -> list[Message]:
    """Clean and split every comment, in the order they were written."""
    ordered = sorted(enumerate(ctx.comments), key=lambda pair: (pair[1].created_at, pair[0]))
    return [
        Message(position, comment, tuple(split_sentences(comment_text(comment))))
        for position, (_, comment) in enumerate(ordered, start=1)
    ]


def problem_score(sentence: str, subject_words: set[str], position: int) -> float:
    """Score how well a customer sentence states the problem."""
    if _SMALL_TALK.match(sentence.strip()):
        return -5.0
    tokens = words(sentence)
    hits = min(3, len(_PROBLEM.findall(normalise(sentence))))
    overlap = min(3, len(subject_words & set(tokens)))
    size = 1.0 if 5 <= len(tokens) <= 40 else (-1.0 if len(tokens) < 4 else 0.0)
    return 2.0 * hits + overlap + size - 0.4 * position


def situation(messages: list[Message], subject: str) -> list[Claim]:
    """Choose up to two opening sentences that state the problem, plus its latest status."""
    customer = [m for m in messages if m.role == "customer" and m.sentences]
    if not customer:
        return []
    subject_words = {w for w in words(subject) if len(w) > 3}
    opening = customer[:2] if len(customer[0].sentences) < 3 else customer[:1]
    ranked = [
        (problem_score(s, subject_words, i), m.position, i, s, m.comment.id)
        for m in opening
        for i, s in enumerate(m.sentences)
    ]
    ranked.sort(key=lambda item: -item[0])
    best = [r for r in ranked[:2] if r[0] > 0 and r[0] >= ranked[0][0] - 2.0] or ranked[:1]
    best.sort(key=lambda item: (item[1], item[2]))
    claims = [Claim(customer_voice(item[3]), item[4]) for item in best]
    latest = customer[-1]
    if latest not in opening:
        claims.extend(_latest_status(latest, subject_words))
    return claims


def _latest_status(message: Message, subject_words: set[str]) -> list[Claim]:
    """Return the latest customer message's status sentence, if it updates the problem."""
    candidates = [s for s in message.sentences if _LATEST.search(normalise(s))]
    if not candidates:
        return []
    best = max(candidates, key=lambda s: problem_score(s, subject_words, 0))
    if problem_score(best, subject_words, 0) <= 2:
        return []
    return [Claim("latest: " + customer_voice(best), message.comment.id)]


def tried(messages: list[Message]) -> list[Claim]:
    """List what agents did, what the customer already tried, and what agents asked for."""
    done: list[Claim] = []
    asked: list[Claim] = []
    for message in messages:
        for sentence in message.sentences:
            claim = _step(message, sentence)
            if claim is None:
                continue
            (asked if claim.text.startswith(("asked ", "suggested ")) else done).append(claim)
    return _dedupe(done + asked)[:5]


def _step(message: Message, sentence: str) -> Claim | None:
    """Turn one sentence into a step taken, if it reports or requests one."""
    cid = message.comment.id
    if message.role == "customer":
        if _CUSTOMER_TRIED.search(sentence) and not sentence.rstrip().endswith("?"):
            return Claim("customer already: " + customer_voice(sentence).rstrip(" ."), cid)
        return None
    if message.role != "agent" or is_promise(sentence):
        return None
    if _DID.match(sentence) or (not message.comment.public and _NOTE_DID.match(sentence)):
        return Claim(action_clause(sentence), cid)
    request = request_clause(sentence) if message.comment.public else None
    return Claim(request, cid) if request else None


def _dedupe(claims: list[Claim]) -> list[Claim]:
    """Drop claims whose text repeats an earlier one."""
    seen: set[str] = set()
    kept: list[Claim] = []
    for claim in claims:
        key = " ".join(words(claim.text))
        if key not in seen:
            seen.add(key)
            kept.append(claim)
    return kept

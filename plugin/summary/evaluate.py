"""Score a summarizer: ROUGE against reference summaries next to Lead-4, field rates on labels.

Lead-4 is computed in the same run with the same scorer, because ROUGE numbers from
different scorers or preprocessing are not comparable (see the TweetSumm README).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from rouge_score import rouge_scorer

from plugin.model import Comment, Ticket, TicketContext
from plugin.summary.conversation import conversation_to_context
from plugin.summary.text import clean_social, comment_text, split_sentences
from plugin.summary.types import FLAG_NAMES, HandoffDraft, Summarizer

ROUGE_KEYS = ("rouge1", "rouge2", "rougeLsum")


@dataclass(frozen=True)
class Example:
    """One conversation to score: its context, references, lead sentences and labels."""

    ctx: TicketContext
    references: tuple[str, ...]
    lead_sentences: tuple[str, ...]
    expected: dict = field(default_factory=dict)


def tweetsumm_example(record: dict) -> Example:
    """Turn a TweetSumm record into an example; Lead-4 uses its own sentence split."""
    start = datetime(2017, 10, 1, 12, 0, tzinfo=UTC)
    comments = tuple(
        Comment(
            id=str(turn.get("tweet_id", index)), author_id=None,
            author_role="customer" if turn["speaker"] == "customer" else "agent",
            public=True, created_at=start + timedelta(minutes=index), body=turn["text"],
        )
        for index, turn in enumerate(record["dialog"])
    )
    ticket = Ticket(id=str(record.get("id", "")), vendor="tweetsumm", subject="",
                    status="open", assignee_id=None, group_id=None)
    ctx = TicketContext(ticket=ticket, comments=comments, assignments=(),
                        now=comments[-1].created_at if comments else start)
    turns = [(t["speaker"], t.get("sentences") or [t["text"]]) for t in record["dialog"]]
    references = tuple("\n".join(s) for s in record.get("abstractive_summaries", []))
    return Example(ctx, references, tuple(lead_four(turns)))


def labelled_example(record: dict) -> Example:
    """Turn a labelled-set record ({"conversation", "expected", "reference"}) into an example."""
    ctx = conversation_to_context(record["conversation"])
    turns = [(c.author_role, split_sentences(comment_text(c))) for c in ctx.comments if c.public]
    reference = record.get("reference")
    references = (reference,) if isinstance(reference, str) else tuple(reference or ())
    return Example(ctx, references, tuple(lead_four(turns)), record.get("expected", {}))


def to_example(record: dict) -> Example:
    """Recognise the record's format (TweetSumm or labelled set) and convert it."""
    if "dialog" in record:
        return tweetsumm_example(record)
    if "conversation" in record:
        return labelled_example(record)
    raise ValueError("record: expected a TweetSumm 'dialog' or a labelled 'conversation' key")


def lead_four(turns: Iterable[tuple[str, list[str]]]) -> list[str]:
    """Return the first two customer sentences and the first two agent sentences."""
    picked: dict[str, list[str]] = {"customer": [], "agent": []}
    for role, sentences in turns:
        if role in picked:
            picked[role].extend(s for s in sentences if s.strip())
    return picked["customer"][:2] + picked["agent"][:2]


class RougeTally:
    """Average ROUGE F1 over each dialog's references, then over dialogs."""

    def __init__(self) -> None:
        self._scorer = rouge_scorer.RougeScorer(list(ROUGE_KEYS), use_stemmer=True)
        self.totals = {key: 0.0 for key in ROUGE_KEYS}
        self.count = 0

    def add(self, candidate: str, references: tuple[str, ...]) -> None:
        """Score one candidate against its references."""
        if not references:
            return
        for key in ROUGE_KEYS:
            scores = [self._scorer.score(ref, candidate)[key].fmeasure for ref in references]
            self.totals[key] += sum(scores) / len(scores)
        self.count += 1

    def means(self) -> dict[str, float]:
        """Return the mean F1 per ROUGE key, as percentages."""
        return {k: round(100 * v / self.count, 2) if self.count else 0.0
                for k, v in self.totals.items()}


def summary_lines(draft: HandoffDraft) -> str:
    """Return the draft's summary with one sentence a line, as rougeLsum expects."""
    return "\n".join(split_sentences(draft.summary))


def clean_lead(sentences: tuple[str, ...]) -> str:
    """Return Lead-4 with handles and links removed (the fairer baseline for our cleaning)."""
    return "\n".join(c for c in (clean_social(s) for s in sentences) if c)


class FieldTally:
    """Count hits and misses for promises, apologies, tone, churn risk and flags."""

    def __init__(self) -> None:
        self.c: dict[str, int] = dict.fromkeys(
            ("promise_expected", "promise_found", "promise_hit", "promise_invented",
             "deadline_labelled", "deadline_hit", "apology_expected", "apology_found",
             "apology_hit", "tone_total", "tone_hit", "churn_hit", "flags_exact",
             "flag_cells", "flag_cells_hit"), 0)

    def add(self, draft: HandoffDraft, expected: dict) -> None:
        """Compare one draft with its labels."""
        self._promises(draft, expected.get("promises", []))
        want, got = set(expected.get("apologies", [])), set(draft.apologies)
        self.c["apology_expected"] += len(want)
        self.c["apology_found"] += len(got)
        self.c["apology_hit"] += len(want & got)
        self.c["tone_total"] += 1
        self.c["tone_hit"] += int(draft.tone == expected.get("tone"))
        self.c["churn_hit"] += int(draft.churn_risk == bool(expected.get("churn_risk")))
        want_flags, got_flags = set(expected.get("flags", [])), set(draft.flags)
        self.c["flags_exact"] += int(want_flags == got_flags)
        self.c["flag_cells"] += len(FLAG_NAMES)
        self.c["flag_cells_hit"] += sum((f in want_flags) == (f in got_flags) for f in FLAG_NAMES)

    def _promises(self, draft: HandoffDraft, expected: list[dict]) -> None:
        """Match promises per comment and check deadlines to the minute."""
        by_comment: dict[str, list] = {}
        for promise in draft.promises:
            by_comment.setdefault(promise.comment_id, []).append(promise)
        self.c["promise_expected"] += len(expected)
        self.c["promise_found"] += len(draft.promises)
        for label in expected:
            found = by_comment.get(str(label["comment_id"]), [])
            if not found:
                continue
            promise = found.pop(0)
            self.c["promise_hit"] += 1
            if "deadline" in label:
                self.c["deadline_labelled"] += 1
                self.c["deadline_hit"] += int(_same_moment(promise.deadline, label["deadline"]))
        self.c["promise_invented"] += sum(len(rest) for rest in by_comment.values())

    def rates(self) -> dict[str, float]:
        """Return recall, precision and accuracy figures."""
        c = self.c

        def ratio(a: str, b: str) -> float:
            """Divide two counts, treating an empty denominator as a perfect score."""
            return round(c[a] / c[b], 3) if c[b] else 1.0

        return {
            "promise_recall": ratio("promise_hit", "promise_expected"),
            "promise_precision": ratio("promise_hit", "promise_found"),
            "promises_invented": c["promise_invented"],
            "deadline_accuracy": ratio("deadline_hit", "deadline_labelled"),
            "apology_recall": ratio("apology_hit", "apology_expected"),
            "apology_precision": ratio("apology_hit", "apology_found"),
            "tone_accuracy": ratio("tone_hit", "tone_total"),
            "churn_accuracy": ratio("churn_hit", "tone_total"),
            "flag_set_accuracy": ratio("flags_exact", "tone_total"),
            "flag_accuracy": ratio("flag_cells_hit", "flag_cells"),
        }


def _same_moment(found: datetime | None, label: str | None) -> bool:
    """Tell whether a found deadline equals a labelled one (both absent counts)."""
    if label is None or found is None:
        return label is None and found is None
    return abs((found - datetime.fromisoformat(label)).total_seconds()) < 60


def evaluate(examples: Iterable[Example], summarizer: Summarizer, progress=None) -> dict:
    """Score ``summarizer`` and Lead-4 on the examples; return the figures."""
    ours, lead, lead_clean, fields = RougeTally(), RougeTally(), RougeTally(), FieldTally()
    labelled = 0
    for index, example in enumerate(examples, start=1):
        draft = summarizer.draft(example.ctx)
        ours.add(summary_lines(draft), example.references)
        lead.add("\n".join(example.lead_sentences), example.references)
        lead_clean.add(clean_lead(example.lead_sentences), example.references)
        if example.expected:
            fields.add(draft, example.expected)
            labelled += 1
        if progress is not None:
            progress(index)
    result: dict = {"dialogs": ours.count, "summarizer": summarizer.name,
                    "rouge": {"summarizer": ours.means(), "lead4": lead.means(),
                              "lead4_clean": lead_clean.means()}}
    if labelled:
        result["labelled"] = labelled
        result["fields"] = fields.rates()
    return result

"""Measure the offline summarizer: drafts per second and peak memory by ticket length.

Run: python bench/summary_speed.py  (prints one line per size; goal: <50 ms at 100 comments,
growing linearly). Tickets are built from the labelled set's sentences, cycled to length.
"""

from __future__ import annotations

import json
import sys
import time
import tracemalloc
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from plugin.model import Comment, TicketContext  # noqa: E402
from plugin.summary import OfflineSummarizer, conversation_to_context  # noqa: E402

LABELLED = Path(__file__).resolve().parents[1] / "tests/fixtures/conversations/labelled.jsonl"
SIZES = (10, 100, 1000)


def _pool() -> tuple[TicketContext, list[Comment]]:
    """Load every labelled comment to draw realistic ticket text from."""
    records = [json.loads(line) for line in LABELLED.read_text().splitlines() if line]
    contexts = [conversation_to_context(r["conversation"]) for r in records]
    return contexts[0], [c for ctx in contexts for c in ctx.comments]


def ticket_of(size: int, base: TicketContext, pool: list[Comment]) -> TicketContext:
    """Build a ticket of ``size`` comments, one minute apart, from the pool."""
    start = base.comments[0].created_at
    comments = tuple(
        replace(pool[i % len(pool)], id=str(i), created_at=start + timedelta(minutes=i))
        for i in range(size)
    )
    return replace(base, comments=comments, now=comments[-1].created_at)


def measure(ctx: TicketContext, summarizer: OfflineSummarizer) -> tuple[float, float, int]:
    """Return (ms per draft, drafts per second, peak bytes) for one ticket."""
    summarizer.draft(ctx)  # warm caches (VADER lexicon, regexes)
    rounds = max(3, int(200 / len(ctx.comments)))
    began = time.perf_counter()
    for _ in range(rounds):
        summarizer.draft(ctx)
    per_draft = (time.perf_counter() - began) / rounds
    tracemalloc.start()
    summarizer.draft(ctx)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return per_draft * 1000, 1 / per_draft, peak


def main() -> None:
    """Print one line per ticket size."""
    base, pool = _pool()
    summarizer = OfflineSummarizer()
    print(f"{'comments':>9} {'ms/draft':>10} {'drafts/s':>10} {'peak KiB':>10} {'ms/comment':>11}")
    for size in SIZES:
        ms, rate, peak = measure(ticket_of(size, base, pool), summarizer)
        print(f"{size:>9} {ms:>10.2f} {rate:>10.1f} {peak / 1024:>10.0f} {ms / size:>11.3f}")


if __name__ == "__main__":
    main()

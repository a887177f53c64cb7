"""The try-it commands behind `baton draft` and `baton eval summaries`.

Admins run them on their own exported tickets, so bad input comes back as a
ValueError naming what is wrong, and long runs show progress on stderr.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import TextIO

from plugin.inputs import read_text
from plugin.summary.conversation import conversation_to_context
from plugin.summary.evaluate import Example, evaluate, to_example
from plugin.summary.factory import make_summarizer
from plugin.summary.offline import OfflineSummarizer
from plugin.summary.render import draft_to_json
from plugin.summary.types import SummaryOptions


def draft_command(path: str, options: SummaryOptions | None = None) -> dict:
    """Draft the handoff for a conversation file and return it as the `baton draft` JSON."""
    text = read_text(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from exc
    ctx = conversation_to_context(data)
    summarizer = make_summarizer(options or SummaryOptions())
    return draft_to_json(summarizer.draft(ctx))


def _examples(path: str, limit: int | None) -> Iterator[Example]:
    """Yield examples from a JSONL file, naming the line of any bad record."""
    count = 0
    for number, line in enumerate(read_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        if limit is not None and count >= limit:
            return
        try:
            yield to_example(json.loads(line))
        except (json.JSONDecodeError, ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{number}: {exc}") from exc
        count += 1


def eval_command(path: str, out: TextIO = sys.stdout, limit: int | None = None) -> dict:
    """Score the offline summarizer on a JSONL file, print a table and return the figures."""
    examples = list(_examples(path, limit))

    def progress(done: int) -> None:
        """Report progress on stderr so stdout stays a clean table."""
        if done % 25 == 0 or done == len(examples):
            print(f"  scored {done}/{len(examples)}", file=sys.stderr, flush=True)

    result = evaluate(examples, OfflineSummarizer(), progress if len(examples) >= 25 else None)
    out.write(format_table(result))
    return result


def format_table(result: dict) -> str:
    """Format the figures as a plain-text table."""
    rouge = result["rouge"]
    lines = [f"{result['dialogs']} dialogs with references, summarizer: {result['summarizer']}"]
    if result["dialogs"]:
        lines.append(f"{'':<26}{'ROUGE-1':>9}{'ROUGE-2':>9}{'ROUGE-Lsum':>12}")
        names = (("summarizer", "summarizer"), ("lead4", "Lead-4"), ("lead4_clean",
                 "Lead-4 (handles removed)"))
        for key, label in names:
            row = rouge[key]
            lines.append(f"{label:<26}{row['rouge1']:>9.2f}{row['rouge2']:>9.2f}"
                         f"{row['rougeLsum']:>12.2f}")
        best = max(rouge["lead4"]["rouge1"], rouge["lead4_clean"]["rouge1"]) or 1.0
        lines.append(f"ROUGE-1 vs best Lead-4: {rouge['summarizer']['rouge1'] / best:.2f}x")
    if "fields" in result:
        lines.append(f"labelled conversations: {result['labelled']}")
        lines.extend(f"  {name:<20}{value}" for name, value in result["fields"].items())
    return "\n".join(lines) + "\n"

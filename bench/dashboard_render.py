"""Dashboard render time with 100,000 recorded handoffs in SQLite (goal: under 300 ms a page).

Run by hand: `.venv/bin/python bench/dashboard_render.py [--handoffs N] [--repeat R]`.
Seeds a temporary SQLite file with N handoffs over 90 days (realistic mix of outcomes,
teams, agents and judged first replies), then renders each dashboard page R times
through the Flask app and prints the median and the worst time per page.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert  # noqa: E402

from plugin.app import create_app  # noqa: E402
from plugin.config import load_settings  # noqa: E402
from plugin.queue import InProcessQueue  # noqa: E402
from plugin.store import Store  # noqa: E402
from plugin.store.tables import handoffs  # noqa: E402

PAGES = ("/", "/queue", "/quality", "/quality?days=90", "/tickets/zendesk/4242", "/api/quality", "/wrapups")


def seed(store: Store, count: int) -> None:
    """Insert handoffs in batches, spread over the last 90 days."""
    rng = random.Random(7)
    now = datetime.now(UTC)
    agents, groups = [f"agent-{i}" for i in range(60)], [f"group-{i}" for i in range(8)]
    outcomes = ["accepted"] * 6 + ["flagged"] * 2 + ["reverted"] * 2 + ["exempt"] * 3
    batch = []
    for index in range(count):
        changed = now - timedelta(minutes=rng.randrange(90 * 24 * 60))
        outcome = rng.choice(outcomes)
        judged = outcome in ("accepted", "flagged") and rng.random() < 0.7
        batch.append({
            "vendor": "zendesk", "ticket_id": str(rng.randrange(count // 3 + 1)), "change_id": f"c{index}",
            "changed_at": changed, "recorded_at": changed + timedelta(seconds=3), "actor_id": rng.choice(agents),
            "from_assignee": rng.choice(agents), "from_group": rng.choice(groups),
            "to_assignee": rng.choice(agents), "to_group": rng.choice(groups), "outcome": outcome,
            "missing": "" if outcome == "accepted" else "reason",
            "vague": "", "details": {"summary": "Baton handoff summary\nThe customer was charged twice.",
                                      "flags": ["frustrated"]},
            "repeat_question": (rng.random() < 0.2) if judged else None,
            "first_reply_seconds": rng.randrange(60, 7200) if judged else None,
            "bounced": outcome != "exempt" and rng.random() < 0.05,
        })
        if len(batch) == 5000:
            with store.engine.begin() as conn:
                conn.execute(insert(handoffs), batch)
            batch.clear()
    if batch:
        with store.engine.begin() as conn:
            conn.execute(insert(handoffs), batch)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--handoffs", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        settings = load_settings(path=None, environ={"DATABASE_URL": url, "BATON_DASHBOARD_TOKEN": "bench"})
        store = Store(url)
        started = time.perf_counter()
        seed(store, args.handoffs)
        store.optimize()  # what the worker's hourly maintenance tick does
        print(f"seeded {args.handoffs:,} handoffs in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        client = create_app(settings, queue=InProcessQueue(lambda data: None), store=store).test_client()
        print(f"{'page':<28}{'median ms':>10}{'worst ms':>10}  "
              f"(of {args.repeat} renders, {args.handoffs:,} handoffs)")
        for page in PAGES:
            times = []
            for _ in range(args.repeat):
                begin = time.perf_counter()
                response = client.get(page, headers={"Authorization": "Bearer bench"})
                times.append((time.perf_counter() - begin) * 1000)
                assert response.status_code == 200, (page, response.status_code)
            print(f"{page:<28}{statistics.median(times):>10.1f}{max(times):>10.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

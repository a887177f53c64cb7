"""The `baton` command: serve, worker, demo, check, and the try-it commands for admins."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from plugin.config import ConfigError, load_settings


def read_input(path: str) -> str:
    """Read a file, or standard input for '-'; a missing or unreadable file is a clear error."""
    from plugin.inputs import read_text

    if path != "-" and not Path(path).is_file():
        raise UsageError(f"no such file: {path}")
    try:
        return read_text(path)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


class UsageError(Exception):
    """Bad input on the command line; printed without a traceback, exit code 2."""


def print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False, default=str))


def cmd_note_check(args: argparse.Namespace) -> int:
    from plugin.notes import validate_note

    verdict = validate_note(read_input(args.file))
    print_json(verdict.to_dict())
    return 0


def run_json_command(path: str, command: Callable[[str], dict]) -> int:
    """Run a try-it command on a file (or '-') and print its JSON; bad input is a clear error."""
    if path != "-" and not Path(path).is_file():
        raise UsageError(f"no such file: {path}")
    try:
        print_json(command(path))
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return 0


def cmd_draft(args: argparse.Namespace) -> int:
    from plugin.summary.commands import draft_command

    return run_json_command(args.file, draft_command)


def cmd_quality_check(args: argparse.Namespace) -> int:
    from plugin.quality import quality_command

    return run_json_command(args.file, quality_command)


def cmd_eval_summaries(args: argparse.Namespace) -> int:
    try:
        from plugin.summary.commands import eval_command
    except ImportError as exc:
        raise UsageError(f"`baton eval` needs the eval extra: pip install 'baton[eval]' ({exc})") from None

    if not Path(args.file).is_file():
        raise UsageError(f"no such file: {args.file}")
    eval_command(args.file, limit=args.limit)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    load_settings()  # fail fast, naming the bad key, before gunicorn forks
    argv = [sys.executable, "-m", "gunicorn", "--bind", f"{args.host}:{args.port}",
            "--workers", str(args.workers), "--access-logfile", "-", "plugin.app:create_app()"]
    os.execv(sys.executable, argv)
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from plugin.workerproc import run_worker

    return run_worker(load_settings(), burst=args.burst)


def cmd_check(args: argparse.Namespace) -> int:
    from plugin.checks import run_checks

    return run_checks(print)


def cmd_demo(args: argparse.Namespace) -> int:
    from plugin.demo import run_demo

    return run_demo(scenario_only=args.scenario_only, port=args.port, vendor=args.vendor)


def cmd_jira_sync(args: argparse.Namespace) -> int:
    from plugin.mirror import run_sync
    from plugin.wiring import build_runtime

    runtime = build_runtime(load_settings())
    if runtime.tracker is None:
        raise UsageError("Jira is not configured: set BATON_JIRA_URL, BATON_JIRA_EMAIL and BATON_JIRA_TOKEN")
    result = run_sync(runtime, progress=lambda line: print(line, file=sys.stderr))
    print(f"Jira sync: {result['issues_checked']} linked issues checked, "
          f"{result['issues_repaired']} with a status change mirrored onto their tickets")
    return 0


def cmd_dead_letters(args: argparse.Namespace) -> int:
    from plugin.workerproc import list_dead_letters, replay_dead_letter

    settings = load_settings()
    if args.replay is not None:
        print(replay_dead_letter(settings, args.replay))
        return 0
    print_json(list_dead_letters(settings))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="baton", description="Keeps context when tickets change hands.")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the webhook receiver and dashboard (gunicorn)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=2)
    serve.set_defaults(func=cmd_serve)
    worker = sub.add_parser("worker", help="run an RQ worker for Baton's queue")
    worker.add_argument("--burst", action="store_true", help="exit when the queue is empty")
    worker.set_defaults(func=cmd_worker)
    demo = sub.add_parser("demo", help="run Baton against its sandbox helpdesk")
    demo.add_argument("--scenario-only", action="store_true", help="play the scenario, print, exit")
    demo.add_argument("--port", type=int, default=None, help="default 8000; a free port with --scenario-only")
    demo.add_argument("--vendor", choices=("zendesk", "freshdesk"), default="zendesk",
                      help="which sandbox helpdesk to play against (default zendesk)")
    demo.set_defaults(func=cmd_demo)
    sub.add_parser("check", help="validate configuration and reach each service").set_defaults(func=cmd_check)
    note = sub.add_parser("note", help="handoff note tools").add_subparsers(dest="note_cmd", required=True)
    note_check = note.add_parser("check", help="validate a handoff note (file or -)")
    note_check.add_argument("file")
    note_check.set_defaults(func=cmd_note_check)
    draft = sub.add_parser("draft", help="draft a handoff from a conversation JSON (file or -)")
    draft.add_argument("file")
    draft.set_defaults(func=cmd_draft)
    quality = sub.add_parser("quality", help="handoff quality tools").add_subparsers(dest="quality_cmd",
                                                                                     required=True)
    quality_check = quality.add_parser("check", help="did the first reply after a handoff ask a repeat question?")
    quality_check.add_argument("file")
    quality_check.set_defaults(func=cmd_quality_check)
    evaluate = sub.add_parser("eval", help="evaluations").add_subparsers(dest="eval_cmd", required=True)
    summaries = evaluate.add_parser("summaries", help="ROUGE of the summarizer vs Lead-4 on a JSONL set")
    summaries.add_argument("file")
    summaries.add_argument("--limit", type=int, default=None)
    summaries.set_defaults(func=cmd_eval_summaries)
    jira = sub.add_parser("jira", help="Jira tools").add_subparsers(dest="jira_cmd", required=True)
    jira.add_parser("sync", help="mirror statuses that missed webhooks left behind").set_defaults(
        func=cmd_jira_sync)
    dead = sub.add_parser("dead-letters", help="list dead letters, or replay one")
    dead.add_argument("--replay", type=int, metavar="ID")
    dead.set_defaults(func=cmd_dead_letters)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `baton` console script."""
    args = build_parser().parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except (UsageError, ConfigError) as exc:
        print(f"baton: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

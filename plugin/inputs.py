"""Reading the files admins hand to Baton's try-it commands: a path, or "-" for standard input."""

from __future__ import annotations

import sys


def read_text(path: str) -> str:
    """Read a UTF-8 file, or stdin for "-"; an unreadable file is a ValueError naming it."""
    if path == "-":
        return sys.stdin.read()
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise ValueError(f"{path}: cannot read file ({reason})") from exc

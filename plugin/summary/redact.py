"""Redact personal data before any ticket text leaves for an LLM endpoint.

Only widening is configurable (extra regexes); there is no switch that turns the
built-in patterns off. Card numbers are Luhn-checked and IBANs mod-97-checked, so
order numbers and dates are not blacked out by mistake.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

_SECRETS = re.compile(
    r"\b(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{10,}|\bgh[pousr]_[A-Za-z0-9]{20,}|"
    r"\bgithub_pat_[A-Za-z0-9_]{20,}|\bAKIA[0-9A-Z]{16}\b|\bxox[abposr]-[A-Za-z0-9-]{10,}|"
    r"\beyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]{8,}|\bBearer\s+[\w.~+/-]{16,}=*|"
    r"(?i:\b(?:api[_-]?key|access[_-]?token|auth[_-]?token|secret|password|passwd|token)\b"
    r"\s*[:=]\s*)\S+|\b(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{32,}\b"
)
_EMAIL = re.compile(r"\b[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+\b")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b")
_CARD = re.compile(r"(?<![\w-])\d(?:[ -]?\d){12,18}(?![\w-])")
_PHONE = re.compile(r"(?<![\w+])(?:\+|00)?\(?\d{1,4}\)?(?:[ .-]?\(?\d{2,4}\)?){2,5}(?![\w-])")
_ADDRESS = re.compile(
    r"\b\d{1,5}[A-Za-z]?\s+(?:[A-Z][A-Za-z'-]+\s){1,3}(?:Street|St|Avenue|Ave|Road|Rd|"
    r"Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Close|Crescent|Square|"
    r"Parkway|Highway|Hwy)\b(?:,?\s+(?:Apt|Apartment|Suite|Unit|Flat)\.?\s*\w+)?|"
    r"\b[A-ZÄÖÜ][a-zäöüß-]+(?:straße|strasse|str\.|weg|platz|allee|gasse|ring|damm)\s+\d{1,4}"
    r"[a-z]?\b"
)


def luhn_ok(digits: str) -> bool:
    """Tell whether a digit string passes the Luhn checksum that card numbers carry."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def iban_ok(candidate: str) -> bool:
    """Tell whether a string is a valid IBAN by its mod-97 check digits."""
    compact = candidate.replace(" ", "")
    if not 15 <= len(compact) <= 34:
        return False
    moved = compact[4:] + compact[:4]
    number = "".join(str(int(ch, 36)) for ch in moved)
    return int(number) % 97 == 1


class Redactor:
    """Replace personal data with typed placeholders and count what was replaced."""

    def __init__(self, extra_patterns: tuple[str, ...] = ()) -> None:
        try:
            self._extra = [re.compile(p) for p in extra_patterns]
        except re.error as exc:
            raise ValueError(f"redact_patterns: invalid regular expression: {exc}") from exc
        self.counts: Counter[str] = Counter()

    def redact(self, text: str) -> str:
        """Return ``text`` with secrets, emails, IBANs, cards, phones and addresses replaced."""
        text = self._sub(_SECRETS, "SECRET", text)
        text = self._sub(_EMAIL, "EMAIL", text)
        text = self._sub(_IBAN, "IBAN", text, lambda m: iban_ok(m.group()))
        text = self._sub(_CARD, "CARD", text, lambda m: luhn_ok(re.sub(r"\D", "", m.group())))
        text = self._sub(_PHONE, "PHONE", text, _looks_like_phone)
        text = self._sub(_ADDRESS, "ADDRESS", text)
        for pattern in self._extra:
            text = self._sub(pattern, "REDACTED", text)
        return text

    def _sub(
        self, pattern: re.Pattern[str], label: str, text: str,
        accept: Callable[[re.Match[str]], bool] | None = None,
    ) -> str:
        """Replace the matches ``accept`` agrees with, counting them under ``label``."""

        def replace(match: re.Match[str]) -> str:
            """Return the placeholder, or the match itself when the check rejects it."""
            if accept is not None and not accept(match):
                return match.group()
            self.counts[label] += 1
            return f"[{label}]"

        return pattern.sub(replace, text)


def _looks_like_phone(match: re.Match[str]) -> bool:
    """Accept 8-15 digits that are not a date, a time or a plain reference number."""
    raw = match.group()
    digits = re.sub(r"\D", "", raw)
    if not 8 <= len(digits) <= 15:
        return False
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}", raw.strip()):
        return False
    return raw.startswith(("+", "00", "(", "0")) or bool(re.search(r"[ .-]", raw))

"""Personal data is redacted before text leaves; checks keep ordinary numbers intact."""

import pytest

from plugin.summary.redact import Redactor, iban_ok, luhn_ok


def redact(text: str, *extra: str) -> str:
    return Redactor(tuple(extra)).redact(text)


def test_emails_phones_and_addresses() -> None:
    text = "Mail jane.doe@example.org or call +49 30 1234 5678; I live at 221 Baker Street."
    assert redact(text) == "Mail [EMAIL] or call [PHONE]; I live at [ADDRESS]."
    assert redact("Ship to Hauptstraße 12 please") == "Ship to [ADDRESS] please"


def test_card_numbers_are_luhn_checked() -> None:
    assert redact("card 4111 1111 1111 1111 declined") == "card [CARD] declined"
    assert redact("order 4111 1111 1111 1112 shipped") == "order 4111 1111 1111 1112 shipped"
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")


def test_ibans_are_checked() -> None:
    assert redact("IBAN DE89 3704 0044 0532 0130 00 please") == "IBAN [IBAN] please"
    assert iban_ok("GB82WEST12345698765432") and not iban_ok("GB82WEST12345698765433")


def test_api_keys_and_tokens() -> None:
    text = "key sk_live_4eC39HqLyjWDarjtT1zdp7dc and Bearer abcdefghijklmnop1234 token=s3cr3t"
    assert redact(text) == "key [SECRET] and [SECRET] [SECRET]"


def test_dates_order_numbers_and_money_stay() -> None:
    text = "Order #88213 on 2025-06-10 cost 64.90 GBP, invoice INV-2291."
    assert redact(text) == text


def test_extra_patterns_widen_and_bad_ones_fail_loudly() -> None:
    assert redact("customer CUST-12345 says hi", r"CUST-\d+") == "customer [REDACTED] says hi"
    with pytest.raises(ValueError, match="redact_patterns"):
        Redactor(("([unclosed",))

"""Comments are cleaned before reading: HTML, quoted replies, signatures, sentence splits."""

from plugin.summary.text import html_to_text, split_sentences, strip_quoted, strip_signature


def test_html_becomes_text_without_quoted_blocks() -> None:
    html = ("<div><p>Sync fails with error 42.</p><p>Regards,<br>Tom</p>"
            "<div class=\"gmail_quote\">On Mon someone wrote: old text</div>"
            "<blockquote>older text</blockquote></div>")
    text = html_to_text(html)
    assert "Sync fails with error 42." in text
    assert "old text" not in text and "older text" not in text


def test_quoted_email_reply_is_cut() -> None:
    body = "Log attached.\n\nOn Tue, 10 Jun 2025 at 09:30, Support <s@x.io> wrote:\n> old"
    assert strip_quoted(body) == "Log attached."


def test_signature_is_cut_but_a_thank_you_sentence_stays() -> None:
    assert strip_signature("It still fails.\n\nThanks,\nMarta\nAcme GmbH") == "It still fails."
    assert strip_signature("It still fails.\n\nSent from my iPhone") == "It still fails."
    assert strip_signature("Thanks, that worked.") == "Thanks, that worked."


def test_sentences_split_on_punctuation_but_not_abbreviations() -> None:
    text = "I paid 49.99 EUR, e.g. by card. It failed! Why?\nNew line here"
    assert split_sentences(text) == [
        "I paid 49.99 EUR, e.g. by card.", "It failed!", "Why?", "New line here"]

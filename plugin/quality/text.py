"""Text plumbing for the repeat-question check: HTML to text, quoted history, sentences, stems.

Replies arrive as helpdesk HTML or e-mail text that quotes the earlier thread; the
check must read only what the receiving agent wrote, one sentence at a time.
"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

_BLOCK_TAGS = frozenset({"p", "br", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre"})
_SKIP_TAGS = frozenset({"script", "style", "head"})
_QUOTE_START = re.compile(
    r"^(?:On .{4,120} wrote:|-{2,} ?Original Message ?-{2,}|From: .+|>.*)$", re.IGNORECASE | re.MULTILINE
)
_SENTENCE_END = re.compile(r"(?<=\?)\s+|(?<=[.!])\s+(?=[\"'(\[A-Z0-9])")
_WORD = re.compile(r"[a-z][a-z0-9'-]*")
STOPWORDS = frozenset(
    """a about after again all also am an and any are as at be been before being but by can could did do does
    doing for from get got had has have having her here hi hello him his how i i'd i'll i'm i've if in into
    is it it's its just me my myself no nor not now of on once only or our ours out over please quick same
    she so some such than thank thanks that that's the their them then there these they this those through to
    too under until up us very was we we'd we'll we're were what what's when where which while who whom why
    will with would you you'd you'll you're you've your yours yourself let know tell share send provide
    confirm kindly mind
    """.split()  # noqa: SIM905 - a word list reads better as text
)


class _TextExtractor(HTMLParser):
    """Collect text, turning block tags into line breaks."""

    def __init__(self) -> None:
        """Start with no text and outside any skipped element."""
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Open a block (new line) or a skipped element."""
        if tag in _SKIP_TAGS:
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        """Close a block (new line) or a skipped element."""
        if tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        """Keep visible text only."""
        if not self._skip:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """Render helpdesk HTML as plain text so sentences and values survive the markup."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    text = unescape("".join(parser.parts)).replace("\xa0", " ")
    return re.sub(r"\n\s*\n+", "\n\n", re.sub(r"[ \t]+", " ", text)).strip()


def looks_like_html(text: str) -> bool:
    """Tell markup from plain text, since a reply string may be either."""
    return bool(re.search(r"</?(?:p|br|div|span|b|strong|em|i|ul|ol|li|a|table)\b[^>]*>", text, re.IGNORECASE))


def plain(body: str, html: str = "") -> str:
    """Prefer the plain body; fall back to the HTML rendered as text."""
    if body.strip():
        return html_to_text(body) if looks_like_html(body) else body
    return html_to_text(html) if html else ""


def strip_quoted(text: str) -> str:
    """Drop the quoted earlier thread so the customer's own words are not read as the agent's asks."""
    match = _QUOTE_START.search(text)
    return text[: match.start()].rstrip() if match else text


def split_sentences(text: str) -> list[str]:
    """Split text into sentences, treating each line as a boundary too."""
    sentences: list[str] = []
    for line in text.splitlines():
        for part in _SENTENCE_END.split(line.strip()):
            if part.strip():
                sentences.append(part.strip())
    return sentences


def stem(word: str) -> str:
    """Cut common English suffixes so "charged" meets "charge" (crude but deterministic)."""
    for suffix in ("ing", "ed", "es", "s", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


SYNONYMS = {
    "affect": "happen", "occur": "happen", "impact": "happen", "everyon": "user",
    "everybody": "user", "peopl": "user", "colleagu": "user", "member": "user", "staff": "user",
    "employe": "user", "seat": "user", "licens": "user", "currently": "now", "present": "now",
}


def content_stems(text: str) -> set[str]:
    """Return the stems of the words that carry meaning, synonyms folded together, for overlap tests."""
    stems = (stem(w) for w in _WORD.findall(text.lower()) if w not in STOPWORDS and len(w) > 1)
    return {SYNONYMS.get(s, s) for s in stems}  # keys are stems: "peopl", "everyon"

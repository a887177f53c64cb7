"""Turn a comment into clean sentences: HTML to text, quotes and signatures cut, split.

Helpdesk comments carry the whole email thread below the new text and a signature
under it; a summary built from those would repeat old messages and sign-offs.
"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

from plugin.model import Comment

_BLOCK_TAGS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul"}
_DROP_TAGS = {"blockquote", "script", "style", "head"}
_QUOTE_CLASSES = ("gmail_quote", "zendesk_quote", "moz-cite-prefix", "yahoo_quoted", "quote")

_QUOTE_START = re.compile(
    r"^\s*(On .{4,200}wrote:\s*$|-{2,}\s*Original Message\s*-{2,}|"
    r"From:\s.+|#{2,}\s*Please type your reply above this line|Le .{4,120}a écrit\s*:|"
    r"Am .{4,120}schrieb .{1,80}:|_{8,}\s*$)",
    re.IGNORECASE,
)
_SIGNATURE_START = re.compile(
    r"^\s*(--\s*$|—\s*$|Sent from my \w+|Get Outlook for \w+|"
    r"(Best|Kind|Warm)?\s*regards,?\s*$|Cheers,?\s*$|Thanks?( you)?( again)?,\s*$|"
    r"Many thanks,?\s*$|Sincerely,?\s*$|Best,?\s*$)",
    re.IGNORECASE,
)
_HANDLE = re.compile(r"(^|\s)@\w+")
_URL = re.compile(r"https?://\S+|www\.\S+")
_TWITTER_SIGN = re.compile(r"\s[\^*][A-Za-z]{1,8}\s*$")
_ABBREV = re.compile(r"\b(e\.g|i\.e|etc|vs|Mr|Mrs|Ms|Dr|St|approx|No|Inc|Ltd|a\.m|p\.m)\.$", re.I)
_SPLIT = re.compile(r"(?<=[.!?…])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9#@£$€])")


class _TextExtractor(HTMLParser):
    """Collect visible text, with line breaks at block ends, skipping quoted blocks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_depth = 0
        self._stack: list[bool] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Open a block: note whether it is quoted, break the line where blocks start."""
        css = " ".join(v or "" for k, v in attrs if k == "class")
        skip = tag in _DROP_TAGS or any(c in css for c in _QUOTE_CLASSES)
        if tag not in {"br", "img", "hr", "meta", "input"}:
            self._stack.append(skip)
            self._skip_depth += int(skip)
        if tag in _BLOCK_TAGS or tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        """Close a block and leave skipping when a quoted block ends."""
        if tag in {"br", "img", "hr", "meta", "input"}:
            return
        if self._stack:
            self._skip_depth -= int(self._stack.pop())
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        """Keep visible text outside quoted blocks."""
        if not self._skip_depth:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """Return the visible text of an HTML body, quoted blocks removed."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    text = unescape("".join(parser.parts))
    text = re.sub(r"[ \t\xa0]+", " ", text)
    return re.sub(r"\n\s*\n+", "\n\n", text).strip()


def strip_quoted(text: str) -> str:
    """Cut the earlier messages an email client appended below the new text."""
    kept: list[str] = []
    for line in text.splitlines():
        if _QUOTE_START.match(line) and kept:
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line)
    return "\n".join(kept).strip()


def strip_signature(text: str) -> str:
    """Cut a sign-off block ("Thanks,\\nAnna", "-- ", "Sent from my iPhone") at the end."""
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if index == 0 or not _SIGNATURE_START.match(line):
            continue
        tail = [t for t in lines[index + 1 :] if t.strip()]
        if len(tail) <= 6 and all(len(t.split()) <= 8 for t in tail):
            return "\n".join(lines[:index]).strip()
    return text.strip()


def clean_social(text: str) -> str:
    """Drop @handles, links and agent initials that social-media replies carry."""
    text = _URL.sub("", text).replace("\u2019", "'").replace("\u2018", "'")
    text = _HANDLE.sub(r"\1", text)
    text = _TWITTER_SIGN.sub("", " " + text)
    return re.sub(r"\s{2,}", " ", text).strip()


# An agent's structured handoff note: its labels are form, not content.
_NOTE_LABEL = re.compile(
    r"^\s*(?:[-*•]\s*)?(?:\*\*|__)?(situation|tried|promised|customer|reason|account)(?:\*\*|__)?\s*:"
    r"\s*(?:\*\*|__)?\s*", re.IGNORECASE | re.MULTILINE)
_NOTE_LEADS = {"promised": "The customer was promised ", "customer": "The customer is ", "situation": "",
               "tried": "", "reason": "The transfer reason: it ", "account": "Account: "}


def unlabel_handoff_note(text: str) -> str:
    """Turn a handoff note's labelled lines into plain sentences, so labels are not quoted as claims."""
    if not re.match(r"^\s*(?:\*\*|__|#+\s*)?handoff\b", text, re.IGNORECASE) and \
            len(_NOTE_LABEL.findall(text)) < 2:
        return text
    text = re.sub(r"^\s*(?:\*\*|__|#+\s*)?handoff\b[:*_ ]*\n?", "", text, count=1, flags=re.IGNORECASE)
    return _NOTE_LABEL.sub(lambda m: _NOTE_LEADS[m.group(1).lower()], text)


def comment_text(comment: Comment) -> str:
    """Return the new, human-written text of a comment (no quotes, no signature)."""
    raw = unescape(comment.body.strip()) or html_to_text(comment.html)
    if not comment.public:
        raw = unlabel_handoff_note(raw)
    return clean_social(strip_signature(strip_quoted(raw)))


def split_sentences(text: str) -> list[str]:
    """Split text into sentences on end punctuation and line breaks, keeping abbreviations."""
    sentences: list[str] = []
    for block in re.split(r"\n+", text):
        pending = ""
        for piece in _SPLIT.split(block.strip()):
            pending = f"{pending} {piece}".strip() if pending else piece
            if not _ABBREV.search(pending):
                sentences.append(pending)
                pending = ""
        if pending:
            sentences.append(pending)
    return [s.strip(" -*•\t") for s in sentences if re.search(r"\w", s)]


def words(text: str) -> list[str]:
    """Return the lower-case word tokens of a text."""
    return re.findall(r"[a-z0-9']+", text.lower())

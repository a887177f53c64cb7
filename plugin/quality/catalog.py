"""The catalogue of kinds a reply can ask for again: order/invoice/account numbers, e-mail, errors, dates ...

One entry per kind: the phrases that ask for it and the finder that spots it in the
conversation, each written as a list of alternatives so a wrong verdict points at one line.
Widening coverage means adding alternatives here and a labelled handoff that needs them.
"""

from __future__ import annotations

import re

from plugin.quality.kinds import (
    DATE_ASK,
    Kind,
    find_attempt,
    find_date,
    find_description,
    find_error,
    find_phone,
    identifier,
    pattern,
)

_DEVICES = r"(?:iphone|ipad|android|mac|pc|windows|chromebook|tablet|phone|laptop|desktop)"


def _any(*alternatives: str) -> str:
    """Join regex alternatives, one per line in the table below."""
    return "|".join(alternatives)


def _ask(*alternatives: str) -> re.Pattern[str]:
    """Compile the phrases that ask for one kind."""
    return re.compile(_any(*alternatives), re.IGNORECASE)


_ORDER_ASK, _ORDER = identifier(
    "order|purchase|transaction|receipt|booking|reservation|confirmation", r"\bORD[-_]?\d{3,}\b"
)
_INVOICE_ASK, _INVOICE = identifier("invoice|bill", r"\bINV[-_]?\d{3,}\b")
_TRACKING_ASK, _TRACKING = identifier("tracking|shipment|waybill|consignment|parcel", r"\b1Z[0-9A-Z]{16}\b")
_ACCOUNT_IDS, _ACCOUNT = identifier(
    "account|customer|client|member|user|workspace|tenant|org|organi[sz]ation|subscription|licen[cs]e",
    _any(r"\bacct_\w+\b", r"\b(?:user ?name|login|handle)(?: is|:)\s*(?P<w>[\w.-]*[a-z][\w.-]{2,})"),
)
_ACCOUNT_ASK = _ask(_ACCOUNT_IDS.pattern, r"\b(?:user ?name|login name|login id)\b")
_TICKET_ASK, _TICKET = identifier("ticket|case|reference")

KINDS: tuple[Kind, ...] = (
    Kind("order_number", _ORDER_ASK, _ORDER),
    Kind("invoice_number", _INVOICE_ASK, _INVOICE),
    Kind("tracking_number", _TRACKING_ASK, _TRACKING),
    Kind("account_number", _ACCOUNT_ASK, _ACCOUNT),
    Kind("ticket_number", _TICKET_ASK, _TICKET),
    Kind(
        "email",
        _ask(r"\b(?:your|the|which|what|an?|same) e-?mail(?: address)?\b(?!\s+(?:you|we) (?:sent|got|received))",
             r"\be-?mail address\b"),
        pattern(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    ),
    Kind(
        "phone",
        _ask(r"\b(?:phone|mobile|cell|contact|telephone|callback|whatsapp) ?(?:number|no\b|#)",
             r"\bnumber\b[^.?!]{0,25}\b(?:call|reach|text|ring)\b", r"\b(?:call|reach|ring) you (?:on|at)\b"),
        find_phone,
    ),
    Kind(
        "address",
        _ask(r"\b(?:shipping|delivery|mailing|postal|home|billing|street|correct|full) address\b",
             r"\b(?:post ?code|postal code|zip(?: code)?|house number|street name)\b",
             r"\b(?:your|the|which|what) address\b", r"\bwhere (?:should|shall|do) we (?:ship|send|deliver)"),
        pattern(_any(
            r"\b\d{1,5}[a-z]? (?:[A-Za-z.]+ ){1,4}(?:street|st|avenue|ave|road|rd|lane|ln|boulevard|blvd|drive|dr"
            r"|way|court|ct|place|pl|terrace|grove|strasse|straße|weg|gasse)\b",
            r"\b[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}\b",  # UK postcode
            r"\b[A-Z]{2} \d{5}(?:-\d{4})?\b",  # US state + ZIP
        )),
    ),
    Kind(
        "error_message",
        _ask(r"\b(?:error|warning|status|response|http|exit|return) ?(?:messages?|codes?|text|details|output)\b",
             r"\bwhat (?:error|message)", r"\b(?:which|what|exact|full|complete) (?:error|wording)",
             r"\bwhat does (?:it|the \w+) say",
             r"\b(?:paste|copy) (?:in |over )?the (?:\w+ )?(?:error|response|message)",
             r"\berrors? you(?:'re| are)? (?:see|get|got|receiv)"),
        find_error,
        from_anyone=False,
    ),
    Kind(
        "attachment",
        _ask(r"\b(?:screenshots?|screen ?shots?|photos?|pictures?|images?|screen recordings?|videos?)\b"),
        pattern(_any(
            r"\b(?:attached|attaching|attachments?|enclosed)\b",
            r"\b(?:here(?:'s| is| are)|sending|sent you|i've added|see) (?:a |the |my )?"
            r"(?:screenshots?|photos?|pictures?|images?|videos?|recording)\b",
        )),
        from_anyone=False,
        confirmable=False,
    ),
    Kind("date", DATE_ASK, find_date, from_anyone=False),
    Kind(
        "amount",
        _ask(r"\bhow much (?:was|were|did|have|has|had|money|you (?:paid|were))\b",
             r"\b(?:the|what|which) (?:amount|sum|total)\b"),
        pattern(_any(r"[$€£¥] ?\d[\d,]*(?:\.\d{2})?",
                     r"\b\d[\d,]*(?:\.\d{2})? ?(?:usd|eur|gbp|cad|aud|chf|dollars|euros?|pounds)\b")),
    ),
    Kind(
        "browser",
        _ask(r"\b(?:which|what) (?:web )?browser", r"\bbrowser (?:are|do|did|and|version)\b",
             r"\byour (?:web )?browser\b(?! (?:cache|cookies|history|settings|extensions?|window|tab|data"
             r"|console))"),
        pattern(r"\b(?:chrome|firefox|safari|edge|opera|brave|vivaldi|chromium|internet explorer)\b"),
        from_anyone=False,
    ),
    Kind(
        "device",
        _ask(r"\b(?:which|what) (?:kind of |type of |model of )?(?:device|phone|computer|laptop|tablet"
             r"|operating system|os|platform|hardware)\b",
             rf"\b{_DEVICES}\b[^.?!]{{0,20}}\bor (?:an? )?{_DEVICES}\b",  # "an iPhone or an Android phone?"
             r"\b(?:ios or android|android or ios|mobile or desktop|desktop or mobile)\b",
             r"\bdevice (?:are|do|model)\b"),
        pattern(r"\b(?:iphone|ipad|android|pixel \d+|galaxy \w+|samsung|macbook(?: air| pro)?|imac|mac ?os|windows"
                r"|linux|ubuntu|chromebook|ios \d+)\b"),
        from_anyone=False,
    ),
    Kind(
        "version",
        _ask(r"\b(?:which|what) (?:\w+ )?version\b", r"\bversion (?:of|number|are|do)\b", r"\bversion you\b"),
        pattern(_any(r"(?<![/\w])(?:v|version ?)\d+(?:\.\d+)*\b",
                     r"\b(?:android|ios|macos|windows|chrome|firefox|safari|edge) \d+(?:\.\d+)*\b",
                     r"\b\d+\.\d+(?:\.\d+)?(?= (?:update|release|patch|version|build))")),
        from_anyone=False,
    ),
    Kind(
        "endpoint",
        _ask(r"\b(?:which|what) (?:api )?(?:endpoints?|routes?|urls?|api calls?|requests?)\b",
             r"\bendpoint (?:are|do|you)\b"),
        pattern(_any(r"\b(?:GET|POST|PUT|PATCH|DELETE) /\S+", r"(?<![\w/])/(?:api/)?v\d+/[\w/{}.-]+",
                     r"\bhttps?://[^\s\"'<>]+")),
        from_anyone=False,
    ),
    Kind(
        "plan",
        _ask(r"\b(?:which|what) (?:plan|tier|subscription|package)\b", r"\byour (?:current )?(?:plan|tier)\b",
             r"\bplan are you\b"),
        pattern(r"\b(?:free|basic|starter|pro|professional|premium|plus|business|team|enterprise|growth|standard)"
                r" (?:plan|tier|subscription)\b"),
    ),
    Kind(
        "steps_tried",
        _ask(r"\bhave you (?:already )?(?:tried|attempted|restarted|rebooted|cleared|reinstalled|reset|updated"
             r"|logged|signed)\b",
             r"\bdid you (?:already )?(?:try|restart|reboot|clear|reinstall|reset|update|log|sign)\b",
             r"\bwhat (?:have you|did you|you've) (?:already )?(?:tri|attempt|done)", r"\bwhat steps\b",
             r"\btroubleshooting"),
        find_attempt,
        from_anyone=False,
        confirmable=False,
    ),
    Kind(
        "description",
        _ask(r"\b(?:describe|explain) (?:the|your|what)\b",
             r"\bwhat(?:'s| is| seems to be) (?:the|your) (?:issue|problem|trouble)",
             r"\bwhat(?:'s| is) (?:going on|wrong|happening)\b", r"\bwhat happened\b",
             r"\bhow (?:can|may) (?:i|we) help\b",
             r"\btell (?:me|us) (?:more )?(?:about|what) (?:the|your) (?:issue|problem|situation)",
             r"\b(?:more )?details? (?:about|on|of) (?:the|your|this) (?:issue|problem|situation)\b",
             r"\bwalk (?:me|us) through\b", r"\bwhat (?:exactly )?happens (?:when|if)\b",
             r"\b(?:issue|problem) you(?:'re| are) (?:experiencing|having|facing|seeing)",
             r"\bwhat can (?:i|we) (?:help|do) (?:you )?with\b"),
        find_description,
        from_anyone=False,
        confirmable=False,
    ),
    Kind(
        "reason",
        _ask(r"\bwhy (?:you(?:'d| would| want| are| were)?|do you|are you|did you)\W+(?:\w+\W+){0,3}?"
             r"(?:cancel|leav|clos|downgrad|switch|mov|refund|return)",
             r"\breason (?:for|behind|you)\b", r"\bwhat made you\b"),
        pattern(r"\b(?:because|the reason|due to|too (?:expensive|costly|slow|complicated)|moving to|switching to"
                r"|cheaper|no longer need|don't need|do not need)\b[^.?!]*"),
        from_anyone=False,
        confirmable=False,
    ),
    Kind(
        "payment_card",
        _ask(r"\b(?:which|what) (?:credit |debit |payment )?card\b", r"\bcard (?:number|details)\b",
             r"\bpayment method\b", r"\bcard (?:was|were|did|do|you)\b"),
        pattern(_any(
            r"\b(?:visa|mastercard|master card|amex|american express|discover|maestro|card)\b[^.?!]{0,20}?"
            r"\b(?:ending(?: in)?|last (?:four|4)(?: digits)?)\s*(?:in |of )?\d{4}\b",
            r"\b(?:visa|mastercard|amex|american express|paypal|apple pay|google pay|sepa|direct debit)\b",
        )),
    ),
)

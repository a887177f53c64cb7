"""The configuration's schema: one marshmallow section per table of config/baton.toml.

Strict sections refuse unknown keys, so a typo is an error that names the key,
never a silently ignored setting.
"""

from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, validate

GUARD_MODES = ("revert", "flag", "off")


class _Strict(Schema):
    class Meta:
        unknown = "raise"


class BatonSection(_Strict):
    tag_prefix = fields.String(load_default="baton_", validate=validate.Regexp(r"^[a-z0-9_]*$"))
    timezone = fields.String(load_default="UTC")


class ServerSection(_Strict):
    max_body_bytes = fields.Integer(load_default=1_048_576, validate=validate.Range(1024))
    signature_tolerance_seconds = fields.Integer(load_default=300, validate=validate.Range(1, 3600))


class GuardSection(_Strict):
    mode = fields.String(load_default="revert", validate=validate.OneOf(GUARD_MODES))
    groups = fields.Dict(keys=fields.String(), values=fields.String(validate=validate.OneOf(GUARD_MODES)),
                         load_default=dict)
    exempt_groups = fields.List(fields.String(), load_default=list)
    exempt_automations = fields.Boolean(load_default=True)


class ZendeskSection(_Strict):
    url = fields.String(load_default="")
    email = fields.String(load_default="")
    token = fields.String(load_default="")
    webhook_secret = fields.String(load_default="")
    previous_webhook_secret = fields.String(load_default="")


class FreshdeskSection(_Strict):
    url = fields.String(load_default="")
    api_key = fields.String(load_default="")
    webhook_token = fields.String(load_default="")
    previous_webhook_token = fields.String(load_default="")


ISSUE_KEY_PATTERN = r"\b[A-Z][A-Z0-9]+-\d+\b"
PROJECT_KEY = validate.Regexp(r"^[A-Z][A-Z0-9_]{0,9}$", error="must be a Jira project key such as SUP")


def _valid_regex(pattern: str) -> bool:

    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValidationError(f"not a regular expression: {exc}") from None
    return True


class JiraProjectSchema(_Strict):
    """Where escalations from one helpdesk group go."""

    project = fields.String(required=True, validate=PROJECT_KEY)
    issue_type = fields.String(load_default="Task", validate=validate.Length(1, 60))


class JiraSection(_Strict):
    url = fields.String(load_default="")
    email = fields.String(load_default="")
    token = fields.String(load_default="")
    webhook_secret = fields.String(load_default="")
    previous_webhook_secret = fields.String(load_default="")
    key_field_id = fields.String(load_default="")
    status_field_id = fields.String(load_default="")
    timeout_seconds = fields.Float(load_default=10.0, validate=validate.Range(0.5, 120))
    max_delivery_age_seconds = fields.Integer(load_default=3600, validate=validate.Range(60, 7 * 86400))
    sync_minutes = fields.Integer(load_default=15, validate=validate.Range(0, 24 * 60))
    projects = fields.Dict(keys=fields.String(), values=fields.Nested(JiraProjectSchema), load_default=dict)
    default_project = fields.String(load_default="", validate=validate.Regexp(r"^([A-Z][A-Z0-9_]{0,9})?$"))
    default_issue_type = fields.String(load_default="Task", validate=validate.Length(1, 60))
    key_pattern = fields.String(load_default=ISSUE_KEY_PATTERN, validate=_valid_regex)


class HubSpotSection(_Strict):
    url = fields.String(load_default="")
    token = fields.String(load_default="")
    ttl_seconds = fields.Float(load_default=900.0, validate=validate.Range(0, 86400))
    failure_ttl_seconds = fields.Float(load_default=60.0, validate=validate.Range(0, 3600))
    timeout_seconds = fields.Float(load_default=5.0, validate=validate.Range(0.1, 60))
    tier_property = fields.String(load_default="tier")
    high_value_min_deal_amount = fields.Float(load_default=None, allow_none=True, validate=validate.Range(0))
    high_value_lifecycle_stages = fields.List(fields.String(), load_default=list)
    high_value_company_property = fields.String(load_default="")
    high_value_company_values = fields.List(fields.String(), load_default=list)


class VendorSection(Schema):
    """Sections for vendors that later work fills in; unknown keys are kept for them."""

    class Meta:
        unknown = "include"


class FlagsSection(_Strict):
    multiple_attempts_replies = fields.Integer(load_default=3, validate=validate.Range(1, 100))
    multiple_attempts_reassignments = fields.Integer(load_default=2, validate=validate.Range(1, 100))


class QueueSection(_Strict):
    redis_url = fields.String(load_default="")
    name = fields.String(load_default="baton", validate=validate.Regexp(r"^[A-Za-z0-9_-]+$"))
    worker_ttl_seconds = fields.Integer(load_default=20, validate=validate.Range(5, 600))
    max_attempts = fields.Integer(load_default=6, validate=validate.Range(1, 20))
    dedupe_ttl_seconds = fields.Integer(load_default=7 * 86400, validate=validate.Range(3600))


class StoreSection(_Strict):
    database_url = fields.String(load_default="sqlite:///baton.db")


class DashboardSection(_Strict):
    token = fields.String(load_default="")
    handoff_queue_minutes = fields.Integer(load_default=120, validate=validate.Range(5, 7 * 24 * 60))


class NoticeSection(_Strict):
    """Customer notices on accepted transfers, opt-in per destination group id."""

    groups = fields.Dict(keys=fields.String(), values=fields.String(validate=validate.Length(10, 2000)),
                         load_default=dict)


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CLOCK = validate.Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", error="must be HH:MM (24-hour)")


def _valid_timezone(name: str) -> bool:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"unknown timezone {name!r}") from None
    return True


class ShiftSchema(_Strict):
    """One recurring shift: who works it, when it ends, where."""

    name = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9 _-]{1,60}$"))
    team = fields.String(load_default="")
    timezone = fields.String(required=True, validate=_valid_timezone)
    days = fields.List(fields.String(validate=validate.OneOf(WEEKDAYS)), load_default=lambda: list(WEEKDAYS[:5]))
    start = fields.String(required=True, validate=CLOCK)
    end = fields.String(required=True, validate=CLOCK)
    agents = fields.List(fields.String(), required=True, validate=validate.Length(min=1))


class WrapupSection(_Strict):
    reminder_minutes = fields.Integer(load_default=20, validate=validate.Range(1, 240))


class SettingsSchema(_Strict):
    baton = fields.Nested(BatonSection, load_default=lambda: BatonSection().load({}))
    server = fields.Nested(ServerSection, load_default=lambda: ServerSection().load({}))
    guard = fields.Nested(GuardSection, load_default=lambda: GuardSection().load({}))
    zendesk = fields.Nested(ZendeskSection, load_default=lambda: ZendeskSection().load({}))
    freshdesk = fields.Nested(FreshdeskSection, load_default=lambda: FreshdeskSection().load({}))
    jira = fields.Nested(JiraSection, load_default=lambda: JiraSection().load({}))
    hubspot = fields.Nested(HubSpotSection, load_default=lambda: HubSpotSection().load({}))
    llm = fields.Nested(VendorSection, load_default=dict)
    flags = fields.Nested(FlagsSection, load_default=lambda: FlagsSection().load({}))
    queue = fields.Nested(QueueSection, load_default=lambda: QueueSection().load({}))
    store = fields.Nested(StoreSection, load_default=lambda: StoreSection().load({}))
    dashboard = fields.Nested(DashboardSection, load_default=lambda: DashboardSection().load({}))
    notice = fields.Nested(NoticeSection, load_default=lambda: NoticeSection().load({}))
    wrapup = fields.Nested(WrapupSection, load_default=lambda: WrapupSection().load({}))
    shifts = fields.List(fields.Nested(ShiftSchema), load_default=list)

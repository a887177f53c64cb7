"""Load Baton's settings: config/baton.toml, then environment overrides, then validation.

Secrets come only from the environment. An invalid value stops start-up with a
message naming the key, so a typo never turns into a silent default.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

GUARD_MODES = ("revert", "flag", "off")
DEFAULT_CONFIG_PATH = Path("config/baton.toml")

# Environment variable -> (section, key). Secrets live only here, never in files.
ENV_OVERRIDES: dict[str, tuple[str, str]] = {
    "BATON_ZENDESK_URL": ("zendesk", "url"),
    "BATON_ZENDESK_EMAIL": ("zendesk", "email"),
    "BATON_ZENDESK_TOKEN": ("zendesk", "token"),
    "BATON_ZENDESK_WEBHOOK_SECRET": ("zendesk", "webhook_secret"),
    "BATON_ZENDESK_PREVIOUS_WEBHOOK_SECRET": ("zendesk", "previous_webhook_secret"),
    "BATON_FRESHDESK_URL": ("freshdesk", "url"),
    "BATON_FRESHDESK_API_KEY": ("freshdesk", "api_key"),
    "BATON_FRESHDESK_WEBHOOK_TOKEN": ("freshdesk", "webhook_token"),
    "BATON_FRESHDESK_PREVIOUS_WEBHOOK_TOKEN": ("freshdesk", "previous_webhook_token"),
    "BATON_JIRA_URL": ("jira", "url"),
    "BATON_JIRA_EMAIL": ("jira", "email"),
    "BATON_JIRA_TOKEN": ("jira", "token"),
    "BATON_JIRA_WEBHOOK_SECRET": ("jira", "webhook_secret"),
    "BATON_JIRA_PREVIOUS_WEBHOOK_SECRET": ("jira", "previous_webhook_secret"),
    "BATON_HUBSPOT_URL": ("hubspot", "url"),
    "BATON_HUBSPOT_TOKEN": ("hubspot", "token"),
    "BATON_LLM_URL": ("llm", "url"),
    "BATON_LLM_API_KEY": ("llm", "api_key"),
    "BATON_DASHBOARD_TOKEN": ("dashboard", "token"),
    "REDIS_URL": ("queue", "redis_url"),
    "DATABASE_URL": ("store", "database_url"),
}
SECRET_KEYS = {
    ("zendesk", "token"), ("zendesk", "webhook_secret"), ("zendesk", "previous_webhook_secret"),
    ("freshdesk", "api_key"), ("freshdesk", "webhook_token"), ("freshdesk", "previous_webhook_token"),
    ("jira", "token"), ("jira", "webhook_secret"), ("jira", "previous_webhook_secret"),
    ("hubspot", "token"), ("llm", "api_key"), ("dashboard", "token"),
}


class ConfigError(Exception):
    """The configuration is invalid; the message names the key and the problem."""


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
    import re

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


@dataclass(frozen=True)
class Settings:
    """Validated settings: one dict per section, plus where they came from."""

    sections: dict[str, dict[str, Any]]
    source: str = "defaults"
    secret_values: frozenset[str] = field(default_factory=frozenset, repr=False)

    def __getitem__(self, section: str) -> dict[str, Any]:
        return self.sections[section]

    def __repr__(self) -> str:  # never print secrets
        return f"Settings(source={self.source!r})"

    def guard_mode_for(self, group_id: str | None) -> str:
        """Return the guard mode for a destination group (per-group override or default)."""
        guard = self.sections["guard"]
        return guard["groups"].get(str(group_id), guard["mode"]) if group_id else guard["mode"]

    @property
    def jira_configured(self) -> bool:
        """Tell whether Baton can write to Jira (site, account email and API token all set)."""
        jira = self.sections["jira"]
        return bool(jira["url"] and jira["email"] and jira["token"])

    def jira_project_for(self, group_id: str | None) -> tuple[str, str] | None:
        """Return (project, issue type) for escalations from a group, or None when none is configured."""
        jira = self.sections["jira"]
        chosen = jira["projects"].get(str(group_id)) if group_id else None
        if chosen:
            return chosen["project"], chosen["issue_type"]
        return (jira["default_project"], jira["default_issue_type"]) if jira["default_project"] else None

    def issue_key_pattern(self) -> str:
        """Return the regex of issue keys to detect: the configured one, narrowed to known projects."""
        jira = self.sections["jira"]
        known = sorted({p["project"] for p in jira["projects"].values()} | (
            {jira["default_project"]} if jira["default_project"] else set()))
        if jira["key_pattern"] != ISSUE_KEY_PATTERN or not known:
            return jira["key_pattern"]
        return r"\b(?:" + "|".join(known) + r")-\d+\b"

    def tag(self, name: str) -> str:
        """Return a Baton tag with the configured prefix."""
        return f"{self.sections['baton']['tag_prefix']}{name}"


def _flatten_errors(errors: Any, prefix: str = "") -> list[str]:
    if isinstance(errors, dict):
        out: list[str] = []
        for key, value in errors.items():
            out += _flatten_errors(value, f"{prefix}.{key}" if prefix else str(key))
        return out
    messages = errors if isinstance(errors, list) else [errors]
    return [f"{prefix}: {m}" for m in messages if not isinstance(m, (dict, list))] + [
        line for m in messages if isinstance(m, (dict, list)) for line in _flatten_errors(m, prefix)
    ]


def validate_settings(raw: dict[str, Any], source: str = "defaults") -> Settings:
    """Validate a raw settings mapping; raise ConfigError naming every bad key."""
    try:
        loaded = SettingsSchema().load(raw)
    except ValidationError as exc:
        raise ConfigError(f"invalid configuration ({source}): "
                          + "; ".join(_flatten_errors(exc.messages))) from None
    secrets = frozenset(str(loaded[s].get(k)) for s, k in SECRET_KEYS if loaded[s].get(k))
    return Settings(sections=loaded, source=source, secret_values=secrets)


def read_toml(path: Path) -> dict[str, Any]:
    """Read a TOML file; a syntax error becomes a ConfigError naming the file."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid configuration ({path}): {exc}") from None


def apply_env(raw: dict[str, Any], environ: dict[str, str]) -> dict[str, Any]:
    """Overlay the documented environment variables onto a raw settings mapping."""
    merged = {section: dict(values) if isinstance(values, dict) else values for section, values in raw.items()}
    for name, (section, key) in ENV_OVERRIDES.items():
        if environ.get(name):
            merged.setdefault(section, {})[key] = environ[name]
    return merged


def reject_file_secrets(raw: dict[str, Any], path: Path) -> None:
    """Refuse secrets written into a config file: they belong in the environment."""
    for section, key in sorted(SECRET_KEYS):
        if isinstance(raw.get(section), dict) and raw[section].get(key):
            env = next(n for n, target in ENV_OVERRIDES.items() if target == (section, key))
            raise ConfigError(f"invalid configuration ({path}): {section}.{key} is a secret; "
                              f"set {env} in the environment instead")


def load_settings(path: str | None = None, environ: dict[str, str] | None = None,
                  overrides: dict[str, Any] | None = None) -> Settings:
    """Load config file (BATON_CONFIG or config/baton.toml when present), env, then overrides."""
    environ = dict(os.environ if environ is None else environ)
    chosen = Path(path or environ.get("BATON_CONFIG") or DEFAULT_CONFIG_PATH)
    explicit = bool(path or environ.get("BATON_CONFIG"))
    if explicit and not chosen.exists():
        raise ConfigError(f"invalid configuration: file {chosen} does not exist (BATON_CONFIG)")
    raw = read_toml(chosen) if chosen.exists() else {}
    reject_file_secrets(raw, chosen)
    for section, values in (overrides or {}).items():
        if isinstance(values, dict):
            raw.setdefault(section, {}).update(values)
        else:
            raw[section] = values
    merged = apply_env(raw, environ)
    return validate_settings(merged, source=str(chosen) if chosen.exists() else "defaults")

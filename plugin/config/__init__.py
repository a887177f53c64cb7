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

from marshmallow import ValidationError

from plugin.config.schema import (  # noqa: F401 - re-exported for the rest of Baton
    GUARD_MODES,
    ISSUE_KEY_PATTERN,
    WEEKDAYS,
    SettingsSchema,
)

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

"""Configuration: defaults, file, environment overrides, and errors that name the key."""

from __future__ import annotations

import pytest

from plugin.config import ConfigError, load_settings


def test_defaults_without_a_file(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings(environ={})
    assert settings["guard"]["mode"] == "revert" and settings["queue"]["dedupe_ttl_seconds"] == 7 * 86400
    assert settings.source == "defaults"


def test_the_documented_example_file_is_valid() -> None:
    settings = load_settings("config/baton.toml", environ={})
    assert settings["baton"]["tag_prefix"] == "baton_"


def test_environment_overrides_the_file(tmp_path) -> None:
    path = tmp_path / "baton.toml"
    path.write_text('[zendesk]\nurl = "https://file.zendesk.com"\n[guard.groups]\n"12" = "flag"\n')
    settings = load_settings(str(path), environ={"BATON_ZENDESK_URL": "https://env.zendesk.com",
                                                 "BATON_ZENDESK_TOKEN": "t0ken"})
    assert settings["zendesk"]["url"] == "https://env.zendesk.com"
    assert settings.guard_mode_for("12") == "flag" and settings.guard_mode_for("13") == "revert"
    assert "t0ken" in settings.secret_values and "t0ken" not in repr(settings)


@pytest.mark.parametrize("text,message", [
    ('[guard]\nmode = "block"\n', "guard.mode: Must be one of: revert, flag, off."),
    ('[queue]\nworker_ttl_seconds = 1\n', "queue.worker_ttl_seconds"),
    ('[guard]\nmod = "flag"\n', "guard.mod: Unknown field."),
    ('[baton]\ntag_prefix = "Baton-"\n', "baton.tag_prefix"),
    ('[zendesk]\ntoken = "abc"\n', "zendesk.token is a secret; set BATON_ZENDESK_TOKEN"),
    ("[guard\n", "invalid configuration"),
])
def test_invalid_values_name_the_key(tmp_path, text, message) -> None:
    path = tmp_path / "baton.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as error:
        load_settings(str(path), environ={})
    assert message in str(error.value)


def test_missing_config_file_named_by_env_is_an_error(tmp_path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(environ={"BATON_CONFIG": str(tmp_path / "nope.toml")})


def test_shifts_are_read_from_toml_tables(tmp_path) -> None:
    path = tmp_path / "baton.toml"
    path.write_text('[wrapup]\nreminder_minutes = 15\n\n[[shifts]]\nname = "EU day"\ntimezone = "Europe/Berlin"\n'
                    'start = "08:00"\nend = "16:00"\nagents = ["101", "102"]\n')
    settings = load_settings(str(path), environ={})
    assert settings["wrapup"]["reminder_minutes"] == 15
    assert settings["shifts"][0]["days"] == ["mon", "tue", "wed", "thu", "fri"]
    assert settings["shifts"][0]["agents"] == ["101", "102"]


def test_two_processes_creating_the_tables_at_once_both_start(tmp_path) -> None:
    import multiprocessing

    url = f"sqlite:///{tmp_path / 'race.db'}"
    context = multiprocessing.get_context("fork")
    with context.Pool(4) as pool:
        results = pool.map(_open_store, [url] * 8)
    assert results == [True] * 8


def _open_store(url: str) -> bool:
    from plugin.store import Store

    return Store(url).ping()

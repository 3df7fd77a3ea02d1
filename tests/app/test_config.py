"""Configuration: defaults, the file, the environment, and one-line errors that name the setting."""

from datetime import time
from pathlib import Path

import pytest

from bot.app.config import ConfigError, Settings, iter_settings, load_settings

ROOT = Path(__file__).resolve().parents[2]


def _write(tmp_path, text):
    path = tmp_path / "supportbot.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_file():
    settings = load_settings(None, environ={})
    assert settings.database.url.get_secret_value() == "sqlite:///./supportbot.db"
    assert settings.hours.open == time(9, 0) and settings.sla.first_response_minutes == 120
    assert settings.portal.new_case_policy == "portal"


def test_the_shipped_example_is_valid_and_documents_every_section():
    example = ROOT / "supportbot.example.toml"
    settings = load_settings(example, environ={})
    text = example.read_text(encoding="utf-8")
    for section in Settings.model_fields:
        assert f"[{section}]" in text
    assert settings.hours.lunch_start == time(12, 0)


def test_file_values_and_environment_secrets(tmp_path):
    path = _write(tmp_path, '[imap]\nenabled = true\nhost = "mail.example.com"\nport = 143\nsecurity = "starttls"\n')
    env = {"SUPPORTBOT_IMAP_PASSWORD": "s3cret", "SUPPORTBOT_SLACK_BOT_TOKEN": "xoxb-1", "SUPPORTBOT_SMTP_PORT": "2525"}
    settings = load_settings(path, environ=env)
    assert settings.imap.host == "mail.example.com" and settings.imap.port == 143
    assert settings.imap.password.get_secret_value() == "s3cret"
    assert settings.slack.bot_token.get_secret_value() == "xoxb-1"
    assert settings.smtp.port == 2525
    assert "s3cret" not in repr(settings) and "s3cret" not in str(settings.imap)


def test_config_path_from_environment(tmp_path):
    path = _write(tmp_path, "[http]\nport = 9999\n")
    assert load_settings(None, environ={"SUPPORTBOT_CONFIG": str(path)}).http.port == 9999


@pytest.mark.parametrize(
    ("text", "env", "message"),
    [
        ("[imap]\nhostt = 'x'\n", {}, "imap.hostt: unknown setting"),
        ("[imapp]\nhost = 'x'\n", {}, "imapp: unknown setting"),
        ("[imap]\nport = 'abc'\n", {}, "imap.port: Input should be a valid integer"),
        ("[imap]\nport = 70000\n", {}, "imap.port: Input should be less than or equal to 65535"),
        ("[imap]\nsecurity = 'tls'\n", {}, "imap.security: Input should be 'ssl', 'starttls' or 'plain'"),
        ("[hours]\nopen = '9 o clock'\n", {}, "hours.open:"),
        ("[hours]\ntimezone = 'Europe/Stockholmm'\n", {}, "hours.timezone: Value error, unknown time zone"),
        ("[oncall]\nrota = [{who = 'a@b'}]\n", {}, "oncall.rota.0.start: required setting is missing"),
        ("", {"SUPPORTBOT_SMTP_PROT": "25"}, "environment SUPPORTBOT_SMTP_PROT: unknown setting smtp.prot"),
        ("", {"SUPPORTBOT_SLACK_MODE": "rtm"}, "slack.mode: Input should be 'socket' or 'http'"),
        ("imap = 3\n", {}, "imap: Input should be a valid dictionary"),
        ("[portal]\nnotification_subject_pattern = 'Nytt (ärende'\n", {}, "portal.notification_subject_pattern: Value error, not a regular expression"),
        ("[portal]\nnotification_subject_pattern = 'Nytt ärende'\n", {}, "needs a named group"),
        ("[http]\nport = 9000\n", {"SUPPORTBOT_OPS_PORT": "9000"}, "ops.port: must differ from http.port (both 9000)"),
    ],
)
def test_bad_settings_fail_with_one_line_naming_them(tmp_path, text, env, message):
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_settings(path, environ=env)
    assert message in str(info.value)
    assert all("\n" not in line for line in info.value.lines)


def test_malformed_toml_names_the_file_and_line(tmp_path):
    path = _write(tmp_path, "[imap]\nhost = \n")
    with pytest.raises(ConfigError, match=r"supportbot.toml: .*line 2"):
        load_settings(path, environ={})


def test_missing_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.toml", environ={})


def test_a_bad_secret_value_is_never_echoed(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_settings(_write(tmp_path, "[imap]\npassword = 987654\n"), environ={})
    assert str(info.value).startswith("imap.password: Input should be a valid string")
    assert "987654" not in str(info.value)


def test_every_setting_is_documented():
    undocumented = [name for name, _type, _default, description in iter_settings() if not description]
    assert undocumented == []
